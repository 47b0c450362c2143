//! Which service district (供热片区) a point lies in.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::num::NonZero;
use std::thread;

use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, Centroid, CoordinatePosition, MultiPolygon, Polygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::{GeometryError, LonLat, polygon_problem};

/// Below this many points per thread, `assign_all` stays on one thread.
const MIN_POINTS_PER_THREAD: usize = 16_384;

/// Where a point falls among the districts.
///
/// A district owns its boundary, so the rule is "covered by": a point
/// inside or on the edge of exactly one district is `Inside` it; a point on a
/// border shared by two or more districts (or in an overlap) is `Ambiguous`,
/// listing them in the order they were given to [`DistrictIndex::build`]. A
/// point on no district, or on two, is reported, not guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement<K> {
    Inside(K),
    Outside,
    Ambiguous(Vec<K>),
}

/// The placements of many points, in input order, with the tallies a caller
/// reports before acting on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment<K> {
    pub placements: Vec<Placement<K>>,
    pub outside: usize,
    pub ambiguous: usize,
}

/// One polygon of a district, with its bounding box in the R-tree.
type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Validated district polygons behind an R-tree of their parts' bounding
/// boxes; lookups test the few candidate polygons exactly.
#[derive(Debug, Clone)]
pub struct DistrictIndex<K> {
    keys: Vec<K>,
    by_key: HashMap<K, usize>,
    centroids: Vec<LonLat>,
    /// Every polygon of every district, with the index of its district.
    parts: Vec<(usize, Polygon<f64>)>,
    tree: RTree<Entry>,
}

impl<K: Clone + Eq + Hash + Display> DistrictIndex<K> {
    /// Fails on the first invalid polygon or repeated key, naming its key.
    pub fn build(districts: Vec<(K, MultiPolygon<f64>)>) -> Result<Self, GeometryError> {
        let mut index = Self {
            keys: Vec::with_capacity(districts.len()),
            by_key: HashMap::with_capacity(districts.len()),
            centroids: Vec::with_capacity(districts.len()),
            parts: Vec::with_capacity(districts.len()),
            tree: RTree::new(),
        };
        let mut entries = Vec::with_capacity(districts.len());
        for (district, (key, geometry)) in districts.into_iter().enumerate() {
            let invalid = |reason: String| GeometryError::InvalidPolygon { key: key.to_string(), reason };
            if let Some(reason) = polygon_problem(&geometry) {
                return Err(invalid(reason));
            }
            let centroid = geometry
                .centroid()
                .and_then(|c| LonLat::new(c.x(), c.y()).ok())
                .ok_or_else(|| invalid("it has no centroid".to_owned()))?;
            for polygon in geometry {
                if let Some(rect) = polygon.bounding_rect() {
                    let envelope = Rectangle::from_corners(rect.min().into(), rect.max().into());
                    entries.push(Entry::new(envelope, index.parts.len()));
                }
                index.parts.push((district, polygon));
            }
            if index.by_key.insert(key.clone(), district).is_some() {
                return Err(GeometryError::DuplicateKey { key: key.to_string() });
            }
            index.keys.push(key);
            index.centroids.push(centroid);
        }
        index.tree = RTree::bulk_load(entries);
        Ok(index)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The area-weighted centroid of a district; it may fall outside a
    /// concave district.
    pub fn centroid(&self, key: &K) -> Option<LonLat> {
        self.by_key.get(key).map(|&d| self.centroids[d])
    }

    pub fn locate(&self, p: LonLat) -> Placement<K> {
        let coord = p.coord();
        let mut covering = self
            .tree
            .locate_all_at_point(&[p.lon, p.lat])
            .map(|entry| &self.parts[entry.data])
            .filter(|(_, polygon)| polygon.coordinate_position(&coord) != CoordPos::Outside)
            .map(|&(district, _)| district);
        let Some(first) = covering.next() else {
            return Placement::Outside;
        };
        // A district's own parts may touch at a point, so only other
        // districts make the placement ambiguous.
        let mut all: Vec<usize> = covering.filter(|&d| d != first).collect();
        if all.is_empty() {
            return Placement::Inside(self.keys[first].clone());
        }
        all.push(first);
        all.sort_unstable();
        all.dedup();
        Placement::Ambiguous(all.into_iter().map(|d| self.keys[d].clone()).collect())
    }

    /// Locates every point, splitting the work across the available cores.
    pub fn assign_all(&self, points: &[LonLat]) -> Assignment<K>
    where
        K: Send + Sync,
    {
        let threads = thread::available_parallelism().map_or(1, NonZero::get);
        let chunk = points.len().div_ceil(threads).max(MIN_POINTS_PER_THREAD);
        let locate_all = |chunk: &[LonLat]| chunk.iter().map(|&p| self.locate(p)).collect::<Vec<_>>();
        let placements: Vec<Placement<K>> = if points.len() <= chunk {
            locate_all(points)
        } else {
            thread::scope(|scope| {
                let workers: Vec<_> = points.chunks(chunk).map(|c| scope.spawn(move || locate_all(c))).collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            })
        };
        let count = |wanted: fn(&Placement<K>) -> bool| placements.iter().filter(|p| wanted(p)).count();
        Assignment {
            outside: count(|p| matches!(p, Placement::Outside)),
            ambiguous: count(|p| matches!(p, Placement::Ambiguous(_))),
            placements,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Rect, coord, polygon};

    fn cell(x: f64, y: f64) -> Polygon<f64> {
        Rect::new(coord! { x: x, y: y }, coord! { x: x + 1.0, y: y + 1.0 }).to_polygon()
    }

    fn square(x: f64, y: f64) -> MultiPolygon<f64> {
        cell(x, y).into()
    }

    /// Four unit squares, "A" to "D", tiling [0, 2] × [0, 2] from the south-west.
    fn quad() -> DistrictIndex<&'static str> {
        DistrictIndex::build(vec![
            ("A", square(0.0, 0.0)),
            ("B", square(1.0, 0.0)),
            ("C", square(0.0, 1.0)),
            ("D", square(1.0, 1.0)),
        ])
        .unwrap()
    }

    fn at(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn locate_inside_outside_and_on_borders() {
        let index = quad();
        assert_eq!(index.locate(at(0.5, 0.5)), Placement::Inside("A"));
        assert_eq!(index.locate(at(1.5, 1.9)), Placement::Inside("D"));
        assert_eq!(index.locate(at(2.5, 0.5)), Placement::Outside);
        assert_eq!(index.locate(at(-0.000_001, 0.5)), Placement::Outside);
        // The outer edge belongs to the one district it bounds.
        assert_eq!(index.locate(at(0.0, 0.5)), Placement::Inside("A"));
        assert_eq!(index.locate(at(2.0, 2.0)), Placement::Inside("D"));
        // A shared edge, and the corner shared by all four, are not guessed.
        assert_eq!(index.locate(at(1.0, 0.5)), Placement::Ambiguous(vec!["A", "B"]));
        assert_eq!(index.locate(at(0.5, 1.0)), Placement::Ambiguous(vec!["A", "C"]));
        assert_eq!(index.locate(at(1.0, 1.0)), Placement::Ambiguous(vec!["A", "B", "C", "D"]));
    }

    #[test]
    fn parts_of_one_district_touching_at_a_corner_are_not_ambiguous() {
        let diagonal = MultiPolygon::new(vec![cell(0.0, 0.0), cell(1.0, 1.0)]);
        let index = DistrictIndex::build(vec![("X", diagonal)]).unwrap();
        assert_eq!(index.locate(at(1.0, 1.0)), Placement::Inside("X"));
        assert_eq!(index.locate(at(1.5, 0.5)), Placement::Outside);
    }

    #[test]
    fn holes_are_outside() {
        let donut = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 3.0), (x: 0.0, y: 3.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        let index = DistrictIndex::build(vec![("ring", donut.into())]).unwrap();
        assert_eq!(index.locate(at(1.5, 1.5)), Placement::Outside);
        assert_eq!(index.locate(at(0.5, 1.5)), Placement::Inside("ring"));
    }

    #[test]
    fn build_rejects_a_bowtie_naming_its_key() {
        let bowtie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
        let err = DistrictIndex::build(vec![("good", square(5.0, 5.0)), ("bowtie", bowtie.into())]).unwrap_err();
        match err {
            GeometryError::InvalidPolygon { key, reason } => {
                assert_eq!(key, "bowtie");
                assert!(reason.contains("self-intersection"), "{reason}");
            }
            other => panic!("expected InvalidPolygon, got {other:?}"),
        }
    }

    #[test]
    fn build_rejects_a_repeated_key() {
        let err = DistrictIndex::build(vec![("A", square(0.0, 0.0)), ("A", square(1.0, 0.0))]).unwrap_err();
        assert_eq!(err, GeometryError::DuplicateKey { key: "A".to_owned() });
    }

    #[test]
    fn centroids_of_districts() {
        let index = quad();
        assert_eq!(index.len(), 4);
        assert_eq!(index.centroid(&"D"), Some(at(1.5, 1.5)));
        assert_eq!(index.centroid(&"E"), None);
    }

    #[test]
    fn assign_all_matches_locate_across_threads() {
        let index = quad();
        // A 401 × 401 lattice over [-0.5, 2.5]²: some points outside, some on
        // shared borders, enough to be split across threads.
        let steps = 401;
        let points: Vec<LonLat> = (0..steps * steps)
            .map(|i| at(-0.5 + 3.0 * (i % steps) as f64 / 400.0, -0.5 + 3.0 * (i / steps) as f64 / 400.0))
            .collect();
        let assignment = index.assign_all(&points);
        assert_eq!(assignment.placements.len(), points.len());
        for (p, placement) in points.iter().zip(&assignment.placements) {
            assert_eq!(*placement, index.locate(*p));
        }
        let outside = points.iter().filter(|p| !(0.0..=2.0).contains(&p.lon) || !(0.0..=2.0).contains(&p.lat)).count();
        // Lattice lines fall on x = 1 and y = 1 (step 3/400 from -0.5 hits 1.0 at 200).
        let on_inner_borders = points
            .iter()
            .filter(|p| (0.0..=2.0).contains(&p.lon) && (0.0..=2.0).contains(&p.lat))
            .filter(|p| p.lon == 1.0 || p.lat == 1.0)
            .count();
        assert_eq!(assignment.outside, outside);
        assert_eq!(assignment.ambiguous, on_inner_borders);
        assert!(on_inner_borders > 0);
    }
}

//! Tiling an area into grid cells, and sampling points inside an area; the
//! demo generator uses both to lay out service districts and households.

use geo::coordinate_position::CoordPos;
use geo::{Area, BooleanOps, BoundingRect, CoordinatePosition, MultiPolygon, Rect, coord};

use super::LonLat;

/// `random_point_in` gives up after this many misses.
const MAX_SAMPLES: usize = 10_000;

/// Cuts `area` along a `cols` × `rows` grid over its bounding box and returns
/// the non-empty cells row by row, west to east, from the south.
///
/// Neighbouring cells are cut along the very same line, so together they tile
/// `area` without gaps or overlaps.
pub fn split_into_grid(area: &MultiPolygon<f64>, cols: usize, rows: usize) -> Vec<MultiPolygon<f64>> {
    let Some(bounds) = area.bounding_rect() else {
        return Vec::new();
    };
    // The last cut is the bound itself, so the grid covers the whole box.
    let cuts = |min: f64, max: f64, n: usize| -> Vec<f64> {
        (0..=n).map(|i| if i == n { max } else { min + (max - min) * i as f64 / n as f64 }).collect()
    };
    let xs = cuts(bounds.min().x, bounds.max().x, cols);
    let ys = cuts(bounds.min().y, bounds.max().y, rows);
    ys.windows(2)
        .flat_map(|y| xs.windows(2).map(move |x| Rect::new(coord! { x: x[0], y: y[0] }, coord! { x: x[1], y: y[1] })))
        .map(|cell| area.intersection(&cell.to_polygon()))
        .filter(|cell| cell.unsigned_area() > 0.0)
        .collect()
}

/// A uniformly distributed point strictly inside `area`, by rejection
/// sampling in its bounding box. `rng_u01` yields uniform numbers in [0, 1).
///
/// `None` when `area` is empty, has no interior, or was missed
/// `MAX_SAMPLES` times in a row (it fills less than a ten-thousandth of its
/// box).
pub fn random_point_in(area: &MultiPolygon<f64>, mut rng_u01: impl FnMut() -> f64) -> Option<LonLat> {
    let bounds = area.bounding_rect()?;
    (0..MAX_SAMPLES).find_map(|_| {
        let x = bounds.min().x + rng_u01() * bounds.width();
        let y = bounds.min().y + rng_u01() * bounds.height();
        let inside = area.coordinate_position(&coord! { x: x, y: y }) == CoordPos::Inside;
        inside.then(|| LonLat::new(x, y).ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{DistrictIndex, Placement, districts_from_geojson};
    use geo::polygon;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn shanghe() -> MultiPolygon<f64> {
        let text = include_str!("../../../demo/data/jinan-districts.geojson");
        districts_from_geojson(text).unwrap().into_iter().find(|d| d.id == "370126").unwrap().geometry
    }

    #[test]
    fn shanghe_splits_into_cells_that_tile_it() {
        let county = shanghe();
        let cells = split_into_grid(&county, 3, 3);
        assert!((7..=9).contains(&cells.len()), "{} cells", cells.len());
        let total: f64 = cells.iter().map(Area::unsigned_area).sum();
        let relative = (total - county.unsigned_area()).abs() / county.unsigned_area();
        assert!(relative < 1e-9, "cells cover {total}, county {}", county.unsigned_area());

        // The cells are valid districts, and a random point in the county lies
        // in exactly one of them.
        let index = DistrictIndex::build(cells.into_iter().enumerate().collect()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(126);
        for _ in 0..500 {
            let p = random_point_in(&county, || rng.random()).unwrap();
            assert!(matches!(index.locate(p), Placement::Inside(_)), "{p:?}: {:?}", index.locate(p));
        }
    }

    #[test]
    fn a_square_splits_into_equal_cells_from_the_south_west() {
        let square = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 0.0, y: 1.0)].into();
        let cells = split_into_grid(&square, 2, 1);
        assert_eq!(cells.len(), 2);
        assert!(cells.iter().all(|c| c.unsigned_area() == 1.0));
        assert_eq!(cells[0].bounding_rect().unwrap().min(), coord! { x: 0.0, y: 0.0 });
        assert_eq!(cells[1].bounding_rect().unwrap().min(), coord! { x: 1.0, y: 0.0 });
        assert!(split_into_grid(&square, 0, 3).is_empty());
        assert!(split_into_grid(&MultiPolygon::new(vec![]), 3, 3).is_empty());
    }

    #[test]
    fn cells_outside_a_concave_area_are_dropped() {
        // An L shape leaves the north-east quarter of its box empty.
        let ell = polygon![
            (x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 2.0)
        ];
        assert_eq!(split_into_grid(&ell.into(), 2, 2).len(), 3);
    }

    #[test]
    fn random_points_fall_inside_or_are_refused() {
        let triangle = polygon![(x: 117.0, y: 37.0), (x: 117.1, y: 37.0), (x: 117.0, y: 37.1)].into();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..100 {
            let p = random_point_in(&triangle, || rng.random()).unwrap();
            assert!(p.lon > 117.0 && p.lat > 37.0 && (p.lon - 117.0) + (p.lat - 37.0) < 0.1, "{p:?}");
        }
        let flat = polygon![(x: 117.0, y: 37.0), (x: 117.1, y: 37.0), (x: 117.2, y: 37.0)].into();
        assert_eq!(random_point_in(&flat, || rng.random()), None);
        assert_eq!(random_point_in(&MultiPolygon::new(vec![]), || 0.5), None);
        // A misbehaving source of numbers is survived, not trusted.
        assert_eq!(random_point_in(&triangle, || 7.0), None);
    }
}

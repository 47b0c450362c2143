//! The town on the map: the real 商河县 polygon, a box around the county
//! seat inside it, and the service districts (片区) that tile the box.

use geo::{Area, BooleanOps, Contains, MultiPolygon, Rect, coord};
use steward_domain::geometry::{LonLat, districts_from_geojson, split_into_grid};

use crate::DemoError;

/// The ten county-level districts of Jinan, MIT-licensed (see
/// `data/jinan-districts.LICENSE` beside the file).
pub const JINAN_DISTRICTS_GEOJSON: &str = include_str!("../data/jinan-districts.geojson");

/// The GB/T 2260 code of 商河县, the feature id in [`JINAN_DISTRICTS_GEOJSON`].
pub const SHANGHE_CODE: &str = "370126";

/// The label point of 商河县: the county seat.
pub const COUNTY_SEAT: (f64, f64) = (117.157232, 37.309041);

/// Half the width and height of the town box at the default size, degrees.
const BASE_HALF: (f64, f64) = (0.06, 0.045);

/// Households per service district the large sizes aim at.
const HOUSEHOLDS_PER_DISTRICT: usize = 2_500;

/// The fewest service districts of any size.
pub(crate) const MIN_DISTRICTS: usize = 8;

/// The real boundary of 商河县 from the embedded GeoJSON.
pub fn shanghe_county() -> Result<MultiPolygon<f64>, DemoError> {
    districts_from_geojson(JINAN_DISTRICTS_GEOJSON)?
        .into_iter()
        .find(|d| d.id == SHANGHE_CODE)
        .map(|d| d.geometry)
        .ok_or(DemoError::CountyMissing)
}

/// The county, the town inside it, and the district cells of the town.
pub(crate) struct Layout {
    pub county: MultiPolygon<f64>,
    pub cells: Vec<MultiPolygon<f64>>,
}

/// Lays out the town for a number of households: a box around the county
/// seat that grows with the size but stays inside the county, cut into a grid
/// of about one district per [`HOUSEHOLDS_PER_DISTRICT`] households (never
/// fewer than [`MIN_DISTRICTS`]), with cells of roughly square kilometres.
pub(crate) fn lay_out(households: usize) -> Result<Layout, DemoError> {
    let county = shanghe_county()?;
    let wanted_scale = (households as f64 / 5_000.0).sqrt().max(1.0);
    let scale = wanted_scale.min(largest_box_scale(&county));
    let town_box = town_rect(scale);
    let town = county.intersection(&MultiPolygon::from(town_box.to_polygon()));

    let target = households.div_ceil(HOUSEHOLDS_PER_DISTRICT).max(MIN_DISTRICTS);
    // A degree of longitude is shorter than one of latitude by cos(latitude).
    let width_m = town_box.width() * COUNTY_SEAT.1.to_radians().cos();
    let aspect = width_m / town_box.height();
    let cols = ((target as f64 * aspect).sqrt().ceil() as usize).max(1);
    let rows = target.div_ceil(cols);
    let cells = split_into_grid(&town, cols, rows);
    if cells.len() < MIN_DISTRICTS {
        return Err(DemoError::Layout(format!("the town split into only {} districts", cells.len())));
    }
    Ok(Layout { county, cells })
}

fn town_rect(scale: f64) -> Rect<f64> {
    let (x, y) = COUNTY_SEAT;
    let (dx, dy) = (BASE_HALF.0 * scale, BASE_HALF.1 * scale);
    Rect::new(coord! { x: x - dx, y: y - dy }, coord! { x: x + dx, y: y + dy })
}

/// The largest scale of the town box that still lies inside the county, with
/// a small margin; at least 1, the default box, which lies well inside.
fn largest_box_scale(county: &MultiPolygon<f64>) -> f64 {
    let inside = |s: f64| county.contains(&town_rect(s).to_polygon());
    let (mut lo, mut hi) = (1.0, 8.0);
    if !inside(lo) {
        return 1.0;
    }
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if inside(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo * 0.97
}

/// The area of a district as a fraction of all of them, for sharing out
/// communities.
pub(crate) fn area_shares(cells: &[MultiPolygon<f64>]) -> Vec<f64> {
    let areas: Vec<f64> = cells.iter().map(Area::unsigned_area).collect();
    let total: f64 = areas.iter().sum();
    areas.into_iter().map(|a| a / total).collect()
}

/// The county seat as a position.
pub(crate) fn seat() -> LonLat {
    LonLat { lon: COUNTY_SEAT.0, lat: COUNTY_SEAT.1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_town_has_nine_square_districts_inside_the_county() {
        let layout = lay_out(5_000).unwrap();
        assert_eq!(layout.cells.len(), 9);
        let total: f64 = layout.cells.iter().map(Area::unsigned_area).sum();
        let town = town_rect(1.0).to_polygon().unsigned_area();
        assert!((total - town).abs() / town < 1e-9);
        assert!(layout.cells.iter().all(|c| layout.county.contains(c)));
    }

    #[test]
    fn large_town_has_about_one_district_per_2500_households() {
        let layout = lay_out(500_000).unwrap();
        let n = layout.cells.len();
        assert!((200..=230).contains(&n), "{n} districts");
        assert!(layout.cells.iter().all(|c| layout.county.contains(c)));
        let shares = area_shares(&layout.cells);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}

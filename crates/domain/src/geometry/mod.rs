//! Geometry of the service area (供热服务区域): coordinates, distances,
//! geofences, district polygons and their GeoJSON form.
//!
//! All coordinates are WGS 84 longitude/latitude in degrees, in that order,
//! as in GeoJSON (RFC 7946). Planar operations (point in polygon, areas,
//! grid splitting) work directly on degrees, which is exact for topology and
//! good enough for areas of county-sized regions; distances are great-circle
//! metres.

mod geojson_io;
mod grid;
mod index;

use geo::{CoordsIter, Distance, Haversine, MultiPolygon, Point, Validation};
use serde::{Deserialize, Serialize};

pub use geojson_io::{DistrictFeature, PointFeature, districts_from_geojson, feature_collection, to_geojson_string};
pub use grid::{random_point_in, split_into_grid};
pub use index::{Assignment, DistrictIndex, Placement};

/// The radius of a household's check-in geofence (签到围栏) unless configured.
pub const DEFAULT_GEOFENCE_M: f64 = 150.0;

/// Everything that can be wrong with geometric input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("coordinate ({lon}, {lat}) is not a valid longitude/latitude")]
    InvalidCoordinate { lon: f64, lat: f64 },
    #[error("geofence radius {radius_m} m is not a finite non-negative distance")]
    InvalidRadius { radius_m: f64 },
    #[error("polygon of {key} is invalid: {reason}")]
    InvalidPolygon { key: String, reason: String },
    #[error("district key {key} appears more than once")]
    DuplicateKey { key: String },
    #[error("GeoJSON{}: {reason}", index.map(|i| format!(" feature {i}")).unwrap_or_default())]
    GeoJson { index: Option<usize>, reason: String },
    #[error("GeoJSON feature {index}: {kind} is not a district geometry (Polygon or MultiPolygon)")]
    UnsupportedGeometry { index: usize, kind: &'static str },
}

/// A WGS 84 position, longitude first.
///
/// `new` and deserialisation validate the ranges; the fields are public for
/// reading and pattern matching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawLonLat")]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

#[derive(Deserialize)]
struct RawLonLat {
    lon: f64,
    lat: f64,
}

impl TryFrom<RawLonLat> for LonLat {
    type Error = GeometryError;

    fn try_from(raw: RawLonLat) -> Result<Self, Self::Error> {
        LonLat::new(raw.lon, raw.lat)
    }
}

impl LonLat {
    /// Accepts finite longitudes in -180..=180 and latitudes in -90..=90.
    pub fn new(lon: f64, lat: f64) -> Result<Self, GeometryError> {
        if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
            Ok(Self { lon, lat })
        } else {
            Err(GeometryError::InvalidCoordinate { lon, lat })
        }
    }

    pub fn to_point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }

    fn coord(self) -> geo::Coord<f64> {
        geo::coord! { x: self.lon, y: self.lat }
    }
}

/// Great-circle distance in metres on the GRS80 mean-radius sphere.
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    Haversine.distance(a.to_point(), b.to_point())
}

/// A circle around a household within which a steward's check-in counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geofence {
    center: LonLat,
    radius_m: f64,
}

impl Geofence {
    pub fn new(center: LonLat, radius_m: f64) -> Result<Self, GeometryError> {
        if radius_m.is_finite() && radius_m >= 0.0 {
            Ok(Self { center, radius_m })
        } else {
            Err(GeometryError::InvalidRadius { radius_m })
        }
    }

    /// A geofence of [`DEFAULT_GEOFENCE_M`] around `center`.
    pub fn around(center: LonLat) -> Self {
        Self { center, radius_m: DEFAULT_GEOFENCE_M }
    }

    pub fn center(&self) -> LonLat {
        self.center
    }

    pub fn radius_m(&self) -> f64 {
        self.radius_m
    }

    pub fn distance_m(&self, p: LonLat) -> f64 {
        haversine_m(self.center, p)
    }

    /// The boundary counts as inside.
    pub fn contains(&self, p: LonLat) -> bool {
        self.distance_m(p) <= self.radius_m
    }
}

/// Checks that a district polygon can be trusted: at least one polygon, every
/// coordinate a valid longitude/latitude, and valid by OGC rules (closed rings
/// of at least three distinct points, no self-intersection, holes inside the
/// shell, parts not overlapping). `key` names the polygon in the error.
pub fn polygon_is_valid(key: &str, geometry: &MultiPolygon<f64>) -> Result<(), GeometryError> {
    polygon_problem(geometry)
        .map_or(Ok(()), |reason| Err(GeometryError::InvalidPolygon { key: key.to_owned(), reason }))
}

/// The first reason `geometry` is not a valid district, if any.
fn polygon_problem(geometry: &MultiPolygon<f64>) -> Option<String> {
    if geometry.0.is_empty() {
        return Some("it has no polygons".to_owned());
    }
    if let Some(i) = geometry.0.iter().position(|p| p.exterior().0.is_empty()) {
        return Some(format!("polygon at index {i} is empty"));
    }
    if let Some(c) = geometry.coords_iter().find(|c| LonLat::new(c.x, c.y).is_err()) {
        return Some(format!("coordinate ({}, {}) is not a valid longitude/latitude", c.x, c.y));
    }
    geometry.check_validation().err().map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Destination, LineString, MultiPolygon, Polygon, polygon};

    /// The point `distance_m` metres from `origin` on `bearing_deg`.
    fn offset(origin: LonLat, bearing_deg: f64, distance_m: f64) -> LonLat {
        let p = Haversine.destination(origin.to_point(), bearing_deg, distance_m);
        LonLat { lon: p.x(), lat: p.y() }
    }

    #[test]
    fn lon_lat_rejects_out_of_range_and_non_finite() {
        assert!(LonLat::new(180.0, -90.0).is_ok());
        for (lon, lat) in [(180.5, 0.0), (0.0, -90.1), (f64::NAN, 0.0), (0.0, f64::INFINITY)] {
            assert!(matches!(LonLat::new(lon, lat), Err(GeometryError::InvalidCoordinate { .. })));
        }
    }

    #[test]
    fn lon_lat_deserialisation_validates() {
        let ok: LonLat = serde_json::from_str(r#"{"lon":117.1,"lat":37.3}"#).unwrap();
        assert_eq!(ok, LonLat::new(117.1, 37.3).unwrap());
        assert!(serde_json::from_str::<LonLat>(r#"{"lon":37.3,"lat":117.1}"#).is_err());
    }

    #[test]
    fn one_degree_of_latitude_is_111_195_m() {
        // R·π/180 with R = 6 371 008.8 m.
        let d = haversine_m(LonLat::new(117.0, 36.0).unwrap(), LonLat::new(117.0, 37.0).unwrap());
        assert!((d - 111_195.08).abs() < 0.01, "{d}");
    }

    #[test]
    fn quancheng_square_to_jinan_west_station() {
        // Computed by hand with the haversine formula, R = 6 371 008.8 m.
        let square = LonLat::new(117.0216, 36.6616).unwrap();
        let station = LonLat::new(116.8906, 36.6701).unwrap();
        let d = haversine_m(square, station);
        assert!((d - 11_722.46).abs() < 0.01, "{d}");
        assert_eq!(d, haversine_m(station, square));
    }

    #[test]
    fn geofence_holds_149_m_and_not_151_m() {
        let home = LonLat::new(117.157232, 37.309041).unwrap();
        let fence = Geofence::around(home);
        assert_eq!(fence.radius_m(), DEFAULT_GEOFENCE_M);
        for bearing in [0.0, 90.0, 225.0] {
            let near = offset(home, bearing, 149.0);
            let far = offset(home, bearing, 151.0);
            assert!((fence.distance_m(near) - 149.0).abs() < 1e-6);
            assert!(fence.contains(near));
            assert!(!fence.contains(far));
        }
        assert!(fence.contains(home));
    }

    #[test]
    fn geofence_rejects_bad_radius() {
        let home = LonLat::new(117.0, 37.0).unwrap();
        assert!(Geofence::new(home, 0.0).is_ok());
        for r in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(Geofence::new(home, r), Err(GeometryError::InvalidRadius { .. })));
        }
    }

    #[test]
    fn polygon_validation_names_the_problem() {
        let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        assert_eq!(polygon_is_valid("ok", &square.into()), Ok(()));

        let bowtie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
        let too_few = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)];
        let nan = polygon![(x: 0.0, y: 0.0), (x: f64::NAN, y: 1.0), (x: 1.0, y: 0.0)];
        let off_earth = polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 91.0), (x: 1.0, y: 0.0)];
        let cases = [
            (MultiPolygon::from(bowtie), "self-intersect"),
            (too_few.into(), "at least 3 distinct points"),
            (nan.into(), "not a valid longitude/latitude"),
            (off_earth.into(), "not a valid longitude/latitude"),
            (MultiPolygon::new(vec![]), "no polygons"),
            (Polygon::new(LineString::new(vec![]), vec![]).into(), "polygon at index 0 is empty"),
        ];
        for (geometry, expected) in cases {
            match polygon_is_valid("D-7", &geometry) {
                Err(GeometryError::InvalidPolygon { key, reason }) => {
                    assert_eq!(key, "D-7");
                    assert!(reason.contains(expected), "{reason:?} lacks {expected:?}");
                }
                other => panic!("expected InvalidPolygon for {expected}, got {other:?}"),
            }
        }
    }
}

//! Districts and points in and out as GeoJSON (RFC 7946): longitude first,
//! exterior rings counter-clockwise and holes clockwise on the way out.

use geo::orient::{Direction, Orient};
use geo::{LineString, MultiPolygon, Polygon, coord};
use geojson::feature::Id;
use geojson::{Feature, FeatureCollection, GeoJson, Geometry, GeometryValue, JsonObject, JsonValue, Position};

use super::{GeometryError, LonLat};

/// A district as read from, or written to, a GeoJSON feature.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictFeature {
    /// The feature's `id`, else its `id` or `code` property.
    pub id: String,
    /// The `name` property.
    pub name: Option<String>,
    /// All the feature's properties as read.
    pub properties: JsonObject,
    /// A `Polygon` is promoted to a one-part `MultiPolygon`.
    pub geometry: MultiPolygon<f64>,
}

/// A point to write out, such as a household or a check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct PointFeature {
    pub id: String,
    pub at: LonLat,
    pub properties: JsonObject,
}

/// Reads the districts of a `FeatureCollection` (or of a single `Feature`).
///
/// The polygons are converted, not validated: check them with
/// [`polygon_is_valid`](super::polygon_is_valid) or
/// [`DistrictIndex::build`](super::DistrictIndex::build).
pub fn districts_from_geojson(text: &str) -> Result<Vec<DistrictFeature>, GeometryError> {
    let features = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(collection)) => collection.features,
        Ok(GeoJson::Feature(feature)) => vec![feature],
        Ok(GeoJson::Geometry(_)) => return Err(malformed(None, "expected a FeatureCollection, found a bare geometry")),
        Err(e) => return Err(malformed(None, e.to_string())),
    };
    features.into_iter().enumerate().map(|(index, feature)| district(index, feature)).collect()
}

fn district(index: usize, feature: Feature) -> Result<DistrictFeature, GeometryError> {
    let properties = feature.properties.unwrap_or_default();
    let id = match feature.id {
        Some(Id::String(id)) => Some(id),
        Some(Id::Number(id)) => Some(id.to_string()),
        None => ["id", "code"].into_iter().find_map(|k| match properties.get(k)? {
            JsonValue::String(id) => Some(id.clone()),
            JsonValue::Number(id) => Some(id.to_string()),
            _ => None,
        }),
    }
    .filter(|id| !id.trim().is_empty())
    .ok_or_else(|| malformed(Some(index), "the feature has no id, nor an id or code property"))?;
    let geometry = match feature.geometry.map(|g| g.value) {
        Some(GeometryValue::Polygon { coordinates }) => MultiPolygon::new(vec![polygon(index, &coordinates)?]),
        Some(GeometryValue::MultiPolygon { coordinates }) => {
            coordinates.iter().map(|p| polygon(index, p)).collect::<Result<_, _>>()?
        }
        Some(other) => return Err(GeometryError::UnsupportedGeometry { index, kind: other.type_name() }),
        None => return Err(malformed(Some(index), "the feature has no geometry")),
    };
    Ok(DistrictFeature {
        id,
        name: properties.get("name").and_then(JsonValue::as_str).map(str::to_owned),
        properties,
        geometry,
    })
}

/// The first ring is the shell, the rest are holes; a missing shell gives an
/// empty polygon for validation to reject.
fn polygon(index: usize, rings: &[Vec<Position>]) -> Result<Polygon<f64>, GeometryError> {
    let mut rings = rings.iter().map(|ring| {
        ring.iter()
            .map(|p| match p.as_slice() {
                [x, y, ..] => Ok(coord! { x: *x, y: *y }),
                _ => Err(malformed(Some(index), "a position has fewer than two coordinates")),
            })
            .collect::<Result<LineString<f64>, _>>()
    });
    let exterior = rings.next().transpose()?.unwrap_or_else(|| LineString::new(vec![]));
    Ok(Polygon::new(exterior, rings.collect::<Result<_, _>>()?))
}

fn malformed(index: Option<usize>, reason: impl Into<String>) -> GeometryError {
    GeometryError::GeoJson { index, reason: reason.into() }
}

impl From<DistrictFeature> for Feature {
    fn from(district: DistrictFeature) -> Self {
        let mut properties = district.properties;
        if let Some(name) = district.name {
            properties.insert("name".to_owned(), name.into());
        }
        Feature {
            bbox: None,
            geometry: Some(Geometry::from(&district.geometry.orient(Direction::Default))),
            id: Some(Id::String(district.id)),
            properties: Some(properties),
            foreign_members: None,
        }
    }
}

impl From<PointFeature> for Feature {
    fn from(point: PointFeature) -> Self {
        Feature {
            bbox: None,
            geometry: Some(Geometry::new_point([point.at.lon, point.at.lat])),
            id: Some(Id::String(point.id)),
            properties: Some(point.properties),
            foreign_members: None,
        }
    }
}

/// A `FeatureCollection` of districts or points, with its bounding box.
pub fn feature_collection<I>(items: I) -> FeatureCollection
where
    I: IntoIterator,
    I::Item: Into<Feature>,
{
    items.into_iter().map(Into::into).collect()
}

/// The compact GeoJSON text of [`feature_collection`].
pub fn to_geojson_string<I>(items: I) -> String
where
    I: IntoIterator,
    I::Item: Into<Feature>,
{
    // Serialising plain JSON values cannot fail, so `Display` cannot either.
    feature_collection(items).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{DistrictIndex, Placement, polygon_is_valid};
    use geo::{Area, Winding};

    const JINAN: &str = include_str!("../../../demo/data/jinan-districts.geojson");

    #[test]
    fn reads_the_ten_districts_of_jinan_and_finds_seven_invalid() {
        let districts = districts_from_geojson(JINAN).unwrap();
        assert_eq!(districts.len(), 10);
        let shanghe = districts.iter().find(|d| d.id == "370126").unwrap();
        assert_eq!(shanghe.name.as_deref(), Some("商河县"));
        assert_eq!(shanghe.geometry.0.len(), 1);
        // The source traces city borders with rings that touch or cross
        // themselves; only three counties are valid as published.
        let valid: Vec<&str> =
            districts.iter().filter(|d| polygon_is_valid(&d.id, &d.geometry).is_ok()).map(|d| d.id.as_str()).collect();
        assert_eq!(valid, ["370113", "370125", "370126"]);
    }

    #[test]
    fn the_label_point_of_shanghe_lies_in_shanghe() {
        let districts = districts_from_geojson(JINAN).unwrap();
        let all: Vec<_> = districts.into_iter().map(|d| (d.id, d.geometry)).collect();
        let err = DistrictIndex::build(all.clone()).unwrap_err();
        assert!(matches!(err, GeometryError::InvalidPolygon { ref key, .. } if key == "370102"), "{err:?}");

        let valid = all.into_iter().filter(|(id, g)| polygon_is_valid(id, g).is_ok()).collect();
        let index = DistrictIndex::build(valid).unwrap();
        let label = LonLat::new(117.157232, 37.309041).unwrap();
        assert_eq!(index.locate(label), Placement::Inside("370126".to_owned()));
        let beijing = LonLat::new(116.397, 39.908).unwrap();
        assert_eq!(index.locate(beijing), Placement::Outside);
    }

    #[test]
    fn round_trip_keeps_ids_and_writes_counter_clockwise_shells() {
        let districts = districts_from_geojson(JINAN).unwrap();
        // The source winds its shells clockwise, against RFC 7946.
        assert!(districts.iter().all(|d| d.geometry.0[0].exterior().is_cw()));
        let text = to_geojson_string(districts.clone());
        let back = districts_from_geojson(&text).unwrap();
        let ids = |ds: &[DistrictFeature]| ds.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&back), ids(&districts));
        assert_eq!(back[8].name.as_deref(), Some("商河县"));
        assert_eq!(back[8].properties.get("cp"), districts[8].properties.get("cp"));
        for (d, original) in back.iter().zip(&districts) {
            assert!(d.geometry.0.iter().all(|p| p.exterior().is_ccw()), "{} is not CCW", d.id);
            assert_eq!(d.geometry.unsigned_area(), original.geometry.unsigned_area());
        }
        // Longitude is written first.
        let first = back[8].geometry.0[0].exterior().0[0];
        assert!((116.0..118.0).contains(&first.x) && (37.0..38.0).contains(&first.y));
    }

    #[test]
    fn points_are_written_longitude_first() {
        let point =
            PointFeature { id: "h-1".to_owned(), at: LonLat::new(117.1, 37.3).unwrap(), properties: JsonObject::new() };
        let text = to_geojson_string([point]);
        assert!(text.contains(r#""coordinates":[117.1,37.3]"#), "{text}");
        assert!(text.contains(r#""id":"h-1""#), "{text}");
    }

    fn collection(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;

    #[test]
    fn ids_come_from_the_feature_or_its_properties() {
        let text = collection(&format!(
            r#"{{"type":"Feature","id":7,"properties":{{}},"geometry":{SQUARE}}},
               {{"type":"Feature","properties":{{"code":"B2","name":"乙"}},"geometry":{SQUARE}}},
               {{"type":"Feature","properties":{{"id":"C3","code":"x"}},"geometry":{SQUARE}}}"#
        ));
        let districts = districts_from_geojson(&text).unwrap();
        assert_eq!(districts.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["7", "B2", "C3"]);
        assert_eq!(districts[1].name.as_deref(), Some("乙"));
        assert_eq!(districts[1].properties.get("code"), Some(&JsonValue::from("B2")));
    }

    #[test]
    fn errors_name_the_feature() {
        let line = r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#;
        let cases = [
            (
                collection(&format!(
                    r#"{{"type":"Feature","id":"a","properties":{{}},"geometry":{SQUARE}}},{{"type":"Feature","id":"b","properties":{{}},"geometry":{line}}}"#
                )),
                GeometryError::UnsupportedGeometry { index: 1, kind: "LineString" },
            ),
            (
                collection(&format!(r#"{{"type":"Feature","properties":{{"name":"无号"}},"geometry":{SQUARE}}}"#)),
                malformed(Some(0), "the feature has no id, nor an id or code property"),
            ),
            (
                collection(r#"{"type":"Feature","id":"a","properties":{},"geometry":null}"#),
                malformed(Some(0), "the feature has no geometry"),
            ),
            (
                collection(
                    r#"{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}}"#,
                ),
                malformed(Some(0), "a position has fewer than two coordinates"),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(districts_from_geojson(&text), Err(expected));
        }
        assert!(matches!(districts_from_geojson("{not json"), Err(GeometryError::GeoJson { index: None, .. })));
        assert!(matches!(districts_from_geojson(SQUARE), Err(GeometryError::GeoJson { index: None, .. })));
    }
}

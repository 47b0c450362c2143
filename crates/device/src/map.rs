//! The district map (片区地图): what the device knows about places, as
//! layers the UI draws — district boundaries, communities, buildings and
//! open tickets — and the map's tile setting. Nothing here needs a network:
//! with no tile URL the UI draws the layers on a plain background.

use serde::Serialize;
use serde_json::Value;
use steward_store::{DistrictRow, MapPlaces};
use ts_rs::TS;

use crate::{Device, DeviceError};

/// The `meta` key holding the map's tile URL template (empty: no tiles).
pub const TILE_URL_KEY: &str = "map.tile_url";

/// The longest tile URL template accepted.
const MAX_TILE_URL: usize = 512;

/// Why a map call failed: `{code, message}` for the UI.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("a tile URL is an http(s) template with {{z}}, {{x}} and {{y}}, got {0:?}")]
    BadTileUrl(String),
}

impl From<steward_store::StoreError> for MapError {
    fn from(e: steward_store::StoreError) -> Self {
        MapError::Device(DeviceError::Store(e))
    }
}

impl MapError {
    /// A stable code the UI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            MapError::Device(e) => e.code(),
            MapError::BadTileUrl(_) => "bad_tile_url",
        }
    }
}

/// A `[longitude, latitude]` pair (WGS 84, GeoJSON order).
pub type LonLatDto = [f64; 2];

/// A district (片区) with its boundary as polygons of rings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapDistrictDto {
    pub id: String,
    pub code: String,
    pub name: String,
    /// Whether the signed-in user is this district's steward.
    pub mine: bool,
    /// Polygons, each a list of rings (the outer ring first), each ring a
    /// list of `[lon, lat]`. Empty when the boundary is unknown.
    pub polygons: Vec<Vec<Vec<LonLatDto>>>,
}

/// A community (小区) as a point.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapCommunityDto {
    pub id: String,
    pub name: String,
    pub district_id: String,
    pub lon: f64,
    pub lat: f64,
}

/// A building (楼) as a point.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapBuildingDto {
    pub id: String,
    pub community_id: String,
    /// `3号楼`.
    pub label: String,
    pub lon: f64,
    pub lat: f64,
    pub household_count: u32,
    pub suspended_count: u32,
}

/// An open ticket (工单) at its building. The UI colours it by the SLA from
/// `due_at` and its own clock, so the colour changes with no network.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapTicketDto {
    pub id: String,
    pub household_id: String,
    pub category: String,
    pub status: String,
    pub assignee: Option<String>,
    pub reported_at: String,
    pub due_at: String,
    pub address: String,
    pub lon: f64,
    pub lat: f64,
}

/// Everything the district map draws.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapViewDto {
    pub districts: Vec<MapDistrictDto>,
    pub communities: Vec<MapCommunityDto>,
    pub buildings: Vec<MapBuildingDto>,
    pub tickets: Vec<MapTicketDto>,
    /// The tile URL template (`https://…/{z}/{x}/{y}.png`); empty: no tiles.
    pub tile_url: String,
    /// The device's own location fix, when it has one (a phone's GPS).
    pub position: Option<crate::dto::LocationFixDto>,
}

impl Device {
    /// The map layers from what the device holds.
    pub fn map_view(&self) -> Result<MapViewDto, MapError> {
        let store = self.store();
        let me = store.meta(steward_store::meta_keys::STEWARD_ID)?;
        let districts = store.districts()?;
        let places = store.map_places()?;
        let tile_url = store.meta(TILE_URL_KEY)?.unwrap_or_default();
        drop(store);
        Ok(MapViewDto {
            districts: districts.iter().map(|row| district_dto(row, me.as_deref())).collect(),
            communities: places
                .communities
                .iter()
                .map(|c| MapCommunityDto {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    district_id: c.district_id.to_string(),
                    lon: c.lon,
                    lat: c.lat,
                })
                .collect(),
            buildings: places
                .buildings
                .iter()
                .map(|b| MapBuildingDto {
                    id: b.id.to_string(),
                    community_id: b.community_id.to_string(),
                    label: format!("{}号楼", b.number),
                    lon: b.lon,
                    lat: b.lat,
                    household_count: b.household_count,
                    suspended_count: b.suspended_count,
                })
                .collect(),
            tickets: tickets(&places),
            tile_url,
            position: self.location_fix_dto(),
        })
    }

    /// The map's tile URL template; empty when the map draws no tiles.
    pub fn map_tile_url(&self) -> Result<String, MapError> {
        Ok(self.store().meta(TILE_URL_KEY)?.unwrap_or_default())
    }

    /// Sets the map's tile URL template (`https://tiles.example/{z}/{x}/{y}.png`);
    /// an empty one turns tiles off. Returns the stored value.
    pub fn set_map_tile_url(&self, url: &str) -> Result<String, MapError> {
        let url = check_tile_url(url)?;
        self.store().set_meta(TILE_URL_KEY, &url)?;
        Ok(url)
    }
}

/// Checks a tile URL template: empty, or http(s) with `{z}`, `{x}` and `{y}`.
pub fn check_tile_url(url: &str) -> Result<String, MapError> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(String::new());
    }
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    let placeholders_ok = ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
    let printable = url.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '"' && c != '<' && c != '>');
    if !scheme_ok || !placeholders_ok || !printable || url.len() > MAX_TILE_URL {
        return Err(MapError::BadTileUrl(url.chars().take(80).collect()));
    }
    Ok(url.to_owned())
}

fn tickets(places: &MapPlaces) -> Vec<MapTicketDto> {
    places
        .open_tickets
        .iter()
        .map(|t| MapTicketDto {
            id: t.ticket.id().to_string(),
            household_id: t.ticket.household_id().to_string(),
            category: t.ticket.category().code().to_owned(),
            status: t.ticket.status().code().to_owned(),
            assignee: t.ticket.assignee().map(|a| a.to_string()),
            reported_at: t.ticket.reported_at().to_string(),
            due_at: t.ticket.due_at().to_string(),
            address: t.address.clone(),
            lon: t.lon,
            lat: t.lat,
        })
        .collect()
}

fn district_dto(row: &DistrictRow, me: Option<&str>) -> MapDistrictDto {
    let d = &row.district;
    MapDistrictDto {
        id: d.id.to_string(),
        code: d.code.clone(),
        name: d.name.clone(),
        mine: me.is_some_and(|me| d.steward_id.is_some_and(|s| s.to_string() == me)),
        polygons: row.boundary_geojson.as_deref().map(polygons_of).unwrap_or_default(),
    }
}

/// The polygons of a GeoJSON geometry text (`Polygon` or `MultiPolygon`,
/// also inside a `Feature`); anything else or unreadable gives none.
pub fn polygons_of(geojson: &str) -> Vec<Vec<Vec<LonLatDto>>> {
    let Ok(value) = serde_json::from_str::<Value>(geojson) else { return Vec::new() };
    let geometry = match value.get("type").and_then(Value::as_str) {
        Some("Feature") => value.get("geometry").cloned().unwrap_or(Value::Null),
        _ => value,
    };
    let coords = geometry.get("coordinates");
    match (geometry.get("type").and_then(Value::as_str), coords) {
        (Some("Polygon"), Some(c)) => polygon(c).into_iter().collect(),
        (Some("MultiPolygon"), Some(Value::Array(ps))) => ps.iter().filter_map(polygon).collect(),
        _ => Vec::new(),
    }
}

fn polygon(value: &Value) -> Option<Vec<Vec<LonLatDto>>> {
    let rings: Vec<Vec<LonLatDto>> = value.as_array()?.iter().filter_map(ring).collect();
    (!rings.is_empty()).then_some(rings)
}

fn ring(value: &Value) -> Option<Vec<LonLatDto>> {
    let points: Vec<LonLatDto> = value
        .as_array()?
        .iter()
        .filter_map(|p| {
            let p = p.as_array()?;
            let (lon, lat) = (p.first()?.as_f64()?, p.get(1)?.as_f64()?);
            (lon.is_finite() && lat.is_finite()).then_some([lon, lat])
        })
        .collect();
    (points.len() >= 3).then_some(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_and_multipolygons_become_rings() {
        let square = "[[117.1,37.3],[117.2,37.3],[117.2,37.4],[117.1,37.3]]";
        let poly = format!(r#"{{"type":"Polygon","coordinates":[{square}]}}"#);
        assert_eq!(polygons_of(&poly), vec![vec![vec![[117.1, 37.3], [117.2, 37.3], [117.2, 37.4], [117.1, 37.3]]]]);
        let multi = format!(r#"{{"type":"MultiPolygon","coordinates":[[{square}],[{square}]]}}"#);
        assert_eq!(polygons_of(&multi).len(), 2);
        let feature = format!(r#"{{"type":"Feature","geometry":{poly},"properties":{{}}}}"#);
        assert_eq!(polygons_of(&feature).len(), 1);
    }

    #[test]
    fn unreadable_geometry_gives_no_polygons() {
        assert!(polygons_of("not json").is_empty());
        assert!(polygons_of(r#"{"type":"Point","coordinates":[1,2]}"#).is_empty());
        assert!(polygons_of(r#"{"type":"Polygon","coordinates":[[[1,2],[3,4]]]}"#).is_empty(), "a ring needs 3 points");
    }

    #[test]
    fn tile_urls_are_checked() {
        assert_eq!(check_tile_url("  ").unwrap(), "");
        let ok = "https://tiles.example/{z}/{x}/{y}.png";
        assert_eq!(check_tile_url(ok).unwrap(), ok);
        for bad in [
            "ftp://x/{z}/{x}/{y}",
            "https://tiles.example/{z}/{x}.png",
            "https://a b/{z}/{x}/{y}",
            "javascript:{z}{x}{y}",
        ] {
            assert_eq!(check_tile_url(bad).unwrap_err().code(), "bad_tile_url", "{bad}");
        }
    }
}

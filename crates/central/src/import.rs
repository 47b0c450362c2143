//! Imports of the utility's registers: district boundaries (GeoJSON) and
//! households (CSV). Each import is one transaction: one bad feature or row
//! rejects the whole file, naming its line and the reason.

use std::collections::HashMap;

use jiff::Timestamp;
use steward_domain::geometry::{
    DistrictFeature, DistrictIndex, LonLat, Placement, districts_from_geojson, to_geojson_string,
};
use steward_domain::ground::{
    AccountNo, AreaM2, Building, Community, District, HeatingStatus, Household, PhoneNumber, Unit, ValveState,
    required_text,
};
use steward_domain::ids::{BuildingId, CommunityId, DistrictId, HouseholdId, TeamId, UnitId};

use crate::auth::random10;
use crate::store::{ChangeRecord, HouseholdImport, HouseholdRow, Store, StoreError, Tx, millis};

/// The columns of the household register, in order.
pub const HOUSEHOLD_COLUMNS: [&str; 11] = [
    "account_no",
    "community",
    "building",
    "unit",
    "room",
    "resident_name",
    "phone",
    "heated_area_m2",
    "status",
    "lon",
    "lat",
];

/// Why an import was rejected; nothing of the file was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    fn line(line: u64, message: impl Into<String>) -> Self {
        ImportError::Line { line, message: message.into() }
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
}

fn change(
    kind: &'static str,
    id: String,
    district: DistrictId,
    prev: Option<DistrictId>,
    doc: serde_json::Value,
    now: Timestamp,
) -> ChangeRecord {
    ChangeRecord {
        kind,
        entity_id: id,
        district_id: Some(district),
        assignee: None,
        prev_district_id: prev,
        prev_assignee: None,
        doc,
        at_ms: millis(now),
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, ImportError> {
    serde_json::to_value(v).map_err(|e| ImportError::Store(e.into()))
}

/// The feed document of a district: the record and its boundary.
pub fn district_doc(d: &District, boundary: Option<&str>) -> serde_json::Value {
    let mut doc = serde_json::to_value(d).unwrap_or_default();
    if let (Some(obj), Some(b)) = (doc.as_object_mut(), boundary) {
        obj.insert("boundary".into(), serde_json::from_str(b).unwrap_or_default());
    }
    doc
}

/// Writes a district with its boundary (a one-feature GeoJSON collection)
/// and its change-feed entry.
pub fn put_district(tx: &Tx<'_>, d: &District, boundary: Option<&str>, now: Timestamp) -> Result<(), StoreError> {
    tx.put_district(d, boundary)?;
    tx.append_change(&change("district", d.id.to_string(), d.id, Some(d.id), district_doc(d, boundary), now))?;
    Ok(())
}

/// The one-feature GeoJSON text kept as a district's boundary.
pub fn boundary_text(feature: &DistrictFeature) -> String {
    to_geojson_string([feature.clone()])
}

/// Imports districts from a GeoJSON FeatureCollection. A feature's id (or
/// `code` property) is the district code; an existing code gets the new
/// boundary and name. A new district needs a `steward` property (a
/// username, whose team it joins) or a `team_id`.
pub fn import_districts(store: &Store, text: &str, now: Timestamp) -> Result<ImportReport, ImportError> {
    let features = districts_from_geojson(text).map_err(|e| ImportError::File(e.to_string()))?;
    if features.is_empty() {
        return Err(ImportError::File("the file has no features".into()));
    }
    DistrictIndex::build(features.iter().map(|f| (f.id.clone(), f.geometry.clone())).collect())
        .map_err(|e| ImportError::File(e.to_string()))?;
    store.write_blocking(move |tx| {
        let mut report = ImportReport::default();
        for (i, f) in features.iter().enumerate() {
            let at = |m: String| ImportError::File(format!("feature {i} ({}): {m}", f.id));
            let prop = |k: &str| f.properties.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let steward = match prop("steward") {
                Some(u) => Some(tx.db().staff_by_username(&u)?.ok_or_else(|| at(format!("no staff named {u:?}")))?),
                None => None,
            };
            let team: Option<TeamId> = match prop("team_id") {
                Some(t) => Some(t.parse().map_err(|_| at(format!("team_id {t:?} is not a UUID")))?),
                None => steward.as_ref().and_then(|s| s.team_id),
            };
            let existing = tx.district_by_code(&f.id)?;
            let district = match existing {
                Some(mut d) => {
                    report.updated += 1;
                    if let Some(name) = &f.name {
                        d.name = name.clone();
                    }
                    if let Some(s) = &steward {
                        d.steward_id = Some(s.id);
                    }
                    if let Some(t) = team {
                        d.team_id = t;
                    }
                    d
                }
                None => {
                    report.created += 1;
                    District {
                        id: DistrictId::new_v7(now, random10()),
                        code: f.id.clone(),
                        name: f.name.clone().unwrap_or_else(|| f.id.clone()),
                        team_id: team
                            .ok_or_else(|| at("a new district needs a `steward` or `team_id` property".into()))?,
                        steward_id: steward.as_ref().map(|s| s.id),
                    }
                }
            };
            put_district(tx, &district, Some(&boundary_text(f)), now)?;
        }
        tx.audit(millis(now), None, None, "import.districts", "district", None, Some(&format!("{report:?}")))?;
        Ok(report)
    })
}

/// The district index of the stored boundaries.
fn stored_index(tx: &Tx<'_>) -> Result<DistrictIndex<DistrictId>, ImportError> {
    let mut parts = Vec::new();
    for (id, code, boundary) in tx.db().district_boundaries()? {
        let Some(text) = boundary else { continue };
        let feature = districts_from_geojson(&text)
            .ok()
            .and_then(|f| f.into_iter().next())
            .ok_or_else(|| ImportError::File(format!("the stored boundary of district {code} is unreadable")))?;
        parts.push((id, feature.geometry));
    }
    if parts.is_empty() {
        return Err(ImportError::File("no district has a boundary: import districts first".into()));
    }
    DistrictIndex::build(parts).map_err(|e| ImportError::File(e.to_string()))
}

/// A number such as `3`, `3号楼`, `3号`, `3单元`.
fn number(field: &str, value: &str) -> Result<u32, String> {
    let digits =
        value.trim().trim_end_matches(['号', '楼', '栋', '幢']).trim_end_matches("单元").trim_end_matches('号');
    digits.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| format!("{field} {value:?} is not a number"))
}

fn parse_f64(field: &str, value: &str) -> Result<f64, String> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{field} {value:?} is not a number"))
}

/// Imports the household register (CSV with [`HOUSEHOLD_COLUMNS`]). Each
/// household gets its district by point in polygon; communities, buildings
/// and units are created as named. An account number already stored is
/// updated in place.
pub fn import_households(store: &Store, csv_text: &str, now: Timestamp) -> Result<ImportReport, ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(csv_text.as_bytes());
    let headers = reader.headers().map_err(|e| ImportError::line(1, format!("header: {e}")))?.clone();
    let got: Vec<&str> = headers.iter().map(str::trim).collect();
    if got != HOUSEHOLD_COLUMNS {
        return Err(ImportError::line(1, format!("the header must be {}", HOUSEHOLD_COLUMNS.join(","))));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ImportError::line(line, format!("not a CSV row of {} columns: {e}", HOUSEHOLD_COLUMNS.len()))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record));
    }
    if rows.is_empty() {
        return Err(ImportError::File("the file has no rows".into()));
    }
    store.write_blocking(move |tx| {
        let index = stored_index(tx)?;
        let db = tx.db();
        let mut report = ImportReport::default();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut communities: HashMap<String, Community> = HashMap::new();
        for (line, r) in &rows {
            let line = *line;
            let bad = |m: String| ImportError::line(line, m);
            let field = |i: usize| r.get(i).unwrap_or("").trim();
            let account = AccountNo::parse(field(0)).map_err(|e| bad(e.to_string()))?;
            if let Some(first) = seen.insert(account.to_string(), line) {
                return Err(bad(format!("account number {account} repeats line {first}")));
            }
            let community_name = required_text("community", field(1), 64).map_err(|e| bad(e.to_string()))?;
            let building_no = number("building", field(2)).map_err(bad)?;
            let unit_no = number("unit", field(3)).map_err(bad)?;
            let room = required_text("room", field(4).trim_end_matches('室'), 16).map_err(|e| bad(e.to_string()))?;
            let resident_name = required_text("resident_name", field(5), 64).map_err(|e| bad(e.to_string()))?;
            let phone = PhoneNumber::parse(field(6)).map_err(|e| bad(e.to_string()))?;
            let area =
                AreaM2::parse(parse_f64("heated_area_m2", field(7)).map_err(bad)?).map_err(|e| bad(e.to_string()))?;
            let status = HeatingStatus::from_code(field(8)).ok_or_else(|| {
                bad(format!("status {:?} is not one of active, suspended, new, disconnected", field(8)))
            })?;
            let lon = parse_f64("lon", field(9)).map_err(bad)?;
            let lat = parse_f64("lat", field(10)).map_err(bad)?;
            let at = LonLat::new(lon, lat).map_err(|e| bad(e.to_string()))?;
            let district = match index.locate(at) {
                Placement::Inside(d) => d,
                Placement::Outside => return Err(bad(format!("the point ({lon}, {lat}) is inside no district"))),
                Placement::Ambiguous(_) => {
                    return Err(bad(format!("the point ({lon}, {lat}) is on the border of two districts")));
                }
            };
            let community = match communities.get(&community_name) {
                Some(c) => c.clone(),
                None => {
                    let c = match tx.community_by_name(&community_name)? {
                        Some(c) => c,
                        None => {
                            let c = Community {
                                id: CommunityId::new_v7(now, random10()),
                                name: community_name.clone(),
                                district_id: district,
                                station_id: None,
                                location: at,
                            };
                            tx.put_community(&c)?;
                            tx.append_change(&change(
                                "community",
                                c.id.to_string(),
                                district,
                                None,
                                to_value(&c)?,
                                now,
                            ))?;
                            c
                        }
                    };
                    communities.insert(community_name.clone(), c.clone());
                    c
                }
            };
            let building = match tx.building_by_number(community.id, building_no)? {
                Some(b) => b,
                None => {
                    let b = Building {
                        id: BuildingId::new_v7(now, random10()),
                        community_id: community.id,
                        number: building_no,
                        location: at,
                    };
                    tx.put_building(&b)?;
                    tx.append_change(&change(
                        "building",
                        b.id.to_string(),
                        community.district_id,
                        None,
                        to_value(&b)?,
                        now,
                    ))?;
                    b
                }
            };
            let unit = match tx.unit_by_number(building.id, unit_no)? {
                Some(u) => u,
                None => {
                    let u = Unit { id: UnitId::new_v7(now, random10()), building_id: building.id, number: unit_no };
                    tx.put_unit(&u)?;
                    tx.append_change(&change(
                        "unit",
                        u.id.to_string(),
                        community.district_id,
                        None,
                        to_value(&u)?,
                        now,
                    ))?;
                    u
                }
            };
            let previous = db.household_by_account(account.as_str())?;
            let (id, valve, prev_district) = match &previous {
                Some(p) => {
                    report.updated += 1;
                    (p.household.id, p.household.valve.clone(), Some(p.household.district_id))
                }
                None => {
                    report.created += 1;
                    let valve = if status == HeatingStatus::Active { ValveState::Open } else { ValveState::Closed };
                    (HouseholdId::new_v7(now, random10()), valve, None)
                }
            };
            let household = Household {
                id,
                account_no: account,
                district_id: district,
                community_id: community.id,
                building_id: building.id,
                unit_id: unit.id,
                room,
                resident_name,
                phone,
                heated_area: area,
                status,
                valve,
            };
            tx.put_household(HouseholdImport {
                household: &household,
                community_name: &community.name,
                location: Some(at),
            })
            .map_err(|e| bad(e.to_string()))?;
            let row = HouseholdRow {
                household,
                community_name: community.name.clone(),
                building_no,
                unit_no,
                location: Some(at),
            };
            let record = crate::service::household_change(&row, prev_district, now)
                .map_err(|_| ImportError::File("could not write the change feed".into()))?;
            tx.append_change(&record)?;
        }
        tx.audit(millis(now), None, None, "import.households", "household", None, Some(&format!("{report:?}")))?;
        Ok(report)
    })
}

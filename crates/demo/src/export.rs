//! The data set as the central server imports it: households as CSV,
//! districts as GeoJSON, and a summary of counts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::orient::{Direction, Orient};
use jiff::Timestamp;
use serde::Serialize;
use steward_domain::geometry::{DistrictFeature, to_geojson_string};
use steward_domain::ids::DistrictId;
use steward_domain::org::Role;
use steward_domain::ticket::TicketAction;

use crate::DemoDataset;

/// The header of the central household import: UTF-8, one household a row,
/// `building` and `unit` as numbers (`1` for 1号楼), `room` as in `301`,
/// `status` a `HeatingStatus` code, `lon`/`lat` the building's WGS 84
/// position.
pub const HOUSEHOLDS_CSV_HEADER: &str =
    "account_no,community,building,unit,room,resident_name,phone,heated_area_m2,status,lon,lat";

/// Counts that describe a data set, for logs, tests and `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoSummary {
    pub seed: u64,
    pub households_target: usize,
    pub as_of: Timestamp,
    pub teams: usize,
    pub staff: usize,
    pub stewards: usize,
    pub districts: usize,
    pub stations: usize,
    pub communities: usize,
    pub buildings: usize,
    pub units: usize,
    pub households: usize,
    pub households_by_status: BTreeMap<&'static str, usize>,
    pub valves: BTreeMap<&'static str, usize>,
    pub tickets: usize,
    pub tickets_by_category: BTreeMap<&'static str, usize>,
    pub tickets_by_status: BTreeMap<&'static str, usize>,
    /// Tickets not yet resolved, closed or cancelled at `as_of`.
    pub tickets_open: usize,
    /// Tickets whose steward has arrived, and of those the ones that
    /// arrived after the 30-minute due time.
    pub arrivals: usize,
    pub arrivals_late: usize,
    /// Open tickets with no arrival that are past due at `as_of`.
    pub open_overdue: usize,
    pub visits: usize,
    /// Inspection records by kind, over all visits.
    pub visit_records: BTreeMap<&'static str, usize>,
    pub first_account: String,
    pub last_account: String,
}

impl DemoDataset {
    pub fn summary(&self) -> DemoSummary {
        let mut by_status = BTreeMap::new();
        let mut valves = BTreeMap::new();
        for h in &self.households {
            *by_status.entry(h.status.code()).or_insert(0) += 1;
            *valves.entry(h.valve.code()).or_insert(0) += 1;
        }
        let mut by_category = BTreeMap::new();
        let mut by_ticket_status = BTreeMap::new();
        let (mut arrivals, mut late, mut overdue) = (0, 0, 0);
        for t in &self.tickets {
            *by_category.entry(t.ticket.category().code()).or_insert(0) += 1;
            *by_ticket_status.entry(t.ticket.status().code()).or_insert(0) += 1;
            match t.events.iter().find(|e| matches!(e.action, TicketAction::Arrive { .. })) {
                Some(arrival) => {
                    arrivals += 1;
                    late += usize::from(arrival.at > t.ticket.due_at());
                }
                None if t.ticket.status().is_open() && t.ticket.due_at() < self.config.as_of => overdue += 1,
                None => {}
            }
        }
        let mut records = BTreeMap::new();
        for r in self.visits.iter().flat_map(|v| v.records()) {
            *records.entry(r.kind()).or_insert(0) += 1;
        }
        let account = |h: Option<&steward_domain::ground::Household>| h.map(|h| h.account_no.to_string());
        DemoSummary {
            seed: self.config.seed,
            households_target: self.config.households,
            as_of: self.config.as_of,
            teams: self.teams.len(),
            staff: self.staff.len(),
            stewards: self.staff.iter().filter(|s| s.role == Role::Steward).count(),
            districts: self.districts.len(),
            stations: self.stations.len(),
            communities: self.communities.len(),
            buildings: self.buildings.len(),
            units: self.units.len(),
            households: self.households.len(),
            households_by_status: by_status,
            valves,
            tickets: self.tickets.len(),
            tickets_by_category: by_category,
            tickets_open: self.tickets.iter().filter(|t| t.ticket.status().is_open()).count(),
            tickets_by_status: by_ticket_status,
            arrivals,
            arrivals_late: late,
            open_overdue: overdue,
            visits: self.visits.len(),
            visit_records: records,
            first_account: account(self.households.first()).unwrap_or_default(),
            last_account: account(self.households.last()).unwrap_or_default(),
        }
    }

    /// All households in the central import format, header first
    /// (see [`HOUSEHOLDS_CSV_HEADER`]).
    pub fn to_households_csv(&self) -> String {
        let lookup = self.lookup();
        let mut out = String::with_capacity(self.households.len() * 96 + 128);
        out.push_str(HOUSEHOLDS_CSV_HEADER);
        out.push('\n');
        for h in &self.households {
            // Invariant: every household's community, building and unit are
            // in the data set; the generator makes them before it.
            let (Some(community), Some(building), Some(unit)) = (
                lookup.communities.get(&h.community_id),
                lookup.buildings.get(&h.building_id),
                lookup.units.get(&h.unit_id),
            ) else {
                continue;
            };
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{:.2},{},{:.6},{:.6}",
                h.account_no,
                csv_field(&community.name),
                building.number,
                unit.number,
                csv_field(&h.room),
                csv_field(&h.resident_name),
                h.phone,
                h.heated_area.get(),
                h.status.code(),
                building.location.lon,
                building.location.lat,
            );
        }
        out
    }

    /// The districts as an RFC 7946 FeatureCollection: each feature's `id`
    /// is the district code (`SH-01`), with `name`, `code`, `district_id`,
    /// `team`, `steward` (username) and `steward_name` properties.
    pub fn districts_geojson(&self) -> String {
        let features = self.districts.iter().zip(&self.boundaries).map(|(d, (_, geometry))| {
            let steward = self.steward_of_district(d.id);
            let team = self.teams.iter().find(|t| t.id == d.team_id);
            let mut properties = serde_json::Map::new();
            properties.insert("code".into(), d.code.clone().into());
            properties.insert("district_id".into(), d.id.to_string().into());
            properties.insert("team".into(), team.map(|t| t.name.clone()).into());
            properties.insert("steward".into(), steward.map(|s| s.username.clone()).into());
            properties.insert("steward_name".into(), steward.map(|s| s.display_name.clone()).into());
            DistrictFeature { id: d.code.clone(), name: Some(d.name.clone()), properties, geometry: geometry.clone() }
        });
        to_geojson_string(features)
    }

    /// One district's boundary as an RFC 7946 GeoJSON geometry (a
    /// `MultiPolygon`, shells counter-clockwise); `None` for an unknown id.
    pub fn boundary_geojson(&self, id: DistrictId) -> Option<String> {
        let (_, geometry) = self.boundaries.iter().find(|(d, _)| *d == id)?;
        Some(geojson::Geometry::from(&geometry.orient(Direction::Default)).to_string())
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")).into() } else { s.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("鑫隆帝景城"), "鑫隆帝景城");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn the_header_has_eleven_columns() {
        assert_eq!(HOUSEHOLDS_CSV_HEADER.split(',').count(), 11);
    }
}

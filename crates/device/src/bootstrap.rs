//! The first start of a demo device: the slice of the demo data set that a
//! steward's device holds — their districts, the ground in them, their team,
//! and the tickets assigned to them. Later the sync engine brings the same
//! slice from the central server.

use std::collections::HashSet;

use steward_demo::DemoDataset;
use steward_domain::ids::UserId;
use steward_store::GroundSnapshot;

/// The part of `ds` that `steward`'s device holds.
pub fn snapshot_for_steward(ds: &DemoDataset, steward: UserId) -> GroundSnapshot {
    let team = ds.staff.iter().find(|s| s.id == steward).and_then(|s| s.team_id);
    let districts: Vec<_> = ds.districts.iter().filter(|d| d.steward_id == Some(steward)).cloned().collect();
    let district_ids: HashSet<_> = districts.iter().map(|d| d.id).collect();
    let communities: Vec<_> =
        ds.communities.iter().filter(|c| district_ids.contains(&c.district_id)).cloned().collect();
    let community_ids: HashSet<_> = communities.iter().map(|c| c.id).collect();
    let station_ids: HashSet<_> = communities.iter().filter_map(|c| c.station_id).collect();
    let buildings: Vec<_> = ds.buildings.iter().filter(|b| community_ids.contains(&b.community_id)).cloned().collect();
    let building_ids: HashSet<_> = buildings.iter().map(|b| b.id).collect();
    let households: Vec<_> = ds.households.iter().filter(|h| district_ids.contains(&h.district_id)).cloned().collect();
    let household_ids: HashSet<_> = households.iter().map(|h| h.id).collect();
    GroundSnapshot {
        teams: ds.teams.iter().filter(|t| Some(t.id) == team).cloned().collect(),
        staff: ds.staff.iter().filter(|s| s.id == steward || (team.is_some() && s.team_id == team)).cloned().collect(),
        boundaries: districts.iter().filter_map(|d| Some((d.id, ds.boundary_geojson(d.id)?))).collect(),
        districts,
        stations: ds.stations.iter().filter(|s| station_ids.contains(&s.id)).cloned().collect(),
        communities,
        units: ds.units.iter().filter(|u| building_ids.contains(&u.building_id)).cloned().collect(),
        buildings,
        tickets: ds
            .tickets
            .iter()
            .filter(|t| t.ticket.assignee() == Some(steward) && household_ids.contains(&t.ticket.household_id()))
            .map(|t| (t.ticket.clone(), t.events.clone()))
            .collect(),
        visits: ds.visits.iter().filter(|v| household_ids.contains(&v.household_id())).cloned().collect(),
        households,
    }
}

//! Loads the 商河 demo data set (the `steward-demo` crate) into the store,
//! with a login account for every member of staff.

use std::collections::HashMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use steward_demo::{DemoConfig, DemoDataset};
use steward_domain::geometry::{DistrictFeature, to_geojson_string};
use steward_domain::ids::{BuildingId, CommunityId, DistrictId};

use crate::auth::{PasswordPolicy, hash_password};
use crate::error::AppError;
use crate::import::put_district;
use crate::json::TicketDto;
use crate::service::household_change;
use crate::store::{ChangeRecord, HouseholdImport, HouseholdRow, SEEDED_POSITION, Store, TicketRow, Tx, millis};

/// Generates the default demo data set and loads it into an empty store.
/// Every account gets `password`. Returns a summary for the console.
pub fn seed_demo(
    store: &Store,
    password: &str,
    policy: PasswordPolicy,
    now: Timestamp,
    as_of: Option<Timestamp>,
) -> anyhow::Result<String> {
    let defaults = DemoConfig::default();
    let data = steward_demo::generate(&DemoConfig { as_of: as_of.unwrap_or(defaults.as_of), ..defaults })?;
    seed_dataset(store, &data, password, policy, now)
}

/// Loads `data` into an empty store.
pub fn seed_dataset(
    store: &Store,
    data: &DemoDataset,
    password: &str,
    policy: PasswordPolicy,
    now: Timestamp,
) -> anyhow::Result<String> {
    let staff_count =
        store.read_blocking(|db| db.counts())?.into_iter().find(|(t, _)| *t == "staff").map_or(0, |c| c.1);
    if staff_count > 0 {
        anyhow::bail!("the database already holds data; seed an empty one");
    }
    // Each account gets its own salt.
    let hashes =
        data.staff.iter().map(|s| Ok((s.id, hash_password(policy, password)?))).collect::<anyhow::Result<Vec<_>>>()?;
    let owned = data.clone();
    store
        .write_blocking(move |tx| load(tx, &owned, &hashes, now))
        .map_err(|e| anyhow::anyhow!("loading the demo: {}", e.into_parts().1))?;
    // The hotline's callback list of the season so far (store/callbacks.rs).
    let today = steward_domain::report::day_number(steward_domain::report::service_day(now));
    let everything = crate::store::ReportScope::new(&crate::store::Scope::everything());
    store
        .write_blocking(move |tx| tx.generate_callbacks(&everything, (0, today), now))
        .map_err(|e: crate::store::StoreError| anyhow::anyhow!("the demo's callback list: {e}"))?;
    let mut out = String::from("seeded the 商河 demo:\n");
    for (table, n) in store.read_blocking(|db| db.counts())? {
        let _ = writeln!(out, "  {table}: {n}");
    }
    let _ = writeln!(out, "accounts (password as given):");
    for s in &data.staff {
        let _ = writeln!(out, "  {:<12} {:<14} {}", s.username, s.role.code(), s.display_name);
    }
    Ok(out)
}

fn load(
    tx: &Tx<'_>,
    data: &DemoDataset,
    hashes: &[(steward_domain::ids::UserId, String)],
    now: Timestamp,
) -> Result<(), AppError> {
    let at_ms = millis(now);
    let value = |v: &dyn erased::Ser| v.to_value();
    tx.put_utility(&data.utility)?;
    tx.put_centre(&data.centre)?;
    for t in &data.teams {
        tx.put_team(t)?;
    }
    for s in &data.staff {
        tx.put_staff(s)?;
    }
    for (id, hash) in hashes {
        tx.set_password_hash(*id, hash)?;
    }
    for (d, (_, geometry)) in data.districts.iter().zip(&data.boundaries) {
        let feature = DistrictFeature {
            id: d.code.clone(),
            name: Some(d.name.clone()),
            properties: Default::default(),
            geometry: geometry.clone(),
        };
        put_district(tx, d, Some(&to_geojson_string([feature])), now)?;
    }
    for s in &data.stations {
        tx.put_station(s)?;
    }
    let change = |kind: &'static str, id: String, district: DistrictId, doc: serde_json::Value| ChangeRecord {
        kind,
        entity_id: id,
        district_id: Some(district),
        assignee: None,
        prev_district_id: None,
        prev_assignee: None,
        doc,
        at_ms,
    };
    let mut community_district: HashMap<CommunityId, (DistrictId, &str)> = HashMap::new();
    for c in &data.communities {
        tx.put_community(c)?;
        tx.append_change(&change("community", c.id.to_string(), c.district_id, value(c)))?;
        community_district.insert(c.id, (c.district_id, c.name.as_str()));
    }
    let mut buildings: HashMap<BuildingId, &steward_domain::ground::Building> = HashMap::new();
    for b in &data.buildings {
        tx.put_building(b)?;
        let district = community_district.get(&b.community_id).map(|c| c.0).ok_or_else(|| missing("community"))?;
        tx.append_change(&change("building", b.id.to_string(), district, value(b)))?;
        buildings.insert(b.id, b);
    }
    let mut units = HashMap::new();
    for u in &data.units {
        tx.put_unit(u)?;
        let b = buildings.get(&u.building_id).ok_or_else(|| missing("building"))?;
        let district = community_district.get(&b.community_id).map(|c| c.0).ok_or_else(|| missing("community"))?;
        tx.append_change(&change("unit", u.id.to_string(), district, value(u)))?;
        units.insert(u.id, u.number);
    }
    let mut household_district = HashMap::new();
    for h in &data.households {
        let b = buildings.get(&h.building_id).ok_or_else(|| missing("building"))?;
        let (_, community_name) = community_district.get(&h.community_id).ok_or_else(|| missing("community"))?;
        tx.put_household(HouseholdImport { household: h, community_name, location: Some(b.location) })?;
        let row = HouseholdRow {
            household: h.clone(),
            community_name: community_name.to_string(),
            building_no: b.number,
            unit_no: units.get(&h.unit_id).copied().ok_or_else(|| missing("unit"))?,
            location: Some(b.location),
        };
        tx.append_change(&household_change(&row, None, now)?)?;
        household_district.insert(h.id, h.district_id);
    }
    for t in &data.tickets {
        let district = *household_district.get(&t.ticket.household_id()).ok_or_else(|| missing("household"))?;
        tx.insert_ticket(&t.ticket, district)?;
        for e in &t.events {
            tx.insert_ticket_event(e)?;
        }
        let row = TicketRow { ticket: t.ticket.clone(), district_id: district };
        tx.append_change(&ChangeRecord {
            kind: "ticket",
            assignee: t.ticket.assignee(),
            ..change(
                "ticket",
                t.ticket.id().to_string(),
                district,
                value(&TicketDto { events: Some(t.events.clone()), ..TicketDto::new(&row) }),
            )
        })?;
    }
    for v in &data.visits {
        let district = *household_district.get(&v.household_id()).ok_or_else(|| missing("household"))?;
        tx.insert_visit(v, district)?;
        tx.append_change(&ChangeRecord {
            assignee: Some(v.steward_id()),
            ..change("visit", v.id().to_string(), district, value(v))
        })?;
    }
    // Where each steward was last seen, as a device's report would have put
    // it; their devices' first reports replace it. Never later than the
    // seeding itself: a demo whose "now" is ahead of this machine's clock
    // would otherwise place stewards in the future, fresh for ever.
    for p in &data.positions {
        tx.record_position(p.steward_id, p.at, millis(p.seen_at).min(at_ms), SEEDED_POSITION)?;
    }
    tx.audit(at_ms, None, None, "seed.demo", "database", None, None)?;
    Ok(())
}

fn missing(what: &str) -> AppError {
    AppError::internal(anyhow::anyhow!("the demo data set names a {what} it does not hold"))
}

/// Serialising through a trait object, for the closure above.
mod erased {
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

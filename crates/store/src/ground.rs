//! Loading ground data that came from the server (or the demo): one bulk
//! upsert in one transaction, with no outbox entries.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Statement, params};
use steward_domain::ground::{Building, Community, District, Household, Station, Unit};
use steward_domain::ids::DistrictId;
use steward_domain::org::{Staff, Team};
use steward_domain::pinyin_key;
use steward_domain::ticket::{Ticket, TicketEvent};
use steward_domain::visit::CompletedVisit;

use crate::codec::to_u32;
use crate::error::{Result, StoreError};
use crate::keys::{self, UnitPlace};
use crate::{Store, tickets, visits};

/// Ground data for the device, as plain lists of domain values. Everything
/// is upserted by id; nothing is deleted.
#[derive(Debug, Clone, Default)]
pub struct GroundSnapshot {
    pub teams: Vec<Team>,
    pub staff: Vec<Staff>,
    pub districts: Vec<District>,
    /// District boundaries as GeoJSON geometry text.
    pub boundaries: Vec<(DistrictId, String)>,
    pub stations: Vec<Station>,
    pub communities: Vec<Community>,
    pub buildings: Vec<Building>,
    pub units: Vec<Unit>,
    pub households: Vec<Household>,
    /// Tickets with their events in order.
    pub tickets: Vec<(Ticket, Vec<TicketEvent>)>,
    pub visits: Vec<CompletedVisit>,
}

impl Store {
    /// Upserts a ground snapshot in one transaction and writes no outbox
    /// entries. Loading the same snapshot twice changes nothing.
    ///
    /// Local changes not yet synced win over the snapshot: a ticket with
    /// pending outbox entries keeps its local state, and the valve state
    /// proven by a pending visit is applied again after the households load.
    pub fn load_ground(&mut self, g: &GroundSnapshot) -> Result<()> {
        let tx = self.write_tx()?;
        load_into(&tx, g)?;
        tx.commit()?;
        self.committed_bulk();
        Ok(())
    }
}

/// Upserts a snapshot inside the caller's transaction; see
/// [`Store::load_ground`].
pub(crate) fn load_into(conn: &Connection, g: &GroundSnapshot) -> Result<()> {
    load_org(conn, g)?;
    load_districts(conn, &g.districts, &g.boundaries)?;
    load_places(conn, g)?;
    let places = refresh_unit_places(conn)?;
    refresh_households_of(conn, &places.changed, &places.by_unit)?;
    load_households(conn, &g.households, &places.by_unit)?;
    visits::reapply_pending_valves(conn)?;
    for (ticket, events) in &g.tickets {
        tickets::upsert_from_server(conn, ticket, events)?;
    }
    for visit in &g.visits {
        visits::insert(conn, visit, visits::OnConflict::Ignore)?;
    }
    Ok(())
}

fn load_org(conn: &Connection, g: &GroundSnapshot) -> Result<()> {
    let mut teams = conn.prepare(
        "INSERT INTO teams (id, centre_id, name, lead_id) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (id) DO UPDATE SET centre_id = excluded.centre_id, name = excluded.name, lead_id = excluded.lead_id",
    )?;
    for t in &g.teams {
        teams.execute(params![t.id.to_string(), t.centre_id.to_string(), t.name, t.lead_id.map(|u| u.to_string())])?;
    }
    let mut staff = conn.prepare(
        "INSERT INTO staff (id, username, display_name, role, team_id, employee_no, mobile) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET username = excluded.username, \
         display_name = excluded.display_name, role = excluded.role, team_id = excluded.team_id, \
         employee_no = excluded.employee_no, mobile = excluded.mobile",
    )?;
    for s in &g.staff {
        staff.execute(params![
            s.id.to_string(),
            s.username,
            s.display_name,
            s.role.code(),
            s.team_id.map(|t| t.to_string()),
            s.employee_no,
            s.mobile.as_ref().map(|m| m.as_str()),
        ])?;
    }
    Ok(())
}

fn load_districts(conn: &Connection, districts: &[District], boundaries: &[(DistrictId, String)]) -> Result<()> {
    let mut upsert = conn.prepare(
        "INSERT INTO districts (id, code, name, team_id, steward_id) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, team_id = excluded.team_id, \
         steward_id = excluded.steward_id",
    )?;
    for d in districts {
        upsert.execute(params![
            d.id.to_string(),
            d.code,
            d.name,
            d.team_id.to_string(),
            d.steward_id.map(|s| s.to_string())
        ])?;
    }
    let mut boundary = conn.prepare("UPDATE districts SET boundary_geojson = ?2 WHERE id = ?1")?;
    for (id, geojson) in boundaries {
        serde_json::from_str::<serde_json::Value>(geojson)?;
        if boundary.execute(params![id.to_string(), geojson])? == 0 {
            return Err(StoreError::NotFound { entity: "district", id: id.to_string() });
        }
    }
    Ok(())
}

fn load_places(conn: &Connection, g: &GroundSnapshot) -> Result<()> {
    let mut stations = conn.prepare(
        "INSERT INTO stations (id, name, lon, lat) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat",
    )?;
    for s in &g.stations {
        stations.execute(params![s.id.to_string(), s.name, s.location.lon, s.location.lat])?;
    }
    let mut communities = conn.prepare(
        "INSERT INTO communities (id, name, initials, sort_key, district_id, station_id, lon, lat) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
         initials = excluded.initials, sort_key = excluded.sort_key, district_id = excluded.district_id, \
         station_id = excluded.station_id, lon = excluded.lon, lat = excluded.lat",
    )?;
    for c in &g.communities {
        communities.execute(params![
            c.id.to_string(),
            c.name,
            pinyin_key::initials(&c.name),
            keys::community_sort_key(&c.name),
            c.district_id.to_string(),
            c.station_id.map(|s| s.to_string()),
            c.location.lon,
            c.location.lat,
        ])?;
    }
    let mut buildings = conn.prepare(
        "INSERT INTO buildings (id, community_id, number, lon, lat) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET community_id = excluded.community_id, number = excluded.number, \
         lon = excluded.lon, lat = excluded.lat",
    )?;
    for b in &g.buildings {
        buildings.execute(params![
            b.id.to_string(),
            b.community_id.to_string(),
            b.number,
            b.location.lon,
            b.location.lat
        ])?;
    }
    let mut units = conn.prepare(
        "INSERT INTO units (id, building_id, number) VALUES (?1, ?2, ?3) \
         ON CONFLICT (id) DO UPDATE SET building_id = excluded.building_id, number = excluded.number",
    )?;
    for u in &g.units {
        units.execute(params![u.id.to_string(), u.building_id.to_string(), u.number])?;
    }
    Ok(())
}

/// Where every unit on the device is, and which units' places changed.
pub(crate) struct UnitPlaces {
    pub by_unit: HashMap<String, PlacedUnit>,
    pub changed: Vec<String>,
}

/// A unit's place and the building and community it belongs to.
pub(crate) struct PlacedUnit {
    pub place: UnitPlace,
    pub building_id: String,
    pub community_id: String,
}

/// Recomputes every unit's walking-order key from its building and
/// community, stores those that changed and returns all places.
fn refresh_unit_places(conn: &Connection) -> Result<UnitPlaces> {
    let mut select = conn.prepare(
        "SELECT u.id, u.number AS unit_no, u.walk_key, b.id AS building_id, b.number AS building_no, \
         c.id AS community_id, c.name, c.initials, c.sort_key \
         FROM units u JOIN buildings b ON b.id = u.building_id JOIN communities c ON c.id = b.community_id",
    )?;
    let mut update = conn.prepare("UPDATE units SET walk_key = ?2 WHERE id = ?1")?;
    let mut out = UnitPlaces { by_unit: HashMap::new(), changed: Vec::new() };
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get("id")?;
        let building_no = to_u32("building number", row.get("building_no")?)?;
        let unit_no = to_u32("unit number", row.get("unit_no")?)?;
        let sort_key: String = row.get("sort_key")?;
        let walk_key = keys::unit_walk_key(&sort_key, building_no, unit_no);
        let stored: Option<String> = row.get("walk_key")?;
        if stored.as_deref() != Some(walk_key.as_str()) {
            update.execute(params![id, walk_key])?;
            out.changed.push(id.clone());
        }
        let place = UnitPlace {
            community_name: row.get("name")?,
            community_initials: row.get("initials")?,
            building_no,
            unit_no,
            walk_key,
        };
        let placed = PlacedUnit { place, building_id: row.get("building_id")?, community_id: row.get("community_id")? };
        out.by_unit.insert(id, placed);
    }
    Ok(out)
}

/// Rewrites the walking key and search text of the households already
/// stored under units whose place changed (a renamed community, a
/// renumbered building).
fn refresh_households_of(conn: &Connection, units: &[String], places: &HashMap<String, PlacedUnit>) -> Result<()> {
    let mut select = conn.prepare(
        "SELECT rid, room, resident_name, name_initials, account_no, phone FROM households WHERE unit_id = ?1",
    )?;
    let mut update = conn.prepare("UPDATE households SET walk_key = ?2 WHERE rid = ?1")?;
    let mut fts = FtsWriter::new(conn)?;
    for unit in units {
        let Some(placed) = places.get(unit) else { continue };
        let mut rows = select.query([unit])?;
        while let Some(row) = rows.next()? {
            let rid: i64 = row.get("rid")?;
            let room: String = row.get("room")?;
            update.execute(params![rid, keys::household_walk_key(&placed.place.walk_key, &room)])?;
            let hay = keys::haystack(
                &placed.place,
                &room,
                &row.get::<_, String>("resident_name")?,
                &row.get::<_, String>("name_initials")?,
                &row.get::<_, String>("account_no")?,
                &row.get::<_, String>("phone")?,
            );
            fts.replace(rid, &hay)?;
        }
    }
    Ok(())
}

/// Writes rows of the contentless full-text index.
struct FtsWriter<'c> {
    delete: Statement<'c>,
    insert: Statement<'c>,
}

impl<'c> FtsWriter<'c> {
    fn new(conn: &'c Connection) -> Result<Self> {
        Ok(FtsWriter {
            delete: conn.prepare("DELETE FROM household_fts WHERE rowid = ?1")?,
            insert: conn.prepare("INSERT INTO household_fts (rowid, names, rest) VALUES (?1, ?2, ?3)")?,
        })
    }

    fn insert(&mut self, rid: i64, hay: &keys::Haystack) -> Result<()> {
        self.insert.execute(params![rid, hay.names, hay.rest])?;
        Ok(())
    }

    fn replace(&mut self, rid: i64, hay: &keys::Haystack) -> Result<()> {
        self.delete.execute([rid])?;
        self.insert(rid, hay)
    }
}

const HOUSEHOLD_INSERT: &str = "INSERT INTO households (id, account_no, district_id, community_id, building_id, \
     unit_id, room, resident_name, name_initials, phone, heated_area, status, valve, seal_no, walk_key) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// Updates a stored household only when something differs, so that
/// `changes()` tells whether it did.
const HOUSEHOLD_UPDATE: &str = "UPDATE households SET account_no = ?2, district_id = ?3, community_id = ?4, \
     building_id = ?5, unit_id = ?6, room = ?7, resident_name = ?8, name_initials = ?9, phone = ?10, \
     heated_area = ?11, status = ?12, valve = ?13, seal_no = ?14, walk_key = ?15 \
     WHERE id = ?1 AND (account_no, district_id, community_id, building_id, unit_id, room, resident_name, \
     name_initials, phone, heated_area, status, valve, seal_no, walk_key) \
     IS NOT (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// Inserts new households and updates changed ones; a household whose row
/// changed gets a new search entry, an unchanged one is left alone.
fn load_households(conn: &Connection, households: &[Household], places: &HashMap<String, PlacedUnit>) -> Result<()> {
    let mut existing = conn.prepare("SELECT rid FROM households WHERE id = ?1")?;
    let mut insert = conn.prepare(HOUSEHOLD_INSERT)?;
    let mut update = conn.prepare(HOUSEHOLD_UPDATE)?;
    let mut fts = FtsWriter::new(conn)?;
    for h in households {
        let placed = place_of(h, places)?;
        let id = h.id.to_string();
        let initials = pinyin_key::initials(&h.resident_name);
        let walk_key = keys::household_walk_key(&placed.place.walk_key, &h.room);
        let row = params![
            id,
            h.account_no.as_str(),
            h.district_id.to_string(),
            h.community_id.to_string(),
            h.building_id.to_string(),
            h.unit_id.to_string(),
            h.room,
            h.resident_name,
            initials,
            h.phone.as_str(),
            h.heated_area.get(),
            h.status.code(),
            h.valve.code(),
            h.valve.seal_no().map(|s| s.as_str()),
            walk_key,
        ];
        let before: Option<i64> = existing.query_row([&id], |r| r.get(0)).optional()?;
        let hay = || {
            keys::haystack(&placed.place, &h.room, &h.resident_name, &initials, h.account_no.as_str(), h.phone.as_str())
        };
        match before {
            None => {
                insert.execute(row)?;
                fts.insert(conn.last_insert_rowid(), &hay())?;
            }
            Some(rid) => {
                if update.execute(row)? > 0 {
                    fts.replace(rid, &hay())?;
                }
            }
        }
    }
    Ok(())
}

/// The household's unit, checked against its building and community.
fn place_of<'p>(h: &Household, places: &'p HashMap<String, PlacedUnit>) -> Result<&'p PlacedUnit> {
    let unit = h.unit_id.to_string();
    let placed = places.get(&unit).ok_or(StoreError::NotFound { entity: "unit", id: unit })?;
    if placed.building_id != h.building_id.to_string() || placed.community_id != h.community_id.to_string() {
        return Err(StoreError::Invalid(format!(
            "household {} names unit {} of another building or community",
            h.id, h.unit_id
        )));
    }
    Ok(placed)
}

/// Stores a household's valve state, as proven in the field.
pub(crate) fn set_valve(conn: &Connection, household: &str, valve: &steward_domain::ground::ValveState) -> Result<()> {
    let mut stmt = conn.prepare_cached("UPDATE households SET valve = ?2, seal_no = ?3 WHERE id = ?1")?;
    stmt.execute(params![household, valve.code(), valve.seal_no().map(|s| s.as_str())])?;
    Ok(())
}

/// Whether a household is on the device.
pub(crate) fn household_exists(conn: &Connection, id: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM households WHERE id = ?1")?;
    Ok(stmt.exists([id])?)
}

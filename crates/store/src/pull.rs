//! Applying the server's change feed (拉取): one page in one transaction,
//! the cursor advanced in the same transaction, and records that left the
//! steward's scope removed without losing local work not yet synced.

use std::collections::HashSet;

use jiff::SignedDuration;
use rusqlite::{Connection, OptionalExtension, params};
use steward_domain::ground::{Building, Community, District, Household, Unit};
use steward_domain::ids::{DistrictId, VisitId};
use steward_domain::sla::SlaPolicy;
use steward_domain::ticket::{Ticket, TicketEvent};
use steward_domain::visit::CompletedVisit;

use crate::error::{Result, StoreError};
use crate::ground::{GroundSnapshot, household_exists, load_into};
use crate::planned::{self, PlannedVisit};
use crate::{Store, meta_keys, tickets, visits};

/// The kinds of record the change feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    District,
    Community,
    Building,
    Unit,
    Household,
    Ticket,
    Visit,
    /// A sweep campaign's planned visit (id `<sweep id>:<household id>`).
    PlannedVisit,
}

impl RecordKind {
    pub const ALL: [RecordKind; 8] = [
        RecordKind::District,
        RecordKind::Community,
        RecordKind::Building,
        RecordKind::Unit,
        RecordKind::Household,
        RecordKind::Ticket,
        RecordKind::Visit,
        RecordKind::PlannedVisit,
    ];

    /// The feed's name of the kind, e.g. `household`.
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::District => "district",
            RecordKind::Community => "community",
            RecordKind::Building => "building",
            RecordKind::Unit => "unit",
            RecordKind::Household => "household",
            RecordKind::Ticket => "ticket",
            RecordKind::Visit => "visit",
            RecordKind::PlannedVisit => "planned_visit",
        }
    }

    pub fn from_code(code: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One change of the feed, as domain values. The sync engine turns the wire
/// form into these; the store knows no wire format.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A district and its boundary as GeoJSON geometry text.
    District(District, Option<String>),
    Community(Community),
    Building(Building),
    Unit(Unit),
    Household(Household),
    /// A ticket with its events in order.
    Ticket(Ticket, Vec<TicketEvent>),
    Visit(CompletedVisit),
    /// A sweep campaign's planned visit for the steward.
    PlannedVisit(PlannedVisit),
    /// The central's service policy (kind `sla_policy`): it replaces the
    /// one the device holds, which the response clock and the check-in
    /// fence read.
    Policy(SlaPolicy),
    /// The record left the steward's scope.
    Remove(RecordKind, String),
}

/// What applying a page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageReport {
    pub upserts: usize,
    /// Tickets and visits set aside until their household is on the device.
    pub parked: usize,
    /// Tickets and visits set aside earlier whose household has arrived.
    pub unparked: usize,
    /// Records removed (with everything removed under them).
    pub removed: usize,
    /// Records kept although the server removed them, because local work
    /// not yet synced refers to them.
    pub kept: usize,
}

impl Store {
    /// The cursor of the last page applied; none before the first pull.
    pub fn pull_cursor(&self) -> Result<Option<String>> {
        self.meta(meta_keys::PULL_CURSOR)
    }

    /// The server's clock minus the device's, as learnt at the last exchange.
    pub fn clock_offset(&self) -> Result<Option<SignedDuration>> {
        let Some(text) = self.meta(meta_keys::CLOCK_OFFSET_MS)? else { return Ok(None) };
        let ms: i64 = text.parse().map_err(|_| StoreError::Invalid(format!("clock offset {text:?}")))?;
        Ok(Some(SignedDuration::from_millis(ms)))
    }

    /// The ids of every visit on the device, in id order: what the fault
    /// suite counts against the central.
    pub fn visit_ids(&self) -> Result<Vec<VisitId>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM visits ORDER BY id")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for text in rows {
            let text = text?;
            let id = text.parse().map_err(|_| StoreError::Invalid(format!("visit id {text:?}")))?;
            out.push(VisitId(id));
        }
        Ok(out)
    }

    /// Keeps the offset learnt from the server's clock.
    pub fn set_clock_offset(&mut self, offset: SignedDuration) -> Result<()> {
        let ms = i64::try_from(offset.as_millis()).unwrap_or(i64::MAX);
        self.set_meta(meta_keys::CLOCK_OFFSET_MS, &ms.to_string())
    }

    /// Applies one page of the change feed in feed order and stores `cursor`
    /// as the new pull cursor, all in one transaction: after a crash the
    /// device holds either the whole page and its cursor or neither.
    ///
    /// Upserts follow [`Store::load_ground`]'s rules (local changes not yet
    /// synced win). A ticket or visit whose household is not on the device
    /// is parked, not refused, so that one such record cannot stop sync; it
    /// is applied in the page that brings its household. A remove never deletes local work not yet synced: a visit
    /// or ticket with an outbox or needs-attention entry stays, and so does
    /// every place above it (its household, unit, building, community and
    /// district).
    pub fn apply_pull_page(&mut self, changes: &[Change], cursor: &str) -> Result<PageReport> {
        let tx = self.write_tx()?;
        let mut report = PageReport::default();
        let mut batch = GroundSnapshot::default();
        for change in changes {
            match change {
                Change::Remove(kind, id) => {
                    // Upserts before the remove land first: the feed's order holds.
                    report.parked += flush(&tx, &mut batch)?;
                    unpark_one(&tx, *kind, id)?;
                    if remove(&tx, *kind, id)? {
                        report.removed += 1;
                    } else {
                        report.kept += 1;
                    }
                }
                // Neither waits on the ground of the page: both land in feed
                // order at once.
                Change::PlannedVisit(p) => {
                    report.upserts += 1;
                    planned::upsert(&tx, p)?;
                }
                Change::Policy(policy) => {
                    report.upserts += 1;
                    tx.prepare_cached(
                        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )?
                    .execute(params![meta_keys::SLA_POLICY, serde_json::to_string(policy)?])?;
                }
                upsert => {
                    report.upserts += 1;
                    add(&mut batch, upsert.clone());
                }
            }
        }
        report.parked += flush(&tx, &mut batch)?;
        report.unparked = unpark(&tx)?;
        tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![meta_keys::PULL_CURSOR, cursor])?;
        tx.commit()?;
        if report.upserts > 100 {
            self.committed_bulk();
        } else {
            self.committed();
        }
        Ok(report)
    }
}

fn add(batch: &mut GroundSnapshot, change: Change) {
    match change {
        Change::District(d, boundary) => {
            if let Some(b) = boundary {
                batch.boundaries.push((d.id, b));
            }
            batch.districts.push(d);
        }
        Change::Community(c) => batch.communities.push(c),
        Change::Building(b) => batch.buildings.push(b),
        Change::Unit(u) => batch.units.push(u),
        Change::Household(h) => batch.households.push(h),
        Change::Ticket(t, events) => batch.tickets.push((t, events)),
        Change::Visit(v) => batch.visits.push(v),
        Change::PlannedVisit(_) | Change::Policy(_) | Change::Remove(..) => {}
    }
}

/// Loads the upserts gathered so far; tickets and visits whose household is
/// neither on the device nor in the batch are parked. Returns how many.
fn flush(conn: &Connection, batch: &mut GroundSnapshot) -> Result<usize> {
    let mut g = std::mem::take(batch);
    let empty = g.districts.is_empty()
        && g.communities.is_empty()
        && g.buildings.is_empty()
        && g.units.is_empty()
        && g.households.is_empty()
        && g.tickets.is_empty()
        && g.visits.is_empty();
    if empty {
        return Ok(0);
    }
    let incoming: HashSet<String> = g.households.iter().map(|h| h.id.to_string()).collect();
    let present =
        |household: &str| -> Result<bool> { Ok(incoming.contains(household) || household_exists(conn, household)?) };
    let mut parked = 0;
    for (ticket, events) in std::mem::take(&mut g.tickets) {
        let household = ticket.household_id().to_string();
        if present(&household)? {
            g.tickets.push((ticket, events));
        } else {
            let doc = serde_json::to_string(&(&ticket, &events))?;
            park(conn, "ticket", &ticket.id().to_string(), &household, &doc)?;
            parked += 1;
        }
    }
    for visit in std::mem::take(&mut g.visits) {
        let household = visit.household_id().to_string();
        if present(&household)? {
            g.visits.push(visit);
        } else {
            park(conn, "visit", &visit.id().to_string(), &household, &serde_json::to_string(&visit)?)?;
            parked += 1;
        }
    }
    load_into(conn, &g)?;
    Ok(parked)
}

fn park(conn: &Connection, kind: &str, id: &str, household: &str, doc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO pull_parked (kind, id, household_id, doc) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (kind, id) DO UPDATE SET household_id = excluded.household_id, doc = excluded.doc",
    )?
    .execute(params![kind, id, household, doc])?;
    Ok(())
}

/// A remove also takes a parked copy.
fn unpark_one(conn: &Connection, kind: RecordKind, id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM pull_parked WHERE kind = ?1 AND id = ?2")?.execute(params![kind.code(), id])?;
    Ok(())
}

/// Applies the parked tickets and visits whose household has arrived.
fn unpark(conn: &Connection) -> Result<usize> {
    let ready: Vec<(String, String, String)> = conn
        .prepare_cached(
            "SELECT kind, id, doc FROM pull_parked WHERE household_id IN (SELECT id FROM households) \
             ORDER BY kind, id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, id, doc) in &ready {
        match kind.as_str() {
            "ticket" => {
                let (ticket, events): (Ticket, Vec<TicketEvent>) = serde_json::from_str(doc)?;
                tickets::upsert_from_server(conn, &ticket, &events)?;
            }
            _ => {
                let visit: CompletedVisit = serde_json::from_str(doc)?;
                visits::insert(conn, &visit, visits::OnConflict::Ignore)?;
            }
        }
        conn.prepare_cached("DELETE FROM pull_parked WHERE kind = ?1 AND id = ?2")?.execute(params![kind, id])?;
    }
    Ok(ready.len())
}

/// Whether a visit or ticket carries local work not yet synced: an outbox
/// entry, or a needs-attention entry whose field data is kept.
const UNSYNCED: &str = "(SELECT entity_id FROM outbox WHERE entity = ?2 \
     UNION SELECT entity_id FROM needs_attention WHERE entity = ?2)";

/// Removes a record and what hangs under it, keeping unsynced work. Returns
/// whether the record itself went.
fn remove(conn: &Connection, kind: RecordKind, id: &str) -> Result<bool> {
    match kind {
        RecordKind::Visit => remove_visit(conn, id),
        RecordKind::PlannedVisit => planned::remove(conn, id),
        RecordKind::Ticket => remove_ticket(conn, id),
        RecordKind::Household => remove_household(conn, id),
        RecordKind::Unit => {
            for h in ids(conn, "SELECT id FROM households WHERE unit_id = ?1", id)? {
                remove_household(conn, &h)?;
            }
            delete_unreferenced(conn, "units", id, &["SELECT 1 FROM households WHERE unit_id = ?1"])
        }
        RecordKind::Building => {
            for u in ids(conn, "SELECT id FROM units WHERE building_id = ?1", id)? {
                remove(conn, RecordKind::Unit, &u)?;
            }
            for h in ids(conn, "SELECT id FROM households WHERE building_id = ?1", id)? {
                remove_household(conn, &h)?;
            }
            delete_unreferenced(
                conn,
                "buildings",
                id,
                &["SELECT 1 FROM units WHERE building_id = ?1", "SELECT 1 FROM households WHERE building_id = ?1"],
            )
        }
        RecordKind::Community => {
            for b in ids(conn, "SELECT id FROM buildings WHERE community_id = ?1", id)? {
                remove(conn, RecordKind::Building, &b)?;
            }
            for h in ids(conn, "SELECT id FROM households WHERE community_id = ?1", id)? {
                remove_household(conn, &h)?;
            }
            delete_unreferenced(
                conn,
                "communities",
                id,
                &[
                    "SELECT 1 FROM buildings WHERE community_id = ?1",
                    "SELECT 1 FROM households WHERE community_id = ?1",
                ],
            )
        }
        RecordKind::District => {
            // A district id must parse, so that a bad id cannot match rows.
            id.parse::<DistrictId>().map_err(|e| StoreError::Invalid(e.to_string()))?;
            for c in ids(conn, "SELECT id FROM communities WHERE district_id = ?1", id)? {
                remove(conn, RecordKind::Community, &c)?;
            }
            for h in ids(conn, "SELECT id FROM households WHERE district_id = ?1", id)? {
                remove_household(conn, &h)?;
            }
            delete_unreferenced(
                conn,
                "districts",
                id,
                &[
                    "SELECT 1 FROM communities WHERE district_id = ?1",
                    "SELECT 1 FROM households WHERE district_id = ?1",
                ],
            )
        }
    }
}

fn ids(conn: &Connection, sql: &str, parent: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([parent], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// Deletes row `id` of `table` unless one of `children` (queries on `?1`)
/// finds a row. Returns whether the row is gone (also when it was absent).
fn delete_unreferenced(conn: &Connection, table: &str, id: &str, children: &[&str]) -> Result<bool> {
    for child in children {
        if conn.prepare_cached(child)?.exists([id])? {
            return Ok(false);
        }
    }
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?.execute([id])?;
    Ok(true)
}

fn remove_visit(conn: &Connection, id: &str) -> Result<bool> {
    let sql = format!("DELETE FROM visits WHERE id = ?1 AND id NOT IN {UNSYNCED}");
    conn.prepare_cached(&sql)?.execute(params![id, "visit"])?;
    Ok(!conn.prepare_cached("SELECT 1 FROM visits WHERE id = ?1")?.exists([id])?)
}

fn remove_ticket(conn: &Connection, id: &str) -> Result<bool> {
    let unsynced = format!("SELECT 1 WHERE ?1 IN {UNSYNCED}");
    if conn.prepare_cached(&unsynced)?.exists(params![id, "ticket"])? {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM ticket_events WHERE ticket_id = ?1")?.execute([id])?;
    conn.prepare_cached("DELETE FROM tickets WHERE id = ?1")?.execute([id])?;
    Ok(true)
}

/// Removes a household with its synced visits and tickets; a household that
/// unsynced work still refers to stays whole.
fn remove_household(conn: &Connection, id: &str) -> Result<bool> {
    for v in ids(conn, "SELECT id FROM visits WHERE household_id = ?1", id)? {
        remove_visit(conn, &v)?;
    }
    for t in ids(conn, "SELECT id FROM tickets WHERE household_id = ?1", id)? {
        remove_ticket(conn, &t)?;
    }
    let kept = ["SELECT 1 FROM visits WHERE household_id = ?1", "SELECT 1 FROM tickets WHERE household_id = ?1"];
    for child in kept {
        if conn.prepare_cached(child)?.exists([id])? {
            return Ok(false);
        }
    }
    let rid: Option<i64> =
        conn.prepare_cached("SELECT rid FROM households WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    planned::remove_of_household(conn, id)?;
    if let Some(rid) = rid {
        conn.prepare_cached("DELETE FROM household_fts WHERE rowid = ?1")?.execute([rid])?;
        conn.prepare_cached("DELETE FROM households WHERE rid = ?1")?.execute([rid])?;
    }
    Ok(true)
}

//! Planned visits of sweep campaigns (专项排查) on the device: what the
//! central's feed brings as `planned_visit`, kept until it leaves the
//! steward's scope, and shown on Today in walking order.
//!
//! A planned visit is done by the first visit to its household, at or after
//! its sweep opened, that carries the record the sweep's kind asks for: the
//! domain's [`SweepKind::done_at`], the very rule the central's progress
//! report uses. It is worked out from the visits on the device, so a visit
//! recorded offline marks it done at once.

use jiff::Timestamp;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use steward_domain::ground::format_address;
use steward_domain::ids::{BuildingId, DistrictId, HouseholdId, UserId};
use steward_domain::sweep::{PlannedState, SweepKind, planned_state};

use crate::codec::{col, parse_ts, to_u32, ts_text};
use crate::error::{Result, StoreError};
use crate::rows;

/// One planned visit as the central plans it (the feed's document reads as
/// this directly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedVisit {
    pub sweep_id: uuid::Uuid,
    pub kind: SweepKind,
    /// The kind's Chinese name, e.g. 报停阀门检查.
    pub kind_label: String,
    /// The campaign's name as the team lead gave it.
    pub title: String,
    pub opened_at: Timestamp,
    pub deadline: Timestamp,
    pub household_id: HouseholdId,
    pub district_id: DistrictId,
    pub building_id: BuildingId,
    pub steward_id: Option<UserId>,
    /// The central's walking order of the steward's planned visits.
    pub seq: i64,
}

impl PlannedVisit {
    /// The feed's id of the planned visit: `<sweep id>:<household id>`.
    pub fn feed_id(&self) -> String {
        format!("{}:{}", self.sweep_id, self.household_id)
    }
}

/// A planned visit on Today, with where to go and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedTask {
    pub planned: PlannedVisit,
    pub resident_name: String,
    pub account_no: String,
    pub address: String,
    pub community: String,
    /// `n号楼` of the community: the walking list goes building by building.
    pub building_no: u32,
    /// When a visit on the device did what the sweep asks; none while open.
    pub done_at: Option<Timestamp>,
    /// Done, open, or overdue (past the deadline and not done) at `now`.
    pub state: PlannedState,
}

/// Stores a planned visit from the feed (a newer copy replaces the older).
pub(crate) fn upsert(conn: &Connection, p: &PlannedVisit) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO planned_visits (id, sweep_id, kind, kind_label, title, opened_at, deadline, household_id, \
         district_id, building_id, steward_id, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
         ON CONFLICT (id) DO UPDATE SET sweep_id = excluded.sweep_id, kind = excluded.kind, \
         kind_label = excluded.kind_label, title = excluded.title, opened_at = excluded.opened_at, \
         deadline = excluded.deadline, household_id = excluded.household_id, district_id = excluded.district_id, \
         building_id = excluded.building_id, steward_id = excluded.steward_id, seq = excluded.seq",
    )?
    .execute(params![
        p.feed_id(),
        p.sweep_id.to_string(),
        p.kind.code(),
        p.kind_label,
        p.title,
        ts_text(p.opened_at),
        ts_text(p.deadline),
        p.household_id.to_string(),
        p.district_id.to_string(),
        p.building_id.to_string(),
        p.steward_id.map(|s| s.to_string()),
        p.seq,
    ])?;
    Ok(())
}

/// Removes a planned visit that left the steward's scope. A planned visit
/// holds no work of the steward's, but one that a visit not yet synced has
/// done stays until that visit is on the central, so the steward still sees
/// what the visit did. Returns whether it went.
pub(crate) fn remove(conn: &Connection, id: &str) -> Result<bool> {
    let found: Option<(String, String, String)> = {
        let mut stmt = conn.prepare_cached("SELECT household_id, kind, opened_at FROM planned_visits WHERE id = ?1")?;
        let mut rows = stmt.query([id])?;
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        }
    };
    let Some((household, kind, opened_at)) = found else { return Ok(true) };
    let kind = SweepKind::from_code(&kind).ok_or_else(|| StoreError::Invalid(format!("sweep kind {kind:?}")))?;
    let unsynced = unsynced_visits(conn, &household)?;
    if kind.done_at(parse_ts(&opened_at)?, &unsynced).is_some() {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM planned_visits WHERE id = ?1")?.execute([id])?;
    Ok(true)
}

/// Removes the planned visits of a household that left the device.
pub(crate) fn remove_of_household(conn: &Connection, household: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM planned_visits WHERE household_id = ?1")?.execute([household])?;
    Ok(())
}

/// The household's visits that still wait in the outbox or need attention.
fn unsynced_visits(conn: &Connection, household: &str) -> Result<Vec<steward_domain::visit::CompletedVisit>> {
    let sql = format!(
        "SELECT {} FROM visits v WHERE v.household_id = ?1 AND v.id IN \
         (SELECT entity_id FROM outbox WHERE entity = 'visit' \
          UNION SELECT entity_id FROM needs_attention WHERE entity = 'visit')",
        rows::VISIT_COLS
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query([household])?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        out.push(rows::visit(row)?);
    }
    Ok(out)
}

/// The household's visits completed at or after `since`.
fn visits_since(conn: &Connection, household: &str, since: &str) -> Result<Vec<steward_domain::visit::CompletedVisit>> {
    let sql = format!("SELECT {} FROM visits v WHERE v.household_id = ?1 AND v.completed_at >= ?2", rows::VISIT_COLS);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query(params![household, since])?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        out.push(rows::visit(row)?);
    }
    Ok(out)
}

/// `<feed id>@<deadline>` of each of the steward's planned visits, in feed-id
/// order: a cheap fingerprint of what the feed has put on Today (it reads
/// the one table, none of the visits that decide done or open).
pub(crate) fn fingerprints(conn: &Connection, steward: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sweep_id || ':' || household_id || '@' || deadline FROM planned_visits          WHERE steward_id = ?1 ORDER BY sweep_id, household_id",
    )?;
    let keys = stmt.query_map([steward], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(keys)
}

/// The steward's planned visits whose household is on the device, in
/// walking order (community → building → unit → room), a household's
/// campaigns soonest deadline first; each with where it stands at `now`.
pub(crate) fn tasks(conn: &Connection, steward: &str, now: Timestamp) -> Result<Vec<PlannedTask>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.sweep_id, p.kind, p.kind_label, p.title, p.opened_at, p.deadline, p.household_id, \
         p.district_id, p.building_id, p.steward_id, p.seq, h.resident_name, h.account_no, h.room, \
         c.name AS community, b.number AS building_no, u.number AS unit_no \
         FROM planned_visits p JOIN households h ON h.id = p.household_id \
         JOIN communities c ON c.id = h.community_id JOIN buildings b ON b.id = h.building_id \
         JOIN units u ON u.id = h.unit_id \
         WHERE p.steward_id = ?1 ORDER BY h.walk_key, h.rid, p.deadline, p.sweep_id",
    )?;
    let mut found = stmt.query([steward])?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        let kind: String = row.get("kind")?;
        let kind = SweepKind::from_code(&kind).ok_or_else(|| StoreError::Invalid(format!("sweep kind {kind:?}")))?;
        let opened_text: String = row.get("opened_at")?;
        let household_text: String = row.get("household_id")?;
        let steward_text: Option<String> = row.get("steward_id")?;
        let planned = PlannedVisit {
            sweep_id: col(row, "sweep_id")?,
            kind,
            kind_label: row.get("kind_label")?,
            title: row.get("title")?,
            opened_at: parse_ts(&opened_text)?,
            deadline: parse_ts(&row.get::<_, String>("deadline")?)?,
            household_id: col(row, "household_id")?,
            district_id: col(row, "district_id")?,
            building_id: col(row, "building_id")?,
            steward_id: steward_text
                .map(|s| s.parse().map_err(|_| StoreError::Invalid(format!("steward id {s:?}"))))
                .transpose()?,
            seq: row.get("seq")?,
        };
        let community: String = row.get("community")?;
        let building_no = to_u32("building number", row.get("building_no")?)?;
        let unit_no = to_u32("unit number", row.get("unit_no")?)?;
        let address = format_address(&community, building_no, unit_no, &row.get::<_, String>("room")?);
        let done_at = kind.done_at(planned.opened_at, &visits_since(conn, &household_text, &opened_text)?);
        let state = planned_state(done_at, planned.deadline, now);
        out.push(PlannedTask {
            resident_name: row.get("resident_name")?,
            account_no: row.get("account_no")?,
            address,
            community,
            building_no,
            done_at,
            state,
            planned,
        });
    }
    Ok(out)
}

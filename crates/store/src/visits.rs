//! Home visits (入户): recording a completed visit with its outbox entry and
//! its physical effect on the household.

use rusqlite::{Connection, params};
use steward_domain::ids::HouseholdId;
use steward_domain::visit::CompletedVisit;

use crate::codec::{location_text, ts_text};
use crate::error::{Result, StoreError, is_unique_violation};
use crate::ground::{household_exists, set_valve};
use crate::outbox::{self, Lane, MutationMeta, NewEntry};
use crate::{Store, rows};

/// The outbox entity name of visits.
pub(crate) const ENTITY: &str = "visit";

/// What to do when the visit id is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnConflict {
    /// A local recording: a second visit with the same id is an error.
    Fail,
    /// Data from the server: the stored visit stays, the copy is skipped.
    Ignore,
}

/// Inserts a visit row. Returns whether a row was written.
pub(crate) fn insert(conn: &Connection, v: &CompletedVisit, on_conflict: OnConflict) -> Result<bool> {
    let sql = match on_conflict {
        OnConflict::Fail => {
            "INSERT INTO visits (id, household_id, steward_id, ticket_id, started_at, completed_at, corrects, \
             location, records_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        }
        OnConflict::Ignore => {
            "INSERT INTO visits (id, household_id, steward_id, ticket_id, started_at, completed_at, corrects, \
             location, records_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING"
        }
    };
    let id = v.id().to_string();
    let result = conn.prepare_cached(sql)?.execute(params![
        id,
        v.household_id().to_string(),
        v.steward_id().to_string(),
        v.ticket_id().map(|t| t.to_string()),
        ts_text(v.started_at()),
        ts_text(v.completed_at()),
        v.corrects().map(|c| c.to_string()),
        location_text(v.location())?,
        serde_json::to_string(v.records())?,
    ]);
    match result {
        Ok(n) => Ok(n > 0),
        Err(err) if is_unique_violation(&err) => Err(StoreError::Duplicate { entity: ENTITY, id }),
        Err(err) => Err(err.into()),
    }
}

/// Applies the valve state proven by every visit still in the outbox, in
/// order, so that field evidence not yet synced wins over server data.
pub(crate) fn reapply_pending_valves(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT payload FROM outbox WHERE entity = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([ENTITY])?;
    while let Some(row) = rows.next()? {
        let payload: String = row.get(0)?;
        let visit: CompletedVisit = serde_json::from_str(&payload)?;
        if let Some(valve) = visit.valve_after() {
            set_valve(conn, &visit.household_id().to_string(), &valve)?;
        }
    }
    Ok(())
}

/// A household's visits, newest first.
pub(crate) fn of_household(conn: &Connection, household: &str) -> Result<Vec<CompletedVisit>> {
    let sql = format!(
        "SELECT {} FROM visits v WHERE v.household_id = ?1 ORDER BY v.completed_at DESC, v.id DESC",
        rows::VISIT_COLS
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([household])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::visit(row)?);
    }
    Ok(out)
}

impl Store {
    /// Records a completed visit: the visit row, the household's valve state
    /// it proves (field evidence wins), and a `bulk` outbox entry whose
    /// payload is the visit's JSON, all in one transaction.
    ///
    /// A visit id already stored is [`StoreError::Duplicate`]; a household
    /// not on the device is [`StoreError::NotFound`]. On any error nothing is
    /// written.
    pub fn record_visit(&mut self, visit: &CompletedVisit, m: &MutationMeta) -> Result<()> {
        let tx = self.write_tx()?;
        let household = visit.household_id().to_string();
        if !household_exists(&tx, &household)? {
            return Err(StoreError::NotFound { entity: "household", id: household });
        }
        insert(&tx, visit, OnConflict::Fail)?;
        if let Some(valve) = visit.valve_after() {
            set_valve(&tx, &household, &valve)?;
        }
        let entry = NewEntry {
            lane: Lane::Bulk,
            entity: ENTITY,
            entity_id: visit.id().to_string(),
            op: "create",
            payload: serde_json::to_string(visit)?,
        };
        outbox::append(&tx, m, entry)?;
        tx.commit()?;
        self.committed();
        Ok(())
    }

    /// A household's visits on the device, newest first.
    pub fn visits_of(&self, household: HouseholdId) -> Result<Vec<CompletedVisit>> {
        of_household(&self.conn, &household.to_string())
    }
}

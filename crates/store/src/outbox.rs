//! The outbox (待同步): local changes waiting to be sent, in the order made.
//!
//! An entry is written only by the function that makes the change it
//! describes, in the same transaction. Sync reads entries with
//! [`Store::pending`] and removes them with [`Store::acknowledge`].

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::ids::MutationId;
use steward_domain::sla::TimeBasis;

use crate::codec::{col, parse_ts, to_u64, ts_col, ts_text};
use crate::error::{Result, StoreError, is_unique_violation};
use crate::{Store, meta_keys};

/// Which queue an entry waits in. Ticket progress (accept, en route,
/// arrive, resolve) is `Priority` and goes before `Bulk` visit records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    Priority,
    Bulk,
}

impl Lane {
    pub fn code(self) -> &'static str {
        match self {
            Lane::Priority => "priority",
            Lane::Bulk => "bulk",
        }
    }

    pub fn from_code(code: &str) -> Option<Lane> {
        [Lane::Priority, Lane::Bulk].into_iter().find(|l| l.code() == code)
    }
}

impl std::str::FromStr for Lane {
    type Err = String;
    fn from_str(s: &str) -> Result<Lane, String> {
        Lane::from_code(s).ok_or_else(|| format!("unknown lane {s:?}"))
    }
}

/// What every local change carries: its mutation id (the unit of sync and
/// of dedup on the server) and the device's time when it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutationMeta {
    pub mutation_id: MutationId,
    pub device_time: Timestamp,
}

/// One queued change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    /// Position in the outbox; later changes have larger numbers.
    pub seq: i64,
    pub mutation_id: MutationId,
    pub lane: Lane,
    /// What kind of record changed: `visit`, `ticket`.
    pub entity: String,
    pub entity_id: String,
    /// What happened to it: `create` for a visit, the action code for a ticket.
    pub op: String,
    /// The change as JSON text.
    pub payload: String,
    pub device_time: Timestamp,
    /// The device stamp given when the change was queued; none for entries
    /// queued before schema version 3.
    pub stamp: Option<EntryStamp>,
}

/// What the device knew when it queued a change: its place in the
/// device's sequence and its time on the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EntryStamp {
    /// Strictly increasing per device, never reused, across restarts.
    pub seq: u64,
    /// The device time plus the clock offset learnt at the last exchange
    /// with the server; the device time itself before any exchange.
    pub corrected_time: Timestamp,
    /// `WallOffset` when an offset was known, `DeviceWall` otherwise.
    pub basis: TimeBasis,
}

/// How many entries wait in each lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PendingCounts {
    pub priority: u64,
    pub bulk: u64,
}

/// A new entry, before it is written.
pub(crate) struct NewEntry<'a> {
    pub lane: Lane,
    pub entity: &'static str,
    pub entity_id: String,
    pub op: &'a str,
    pub payload: String,
}

/// Stamps a change being queued: the next device sequence number (the
/// counter advances in the caller's transaction, so a rolled-back change
/// gives its number back and a committed one never shares it) and the time
/// corrected with the clock offset the device holds.
fn stamp(conn: &Connection, device_time: Timestamp) -> Result<EntryStamp> {
    let seq: i64 = conn
        .prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, '1') ON CONFLICT (key) \
             DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING CAST(value AS INTEGER)",
        )?
        .query_row([meta_keys::DEVICE_SEQ], |r| r.get(0))?;
    let offset: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([meta_keys::CLOCK_OFFSET_MS], |r| r.get(0))
        .optional()?;
    let offset = offset.and_then(|ms| ms.parse::<i64>().ok()).map(SignedDuration::from_millis);
    let (corrected_time, basis) = match offset.and_then(|o| device_time.checked_add(o).ok()) {
        Some(t) => (t, TimeBasis::WallOffset),
        None => (device_time, TimeBasis::DeviceWall),
    };
    Ok(EntryStamp { seq: to_u64(seq), corrected_time, basis })
}

fn basis_code(b: TimeBasis) -> &'static str {
    match b {
        TimeBasis::Monotonic => "monotonic",
        TimeBasis::WallOffset => "wall_offset",
        TimeBasis::DeviceWall => "device_wall",
    }
}

fn basis_of(code: &str) -> Option<TimeBasis> {
    [TimeBasis::Monotonic, TimeBasis::WallOffset, TimeBasis::DeviceWall].into_iter().find(|b| basis_code(*b) == code)
}

/// Appends an entry with its device stamp. Must run inside the transaction
/// of the change. A mutation id already queued is a
/// [`StoreError::Duplicate`].
pub(crate) fn append(conn: &Connection, m: &MutationMeta, e: NewEntry<'_>) -> Result<()> {
    let stamp = stamp(conn, m.device_time)?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO outbox (mutation_id, lane, entity, entity_id, op, payload, device_time, device_seq, \
         corrected_time, time_basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mutation_id = m.mutation_id.to_string();
    let result = stmt.execute(params![
        mutation_id,
        e.lane.code(),
        e.entity,
        e.entity_id,
        e.op,
        e.payload,
        ts_text(m.device_time),
        i64::try_from(stamp.seq).unwrap_or(i64::MAX),
        ts_text(stamp.corrected_time),
        basis_code(stamp.basis),
    ]);
    match result {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Err(StoreError::Duplicate { entity: "mutation", id: mutation_id }),
        Err(err) => Err(err.into()),
    }
}

pub(crate) fn entry(row: &rusqlite::Row<'_>) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        seq: row.get("seq")?,
        mutation_id: col(row, "mutation_id")?,
        lane: col(row, "lane")?,
        entity: row.get("entity")?,
        entity_id: row.get("entity_id")?,
        op: row.get("op")?,
        payload: row.get("payload")?,
        device_time: ts_col(row, "device_time")?,
        stamp: stamp_cols(row)?,
    })
}

/// The stamp columns of an outbox or needs-attention row; none when the
/// row has none (queued before schema version 3) or the query did not ask.
fn stamp_cols(row: &rusqlite::Row<'_>) -> Result<Option<EntryStamp>> {
    let (Ok(Some(seq)), Ok(Some(at)), Ok(Some(basis))) = (
        row.get::<_, Option<i64>>("device_seq"),
        row.get::<_, Option<String>>("corrected_time"),
        row.get::<_, Option<String>>("time_basis"),
    ) else {
        return Ok(None);
    };
    let Some(basis) = basis_of(&basis) else { return Ok(None) };
    Ok(Some(EntryStamp { seq: to_u64(seq), corrected_time: parse_ts(&at)?, basis }))
}

impl Store {
    /// Up to `limit` entries in send order: by `seq` within a lane; with no
    /// lane given, every priority entry before any bulk one.
    pub fn pending(&self, lane: Option<Lane>, limit: usize) -> Result<Vec<OutboxEntry>> {
        let lanes = match lane {
            Some(l) => vec![l],
            None => vec![Lane::Priority, Lane::Bulk],
        };
        let mut out = Vec::new();
        for lane in lanes {
            let left = limit.saturating_sub(out.len());
            if left == 0 {
                break;
            }
            // The lane is a literal so that the priority query can use the
            // partial index `outbox_priority`.
            let sql = format!(
                "SELECT seq, mutation_id, lane, entity, entity_id, op, payload, device_time, device_seq, corrected_time, \
                 time_basis FROM outbox \
                 WHERE lane = '{}' ORDER BY seq LIMIT ?1",
                lane.code()
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query([i64::try_from(left).unwrap_or(i64::MAX)])?;
            while let Some(row) = rows.next()? {
                out.push(entry(row)?);
            }
        }
        Ok(out)
    }

    /// How many entries wait in each lane.
    pub fn pending_counts(&self) -> Result<PendingCounts> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT count(*) FROM outbox WHERE lane = 'priority'), (SELECT count(*) FROM outbox)",
        )?;
        let (priority, all): (i64, i64) = stmt.query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(PendingCounts { priority: to_u64(priority), bulk: to_u64(all - priority) })
    }

    /// Removes the entries the server has acknowledged, in one transaction.
    /// Unknown ids are ignored (an acknowledgement may arrive twice).
    /// Returns how many entries were removed.
    pub fn acknowledge(&mut self, mutation_ids: &[MutationId]) -> Result<usize> {
        let tx = self.write_tx()?;
        let mut removed = 0;
        {
            let mut stmt = tx.prepare_cached("DELETE FROM outbox WHERE mutation_id = ?1")?;
            for id in mutation_ids {
                removed += stmt.execute([id.to_string()])?;
            }
        }
        tx.commit()?;
        self.committed();
        Ok(removed)
    }
}

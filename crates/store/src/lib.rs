//! The steward's on-device database (设备库): SQLite in WAL mode holding the
//! ground the steward works (communities down to households), their tickets
//! and visits, and the outbox of local changes waiting to be synced.
//!
//! Architecture Invariant: nothing outside this crate touches SQLite. The
//! connection is private; callers use [`Store`]'s methods.
//!
//! Architecture Invariant: every local change and its outbox entry commit in
//! one transaction. There is no way to write one without the other.
//!
//! Architecture Invariant: no clock is read here. Times arrive as
//! parameters ([`MutationMeta::device_time`], the bounds of
//! [`Store::todays_work`]).

mod attachments;
mod browse;
mod checkpoint;
mod codec;
mod error;
mod ground;
mod keys;
mod map;
mod migrate;
mod org;
mod outbox;
mod planned;
mod profile;
mod pull;
mod rejected;
mod responses;
mod rows;
mod search;
mod tickets;
mod visits;
mod work;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

pub use attachments::{PendingAttachment, content_name};
pub use browse::{BuildingSummary, CommunitySummary, HouseholdDetail, UnitSummary};
pub use error::{Result, StoreError};
pub use ground::GroundSnapshot;
pub use map::{MapBuilding, MapCommunity, MapPlaces, MapTicket};
pub use migrate::SCHEMA_VERSION;
pub use org::DistrictRow;
pub use outbox::{EntryStamp, Lane, MutationMeta, OutboxEntry, PendingCounts};
pub use planned::{PlannedTask, PlannedVisit};
pub use profile::{PHOTO_KEY, STAFF_PHOTO_ENTITY, StaffPhoto};
pub use pull::{Change, PageReport, RecordKind};
pub use rejected::NeedsAttention;
pub use responses::ResponseTime;
pub use search::{HouseholdHit, MAX_SEARCH_LIMIT};
pub use tickets::TicketSite;
pub use work::{HouseholdTask, TaskReason, TicketTask, WorkList};

/// How long a writer waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Well-known keys of the `meta` table.
pub mod meta_keys {
    /// The id of the steward who uses this device.
    pub const STEWARD_ID: &str = "steward_id";
    /// This device's id.
    pub const DEVICE_ID: &str = "device_id";
    /// The change-feed cursor of the last page applied; written only in the
    /// transaction that applied the page.
    pub const PULL_CURSOR: &str = "pull_cursor";
    /// The server's clock minus the device's, in milliseconds, learnt at the
    /// last exchange with the server.
    pub const CLOCK_OFFSET_MS: &str = "clock_offset_ms";
    /// The last device sequence number given to a queued change; advanced
    /// only in the transaction that queues the change.
    pub const DEVICE_SEQ: &str = "device_seq";
    /// The central's service policy (JSON of the domain's `SlaPolicy`): set
    /// at sign-in and by the change feed's `sla_policy`.
    pub const SLA_POLICY: &str = "sla.policy";
}

/// The device database. Not `Sync`: the app keeps it behind a mutex.
pub struct Store {
    conn: Connection,
    /// Background WAL checkpoints for a file database; none in memory.
    checkpointer: Option<checkpoint::Checkpointer>,
}

/// Row counts, for a status screen and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct StoreStats {
    pub communities: u64,
    pub households: u64,
    pub tickets: u64,
    pub visits: u64,
    pub outbox: u64,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, sets the
    /// connection up and runs pending migrations. Refuses a database made by
    /// a newer app with [`StoreError::SchemaTooNew`].
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Self::setup(Connection::open(path)?)?;
        let checkpointer = checkpoint::Checkpointer::start(path, BUSY_TIMEOUT)?;
        Ok(Store { conn, checkpointer: Some(checkpointer) })
    }

    /// A private in-memory database, for tests and previews.
    pub fn open_in_memory() -> Result<Store> {
        Ok(Store { conn: Self::setup(Connection::open_in_memory()?)?, checkpointer: None })
    }

    fn setup(mut conn: Connection) -> Result<Connection> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode answers with the mode in force ("memory" in memory).
        let _mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -32_000)?;
        conn.pragma_update(None, "wal_autocheckpoint", checkpoint::SAFETY_NET_PAGES)?;
        // After a checkpoint, a WAL grown by a bulk load shrinks back to this.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate::migrate(&mut conn)?;
        Ok(conn)
    }

    /// Counts a committed write for the checkpoint thread.
    fn committed(&mut self) {
        if let Some(c) = &mut self.checkpointer {
            c.committed();
        }
    }

    /// Asks for a checkpoint now, after a bulk write.
    fn committed_bulk(&mut self) {
        if let Some(c) = &mut self.checkpointer {
            c.nudge_now();
        }
    }

    /// Starts a write transaction, taking the write lock at once so that a
    /// concurrent writer waits (busy timeout) instead of failing mid-way.
    fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        migrate::user_version(&self.conn)
    }

    /// Reads a device-local setting.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        Ok(stmt.query_row([key], |row| row.get(0)).optional()?)
    }

    /// Writes a device-local setting. Settings are not synced: no outbox.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        let sql =
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        self.conn.prepare_cached(sql)?.execute([key, value])?;
        self.committed();
        Ok(())
    }

    /// Row counts of the main tables.
    pub fn stats(&self) -> Result<StoreStats> {
        let sql = "SELECT (SELECT count(*) FROM communities), (SELECT count(*) FROM households), \
                   (SELECT count(*) FROM tickets), (SELECT count(*) FROM visits), (SELECT count(*) FROM outbox)";
        let counts: [i64; 5] = self
            .conn
            .prepare_cached(sql)?
            .query_row([], |row| Ok([row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?]))?;
        let [communities, households, tickets, visits, outbox] = counts.map(codec::to_u64);
        Ok(StoreStats { communities, households, tickets, visits, outbox })
    }

    /// Runs SQLite's `PRAGMA integrity_check` and returns its messages:
    /// `["ok"]` for a sound database.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}

/// The query plan of `sql`, one line per step, for tests that pin down
/// which index a query uses.
#[cfg(test)]
pub(crate) fn query_plan(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
    // Parameters stay unbound (NULL): the plan does not depend on them.
    let mut rows = stmt.raw_query();
    let mut plan = Vec::new();
    while let Some(row) = rows.next().expect("plan row") {
        plan.push(row.get(3).expect("plan detail"));
    }
    plan
}

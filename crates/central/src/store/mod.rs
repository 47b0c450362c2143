//! The central store: all SQL of the server lives in this module.
//!
//! SQLite in WAL mode. One writer connection, owned by a writer thread that
//! takes write jobs from a queue: it runs the jobs waiting at one moment in
//! one transaction (group commit), each job inside its own savepoint, so a
//! job that fails is rolled back alone and a job's effect is all or nothing.
//! A job learns its result only once the transaction is committed. A small
//! pool of reader connections serves reads beside it.
//! Handlers reach the database only through [`Store::read`] and
//! [`Store::write`] and the typed methods of [`Db`] and [`Tx`].
//!
//! Architecture Invariant: no SQL outside this module.

mod attachments;
mod callbacks;
mod profile;
mod read;
mod reports;
mod stamps;
mod sweeps;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, Transaction};
use serde::Serialize;
use steward_domain::ids::{DeviceId, DistrictId, TeamId, UserId};
use steward_domain::org::Role;

pub use attachments::AttachmentRow;
pub use callbacks::{CallbackFilter, CallbackRow, CallbackSource, CoverageRow, SatisfactionRow};
pub use profile::ProfileRow;
pub use read::{
    CardData, Change, ChangeOp, DistrictRow, HouseholdFilter, HouseholdRow, PullPage, StewardInfo, TicketFilter,
    TicketRow,
};
pub use reports::{CardCoverageRow, ReportScope, SlaDimension, SlaGroup, SuspensionCoverageRow};
pub use stamps::StampRow;
pub use sweeps::{PlannedRow, SweepRow};
pub use write::{ChangeKeys, ChangeRecord, HouseholdImport, SEEDED_POSITION};

/// The migrations, in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_change_feed_indexes.sql"),
    include_str!("migrations/0003_sla_dispatch.sql"),
    include_str!("migrations/0004_reports_callbacks.sql"),
    include_str!("migrations/0005_stamps_attachments.sql"),
    include_str!("migrations/0006_staff_photo.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Reads running at once; each has its own connection, kept for reuse.
const MAX_READERS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the database has schema version {found}, newer than this build's {supported}; upgrade the server")]
    NewerSchema { found: i64, supported: i64 },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("background task failed: {0}")]
    Task(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is calling, as established from a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub device_id: Option<DeviceId>,
    /// The SHA-256 of the token the call came with, to revoke it on logout.
    pub token_hash: String,
}

/// What a caller may see. Rules:
/// ground records (districts down to households) by district; tickets by
/// assignee, and by district for team leads; visits by steward or district.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Scope {
    /// Hotline agents and admins see the whole centre.
    pub all: bool,
    pub districts: Vec<DistrictId>,
    /// The stewards whose tickets and visits are in scope.
    pub people: Vec<UserId>,
    /// Whether tickets of the districts are in scope whoever holds them.
    pub tickets_by_district: bool,
}

impl Scope {
    pub fn everything() -> Self {
        Scope { all: true, ..Scope::default() }
    }

    pub fn sees_district(&self, district: DistrictId) -> bool {
        self.all || self.districts.contains(&district)
    }

    /// Whether a change-feed entry with these scope keys is in scope.
    pub fn sees_change(&self, kind: &str, district: Option<DistrictId>, assignee: Option<UserId>) -> bool {
        if kind == SLA_POLICY_KIND {
            return true;
        }
        if kind == "ticket" {
            return district.is_some_and(|d| self.sees_ticket(d, assignee))
                || assignee.is_some_and(|a| self.people.contains(&a))
                || self.all;
        }
        self.all
            || district.is_some_and(|d| self.districts.contains(&d))
            || assignee.is_some_and(|a| self.people.contains(&a))
    }

    pub fn sees_ticket(&self, district: DistrictId, assignee: Option<UserId>) -> bool {
        self.all
            || assignee.is_some_and(|a| self.people.contains(&a))
            || (self.tickets_by_district && self.districts.contains(&district))
    }

    fn districts_json(&self) -> String {
        serde_json::to_string(&self.districts).unwrap_or_else(|_| "[]".to_owned())
    }

    fn people_json(&self) -> String {
        serde_json::to_string(&self.people).unwrap_or_else(|_| "[]".to_owned())
    }
}

/// The change-feed kind of the service policy, which every caller sees.
pub const SLA_POLICY_KIND: &str = "sla_policy";

/// Milliseconds since the UNIX epoch, the form of times in indexed columns.
pub fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// Reader connections waiting for reuse.
struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReaderPool {
    fn get(&self) -> Result<Connection> {
        let idle = self.idle.lock().map_err(|_| StoreError::Task("reader pool poisoned".into()))?.pop();
        match idle {
            Some(conn) => Ok(conn),
            None => open_reader(&self.path),
        }
    }

    fn put(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_READERS
        {
            idle.push(conn);
        }
    }
}

/// The handle to the central database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: std::sync::mpsc::Sender<Job>,
    readers: Arc<ReaderPool>,
    /// Bounds the reads on the blocking pool, so a burst of requests waits
    /// here instead of opening a connection each.
    read_permits: Arc<tokio::sync::Semaphore>,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    /// Refuses a database whose schema is newer than this build.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The writer runs every job in a savepoint of a batch transaction:
        // its sub-journal stays in memory (on disk it is never truncated
        // while the transaction lasts, and every page a job touches is
        // written to it), and the batch's pages stay cached until the commit.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", -32_768)?;
        // The WAL is copied back into the database every 10,000 pages
        // (about 40 MiB) instead of every 1,000: a checkpoint runs inside the
        // commit that crosses the mark, so with the default nearly every
        // 2,000-mutation push paid one, copying again the index pages the
        // pushes before had just copied. Push throughput ≈ +7 % (sync-figures).
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        migrate(&mut conn)?;
        Ok(Store {
            writer: spawn_writer(conn)?,
            readers: Arc::new(ReaderPool { path: path.to_owned(), idle: Mutex::new(Vec::new()) }),
            read_permits: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
        })
    }

    /// Runs `f` on a reader connection, on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Db<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.readers.clone();
        let permit = self.read_permits.clone().acquire_owned().await.map_err(|e| StoreError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let conn = pool.get()?;
            let out = f(&Db(&conn));
            pool.put(conn);
            drop(permit);
            out
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` as one write job: all of it or none of it is committed.
    /// Resolves once the job's transaction is committed.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer.send(job(f, tx)).map_err(|_| StoreError::Task("the writer has stopped".into()))?;
        rx.await.map_err(|_| StoreError::Task("the write job was lost".into()))?
    }

    /// Queues `f` as one write job at once and returns the future of its
    /// result. Jobs queued back to back run in the order queued and commit
    /// together (each in its own savepoint), which is how a push of many
    /// mutations pays for one commit instead of one per mutation.
    pub fn write_queued<T, E, F>(&self, f: F) -> impl std::future::Future<Output = Result<T, E>> + Send + use<T, E, F>
    where
        F: FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = self.writer.send(job(f, tx));
        async move {
            sent.map_err(|_| StoreError::Task("the writer has stopped".into()))?;
            rx.await.map_err(|_| StoreError::Task("the write job was lost".into()))?
        }
    }

    /// [`Store::write_queued`] for a job that makes all its writes inside
    /// [`Tx::savepoint`] calls, each all or nothing, such as a push applying
    /// many mutations: it runs without a savepoint of its own, so a failure
    /// outside its parts does not undo the parts that succeeded.
    pub fn write_in_parts<T, E, F>(&self, f: F) -> impl std::future::Future<Output = Result<T, E>> + Send + use<T, E, F>
    where
        F: FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = self.writer.send(Job { run: job_fn(f, tx), in_parts: true });
        async move {
            sent.map_err(|_| StoreError::Task("the writer has stopped".into()))?;
            rx.await.map_err(|_| StoreError::Task("the write job was lost".into()))?
        }
    }

    /// [`Store::write`] for callers outside the runtime, such as the
    /// command-line imports.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer.send(job(f, tx)).map_err(|_| StoreError::Task("the writer has stopped".into()))?;
        rx.blocking_recv().map_err(|_| StoreError::Task("the write job was lost".into()))?
    }

    /// [`Store::read`] for callers outside the runtime.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Db<'_>) -> Result<T>) -> Result<T> {
        let conn = self.readers.get()?;
        let out = f(&Db(&conn));
        self.readers.put(conn);
        out
    }
}

/// What a job hands back after running: whether it succeeded, and how to
/// deliver its result once the commit is known.
type Deliver = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// A write job. Called with `None` when it cannot run (the transaction
/// could not begin).
struct Job {
    run: JobFn,
    /// Whether the job writes only inside its own savepoints
    /// ([`Tx::savepoint`]) and so runs without one around it: a savepoint
    /// held open over many writes makes SQLite journal every page again
    /// for each savepoint nested in it, and keeps the journal growing.
    in_parts: bool,
}

/// The most jobs committed together.
const MAX_BATCH: usize = 256;

fn job<T, E, F>(f: F, reply: tokio::sync::oneshot::Sender<Result<T, E>>) -> Job
where
    F: FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    Job { run: job_fn(f, reply), in_parts: false }
}

type JobFn = Box<dyn FnOnce(Option<&Tx<'_>>) -> (bool, Deliver) + Send>;

fn job_fn<T, E, F>(f: F, reply: tokio::sync::oneshot::Sender<Result<T, E>>) -> JobFn
where
    F: FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    Box::new(move |tx: Option<&Tx<'_>>| {
        let out = match tx {
            Some(tx) => f(tx),
            None => Err(StoreError::Task("the write transaction could not begin".into()).into()),
        };
        let ok = out.is_ok();
        let deliver: Deliver = Box::new(move |commit_error: Option<&StoreError>| {
            let out = match (out, commit_error) {
                (Ok(_), Some(e)) => Err(StoreError::Task(format!("commit failed: {e}")).into()),
                (out, _) => out,
            };
            let _ = reply.send(out);
        });
        (ok, deliver)
    })
}

fn spawn_writer(conn: Connection) -> Result<std::sync::mpsc::Sender<Job>> {
    let (sender, jobs) = std::sync::mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || writer_loop(conn, jobs))
        .map_err(|e| StoreError::Task(format!("starting the writer: {e}")))?;
    Ok(sender)
}

/// Runs the jobs waiting at each moment in one transaction, each in a
/// savepoint, and delivers their results after the commit.
fn writer_loop(mut conn: Connection, jobs: std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => {
                tracing::error!(error = %e, "the write transaction could not begin");
                for j in batch {
                    let (_, deliver) = (j.run)(None);
                    deliver(None);
                }
                continue;
            }
        };
        let mut delivers = Vec::with_capacity(batch.len());
        for j in batch {
            if j.in_parts {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (j.run)(Some(&Tx(&tx))))) {
                    Ok((_, deliver)) => delivers.push(deliver),
                    Err(_) => tracing::error!("a write job panicked outside its savepoints"),
                }
                continue;
            }
            if let Err(e) = tx.prepare_cached("SAVEPOINT job").and_then(|mut s| s.execute([])) {
                tracing::error!(error = %e, "savepoint failed");
                delivers.push((j.run)(None).1);
                continue;
            }
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (j.run)(Some(&Tx(&tx)))));
            let ok = matches!(run, Ok((true, _)));
            let end = |sql: &str| tx.prepare_cached(sql).and_then(|mut s| s.execute([]));
            let ended = if ok { end("RELEASE job") } else { end("ROLLBACK TO job").and_then(|_| end("RELEASE job")) };
            if let Err(e) = ended {
                tracing::error!(error = %e, "ending a savepoint failed");
            }
            match run {
                Ok((_, deliver)) => delivers.push(deliver),
                Err(_) => tracing::error!("a write job panicked; it was rolled back"),
            }
        }
        let commit_error = tx.commit().err().map(StoreError::from);
        if let Some(e) = &commit_error {
            tracing::error!(error = %e, "commit failed");
        }
        for deliver in delivers {
            deliver(commit_error.as_ref());
        }
    }
}

fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// Applies the migrations not yet applied, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found, supported: SCHEMA_VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Read access: the typed queries.
pub struct Db<'a>(&'a Connection);

/// Write access inside one transaction: the typed changes, and every query
/// of [`Db`] through [`Tx::db`].
pub struct Tx<'a>(&'a Transaction<'a>);

impl Tx<'_> {
    pub fn db(&self) -> Db<'_> {
        Db(self.0)
    }

    /// Runs `f` inside a savepoint of this transaction: when it fails (or
    /// panics) everything it wrote is rolled back and the rest of the
    /// transaction stands. This is how one write job applies many
    /// mutations, each all or nothing.
    pub fn savepoint<T, E>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let exec = |sql: &str| -> Result<()> {
            self.0.prepare_cached(sql)?.execute([])?;
            Ok(())
        };
        exec("SAVEPOINT part")?;
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        let out = match run {
            Ok(out) => out,
            Err(_) => {
                tracing::error!("a part of a write job panicked; it was rolled back");
                Err(StoreError::Task("the operation panicked".into()).into())
            }
        };
        if out.is_err() {
            exec("ROLLBACK TO part")?;
        }
        exec("RELEASE part")?;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failing_or_panicking_job_leaves_its_batch_mates_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db")).unwrap();
        let mut handles = Vec::new();
        for i in 0..60 {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                store
                    .write(move |tx| {
                        tx.audit(i, None, None, "test", "job", Some(&i.to_string()), None)?;
                        match i % 3 {
                            0 => Ok(i),
                            1 => Err(StoreError::Invalid("refused".into())),
                            _ => panic!("job {i} panics"),
                        }
                    })
                    .await
            }));
        }
        let mut ok = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::Invalid(_) | StoreError::Task(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 20);
        let kept = store.write(|tx| tx.audit_of_action("test")).await.unwrap();
        assert_eq!(kept.len(), 20);
        assert!(kept.iter().all(|id| id.parse::<i64>().unwrap() % 3 == 0));
    }

    #[tokio::test]
    async fn a_job_in_parts_keeps_the_parts_that_succeeded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db")).unwrap();
        let results = store
            .write_in_parts(|tx| {
                let results: Vec<_> = (0..9_i64)
                    .map(|i| {
                        tx.savepoint(|tx| {
                            tx.audit(i, None, None, "part", "job", Some(&i.to_string()), None)?;
                            match i % 3 {
                                0 => Ok(i),
                                1 => Err(StoreError::Invalid("refused".into())),
                                _ => panic!("part {i} panics"),
                            }
                        })
                        .is_ok()
                    })
                    .collect();
                Ok::<_, StoreError>(results)
            })
            .await
            .unwrap();
        assert_eq!(results.iter().filter(|ok| **ok).count(), 3);
        let kept = store.write(|tx| tx.audit_of_action("part")).await.unwrap();
        assert_eq!(kept, ["0", "3", "6"]);
    }

    #[test]
    fn migrates_an_empty_database_and_refuses_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.read_blocking(|db| db.schema_version()).unwrap(), SCHEMA_VERSION);
        drop(store);
        // Reopening is a no-op.
        Store::open(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        match Store::open(&path) {
            Err(StoreError::NewerSchema { found, supported }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected NewerSchema, got {:?}", other.map(|_| ())),
        }
    }
}

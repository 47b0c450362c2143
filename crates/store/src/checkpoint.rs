//! WAL checkpoints off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its
//! threshold, and with `synchronous=NORMAL` a checkpoint syncs the files, so
//! that one commit takes milliseconds instead of microseconds: the tail
//! latency of recording a visit. The store keeps the automatic checkpoint
//! only as a distant safety net and runs passive checkpoints on a thread of
//! its own, with its own connection, nudged every few commits. A passive
//! checkpoint never blocks the writer, and a crash during one is harmless:
//! the WAL still holds every frame it had not copied.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::Result;

/// Commits between two nudges of the checkpoint thread.
const NUDGE_EVERY_COMMITS: u32 = 32;

/// WAL pages after which the writer checkpoints by itself, should the
/// thread fall behind (about 40 MB).
pub(crate) const SAFETY_NET_PAGES: i64 = 10_000;

/// The checkpoint thread and its doorbell.
pub(crate) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    commits: u32,
}

impl Checkpointer {
    /// Opens a second connection to `path` and starts the thread.
    pub(crate) fn start(path: &Path, busy_timeout: Duration) -> Result<Checkpointer> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(busy_timeout)?;
        let (nudge, doorbell) = mpsc::sync_channel(1);
        let thread =
            thread::Builder::new().name("steward-store-checkpoint".into()).spawn(move || run(conn, doorbell))?;
        Ok(Checkpointer { nudge: Some(nudge), thread: Some(thread), commits: 0 })
    }

    /// Counts a commit and nudges the thread every few commits.
    pub(crate) fn committed(&mut self) {
        self.commits += 1;
        if self.commits >= NUDGE_EVERY_COMMITS {
            self.nudge_now();
        }
    }

    /// Asks for a checkpoint now, after a large write. Nudges coalesce: a
    /// checkpoint already pending covers this one.
    pub(crate) fn nudge_now(&mut self) {
        self.commits = 0;
        if let Some(nudge) = &self.nudge {
            let _ = nudge.try_send(());
        }
    }
}

fn run(conn: Connection, doorbell: Receiver<()>) {
    while doorbell.recv().is_ok() {
        // A busy or failed checkpoint is retried at the next nudge; the
        // safety net covers a thread that keeps failing.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop.
        self.nudge = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

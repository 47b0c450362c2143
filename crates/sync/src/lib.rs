//! The offline sync engine of Heat Steward (供暖管家): the outbox goes up in
//! size-bounded batches (ticket actions first), the server's change feed
//! comes down page by page with its cursor, failures are retried with
//! jittered backoff and a watchdog, and the UI watches a status stream.
//!
//! The crate is layered like PowerSync's core: [`engine`] decides (no I/O,
//! no clock, no randomness of its own), [`wire`] translates between the
//! store and the protocol, [`transport`] is the server and the clock behind
//! traits, and [`runner`] carries out the decisions as a tokio task.
//!
//! Architecture Invariant: nothing is lost and nothing is applied twice. An
//! outbox entry leaves the queue only when the server has answered for it
//! (`applied`, `duplicate`, or `rejected`, which keeps it in needs
//! attention); the pull cursor advances only in the transaction that applied
//! its page; every mutation carries a client id the server deduplicates on.

pub mod engine;
pub mod runner;
pub mod transport;
pub mod wire;

pub use engine::{BatchLimits, ScheduleConfig};
pub use runner::{RoundReport, StoreAccess, SyncConfig, SyncError, SyncHandle, SyncStatus, Syncer, spawn};
pub use transport::{AttachmentPiece, Clock, Credentials, HttpTransport, SystemClock, Transport, TransportError};

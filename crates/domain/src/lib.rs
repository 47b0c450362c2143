//! The pure domain core of Heat Steward (供暖管家).
//!
//! Architecture Invariant: this crate does no I/O. No SQLite, no HTTP, no
//! Tauri, no file system, and no `now()`: time and randomness come in as
//! parameters, so every rule here is deterministic and tests fast.

pub mod callback;
pub mod dispatch;
pub mod geometry;
pub mod ground;
pub mod ids;
pub mod incident;
pub mod org;
pub mod photo;
pub mod pinyin_key;
pub mod report;
pub mod sla;
pub mod sweep;
pub mod ticket;
pub mod vcard;
pub mod visit;

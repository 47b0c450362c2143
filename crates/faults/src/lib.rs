//! The fault-injection proof of the sync engine (issue 4): the real central
//! server code and the real device store and sync runner, as separate
//! processes that can be SIGKILLed and restarted on their SQLite files,
//! talking through a seeded fault proxy that refuses, delays, duplicates and
//! cuts connections mid-body. After every randomized round every record is
//! counted on both sides: 0 lost, 0 doubled, cursors consistent.
//!
//! `tests/it` runs a few hundred rounds with the normal test suite; the
//! `soak` binary runs as many as asked.

pub mod proxy;
pub mod scenarios;
pub mod world;

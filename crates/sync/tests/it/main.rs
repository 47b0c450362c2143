//! The sync engine against the real central server in-process (bound to
//! 127.0.0.1:0, a fresh SQLite file, the demo data) and a real device store
//! file, through a switchable TCP proxy that plays the network going away.

mod attachments;
mod clock;
mod faults;
mod pipeline;
mod support;
mod sync;
mod tickets;
mod tls;

//! The one integration-test binary of steward-central: a real server on
//! 127.0.0.1:0, a fresh SQLite file per test, HTTP through reqwest.

mod auth;
mod basics;
mod callbacks;
mod cards;
mod demo;
mod dispatch;
mod helpers;
mod households;
mod imports;
mod lifecycle;
mod matrix;
mod me;
mod reports;
mod sla;
mod sweeps;
mod sync;
mod tickets;
mod users;

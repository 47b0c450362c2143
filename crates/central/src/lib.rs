//! The central API server of Heat Steward (供暖管家).
//!
//! Architecture Invariant: only this crate knows axum and the HTTP wire
//! format; SQL lives only in [`store`]; ticket and visit rules come from
//! `steward_domain` and are not repeated here.

pub mod api;
pub mod auth;
pub mod cards;
pub mod cli;
pub mod error;
pub mod import;
pub mod json;
pub mod openapi;
pub mod seed;
pub mod server;
pub mod service;
pub mod store;
pub mod vcard;

pub use server::{AppState, Clock, Config, SystemClock, app, run};

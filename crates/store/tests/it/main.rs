//! The store's integration tests: one binary, one module per area.

mod attachments;
mod browse;
mod crash;
mod ground;
mod migrate;
mod outbox;
mod planned;
mod pull;
mod search;
mod support;
mod visits;
mod work;

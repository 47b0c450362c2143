//! A device as a process the fault suite can `kill -9`: it opens a device
//! store file, records `--record` visits (each with its outbox entry), runs
//! the sync runner (`steward_sync::spawn`) against `--url`, and exits 0 once
//! a round has gone through with the outbox empty. It prints what it does,
//! one line each: `recorded <n>`, `pushed <n>` (mutations answered),
//! `pulled more|last` (a page), `drained`. A line `quit` on stdin stops it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use jiff::SignedDuration;
use steward_domain::ids::{DeviceId, HouseholdId};
use steward_faults::world::{self, SkewedClock};
use steward_protocol::{PullResponse, PushRequest, PushResponse};
use steward_sync::{BatchLimits, Clock, Credentials, HttpTransport, Transport, TransportError};
use tokio::io::AsyncBufReadExt;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    url: String,
    #[arg(long)]
    username: String,
    #[arg(long)]
    device_id: uuid::Uuid,
    /// Households to visit, comma-separated ids.
    #[arg(long, value_delimiter = ',')]
    households: Vec<uuid::Uuid>,
    #[arg(long, default_value_t = 0)]
    record: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How far the device's clock is off, in milliseconds.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    skew_ms: i64,
    #[arg(long, default_value_t = 1000)]
    pull_limit: u32,
    #[arg(long, default_value_t = 200)]
    batch: usize,
}

/// The HTTP transport, saying after each answer what came back.
struct Telling(HttpTransport);

impl Transport for Telling {
    async fn login(&self, credentials: &Credentials) -> Result<String, TransportError> {
        self.0.login(credentials).await
    }

    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let answer = self.0.push(token, request).await?;
        println!("pushed {}", answer.outcomes.len());
        Ok(answer)
    }

    async fn pull(&self, token: &str, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError> {
        let answer = self.0.pull(token, cursor, limit).await?;
        println!("pulled {}", if answer.has_more { "more" } else { "last" });
        Ok(answer)
    }
    async fn attachment_offset(&self, token: &str, sha256: &str) -> Result<Option<(u64, bool)>, TransportError> {
        self.0.attachment_offset(token, sha256).await
    }

    async fn put_attachment(
        &self,
        token: &str,
        piece: steward_sync::AttachmentPiece,
    ) -> Result<steward_protocol::AttachmentStatus, TransportError> {
        self.0.put_attachment(token, piece).await
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let clock = SkewedClock(SignedDuration::from_millis(a.skew_ms));
    let device = world::open_device(&a.db)?;
    if a.record > 0 {
        let me = world::steward(&a.username);
        let visits: Vec<_> = (0..a.record)
            .map(|i| {
                let h = a.households[i % a.households.len().max(1)];
                world::visit(HouseholdId(h), me, (a.seed % 10_000) as i64 * 10 + i as i64)
            })
            .collect();
        let mut store = device.lock().unwrap_or_else(|p| p.into_inner());
        world::record(&mut store, &visits, clock.now())?;
        println!("recorded {}", visits.len());
    }
    let mut config = world::sync_config(&a.username, DeviceId(a.device_id), a.seed);
    config.pull_limit = a.pull_limit;
    config.batch = BatchLimits { max_mutations: a.batch.max(1), ..BatchLimits::default() };
    let handle = steward_sync::spawn(device, Telling(world::transport(&a.url)?), clock, config);
    let mut status = handle.status();
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    loop {
        tokio::select! {
            changed = status.changed() => {
                changed.context("the sync task stopped")?;
                let st = status.borrow_and_update().clone();
                if st.last_success_at.is_some() && st.in_progress.is_none() && st.pending_priority + st.pending_bulk == 0 {
                    break;
                }
            }
            line = stdin.next_line(), if stdin_open => match line {
                Ok(Some(l)) if l.trim() == "quit" => {
                    handle.shutdown().await;
                    return Ok(());
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => stdin_open = false,
            },
        }
    }
    handle.shutdown().await;
    println!("drained");
    Ok(())
}

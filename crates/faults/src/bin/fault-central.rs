//! The central server as a process the fault suite can kill: the real
//! `steward-central` code (`steward_central::run` over its SQLite store),
//! seeded with the small demo data set and fast password hashes.
//!
//! - `fault-central seed --db central.db` seeds an empty database and exits;
//! - `fault-central serve --db central.db [--listen 127.0.0.1:0]` prints
//!   `listening on <addr>` and serves until it is killed.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use steward_central::auth::PasswordPolicy;
use steward_central::store::Store;
use steward_central::{AppState, Config};
use steward_faults::world;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Seed {
        #[arg(long)]
        db: PathBuf,
    },
    Serve {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed { db } => {
            let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
            let data = world::dataset();
            let as_of = data.config.as_of;
            tokio::task::spawn_blocking(move || {
                steward_central::seed::seed_dataset(
                    &store,
                    &data,
                    world::PASSWORD,
                    PasswordPolicy::insecure_fast(),
                    as_of,
                )
            })
            .await??;
            println!("seeded {}", db.display());
        }
        Command::Serve { db, listen } => {
            let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
            let config =
                Config { password_policy: PasswordPolicy::insecure_fast(), body_limit: 8 << 20, ..Config::default() };
            let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
            println!("listening on {}", listener.local_addr()?);
            steward_central::run(listener, AppState::new(store, config), std::future::pending()).await?;
        }
    }
    Ok(())
}

//! `steward-central`: serve, seed the demo, import registers.

use anyhow::Context;
use clap::Parser;
use jiff::{SignedDuration, Timestamp};
use steward_central::cli::{Cli, Command, ImportWhat};
use steward_central::store::Store;
use steward_central::{AppState, Config, import, openapi, server};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    match Cli::parse().command {
        Command::Serve { db, listen, token_ttl_hours } => {
            let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
            let config = Config { token_ttl: SignedDuration::from_hours(token_ttl_hours), ..Config::default() };
            let shutdown = server::shutdown_signal().context("installing signal handlers")?;
            let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "serving");
            println!("listening on http://{addr}");
            server::run(listener, AppState::new(store, config), shutdown).await?;
        }
        Command::SeedDemo { db, password, as_of } => {
            let store = Store::open(&db)?;
            let report = tokio::task::spawn_blocking(move || {
                let policy = Config::default().password_policy;
                steward_central::seed::seed_demo(&store, &password, policy, Timestamp::now(), as_of)
            })
            .await??;
            println!("{report}");
        }
        Command::Import { what } => {
            let (db, file, is_districts) = match what {
                ImportWhat::Districts { file, db } => (db, file, true),
                ImportWhat::Households { file, db } => (db, file, false),
            };
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let store = Store::open(&db)?;
            let report = tokio::task::spawn_blocking(move || {
                if is_districts {
                    import::import_districts(&store, &text, Timestamp::now())
                } else {
                    import::import_households(&store, &text, Timestamp::now())
                }
            })
            .await?
            .with_context(|| format!("importing {}", file.display()))?;
            println!("imported {}: {} created, {} updated", file.display(), report.created, report.updated);
        }
        Command::Openapi { write } => {
            if write {
                std::fs::write(openapi::COMMITTED, openapi::json())?;
                println!("wrote {}", openapi::COMMITTED);
            } else {
                print!("{}", openapi::json());
            }
        }
    }
    Ok(())
}

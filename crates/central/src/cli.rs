//! The command line of `steward-central`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "steward-central", version, about = "Heat Steward (供暖管家) central API server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves the API; creates and migrates the database file.
    Serve {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// How long a bearer token lives, in hours.
        #[arg(long, default_value_t = 168)]
        token_ttl_hours: i64,
    },
    /// Loads the 商河 demo data set with demo accounts.
    SeedDemo {
        #[arg(long)]
        db: PathBuf,
        /// The password of every demo account.
        #[arg(long, default_value = "heat-demo")]
        password: String,
        /// The demo's "now" (RFC 3339, within the 2026–27 season): its open
        /// tickets were reported just before it. A device that loads the
        /// demo must use the same instant for the ids to agree.
        #[arg(long)]
        as_of: Option<jiff::Timestamp>,
    },
    /// Imports a register file.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Prints the OpenAPI document, or writes the committed copy.
    Openapi {
        /// Writes crates/central/openapi.json instead of printing.
        #[arg(long)]
        write: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// District boundaries from a GeoJSON FeatureCollection.
    Districts {
        file: PathBuf,
        #[arg(long)]
        db: PathBuf,
    },
    /// The household register from CSV.
    Households {
        file: PathBuf,
        #[arg(long)]
        db: PathBuf,
    },
}

//! `steward-demo`: writes the demo data set as the central server imports it.
//!
//! ```text
//! steward-demo [--seed N] [--households N] [--as-of 2026-11-26T02:00:00Z] --out DIR
//! ```
//!
//! DIR receives `households.csv`, `districts.geojson` and `summary.json`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use steward_demo::{DemoConfig, generate};

const USAGE: &str = "usage: steward-demo [--seed N] [--households N] [--as-of RFC3339] --out DIR";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("steward-demo: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut cfg = DemoConfig::default();
    let mut out: Option<PathBuf> = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            return Ok(());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value:?}: {e}");
        match flag.as_str() {
            "--seed" => cfg.seed = value.parse().map_err(|e| bad(&e))?,
            "--households" => cfg.households = value.replace('_', "").parse().map_err(|e| bad(&e))?,
            "--as-of" => cfg.as_of = value.parse().map_err(|e| bad(&e))?,
            "--out" => out = Some(PathBuf::from(&value)),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;

    let started = Instant::now();
    let data = generate(&cfg).map_err(|e| e.to_string())?;
    let generated = started.elapsed();
    let summary = data.summary();
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;

    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("households.csv", &data.to_households_csv())?;
    write("districts.geojson", &data.districts_geojson())?;
    write("summary.json", &(json.clone() + "\n"))?;
    let written = started.elapsed();

    println!("{json}");
    eprintln!(
        "generated {} households, {} tickets, {} visits in {:.2} s; written to {} in {:.2} s total",
        summary.households,
        summary.tickets,
        summary.visits,
        generated.as_secs_f64(),
        out.display(),
        written.as_secs_f64()
    );
    Ok(())
}

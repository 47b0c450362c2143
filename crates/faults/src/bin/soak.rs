//! The long fault soak: `cargo run --release -p steward-faults --bin soak --
//! --rounds 5000 --seed 7`. It runs the scenarios of the fault suite in
//! their proportions (see `scenarios::plan`), each in its own world (a
//! central process on a copy of the seeded database, its devices), and
//! stops at the first round whose count is off, naming its seed.

use std::time::Instant;

use clap::Parser;
use steward_faults::scenarios::{self, Scenario};
use steward_faults::world::{self, Bins};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    rounds: u64,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Only this scenario (its position in the list, 0..7), all rounds.
    #[arg(long)]
    only: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bins = Bins::beside_current_exe()?;
    let dir = tempfile::tempdir()?;
    let template = world::seeded_template(&bins, dir.path()).await?;
    let plan = match args.only {
        Some(i) => vec![(*Scenario::ALL.get(i).ok_or_else(|| anyhow::anyhow!("no scenario {i}"))?, args.rounds)],
        None => scenarios::plan(args.rounds),
    };
    let started = Instant::now();
    let mut total = 0;
    for (i, (scenario, rounds)) in plan.into_iter().enumerate() {
        let seed = args.seed.wrapping_add((i as u64) << 32);
        let (tally, took) = scenarios::run(&bins, &template, scenario, seed, rounds).await?;
        total += tally.rounds;
        println!("{:<34} {:>5} rounds in {:>7.1} s  {tally:?}", scenario.name(), tally.rounds, took.as_secs_f64());
    }
    println!("{total} rounds, 0 lost, 0 doubled, in {:.1} s (seed {})", started.elapsed().as_secs_f64(), args.seed);
    Ok(())
}

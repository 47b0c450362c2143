//! The fault suite with the normal test run: the real central as a process
//! (`fault-central`, killed with SIGKILL and restarted on its file), devices
//! in-process and as processes (`fault-client`, killed with `kill -9`),
//! through the seeded fault proxy. Each scenario runs its rounds in its own
//! world; after every round every record is counted on both sides.
//!
//! `FAULT_SEED` replays a run (a failing round prints its seed); the soak
//! command runs many more: `cargo run --release -p steward-faults --bin soak
//! -- --rounds 5000 --seed N`.

use std::path::PathBuf;
use std::sync::OnceLock;

use steward_faults::scenarios::{self, Scenario};
use steward_faults::world::{self, Bins};

fn bins() -> Bins {
    Bins {
        central: PathBuf::from(env!("CARGO_BIN_EXE_fault-central")),
        client: PathBuf::from(env!("CARGO_BIN_EXE_fault-client")),
    }
}

/// The seeded central database, made once for the binary.
fn template() -> PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("template-central.db");
        let out = std::process::Command::new(bins().central).arg("seed").arg("--db").arg(&db).output().unwrap();
        assert!(out.status.success(), "seeding: {}", String::from_utf8_lossy(&out.stderr));
        (dir, db)
    })
    .1
    .clone()
}

fn seed() -> u64 {
    std::env::var("FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026)
}

async fn rounds(scenario: Scenario, offset: u64, n: u64) {
    let _ = world::dataset();
    let seed = seed().wrapping_add(offset << 32);
    match scenarios::run(&bins(), &template(), scenario, seed, n).await {
        Ok((tally, took)) => {
            assert_eq!(tally.rounds, n);
            if matches!(scenario, Scenario::Flaky | Scenario::TwoDevices) {
                assert!(
                    tally.faulty_connections > 0 && tally.duplicated_requests > 0,
                    "faults were injected: {tally:?}"
                );
            }
            eprintln!("{}: {n} rounds in {:.1} s, {tally:?}", scenario.name(), took.as_secs_f64());
        }
        Err(e) => panic!("{e:#}"),
    }
}

// 150 + 20 + 6 + 10 + 8 + 8 + 1 = 203 rounds.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_network_and_clock_two_hours_off() {
    rounds(Scenario::Flaky, 0, 150).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_of_one_steward() {
    rounds(Scenario::TwoDevices, 1, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_reassigned_while_the_device_is_offline() {
    rounds(Scenario::Reassigned, 2, 6).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_killed_mid_batch_and_restarted() {
    rounds(Scenario::ServerKill, 3, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_killed_mid_push_and_restarted() {
    rounds(Scenario::ClientKillPush, 4, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_killed_mid_pull_and_restarted() {
    rounds(Scenario::ClientKillPull, 5, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_days_offline_with_two_thousand_queued_then_a_flaky_network() {
    rounds(Scenario::Offline, 6, 1).await;
}

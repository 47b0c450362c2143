//! Crash safety: a writer killed with SIGKILL at a random commit leaves a
//! sound database where every visit has its outbox entry and every
//! acknowledged commit survived.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use steward_store::Store;

const ROUNDS: usize = 40;

fn seed() -> u64 {
    match std::env::var("STORE_CRASH_SEED") {
        Ok(s) => s.parse().expect("STORE_CRASH_SEED is a number"),
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64,
    }
}

/// Runs the writer until it has reported `commits` commits, then kills it.
/// Returns the last count it reported.
fn run_and_kill(path: &std::path::Path, commits: usize, seed: u64, round: usize) -> u64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_store-crash-writer"))
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut last = None;
    for line in stdout.lines().take(commits) {
        let line = line.unwrap();
        let n = line.strip_prefix("committed ").and_then(|n| n.parse::<u64>().ok());
        last = Some(n.unwrap_or_else(|| panic!("seed {seed} round {round}: unexpected line {line:?}")));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let Some(last) = last else {
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        panic!("seed {seed} round {round}: the writer committed nothing ({status}): {err}");
    };
    last
}

/// Checks the database after a kill.
fn check(path: &std::path::Path, acknowledged: u64, seed: u64, round: usize) {
    let ctx = format!("seed {seed} round {round}");
    let store = Store::open(path).unwrap_or_else(|e| panic!("{ctx}: reopen failed: {e}"));
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_owned()], "{ctx}");
    let visits = store.stats().unwrap().visits;
    assert!(visits >= acknowledged, "{ctx}: {visits} visits, but commit {acknowledged} was acknowledged");
    drop(store);

    let raw = Connection::open(path).unwrap();
    let count = |sql: &str| -> i64 { raw.query_row(sql, [], |r| r.get(0)).unwrap() };
    let orphan_visits = count(
        "SELECT count(*) FROM visits v WHERE (SELECT count(*) FROM outbox o \
         WHERE o.entity = 'visit' AND o.entity_id = v.id) <> 1",
    );
    let orphan_entries = count(
        "SELECT count(*) FROM outbox o WHERE o.entity = 'visit' \
         AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = o.entity_id)",
    );
    assert_eq!(orphan_visits, 0, "{ctx}: visits without exactly one outbox entry");
    assert_eq!(orphan_entries, 0, "{ctx}: outbox entries without their visit");
    assert_eq!(count("SELECT count(*) FROM outbox"), count("SELECT count(*) FROM visits"), "{ctx}");
}

#[test]
fn a_killed_writer_never_leaves_a_record_without_its_outbox_entry() {
    let seed = seed();
    eprintln!("crash test seed {seed} (rerun with STORE_CRASH_SEED={seed})");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut highest = 0;
    for round in 0..ROUNDS {
        let commits = rng.random_range(1..50);
        let acknowledged = run_and_kill(&path, commits, seed, round);
        assert!(acknowledged > highest, "seed {seed} round {round}: the count went back from {highest}");
        highest = acknowledged;
        check(&path, acknowledged, seed, round);
    }
}

//! Randomized rounds through the fault proxy: visits recorded, synced over
//! a network that refuses, delays and cuts connections mid-body, then every
//! record counted on both sides: 0 lost, 0 doubled.
//!
//! `SYNC_FAULT_SEED` and `SYNC_FAULT_ROUNDS` choose the seed and the number
//! of rounds; a failing round prints its seed.

use std::collections::HashMap;

use jiff::SignedDuration;
use steward_store::PendingCounts;
use steward_sync::engine::Jitter;
use tempfile::tempdir;

use crate::support::*;
use steward_faults::proxy::Proxy;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test]
async fn randomized_rounds_over_a_faulty_network_lose_and_double_nothing() {
    let base_seed = env_u64("SYNC_FAULT_SEED", 2026);
    let rounds = env_u64("SYNC_FAULT_ROUNDS", 20);
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    let mut syncer = syncer(&device, &proxy, "steward1", SignedDuration::ZERO);
    syncer.round().await.unwrap();
    let before = central.visits().await;
    let me = steward("steward1");
    let households = households_of("steward1", 50);
    let mut recorded = Vec::new();
    let (mut attempts_total, mut duplicates) = (0, 0);

    for round in 0..rounds {
        let seed = base_seed.wrapping_add(round);
        let fail = |what: &str| -> String { format!("round {round}, seed {seed}: {what}") };
        let mut jitter = Jitter::new(seed);
        let n = 1 + jitter.next_u64() % 8;
        let visits: Vec<_> = (0..n)
            .map(|i| {
                let h = &households[(jitter.next_u64() % households.len() as u64) as usize];
                visit(h.id, me, (round * 10 + i) as i64)
            })
            .collect();
        record(&device, &visits);
        recorded.extend(visits);

        // Sync over a network where about half the connections misbehave,
        // until a round gets through.
        proxy.set_faults(Some((seed, 50)));
        let mut attempts = 0;
        loop {
            attempts += 1;
            assert!(attempts <= 200, "{}", fail("no round got through in 200 attempts"));
            if let Ok(report) = syncer.round().await {
                duplicates += report.duplicates;
                break;
            }
        }
        attempts_total += attempts;
        proxy.set_faults(None);
        let counts = device.lock().unwrap().pending_counts().unwrap();
        assert_eq!(counts, PendingCounts::default(), "{}", fail("the outbox is empty after a good round"));
        assert_eq!(
            central.visits().await,
            before + recorded.len() as i64,
            "{}",
            fail("the central holds each recorded visit once")
        );
    }

    // Every record counted on both sides.
    let feed = central.feed_visit_ids("steward1").await;
    let mut times: HashMap<&str, usize> = HashMap::new();
    for id in &feed {
        *times.entry(id.as_str()).or_default() += 1;
    }
    let lost = recorded.iter().filter(|v| !times.contains_key(v.id().to_string().as_str())).count();
    let doubled = times.values().filter(|n| **n > 1).count();
    assert_eq!((lost, doubled), (0, 0), "seed {base_seed}: lost and doubled");
    let store = device.lock().unwrap();
    assert_eq!(store.needs_attention_count().unwrap(), 0, "seed {base_seed}");
    assert_eq!(
        store.stats().unwrap().visits as usize,
        times.len(),
        "seed {base_seed}: the device holds the feed's visits"
    );
    eprintln!(
        "{rounds} fault rounds from seed {base_seed}: {} visits, {attempts_total} attempts, {duplicates} answered \
         duplicate after a lost answer",
        recorded.len()
    );
}

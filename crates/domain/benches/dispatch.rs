//! Dispatch ranking: 2,000 stewards for one ticket, the size the requirement
//! names (p99 < 1 ms). Criterion reports the median; a plain loop of 10,000
//! timed runs reports the p99, which Criterion does not.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steward_domain::dispatch::{
    Candidate, DispatchConfig, DispatchTicket, PositionFix, StewardSnapshot, rank_candidates, rank_candidates_into,
};
use steward_domain::geometry::LonLat;
use steward_domain::ids::UserId;

const STEWARDS: usize = 2_000;
const RUNS: usize = 10_000;
/// A 50 km square near 商河县, as in the `assign` bench.
const ORIGIN: (f64, f64) = (117.0, 37.1);
const SPAN: (f64, f64) = (0.564, 0.45);

fn at(rng: &mut ChaCha8Rng) -> LonLat {
    LonLat::new(ORIGIN.0 + rng.random_range(0.0..SPAN.0), ORIGIN.1 + rng.random_range(0.0..SPAN.1)).unwrap()
}

fn minutes_ago(now: Timestamp, m: i64) -> Timestamp {
    now.checked_sub(SignedDuration::from_mins(m)).unwrap()
}

/// Stewards spread over the square: most with a recent fix, some with an
/// old one, some with only a district centroid; loads 0–4; a fifth stale.
fn stewards(rng: &mut ChaCha8Rng, now: Timestamp) -> Vec<StewardSnapshot> {
    (0..STEWARDS)
        .map(|_| {
            let mut id = [0u8; 10];
            rng.fill(&mut id);
            let fix_age = rng.random_range(0..120);
            StewardSnapshot {
                steward_id: UserId::new_v7(now, id),
                last_fix: rng
                    .random_bool(0.85)
                    .then(|| PositionFix { at: at(rng), seen_at: minutes_ago(now, fix_age) }),
                district_centroid: Some(at(rng)),
                open_tickets: rng.random_range(0..5),
                last_sync_at: Some(minutes_ago(now, rng.random_range(0..50))),
                queued: rng.random_range(0..20),
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)]
}

/// Times `RUNS` calls and prints the median, p99 and maximum.
fn report(name: &str, mut run: impl FnMut()) {
    for _ in 0..200 {
        run();
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    println!(
        "{name}: {RUNS} runs, median {:?}, p99 {:?}, max {:?}",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[RUNS - 1]
    );
}

fn bench(c: &mut Criterion) {
    let now: Timestamp = "2026-11-20T08:00:00Z".parse().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0x4449_5350);
    let stewards = stewards(&mut rng, now);
    let ticket =
        DispatchTicket { location: at(&mut rng), due_at: now.checked_add(SignedDuration::from_mins(30)).unwrap() };
    let config = DispatchConfig::default();
    let rows = rank_candidates(&ticket, &stewards, now, &config, None);
    println!(
        "{} stewards ranked, {} meet the deadline, best ETA {:.1} min",
        rows.len(),
        rows.iter().filter(|r| r.meets_deadline).count(),
        rows[0].eta_minutes
    );

    report("rank 2,000, all rows (allocating)", || {
        black_box(rank_candidates(black_box(&ticket), black_box(&stewards), now, &config, None));
    });
    report("rank 2,000, top 10 (allocating)", || {
        black_box(rank_candidates(black_box(&ticket), black_box(&stewards), now, &config, Some(10)));
    });
    let mut buffer: Vec<Candidate> = Vec::with_capacity(STEWARDS);
    report("rank 2,000, all rows (reused buffer)", || {
        rank_candidates_into(black_box(&ticket), black_box(&stewards), now, &config, None, &mut buffer);
        black_box(&buffer);
    });

    let mut group = c.benchmark_group("dispatch");
    group.bench_function("rank 2,000 stewards, all rows", |b| {
        b.iter(|| rank_candidates(black_box(&ticket), black_box(&stewards), now, &config, None))
    });
    group.bench_function("rank 2,000 stewards, top 10", |b| {
        b.iter(|| rank_candidates(black_box(&ticket), black_box(&stewards), now, &config, Some(10)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

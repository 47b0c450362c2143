//! Placing households in service districts: 1,000,000 points over 1,000
//! irregular districts tiling a 50 km square near 商河县, the size the
//! requirement names (< 2 s on 2 cores).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{LineString, MultiPolygon, Polygon, coord};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steward_domain::geometry::{DistrictIndex, LonLat};

const COLS: usize = 40;
const ROWS: usize = 25;
const POINTS: usize = 1_000_000;
/// The south-west corner and the cell size, in degrees: 40 × 0.0141° of
/// longitude and 25 × 0.018° of latitude are about 50 km each at 37° N.
const ORIGIN: (f64, f64) = (117.0, 37.1);
const CELL: (f64, f64) = (0.0141, 0.018);

/// Jittered grid cells: corners move up to 30 % of a cell and every edge
/// bends at a jittered midpoint, shared with the neighbour so the cells tile
/// the square with eight-vertex polygons.
fn districts(rng: &mut ChaCha8Rng) -> Vec<(u32, MultiPolygon<f64>)> {
    let jitter =
        |rng: &mut ChaCha8Rng, span: f64, fixed: bool| if fixed { 0.0 } else { rng.random_range(-0.3..0.3) * span };
    let corners: Vec<Vec<(f64, f64)>> = (0..=ROWS)
        .map(|r| {
            (0..=COLS)
                .map(|c| {
                    let x = ORIGIN.0 + c as f64 * CELL.0 + jitter(rng, CELL.0, c == 0 || c == COLS);
                    let y = ORIGIN.1 + r as f64 * CELL.1 + jitter(rng, CELL.1, r == 0 || r == ROWS);
                    (x, y)
                })
                .collect()
        })
        .collect();
    let mid = |a: (f64, f64), b: (f64, f64)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    // Midpoints of the horizontal edges bend north or south, of the vertical ones east or west.
    let horizontal: Vec<Vec<(f64, f64)>> = (0..=ROWS)
        .map(|r| {
            (0..COLS)
                .map(|c| {
                    let (x, y) = mid(corners[r][c], corners[r][c + 1]);
                    (x, y + jitter(rng, CELL.1 / 2.0, r == 0 || r == ROWS))
                })
                .collect()
        })
        .collect();
    let vertical: Vec<Vec<(f64, f64)>> = (0..ROWS)
        .map(|r| {
            (0..=COLS)
                .map(|c| {
                    let (x, y) = mid(corners[r][c], corners[r + 1][c]);
                    (x + jitter(rng, CELL.0 / 2.0, c == 0 || c == COLS), y)
                })
                .collect()
        })
        .collect();
    (0..ROWS)
        .flat_map(|r| (0..COLS).map(move |c| (r, c)))
        .map(|(r, c)| {
            let ring = [
                corners[r][c],
                horizontal[r][c],
                corners[r][c + 1],
                vertical[r][c + 1],
                corners[r + 1][c + 1],
                horizontal[r + 1][c],
                corners[r + 1][c],
                vertical[r][c],
            ];
            let ring: LineString<f64> = ring.iter().map(|&(x, y)| coord! { x: x, y: y }).collect();
            ((r * COLS + c) as u32, Polygon::new(ring, vec![]).into())
        })
        .collect()
}

/// Uniform points over the square and a 2 % margin, so some fall outside.
fn points(rng: &mut ChaCha8Rng) -> Vec<LonLat> {
    let (w, h) = (COLS as f64 * CELL.0, ROWS as f64 * CELL.1);
    (0..POINTS)
        .filter_map(|_| {
            let lon = ORIGIN.0 + rng.random_range(-0.02..1.02) * w;
            let lat = ORIGIN.1 + rng.random_range(-0.02..1.02) * h;
            LonLat::new(lon, lat).ok()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5348_4845);
    let index = DistrictIndex::build(districts(&mut rng)).expect("the jittered grid is valid");
    let points = points(&mut rng);
    let assignment = index.assign_all(&points);
    println!(
        "{} districts, {} points: {} outside, {} ambiguous",
        index.len(),
        points.len(),
        assignment.outside,
        assignment.ambiguous
    );

    let mut group = c.benchmark_group("assign");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    group.bench_function("assign_all 1M points, 1k districts", |b| b.iter(|| index.assign_all(black_box(&points))));
    group.finish();

    let one = points[points.len() / 2];
    c.bench_function("locate one point, 1k districts", |b| b.iter(|| index.locate(black_box(one))));
}

criterion_group!(benches, bench);
criterion_main!(benches);

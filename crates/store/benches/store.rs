//! Benchmarks of the device store.
//!
//! (a) `record_visit` (visit + valve + outbox entry in one transaction)
//!     against a plain autocommit INSERT of the same visit row, both on a
//!     file-backed WAL database. Targets: p99 < 2 ms, within 1.5× of the
//!     plain insert.
//! (b) Household search over 500,000 synthetic households with a mix of
//!     queries. Target: p99 < 30 ms.
//!
//! Besides criterion's means and medians, `main` times individual calls and
//! prints p50/p99, because criterion reports no tail latency. The 500k
//! database is cached under `target/bench-data/`, keyed by a version string.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};
use steward_domain::geometry::LonLat;
use steward_domain::ground::{
    AccountNo, AreaM2, Building, Community, District, HeatingStatus, Household, PhoneNumber, SealNo, Unit, ValveState,
};
use steward_domain::ids::{HouseholdId, MutationId, UserId, VisitId};
use steward_domain::pinyin_key;
use steward_domain::visit::{CompletedVisit, InspectionRecord, VisitDraft};
use steward_store::{GroundSnapshot, MutationMeta, SCHEMA_VERSION, Store};
use uuid::Uuid;

/// Bump when the generator changes, so a stale cached database is rebuilt.
/// The cache key also holds a hash of the schema: list every migration in
/// `SCHEMA_SQL` as they are added.
const DATA_VERSION: &str = "v1";
const SCHEMA_SQL: &[&str] = &[include_str!("../migrations/0001_init.sql"), include_str!("../migrations/0002_sync.sql")];

/// FNV-1a, enough to tell two schema texts apart.
fn schema_hash() -> u32 {
    SCHEMA_SQL.iter().flat_map(|s| s.bytes()).fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}
const SEARCH_HOUSEHOLDS: usize = 500_000;
/// In `cargo test --benches` mode a small ground keeps the run short.
const TEST_MODE_HOUSEHOLDS: usize = 5_000;
const LATENCY_CALLS: usize = 5_000;
const SEARCH_QUERIES_PER_KIND: usize = 200;
const SEARCH_LIMIT: usize = 20;

fn id<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

fn here() -> LonLat {
    LonLat { lon: 117.15, lat: 37.31 }
}

// ---------------------------------------------------------------------------
// Synthetic ground.

const COMMUNITY_PREFIXES: [&str; 25] = [
    "鑫隆", "豪门", "阳光", "金色", "锦绣", "华府", "翠苑", "幸福", "和谐", "泰和", "宏远", "东方", "御景", "春晖",
    "银座", "紫荆", "绿洲", "明珠", "书香", "新城", "龙湖", "盛世", "丽景", "星河", "恒基",
];
const COMMUNITY_SUFFIXES: [&str; 10] =
    ["帝景城", "庄园", "花园", "家园", "小区", "名苑", "雅居", "公寓", "新村", "嘉园"];
const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
];
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "建", "国", "小", "红", "文", "玉", "海", "林", "春", "志", "德", "立", "宁", "兰",
    "凤", "鑫",
];

const BUILDINGS_PER_COMMUNITY: usize = 20;
const UNITS_PER_BUILDING: usize = 4;
const HOUSEHOLDS_PER_UNIT: usize = 25;
const HOUSEHOLDS_PER_COMMUNITY: usize = BUILDINGS_PER_COMMUNITY * UNITS_PER_BUILDING * HOUSEHOLDS_PER_UNIT;

fn community_name(i: usize) -> String {
    let prefix = COMMUNITY_PREFIXES[i % COMMUNITY_PREFIXES.len()];
    let suffix = COMMUNITY_SUFFIXES[(i / COMMUNITY_PREFIXES.len()) % COMMUNITY_SUFFIXES.len()];
    let round = i / (COMMUNITY_PREFIXES.len() * COMMUNITY_SUFFIXES.len());
    if round == 0 { format!("{prefix}{suffix}") } else { format!("{prefix}{suffix}{round}期") }
}

fn resident_name(rng: &mut ChaCha8Rng) -> String {
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let first = GIVEN[rng.random_range(0..GIVEN.len())];
    if rng.random_bool(0.3) {
        format!("{surname}{first}")
    } else {
        format!("{surname}{first}{}", GIVEN[rng.random_range(0..GIVEN.len())])
    }
}

fn phone(rng: &mut ChaCha8Rng) -> PhoneNumber {
    let second = rng.random_range(3..=9);
    let rest: u64 = rng.random_range(0..1_000_000_000);
    PhoneNumber::parse(&format!("1{second}{rest:09}")).expect("generated phones are valid")
}

fn status_and_valve(rng: &mut ChaCha8Rng, n: usize) -> (HeatingStatus, ValveState) {
    match rng.random_range(0..100) {
        0..85 => (HeatingStatus::Active, ValveState::Open),
        85..93 if rng.random_bool(0.5) => {
            let seal_no = SealNo::parse(&format!("S-{n}")).expect("generated seals are valid");
            (HeatingStatus::Suspended, ValveState::Sealed { seal_no })
        }
        85..93 => (HeatingStatus::Suspended, ValveState::Closed),
        93..98 => (HeatingStatus::New, ValveState::Closed),
        _ => (HeatingStatus::Disconnected, ValveState::Closed),
    }
}

/// A deterministic ground of `households` households (a multiple of one
/// community's size), 10 districts, one steward.
fn synthetic_ground(households: usize) -> GroundSnapshot {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut g = GroundSnapshot::default();
    for d in 0..10u128 {
        g.districts.push(District {
            id: id(1 + d),
            code: format!("SH-{d:02}"),
            name: format!("{d}片区"),
            team_id: id(100),
            steward_id: Some(id(200)),
        });
    }
    let communities = households.div_ceil(HOUSEHOLDS_PER_COMMUNITY);
    let mut n = 0usize;
    for c in 0..communities {
        let community_id = id(0x10_0000 + c as u128);
        let district_id = id(1 + (c % 10) as u128);
        g.communities.push(Community {
            id: community_id,
            name: community_name(c),
            district_id,
            station_id: None,
            location: here(),
        });
        for b in 0..BUILDINGS_PER_COMMUNITY {
            let building_id = id(0x20_0000 + (c * BUILDINGS_PER_COMMUNITY + b) as u128);
            g.buildings.push(Building { id: building_id, community_id, number: b as u32 + 1, location: here() });
            for u in 0..UNITS_PER_BUILDING {
                let unit_id = id(0x30_0000 + ((c * BUILDINGS_PER_COMMUNITY + b) * UNITS_PER_BUILDING + u) as u128);
                g.units.push(Unit { id: unit_id, building_id, number: u as u32 + 1 });
                for r in 0..HOUSEHOLDS_PER_UNIT {
                    let (status, valve) = status_and_valve(&mut rng, n);
                    g.households.push(Household {
                        id: id(0x4000_0000 + n as u128),
                        account_no: AccountNo::parse(&format!("SH-{n:07}")).expect("generated accounts are valid"),
                        district_id,
                        community_id,
                        building_id,
                        unit_id,
                        room: format!("{}{:02}", r / 5 + 1, r % 5 + 1),
                        resident_name: resident_name(&mut rng),
                        phone: phone(&mut rng),
                        heated_area: AreaM2::parse(rng.random_range(50.0..160.0)).expect("areas are valid"),
                        status,
                        valve,
                    });
                    n += 1;
                }
            }
        }
    }
    g.households.truncate(households);
    g
}

// ---------------------------------------------------------------------------
// Timing helpers.

struct Latencies(Vec<Duration>);

impl Latencies {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(index).copied().unwrap_or_default()
    }

    fn report(&self, label: &str) -> (Duration, Duration) {
        let (p50, p99) = (self.percentile(0.50), self.percentile(0.99));
        let max = self.percentile(1.0);
        println!("{label:<44} n={:<6} p50 {p50:>10.1?}  p99 {p99:>10.1?}  max {max:>10.1?}", self.0.len());
        (p50, p99)
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

// ---------------------------------------------------------------------------
// (a) record_visit against a plain insert.

fn small_ground() -> GroundSnapshot {
    synthetic_ground(HOUSEHOLDS_PER_UNIT * UNITS_PER_BUILDING * BUILDINGS_PER_COMMUNITY)
}

/// Visit `n` to one of the first 100 households: a seal on every third.
fn make_visit(n: u64) -> CompletedVisit {
    let at = Timestamp::from_second(1_790_000_000 + n as i64).expect("in range");
    let mut random = [0u8; 10];
    random[2..].copy_from_slice(&n.to_be_bytes());
    let household: HouseholdId = id(0x4000_0000 + u128::from(n % 100));
    let mut draft = VisitDraft::start(VisitId::new_v7(at, random), household, UserId::from(Uuid::from_u128(200)), at);
    if n.is_multiple_of(3) {
        let seal_no = SealNo::parse(&format!("B-{n}")).expect("valid seal");
        let record = InspectionRecord::SuspensionValveClosure { valve: ValveState::Sealed { seal_no }, photos: vec![] };
        draft.add(record).expect("valid record");
    }
    draft.add(InspectionRecord::ContactCardHandedOver).expect("valid record");
    draft.add(InspectionRecord::IndoorTemperature { celsius: 19.5, room: "客厅".into(), measured_at: at }).expect("ok");
    draft.complete(at).expect("complete visit")
}

fn make_meta(n: u64) -> MutationMeta {
    let mut random = [0xFFu8; 10];
    random[2..].copy_from_slice(&n.to_be_bytes());
    let at = Timestamp::from_second(1_790_000_000 + n as i64).expect("in range");
    MutationMeta { mutation_id: MutationId::new_v7(at, random), device_time: at }
}

/// The visit row alone, autocommit, no outbox and no valve update: the
/// baseline a transactional outbox is compared with.
struct PlainInsert {
    conn: Connection,
}

impl PlainInsert {
    fn open(path: &Path) -> PlainInsert {
        let mut store = Store::open(path).expect("open");
        store.load_ground(&small_ground()).expect("load");
        drop(store);
        let conn = Connection::open(path).expect("open raw");
        conn.pragma_update(None, "journal_mode", "WAL").expect("wal");
        conn.pragma_update(None, "synchronous", "NORMAL").expect("sync");
        conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
        PlainInsert { conn }
    }

    fn insert(&self, v: &CompletedVisit) {
        let ts = |t: Timestamp| jiff::fmt::temporal::DateTimePrinter::new().precision(Some(9)).timestamp_to_string(&t);
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO visits (id, household_id, steward_id, ticket_id, started_at, completed_at, corrects, \
                 location, records_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .expect("prepare");
        stmt.execute(params![
            v.id().to_string(),
            v.household_id().to_string(),
            v.steward_id().to_string(),
            v.ticket_id().map(|t| t.to_string()),
            ts(v.started_at()),
            ts(v.completed_at()),
            v.corrects().map(|c| c.to_string()),
            v.location().map(|l| serde_json::to_string(&l).expect("json")),
            serde_json::to_string(v.records()).expect("json"),
        ])
        .expect("insert");
    }
}

struct VisitBench {
    _dir: tempfile::TempDir,
    store: Store,
    plain: PlainInsert,
    next: u64,
}

impl VisitBench {
    fn new() -> VisitBench {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("outbox.db")).expect("open");
        store.load_ground(&small_ground()).expect("load");
        let plain = PlainInsert::open(&dir.path().join("plain.db"));
        VisitBench { _dir: dir, store, plain, next: 0 }
    }

    fn next(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    fn latencies(&mut self, calls: usize) {
        println!("\n== record_visit latency ({calls} individual calls each, file-backed WAL) ==");
        let mut outbox = Vec::with_capacity(calls);
        let mut plain = Vec::with_capacity(calls);
        for _ in 0..calls {
            let n = self.next();
            let (v, m) = (make_visit(n), make_meta(n));
            outbox.push(time(|| self.store.record_visit(&v, &m).expect("record")).1);
            let v = make_visit(self.next());
            plain.push(time(|| self.plain.insert(&v)).1);
        }
        let (o50, o99) = Latencies(outbox).report("record_visit + outbox (one transaction)");
        let (p50, p99) = Latencies(plain).report("plain INSERT of the visit row");
        println!(
            "ratio record_visit / plain: p50 {:.2}x  p99 {:.2}x  (targets: p99 < 2 ms, ratio < 1.5x)",
            o50.as_secs_f64() / p50.as_secs_f64(),
            o99.as_secs_f64() / p99.as_secs_f64()
        );
    }

    fn criterion(&mut self, c: &mut Criterion) {
        let mut group = c.benchmark_group("record_visit");
        let (store, mut n) = (&mut self.store, self.next);
        group.bench_function("with_outbox", |b| {
            b.iter_batched(
                || {
                    n += 1;
                    (make_visit(n), make_meta(n))
                },
                |(v, m)| store.record_visit(&v, &m).expect("record"),
                BatchSize::SmallInput,
            )
        });
        self.next = n;
        let mut n = 100_000_000u64;
        group.bench_function("plain_insert", |b| {
            b.iter_batched(
                || {
                    n += 1;
                    make_visit(n)
                },
                |v| self.plain.insert(&v),
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

// ---------------------------------------------------------------------------
// (b) Search over 500k households.

/// Opens the cached search database, building it first if needed.
fn search_store(households: usize) -> (Store, GroundSnapshot) {
    let ground = synthetic_ground(households);
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data dir");
    let path = dir.join(format!("search-{households}-{DATA_VERSION}-s{SCHEMA_VERSION}-{:08x}.db", schema_hash()));
    if !path.exists() {
        let building = path.with_extension("building");
        let _ = std::fs::remove_file(&building);
        let mut store = Store::open(&building).expect("open");
        let ((), took) = time(|| store.load_ground(&ground).expect("load"));
        drop(store);
        let size = std::fs::metadata(&building).map(|m| m.len()).unwrap_or(0);
        println!(
            "built {} with {households} households: load_ground took {took:.1?}, file {:.0} MiB",
            path.display(),
            size as f64 / (1024.0 * 1024.0)
        );
        std::fs::rename(&building, &path).expect("rename");
    }
    (Store::open(&path).expect("open cached"), ground)
}

/// The query kinds of the mix, each with a way to draw one from the data.
const KINDS: [&str; 6] = [
    "2-char name prefix",
    "3-char name",
    "4-digit phone suffix",
    "account number",
    "community initials",
    "2-letter initials",
];

fn draw_query(kind: usize, g: &GroundSnapshot, rng: &mut ChaCha8Rng) -> String {
    let h = &g.households[rng.random_range(0..g.households.len())];
    match kind {
        0 => h.resident_name.chars().take(2).collect(),
        1 => {
            let three = g.households.iter().cycle().skip(rng.random_range(0..g.households.len()));
            three.map(|h| &h.resident_name).find(|n| n.chars().count() == 3).cloned().unwrap_or_default()
        }
        2 => h.phone.as_str()[7..].to_owned(),
        3 => h.account_no.as_str().to_owned(),
        4 => pinyin_key::initials(&g.communities[rng.random_range(0..g.communities.len())].name),
        _ => pinyin_key::initials(&h.resident_name).chars().take(2).collect(),
    }
}

fn search_latencies(store: &Store, g: &GroundSnapshot) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let queries: Vec<(usize, String)> = (0..SEARCH_QUERIES_PER_KIND * KINDS.len())
        .map(|i| {
            let kind = i % KINDS.len();
            (kind, draw_query(kind, g, &mut rng))
        })
        .collect();
    // One pass to warm the page cache, as a steward's phone would be warm.
    for (_, q) in &queries {
        black_box(store.search_households(q, SEARCH_LIMIT).expect("search"));
    }
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
    let mut all = Vec::new();
    let mut empty = 0;
    for (kind, q) in &queries {
        let (hits, took) = time(|| store.search_households(q, SEARCH_LIMIT).expect("search"));
        if hits.is_empty() {
            empty += 1;
        }
        by_kind[*kind].push(took);
        all.push(took);
    }
    println!("\n== search over {} households, limit {SEARCH_LIMIT} ==", g.households.len());
    for (kind, latencies) in KINDS.iter().zip(by_kind) {
        Latencies(latencies).report(kind);
    }
    Latencies(all).report("all queries (target p99 < 30 ms)");
    println!("queries with no hit: {empty} of {}", queries.len());
}

fn search_criterion(c: &mut Criterion, store: &Store, g: &GroundSnapshot) {
    let h = &g.households[g.households.len() / 2];
    let three = g.households.iter().map(|h| &h.resident_name).find(|n| n.chars().count() == 3).cloned();
    let cases: [(&str, String); 6] = [
        ("name_prefix_2", h.resident_name.chars().take(2).collect()),
        ("name_3", three.unwrap_or_default()),
        ("phone_suffix_4", h.phone.as_str()[7..].to_owned()),
        ("account_no", h.account_no.as_str().to_owned()),
        ("community_initials", "xldjc".to_owned()),
        ("initials_2", pinyin_key::initials(&h.resident_name).chars().take(2).collect()),
    ];
    let mut group = c.benchmark_group(format!("search_{}", g.households.len()));
    for (name, q) in cases {
        group.bench_function(name, |b| b.iter(|| store.search_households(black_box(&q), SEARCH_LIMIT).expect("ok")));
    }
    group.finish();
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut visits = VisitBench::new();
    if measuring {
        visits.latencies(LATENCY_CALLS);
    }
    visits.criterion(&mut c);

    let households = if measuring { SEARCH_HOUSEHOLDS } else { TEST_MODE_HOUSEHOLDS };
    let (store, ground) = search_store(households);
    if measuring {
        search_latencies(&store, &ground);
    }
    search_criterion(&mut c, &store, &ground);
    c.final_summary();
}

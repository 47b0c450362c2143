//! Figures of the sync engine against the real central in-process on
//! loopback, with the default demo data (5,000 households):
//!
//! - the initial sync of one steward's district;
//! - pushing 10,000 queued visits (the round also pulls them back), beside a
//!   raw SQLite bulk insert of the same rows measured in the same run;
//! - the initial sync of a second device, which now pulls those visits;
//! - an incremental sync with nothing new;
//! - the initial sync of one big district: a central whose one district
//!   holds all 5,000 households and a season of 20,000 visits (seeded
//!   through the central's own seeding path), synced by fresh devices.
//!
//! Run: `cargo run --release -p steward-sync --example sync-figures`.
//! `SYNC_FIGURES_RUNS` sets how many fresh devices time the big district's
//! initial sync (default 5).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use steward_central::auth::PasswordPolicy;
use steward_central::{AppState, Config};
use steward_domain::ids::{MutationId, VisitId};
use steward_domain::visit::{InspectionRecord, VisitDraft};
use steward_protocol::{PullResponse, PushRequest, PushResponse};
use steward_store::{MutationMeta, Store};
use steward_sync::{
    BatchLimits, Credentials, HttpTransport, SyncConfig, Syncer, SystemClock, Transport, TransportError,
};
use uuid::Uuid;

const PASSWORD: &str = "figures";

/// The HTTP transport, noting when the last push was answered: the end of
/// a round's push phase (the round then pulls the pushed visits back).
struct Timed {
    inner: HttpTransport,
    last_push: Mutex<Option<Instant>>,
    /// Time spent waiting for push answers (the network and the central).
    in_push: Mutex<Duration>,
}

impl Transport for Timed {
    async fn login(&self, credentials: &Credentials) -> Result<String, TransportError> {
        self.inner.login(credentials).await
    }

    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let t = Instant::now();
        let answer = self.inner.push(token, request).await;
        *self.in_push.lock().unwrap() += t.elapsed();
        *self.last_push.lock().unwrap() = Some(Instant::now());
        answer
    }

    async fn pull(&self, token: &str, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError> {
        self.inner.pull(token, cursor, limit).await
    }
    async fn attachment_offset(&self, token: &str, sha256: &str) -> Result<Option<(u64, bool)>, TransportError> {
        self.inner.attachment_offset(token, sha256).await
    }

    async fn put_attachment(
        &self,
        token: &str,
        piece: steward_sync::AttachmentPiece,
    ) -> Result<steward_protocol::AttachmentStatus, TransportError> {
        self.inner.put_attachment(token, piece).await
    }
}
const QUEUED: usize = 10_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = Arc::new(steward_demo::generate(&steward_demo::DemoConfig::default())?);
    let central = steward_central::store::Store::open(&dir.path().join("central.db"))?;
    let (s, d) = (central.clone(), data.clone());
    tokio::task::spawn_blocking(move || {
        steward_central::seed::seed_dataset(&s, &d, PASSWORD, PasswordPolicy::insecure_fast(), d.config.as_of)
    })
    .await??;
    let state = AppState::new(central.clone(), Config { body_limit: 8 << 20, ..Config::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(steward_central::run(listener, state, std::future::pending()));

    let device = Arc::new(Mutex::new(Store::open(&dir.path().join("device.db"))?));
    let mut config = SyncConfig::new(Credentials {
        username: "steward1".into(),
        password: PASSWORD.into(),
        device_id: Some(steward_domain::ids::DeviceId(Uuid::now_v7())),
    });
    config.pull_limit = 1000;
    // Mutations per push: the central takes up to 2,000; another size can be
    // compared with `SYNC_FIGURES_BATCH=500`.
    let batch = std::env::var("SYNC_FIGURES_BATCH").ok().and_then(|b| b.parse().ok()).unwrap_or(2000);
    config.batch = BatchLimits { max_mutations: batch, max_bytes: 4 << 20 };
    let transport = Arc::new(Timed {
        inner: HttpTransport::new(&base, Duration::from_secs(60))?,
        last_push: Mutex::new(None),
        in_push: Mutex::new(Duration::ZERO),
    });
    let mut syncer = Syncer::new(device.clone(), transport.clone(), Arc::new(SystemClock), config);

    let t = Instant::now();
    let first = syncer.round().await?;
    let initial = t.elapsed();
    let stats = device.lock().unwrap().stats()?;
    println!(
        "initial sync of steward1's district: {} changes in {} pages ({} households, {} visits, {} tickets) in {:.1} ms",
        first.changes,
        first.pages,
        stats.households,
        stats.visits,
        stats.tickets,
        initial.as_secs_f64() * 1e3
    );

    // 10,000 visits queued on the device.
    let me = data.staff_by_username("steward1").expect("steward1").id;
    let district = data.districts.iter().find(|d| d.steward_id == Some(me)).expect("a district").id;
    let households: Vec<_> = data.households.iter().filter(|h| h.district_id == district).collect();
    let start = data.config.as_of;
    let visits: Vec<_> = (0..QUEUED)
        .map(|i| {
            let at = start.checked_add(SignedDuration::from_secs(i as i64)).unwrap();
            let mut v = VisitDraft::start(VisitId(Uuid::now_v7()), households[i % households.len()].id, me, at);
            v.add(InspectionRecord::ContactCardHandedOver).unwrap();
            v.complete(at).unwrap()
        })
        .collect();
    {
        let mut store = device.lock().unwrap();
        for v in &visits {
            let m = MutationMeta { mutation_id: MutationId(Uuid::now_v7()), device_time: Timestamp::now() };
            store.record_visit(v, &m)?;
        }
    }

    // The baseline: the same rows inserted raw into SQLite in one transaction.
    let raw_path = dir.path().join("raw.db");
    let mut raw = rusqlite::Connection::open(&raw_path)?;
    raw.pragma_update(None, "journal_mode", "WAL")?;
    raw.pragma_update(None, "synchronous", "NORMAL")?;
    raw.execute_batch("CREATE TABLE visits (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")?;
    let t = Instant::now();
    let tx = raw.transaction()?;
    {
        let mut stmt = tx.prepare("INSERT INTO visits (id, doc) VALUES (?1, ?2)")?;
        for v in &visits {
            stmt.execute((v.id().to_string(), serde_json::to_string(v)?))?;
        }
    }
    tx.commit()?;
    let raw_rate = QUEUED as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    let pushed = syncer.round().await?;
    let round_time = t.elapsed();
    let push_time = transport.last_push.lock().unwrap().map_or(round_time, |at| at.duration_since(t));
    let rate = QUEUED as f64 / push_time.as_secs_f64();
    let waiting = *transport.in_push.lock().unwrap();
    println!(
        "pushing {QUEUED} queued visits: {} applied in {} pushes (of at most {batch}), {:.0} ms, {:.0} records/s \
         ({:.1}% of a raw SQLite bulk insert of the same rows: {:.0} rows/s); the whole round, which also \
         pulls the {} visits back, {:.0} ms; of the push phase, {:.0} ms waiting for the central's answers",
        pushed.applied,
        pushed.pushes,
        push_time.as_secs_f64() * 1e3,
        rate,
        100.0 * rate / raw_rate,
        raw_rate,
        pushed.changes,
        round_time.as_secs_f64() * 1e3,
        waiting.as_secs_f64() * 1e3
    );

    // A second device of the same steward: its initial sync now carries the
    // 10,000 visits too, which is what the push round pulled back.
    let second = Arc::new(Mutex::new(Store::open(&dir.path().join("device2.db"))?));
    let mut config2 = SyncConfig::new(Credentials {
        username: "steward1".into(),
        password: PASSWORD.into(),
        device_id: Some(steward_domain::ids::DeviceId(Uuid::now_v7())),
    });
    config2.pull_limit = 1000;
    let transport2 = Arc::new(HttpTransport::new(&base, Duration::from_secs(60))?);
    let mut syncer2 = Syncer::new(second.clone(), transport2, Arc::new(SystemClock), config2);
    let t = Instant::now();
    let pulled = syncer2.round().await?;
    let stats = second.lock().unwrap().stats()?;
    println!(
        "initial sync of a second device after the push: {} changes in {} pages ({} households, {} visits) in {:.0} ms",
        pulled.changes,
        pulled.pages,
        stats.households,
        stats.visits,
        t.elapsed().as_secs_f64() * 1e3
    );

    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let r = syncer.round().await?;
        times.push(t.elapsed());
        assert_eq!(r.changes, 0);
    }
    times.sort();
    println!(
        "incremental sync with nothing new: median {:.2} ms, max {:.2} ms (20 runs)",
        times[10].as_secs_f64() * 1e3,
        times[19].as_secs_f64() * 1e3
    );

    big_district(dir.path(), &data).await
}

/// Visits in the big district's season.
const SEASON_VISITS: usize = 20_000;

/// The demo's town with every household in the first district (steward1's)
/// and a season of visits by its steward, from 15 October to "today".
fn one_big_district(data: &steward_demo::DemoDataset) -> anyhow::Result<steward_demo::DemoDataset> {
    let mut data = data.clone();
    let district = data.districts[0].id;
    let me = data.districts[0].steward_id.expect("district 1 has a steward");
    for c in &mut data.communities {
        c.district_id = district;
    }
    for h in &mut data.households {
        h.district_id = district;
    }
    let season_start: Timestamp = "2026-10-15T00:00:00Z".parse()?;
    let span = data.config.as_of.duration_since(season_start).as_secs();
    let step = span / SEASON_VISITS as i64;
    let n = data.households.len();
    data.visits = (0..SEASON_VISITS)
        .map(|i| {
            let at = season_start.checked_add(SignedDuration::from_secs(step * i as i64))?;
            // Households in a shuffled walk, so each gets about four visits.
            let h = &data.households[(i * 7919) % n];
            let mut v = VisitDraft::start(VisitId(Uuid::now_v7()), h.id, me, at);
            v.add(InspectionRecord::IndoorTemperature {
                celsius: 18.0 + (i % 50) as f64 / 10.0,
                room: "客厅".into(),
                measured_at: at,
            })?;
            if i % 3 == 0 {
                v.add(InspectionRecord::RoutineService { note: "入户走访，暖气正常".into() })?;
            }
            v.add(InspectionRecord::ContactCardHandedOver)?;
            Ok(v.complete(at.checked_add(SignedDuration::from_mins(6))?)?)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(data)
}

/// Times the initial sync of fresh devices of steward1 against a central
/// whose one district holds 5,000 households and 20,000 visits: from login
/// to the cursor caught up, every row in the device's SQLite file.
async fn big_district(dir: &std::path::Path, data: &steward_demo::DemoDataset) -> anyhow::Result<()> {
    let big = Arc::new(one_big_district(data)?);
    let central = steward_central::store::Store::open(&dir.join("big-central.db"))?;
    let (s, d) = (central.clone(), big.clone());
    let t = Instant::now();
    tokio::task::spawn_blocking(move || {
        steward_central::seed::seed_dataset(&s, &d, PASSWORD, PasswordPolicy::insecure_fast(), d.config.as_of)
    })
    .await??;
    let seeded = t.elapsed();
    let state = AppState::new(central.clone(), Config { body_limit: 8 << 20, ..Config::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(steward_central::run(listener, state, std::future::pending()));

    let runs = std::env::var("SYNC_FIGURES_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5usize).max(1);
    let mut times = Vec::new();
    let mut last = None;
    for run in 0..runs {
        let device = Arc::new(Mutex::new(Store::open(&dir.join(format!("big-device-{run}.db")))?));
        let mut config = SyncConfig::new(Credentials {
            username: "steward1".into(),
            password: PASSWORD.into(),
            device_id: Some(steward_domain::ids::DeviceId(Uuid::now_v7())),
        });
        config.pull_limit = 1000;
        let transport = Arc::new(HttpTransport::new(&base, Duration::from_secs(60))?);
        let mut syncer = Syncer::new(device.clone(), transport, Arc::new(SystemClock), config);
        let t = Instant::now();
        let report = syncer.round().await?;
        times.push(t.elapsed());
        let stats = device.lock().unwrap().stats()?;
        anyhow::ensure!(
            stats.households == big.households.len() as u64 && stats.visits == SEASON_VISITS as u64,
            "the device holds {} households and {} visits",
            stats.households,
            stats.visits
        );
        last = Some((report, stats));
    }
    let (report, stats) = last.expect("at least one run");
    let mut sorted = times.clone();
    sorted.sort();
    println!(
        "initial sync of one district of {} households and {} visits ({} changes in {} pages, {} tickets; \
         seeded in {:.1} s): median {:.0} ms, range {:.0}–{:.0} ms over {runs} fresh devices",
        stats.households,
        stats.visits,
        report.changes,
        report.pages,
        stats.tickets,
        seeded.as_secs_f64(),
        sorted[runs / 2].as_secs_f64() * 1e3,
        sorted[0].as_secs_f64() * 1e3,
        sorted[runs - 1].as_secs_f64() * 1e3,
    );
    Ok(())
}

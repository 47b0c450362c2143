//! Figures of the sync engine against the real central in-process on
//! loopback, with the default demo data (5,000 households):
//!
//! - the initial sync of one steward's district;
//! - pushing 10,000 queued visits (the round also pulls them back), beside a
//!   raw SQLite bulk insert of the same rows measured in the same run;
//! - the initial sync of a second device, which now pulls those visits;
//! - an incremental sync with nothing new.
//!
//! Run: `cargo run --release -p steward-sync --example sync-figures`.

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
    Ok(())
}

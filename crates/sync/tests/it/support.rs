//! The central server in-process with the demo data, and a device store.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use steward_central::auth::PasswordPolicy;
use steward_central::{AppState, Config};
use steward_demo::{DemoConfig, DemoDataset};
use steward_domain::ground::{District, Household};
use steward_domain::ids::{HouseholdId, MutationId, UserId, VisitId};
use steward_domain::visit::{CompletedVisit, InspectionRecord, VisitDraft};
use steward_store::{GroundSnapshot, MutationMeta, Store};
use steward_sync::{Clock, Credentials, HttpTransport, ScheduleConfig, SyncConfig, Syncer};
use tempfile::TempDir;
use uuid::Uuid;

use steward_faults::proxy::Proxy;

pub const PASSWORD: &str = "heat-test-7";

/// A failure guard for awaited conditions, never a synchronisation.
pub const GUARD: Duration = Duration::from_secs(30);

/// The demo data, generated once for the whole binary (the smallest size).
pub fn dataset() -> Arc<DemoDataset> {
    static DATA: std::sync::OnceLock<Arc<DemoDataset>> = std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        let cfg = DemoConfig { households: steward_demo::MIN_HOUSEHOLDS, ..DemoConfig::default() };
        Arc::new(steward_demo::generate(&cfg).unwrap())
    })
    .clone()
}

pub struct Central {
    pub addr: SocketAddr,
    pub store: steward_central::store::Store,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Central {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many visits the central holds.
    pub async fn visits(&self) -> i64 {
        let counts = self.store.read(|db| db.counts()).await.unwrap();
        counts.into_iter().find(|(t, _)| *t == "visits").unwrap().1
    }

    /// Every visit id in `username`'s change feed from the start, read
    /// through the API, with repeats.
    pub async fn feed_visit_ids(&self, username: &str) -> Vec<String> {
        let client = reqwest::Client::new();
        let login: Value = client
            .post(format!("{}/api/v1/auth/login", self.base()))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap().to_owned();
        let mut cursor = String::from("0");
        let mut ids = Vec::new();
        loop {
            let page: Value = client
                .get(format!("{}/api/v1/sync/pull?cursor={cursor}&limit=1000", self.base()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for c in page["changes"].as_array().unwrap() {
                if c["kind"] == "visit" {
                    ids.push(c["id"].as_str().unwrap().to_owned());
                }
            }
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if !page["has_more"].as_bool().unwrap() {
                return ids;
            }
        }
    }
}

/// The central on a fresh SQLite file in `dir`, seeded with the demo data.
pub async fn spawn_central(dir: &TempDir) -> Central {
    let store = steward_central::store::Store::open(&dir.path().join("central.db")).unwrap();
    let (s, data) = (store.clone(), dataset());
    tokio::task::spawn_blocking(move || {
        steward_central::seed::seed_dataset(&s, &data, PASSWORD, PasswordPolicy::insecure_fast(), data.config.as_of)
            .unwrap()
    })
    .await
    .unwrap();
    let config = Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() };
    let state = AppState::new(store.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(steward_central::run(listener, state, async {
        let _ = rx.await;
    }));
    Central { addr, store, _shutdown: tx }
}

/// A device clock set `skew` away from the true time.
pub struct SkewedClock(pub SignedDuration);

impl Clock for SkewedClock {
    fn now(&self) -> Timestamp {
        Timestamp::now().checked_add(self.0).unwrap()
    }
}

pub type DeviceStore = Arc<Mutex<Store>>;

/// A device store file in `dir`.
pub fn open_device(dir: &TempDir) -> DeviceStore {
    Arc::new(Mutex::new(Store::open(&dir.path().join("device.db")).unwrap()))
}

pub fn steward(username: &str) -> UserId {
    dataset().staff_by_username(username).unwrap().id
}

/// The district of a demo steward.
pub fn district_of(username: &str) -> District {
    let id = steward(username);
    dataset().districts.iter().find(|d| d.steward_id == Some(id)).unwrap().clone()
}

/// The first `n` households of a steward's district.
pub fn households_of(username: &str, n: usize) -> Vec<Household> {
    let d = district_of(username).id;
    dataset().households.iter().filter(|h| h.district_id == d).take(n).cloned().collect()
}

/// A household outside `username`'s scope with the places above it, for a
/// device that somehow holds it.
pub fn foreign_household_snapshot(other: &str) -> (HouseholdId, GroundSnapshot) {
    let data = dataset();
    let h = households_of(other, 1).remove(0);
    let snapshot = GroundSnapshot {
        districts: vec![district_of(other)],
        communities: data.communities.iter().filter(|c| c.id == h.community_id).cloned().collect(),
        buildings: data.buildings.iter().filter(|b| b.id == h.building_id).cloned().collect(),
        units: data.units.iter().filter(|u| u.id == h.unit_id).cloned().collect(),
        households: vec![h.clone()],
        ..GroundSnapshot::default()
    };
    (h.id, snapshot)
}

/// A completed visit `n` by `steward` to `household`: the contact card.
pub fn visit(household: HouseholdId, steward: UserId, n: i64) -> CompletedVisit {
    let at = dataset().config.as_of.checked_add(SignedDuration::from_mins(n)).unwrap();
    let mut draft = VisitDraft::start(VisitId(Uuid::now_v7()), household, steward, at);
    draft.add(InspectionRecord::ContactCardHandedOver).unwrap();
    draft.complete(at.checked_add(SignedDuration::from_mins(5)).unwrap()).unwrap()
}

/// Records `visits` on the device, each with its outbox entry.
pub fn record(store: &DeviceStore, visits: &[CompletedVisit]) {
    let mut s = store.lock().unwrap();
    for v in visits {
        let m = MutationMeta { mutation_id: MutationId(Uuid::now_v7()), device_time: Timestamp::now() };
        s.record_visit(v, &m).unwrap();
    }
}

/// Sync settings for `username` with short retry delays.
pub fn config(username: &str) -> SyncConfig {
    let mut c = SyncConfig::new(Credentials {
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
        device_id: Some(steward_domain::ids::DeviceId(Uuid::now_v7())),
    });
    c.pull_limit = 1000;
    c.schedule = ScheduleConfig {
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(200),
        watchdog: Duration::from_secs(3600),
    };
    c
}

pub fn transport(base: &str) -> HttpTransport {
    HttpTransport::new(base, Duration::from_secs(10)).unwrap()
}

/// A syncer of the device through `proxy` with a clock `skew` off.
pub fn syncer(
    store: &DeviceStore,
    proxy: &Proxy,
    username: &str,
    skew: SignedDuration,
) -> Syncer<Mutex<Store>, HttpTransport, SkewedClock> {
    Syncer::new(store.clone(), Arc::new(transport(&proxy.base())), Arc::new(SkewedClock(skew)), config(username))
}

type PushHook = Box<dyn Fn(&steward_protocol::PushRequest) + Send + Sync>;
type AnswerHook = Box<dyn Fn(&mut Result<steward_protocol::PushResponse, steward_sync::TransportError>) + Send + Sync>;
type PieceHook = Box<dyn Fn(&steward_sync::AttachmentPiece) -> Result<(), steward_sync::TransportError> + Send + Sync>;

/// The real HTTP transport with a test's hooks on the calls it watches:
/// `before_push` sees each push as it goes and `after_push` its answer (and
/// may change it); `before_piece` sees each attachment piece before it goes
/// (an error there stands for a piece that never arrived) and `after_piece`
/// runs once the server has taken one. Any state a test reads lives in what
/// its hooks capture.
pub struct Observed {
    pub inner: HttpTransport,
    pub before_push: Option<PushHook>,
    pub after_push: Option<AnswerHook>,
    pub before_piece: Option<PieceHook>,
    pub after_piece: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Observed {
    /// The transport to `base` with no hooks yet.
    pub fn new(base: &str) -> Self {
        Observed { inner: transport(base), before_push: None, after_push: None, before_piece: None, after_piece: None }
    }
}

impl steward_sync::Transport for Observed {
    async fn login(&self, credentials: &Credentials) -> Result<String, steward_sync::TransportError> {
        self.inner.login(credentials).await
    }

    async fn push(
        &self,
        token: &str,
        request: &steward_protocol::PushRequest,
    ) -> Result<steward_protocol::PushResponse, steward_sync::TransportError> {
        if let Some(hook) = &self.before_push {
            hook(request);
        }
        let mut answer = self.inner.push(token, request).await;
        if let Some(hook) = &self.after_push {
            hook(&mut answer);
        }
        answer
    }

    async fn pull(
        &self,
        token: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<steward_protocol::PullResponse, steward_sync::TransportError> {
        self.inner.pull(token, cursor, limit).await
    }

    async fn attachment_offset(
        &self,
        token: &str,
        sha256: &str,
    ) -> Result<Option<(u64, bool)>, steward_sync::TransportError> {
        self.inner.attachment_offset(token, sha256).await
    }

    async fn put_attachment(
        &self,
        token: &str,
        piece: steward_sync::AttachmentPiece,
    ) -> Result<steward_protocol::AttachmentStatus, steward_sync::TransportError> {
        if let Some(hook) = &self.before_piece {
            hook(&piece)?;
        }
        let status = self.inner.put_attachment(token, piece).await?;
        if let Some(hook) = &self.after_piece {
            hook();
        }
        Ok(status)
    }
}

/// The username of the lead of `username`'s team, and another steward of it.
pub fn lead_and_teammate(username: &str) -> (String, Option<UserId>) {
    let data = dataset();
    let me = data.staff_by_username(username).unwrap();
    let team = data.teams.iter().find(|t| Some(t.id) == me.team_id).unwrap();
    let lead = data.staff.iter().find(|s| Some(s.id) == team.lead_id).unwrap();
    let mate = data
        .staff
        .iter()
        .find(|s| s.role == steward_domain::org::Role::Steward && s.team_id == me.team_id && s.id != me.id)
        .map(|s| s.id);
    (lead.username.clone(), mate)
}

impl Central {
    pub async fn login(&self, username: &str) -> String {
        let body: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base()))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["token"].as_str().unwrap_or_else(|| panic!("login {username}: {body}")).to_owned()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Value {
        let res = reqwest::Client::new()
            .post(format!("{}{path}", self.base()))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert!(status.is_success(), "POST {path}: {status} {body}");
        body
    }

    pub async fn get(&self, token: &str, path: &str) -> Value {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A hotline ticket for `household`, dispatched by the steward's lead to
    /// the steward; returns its id.
    pub async fn dispatched_ticket(&self, household: &Household, username: &str) -> String {
        let hotline = self.login("hotline1").await;
        let body = serde_json::json!({"account_no": household.account_no.as_str(), "category": "no_heat", "description": "暖气不热"});
        let ticket = self.post(&hotline, "/api/v1/tickets", &body).await;
        let id = ticket["id"].as_str().unwrap().to_owned();
        let lead = self.login(&lead_and_teammate(username).0).await;
        self.post(
            &lead,
            &format!("/api/v1/tickets/{id}/assign"),
            &serde_json::json!({"steward_id": steward(username)}),
        )
        .await;
        id
    }
}

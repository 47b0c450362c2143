//! `spawn_app()`: the real server on 127.0.0.1:0 with a fresh SQLite file,
//! seeded with a small fixture of two teams and three districts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_central::auth::{PasswordPolicy, hash_password};
use steward_central::import;
use steward_central::store::Store;
use steward_central::{AppState, Clock, Config};
use steward_domain::ids::{CentreId, DistrictId, HouseholdId, TeamId, UserId, UtilityId};
use steward_domain::org::{Role, ServiceCentre, Staff, Team, Utility};
use tempfile::TempDir;

pub const PASSWORD: &str = "pw-secret-42";

/// A clock the test moves by hand.
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap();
        *t = t.checked_add(by).unwrap();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub users: HashMap<&'static str, UserId>,
    pub db_path: std::path::PathBuf,
    _dir: TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

fn id(n: u8) -> [u8; 10] {
    [n; 10]
}

pub const START: &str = "2026-11-20T08:00:00Z";

/// The staff of the fixture: (username, role, team).
const STAFF: &[(&str, Role, Option<&str>)] = &[
    ("admin", Role::Admin, None),
    ("hotline1", Role::HotlineAgent, None),
    ("lead1", Role::TeamLead, Some("A")),
    ("lead2", Role::TeamLead, Some("B")),
    ("steward1", Role::Steward, Some("A")),
    ("steward2", Role::Steward, Some("A")),
    ("steward3", Role::Steward, Some("B")),
];

fn square(code: &str, name: &str, steward: &str, x0: f64, y0: f64) -> Value {
    let (x1, y1) = (x0 + 0.02, y0 + 0.02);
    json!({
        "type": "Feature",
        "id": code,
        "properties": {"name": name, "steward": steward},
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}
    })
}

/// Three districts: SH-01 (steward1) and SH-02 (steward2) of team A, SH-03
/// (steward3) of team B.
pub fn districts_geojson() -> String {
    json!({"type": "FeatureCollection", "features": [
        square("SH-01", "鑫隆片区", "steward1", 117.10, 37.30),
        square("SH-02", "豪门片区", "steward2", 117.12, 37.30),
        square("SH-03", "东城片区", "steward3", 117.16, 37.30),
    ]})
    .to_string()
}

pub const HOUSEHOLDS_CSV: &str =
    "account_no,community,building,unit,room,resident_name,phone,heated_area_m2,status,lon,lat
A-0001,鑫隆帝景城,1号楼,1,101,张三,13800000001,89.5,active,117.11,37.31
A-0002,鑫隆帝景城,1,2单元,201,李四,13800000002,100,suspended,117.111,37.311
B-0001,豪门庄园,2,1,301,王五,13800000003,75,new,117.13,37.31
C-0001,东城小区,3,1,401室,赵六,13800000004,60,active,117.17,37.31
";

/// Everything the server logged in this test binary.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures the logs of every server of this binary, at debug level.
fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new("debug,hyper=info,hyper_util=info,reqwest=info");
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(|| Capture).try_init();
    });
}

/// The logs captured so far.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

pub async fn spawn_app() -> TestApp {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("central.db");
    let store = Store::open(&db_path).unwrap();
    let start: Timestamp = START.parse().unwrap();
    let hash = hash_password(PasswordPolicy::insecure_fast(), PASSWORD).unwrap();
    let utility = Utility { id: UtilityId::new_v7(start, id(1)), name: "济南热力集团".into() };
    let centre =
        ServiceCentre {
            id: CentreId::new_v7(start, id(2)), utility_id: utility.id, name: "商河供热服务中心".into()
        };
    let mut teams = HashMap::new();
    teams.insert("A", TeamId::new_v7(start, id(3)));
    teams.insert("B", TeamId::new_v7(start, id(4)));
    let mut users = HashMap::new();
    for (i, (name, _, _)) in STAFF.iter().enumerate() {
        users.insert(*name, UserId::new_v7(start, id(10 + i as u8)));
    }
    {
        let (users, teams) = (users.clone(), teams.clone());
        store
            .write(move |tx| {
                tx.put_utility(&utility)?;
                tx.put_centre(&centre)?;
                for (key, lead) in [("A", "lead1"), ("B", "lead2")] {
                    tx.put_team(&Team {
                        id: teams[key],
                        centre_id: centre.id,
                        name: format!("商河供暖管家服务{key}队"),
                        lead_id: Some(users[lead]),
                    })?;
                }
                for (i, (name, role, team)) in STAFF.iter().enumerate() {
                    let staff = Staff {
                        id: users[name],
                        username: (*name).into(),
                        display_name: format!("王{name}"),
                        role: *role,
                        team_id: team.map(|t| teams[t]),
                        employee_no: format!("SH{:03}", i + 1),
                        mobile: Some(
                            steward_domain::ground::PhoneNumber::parse(&format!("139000000{:02}", i)).unwrap(),
                        ),
                    };
                    tx.put_staff(&staff)?;
                    tx.set_password_hash(staff.id, &hash)?;
                }
                Ok::<_, steward_central::store::StoreError>(())
            })
            .await
            .unwrap();
    }
    let s = store.clone();
    tokio::task::spawn_blocking(move || {
        import::import_districts(&s, &districts_geojson(), start).unwrap();
        import::import_households(&s, HOUSEHOLDS_CSV, start).unwrap();
    })
    .await
    .unwrap();

    serve(store, dir, db_path, users, start).await
}

/// Starts the server on a seeded store.
async fn serve(
    store: Store,
    dir: TempDir,
    db_path: std::path::PathBuf,
    users: HashMap<&'static str, UserId>,
    start: Timestamp,
) -> TestApp {
    let clock = Arc::new(ManualClock(Mutex::new(start)));
    let config =
        Config { password_policy: PasswordPolicy::insecure_fast(), body_limit: 64 * 1024, ..Config::default() };
    let mut state = AppState::new(store.clone(), config);
    state.clock = clock.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(steward_central::run(listener, state, async {
        let _ = rx.await;
    }));
    TestApp { base, client: reqwest::Client::new(), store, clock, users, db_path, _dir: dir, _shutdown: tx }
}

/// The server on a store seeded with the 商河 demo data set.
pub async fn spawn_demo() -> (TestApp, Arc<steward_demo::DemoDataset>) {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("demo.db");
    let store = Store::open(&db_path).unwrap();
    let data = Arc::new(steward_demo::generate(&steward_demo::DemoConfig::default()).unwrap());
    let (s, d) = (store.clone(), data.clone());
    let as_of = data.config.as_of;
    tokio::task::spawn_blocking(move || {
        steward_central::seed::seed_dataset(&s, &d, PASSWORD, PasswordPolicy::insecure_fast(), as_of).unwrap()
    })
    .await
    .unwrap();
    (serve(store, dir, db_path, HashMap::new(), as_of).await, data)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn user(&self, name: &str) -> UserId {
        self.users[name]
    }

    pub async fn login(&self, username: &str) -> String {
        let (status, body) =
            self.post(None, "/api/v1/auth/login", &json!({"username": username, "password": PASSWORD})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// The id of a household by account number, read from the store.
    pub async fn household(&self, account: &str) -> HouseholdId {
        let account = account.to_owned();
        self.store.read(move |db| db.household_by_account(&account)).await.unwrap().unwrap().household.id
    }

    pub async fn district(&self, code: &str) -> DistrictId {
        let code = code.to_owned();
        let all = self.store.read(|db| db.district_boundaries()).await.unwrap();
        all.into_iter().find(|(_, c, _)| *c == code).unwrap().0
    }

    /// Opens a ticket for a household as the hotline and returns its id.
    pub async fn open_ticket(&self, token: &str, account: &str) -> String {
        let (status, body) = self
            .post(
                Some(token),
                "/api/v1/tickets",
                &json!({"account_no": account, "category": "no_heat", "description": "暖气不热"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Opens a ticket and has lead dispatch it to a steward.
    pub async fn dispatched_ticket(&self, account: &str, lead: &str, steward: &str) -> String {
        let hotline = self.login("hotline1").await;
        let id = self.open_ticket(&hotline, account).await;
        let lead = self.login(lead).await;
        let (status, body) = self
            .post(Some(&lead), &format!("/api/v1/tickets/{id}/assign"), &json!({"steward_id": self.user(steward)}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_else(|| panic!("not an error body: {body}"))
}

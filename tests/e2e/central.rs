//! The real central server for the end-to-end run: seeded with the demo,
//! served on loopback from a real SQLite file, stopped and started again on
//! the same port to play the network going and coming back.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};
use steward_central::auth::PasswordPolicy;
use steward_central::{AppState, Config};
use steward_demo::{DemoConfig, DemoDataset};
use steward_domain::ids::{HouseholdId, UserId};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Every demo account's password in this run.
pub const PASSWORD: &str = "heat-e2e";

pub struct Central {
    pub data: DemoDataset,
    /// The demo's "now", which the app's device starts from too.
    pub as_of: Timestamp,
    db: PathBuf,
    store: steward_central::store::Store,
    addr: SocketAddr,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
    http: reqwest::Client,
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl Central {
    pub async fn seed_and_start(db: &Path) -> Central {
        let started = std::time::Instant::now();
        // The demo's clock is "now" when now lies in the season it models,
        // so that its open tickets are current; otherwise its default day.
        let now = Timestamp::now();
        let mut config = DemoConfig::default();
        let season = "2026-09-02T00:00:00Z".parse::<Timestamp>().unwrap()..="2027-04-29T00:00:00Z".parse().unwrap();
        if season.contains(&now) {
            config.as_of = now;
        }
        let as_of = config.as_of;
        let store = steward_central::store::Store::open(db).expect("open the central database");
        let seeded = store.clone();
        let data = tokio::task::spawn_blocking(move || {
            let data = steward_demo::generate(&config).expect("generate the demo");
            steward_central::seed::seed_dataset(&seeded, &data, PASSWORD, PasswordPolicy::insecure_fast(), as_of)
                .expect("seed the central");
            data
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut central = Central {
            data,
            as_of,
            db: db.to_owned(),
            store,
            addr,
            running: None,
            http: reqwest::Client::new(),
            tokens: Default::default(),
        };
        central.serve(listener);
        println!("e2e: central seeded and serving in {:.1} s", started.elapsed().as_secs_f64());
        central
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let state = AppState::new(
            self.store.clone(),
            Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() },
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(steward_central::run(listener, state, async {
            let _ = stopped.await;
        }));
        self.running = Some((stop, task));
    }

    /// Stops serving; requests in flight finish first.
    pub async fn stop(&mut self) {
        let (stop, task) = self.running.take().expect("the central is running");
        let _ = stop.send(());
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("the central stops within 30 s")
            .expect("the server task")
            .expect("the server ends cleanly");
    }

    /// Serves again on the same port and database.
    pub async fn start(&mut self) {
        assert!(self.running.is_none(), "the central is already running");
        let listener = tokio::net::TcpListener::bind(self.addr).await.expect("bind the central's port again");
        self.serve(listener);
    }

    pub fn user(&self, username: &str) -> UserId {
        self.data.staff.iter().find(|s| s.username == username).unwrap_or_else(|| panic!("no user {username}")).id
    }

    async fn token(&self, username: &str) -> String {
        if let Some(token) = self.tokens.lock().unwrap().get(username) {
            return token.clone();
        }
        let response = self
            .http
            .post(format!("{}/api/v1/auth/login", self.url()))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .expect("log in at the central");
        assert!(response.status().is_success(), "login as {username}: {}", response.status());
        let body: Value = response.json().await.unwrap();
        let token = body["token"].as_str().unwrap().to_owned();
        self.tokens.lock().unwrap().insert(username.to_owned(), token.clone());
        token
    }

    async fn call(&self, username: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let token = self.token(username).await;
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.url())).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{method} {path}: {status}, {e}"));
        // 204 No Content and the like have no body.
        let body: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{method} {path}: {status}, not JSON: {e}"))
        };
        assert!(status.is_success(), "{method} {path} as {username}: {status} {body}");
        body
    }

    pub async fn get_household(&self, id: HouseholdId) -> Value {
        self.call("admin", reqwest::Method::GET, &format!("/api/v1/households/{id}"), None).await
    }

    pub async fn get_ticket(&self, id: &str) -> Value {
        self.call("admin", reqwest::Method::GET, &format!("/api/v1/tickets/{id}"), None).await
    }

    /// The hotline reports no heat at `household`; the team lead dispatches
    /// it to `steward`. Returns the ticket id.
    pub async fn hotline_ticket(&self, household: HouseholdId, steward: &str) -> String {
        self.dispatched_ticket(household, steward, "E2E-0001").await
    }

    /// A no-heat report with the hotline's reference `external_ref`, dispatched to `steward`.
    pub async fn dispatched_ticket(&self, household: HouseholdId, steward: &str, external_ref: &str) -> String {
        let id = self.reported_ticket(household, external_ref).await;
        let steward = self.user(steward);
        let lead = self.lead_of(steward);
        self.call(
            &lead.username,
            reqwest::Method::POST,
            &format!("/api/v1/tickets/{id}/assign"),
            Some(json!({ "steward_id": steward })),
        )
        .await;
        id
    }

    /// The team lead of `steward`'s team.
    pub fn lead_of(&self, steward: UserId) -> &steward_domain::org::Staff {
        let team = self.data.staff.iter().find(|x| x.id == steward).and_then(|x| x.team_id);
        self.data
            .staff
            .iter()
            .find(|s| s.role == steward_domain::org::Role::TeamLead && s.team_id == team)
            .expect("the steward's team lead")
    }

    /// The hotline reports no heat at `household` (reference
    /// `external_ref`); the ticket waits, new, for a team lead to dispatch
    /// it. Returns its id.
    pub async fn reported_ticket(&self, household: HouseholdId, external_ref: &str) -> String {
        let created = self
            .call(
                "hotline1",
                reqwest::Method::POST,
                "/api/v1/tickets",
                Some(json!({
                    "household_id": household,
                    "category": "no_heat",
                    "description": "家里暖气不热（端到端测试）",
                    "external_ref": external_ref,
                })),
            )
            .await;
        created["id"].as_str().expect("the ticket's id").to_owned()
    }

    /// The hotline's report of no heat at `household` (reference
    /// `external_ref`) taken at `reported_at`, which starts the ticket's
    /// clock: an earlier time makes a ticket already at risk or breached.
    /// Returns the central's ticket as it answered.
    pub async fn reported_ticket_at(
        &self,
        household: HouseholdId,
        external_ref: &str,
        reported_at: Timestamp,
    ) -> Value {
        self.call(
            "hotline1",
            reqwest::Method::POST,
            "/api/v1/tickets",
            Some(json!({
                "household_id": household,
                "category": "no_heat",
                "description": "家里暖气不热（端到端测试）",
                "reported_at": reported_at,
                "external_ref": external_ref,
            })),
        )
        .await
    }

    /// The central's service policy (`GET /api/v1/sla/policy`).
    pub async fn policy(&self) -> Value {
        self.call("admin", reqwest::Method::GET, "/api/v1/sla/policy", None).await
    }

    /// The station incidents as `viewer` (a team lead) is shown them (`GET /api/v1/incidents`).
    pub async fn incidents(&self, viewer: &str) -> Value {
        self.call(viewer, reqwest::Method::GET, "/api/v1/incidents", None).await
    }

    /// `steward`'s device syncs now and says `queued` records are still
    /// waiting on it: a push with no mutations, as the sync engine sends
    /// its queue depth.
    pub async fn device_reports_queue(&self, steward: &str, queued: u32) {
        let body = self
            .call(
                steward,
                reqwest::Method::POST,
                "/api/v1/sync/push",
                Some(json!({ "mutations": [], "queued": queued })),
            )
            .await;
        assert_eq!(body["outcomes"], json!([]), "an empty push has no outcomes: {body}");
    }

    /// Records, in the central's own store, that `steward`'s device last
    /// synced at `at` with `queued` records waiting: the store function the
    /// push and pull handlers call. The API stamps a sync with the central's
    /// clock, so a sync in the past (a device gone quiet) is written here.
    pub async fn device_synced_at(&self, steward: UserId, at: Timestamp, queued: u32) {
        self.store
            .write(move |tx| tx.record_sync(steward, None, at.as_millisecond(), Some(queued)))
            .await
            .expect("record the device's sync");
    }

    /// The visits the central database holds for `household`, as stored
    /// (read straight from its file: the API has no per-household visit list).
    pub async fn visits(&self, household: HouseholdId) -> Vec<String> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let mut stmt = conn.prepare("SELECT doc FROM visits WHERE household_id = ?1").unwrap();
            stmt.query_map([household.to_string()], |r| r.get(0)).unwrap().collect::<Result<Vec<String>, _>>().unwrap()
        })
        .await
        .unwrap()
    }

    /// An admin sets `username`'s password through the API, as when a
    /// steward is handed their account.
    pub async fn set_password(&self, username: &str, password: &str) {
        let id = self.user(username);
        self.call(
            "admin",
            reqwest::Method::PUT,
            &format!("/api/v1/users/{id}/password"),
            Some(json!({ "password": password })),
        )
        .await;
    }

    /// The account as the central's user list shows it to an admin.
    pub async fn user_record(&self, username: &str) -> Value {
        let users = self.call("admin", reqwest::Method::GET, "/api/v1/users", None).await;
        users
            .as_array()
            .into_iter()
            .flatten()
            .find(|u| u["username"] == json!(username))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// `GET /api/v1/staff/{id}/photo` as `viewer`: the content type and the
    /// bytes, or `None` while the central has no photo (404 `no_photo`).
    pub async fn staff_photo(&self, viewer: &str, id: UserId) -> Option<(String, Vec<u8>)> {
        let token = self.token(viewer).await;
        let url = format!("{}/api/v1/staff/{id}/photo", self.url());
        let response = self.http.get(&url).bearer_auth(token).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        assert!(status.is_success(), "GET {url} as {viewer}: {status}");
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Some((kind, response.bytes().await.unwrap().to_vec()))
    }
}

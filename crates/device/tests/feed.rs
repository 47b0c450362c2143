//! The central's feed kinds beyond the ground, tickets and visits, against a
//! real central on loopback: a sweep a team lead opens reaches the steward's
//! Today as planned visits, a policy the lead changes reaches the device's
//! clock and fence, and the device tells the central how much still waits.

mod common;

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use steward_device::dto::{RecordDto, ValveDto, ValveStateDto, VisitInput};
use steward_device::{Device, Stamp, connect_central};
use steward_domain::ids::DeviceId;
use steward_domain::sla::SlaPolicy;
use steward_protocol::{PullResponse, PushRequest, PushResponse};
use steward_sync::{
    AttachmentPiece, Credentials, HttpTransport, SyncConfig, Syncer, SystemClock, Transport, TransportError,
};

const PASSWORD: &str = "heat-test-feed";

/// A failure guard only: every wait below ends on a condition.
const GUARD: Duration = Duration::from_secs(90);

/// The team lead at the central, over its HTTP API.
struct Lead {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Lead {
    async fn sign_in(base: &str) -> Lead {
        let http = reqwest::Client::new();
        let token = common::login(&http, base, "lead1", PASSWORD).await;
        Lead { http, base: base.to_owned(), token }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }
}

/// Runs sync rounds until `done` holds, or fails after [`GUARD`].
async fn sync_until(device: &Device, what: &str, mut done: impl FnMut(&Device) -> bool) {
    let mut updates = device.sync_updates().expect("the sync runs");
    let deadline = tokio::time::Instant::now() + GUARD;
    while !done(device) {
        device.sync_now();
        match tokio::time::timeout_at(deadline, updates.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => panic!("the sync stopped while waiting for {what}"),
            Err(_) => panic!("no {what} within {GUARD:?}: {:?}", device.sync_status()),
        }
    }
}

fn steward_device(dir: &std::path::Path, name: &str, random: u8) -> Arc<Device> {
    let device = Device::open(&dir.join(name)).unwrap();
    device.bootstrap_demo("steward1", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [random; 10])).unwrap();
    Arc::new(device)
}

fn sealing_visit(household: &str, at: Timestamp, seal: &str) -> VisitInput {
    VisitInput {
        household_id: household.to_owned(),
        ticket_id: None,
        started_at: (at - SignedDuration::from_mins(5)).to_string(),
        records: vec![RecordDto::SuspensionValveClosure {
            valve: ValveDto { state: ValveStateDto::Sealed, seal_no: Some(seal.to_owned()) },
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_the_lead_opens_lists_its_planned_visits_on_the_stewards_today() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = steward_device(dir.path(), "device", 3);
    connect_central(&device, &base, PASSWORD.to_owned()).unwrap();
    sync_until(&device, "a first successful round", |d| d.sync_status().is_some_and(|s| s.last_success_at.is_some()))
        .await;
    assert!(device.today_view(Timestamp::now()).unwrap().planned.is_empty(), "no sweep yet");
    let key_before = device.open_tickets_key().unwrap();

    // The lead opens a suspension check over the steward's districts.
    let lead = Lead::sign_in(&base).await;
    let districts: Vec<String> = device.profile().unwrap().districts.iter().map(|d| d.id.to_string()).collect();
    let deadline = Timestamp::now() + SignedDuration::from_hours(48);
    let sweep = lead
        .call(
            reqwest::Method::POST,
            "/api/v1/sweeps",
            Some(json!({"kind": "suspension_check", "title": "报停复查第一轮", "deadline": deadline,
                        "district_ids": districts})),
        )
        .await;
    let planned_at_central = sweep["planned"].as_u64().expect("the sweep says how many it planned");
    assert!(planned_at_central > 0, "the demo has suspended households in steward1's districts: {sweep}");

    sync_until(&device, "the planned visits on Today", |d| {
        d.today_view(Timestamp::now()).unwrap().planned.len() as u64 == planned_at_central
    })
    .await;
    // The app reloads Today when this key moves: planned visits move it.
    assert_ne!(device.open_tickets_key().unwrap(), key_before, "the planned visits change Today's key");
    let today = device.today_view(Timestamp::now()).unwrap();
    let sweep_id = sweep["id"].as_str().unwrap();
    for p in &today.planned {
        assert_eq!((p.sweep_id.as_str(), p.kind.as_str()), (sweep_id, "suspension_check"));
        assert_eq!(
            (p.kind_label.as_str(), p.title.as_str(), p.state.as_str()),
            ("报停阀门检查", "报停复查第一轮", "open")
        );
        assert_eq!(p.deadline.parse::<Timestamp>().unwrap(), deadline);
        assert_eq!(p.id, format!("{sweep_id}:{}", p.household_id));
    }
    // Walking order: building by building, each building's visits together.
    let mut seen: Vec<&str> = Vec::new();
    for p in &today.planned {
        if seen.last() != Some(&p.building_id.as_str()) {
            assert!(!seen.contains(&p.building_id.as_str()), "building {} comes back later", p.building);
            seen.push(&p.building_id);
        }
    }
    // The same order as the households on Today that wait for their seal.
    let sealing: Vec<&str> = today.households.iter().map(|h| h.id.as_str()).collect();
    let planned: Vec<&str> = today.planned.iter().map(|p| p.household_id.as_str()).collect();
    let in_both: Vec<&str> = sealing.iter().copied().filter(|h| planned.contains(h)).collect();
    assert_eq!(planned.iter().copied().filter(|h| in_both.contains(h)).collect::<Vec<_>>(), in_both);

    // Sealing the first household's valve does what the sweep asks: done at once, offline.
    let first = today.planned[0].clone();
    let now = Timestamp::now();
    let stamp = Stamp { at: now, visit_random: [7; 10], mutation_random: [8; 10] };
    device.record_visit(&sealing_visit(&first.household_id, now, "SH-FEED-1"), stamp).unwrap();
    let after = device.today_view(Timestamp::now()).unwrap();
    let row = after.planned.iter().find(|p| p.id == first.id).unwrap();
    assert_eq!(row.state, "done");
    assert!(row.done_at.is_some());
    assert!(after.planned.iter().filter(|p| p.id != first.id).all(|p| p.state == "open"));
    // Past the deadline, what is not done is overdue.
    let late = device.today_view(deadline + SignedDuration::from_hours(1)).unwrap();
    assert!(late.planned.iter().filter(|p| p.id != first.id).all(|p| p.state == "overdue"));
    assert_eq!(late.planned.iter().find(|p| p.id == first.id).unwrap().state, "done");

    // The central counts the same visit once it has it.
    sync_until(&device, "the visit pushed", |d| d.pending().unwrap().total == 0).await;
    let progress = lead.call(reqwest::Method::GET, &format!("/api/v1/sweeps/{sweep_id}/progress"), None).await;
    assert_eq!(progress["total"]["done"], 1, "{progress}");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_the_lead_changes_reaches_the_device_with_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = steward_device(dir.path(), "device", 4);
    connect_central(&device, &base, PASSWORD.to_owned()).unwrap();
    sync_until(&device, "a first successful round", |d| d.sync_status().is_some_and(|s| s.last_success_at.is_some()))
        .await;
    let stored = |d: &Device| -> Option<SlaPolicy> { d.sla_policy().unwrap() };
    // The feed's key is the one the clock and the fence read.
    assert_eq!(steward_store::meta_keys::SLA_POLICY, steward_device::tickets::SLA_POLICY_KEY);

    let lead = Lead::sign_in(&base).await;
    let mut policy = lead.call(reqwest::Method::GET, "/api/v1/sla/policy", None).await;
    let before: SlaPolicy = serde_json::from_value(policy.clone()).unwrap();
    assert_ne!(before.geofence_m(), 275.0);
    policy["geofence_m"] = json!(275.0);
    policy["at_risk_minutes"] = json!(12);
    let put = lead.call(reqwest::Method::PUT, "/api/v1/sla/policy", Some(policy)).await;
    let wanted: SlaPolicy = serde_json::from_value(put).unwrap();

    sync_until(&device, "the new policy on the device", |d| stored(d).as_ref() == Some(&wanted)).await;
    assert_eq!(stored(&device).unwrap().geofence_m(), 275.0);
    let _ = stop.send(());
}

/// The central over HTTP, cut off after `pushes` pushes as a phone losing
/// its network mid-round would be.
struct CutAfter {
    inner: HttpTransport,
    pushes: std::sync::atomic::AtomicUsize,
}

impl Transport for CutAfter {
    async fn login(&self, credentials: &Credentials) -> Result<String, TransportError> {
        self.inner.login(credentials).await
    }

    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let left = self.pushes.load(std::sync::atomic::Ordering::SeqCst);
        if left == 0 {
            return Err(TransportError::Network("cut off".into()));
        }
        self.pushes.store(left - 1, std::sync::atomic::Ordering::SeqCst);
        self.inner.push(token, request).await
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
        piece: AttachmentPiece,
    ) -> Result<steward_protocol::AttachmentStatus, TransportError> {
        self.inner.put_attachment(token, piece).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lead_sees_how_many_records_wait_on_the_stewards_device() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = steward_device(dir.path(), "device", 5);
    let credentials = Credentials {
        username: "steward1".into(),
        password: PASSWORD.into(),
        device_id: device.profile().unwrap().device_id,
    };
    let mut config = SyncConfig::new(credentials);
    config.batch.max_mutations = 1;
    let http = || HttpTransport::new(&base, Duration::from_secs(30)).unwrap();
    Syncer::new(Arc::clone(&device), Arc::new(http()), Arc::new(SystemClock), config.clone()).round().await.unwrap();

    // Three visits recorded offline; the network goes after the first push.
    let households: Vec<String> =
        device.today_view(Timestamp::now()).unwrap().households.iter().take(3).map(|h| h.id.clone()).collect();
    assert_eq!(households.len(), 3);
    for (i, h) in households.iter().enumerate() {
        let at = Timestamp::now();
        let stamp = Stamp { at, visit_random: [10 + i as u8; 10], mutation_random: [20 + i as u8; 10] };
        device.record_visit(&sealing_visit(h, at, &format!("SH-Q-{i}")), stamp).unwrap();
    }
    let cut = CutAfter { inner: http(), pushes: 1.into() };
    let failed = Syncer::new(Arc::clone(&device), Arc::new(cut), Arc::new(SystemClock), config.clone()).round().await;
    assert!(failed.is_err(), "the round stops when the network goes");
    assert_eq!(device.pending().unwrap().total, 2);

    let lead = Lead::sign_in(&base).await;
    let steward_id = device.profile().unwrap().steward.id.to_string();
    let queued = |rows: &Value| {
        rows.as_array().unwrap().iter().find(|r| r["steward_id"] == steward_id.as_str()).expect("steward1's row")
            ["queued"]
            .clone()
    };
    let positions = lead.call(reqwest::Method::GET, "/api/v1/stewards/positions", None).await;
    assert_eq!(queued(&positions), 2, "two records still wait on the device");

    // Back online, the rest goes up and the column drains.
    Syncer::new(Arc::clone(&device), Arc::new(http()), Arc::new(SystemClock), config).round().await.unwrap();
    assert_eq!(device.pending().unwrap().total, 0);
    let positions = lead.call(reqwest::Method::GET, "/api/v1/stewards/positions", None).await;
    assert_eq!(queued(&positions), 0);
    let _ = stop.send(());
}

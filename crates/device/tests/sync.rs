//! The device against a real central on loopback: the app's path from a
//! recorded visit to the central database, through the background sync.

mod common;

use common::{login, wait_for};

use std::sync::Arc;

use jiff::Timestamp;
use steward_device::dto::{RecordDto, VisitInput};
use steward_device::{Device, Stamp, connect_central};
use steward_domain::ids::DeviceId;

const PASSWORD: &str = "heat-test-device";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_recorded_on_the_device_reaches_the_central_exactly_once() {
    // The central, seeded with the same demo data the device starts from.
    let dir = tempfile::tempdir().unwrap();
    let (central_db, base, stop) = common::start_central(dir.path(), PASSWORD).await;

    // The device's first start, then its first sync.
    let device = Device::open(&dir.path().join("device")).unwrap();
    device.bootstrap_demo("steward1", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [3; 10])).unwrap();
    let device = Arc::new(device);
    connect_central(&device, &base, PASSWORD.to_owned()).unwrap();
    let first = wait_for(&device, "a first successful round", |s| s.last_success_at.is_some()).await;
    assert_eq!(first.last_error, None);

    // A sealed valve recorded on the device goes up on its own.
    let household = device.today(Timestamp::now()).unwrap().households[0].id;
    let input = VisitInput {
        household_id: household.to_string(),
        ticket_id: None,
        started_at: "2026-11-26T01:50:00Z".to_owned(),
        records: vec![RecordDto::ContactCardHandedOver],
    };
    let stamp = Stamp { at: "2026-11-26T02:00:00Z".parse().unwrap(), visit_random: [5; 10], mutation_random: [6; 10] };
    let saved = device.record_visit(&input, stamp).unwrap();
    assert_eq!(saved.pending.bulk, 1);
    let after = wait_for(&device, "the visit pushed", |s| {
        s.pending_bulk == 0 && s.last_success_at > first.last_success_at && s.in_progress.is_none()
    })
    .await;
    assert_eq!((after.needs_attention, after.last_error), (0, None));

    let central = rusqlite::Connection::open(&central_db).unwrap();
    let copies: i64 =
        central.query_row("SELECT count(*) FROM visits WHERE id = ?1", [&saved.visit.id], |r| r.get(0)).unwrap();
    assert_eq!(copies, 1, "the central holds the visit exactly once");
    assert_eq!(device.pending().unwrap().total, 0);
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_made_on_the_device_reaches_the_central_and_the_panel_follows() {
    use steward_device::dto::{ArrivalInput, TicketActionInput};
    use steward_device::{FakeGps, LocationFix};

    let dir = tempfile::tempdir().unwrap();
    let (central_db, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = Device::open(&dir.path().join("device")).unwrap();
    device.bootstrap_demo("steward3", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [4; 10])).unwrap();
    let device = Arc::new(device);
    // Before the central is configured the panel says so, and counts from the store.
    let panel = device.sync_panel().unwrap();
    assert_eq!((panel.state.as_str(), panel.central, panel.pending.total), ("offline", false, 0));

    connect_central(&device, &base, PASSWORD.to_owned()).unwrap();
    let first = wait_for(&device, "a first successful round", |s| s.last_success_at.is_some()).await;
    let panel = device.sync_panel().unwrap();
    assert!(panel.central && matches!(panel.state.as_str(), "idle" | "syncing"), "{panel:?}");
    assert!(panel.last_success_at.is_some() && panel.clock_offset_ms.is_some(), "{panel:?}");

    // The dispatched ticket: accept and check in by (fake) GPS at the building.
    let as_of = steward_demo::DemoConfig::default().as_of;
    let task = device.today_view(as_of).unwrap().tickets.into_iter().find(|t| t.ticket.status == "dispatched").unwrap();
    let detail = device.ticket_detail(&task.ticket.id, as_of).unwrap();
    let building = steward_domain::geometry::LonLat::new(detail.building_lon, detail.building_lat).unwrap();
    device.set_location_provider(Box::new(FakeGps(LocationFix { at: building, accuracy_m: 5.0 })));
    let at: Timestamp = detail.events.last().unwrap().at.parse().unwrap();
    let stamp = |n: u8, secs: i64| Stamp {
        at: at + jiff::SignedDuration::from_secs(secs),
        visit_random: [n; 10],
        mutation_random: [n + 50; 10],
    };
    // The device's clock offset is whatever the exchange taught it; take it back out of the stamps.
    let offset = jiff::SignedDuration::from_millis(panel.clock_offset_ms.unwrap());
    let stamp = |n, secs| {
        let s = stamp(n, secs);
        Stamp { at: s.at - offset, ..s }
    };
    device.ticket_action(&task.ticket.id, &TicketActionInput::Accept, stamp(1, 30)).unwrap();
    let arrived = device
        .ticket_action(&task.ticket.id, &TicketActionInput::Arrive { proof: ArrivalInput::Gps }, stamp(2, 120))
        .unwrap();
    assert_eq!(arrived.detail.sla.status, "met");
    assert_eq!(arrived.pending.priority, 2);

    let after = wait_for(&device, "the ticket actions pushed", |s| {
        s.pending_priority == 0 && s.last_success_at > first.last_success_at && s.in_progress.is_none()
    })
    .await;
    assert_eq!((after.needs_attention, after.last_error), (0, None));
    let central = rusqlite::Connection::open(&central_db).unwrap();
    let status: String =
        central.query_row("SELECT status FROM tickets WHERE id = ?1", [&task.ticket.id], |r| r.get(0)).unwrap();
    assert_eq!(status, "on_site");
    // Another round may already run (the watchdog): the panel is idle or syncing, never failing.
    let panel = device.sync_panel().unwrap();
    assert!(matches!(panel.state.as_str(), "idle" | "syncing"), "{panel:?}");
    assert_eq!((panel.pending.total, panel.attention.len()), (0, 0));
    assert!(!device.ticket_detail(&task.ticket.id, as_of).unwrap().pending);

    // The central goes away: the next round fails and the panel says offline.
    let _ = stop.send(());
    device.sync_now();
    wait_for(&device, "a failed round", |s| s.last_error.is_some() && s.in_progress.is_none()).await;
    assert_eq!(device.sync_panel().unwrap().state, "offline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_remembers_the_token_and_an_offline_start_resumes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let data_dir = dir.path().join("device");
    let new_id = || DeviceId::new_v7(Timestamp::UNIX_EPOCH, [6; 10]);
    {
        let device = Arc::new(Device::open(&data_dir).unwrap());
        device.bootstrap_demo("steward2", new_id()).unwrap();
        assert!(device.start_state(Some(&base)).unwrap().needs_sign_in);
        let err = |r: Result<_, steward_device::InputError>| r.unwrap_err().code();
        assert_eq!(err(steward_device::sign_in(&device, &base, "", "x", new_id()).await), "required");
        assert_eq!(
            err(steward_device::sign_in(&device, &base, "steward2", "wrong", new_id()).await),
            "bad_credentials"
        );
        assert_eq!(err(steward_device::sign_in(&device, &base, "steward1", PASSWORD, new_id()).await), "other_steward");
        assert_eq!(
            err(steward_device::sign_in(&device, "http://127.0.0.1:9", "steward2", PASSWORD, new_id()).await),
            "central_unreachable"
        );
        assert!(device.session().unwrap().is_none());

        // The team's policy at the central: a 300 m check-in fence.
        let client = reqwest::Client::new();
        let admin = login(&client, &base, "admin", PASSWORD).await;
        let url = format!("{base}/api/v1/sla/policy");
        let mut policy: serde_json::Value =
            client.get(&url).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
        policy["geofence_m"] = serde_json::json!(300.0);
        let put = client.put(&url).bearer_auth(&admin).json(&policy).send().await.unwrap();
        assert!(put.status().is_success(), "{}", put.text().await.unwrap());

        let session = steward_device::sign_in(&device, &base, "steward2", PASSWORD, new_id()).await.unwrap();
        // The device now judges check-ins with the central's fence, offline too.
        let kept = steward_sync::StoreAccess::with_store(&*device, |s| s.meta(steward_device::tickets::SLA_POLICY_KEY));
        let kept: steward_domain::sla::SlaPolicy =
            serde_json::from_str(&kept.unwrap().expect("a policy kept")).unwrap();
        assert_eq!(kept.geofence_m(), 300.0);
        assert_eq!((session.username.as_str(), session.central.as_str()), ("steward2", base.as_str()));
        wait_for(&device, "a first round with the session", |s| s.last_success_at.is_some()).await;
        let state = device.start_state(Some(&base)).unwrap();
        assert!(!state.needs_sign_in && state.session.is_some());

        // Signing out revokes the token at the central: the running sync is refused from then on.
        assert!(steward_device::sign_out_at_central(&device).await.unwrap());
        device.sync_now();
        let refused = wait_for(&device, "a refused round after sign-out", |s| {
            s.in_progress.is_none() && s.last_error.as_ref().is_some_and(|e| e.code == "signed_out")
        })
        .await;
        // Signing in again brings the session back.
        steward_device::sign_in(&device, &base, "steward2", PASSWORD, new_id()).await.unwrap();
        wait_for(&device, "a round after signing in again", |s| {
            s.last_success_at > refused.last_success_at && s.last_error.is_none()
        })
        .await;
    }
    // The central is gone: the next start still goes straight to the work.
    let _ = stop.send(());
    let device = Arc::new(Device::open(&data_dir).unwrap());
    assert_eq!(device.session().unwrap().map(|s| s.username), Some("steward2".to_owned()));
    assert!(steward_device::resume_session(&device, &base).unwrap());
    assert!(!device.start_state(Some(&base)).unwrap().needs_sign_in);
    assert!(device.today(Timestamp::now()).is_ok());
    // Signing out forgets the token; the work stays on the device.
    device.sign_out().unwrap();
    assert!(device.session().unwrap().is_none());
    assert!(device.start_state(Some(&base)).unwrap().needs_sign_in);
    assert!(device.profile().is_ok());
    drop(central_db);
}

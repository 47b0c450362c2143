//! Ticket actions on the device, offline: accept, en route, check in and
//! resolve through the domain's state machine, each written with its
//! priority outbox entry; the check-in verdict and the response clock
//! computed on the device; the local alerts raised once.

use jiff::{SignedDuration, Timestamp};
use steward_device::dto::{ArrivalInput, TicketActionInput};
use steward_device::{Device, FakeGps, LocationFix, Stamp};
use steward_domain::geometry::LonLat;
use steward_domain::ids::DeviceId;
use steward_domain::sla::SlaAlertKind;
use steward_sync::StoreAccess;

fn new_device() -> (tempfile::TempDir, Device) {
    let dir = tempfile::tempdir().unwrap();
    let device = Device::open(dir.path()).unwrap();
    device.bootstrap_demo("steward3", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10])).unwrap();
    (dir, device)
}

/// The dispatched ticket of the demo's steward3, its household's building, and a
/// device time just after its last event.
fn dispatched(device: &Device) -> (String, LonLat, Timestamp) {
    let now = steward_demo::DemoConfig::default().as_of;
    let today = device.today_view(now).unwrap();
    let task = today.tickets.iter().find(|t| t.ticket.status == "dispatched").expect("a dispatched ticket");
    let detail = device.ticket_detail(&task.ticket.id, now).unwrap();
    let last: Timestamp = detail.events.last().unwrap().at.parse().unwrap();
    let building = LonLat::new(detail.building_lon, detail.building_lat).unwrap();
    (task.ticket.id.clone(), building, last + SignedDuration::from_secs(30))
}

fn stamp(at: Timestamp, n: u8) -> Stamp {
    Stamp { at, visit_random: [n; 10], mutation_random: [n.wrapping_add(100); 10] }
}

fn arrive(proof: ArrivalInput) -> TicketActionInput {
    TicketActionInput::Arrive { proof }
}

#[test]
fn accept_en_route_check_in_by_gps_and_resolve_queue_in_the_priority_lane() {
    let (_dir, device) = new_device();
    let (id, building, at) = dispatched(&device);
    // A fix 40 m north of the building, 10 m accurate: inside the 150 m fence.
    let fix = LocationFix { at: LonLat::new(building.lon, building.lat + 0.00036).unwrap(), accuracy_m: 10.0 };
    device.set_location_provider(Box::new(FakeGps(fix)));
    let before = device.pending().unwrap();

    let accepted = device.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();
    assert_eq!(accepted.detail.ticket.status, "accepted");
    assert_eq!(accepted.detail.next_actions, ["en_route", "arrive"]);
    assert!(accepted.detail.pending && accepted.detail.events.last().unwrap().pending);
    let en_route =
        device.ticket_action(&id, &TicketActionInput::EnRoute, stamp(at + SignedDuration::from_secs(60), 2)).unwrap();
    assert_eq!(en_route.detail.ticket.status, "en_route");

    let arrived = device.ticket_action(&id, &arrive(ArrivalInput::Gps), stamp(at + SignedDuration::from_mins(5), 3));
    let arrived = arrived.unwrap();
    let verdict = arrived.verdict.expect("a check-in has a verdict");
    assert!(verdict.verified, "{verdict:?}");
    assert_eq!(verdict.method.as_deref(), Some("gps"));
    assert_eq!(arrived.detail.ticket.status, "on_site");
    assert_eq!(arrived.detail.sla.status, "met");
    assert_eq!(arrived.detail.events.last().unwrap().verdict.as_ref().map(|v| v.verified), Some(true));
    assert_eq!(arrived.pending.priority, before.priority + 3);
    assert_eq!(arrived.pending.bulk, before.bulk);

    let err = device
        .ticket_action(
            &id,
            &TicketActionInput::Resolve { note: "  ".into() },
            stamp(at + SignedDuration::from_mins(9), 4),
        )
        .unwrap_err();
    assert_eq!(err.code(), "required");
    let resolved = device
        .ticket_action(
            &id,
            &TicketActionInput::Resolve { note: "排气后恢复正常".into() },
            stamp(at + SignedDuration::from_mins(10), 5),
        )
        .unwrap();
    assert_eq!(resolved.detail.ticket.status, "resolved");
    assert!(!resolved.detail.ticket.is_open);
    assert_eq!(resolved.detail.next_actions, Vec::<String>::new());
    assert_eq!(resolved.detail.sla.status, "met", "the clock stopped at the verified arrival");
    assert_eq!(resolved.detail.events.last().unwrap().note.as_deref(), Some("排气后恢复正常"));

    // The queued entries are the events' JSON, in order, in the priority lane.
    let queued = device.with_store(|s| s.pending(Some(steward_store::Lane::Priority), 100).unwrap());
    let ops: Vec<&str> = queued.iter().filter(|e| e.entity_id == id).map(|e| e.op.as_str()).collect();
    assert_eq!(ops, ["accept", "en_route", "arrive", "resolve"]);
}

#[test]
fn a_check_in_is_judged_on_the_device() {
    let (_dir, device) = new_device();
    let (id, building, at) = dispatched(&device);
    device.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();

    // No location provider: a desktop. GPS is refused and nothing is written.
    let before = device.pending().unwrap();
    let err = device.ticket_action(&id, &arrive(ArrivalInput::Gps), stamp(at, 2)).unwrap_err();
    assert_eq!(err.code(), "no_location_fix");
    // A location entered by hand needs a reason and a real position.
    let manual = |reason: &str, lon, lat| arrive(ArrivalInput::Manual { reason: reason.into(), lon, lat });
    assert_eq!(device.ticket_action(&id, &manual(" ", None, None), stamp(at, 3)).unwrap_err().code(), "required");
    let far = manual("桌面端无定位", Some(200.0), Some(37.0));
    assert_eq!(device.ticket_action(&id, &far, stamp(at, 4)).unwrap_err().code(), "bad_location");
    let half = manual("桌面端无定位", Some(117.0), None);
    assert_eq!(device.ticket_action(&id, &half, stamp(at, 5)).unwrap_err().code(), "required");
    assert_eq!(device.pending().unwrap(), before);

    // By hand it is recorded, but unverified with the steward's reason.
    let here = manual("桌面端无定位", Some(building.lon), Some(building.lat));
    let result = device.ticket_action(&id, &here, stamp(at + SignedDuration::from_mins(3), 6)).unwrap();
    let verdict = result.verdict.unwrap();
    assert!(!verdict.verified);
    assert_eq!((verdict.reason.as_deref(), verdict.note.as_deref()), (Some("manual_entry"), Some("桌面端无定位")));
    assert_eq!(result.detail.ticket.status, "on_site");
    assert_eq!(result.detail.sla.status, "met_unverified");
    // A second check-in from on site is not in the table.
    let again = device.ticket_action(
        &id,
        &arrive(ArrivalInput::TagScan { tag: "x".into() }),
        stamp(at + SignedDuration::from_mins(4), 7),
    );
    assert_eq!(again.unwrap_err().code(), "illegal_transition");
}

#[test]
fn a_tag_scan_verifies_with_the_households_door_tag() {
    let (_dir, device) = new_device();
    let (id, _, at) = dispatched(&device);
    device.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();
    let account = device.household(&device.ticket_detail(&id, at).unwrap().ticket.household_id).unwrap().account_no;
    let tag = |tag: &str| arrive(ArrivalInput::TagScan { tag: tag.into() });
    assert_eq!(device.ticket_action(&id, &tag(""), stamp(at, 2)).unwrap_err().code(), "required");
    let wrong = device.ticket_action(&id, &tag("NOT-THIS-DOOR"), stamp(at, 3)).unwrap();
    assert_eq!(wrong.verdict.unwrap().reason.as_deref(), Some("tag_mismatch"));

    let (_dir2, other) = new_device();
    other.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();
    let right = other.ticket_action(&id, &tag(&format!(" HH:{account} ")), stamp(at, 4)).unwrap();
    assert_eq!(right.verdict.unwrap().method.as_deref(), Some("tag_scan"));
    assert_eq!(right.detail.sla.status, "met");
    // A scan is the QR's text as decoded: the account number alone is not the tag.
    let (_dir3, third) = new_device();
    third.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();
    let bare = third.ticket_action(&id, &tag(&account), stamp(at, 5)).unwrap();
    assert_eq!(bare.verdict.unwrap().reason.as_deref(), Some("tag_mismatch"));
}

#[test]
fn a_typed_tag_is_an_unverified_arrival_for_review() {
    let (_dir, device) = new_device();
    let (id, _, at) = dispatched(&device);
    device.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();
    let account = device.household(&device.ticket_detail(&id, at).unwrap().ticket.household_id).unwrap().account_no;
    let typed = |tag: &str| arrive(ArrivalInput::TagTyped { tag: tag.into() });
    let before = device.pending().unwrap();
    assert_eq!(device.ticket_action(&id, &typed("  "), stamp(at, 2)).unwrap_err().code(), "required");
    assert_eq!(device.pending().unwrap(), before);
    // The account number read off a smudged tag, typed: the right tag, still not proof.
    let result = device.ticket_action(&id, &typed(&format!(" {account} ")), stamp(at, 3)).unwrap();
    let verdict = result.verdict.unwrap();
    assert!(!verdict.verified);
    assert_eq!((verdict.reason.as_deref(), verdict.note.as_deref()), (Some("tag_typed"), None));
    assert_eq!(result.detail.sla.status, "met_unverified");
    let event = result.detail.events.last().unwrap();
    assert_eq!(event.verdict.as_ref().unwrap().reason.as_deref(), Some("tag_typed"));
    // Another household's number typed: unverified and marked as not the household's tag.
    let (_dir2, other) = new_device();
    other.ticket_action(&id, &TicketActionInput::Accept, stamp(at, 1)).unwrap();
    let wrong = other.ticket_action(&id, &typed("HH:NOT-THIS-DOOR"), stamp(at, 4)).unwrap().verdict.unwrap();
    assert_eq!((wrong.reason.as_deref(), wrong.note.as_deref()), (Some("tag_typed"), Some("mismatch")));
}

#[test]
fn bad_input_is_a_code_and_writes_nothing() {
    let (_dir, device) = new_device();
    let (id, _, at) = dispatched(&device);
    let before = device.pending().unwrap();
    let accept = TicketActionInput::Accept;
    assert_eq!(device.ticket_action("nope", &accept, stamp(at, 1)).unwrap_err().code(), "bad_id");
    let unknown = "0190a000-0000-7000-8000-000000000000";
    assert_eq!(device.ticket_action(unknown, &accept, stamp(at, 2)).unwrap_err().code(), "not_found");
    assert_eq!(device.ticket_detail(unknown, at).unwrap_err().code(), "not_found");
    // Resolve before arriving, en route before accepting.
    let resolve = TicketActionInput::Resolve { note: "好了".into() };
    assert_eq!(device.ticket_action(&id, &resolve, stamp(at, 3)).unwrap_err().code(), "illegal_transition");
    assert_eq!(
        device.ticket_action(&id, &TicketActionInput::EnRoute, stamp(at, 4)).unwrap_err().code(),
        "illegal_transition"
    );
    // A device clock far behind the ticket's last event.
    let past = at - SignedDuration::from_hours(5);
    assert_eq!(device.ticket_action(&id, &accept, stamp(past, 5)).unwrap_err().code(), "time_before_last_event");
    assert_eq!(device.pending().unwrap(), before);
}

#[test]
fn an_action_carries_the_server_corrected_time() {
    let (_dir, device) = new_device();
    let (id, _, at) = dispatched(&device);
    // The device's clock is two hours behind the server's.
    device.with_store(|s| s.set_clock_offset(SignedDuration::from_hours(2)).unwrap());
    let result = device.ticket_action(&id, &TicketActionInput::Accept, stamp(at - SignedDuration::from_hours(2), 1));
    let event = result.unwrap().detail.events.last().unwrap().clone();
    assert_eq!(event.at.parse::<Timestamp>().unwrap(), at);
    assert_eq!(device.corrected_time(at).unwrap(), at + SignedDuration::from_hours(2));
}

#[test]
fn sla_alerts_are_raised_once_at_ten_minutes_left_and_at_the_breach() {
    let dir = tempfile::tempdir().unwrap();
    let (id, due) = {
        let device = Device::open(dir.path()).unwrap();
        device.bootstrap_demo("steward3", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10])).unwrap();
        let (id, _, at) = dispatched(&device);
        let due: Timestamp = device.ticket_detail(&id, at).unwrap().sla.due_at.parse().unwrap();
        let mine = |alerts: Vec<steward_device::SlaAlertRaised>| {
            alerts.into_iter().filter(|a| a.ticket_id.to_string() == id).map(|a| a.kind).collect::<Vec<_>>()
        };
        // Nothing before the threshold (other tickets may alert: only this one is looked at).
        assert_eq!(mine(device.take_sla_alerts(due - SignedDuration::from_mins(11)).unwrap()), []);
        assert_eq!(mine(device.take_sla_alerts(due - SignedDuration::from_mins(10)).unwrap()), [SlaAlertKind::AtRisk]);
        assert_eq!(mine(device.take_sla_alerts(due - SignedDuration::from_mins(9)).unwrap()), []);
        assert_eq!(mine(device.take_sla_alerts(due + SignedDuration::from_secs(1)).unwrap()), [SlaAlertKind::Breached]);
        assert_eq!(mine(device.take_sla_alerts(due + SignedDuration::from_mins(5)).unwrap()), []);
        (id, due)
    };
    // A restart remembers what was raised.
    let device = Device::open(dir.path()).unwrap();
    let again = device.take_sla_alerts(due + SignedDuration::from_mins(6)).unwrap();
    assert!(again.iter().all(|a| a.ticket_id.to_string() != id), "{again:?}");
}

#[test]
fn a_device_that_wakes_after_the_deadline_raises_only_the_breach() {
    let (_dir, device) = new_device();
    let (id, _, at) = dispatched(&device);
    let due: Timestamp = device.ticket_detail(&id, at).unwrap().sla.due_at.parse().unwrap();
    let kinds = |alerts: Vec<steward_device::SlaAlertRaised>| {
        alerts.into_iter().filter(|a| a.ticket_id.to_string() == id).map(|a| a.kind).collect::<Vec<_>>()
    };
    assert_eq!(kinds(device.take_sla_alerts(due + SignedDuration::from_mins(1)).unwrap()), [SlaAlertKind::Breached]);
    assert_eq!(kinds(device.take_sla_alerts(due + SignedDuration::from_mins(2)).unwrap()), []);
}

//! Ticket actions through sync: the priority lane goes first, and an action
//! on a ticket reassigned while the device was offline waits for the steward.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use steward_domain::ids::{EventId, MutationId, TicketId};
use steward_domain::org::Role;
use steward_domain::ticket::{Actor, TicketAction, TicketStatus};
use steward_store::{MutationMeta, PendingCounts};
use steward_sync::{BatchLimits, Syncer};
use tempfile::tempdir;
use uuid::Uuid;

use crate::support::*;
use steward_faults::proxy::Proxy;

/// Accepts ticket `id` on the device, as the steward taps it offline.
fn accept_on_device(device: &DeviceStore, id: TicketId, username: &str) {
    let mut store = device.lock().unwrap();
    let mut ticket = store.ticket(id).unwrap().expect("the ticket is on the device");
    let me = Actor { user_id: steward(username), role: Role::Steward };
    let at = Timestamp::now().checked_add(SignedDuration::from_secs(1)).unwrap();
    let event = ticket.apply(me, TicketAction::Accept, at, None, EventId(Uuid::now_v7())).unwrap();
    let meta = MutationMeta { mutation_id: MutationId(Uuid::now_v7()), device_time: at };
    store.record_ticket_event(&ticket, &event, &meta).unwrap();
}

#[tokio::test]
async fn a_ticket_action_goes_before_the_visits_queued_ahead_of_it() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    let households = households_of("steward1", 4);
    let id: TicketId = central.dispatched_ticket(&households[0], "steward1").await.parse().unwrap();
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let seen = pushes.clone();
    let transport = Observed {
        before_push: Some(Box::new(move |request| {
            let kinds: Vec<String> =
                request.mutations.iter().map(|m| m["kind"].as_str().unwrap_or_default().to_owned()).collect();
            seen.lock().unwrap().push(kinds);
        })),
        ..Observed::new(&proxy.base())
    };
    let mut config = config("steward1");
    config.batch = BatchLimits { max_mutations: 1, max_bytes: 1 << 20 };
    let mut syncer =
        Syncer::new(device.clone(), Arc::new(transport), Arc::new(SkewedClock(SignedDuration::ZERO)), config);
    syncer.round().await.unwrap();
    let on_device = device.lock().unwrap().ticket(id).unwrap().unwrap();
    assert_eq!((on_device.status(), on_device.last_seq()), (TicketStatus::Dispatched, 2));

    // Three visits, then the accept: the accept still goes first.
    let me = steward("steward1");
    let visits: Vec<_> = households[1..].iter().enumerate().map(|(i, h)| visit(h.id, me, i as i64)).collect();
    record(&device, &visits);
    accept_on_device(&device, id, "steward1");
    let report = syncer.round().await.unwrap();
    assert_eq!((report.applied, report.pushes), (4, 4), "{report:?}");
    let kinds: Vec<Vec<String>> = pushes.lock().unwrap().clone();
    assert_eq!(kinds, [["ticket_event"], ["visit"], ["visit"], ["visit"]]);

    let lead = central.login(&lead_and_teammate("steward1").0).await;
    let ticket = central.get(&lead, &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(ticket["status"], json!("accepted"));
    assert_eq!(ticket["events"].as_array().unwrap().len(), 3);
    let store = device.lock().unwrap();
    assert_eq!(store.pending_counts().unwrap(), PendingCounts::default());
    assert_eq!(store.ticket(id).unwrap().unwrap().status(), TicketStatus::Accepted);
}

#[tokio::test]
async fn an_action_on_a_ticket_reassigned_while_offline_waits_for_the_steward() {
    let (lead_name, Some(mate)) = lead_and_teammate("steward1") else {
        panic!("the demo team of steward1 has a second steward");
    };
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    let households = households_of("steward1", 1);
    let id: TicketId = central.dispatched_ticket(&households[0], "steward1").await.parse().unwrap();
    let mut syncer = syncer(&device, &proxy, "steward1", SignedDuration::ZERO);
    syncer.round().await.unwrap();

    // Offline, the steward accepts; meanwhile the lead gives the ticket to a teammate.
    proxy.set_up(false);
    accept_on_device(&device, id, "steward1");
    assert!(syncer.round().await.is_err());
    let lead = central.login(&lead_name).await;
    let body = json!({"steward_id": mate, "reason": "steward1 is unreachable"});
    central.post(&lead, &format!("/api/v1/tickets/{id}/assign"), &body).await;
    proxy.set_up(true);

    let report = syncer.round().await.unwrap();
    assert_eq!(report.rejected, 1, "{report:?}");
    {
        let store = device.lock().unwrap();
        let attention = store.needs_attention().unwrap();
        assert_eq!(attention.len(), 1);
        assert_eq!(
            (attention[0].code.as_str(), attention[0].entry.entity_id.as_str()),
            ("reassigned", id.to_string().as_str())
        );
        // The feed removed the ticket, but the device keeps it while the
        // refused action waits for the steward, as the server last sent it.
        assert_eq!(store.ticket(id).unwrap().unwrap().status(), TicketStatus::Dispatched);
    }
    let ticket = central.get(&lead, &format!("/api/v1/tickets/{id}")).await;
    assert_eq!((ticket["status"].clone(), ticket["assignee"].clone()), (json!("dispatched"), json!(mate)));
}

use steward_domain::org::Role;
use steward_domain::ticket::{Actor, TicketAction, TicketStatus};
use steward_store::{Lane, PendingCounts, StoreError};

use crate::support::*;

fn me() -> Actor {
    Actor { user_id: steward(), role: Role::Steward }
}

#[test]
fn entries_come_out_priority_lane_first_then_in_order() {
    let mut store = loaded();
    let v1 = visit(1, household_named("李建国"), "2026-11-20T01:00:00Z", vec![card()]);
    store.record_visit(&v1, &meta(1)).unwrap();

    let mut ticket = store.ticket(id(TICKET)).unwrap().unwrap();
    let accept = ticket.apply(me(), TicketAction::Accept, ts("2026-11-20T00:05:00Z"), None, id(0x8003)).unwrap();
    store.record_ticket_event(&ticket, &accept, &meta(2)).unwrap();

    let v2 = visit(2, household_named("刘洋"), "2026-11-20T02:00:00Z", vec![card()]);
    store.record_visit(&v2, &meta(3)).unwrap();

    let en_route = ticket.apply(me(), TicketAction::EnRoute, ts("2026-11-20T00:06:00Z"), None, id(0x8004)).unwrap();
    store.record_ticket_event(&ticket, &en_route, &meta(4)).unwrap();

    let ids = |store: &steward_store::Store, lane| -> Vec<_> {
        store.pending(lane, 10).unwrap().into_iter().map(|e| e.mutation_id).collect()
    };
    let m = |n| meta(n).mutation_id;
    assert_eq!(ids(&store, None), vec![m(2), m(4), m(1), m(3)]);
    assert_eq!(ids(&store, Some(Lane::Priority)), vec![m(2), m(4)]);
    assert_eq!(ids(&store, Some(Lane::Bulk)), vec![m(1), m(3)]);
    assert_eq!(store.pending(None, 3).unwrap().len(), 3);
    let seqs: Vec<i64> = store.pending(Some(Lane::Bulk), 10).unwrap().iter().map(|e| e.seq).collect();
    assert!(seqs[0] < seqs[1]);
    assert_eq!(store.pending_counts().unwrap(), PendingCounts { priority: 2, bulk: 2 });

    assert_eq!(store.acknowledge(&[m(2), m(1)]).unwrap(), 2);
    assert_eq!(store.acknowledge(&[m(2)]).unwrap(), 0, "a repeated acknowledgement is harmless");
    assert_eq!(ids(&store, None), vec![m(4), m(3)]);
    assert_eq!(store.pending_counts().unwrap(), PendingCounts { priority: 1, bulk: 1 });
}

#[test]
fn a_ticket_event_updates_the_ticket_and_queues_a_priority_entry() {
    let mut store = loaded();
    let mut ticket = store.ticket(id(TICKET)).unwrap().unwrap();
    assert_eq!(ticket.status(), TicketStatus::Dispatched);
    let accept = ticket.apply(me(), TicketAction::Accept, ts("2026-11-20T00:05:00Z"), None, id(0x8003)).unwrap();
    store.record_ticket_event(&ticket, &accept, &meta(1)).unwrap();

    assert_eq!(store.ticket(id(TICKET)).unwrap().unwrap(), ticket);
    let events = store.ticket_events(id(TICKET)).unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2], accept);
    let entry = &store.pending(None, 10).unwrap()[0];
    assert_eq!((entry.lane, entry.entity.as_str(), entry.op.as_str()), (Lane::Priority, "ticket", "accept"));
    let sent: steward_domain::ticket::TicketEvent = serde_json::from_str(&entry.payload).unwrap();
    assert_eq!(sent, accept);
}

#[test]
fn a_stale_or_unknown_ticket_event_is_refused_and_writes_nothing() {
    let mut store = loaded();
    let stale = store.ticket(id(TICKET)).unwrap().unwrap();
    let mut ticket = stale.clone();
    let accept = ticket.apply(me(), TicketAction::Accept, ts("2026-11-20T00:05:00Z"), None, id(0x8003)).unwrap();
    store.record_ticket_event(&ticket, &accept, &meta(1)).unwrap();

    // The same accept made again from the old copy: it does not follow the
    // stored state.
    let mut old = stale;
    let again = old.apply(me(), TicketAction::Accept, ts("2026-11-20T00:06:00Z"), None, id(0x8009)).unwrap();
    assert!(matches!(store.record_ticket_event(&old, &again, &meta(2)), Err(StoreError::Invalid(_))));

    // A ticket that does not match its event.
    let en_route = ticket.clone().apply(me(), TicketAction::EnRoute, ts("2026-11-20T00:07:00Z"), None, id(0x800A));
    assert!(matches!(store.record_ticket_event(&ticket, &en_route.unwrap(), &meta(3)), Err(StoreError::Invalid(_))));

    // A ticket the device never had.
    let (mut foreign, _) = dispatched_ticket();
    let mut json = serde_json::to_value(&foreign).unwrap();
    json["id"] = serde_json::json!(id::<uuid::Uuid>(0x7777));
    foreign = serde_json::from_value(json).unwrap();
    let ev = foreign.apply(me(), TicketAction::Accept, ts("2026-11-20T00:05:00Z"), None, id(0x800B)).unwrap();
    assert!(matches!(store.record_ticket_event(&foreign, &ev, &meta(4)), Err(StoreError::NotFound { .. })));

    assert_eq!(store.pending_counts().unwrap(), PendingCounts { priority: 1, bulk: 0 });
    assert_eq!(store.ticket_events(id(TICKET)).unwrap().len(), 3);
}

#[test]
fn every_entry_is_stamped_with_a_sequence_that_survives_restarts_and_the_corrected_time() {
    use jiff::SignedDuration;
    use steward_domain::sla::TimeBasis;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let names = ["李建国", "刘洋"];
    let mut seqs = Vec::new();
    {
        let mut store = steward_store::Store::open(&path).unwrap();
        store.load_ground(&ground()).unwrap();
        // Never synced: the device's own clock, as it is.
        store
            .record_visit(&visit(1, household_named(names[0]), "2026-11-20T01:00:00Z", vec![card()]), &meta(1))
            .unwrap();
        let first = store.pending(None, 10).unwrap()[0].stamp.expect("a stamp");
        assert_eq!((first.corrected_time, first.basis), (ts("2026-11-20T08:00:00Z"), TimeBasis::DeviceWall));
        // The device learnt its clock is two hours fast.
        store.set_clock_offset(SignedDuration::from_hours(-2)).unwrap();
        store
            .record_visit(&visit(2, household_named(names[1]), "2026-11-20T02:00:00Z", vec![card()]), &meta(2))
            .unwrap();
        let entries = store.pending(None, 10).unwrap();
        let second = entries[1].stamp.expect("a stamp");
        assert_eq!((second.corrected_time, second.basis), (ts("2026-11-20T06:00:00Z"), TimeBasis::WallOffset));
        seqs.extend(entries.iter().map(|e| e.stamp.unwrap().seq));
        // Acknowledged entries leave; their numbers are never given again.
        store.acknowledge(&[meta(1).mutation_id, meta(2).mutation_id]).unwrap();
    }
    let mut store = steward_store::Store::open(&path).unwrap();
    for n in 3..=5 {
        let v = visit(n, household_named(names[(n % 2) as usize]), "2026-11-20T03:00:00Z", vec![card()]);
        store.record_visit(&v, &meta(n)).unwrap();
    }
    // A change that fails rolls its number back: no gap, no reuse.
    let again = visit(5, household_named(names[0]), "2026-11-20T03:00:00Z", vec![card()]);
    assert!(store.record_visit(&again, &meta(5)).is_err());
    seqs.extend(store.pending(None, 10).unwrap().iter().map(|e| e.stamp.unwrap().seq));
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
}

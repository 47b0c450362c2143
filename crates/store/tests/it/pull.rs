//! Applying the change feed: upserts and the cursor in one transaction,
//! removes that keep local work not yet synced, and the needs-attention list.

use jiff::SignedDuration;
use steward_domain::ground::{HeatingStatus, ValveState};
use steward_domain::org::Role;
use steward_domain::ticket::{Actor, TicketAction};
use steward_store::{Change, PageReport, RecordKind, Store, StoreError};

use crate::support::*;

fn households(store: &Store) -> u64 {
    store.stats().unwrap().households
}

#[test]
fn a_page_and_its_cursor_commit_together() {
    let mut store = loaded();
    assert_eq!(store.pull_cursor().unwrap(), None);
    let mut h = ground().households[0].clone();
    h.resident_name = "王小芳改".into();
    h.status = HeatingStatus::Suspended;
    let v = visit(1, h.id, "2026-11-20T01:00:00Z", vec![card()]);
    let report = store.apply_pull_page(&[Change::Household(h.clone()), Change::Visit(v.clone())], "17").unwrap();
    assert_eq!(report, PageReport { upserts: 2, removed: 0, kept: 0, ..PageReport::default() });
    assert_eq!(store.pull_cursor().unwrap().as_deref(), Some("17"));
    assert_eq!(store.visits_of(h.id).unwrap(), vec![v.clone()]);
    assert_eq!(store.search_households("王小芳改", 5).unwrap().len(), 1, "the search index follows");
    // The same page again changes nothing and writes no outbox entry.
    store.apply_pull_page(&[Change::Household(h.clone()), Change::Visit(v)], "17").unwrap();
    assert_eq!(store.stats().unwrap().visits, 1);
    assert_eq!(store.stats().unwrap().outbox, 0);

    // A page that fails half-way leaves neither its changes nor its cursor.
    let mut orphan = ground().households[1].clone();
    orphan.unit_id = steward_domain::ids::UnitId(uuid::Uuid::from_u128(0xdead));
    let mut renamed = ground().households[2].clone();
    renamed.resident_name = "不该出现".into();
    let err = store.apply_pull_page(&[Change::Household(renamed), Change::Household(orphan)], "18").unwrap_err();
    assert!(matches!(err, StoreError::NotFound { entity: "unit", .. }), "{err}");
    assert_eq!(store.pull_cursor().unwrap().as_deref(), Some("17"));
    assert!(store.search_households("不该出现", 5).unwrap().is_empty());
}

#[test]
fn every_kind_upserts_and_removes() {
    let mut store = Store::open_in_memory().unwrap();
    let g = ground();
    let mut page: Vec<Change> = Vec::new();
    page.extend(g.districts.iter().map(|d| {
        let boundary = g.boundaries.iter().find(|b| b.0 == d.id).map(|b| b.1.clone());
        Change::District(d.clone(), boundary)
    }));
    page.extend(g.communities.iter().cloned().map(Change::Community));
    page.extend(g.buildings.iter().cloned().map(Change::Building));
    page.extend(g.units.iter().cloned().map(Change::Unit));
    page.extend(g.households.iter().cloned().map(Change::Household));
    page.extend(g.tickets.iter().cloned().map(|(t, e)| Change::Ticket(t, e)));
    store.apply_pull_page(&page, "1").unwrap();
    let stats = store.stats().unwrap();
    assert_eq!((stats.communities, stats.households, stats.tickets), (3, 9, 2));
    assert_eq!(store.ticket_events(id(TICKET)).unwrap().len(), 2);

    // The other steward's district leaves the scope: all of it goes.
    let report = store.apply_pull_page(
        &[Change::Remove(RecordKind::District, id::<steward_domain::ids::DistrictId>(2).to_string())],
        "2",
    );
    assert_eq!(report.unwrap(), PageReport { upserts: 0, removed: 1, kept: 0, ..PageReport::default() });
    let stats = store.stats().unwrap();
    assert_eq!((stats.communities, stats.households, stats.tickets), (2, 7, 2));
    assert!(store.search_households("陈静", 5).unwrap().is_empty(), "no search entry outlives its household");

    // A ticket leaves (reassigned) and comes back in one page: feed order holds.
    let (t, e) = dispatched_ticket();
    let page = [Change::Remove(RecordKind::Ticket, t.id().to_string()), Change::Ticket(t.clone(), e)];
    store.apply_pull_page(&page, "3").unwrap();
    assert_eq!(store.ticket(t.id()).unwrap(), Some(t.clone()));
    store.apply_pull_page(&[Change::Remove(RecordKind::Ticket, t.id().to_string())], "4").unwrap();
    assert_eq!(store.ticket(t.id()).unwrap(), None);
    assert!(store.ticket_events(t.id()).unwrap().is_empty());
}

#[test]
fn a_remove_keeps_local_work_not_yet_synced() {
    let mut store = loaded();
    let h = household_named("王小芳");
    let v = visit(1, h, "2026-11-20T01:00:00Z", vec![card()]);
    store.record_visit(&v, &meta(1)).unwrap();
    let before = households(&store);
    let page = [
        Change::Remove(RecordKind::Household, h.to_string()),
        Change::Remove(RecordKind::Visit, v.id().to_string()),
        Change::Remove(RecordKind::District, id::<steward_domain::ids::DistrictId>(1).to_string()),
    ];
    let report = store.apply_pull_page(&page, "9").unwrap();
    assert_eq!(report.kept, 3, "{report:?}");
    // The household with a pending visit stays, and so do its unit, building,
    // community and district; the others of the district are gone.
    assert!(store.household(h).unwrap().is_some());
    assert_eq!(store.visits_of(h).unwrap(), vec![v.clone()]);
    assert_eq!(households(&store), 1 + (before - 7));
    assert_eq!(store.pending(None, 10).unwrap().len(), 1);

    // Once the visit is pushed and acknowledged, the next remove takes it.
    store.acknowledge(&[meta(1).mutation_id]).unwrap();
    let page = [Change::Remove(RecordKind::District, id::<steward_domain::ids::DistrictId>(1).to_string())];
    assert_eq!(store.apply_pull_page(&page, "10").unwrap().removed, 1);
    assert!(store.household(h).unwrap().is_none());
    assert_eq!(store.stats().unwrap().visits, 0);
}

#[test]
fn a_remove_keeps_a_ticket_with_a_pending_action() {
    let mut store = loaded();
    let mut ticket = store.ticket(id(TICKET)).unwrap().unwrap();
    let me = Actor { user_id: steward(), role: Role::Steward };
    let accept = ticket.apply(me, TicketAction::Accept, ts("2026-11-20T00:05:00Z"), None, id(0x8003)).unwrap();
    store.record_ticket_event(&ticket, &accept, &meta(1)).unwrap();
    let page = [Change::Remove(RecordKind::Ticket, ticket.id().to_string())];
    assert_eq!(store.apply_pull_page(&page, "5").unwrap().kept, 1);
    assert_eq!(store.ticket(ticket.id()).unwrap(), Some(ticket.clone()));
    // Rejected (reassigned), it waits for the steward and still stays.
    assert!(store.reject(meta(1).mutation_id, "reassigned", "the ticket went to another steward").unwrap());
    assert_eq!(store.apply_pull_page(&page, "6").unwrap().kept, 1);
    assert!(store.ticket(ticket.id()).unwrap().is_some());
}

#[test]
fn a_rejected_mutation_moves_to_needs_attention_with_its_data() {
    let mut store = loaded();
    let v1 = visit(1, household_named("李建国"), "2026-11-20T01:00:00Z", vec![seal("F-9")]);
    let v2 = visit(2, household_named("刘洋"), "2026-11-20T02:00:00Z", vec![card()]);
    store.record_visit(&v1, &meta(1)).unwrap();
    store.record_visit(&v2, &meta(2)).unwrap();
    let entry = store.pending(None, 10).unwrap()[0].clone();

    assert!(store.reject(meta(1).mutation_id, "not_found", "household not found").unwrap());
    assert!(!store.reject(meta(1).mutation_id, "not_found", "again").unwrap(), "a repeated answer is harmless");
    let list = store.needs_attention().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].entry, entry);
    assert_eq!((list[0].code.as_str(), list[0].message.as_str()), ("not_found", "household not found"));
    assert_eq!(store.needs_attention_count().unwrap(), 1);
    // The entry behind it is next; the field data is kept.
    let next: Vec<_> = store.pending(None, 10).unwrap().into_iter().map(|e| e.mutation_id).collect();
    assert_eq!(next, vec![meta(2).mutation_id]);
    assert_eq!(store.visits_of(household_named("李建国")).unwrap(), vec![v1]);
    let valve = store.household(household_named("李建国")).unwrap().unwrap().household.valve;
    assert!(matches!(valve, ValveState::Sealed { .. }));
}

#[test]
fn the_clock_offset_is_kept() {
    let mut store = loaded();
    assert_eq!(store.clock_offset().unwrap(), None);
    store.set_clock_offset(SignedDuration::from_mins(-120)).unwrap();
    assert_eq!(store.clock_offset().unwrap(), Some(SignedDuration::from_mins(-120)));
}

#[test]
fn a_ticket_or_visit_of_a_household_not_on_the_device_waits_for_it() {
    let mut store = Store::open_in_memory().unwrap();
    let g = ground();
    // The ground without the household of the ticket and of the visit.
    let absent = household_named("王小芳");
    let mut partial = g.clone();
    partial.households.retain(|h| h.id != absent);
    partial.tickets.clear();
    store.load_ground(&partial).unwrap();
    let (t, e) = dispatched_ticket();
    let v = visit(1, absent, "2026-11-20T01:00:00Z", vec![card()]);
    let report = store.apply_pull_page(&[Change::Ticket(t.clone(), e), Change::Visit(v.clone())], "1").unwrap();
    assert_eq!((report.parked, report.unparked), (2, 0));
    assert_eq!(store.pull_cursor().unwrap().as_deref(), Some("1"), "the page went through");
    assert_eq!(store.ticket(t.id()).unwrap(), None);

    let household = g.households.iter().find(|h| h.id == absent).unwrap().clone();
    let report = store.apply_pull_page(&[Change::Household(household)], "2").unwrap();
    assert_eq!(report.unparked, 2);
    assert_eq!(store.ticket(t.id()).unwrap(), Some(t.clone()));
    assert_eq!(store.ticket_events(t.id()).unwrap().len(), 2);
    assert_eq!(store.visits_of(absent).unwrap(), vec![v]);
    assert_eq!(store.apply_pull_page(&[], "3").unwrap().unparked, 0, "nothing is applied twice");
}

#[test]
fn a_refused_ticket_action_puts_the_ticket_back_to_the_servers_copy() {
    let mut store = loaded();
    let server_copy = store.ticket(id(TICKET)).unwrap().unwrap();
    let mut ticket = server_copy.clone();
    let me = Actor { user_id: steward(), role: Role::Steward };
    let accept = ticket.apply(me, TicketAction::Accept, ts("2026-11-20T00:05:00Z"), None, id(0x8003)).unwrap();
    store.record_ticket_event(&ticket, &accept, &meta(1)).unwrap();
    let en_route = ticket.apply(me, TicketAction::EnRoute, ts("2026-11-20T00:06:00Z"), None, id(0x8004)).unwrap();
    store.record_ticket_event(&ticket, &en_route, &meta(2)).unwrap();

    // The first refusal leaves the local state while another action waits.
    store.reject(meta(1).mutation_id, "illegal_transition", "no").unwrap();
    assert_eq!(store.ticket(id(TICKET)).unwrap(), Some(ticket.clone()));
    store.reject(meta(2).mutation_id, "illegal_transition", "no").unwrap();
    assert_eq!(store.ticket(id(TICKET)).unwrap(), Some(server_copy));
    assert_eq!(store.ticket_events(id(TICKET)).unwrap().len(), 2);
    // The refused actions are kept for the steward.
    let kept: Vec<_> = store.needs_attention().unwrap().into_iter().map(|n| n.entry.op).collect();
    assert_eq!(kept, ["accept", "en_route"]);
}

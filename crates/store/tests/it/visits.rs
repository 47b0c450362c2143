use steward_domain::ground::{SealNo, ValveState};
use steward_store::StoreError;

use crate::support::*;

fn valve_of(store: &steward_store::Store, name: &str) -> ValveState {
    store.household(household_named(name)).unwrap().unwrap().household.valve
}

#[test]
fn a_visit_applies_its_valve_state_and_queues_one_bulk_entry() {
    let mut store = loaded();
    let v = visit(1, household_named("李建国"), "2026-11-20T01:00:00Z", vec![seal("S-100"), card()]);
    store.record_visit(&v, &meta(1)).unwrap();

    assert_eq!(valve_of(&store, "李建国"), ValveState::Sealed { seal_no: SealNo::parse("S-100").unwrap() });
    let pending = store.pending(None, 10).unwrap();
    assert_eq!(pending.len(), 1);
    let e = &pending[0];
    assert_eq!((e.lane, e.entity.as_str(), e.op.as_str()), (steward_store::Lane::Bulk, "visit", "create"));
    assert_eq!(e.entity_id, v.id().to_string());
    assert_eq!(e.mutation_id, meta(1).mutation_id);
    assert_eq!(e.device_time, meta(1).device_time);
    let sent: steward_domain::visit::CompletedVisit = serde_json::from_str(&e.payload).unwrap();
    assert_eq!(sent, v);
}

#[test]
fn a_duplicate_visit_id_writes_nothing() {
    let mut store = loaded();
    let h = household_named("李建国");
    store.record_visit(&visit(1, h, "2026-11-20T01:00:00Z", vec![card()]), &meta(1)).unwrap();
    let before = store.stats().unwrap();

    // Same visit id, a fresh mutation, and a record that would seal the valve.
    let again = visit(1, h, "2026-11-20T02:00:00Z", vec![seal("S-200")]);
    match store.record_visit(&again, &meta(2)) {
        Err(StoreError::Duplicate { entity: "visit", id }) => assert_eq!(id, again.id().to_string()),
        other => panic!("expected a duplicate visit, got {other:?}"),
    }
    assert_eq!(store.stats().unwrap(), before);
    assert_eq!(store.pending_counts().unwrap().bulk, 1);
    assert_eq!(valve_of(&store, "李建国"), ValveState::Closed, "the valve is not touched");
}

#[test]
fn a_failing_outbox_insert_rolls_back_the_visit_and_the_valve() {
    let mut store = loaded();
    let h = household_named("李建国");
    store.record_visit(&visit(1, h, "2026-11-20T01:00:00Z", vec![card()]), &meta(1)).unwrap();

    // A new visit that seals the valve, but its mutation id is taken: the
    // visit row and the valve update run first, then the outbox insert fails.
    let sealing = visit(2, h, "2026-11-20T02:00:00Z", vec![seal("S-300")]);
    match store.record_visit(&sealing, &meta(1)) {
        Err(StoreError::Duplicate { entity: "mutation", .. }) => {}
        other => panic!("expected a duplicate mutation, got {other:?}"),
    }
    assert_eq!(store.visits_of(h).unwrap().len(), 1, "the visit row was rolled back");
    assert_eq!(valve_of(&store, "李建国"), ValveState::Closed, "the valve update was rolled back");
    assert_eq!(store.stats().unwrap().outbox, 1);
}

#[test]
fn a_visit_to_a_household_not_on_the_device_is_refused() {
    let mut store = loaded();
    let v = visit(1, id(0xFFFF), "2026-11-20T01:00:00Z", vec![card()]);
    match store.record_visit(&v, &meta(1)) {
        Err(StoreError::NotFound { entity: "household", .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(store.stats().unwrap().visits, 0);
    assert_eq!(store.stats().unwrap().outbox, 0);
}

#[test]
fn household_detail_lists_visits_newest_first() {
    let mut store = loaded();
    let h = household_named("王小芳");
    let older = visit(1, h, "2026-11-20T01:00:00Z", vec![card()]);
    let newer = visit(2, h, "2026-11-21T01:00:00Z", vec![card()]);
    store.record_visit(&newer, &meta(2)).unwrap();
    store.record_visit(&older, &meta(1)).unwrap();
    let detail = store.household(h).unwrap().unwrap();
    assert_eq!(detail.address, "鑫隆帝景城 1号楼 1单元 301室");
    assert_eq!(detail.community_name, "鑫隆帝景城");
    assert_eq!(detail.visits, vec![newer, older]);
    assert_eq!(detail.tickets.len(), 1);
    assert!(store.household(id(0xFFFF)).unwrap().is_none());
}

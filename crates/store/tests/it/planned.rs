//! Sweep campaigns' planned visits from the feed: stored, listed on Today in
//! walking order, done by a fitting visit, removed when they leave scope
//! unless a visit not yet synced did them; the policy from the feed.

use steward_domain::ground::Household;
use steward_domain::ids::UserId;
use steward_domain::sla::SlaPolicy;
use steward_domain::sweep::{PlannedState, SweepKind};
use steward_store::{Change, PlannedVisit, RecordKind, Store, meta_keys};

use crate::support::*;

fn of(name: &str) -> Household {
    let id = household_named(name);
    ground().households.into_iter().find(|h| h.id == id).unwrap()
}

fn planned(sweep: u128, h: &Household, steward: UserId, seq: i64) -> PlannedVisit {
    PlannedVisit {
        sweep_id: id(0xC000 + sweep),
        kind: SweepKind::SuspensionCheck,
        kind_label: SweepKind::SuspensionCheck.label_zh().into(),
        title: "报停复查".into(),
        opened_at: ts("2026-11-20T00:00:00Z"),
        deadline: ts("2026-11-22T00:00:00Z"),
        household_id: h.id,
        district_id: h.district_id,
        building_id: h.building_id,
        steward_id: Some(steward),
        seq,
    }
}

fn listed(store: &Store, at: &str) -> Vec<(String, PlannedState)> {
    store.planned_tasks(steward(), ts(at)).unwrap().into_iter().map(|t| (t.resident_name, t.state)).collect()
}

#[test]
fn planned_visits_are_listed_in_walking_order_and_a_seal_after_the_opening_does_them() {
    let mut store = loaded();
    // Fed out of walking order, with one for another steward.
    let page = [
        Change::PlannedVisit(planned(1, &of("刘洋"), steward(), 3)),
        Change::PlannedVisit(planned(1, &of("赵丽"), steward(), 2)),
        Change::PlannedVisit(planned(1, &of("李建国"), steward(), 1)),
        Change::PlannedVisit(planned(1, &of("陈静"), id(OTHER_STEWARD), 1)),
    ];
    let report = store.apply_pull_page(&page, "5").unwrap();
    assert_eq!(report.upserts, 4);
    // Communities in pinyin order (豪门庄园 before 鑫隆帝景城), then building 1 before 10.
    let open = PlannedState::Open;
    assert_eq!(
        listed(&store, "2026-11-21T00:00:00Z"),
        vec![("刘洋".into(), open), ("李建国".into(), open), ("赵丽".into(), open)]
    );
    let tasks = store.planned_tasks(steward(), ts("2026-11-21T00:00:00Z")).unwrap();
    assert_eq!(tasks[1].address, "鑫隆帝景城 1号楼 1单元 1201室");
    assert_eq!((tasks[2].community.as_str(), tasks[2].building_no), ("鑫隆帝景城", 10));

    // A seal before the sweep opened does not count; one after does; a card does not.
    let before = visit(1, of("李建国").id, "2026-11-19T08:00:00Z", vec![seal("S-9")]);
    let card_after = visit(2, of("赵丽").id, "2026-11-20T08:00:00Z", vec![card()]);
    let sealed = visit(3, of("刘洋").id, "2026-11-20T09:00:00Z", vec![seal("S-10")]);
    store.record_visit(&before, &meta(1)).unwrap();
    store.record_visit(&card_after, &meta(2)).unwrap();
    store.record_visit(&sealed, &meta(3)).unwrap();
    let tasks = store.planned_tasks(steward(), ts("2026-11-21T00:00:00Z")).unwrap();
    assert_eq!(tasks[0].done_at, Some(ts("2026-11-20T09:00:00Z")));
    assert_eq!(tasks[1].done_at, None);
    assert_eq!(
        listed(&store, "2026-11-23T00:00:00Z"),
        vec![
            ("刘洋".into(), PlannedState::Done),
            ("李建国".into(), PlannedState::Overdue),
            ("赵丽".into(), PlannedState::Overdue)
        ]
    );

    // A newer copy replaces the older (the lead moved the deadline).
    let mut later = planned(1, &of("李建国"), steward(), 1);
    later.deadline = ts("2026-11-30T00:00:00Z");
    store.apply_pull_page(&[Change::PlannedVisit(later)], "6").unwrap();
    assert_eq!(listed(&store, "2026-11-23T00:00:00Z")[1], ("李建国".into(), open));
    assert_eq!(store.planned_tasks(steward(), ts("2026-11-23T00:00:00Z")).unwrap().len(), 3);
}

#[test]
fn a_planned_visit_leaves_with_its_scope_unless_an_unsynced_visit_did_it() {
    let mut store = loaded();
    let (a, b) = (planned(1, &of("李建国"), steward(), 1), planned(1, &of("刘洋"), steward(), 2));
    store.apply_pull_page(&[Change::PlannedVisit(a.clone()), Change::PlannedVisit(b.clone())], "1").unwrap();
    let sealed = visit(1, a.household_id, "2026-11-20T09:00:00Z", vec![seal("S-11")]);
    store.record_visit(&sealed, &meta(1)).unwrap();

    let removes =
        [Change::Remove(RecordKind::PlannedVisit, a.feed_id()), Change::Remove(RecordKind::PlannedVisit, b.feed_id())];
    let report = store.apply_pull_page(&removes, "2").unwrap();
    assert_eq!((report.removed, report.kept), (1, 1), "{report:?}");
    assert_eq!(listed(&store, "2026-11-21T00:00:00Z"), vec![("李建国".into(), PlannedState::Done)]);

    // Once the visit is on the central, the next remove takes it.
    store.acknowledge(&[meta(1).mutation_id]).unwrap();
    let report = store.apply_pull_page(&removes[..1], "3").unwrap();
    assert_eq!(report.removed, 1);
    assert!(listed(&store, "2026-11-21T00:00:00Z").is_empty());

    // A household that leaves the device takes its planned visits along.
    store.apply_pull_page(&[Change::PlannedVisit(b.clone())], "4").unwrap();
    store.apply_pull_page(&[Change::Remove(RecordKind::Household, b.household_id.to_string())], "5").unwrap();
    assert!(store.household(b.household_id).unwrap().is_none());
    assert!(listed(&store, "2026-11-21T00:00:00Z").is_empty());
}

#[test]
fn the_policy_from_the_feed_replaces_the_one_the_device_holds() {
    let mut store = loaded();
    assert_eq!(store.meta(meta_keys::SLA_POLICY).unwrap(), None);
    let policy = SlaPolicy::default().with_geofence_m(220.0).unwrap();
    store.apply_pull_page(&[Change::Policy(policy.clone())], "7").unwrap();
    let held: SlaPolicy = serde_json::from_str(&store.meta(meta_keys::SLA_POLICY).unwrap().unwrap()).unwrap();
    assert_eq!(held, policy);
    assert_eq!(store.pull_cursor().unwrap().as_deref(), Some("7"));
}

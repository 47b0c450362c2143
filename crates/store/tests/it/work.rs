use steward_domain::org::Role;
use steward_domain::ticket::{Actor, TicketAction};
use steward_store::TaskReason;

use crate::support::*;

#[test]
fn todays_work_lists_tickets_by_due_time_and_households_in_walking_order() {
    let mut store = loaded();
    let (day_start, day_end) = (ts("2026-11-19T16:00:00Z"), ts("2026-11-20T16:00:00Z"));
    let work = store.todays_work(steward(), day_start, day_end).unwrap();

    let tickets: Vec<(&str, &str)> =
        work.tickets.iter().map(|t| (t.resident_name.as_str(), t.ticket.description())).collect();
    assert_eq!(tickets, vec![("赵丽", "漏水"), ("王小芳", "暖气不热")], "the earlier due ticket first");
    assert_eq!(work.tickets[1].address, "鑫隆帝景城 1号楼 1单元 301室");

    let households: Vec<(&str, TaskReason, bool)> =
        work.households.iter().map(|h| (h.resident_name.as_str(), h.reason, h.visited_today)).collect();
    assert_eq!(
        households,
        vec![
            ("刘洋", TaskReason::SealSuspended, false),
            ("李建国", TaskReason::SealSuspended, false),
            ("王小明", TaskReason::OpenNewValve, false),
            ("赵丽", TaskReason::SealSuspended, false),
        ],
        "the other steward's 陈静, the sealed 张伟 and the open 王芳 are not listed"
    );
    assert_eq!(work.visits_done, 0);

    // Sealing 李建国 takes him off; a card-only visit to 刘洋 leaves him on,
    // marked as visited today.
    store
        .record_visit(&visit(1, household_named("李建国"), "2026-11-20T01:00:00Z", vec![seal("S-1")]), &meta(1))
        .unwrap();
    store.record_visit(&visit(2, household_named("刘洋"), "2026-11-20T02:00:00Z", vec![card()]), &meta(2)).unwrap();
    store.record_visit(&visit(3, household_named("王小明"), "2026-11-18T02:00:00Z", vec![card()]), &meta(3)).unwrap();
    let work = store.todays_work(steward(), day_start, day_end).unwrap();
    let households: Vec<(&str, bool)> =
        work.households.iter().map(|h| (h.resident_name.as_str(), h.visited_today)).collect();
    assert_eq!(households, vec![("刘洋", true), ("王小明", false), ("赵丽", false)]);
    assert_eq!(work.visits_done, 2, "the visit of the 18th is another day");

    // A resolved ticket leaves the list.
    let me = Actor { user_id: steward(), role: Role::Steward };
    let mut t = store.ticket(work.tickets[0].ticket.id()).unwrap().unwrap();
    let mut at = ts("2026-11-20T00:10:00Z");
    let actions = [
        TicketAction::Accept,
        TicketAction::Arrive { proof: steward_domain::ticket::ArrivalProof::Manual { reason: "无GPS".into() } },
        TicketAction::Resolve { note: "已修复".into() },
    ];
    for (n, action) in (10..).zip(actions) {
        let ev = t.apply(me, action, at, None, id(0x8200 + n)).unwrap();
        store.record_ticket_event(&t, &ev, &meta(100 + n)).unwrap();
        at = at.checked_add(jiff::SignedDuration::from_mins(1)).unwrap();
    }
    let work = store.todays_work(steward(), day_start, day_end).unwrap();
    assert_eq!(work.tickets.len(), 1);
    assert!(store.todays_work(id(OTHER_STEWARD), day_start, day_end).unwrap().tickets.is_empty());
}

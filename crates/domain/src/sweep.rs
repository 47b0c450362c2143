//! Sweep campaigns (专项排查): seasonal work that is not ticket-shaped. A
//! team lead opens a sweep over districts or communities with a kind and a
//! deadline; it becomes one planned visit per household in scope, for the
//! district's steward, ordered so a steward works a stairwell at a time.
//!
//! Decisions:
//!
//! - Which households a sweep covers follows from its kind: a suspension
//!   check covers the suspended households (报停用户), opening new households
//!   the new ones, an illegal-use sweep and a water-filling notice every
//!   connected household.
//! - A planned visit is done by the first completed visit to the household
//!   at or after the sweep opened that carries the kind's record (a sealed or
//!   closed valve for a suspension check, an opened valve for a new
//!   household, an illegal-use check, a leak check or the leaflet for water
//!   filling). A visit from before the sweep does not count: the sweep asks
//!   for this season's check.
//! - A planned visit not done when the deadline has passed is overdue.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ground::HeatingStatus;
use crate::visit::{CompletedVisit, InspectionRecord};

/// What a sweep is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepKind {
    /// 报停阀门检查: close and seal every suspended household's valve before
    /// the official start.
    SuspensionCheck,
    /// 新用户开阀: check the pipes and open the valves of new households.
    NewHouseholdOpening,
    /// 违法用热排查.
    IllegalUse,
    /// 注水通知: tell residents to keep someone at home while the secondary
    /// network is filled.
    WaterFilling,
}

impl SweepKind {
    pub const ALL: [SweepKind; 4] =
        [SweepKind::SuspensionCheck, SweepKind::NewHouseholdOpening, SweepKind::IllegalUse, SweepKind::WaterFilling];

    pub fn code(self) -> &'static str {
        match self {
            SweepKind::SuspensionCheck => "suspension_check",
            SweepKind::NewHouseholdOpening => "new_household_opening",
            SweepKind::IllegalUse => "illegal_use",
            SweepKind::WaterFilling => "water_filling",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SweepKind::SuspensionCheck => "报停阀门检查",
            SweepKind::NewHouseholdOpening => "新用户开阀",
            SweepKind::IllegalUse => "违法用热排查",
            SweepKind::WaterFilling => "注水留人通知",
        }
    }

    /// Whether a household of this heating status is in the sweep.
    pub fn covers(self, status: HeatingStatus) -> bool {
        match self {
            SweepKind::SuspensionCheck => status == HeatingStatus::Suspended,
            SweepKind::NewHouseholdOpening => status == HeatingStatus::New,
            SweepKind::IllegalUse | SweepKind::WaterFilling => status != HeatingStatus::Disconnected,
        }
    }

    /// Whether a record does what the sweep asks.
    pub fn fulfilled_by(self, record: &InspectionRecord) -> bool {
        match (self, record) {
            (SweepKind::SuspensionCheck, InspectionRecord::SuspensionValveClosure { .. }) => true,
            (SweepKind::NewHouseholdOpening, InspectionRecord::NewHousehold { valve_opened, .. }) => *valve_opened,
            (SweepKind::IllegalUse, InspectionRecord::IllegalUseCheck { .. }) => true,
            (
                SweepKind::WaterFilling,
                InspectionRecord::LeakCheck { .. } | InspectionRecord::LeafletHandedOver { .. },
            ) => true,
            _ => false,
        }
    }

    /// When a planned visit of this sweep, opened at `opened_at`, was done
    /// by one of `visits` (to its household): the earliest fulfilling visit
    /// completed at or after the opening.
    pub fn done_at<'a>(
        self,
        opened_at: Timestamp,
        visits: impl IntoIterator<Item = &'a CompletedVisit>,
    ) -> Option<Timestamp> {
        visits
            .into_iter()
            .filter(|v| v.completed_at() >= opened_at && v.records().iter().any(|r| self.fulfilled_by(r)))
            .map(|v| v.completed_at())
            .min()
    }
}

/// Where a planned visit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedState {
    Done,
    Open,
    Overdue,
}

/// A planned visit's state at `now`.
pub fn planned_state(done_at: Option<Timestamp>, deadline: Timestamp, now: Timestamp) -> PlannedState {
    match done_at {
        Some(_) => PlannedState::Done,
        None if now > deadline => PlannedState::Overdue,
        None => PlannedState::Open,
    }
}

/// The order a steward works the planned visits in: by community, building,
/// unit and room (rooms compared by their number where they have one), so
/// the visits of one stairwell come together.
pub fn stairwell_order(community: &str, building: u32, unit: u32, room: &str) -> (String, u32, u32, u64, String) {
    let digits: String = room.chars().filter(char::is_ascii_digit).collect();
    (community.to_owned(), building, unit, digits.parse().unwrap_or(u64::MAX), room.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::{SealNo, ValveState};
    use crate::ids::{HouseholdId, UserId, VisitId};
    use crate::visit::VisitDraft;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn visit(n: u8, at: &str, record: InspectionRecord) -> CompletedVisit {
        let at = ts(at);
        let mut d = VisitDraft::start(
            VisitId::new_v7(at, [n; 10]),
            HouseholdId::new_v7(Timestamp::UNIX_EPOCH, [1; 10]),
            UserId::new_v7(Timestamp::UNIX_EPOCH, [2; 10]),
            at,
        );
        d.add(record).unwrap();
        d.complete(at).unwrap()
    }

    #[test]
    fn coverage_by_kind_and_status() {
        use HeatingStatus::*;
        let cases = [
            (SweepKind::SuspensionCheck, [false, true, false, false]),
            (SweepKind::NewHouseholdOpening, [false, false, true, false]),
            (SweepKind::IllegalUse, [true, true, true, false]),
            (SweepKind::WaterFilling, [true, true, true, false]),
        ];
        for (kind, want) in cases {
            let got = [Active, Suspended, New, Disconnected].map(|s| kind.covers(s));
            assert_eq!(got, want, "{kind:?}");
            assert_eq!(SweepKind::from_code(kind.code()), Some(kind));
        }
    }

    #[test]
    fn done_by_the_first_fulfilling_visit_after_the_opening() {
        let opened = ts("2026-11-01T00:00:00Z");
        let sealed = InspectionRecord::SuspensionValveClosure {
            valve: ValveState::Sealed { seal_no: SealNo::parse("SH2026-0001").unwrap() },
            photos: vec![],
        };
        let routine = InspectionRecord::RoutineService { note: "走访".into() };
        let before = visit(1, "2026-10-20T02:00:00Z", sealed.clone());
        let chat = visit(2, "2026-11-02T02:00:00Z", routine);
        let check = visit(3, "2026-11-05T02:00:00Z", sealed.clone());
        let again = visit(4, "2026-11-07T02:00:00Z", sealed);
        let k = SweepKind::SuspensionCheck;
        assert_eq!(k.done_at(opened, [&before, &chat]), None, "last season's seal and a chat do not count");
        assert_eq!(k.done_at(opened, [&again, &before, &check]), Some(ts("2026-11-05T02:00:00Z")));
        let closed_not_opened = visit(
            5,
            "2026-11-03T02:00:00Z",
            InspectionRecord::NewHousehold { outside_pipes_ok: true, valve_opened: false, filter_reminder_given: true },
        );
        assert_eq!(SweepKind::NewHouseholdOpening.done_at(opened, [&closed_not_opened]), None);
        let leaflet =
            visit(6, "2026-11-03T02:00:00Z", InspectionRecord::LeafletHandedOver { title: "注水通知".into() });
        assert!(SweepKind::WaterFilling.done_at(opened, [&leaflet]).is_some());
    }

    #[test]
    fn states_and_stairwell_order() {
        let deadline = ts("2026-11-14T16:00:00Z");
        let done = Some(ts("2026-11-20T00:00:00Z"));
        assert_eq!(planned_state(done, deadline, ts("2026-11-30T00:00:00Z")), PlannedState::Done);
        assert_eq!(planned_state(None, deadline, deadline), PlannedState::Open);
        assert_eq!(planned_state(None, deadline, ts("2026-11-14T16:00:01Z")), PlannedState::Overdue);
        let mut rooms = [
            stairwell_order("鑫隆帝景城", 2, 1, "101室"),
            stairwell_order("鑫隆帝景城", 1, 2, "1201"),
            stairwell_order("鑫隆帝景城", 1, 2, "301"),
            stairwell_order("鑫隆帝景城", 1, 1, "502"),
        ];
        rooms.sort();
        let got: Vec<_> = rooms.iter().map(|r| (r.1, r.2, r.4.as_str())).collect();
        assert_eq!(got, [(1, 1, "502"), (1, 2, "301"), (1, 2, "1201"), (2, 1, "101室")]);
    }
}

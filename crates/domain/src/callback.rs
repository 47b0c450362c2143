//! Follow-up callbacks (回访): the hotline calls residents back about the
//! steward's service, and the results count in the steward's assessment.
//!
//! The callback list is every household whose suspension (报停) was handled
//! (100%) plus a deterministic stratified sample of completed work. Decisions:
//!
//! - A stratum is one steward and one kind of work (visits, tickets), so each
//!   steward is sampled at the target rate for visits and for tickets alike
//!   and no steward is judged on the other kind alone. Each stratum of `n`
//!   items gets exactly `ceil(rate × n)` callbacks.
//! - Within a stratum items are ordered by a stable hash of (seed, item id)
//!   and the first ones taken: the same seed and the same work give the same
//!   list on any machine, whatever the input order. No random source is read.
//! - A visit that handled a suspension is called through the 100% list and
//!   is not also drawn in the sample.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ground::ValveState;
use crate::ids::{HouseholdId, TicketId, UserId, VisitId};
use crate::visit::CompletedVisit;

/// The callback rate for all heating households: at least 30%.
pub const DEFAULT_SAMPLE_PERCENT: u32 = 30;

/// The longest complaint text kept, in characters.
pub const MAX_COMPLAINT_CHARS: usize = 2000;

/// A suspended household (报停用户) whose valve check the steward completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandledSuspension {
    pub household_id: HouseholdId,
    pub steward_id: UserId,
    pub visit_id: VisitId,
}

/// A piece of completed work a resident can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum WorkItem {
    Visit(VisitId),
    Ticket(TicketId),
}

/// The kind of a [`WorkItem`], one half of a stratum's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    Visit,
    Ticket,
}

impl WorkItem {
    pub fn kind(&self) -> WorkKind {
        match self {
            WorkItem::Visit(_) => WorkKind::Visit,
            WorkItem::Ticket(_) => WorkKind::Ticket,
        }
    }

    /// The id of the visit or ticket.
    pub fn uuid(&self) -> Uuid {
        match self {
            WorkItem::Visit(id) => id.0,
            WorkItem::Ticket(id) => id.0,
        }
    }
}

/// A completed visit or ticket, and who did it for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedWork {
    pub item: WorkItem,
    pub household_id: HouseholdId,
    pub steward_id: UserId,
}

/// Why a household is on the callback list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackReason {
    /// Every handled suspension is called back.
    SuspensionHandled,
    /// Drawn in the stratified sample.
    Sampled,
}

/// One call for the hotline to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackTask {
    pub item: WorkItem,
    pub household_id: HouseholdId,
    pub steward_id: UserId,
    pub reason: CallbackReason,
}

/// How a stratum was sampled, for the coverage report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stratum {
    pub steward_id: UserId,
    pub kind: WorkKind,
    pub population: usize,
    pub quota: usize,
}

/// The callback list and how it was drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackPlan {
    /// Suspensions first (by steward, household), then the sample (by
    /// steward, kind, draw order).
    pub tasks: Vec<CallbackTask>,
    /// By steward, then kind.
    pub strata: Vec<Stratum>,
}

/// `ceil(n × percent / 100)`, with `percent` capped at 100.
pub fn quota(n: usize, percent: u32) -> usize {
    let percent = percent.min(100) as usize;
    (n * percent).div_ceil(100)
}

/// SplitMix64's finaliser: spreads every input bit over the output.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The draw order of an item under a seed: FNV-1a over the seed's and the
/// id's bytes, mixed by SplitMix64. Stable across platforms and versions;
/// changing it changes every past list, so a test pins its values.
pub fn sample_key(seed: u64, id: Uuid) -> u64 {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = seed
        .to_le_bytes()
        .iter()
        .chain(id.as_bytes())
        .fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME));
    splitmix64(hash)
}

/// The id of the callback about `item`: a function of the item alone
/// (a UUIDv8 from two [`sample_key`] hashes), so drawing the list again, on
/// any machine, gives the same ids.
pub fn callback_id(item: WorkItem) -> Uuid {
    let seed = match item.kind() {
        WorkKind::Visit => 0x0076_6973_6974,
        WorkKind::Ticket => 0x7469_636b_6574,
    };
    let hi = u128::from(sample_key(seed, item.uuid()));
    let lo = u128::from(sample_key(!seed, item.uuid()));
    uuid::Builder::from_custom_bytes(((hi << 64) | lo).to_be_bytes()).into_uuid()
}

/// Draws the callback list. `sample_percent` is the rate per stratum
/// ([`DEFAULT_SAMPLE_PERCENT`]; values above 100 mean 100). Repeated
/// suspensions or work items count once.
pub fn plan_callbacks(
    seed: u64,
    suspensions: &[HandledSuspension],
    work: &[CompletedWork],
    sample_percent: u32,
) -> CallbackPlan {
    let mut tasks: Vec<CallbackTask> = suspensions
        .iter()
        .map(|s| CallbackTask {
            item: WorkItem::Visit(s.visit_id),
            household_id: s.household_id,
            steward_id: s.steward_id,
            reason: CallbackReason::SuspensionHandled,
        })
        .collect();
    tasks.sort_by_key(|t| (t.steward_id, t.household_id, t.item));
    tasks.dedup_by_key(|t| t.item);

    let already: HashSet<WorkItem> = tasks.iter().map(|t| t.item).collect();
    let mut strata: BTreeMap<(UserId, WorkKind), Vec<(u64, &CompletedWork)>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for w in work.iter().filter(|w| !already.contains(&w.item) && seen.insert(w.item)) {
        strata.entry((w.steward_id, w.item.kind())).or_default().push((sample_key(seed, w.item.uuid()), w));
    }

    let mut summary = Vec::with_capacity(strata.len());
    for ((steward_id, kind), mut items) in strata {
        let quota = quota(items.len(), sample_percent);
        items.sort_unstable_by_key(|(key, w)| (*key, w.item));
        summary.push(Stratum { steward_id, kind, population: items.len(), quota });
        tasks.extend(items.iter().take(quota).map(|(_, w)| CallbackTask {
            item: w.item,
            household_id: w.household_id,
            steward_id: w.steward_id,
            reason: CallbackReason::Sampled,
        }));
    }
    CallbackPlan { tasks, strata: summary }
}

/// A callback outcome the hotline could not record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("satisfaction {0} must be 1–5")]
    Satisfaction(u8),
    #[error("a complaint must be at most {MAX_COMPLAINT_CHARS} characters")]
    ComplaintTooLong,
}

/// The resident's satisfaction (满意度), 1 (very dissatisfied) to 5 (very
/// satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Satisfaction(u8);

impl Satisfaction {
    pub fn parse(v: u8) -> Result<Self, CallbackError> {
        if (1..=5).contains(&v) { Ok(Self(v)) } else { Err(CallbackError::Satisfaction(v)) }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Satisfaction {
    type Error = CallbackError;
    fn try_from(v: u8) -> Result<Self, CallbackError> {
        Self::parse(v)
    }
}

impl From<Satisfaction> for u8 {
    fn from(s: Satisfaction) -> u8 {
        s.0
    }
}

/// What a callback found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CallbackOutcome {
    /// Nobody answered, or the number was wrong.
    NotReached,
    Reached {
        satisfaction: Satisfaction,
        /// What the resident says about their heating, if asked.
        heating_works: Option<bool>,
        complaint: Option<String>,
    },
}

impl CallbackOutcome {
    /// A reached resident's answers; a blank complaint is no complaint.
    pub fn reached(satisfaction: u8, heating_works: Option<bool>, complaint: &str) -> Result<Self, CallbackError> {
        let satisfaction = Satisfaction::parse(satisfaction)?;
        let complaint = complaint.trim();
        if complaint.chars().count() > MAX_COMPLAINT_CHARS {
            return Err(CallbackError::ComplaintTooLong);
        }
        let complaint = (!complaint.is_empty()).then(|| complaint.to_owned());
        Ok(CallbackOutcome::Reached { satisfaction, heating_works, complaint })
    }
}

/// A callback that contradicts the steward's record; flagged for the team
/// lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Contradiction {
    /// The steward recorded the valve closed or sealed, yet the resident says
    /// the heating works: the record is wrong or the valve was reopened
    /// (报停后私自打开).
    ShutValveButHeated { recorded: ValveState },
}

/// Compares what the steward recorded about the valve with what the resident
/// said.
pub fn find_contradiction(recorded_valve: Option<&ValveState>, outcome: &CallbackOutcome) -> Option<Contradiction> {
    match (recorded_valve, outcome) {
        (Some(valve), CallbackOutcome::Reached { heating_works: Some(true), .. }) if valve.is_shut() => {
            Some(Contradiction::ShutValveButHeated { recorded: valve.clone() })
        }
        _ => None,
    }
}

/// [`find_contradiction`] against the valve state a completed visit left.
pub fn contradiction_for_visit(visit: &CompletedVisit, outcome: &CallbackOutcome) -> Option<Contradiction> {
    find_contradiction(visit.valve_after().as_ref(), outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::SealNo;
    use crate::visit::{InspectionRecord, VisitDraft};
    use jiff::Timestamp;

    fn uid(n: u8) -> UserId {
        UserId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    fn hh(n: u32) -> HouseholdId {
        HouseholdId(Uuid::from_u128(0x1000_0000 + u128::from(n)))
    }

    fn item(kind: WorkKind, n: u32) -> WorkItem {
        let id = Uuid::from_u128(0x2000_0000 + u128::from(n));
        match kind {
            WorkKind::Visit => WorkItem::Visit(VisitId(id)),
            WorkKind::Ticket => WorkItem::Ticket(TicketId(id)),
        }
    }

    /// Stewards 1–4 with (visits, tickets) completed; 20 suspensions handled
    /// by steward 1 and 2, whose visits are also listed as completed work.
    fn fixture() -> (Vec<HandledSuspension>, Vec<CompletedWork>) {
        let counts = [(1, 10, 7), (2, 1, 0), (3, 0, 3), (4, 33, 100)];
        let mut work = Vec::new();
        let mut n = 0;
        for (steward, visits, tickets) in counts {
            for (kind, count) in [(WorkKind::Visit, visits), (WorkKind::Ticket, tickets)] {
                for _ in 0..count {
                    n += 1;
                    work.push(CompletedWork { item: item(kind, n), household_id: hh(n), steward_id: uid(steward) });
                }
            }
        }
        let suspensions: Vec<_> = (0..20)
            .map(|i| {
                n += 1;
                let s = HandledSuspension {
                    household_id: hh(n),
                    steward_id: uid(1 + (i % 2) as u8),
                    visit_id: match item(WorkKind::Visit, n) {
                        WorkItem::Visit(v) => v,
                        WorkItem::Ticket(_) => unreachable!(),
                    },
                };
                work.push(CompletedWork {
                    item: WorkItem::Visit(s.visit_id),
                    household_id: s.household_id,
                    steward_id: s.steward_id,
                });
                s
            })
            .collect();
        (suspensions, work)
    }

    #[test]
    fn quotas_table() {
        let cases = [
            (0, 30, 0),
            (1, 30, 1),
            (3, 30, 1),
            (4, 30, 2),
            (7, 30, 3),
            (10, 30, 3),
            (33, 30, 10),
            (100, 30, 30),
            (5, 100, 5),
            (5, 250, 5),
            (5, 0, 0),
        ];
        for (n, percent, expect) in cases {
            assert_eq!(quota(n, percent), expect, "ceil({percent}% of {n})");
        }
    }

    #[test]
    fn quotas_met_per_steward_and_kind() {
        let (suspensions, work) = fixture();
        let plan = plan_callbacks(2026, &suspensions, &work, DEFAULT_SAMPLE_PERCENT);
        let expect = [
            (1, WorkKind::Visit, 10, 3),
            (1, WorkKind::Ticket, 7, 3),
            (2, WorkKind::Visit, 1, 1),
            (3, WorkKind::Ticket, 3, 1),
            (4, WorkKind::Visit, 33, 10),
            (4, WorkKind::Ticket, 100, 30),
        ];
        let got: Vec<_> = plan
            .strata
            .iter()
            .map(|s| ((1..=4).find(|&n| uid(n) == s.steward_id).unwrap(), s.kind, s.population, s.quota))
            .collect();
        let mut expect = expect.to_vec();
        expect.sort_by_key(|(n, kind, ..)| (uid(*n), *kind));
        assert_eq!(got, expect);
        for s in &plan.strata {
            let drawn = plan
                .tasks
                .iter()
                .filter(|t| {
                    t.reason == CallbackReason::Sampled && t.steward_id == s.steward_id && t.item.kind() == s.kind
                })
                .count();
            assert_eq!(drawn, s.quota, "{s:?}");
            assert!(drawn * 100 >= s.population * 30);
        }
    }

    #[test]
    fn every_handled_suspension_is_called_once() {
        let (suspensions, work) = fixture();
        let mut doubled = suspensions.clone();
        doubled.extend_from_slice(&suspensions[..5]);
        let plan = plan_callbacks(7, &doubled, &work, DEFAULT_SAMPLE_PERCENT);
        let called: Vec<_> = plan.tasks.iter().filter(|t| t.reason == CallbackReason::SuspensionHandled).collect();
        assert_eq!(called.len(), suspensions.len());
        for s in &suspensions {
            let item = WorkItem::Visit(s.visit_id);
            assert_eq!(plan.tasks.iter().filter(|t| t.item == item).count(), 1, "{s:?}");
        }
    }

    #[test]
    fn sampling_is_reproducible_and_order_free() {
        let (suspensions, work) = fixture();
        let plan = plan_callbacks(2026, &suspensions, &work, DEFAULT_SAMPLE_PERCENT);
        let mut shuffled = work.clone();
        shuffled.reverse();
        shuffled.rotate_left(17);
        let mut susp = suspensions.clone();
        susp.reverse();
        assert_eq!(plan_callbacks(2026, &susp, &shuffled, DEFAULT_SAMPLE_PERCENT), plan);
        let other = plan_callbacks(2027, &suspensions, &work, DEFAULT_SAMPLE_PERCENT);
        assert_ne!(other.tasks, plan.tasks, "another seed draws another sample");
        assert_eq!(other.strata, plan.strata);
    }

    #[test]
    fn sample_key_is_pinned() {
        // Golden values: a change here changes every callback list ever drawn.
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(sample_key(0, Uuid::nil()), PINNED_NIL);
        let id = Uuid::parse_str("01936b2e-4f00-7000-8000-000000000001").unwrap();
        assert_eq!(sample_key(2026, id), PINNED_2026);
        assert_ne!(sample_key(2026, id), sample_key(2027, id));
    }

    #[test]
    fn callback_ids_are_stable_and_distinct() {
        let v = item(WorkKind::Visit, 1);
        let t = item(WorkKind::Ticket, 1);
        assert_eq!(callback_id(v), callback_id(v));
        assert_ne!(callback_id(v), callback_id(t), "the same uuid as a visit and as a ticket");
        assert_ne!(callback_id(v), callback_id(item(WorkKind::Visit, 2)));
        assert_eq!(callback_id(v).get_version_num(), 8);
    }

    // Computed outside Rust from the definition (FNV-1a 64 over the seed's
    // little-endian bytes then the UUID's 16 bytes, then SplitMix64).
    const PINNED_NIL: u64 = 0xc032_25d3_e04d_48a7;
    const PINNED_2026: u64 = 0xdbb1_966e_1829_2ff5;

    #[test]
    fn satisfaction_and_outcomes() {
        for (v, ok) in [(0, false), (1, true), (5, true), (6, false)] {
            assert_eq!(Satisfaction::parse(v).is_ok(), ok, "{v}");
        }
        assert!(serde_json::from_str::<Satisfaction>("6").is_err());
        let out = CallbackOutcome::reached(4, Some(false), "  暖气不热  ").unwrap();
        assert_eq!(
            out,
            CallbackOutcome::Reached {
                satisfaction: Satisfaction::parse(4).unwrap(),
                heating_works: Some(false),
                complaint: Some("暖气不热".into())
            }
        );
        let json = serde_json::to_value(&out).unwrap();
        assert_eq!(json["outcome"], "reached");
        assert_eq!(json["satisfaction"], 4);
        assert_eq!(serde_json::from_value::<CallbackOutcome>(json).unwrap(), out);
        assert!(matches!(CallbackOutcome::reached(3, None, " "), Ok(CallbackOutcome::Reached { complaint: None, .. })));
        assert_eq!(CallbackOutcome::reached(9, None, ""), Err(CallbackError::Satisfaction(9)));
        let long = "冷".repeat(MAX_COMPLAINT_CHARS + 1);
        assert_eq!(CallbackOutcome::reached(1, None, &long), Err(CallbackError::ComplaintTooLong));
    }

    #[test]
    fn contradiction_table() {
        let sealed = ValveState::Sealed { seal_no: SealNo::parse("SH2026-0042").unwrap() };
        let says = |works| CallbackOutcome::reached(3, works, "").unwrap();
        let cases = [
            ("sealed, resident says it works", Some(&sealed), says(Some(true)), true),
            ("closed, resident says it works", Some(&ValveState::Closed), says(Some(true)), true),
            ("sealed, resident says it is cold", Some(&sealed), says(Some(false)), false),
            ("sealed, resident not asked", Some(&sealed), says(None), false),
            ("sealed, not reached", Some(&sealed), CallbackOutcome::NotReached, false),
            ("open, resident says it works", Some(&ValveState::Open), says(Some(true)), false),
            ("no valve record", None, says(Some(true)), false),
        ];
        for (name, valve, outcome, flagged) in cases {
            let got = find_contradiction(valve, &outcome);
            assert_eq!(got.is_some(), flagged, "{name}");
            if let Some(Contradiction::ShutValveButHeated { recorded }) = got {
                assert_eq!(Some(&recorded), valve);
            }
        }

        let at: Timestamp = "2026-11-01T01:00:00Z".parse().unwrap();
        let mut draft = VisitDraft::start(VisitId::new_v7(at, [1; 10]), hh(1), uid(1), at);
        draft.add(InspectionRecord::SuspensionValveClosure { valve: sealed.clone(), photos: vec![] }).unwrap();
        let visit = draft.complete(at).unwrap();
        let flagged = contradiction_for_visit(&visit, &says(Some(true))).unwrap();
        let json = serde_json::to_value(&flagged).unwrap();
        assert_eq!(json["code"], "shut_valve_but_heated");
        assert_eq!(json["recorded"]["seal_no"], "SH2026-0042");
    }
}

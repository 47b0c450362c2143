//! The callback list (回访) and its outcomes.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use steward_domain::callback::{
    CallbackOutcome, CallbackPlan, CallbackReason, CallbackTask, CompletedWork, Contradiction, DEFAULT_SAMPLE_PERCENT,
    HandledSuspension, WorkItem, WorkKind, callback_id, plan_callbacks,
};
use steward_domain::ground::ValveState;
use steward_domain::ids::{DistrictId, HouseholdId, TicketId, UserId, VisitId};
use steward_domain::report::{day_number, day_start, service_day};
use steward_domain::visit::{CompletedVisit, InspectionRecord};

use super::read::parse_id;
use super::reports::{ReportScope, in_days};
use super::{Db, Result, StoreError, Tx};

/// The completed work of some days, as the callback plan takes it, and what
/// the list needs to know of each item beside it.
#[derive(Debug, Clone, Default)]
pub struct CallbackSource {
    pub suspensions: Vec<HandledSuspension>,
    pub work: Vec<CompletedWork>,
    pub meta: HashMap<WorkItem, WorkMeta>,
}

/// Where and when an item of work was done, and the valve state the steward
/// recorded with it.
#[derive(Debug, Clone)]
pub struct WorkMeta {
    pub district_id: DistrictId,
    pub at: Timestamp,
    pub valve: Option<ValveState>,
}

/// One callback as the hotline sees it.
#[derive(Debug, Clone)]
pub struct CallbackRow {
    pub id: uuid::Uuid,
    pub item: WorkItem,
    pub household_id: HouseholdId,
    pub steward_id: UserId,
    pub district_id: DistrictId,
    pub reason: CallbackReason,
    /// The day the work was completed (Asia/Shanghai), `yyyymmdd`.
    pub work_day: i32,
    pub work_at: Timestamp,
    pub recorded_valve: Option<ValveState>,
    pub outcome: Option<CallbackOutcome>,
    pub contradiction: Option<Contradiction>,
    pub agent_id: Option<UserId>,
    pub outcome_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct CallbackFilter {
    /// `yyyymmdd` bounds of the work day, inclusive.
    pub days: (i32, i32),
    pub steward: Option<UserId>,
    /// Only those without an outcome (`Some(true)`), only those with one
    /// (`Some(false)`).
    pub pending: Option<bool>,
    pub contradictions_only: bool,
    pub limit: u32,
    pub offset: u32,
}

/// Callback coverage of one steward over some days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverageRow {
    pub steward_id: Option<UserId>,
    /// Handled suspensions (target: every one called back).
    pub suspensions: u64,
    pub suspensions_listed: u64,
    pub suspensions_reached: u64,
    /// Completed visits and tickets other than suspensions (target: ≥30%).
    pub work: u64,
    pub sampled: u64,
    pub sampled_reached: u64,
}

/// Satisfaction of one steward's residents over some days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SatisfactionRow {
    pub steward_id: Option<UserId>,
    pub called: u64,
    pub reached: u64,
    pub satisfaction_sum: u64,
    /// Answers with satisfaction 1, 2, 3, 4 and 5.
    pub by_score: [u64; 5],
    pub complaints: u64,
    pub contradictions: u64,
}

fn kind_code(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Visit => "visit",
        WorkKind::Ticket => "ticket",
    }
}

fn reason_code(reason: CallbackReason) -> &'static str {
    match reason {
        CallbackReason::SuspensionHandled => "suspension_handled",
        CallbackReason::Sampled => "sampled",
    }
}

const CALLBACK_COLUMNS: &str = "id, item_kind, item_id, household_id, steward_id, district_id, reason, work_day,
    work_ms, recorded_valve, outcome, contradiction, agent_id, outcome_ms";

fn callback_row(r: &rusqlite::Row<'_>) -> Result<CallbackRow> {
    let kind: String = r.get(1)?;
    let item_id: String = r.get(2)?;
    let item = match kind.as_str() {
        "visit" => WorkItem::Visit(VisitId(parse_id(&item_id)?)),
        "ticket" => WorkItem::Ticket(TicketId(parse_id(&item_id)?)),
        other => return Err(StoreError::Invalid(format!("unknown callback item kind {other:?}"))),
    };
    let reason = match r.get::<_, String>(6)?.as_str() {
        "suspension_handled" => CallbackReason::SuspensionHandled,
        _ => CallbackReason::Sampled,
    };
    let json_opt = |i: usize| -> Result<Option<String>> { Ok(r.get::<_, Option<String>>(i)?) };
    Ok(CallbackRow {
        id: parse_id(&r.get::<_, String>(0)?)?,
        item,
        household_id: parse_id(&r.get::<_, String>(3)?)?,
        steward_id: parse_id(&r.get::<_, String>(4)?)?,
        district_id: parse_id(&r.get::<_, String>(5)?)?,
        reason,
        work_day: r.get(7)?,
        work_at: Timestamp::from_millisecond(r.get(8)?).unwrap_or(Timestamp::MIN),
        recorded_valve: json_opt(9)?.map(|d| serde_json::from_str(&d)).transpose()?,
        outcome: json_opt(10)?.map(|d| serde_json::from_str(&d)).transpose()?,
        contradiction: json_opt(11)?.map(|d| serde_json::from_str(&d)).transpose()?,
        agent_id: json_opt(12)?.map(|d| parse_id(&d)).transpose()?,
        outcome_at: r.get::<_, Option<i64>>(13)?.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
    })
}

impl Db<'_> {
    /// The work completed on the days `from..=to` (Asia/Shanghai) in scope:
    /// visits (corrections left out: they amend work already counted) and
    /// resolved tickets, with the suspensions handled among the visits.
    pub fn callback_source(&self, scope: &ReportScope, days: (i32, i32)) -> Result<CallbackSource> {
        let mut src = CallbackSource::default();
        let mut by_ticket: HashMap<TicketId, (Timestamp, ValveState)> = HashMap::new();
        for (district_id, steward_id, doc) in self.visit_docs(scope)? {
            let visit: CompletedVisit = serde_json::from_str(&doc)?;
            if let (Some(ticket), Some(valve)) = (visit.ticket_id(), visit.valve_after()) {
                let e = by_ticket.entry(ticket).or_insert((visit.completed_at(), valve.clone()));
                if visit.completed_at() >= e.0 {
                    *e = (visit.completed_at(), valve);
                }
            }
            if visit.corrects().is_some() || !in_days(visit.completed_at(), days) {
                continue;
            }
            let item = WorkItem::Visit(visit.id());
            let household_id = visit.household_id();
            if visit.records().iter().any(|r| matches!(r, InspectionRecord::SuspensionValveClosure { .. })) {
                src.suspensions.push(HandledSuspension { household_id, steward_id, visit_id: visit.id() });
            }
            src.work.push(CompletedWork { item, household_id, steward_id });
            src.meta.insert(item, WorkMeta { district_id, at: visit.completed_at(), valve: visit.valve_after() });
        }
        let (from, to) = day_bounds(days);
        let mut stmt = self.0.prepare_cached(
            "SELECT ticket_id, household_id, steward_id, district_id, resolved_ms FROM ticket_facts
             WHERE resolved_ms >= ?1 AND resolved_ms < ?2 AND steward_id IS NOT NULL
               AND (?3 OR district_id IN (SELECT value FROM json_each(?4))
                    OR steward_id IN (SELECT value FROM json_each(?5)))",
        )?;
        let rows = stmt.query_map(params![from, to, scope.all, scope.districts, scope.people], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        for row in rows {
            let (ticket, household, steward, district, resolved) = row?;
            let ticket: TicketId = parse_id(&ticket)?;
            let item = WorkItem::Ticket(ticket);
            src.work.push(CompletedWork { item, household_id: parse_id(&household)?, steward_id: parse_id(&steward)? });
            src.meta.insert(
                item,
                WorkMeta {
                    district_id: parse_id(&district)?,
                    at: Timestamp::from_millisecond(resolved).unwrap_or(Timestamp::MIN),
                    valve: by_ticket.get(&ticket).map(|(_, v)| v.clone()),
                },
            );
        }
        Ok(src)
    }

    pub fn callbacks(&self, scope: &ReportScope, f: &CallbackFilter) -> Result<Vec<CallbackRow>> {
        let sql = format!(
            "SELECT {CALLBACK_COLUMNS} FROM callbacks
             WHERE work_day BETWEEN ?1 AND ?2
               AND (?3 OR district_id IN (SELECT value FROM json_each(?4))
                    OR steward_id IN (SELECT value FROM json_each(?5)))
               AND (?6 IS NULL OR steward_id = ?6)
               AND (?7 IS NULL OR (?7 AND outcome IS NULL) OR (NOT ?7 AND outcome IS NOT NULL))
               AND (NOT ?8 OR contradiction IS NOT NULL)
             ORDER BY work_day, reason DESC, steward_id, id LIMIT ?9 OFFSET ?10"
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![
            f.days.0,
            f.days.1,
            scope.all,
            scope.districts,
            scope.people,
            f.steward.map(|s| s.to_string()),
            f.pending,
            f.contradictions_only,
            f.limit,
            f.offset
        ])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(callback_row(r)?);
        }
        Ok(out)
    }

    pub fn callback(&self, id: uuid::Uuid) -> Result<Option<CallbackRow>> {
        let sql = format!("SELECT {CALLBACK_COLUMNS} FROM callbacks WHERE id = ?1");
        let mut stmt = self.0.prepare_cached(&sql)?;
        let mut rows = stmt.query([id.to_string()])?;
        rows.next()?.map(callback_row).transpose()
    }

    /// Callback coverage per steward over the days `from..=to`.
    pub fn callback_coverage(&self, scope: &ReportScope, days: (i32, i32)) -> Result<Vec<CoverageRow>> {
        let src = self.callback_source(scope, days)?;
        let mut rows: HashMap<UserId, CoverageRow> = HashMap::new();
        let suspended: std::collections::HashSet<WorkItem> =
            src.suspensions.iter().map(|s| WorkItem::Visit(s.visit_id)).collect();
        for s in &src.suspensions {
            rows.entry(s.steward_id).or_default().suspensions += 1;
        }
        for w in src.work.iter().filter(|w| !suspended.contains(&w.item)) {
            rows.entry(w.steward_id).or_default().work += 1;
        }
        let mut stmt = self.0.prepare_cached(
            "SELECT steward_id, reason, count(*), sum(coalesce(reached, 0)) FROM callbacks
             WHERE work_day BETWEEN ?1 AND ?2
               AND (?3 OR district_id IN (SELECT value FROM json_each(?4))
                    OR steward_id IN (SELECT value FROM json_each(?5)))
             GROUP BY steward_id, reason",
        )?;
        let listed = stmt.query_map(params![days.0, days.1, scope.all, scope.districts, scope.people], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)? as u64, r.get::<_, i64>(3)? as u64))
        })?;
        for l in listed {
            let (steward, reason, n, reached) = l?;
            let row = rows.entry(parse_id(&steward)?).or_default();
            if reason == "suspension_handled" {
                row.suspensions_listed += n;
                row.suspensions_reached += reached;
            } else {
                row.sampled += n;
                row.sampled_reached += reached;
            }
        }
        let mut out: Vec<CoverageRow> =
            rows.into_iter().map(|(s, row)| CoverageRow { steward_id: Some(s), ..row }).collect();
        out.sort_by_key(|r| r.steward_id);
        Ok(out)
    }

    /// Satisfaction per steward over the work days `from..=to`.
    pub fn satisfaction(&self, scope: &ReportScope, days: (i32, i32)) -> Result<Vec<SatisfactionRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT steward_id, outcome IS NOT NULL, coalesce(reached, 0), satisfaction, coalesce(complaint, 0),
                    contradiction IS NOT NULL
             FROM callbacks
             WHERE work_day BETWEEN ?1 AND ?2
               AND (?3 OR district_id IN (SELECT value FROM json_each(?4))
                    OR steward_id IN (SELECT value FROM json_each(?5)))",
        )?;
        let rows = stmt.query_map(params![days.0, days.1, scope.all, scope.districts, scope.people], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<u8>>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?;
        let mut by: HashMap<UserId, SatisfactionRow> = HashMap::new();
        for row in rows {
            let (steward, called, reached, score, complaint, contradiction) = row?;
            let s = by.entry(parse_id(&steward)?).or_default();
            s.called += u64::from(called);
            s.reached += u64::from(reached);
            if let Some(score @ 1..=5) = score {
                s.satisfaction_sum += u64::from(score);
                s.by_score[usize::from(score) - 1] += 1;
            }
            s.complaints += u64::from(complaint);
            s.contradictions += u64::from(contradiction);
        }
        let mut out: Vec<SatisfactionRow> =
            by.into_iter().map(|(s, row)| SatisfactionRow { steward_id: Some(s), ..row }).collect();
        out.sort_by_key(|r| r.steward_id);
        Ok(out)
    }
}

/// The UNIX-millisecond bounds `[start of from, start of the day after to)`.
fn day_bounds((from, to): (i32, i32)) -> (i64, i64) {
    let start = |n: i32| steward_domain::report::day_from_number(n).map(|d| day_start(d).as_millisecond());
    let lo = start(from).unwrap_or(i64::MIN);
    let hi = steward_domain::report::day_from_number(to)
        .and_then(|d| d.tomorrow().ok())
        .map(|d| day_start(d).as_millisecond())
        .unwrap_or(i64::MAX);
    (lo, hi)
}

impl CallbackSource {
    /// The callback plan of each work day (`yyyymmdd`, Asia/Shanghai) of the
    /// source, drawn with the day number as the seed, by day.
    pub fn plan_by_day(&self) -> Vec<(i32, CallbackPlan)> {
        let mut by_day: std::collections::BTreeMap<i32, (Vec<HandledSuspension>, Vec<CompletedWork>)> =
            std::collections::BTreeMap::new();
        let day_of = |item: &WorkItem| self.meta.get(item).map(|m| day_number(service_day(m.at)));
        for s in &self.suspensions {
            if let Some(d) = day_of(&WorkItem::Visit(s.visit_id)) {
                by_day.entry(d).or_default().0.push(*s);
            }
        }
        for w in &self.work {
            if let Some(d) = day_of(&w.item) {
                by_day.entry(d).or_default().1.push(*w);
            }
        }
        by_day
            .into_iter()
            .map(|(n, (suspensions, work))| (n, plan_callbacks(n as u64, &suspensions, &work, DEFAULT_SAMPLE_PERCENT)))
            .collect()
    }
}

impl Tx<'_> {
    /// Adds a callback to the list unless its item is on it already; returns
    /// whether it was added.
    pub fn insert_callback(&self, task: &CallbackTask, meta: &WorkMeta, now: Timestamp) -> Result<bool> {
        let item_id = task.item.uuid().to_string();
        let valve = meta.valve.as_ref().map(serde_json::to_string).transpose()?;
        let n = self
            .0
            .prepare_cached(
                "INSERT OR IGNORE INTO callbacks (id, item_kind, item_id, household_id, steward_id, district_id,
                     reason, work_day, work_ms, recorded_valve, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                callback_id(task.item).to_string(),
                kind_code(task.item.kind()),
                item_id,
                task.household_id.to_string(),
                task.steward_id.to_string(),
                meta.district_id.to_string(),
                reason_code(task.reason),
                day_number(service_day(meta.at)),
                meta.at.as_millisecond(),
                valve,
                now.as_millisecond(),
            ])?;
        Ok(n > 0)
    }

    /// Records what a callback found.
    pub fn set_callback_outcome(
        &self,
        id: uuid::Uuid,
        outcome: &CallbackOutcome,
        contradiction: Option<&Contradiction>,
        agent: UserId,
        now: Timestamp,
    ) -> Result<()> {
        let (reached, satisfaction, complaint) = match outcome {
            CallbackOutcome::NotReached => (false, None, false),
            CallbackOutcome::Reached { satisfaction, complaint, .. } => {
                (true, Some(satisfaction.get()), complaint.is_some())
            }
        };
        let n = self
            .0
            .prepare_cached(
                "UPDATE callbacks SET outcome = ?2, reached = ?3, satisfaction = ?4, complaint = ?5,
                     contradiction = ?6, agent_id = ?7, outcome_ms = ?8
                 WHERE id = ?1",
            )?
            .execute(params![
                id.to_string(),
                serde_json::to_string(outcome)?,
                reached,
                satisfaction,
                complaint,
                contradiction.map(serde_json::to_string).transpose()?,
                agent.to_string(),
                now.as_millisecond(),
            ])?;
        if n == 0 {
            return Err(StoreError::NotFound("callback".into()));
        }
        Ok(())
    }

    /// Generates the callback list of the work days `from..=to` in one job
    /// (as the demo seed does); returns how many callbacks were added.
    pub fn generate_callbacks(&self, scope: &ReportScope, days: (i32, i32), now: Timestamp) -> Result<u64> {
        let src = self.db().callback_source(scope, days)?;
        let mut added = 0;
        for (_, plan) in src.plan_by_day() {
            for task in &plan.tasks {
                if let Some(meta) = src.meta.get(&task.item) {
                    added += u64::from(self.insert_callback(task, meta, now)?);
                }
            }
        }
        Ok(added)
    }

    /// Whether a callback with this id exists.
    pub fn callback_exists(&self, id: uuid::Uuid) -> Result<bool> {
        Ok(self
            .0
            .prepare_cached("SELECT 1 FROM callbacks WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

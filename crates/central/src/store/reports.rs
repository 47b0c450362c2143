//! The report queries, and `ticket_facts`: one row per ticket with what the
//! SLA report needs, rewritten whenever an event of the ticket is stored.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use steward_domain::geometry::LonLat;
use steward_domain::ids::{DistrictId, TicketId, UserId};
use steward_domain::report::{SlaTally, day_number, decisive_arrivals, service_day};
use steward_domain::sla::{
    Arrival, ArrivalVerdict, SlaFacts, SlaPolicy, UnverifiedReason, VerificationMethod, verify_arrival,
};
use steward_domain::ticket::{ArrivalProof, TicketAction, TicketCategory, TicketEvent};

use super::read::parse_id;
use super::{Db, HouseholdRow, Result, Scope, StoreError, Tx};

/// What a report caller may see: everything, or the rows of some districts
/// and of some people (a team lead's team).
#[derive(Debug, Clone, Default)]
pub struct ReportScope {
    pub all: bool,
    pub(super) districts: String,
    pub(super) people: String,
}

impl ReportScope {
    /// A report covers what the caller's scope covers: a team lead's
    /// districts and team, everything for the roles that see everything.
    pub fn new(scope: &Scope) -> Self {
        ReportScope { all: scope.all, districts: scope.districts_json(), people: scope.people_json() }
    }
}

/// The dimension the SLA report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaDimension {
    Steward,
    Team,
    District,
    Category,
    Day,
}

impl SlaDimension {
    fn column(self) -> &'static str {
        match self {
            SlaDimension::Steward => "steward_id",
            SlaDimension::Team => "team_id",
            SlaDimension::District => "district_id",
            SlaDimension::Category => "category",
            SlaDimension::Day => "day",
        }
    }
}

/// One group of the SLA report: its key (an id, a category code or a day
/// `yyyy-mm-dd`; `None` for tickets nobody holds) and its tally.
#[derive(Debug, Clone)]
pub struct SlaGroup {
    pub key: Option<String>,
    pub tally: SlaTally,
}

/// Suspension checks (报停阀门检查) of one district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionCoverageRow {
    pub district_id: DistrictId,
    pub code: String,
    pub name: String,
    /// Suspended households in the register.
    pub suspended: u64,
    /// Of those, with a completed valve-closure record.
    pub checked: u64,
    /// Of those checked, with the valve left sealed.
    pub sealed: u64,
}

/// Contact cards (管家名片) handed over in one district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCoverageRow {
    pub district_id: DistrictId,
    pub code: String,
    pub name: String,
    /// Households in the register, disconnected ones left out.
    pub households: u64,
    pub with_card: u64,
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::MIN)
}

/// The verdict of an arrival as the central judges it, the same way the
/// ticket API does (`service::sla::ticket_sla`): a GPS fix against the
/// household's building and the policy's geofence, a tag scan against the
/// household's door tag.
pub fn judge_arrival(policy: &SlaPolicy, household: &HouseholdRow, proof: &ArrivalProof) -> ArrivalVerdict {
    let tag = crate::service::sla::door_tag(household.household.account_no.as_str());
    match (household.location, proof) {
        (Some(building), _) => verify_arrival(proof, building, policy.geofence_m(), Some(&tag)),
        // Without the building's position a GPS fix proves nothing.
        (None, ArrivalProof::Gps { .. }) => ArrivalVerdict::Unverified { reason: UnverifiedReason::InvalidFence },
        (None, _) => verify_arrival(proof, LonLat { lon: 0.0, lat: 0.0 }, policy.geofence_m(), Some(&tag)),
    }
}

impl Tx<'_> {
    /// Rewrites the facts row of a ticket from the ticket and all its events.
    /// Called each time an event of the ticket is stored.
    pub fn refresh_ticket_facts(&self, id: TicketId) -> Result<()> {
        let db = self.db();
        let Some(row) = db.ticket(id)? else { return Ok(()) };
        let events = db.ticket_events(id)?;
        let household = db.household(row.ticket.household_id())?;
        let (policy, _, _) = db.service_policy()?;
        let t = &row.ticket;
        let facts =
            SlaFacts::from_events(t.category(), t.reported_at(), t.due_at(), &events, |_, proof| match &household {
                Some(h) => judge_arrival(policy.sla(), h, proof),
                None => ArrivalVerdict::Unverified { reason: UnverifiedReason::InvalidFence },
            });
        let arrivals = decisive_arrivals(&facts);
        let stopper = facts.stopping_arrival(Timestamp::MAX).map(|a| a.at);
        let arrived_by = stopper.and_then(|at| {
            events.iter().find(|e| e.at == at && matches!(e.action, TicketAction::Arrive { .. })).map(|e| e.actor_id)
        });
        let steward = arrived_by.or(t.assignee());
        let team: Option<String> = match steward {
            Some(s) => db.staff(s)?.and_then(|s| s.team_id).map(|t| t.to_string()),
            None => None,
        };
        let team = match team {
            Some(t) => Some(t),
            None => self
                .0
                .prepare_cached("SELECT team_id FROM districts WHERE id = ?1")?
                .query_row([row.district_id.to_string()], |r| r.get(0))
                .optional()?,
        };
        let resolved = first_resolved(&events);
        let a = |i: usize| arrivals.get(i).map(|a: &Arrival| (ms(a.at), a.verdict.is_verified()));
        let (a1, a2, a3) = (a(0), a(1), a(2));
        self.0
            .prepare_cached(
                "INSERT OR REPLACE INTO ticket_facts (ticket_id, household_id, district_id, steward_id, team_id,
                     category, reported_ms, due_ms, day, cancelled_ms, a1_ms, a1_ok, a2_ms, a2_ok, a3_ms, a3_ok,
                     resolved_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                id.to_string(),
                t.household_id().to_string(),
                row.district_id.to_string(),
                steward.map(|s| s.to_string()),
                team,
                t.category().code(),
                ms(t.reported_at()),
                ms(t.due_at()),
                day_number(service_day(t.reported_at())),
                facts.cancelled_at.map(ms),
                a1.map(|a| a.0),
                a1.map(|a| a.1),
                a2.map(|a| a.0),
                a2.map(|a| a.1),
                a3.map(|a| a.0),
                a3.map(|a| a.1),
                resolved.map(ms),
            ])?;
        Ok(())
    }

    /// Writes a facts row as it is, for bulk loads (benchmarks) that make
    /// the rows without events.
    #[allow(clippy::too_many_arguments)]
    pub fn put_ticket_facts_raw(
        &self,
        ticket: &str,
        household: &str,
        district: &str,
        steward: Option<&str>,
        team: Option<&str>,
        category: TicketCategory,
        reported: Timestamp,
        due: Timestamp,
        cancelled: Option<Timestamp>,
        arrivals: &[(Timestamp, bool)],
        resolved: Option<Timestamp>,
    ) -> Result<()> {
        let a = |i: usize| arrivals.get(i).copied();
        let (a1, a2, a3) = (a(0), a(1), a(2));
        self.0
            .prepare_cached(
                "INSERT OR REPLACE INTO ticket_facts (ticket_id, household_id, district_id, steward_id, team_id,
                     category, reported_ms, due_ms, day, cancelled_ms, a1_ms, a1_ok, a2_ms, a2_ok, a3_ms, a3_ok,
                     resolved_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                ticket,
                household,
                district,
                steward,
                team,
                category.code(),
                ms(reported),
                ms(due),
                day_number(service_day(reported)),
                cancelled.map(ms),
                a1.map(|a| ms(a.0)),
                a1.map(|a| a.1),
                a2.map(|a| ms(a.0)),
                a2.map(|a| a.1),
                a3.map(|a| ms(a.0)),
                a3.map(|a| a.1),
                resolved.map(ms),
            ])?;
        Ok(())
    }
}

/// When the ticket was first resolved.
fn first_resolved(events: &[TicketEvent]) -> Option<Timestamp> {
    events.iter().filter(|e| matches!(e.action, TicketAction::Resolve { .. })).map(|e| e.at).min()
}

/// A stand-in verdict: the report needs only whether an arrival was
/// verified, not how.
fn verdict(ok: bool) -> ArrivalVerdict {
    if ok {
        ArrivalVerdict::Verified { method: VerificationMethod::Gps }
    } else {
        ArrivalVerdict::Unverified { reason: UnverifiedReason::InvalidFix }
    }
}

impl Db<'_> {
    /// The SLA report: the tickets reported on the days `from..=to`
    /// (`yyyymmdd`, Asia/Shanghai), judged by the domain at `now` and
    /// grouped by `by`.
    pub fn sla_report(
        &self,
        scope: &ReportScope,
        by: SlaDimension,
        days: (i32, i32),
        policy: &SlaPolicy,
        now: Timestamp,
    ) -> Result<Vec<SlaGroup>> {
        // Everything in scope reads the day range alone; a team lead's scope
        // adds the district and people filter.
        let filter = if scope.all {
            ""
        } else {
            "AND (district_id IN (SELECT value FROM json_each(?3))
                  OR steward_id IN (SELECT value FROM json_each(?4)))"
        };
        let sql = format!(
            "SELECT {}, category, reported_ms, due_ms, cancelled_ms, a1_ms, a1_ok, a2_ms, a2_ok, a3_ms, a3_ok
             FROM ticket_facts WHERE day BETWEEN ?1 AND ?2 {filter}",
            by.column()
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let mut rows = if scope.all {
            stmt.query(params![days.0, days.1])?
        } else {
            stmt.query(params![days.0, days.1, scope.districts, scope.people])?
        };
        let mut keyed: HashMap<String, SlaTally> = HashMap::new();
        let mut by_day: HashMap<i64, SlaTally> = HashMap::new();
        let mut nobody = SlaTally::default();
        let mut facts = SlaFacts {
            category: TicketCategory::Other,
            reported_at: Timestamp::UNIX_EPOCH,
            due_at: Timestamp::UNIX_EPOCH,
            arrivals: Vec::with_capacity(3),
            cancelled_at: None,
            best_eta: None,
        };
        while let Some(r) = rows.next()? {
            let category = match r.get_ref(1)? {
                ValueRef::Text(code) => std::str::from_utf8(code).ok().and_then(TicketCategory::from_code),
                _ => None,
            };
            let Some(category) = category else {
                return Err(StoreError::Invalid("a ticket fact has an unknown category".into()));
            };
            facts.category = category;
            facts.reported_at = from_ms(r.get(2)?);
            facts.due_at = from_ms(r.get(3)?);
            facts.cancelled_at = r.get::<_, Option<i64>>(4)?.map(from_ms);
            facts.arrivals.clear();
            for i in 0..3 {
                if let Some(at) = r.get::<_, Option<i64>>(5 + 2 * i)? {
                    let ok: bool = r.get::<_, Option<bool>>(6 + 2 * i)?.unwrap_or(false);
                    facts.arrivals.push(Arrival { at: from_ms(at), verdict: verdict(ok) });
                }
            }
            let tally = match r.get_ref(0)? {
                ValueRef::Text(key) => {
                    let key = std::str::from_utf8(key).map_err(|_| StoreError::Invalid("a bad key".into()))?;
                    // A row of a known group allocates nothing.
                    if !keyed.contains_key(key) {
                        keyed.insert(key.to_owned(), SlaTally::default());
                    }
                    keyed.get_mut(key)
                }
                ValueRef::Integer(day) => Some(by_day.entry(day).or_default()),
                _ => Some(&mut nobody),
            };
            if let Some(tally) = tally {
                tally.add(policy, &facts, now);
            }
        }
        let mut groups: Vec<(Option<String>, SlaTally)> = keyed.into_iter().map(|(k, t)| (Some(k), t)).collect();
        groups.extend(by_day.into_iter().map(|(d, t)| (Some(day_key(d)), t)));
        if nobody.tickets > 0 {
            groups.push((None, nobody));
        }
        let mut out: Vec<SlaGroup> = groups.into_iter().map(|(key, tally)| SlaGroup { key, tally }).collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// The first and last day with tickets within the days `from..=to`.
    pub fn fact_day_bounds(&self, (from, to): (i32, i32)) -> Result<Option<(i32, i32)>> {
        let row: (Option<i32>, Option<i32>) = self
            .0
            .prepare_cached("SELECT min(day), max(day) FROM ticket_facts WHERE day BETWEEN ?1 AND ?2")?
            .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(match row {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    }

    /// The display names of staff, teams or districts, by id.
    pub fn names(&self, by: SlaDimension) -> Result<HashMap<String, String>> {
        let sql = match by {
            SlaDimension::Steward => "SELECT id, json_extract(doc, '$.display_name') FROM staff",
            SlaDimension::Team => "SELECT id, name FROM teams",
            SlaDimension::District => "SELECT id, code || ' ' || name FROM districts",
            SlaDimension::Category | SlaDimension::Day => return Ok(HashMap::new()),
        };
        let mut stmt = self.0.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The districts of a report scope: (id, code, name), by code.
    pub fn report_districts(&self, scope: &ReportScope) -> Result<Vec<(DistrictId, String, String)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, code, name FROM districts
             WHERE ?1 OR id IN (SELECT value FROM json_each(?2)) ORDER BY code",
        )?;
        let rows = stmt.query_map(params![scope.all, scope.districts], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        rows.map(|r| {
            let (id, code, name) = r?;
            Ok((parse_id(&id)?, code, name))
        })
        .collect()
    }

    /// The completed visits of the districts in scope with what a report
    /// needs of each: (household, district, steward, visit). Corrections
    /// count as visits of their own.
    pub(super) fn visit_docs(&self, scope: &ReportScope) -> Result<Vec<(DistrictId, UserId, String)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT district_id, steward_id, doc FROM visits
             WHERE ?1 OR district_id IN (SELECT value FROM json_each(?2))
                OR steward_id IN (SELECT value FROM json_each(?3))",
        )?;
        let rows = stmt.query_map(params![scope.all, scope.districts, scope.people], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        rows.map(|r| {
            let (d, s, doc) = r?;
            Ok((parse_id(&d)?, parse_id(&s)?, doc))
        })
        .collect()
    }

    /// Suspension-check coverage per district: suspended households, those
    /// with a completed valve-closure record (in the days `from..=to` of the
    /// visit's completion), and those left sealed.
    pub fn suspension_coverage(&self, scope: &ReportScope, days: (i32, i32)) -> Result<Vec<SuspensionCoverageRow>> {
        let mut checked: HashMap<String, bool> = HashMap::new();
        for (_, _, doc) in self.visit_docs(scope)? {
            let visit: steward_domain::visit::CompletedVisit = serde_json::from_str(&doc)?;
            if !in_days(visit.completed_at(), days) {
                continue;
            }
            for record in visit.records() {
                if let steward_domain::visit::InspectionRecord::SuspensionValveClosure { valve, .. } = record {
                    let sealed = valve.seal_no().is_some();
                    let e = checked.entry(visit.household_id().to_string()).or_insert(false);
                    *e |= sealed;
                }
            }
        }
        let mut out = Vec::new();
        for (district_id, code, name) in self.report_districts(scope)? {
            let mut stmt = self.0.prepare_cached(
                "SELECT id FROM households WHERE district_id = ?1 AND json_extract(doc, '$.status') = 'suspended'",
            )?;
            let ids = stmt.query_map([district_id.to_string()], |r| r.get::<_, String>(0))?;
            let (mut suspended, mut done, mut sealed) = (0, 0, 0);
            for id in ids {
                suspended += 1;
                if let Some(s) = checked.get(&id?) {
                    done += 1;
                    sealed += u64::from(*s);
                }
            }
            out.push(SuspensionCoverageRow { district_id, code, name, suspended, checked: done, sealed });
        }
        Ok(out)
    }

    /// Contact-card coverage per district: households (not disconnected)
    /// and those with a visit that recorded the card handed over.
    pub fn card_coverage(&self, scope: &ReportScope) -> Result<Vec<CardCoverageRow>> {
        let mut with_card: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (_, _, doc) in self.visit_docs(scope)? {
            let visit: steward_domain::visit::CompletedVisit = serde_json::from_str(&doc)?;
            if visit
                .records()
                .iter()
                .any(|r| matches!(r, steward_domain::visit::InspectionRecord::ContactCardHandedOver))
            {
                with_card.insert(visit.household_id().to_string());
            }
        }
        let mut out = Vec::new();
        for (district_id, code, name) in self.report_districts(scope)? {
            let mut stmt = self.0.prepare_cached(
                "SELECT id FROM households WHERE district_id = ?1
                   AND json_extract(doc, '$.status') <> 'disconnected'",
            )?;
            let ids = stmt.query_map([district_id.to_string()], |r| r.get::<_, String>(0))?;
            let (mut households, mut carded) = (0, 0);
            for id in ids {
                households += 1;
                carded += u64::from(with_card.contains(&id?));
            }
            out.push(CardCoverageRow { district_id, code, name, households, with_card: carded });
        }
        Ok(out)
    }
}

/// A day number as `yyyy-mm-dd`.
fn day_key(day: i64) -> String {
    format!("{:04}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}

/// Whether an instant falls on one of the days `from..=to` (Asia/Shanghai).
pub(super) fn in_days(at: Timestamp, (from, to): (i32, i32)) -> bool {
    (from..=to).contains(&day_number(service_day(at)))
}

//! The team lead's alerts (告警): tickets waiting to be accepted past the
//! escalation time, at risk, breached; arrivals to review; breaches counted
//! against stewards and teams. All computed from the tickets' events at the
//! request's server time, so an offline arrival synced late corrects them
//! without anyone repairing a record.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use steward_domain::org::Role;
use steward_domain::sla::{ArrivalVerdict, SlaStatus, UnverifiedReason};
use steward_domain::ticket::{TicketCategory, TicketStatus};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::json::codes;
use crate::server::AppState;
use crate::service::sla::{self, SlaContext, SlaSubject};
use crate::store::TicketFilter;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Tickets reported within this many hours (1–744); 24 when absent.
    pub hours: Option<u32>,
}

/// The tickets reported within the window, as `hours` asks.
pub(super) fn window(hours: Option<u32>, now: Timestamp) -> Result<Timestamp, AppError> {
    let hours = hours.unwrap_or(24);
    if !(1..=744).contains(&hours) {
        return Err(AppError::bad_request("bad_hours", format!("hours {hours} is not within 1..=744")));
    }
    Ok(now.checked_sub(SignedDuration::from_hours(i64::from(hours))).unwrap_or(Timestamp::MIN))
}

/// A ticket on an alert list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertTicket {
    pub ticket_id: Uuid,
    pub district_id: Uuid,
    #[schema(value_type = codes::TicketCategory)]
    pub category: TicketCategory,
    #[schema(value_type = codes::TicketStatus)]
    pub status: TicketStatus,
    pub assignee: Option<Uuid>,
    pub reported_at: Timestamp,
    pub due_at: Timestamp,
    #[schema(value_type = codes::SlaStatus)]
    pub sla_status: SlaStatus,
    /// Minutes to the deadline; negative once past it.
    pub minutes_left: i64,
    /// Unaccepted tickets: since when it waits (its report while new, its
    /// last dispatch while dispatched) and for how many whole minutes.
    pub waiting_since: Option<Timestamp>,
    pub waiting_minutes: Option<i64>,
}

/// An arrival recorded without proof, for the team lead to review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArrivalReview {
    pub ticket_id: Uuid,
    pub steward_id: Uuid,
    pub at: Timestamp,
    /// Why it is unverified: `{code: outside_geofence, distance_m, fence_m}`,
    /// `fix_too_coarse`, `tag_mismatch`, `manual_entry` with `reason`, …
    #[schema(value_type = Object)]
    pub reason: UnverifiedReason,
    /// Whether it still stopped the clock in time (`met_unverified`).
    #[schema(value_type = codes::SlaStatus)]
    pub sla_status: SlaStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StewardBreaches {
    pub steward_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub breaches: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamBreaches {
    pub team_id: Uuid,
    pub breaches: u32,
}

/// Breaches in the window, each counted against the steward who held the
/// ticket at its deadline (none when nobody did) and that steward's team
/// (else the team of the ticket's district).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BreachCounts {
    pub by_steward: Vec<StewardBreaches>,
    pub by_team: Vec<TeamBreaches>,
    /// Breached tickets nobody held at their deadline.
    pub undispatched: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertsDto {
    pub generated_at: Timestamp,
    pub escalation_minutes: i64,
    /// New or dispatched tickets waiting to be accepted for the escalation
    /// minutes (5 by default) or longer.
    pub unaccepted: Vec<AlertTicket>,
    pub at_risk: Vec<AlertTicket>,
    pub breached: Vec<AlertTicket>,
    pub arrival_review: Vec<ArrivalReview>,
    pub breaches: BreachCounts,
}

/// The team lead's alerts over the tickets of their districts (all for
/// admins) reported within `hours`. Team leads and admins only.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "dispatch", security(("bearer" = [])), params(AlertQuery),
    responses((status = 200, body = AlertsDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> Result<Json<AlertsDto>, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let now = state.clock.now();
    let from = window(q.hours, now)?;
    let out = state
        .store
        .read(move |db| {
            let ctx = SlaContext::load(db, now)?;
            let filter = TicketFilter {
                reported_from_ms: Some(from.as_millisecond()),
                limit: u32::MAX,
                ..TicketFilter::default()
            };
            let escalation = ctx.policy.escalation();
            let mut out = AlertsDto {
                generated_at: now,
                escalation_minutes: escalation.as_secs() / 60,
                unaccepted: Vec::new(),
                at_risk: Vec::new(),
                breached: Vec::new(),
                arrival_review: Vec::new(),
                breaches: BreachCounts::default(),
            };
            let mut by_steward: BTreeMap<Uuid, u32> = BTreeMap::new();
            let mut by_team: BTreeMap<Uuid, u32> = BTreeMap::new();
            for row in db.tickets(&caller.scope, &filter)? {
                let t = &row.ticket;
                let events = db.ticket_events(t.id())?;
                let subject = SlaSubject {
                    category: t.category(),
                    reported_at: t.reported_at(),
                    due_at: t.due_at(),
                    household_id: t.household_id(),
                    assignee: t.assignee(),
                    status: t.status(),
                };
                let judged = sla::ticket_sla(db, &ctx, subject, &events)?;
                let waiting = sla::waiting_since(t.status(), t.reported_at(), &events)
                    .filter(|since| now.duration_since(*since) >= escalation);
                let item = AlertTicket {
                    ticket_id: t.id().0,
                    district_id: row.district_id.0,
                    category: t.category(),
                    status: t.status(),
                    assignee: t.assignee().map(|a| a.0),
                    reported_at: t.reported_at(),
                    due_at: t.due_at(),
                    sla_status: judged.status,
                    minutes_left: t.due_at().duration_since(now).as_secs().div_euclid(60),
                    waiting_since: waiting,
                    waiting_minutes: waiting.map(|w| sla::minutes_between(w, now)),
                };
                for (event, verdict) in &judged.arrivals {
                    if let ArrivalVerdict::Unverified { reason } = verdict {
                        out.arrival_review.push(ArrivalReview {
                            ticket_id: t.id().0,
                            steward_id: event.actor_id.0,
                            at: event.at,
                            reason: reason.clone(),
                            sla_status: judged.status,
                        });
                    }
                }
                if judged.status == SlaStatus::Breached {
                    let deadline_or_arrival = judged.facts.stopping_arrival(now).map_or(t.due_at(), |a| a.at);
                    let holder = sla::holder_at(&events, deadline_or_arrival.min(t.due_at()).max(t.reported_at()))
                        .or_else(|| sla::holder_at(&events, deadline_or_arrival));
                    let team = holder
                        .and_then(|h| ctx.stewards.get(&h))
                        .and_then(|s| s.staff.team_id)
                        .or_else(|| ctx.district_team.get(&row.district_id).copied());
                    match holder {
                        Some(h) => *by_steward.entry(h.0).or_default() += 1,
                        None => out.breaches.undispatched += 1,
                    }
                    if let Some(team) = team {
                        *by_team.entry(team.0).or_default() += 1;
                    }
                }
                if waiting.is_some() {
                    out.unaccepted.push(item.clone());
                }
                match judged.status {
                    SlaStatus::AtRisk => out.at_risk.push(item),
                    SlaStatus::Breached => out.breached.push(item),
                    _ => {}
                }
            }
            for list in [&mut out.unaccepted, &mut out.at_risk, &mut out.breached] {
                list.sort_by_key(|a| (a.due_at, a.ticket_id));
            }
            out.arrival_review.sort_by_key(|a| (a.at, a.ticket_id));
            out.breaches.by_steward = by_steward
                .into_iter()
                .map(|(id, breaches)| {
                    let s = ctx.stewards.get(&steward_domain::ids::UserId(id));
                    StewardBreaches {
                        steward_id: id,
                        name: s.map(|s| s.staff.display_name.clone()).unwrap_or_default(),
                        team_id: s.and_then(|s| s.staff.team_id).map(|t| t.0),
                        breaches,
                    }
                })
                .collect();
            out.breaches.by_team =
                by_team.into_iter().map(|(team_id, breaches)| TeamBreaches { team_id, breaches }).collect();
            Ok(out)
        })
        .await?;
    Ok(Json(out))
}

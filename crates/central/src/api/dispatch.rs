//! Dispatch candidates (派单推荐): the stewards of the ticket's team ranked
//! by estimated arrival at the home.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::ids::TicketId;
use steward_domain::org::Role;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ApiPath, ApiQuery, page_limit};
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::service::sla::{self, SlaContext};

/// One steward who could take the ticket.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CandidateDto {
    pub steward_id: Uuid,
    pub name: String,
    /// Travel time at the policy's speed plus the load penalty per open ticket.
    pub eta_minutes: f64,
    /// Great-circle distance from the position ranked from to the home.
    pub distance_km: f64,
    pub open_tickets: u32,
    /// Sent now, the steward is expected at the door by `due_at`.
    pub meets_deadline: bool,
    /// No sync for the policy's stale minutes (10 by default), or never.
    pub stale: bool,
    /// Records the steward's device said were waiting to be uploaded.
    pub queued: u32,
    /// When the steward's device last synced.
    pub last_seen_at: Option<Timestamp>,
    /// `last_fix` (the device's last reported position) or
    /// `district_centroid` (no recent fix).
    pub position_source: String,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidatesQuery {
    /// Only the best `limit` rows (1–10000); every steward of the team when absent.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CandidatesDto {
    pub ticket_id: Uuid,
    pub due_at: Timestamp,
    /// Earliest ETA first; ties by steward id.
    pub candidates: Vec<CandidateDto>,
}

/// The stewards of the ticket's team ranked by estimated arrival: the
/// haversine distance from their last known position (the latest their
/// device reported on a ticket event or visit, within the policy's position
/// age; else their district's centroid) to the household's building at the
/// policy's speed, plus the load of their open tickets. Team leads of the
/// ticket's district and admins only.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/candidates", tag = "dispatch", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Ticket id"), CandidatesQuery),
    responses((status = 200, body = CandidatesDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn candidates(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<TicketId>,
    ApiQuery(q): ApiQuery<CandidatesQuery>,
) -> Result<Json<CandidatesDto>, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let limit = q.limit.map(|l| page_limit(Some(l), l, 10_000).map(|l| l as usize)).transpose()?;
    let now = state.clock.now();
    let found = state
        .store
        .read(move |db| {
            let Some(row) = db.ticket(id)?.filter(|t| caller.scope.sees_ticket(t.district_id, t.ticket.assignee()))
            else {
                return Ok(None);
            };
            let ctx = SlaContext::load(db, now)?;
            let home = db
                .household(row.ticket.household_id())?
                .and_then(|h| h.location)
                .or_else(|| ctx.district_centroid.get(&row.district_id).copied());
            let ranked = match home {
                Some(home) => sla::rank_for(&ctx, row.district_id, home, row.ticket.due_at(), limit),
                None => Vec::new(),
            };
            let candidates = ranked
                .into_iter()
                .filter_map(|c| {
                    let s = ctx.stewards.get(&c.steward_id)?;
                    Some(CandidateDto {
                        steward_id: c.steward_id.0,
                        name: s.staff.display_name.clone(),
                        eta_minutes: c.eta_minutes,
                        distance_km: c.distance_m / 1000.0,
                        open_tickets: s.snapshot.open_tickets,
                        meets_deadline: c.meets_deadline,
                        stale: c.stale,
                        queued: c.queued,
                        last_seen_at: s.snapshot.last_sync_at,
                        position_source: sla::source_code(c.position_source).to_owned(),
                    })
                })
                .collect();
            Ok(Some(CandidatesDto { ticket_id: id.0, due_at: row.ticket.due_at(), candidates }))
        })
        .await?;
    Ok(Json(found.ok_or_else(|| AppError::not_found("ticket not found"))?))
}

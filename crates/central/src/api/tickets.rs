//! Hotline intake and ticket dispatch.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use steward_domain::ids::{EventId, TicketId};
use steward_domain::org::Role;
use steward_domain::ticket::TicketAction;

use super::{ApiJson, ApiPath, ApiQuery, page_limit};
use crate::auth::{Caller, random10};
use crate::error::{AppError, ErrorBody};
use crate::json::{AssignRequest, CreateTicketRequest, TicketDto, TicketQuery};
use crate::server::AppState;
use crate::service;
use crate::service::sla::{self, SlaContext};
use crate::store::TicketFilter;

/// Opens a ticket from a hotline report (hotline agents, team leads). Due
/// the category's response time (30 minutes by default; see
/// `/api/v1/sla/policy`) after `reported_at`. Every ticket returned carries
/// `response_minutes` and its `sla_status` at the server's time. Idempotent on `external_ref`: a repeat
/// returns the first ticket with 200.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), request_body = CreateTicketRequest,
    responses((status = 201, body = TicketDto), (status = 200, description = "The ticket this external_ref opened before", body = TicketDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_ticket(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateTicketRequest>,
) -> Result<(StatusCode, Json<TicketDto>), AppError> {
    caller.require(&[Role::HotlineAgent, Role::TeamLead, Role::Admin])?;
    let now = state.clock.now();
    let (row, created) = state.store.write(move |tx| service::open_ticket(tx, &caller, req, now)).await?;
    let ticket = judged(&state, row, now).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(ticket)))
}

/// A ticket as the API returns it, its clock judged at `now`.
async fn judged(state: &AppState, row: crate::store::TicketRow, now: jiff::Timestamp) -> Result<TicketDto, AppError> {
    let dto = state
        .store
        .read(move |db| {
            let ctx = SlaContext::load(db, now)?;
            sla::ticket_dto(db, &ctx, &row, false)
        })
        .await?;
    Ok(dto)
}

/// Lists the tickets in the caller's scope, newest report first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), params(TicketQuery),
    responses((status = 200, body = Vec<TicketDto>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_tickets(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> Result<Json<Vec<TicketDto>>, AppError> {
    let now = state.clock.now();
    let filter = TicketFilter {
        reported_from_ms: None,
        status: q.status,
        district: q.district,
        steward: q.steward,
        limit: page_limit(q.limit, 100, 1000)?,
        offset: q.offset.unwrap_or(0),
    };
    let tickets = state
        .store
        .read(move |db| {
            let ctx = SlaContext::load(db, now)?;
            db.tickets(&caller.scope, &filter)?.iter().map(|row| sla::ticket_dto(db, &ctx, row, false)).collect()
        })
        .await?;
    Ok(Json(tickets))
}

/// One ticket with its events.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDto), (status = 404, body = ErrorBody)))]
pub async fn get_ticket(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<TicketId>,
) -> Result<Json<TicketDto>, AppError> {
    let now = state.clock.now();
    let found = state
        .store
        .read(move |db| {
            let Some(row) = db.ticket(id)?.filter(|t| caller.scope.sees_ticket(t.district_id, t.ticket.assignee()))
            else {
                return Ok(None);
            };
            let ctx = SlaContext::load(db, now)?;
            sla::ticket_dto(db, &ctx, &row, true).map(Some)
        })
        .await?;
    Ok(Json(found.ok_or_else(|| AppError::not_found("ticket not found"))?))
}

/// Dispatches a new ticket to a steward, or reassigns a dispatched one
/// (team leads of the ticket's team, admins).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "tickets", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Ticket id")), request_body = AssignRequest,
    responses((status = 200, body = TicketDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_ticket(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Json<TicketDto>, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let now = state.clock.now();
    let row = state
        .store
        .write(move |tx| {
            let current = tx.db().ticket(id)?;
            let action = match current.map(|t| t.ticket.status()) {
                Some(steward_domain::ticket::TicketStatus::New) | None => {
                    TicketAction::Dispatch { steward_id: req.steward_id }
                }
                Some(_) => TicketAction::Reassign {
                    steward_id: req.steward_id,
                    reason: req.reason.unwrap_or_else(|| "改派".to_owned()),
                },
            };
            let event_id = EventId::new_v7(now, random10());
            let step = service::TicketStep { ticket_id: id, action, at: now, location: None, event_id };
            service::act_on_ticket(tx, &caller, step, now)
        })
        .await?;
    Ok(Json(judged(&state, row, now).await?))
}

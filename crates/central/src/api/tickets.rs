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
use crate::store::TicketFilter;

/// Opens a ticket from a hotline report (hotline agents, team leads). Due
/// 30 minutes after `reported_at`. Idempotent on `external_ref`: a repeat
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
    let (ticket, created) = state.store.write(move |tx| service::open_ticket(tx, &caller, req, now)).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(ticket)))
}

/// Lists the tickets in the caller's scope, newest report first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), params(TicketQuery),
    responses((status = 200, body = Vec<TicketDto>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_tickets(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> Result<Json<Vec<TicketDto>>, AppError> {
    let filter = TicketFilter {
        status: q.status,
        district: q.district,
        steward: q.steward,
        limit: page_limit(q.limit, 100, 1000)?,
        offset: q.offset.unwrap_or(0),
    };
    let rows = state.store.read(move |db| db.tickets(&caller.scope, &filter)).await?;
    Ok(Json(rows.iter().map(TicketDto::new).collect()))
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
    let found = state
        .store
        .read(move |db| {
            let Some(row) = db.ticket(id)?.filter(|t| caller.scope.sees_ticket(t.district_id, t.ticket.assignee()))
            else {
                return Ok(None);
            };
            let events = db.ticket_events(id)?;
            Ok(Some((row, events)))
        })
        .await?;
    let (row, events) = found.ok_or_else(|| AppError::not_found("ticket not found"))?;
    let mut dto = TicketDto::new(&row);
    dto.events = Some(events);
    Ok(Json(dto))
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
    let dto = state
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
    Ok(Json(dto))
}

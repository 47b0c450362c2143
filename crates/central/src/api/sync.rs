//! Device sync: push queued mutations, pull the scoped change feed.

use axum::Json;
use axum::extract::State;
use steward_domain::ground::PhoneNumber;

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, sees_phone};
use crate::error::{AppError, ErrorBody};
use crate::json::{ChangeDto, ChangeOp as WireOp, PullQuery, PullResponse, PushRequest, PushResponse};
use crate::server::AppState;
use crate::service;
use crate::store::{ChangeOp, StoreError};

/// The most mutations one push may carry.
pub const MAX_MUTATIONS: usize = 500;

/// Pushes a batch of mutations. Each is applied as its own write job (all
/// or nothing), in order, and gets its own outcome; a mutation id seen before is a `duplicate` and is
/// never applied twice, even when the same batch arrives twice at once.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    if req.mutations.len() > MAX_MUTATIONS {
        return Err(AppError::unprocessable(
            "too_many_mutations",
            format!("at most {MAX_MUTATIONS} mutations per push"),
        ));
    }
    let mut caller = caller;
    if caller.principal.device_id.is_none() {
        caller.principal.device_id = req.device_id;
    }
    // Every mutation is queued as its own write job before any is awaited:
    // they run in order, each all or nothing, and commit together.
    let queued: Vec<_> = req
        .mutations
        .into_iter()
        .map(|raw| match service::parse_mutation(raw) {
            Ok(m) => {
                let id = m.id.0;
                let now = state.clock.now();
                let c = caller.clone();
                Ok((id, state.store.write_queued(move |tx| service::apply_mutation(tx, &c, &m, now))))
            }
            Err(rejected) => Err(rejected),
        })
        .collect();
    let (c, now, waiting) = (caller.clone(), state.clock.now(), req.queued);
    let synced = state.store.write_queued(move |tx| service::record_sync(tx, &c, now, waiting));
    let mut outcomes = Vec::with_capacity(queued.len());
    for q in queued {
        outcomes.push(match q {
            Ok((id, result)) => result.await.unwrap_or_else(|e| service::rejected(Some(id), e)),
            Err(rejected) => rejected,
        });
    }
    synced.await?;
    Ok(Json(PushResponse { outcomes, server_time: state.clock.now() }))
}

/// Pulls the caller's change feed after `cursor`: records in scope as
/// `upsert`, records that left the scope (a reassigned ticket) as `remove`.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = [])), params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, AppError> {
    let cursor = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|c| *c >= 0)
            .ok_or_else(|| AppError::bad_request("bad_cursor", "the cursor is not one this server gave"))?,
    };
    let limit = match q.limit.as_deref() {
        None => 200,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| AppError::bad_request("bad_limit", "limit must be within 1..=1000"))?,
    };
    let full_phone = sees_phone(caller.role());
    let now = state.clock.now();
    let c = caller.clone();
    state.store.write(move |tx| service::record_sync(tx, &c, now, None)).await?;
    let page = state
        .store
        .read(move |db| {
            if cursor > db.head()? {
                return Ok(None);
            }
            let mut page = db.pull(&caller.scope, cursor, limit)?;
            service::sla::refresh_ticket_docs(db, now, &mut page.changes)?;
            Ok::<_, StoreError>(Some(page))
        })
        .await?
        .ok_or_else(|| AppError::bad_request("bad_cursor", "the cursor is not one this server gave"))?;
    let changes = page
        .changes
        .into_iter()
        .map(|c| {
            let mut data = c.data;
            if c.kind == "household" && !full_phone {
                mask_phone(data.as_mut());
            }
            ChangeDto {
                seq: c.seq,
                kind: c.kind,
                id: c.id,
                op: match c.op {
                    ChangeOp::Upsert => WireOp::Upsert,
                    ChangeOp::Remove => WireOp::Remove,
                },
                data,
            }
        })
        .collect();
    Ok(Json(PullResponse {
        changes,
        cursor: page.cursor.to_string(),
        has_more: page.has_more,
        server_time: state.clock.now(),
    }))
}

fn mask_phone(data: Option<&mut serde_json::Value>) {
    let Some(obj) = data.and_then(|d| d.as_object_mut()) else { return };
    let masked = obj
        .get("phone")
        .and_then(|p| p.as_str())
        .map(|p| PhoneNumber::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "****".to_owned()));
    if let Some(m) = masked {
        obj.insert("phone".to_owned(), m.into());
        obj.insert("phone_masked".to_owned(), true.into());
    }
}

//! Device sync: push queued mutations, pull the scoped change feed.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use steward_domain::ground::PhoneNumber;
use steward_domain::ids::DeviceId;
use steward_domain::sla::{ClockAnchor, CorrectedTime, DeviceReading, DeviceStamp, TimeBasis, honest_time};

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, sees_phone};
use crate::error::{AppError, ErrorBody};
use crate::json::{
    ChangeDto, ChangeOp as WireOp, Mutation, MutationOutcome, MutationStatus, PullQuery, PullResponse, PushRequest,
    PushResponse,
};
use crate::server::AppState;
use crate::service;
use crate::store::{ChangeOp, StampRow, StoreError, millis};

/// The most mutations one push may carry.
pub const MAX_MUTATIONS: usize = 2000;

/// Pushes a batch of mutations. Each is applied all or nothing (its own
/// savepoint of the push's one write job), in order, and gets its own outcome; a mutation id seen before is a `duplicate` and is
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
    // The whole push is one write job: the mutations are applied in order,
    // each inside its own savepoint (all or nothing, a refused one rolled
    // back alone), and commit together. An applied mutation keeps its device
    // stamp in the same savepoint. Outcomes are known once committed.
    let sent_at = req.sent_at;
    let parsed: Vec<_> = req
        .mutations
        .into_iter()
        .map(|raw| {
            service::parse_mutation(raw).map(|m| {
                let now = state.clock.now();
                let stamp = stamp_row(&m, caller.principal.device_id, sent_at, now);
                (m, stamp, now)
            })
        })
        .collect();
    let ids: Vec<_> = parsed.iter().map(|p| p.as_ref().ok().map(|(m, _, _)| m.id.0)).collect();
    let c = caller.clone();
    let applied = state.store.write_in_parts(move |tx| {
        let mut ctx = service::PushContext::default();
        let outcomes = parsed
            .into_iter()
            .map(|p| match p {
                Ok((m, stamp, now)) => tx
                    .savepoint(|tx| {
                        let outcome = service::apply_in_push(tx, &c, &m, now, &mut ctx)?;
                        if outcome.status == MutationStatus::Applied {
                            tx.record_stamp(&stamp)?;
                        }
                        Ok::<_, AppError>(outcome)
                    })
                    .unwrap_or_else(|e| service::rejected(Some(m.id.0), e)),
                Err(rejected) => rejected,
            })
            .collect::<Vec<_>>();
        Ok::<_, AppError>(outcomes)
    });
    let (c, now, waiting) = (caller.clone(), state.clock.now(), req.queued);
    let synced = state.store.write_queued(move |tx| service::record_sync(tx, &c, now, waiting));
    let outcomes = match applied.await {
        Ok(outcomes) => outcomes,
        // The transaction did not commit: nothing of the push stands.
        Err(e) => {
            let (code, message) = e.into_parts();
            ids.into_iter()
                .map(|id| MutationOutcome::rejected(id, ErrorBody { code: code.to_owned(), message: message.clone() }))
                .collect()
        }
    };
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

/// The honest time of a mutation on the server's clock, and how it was
/// reached (the domain's [`honest_time`]): the device's own correction when
/// it had learnt the server's clock; otherwise its clock corrected by the
/// offset between the push's send time (`sent_at`, the device's clock) and
/// its receipt; otherwise the device's clock as it is. Never after receipt.
///
/// The wire carries no monotonic reading, so the event and the upload are
/// given different boots (0 and 1): the domain then never reads a
/// monotonic clock that was not sent, and takes the wall-clock paths.
pub fn honest(m: &Mutation, sent_at: Option<Timestamp>, received: Timestamp) -> (Timestamp, &'static str) {
    let Some(device_time) = m.device_time else { return (received, "received") };
    let corrected = match m.stamp {
        Some(s) => CorrectedTime { at: s.corrected_time, basis: s.basis },
        None => CorrectedTime { at: device_time, basis: TimeBasis::DeviceWall },
    };
    let event = DeviceStamp {
        device_id: DeviceId(uuid::Uuid::nil()),
        seq: m.stamp.map_or(0, |s| s.seq),
        reading: DeviceReading { boot_id: 0, monotonic_ms: 0, wall: device_time },
        corrected,
    };
    let Some(sent_at) = sent_at else {
        let at = if corrected.basis == TimeBasis::DeviceWall { device_time } else { corrected.at };
        let basis = if corrected.basis == TimeBasis::DeviceWall { "device_wall" } else { "wall_offset" };
        return (at.min(received), basis);
    };
    let upload =
        ClockAnchor { reading: DeviceReading { boot_id: 1, monotonic_ms: 0, wall: sent_at }, server_at: received };
    let t = honest_time(&event, &upload);
    let basis = if corrected.basis == TimeBasis::DeviceWall { "upload_offset" } else { "wall_offset" };
    (t.at, basis)
}

fn stamp_row(m: &Mutation, device: Option<DeviceId>, sent_at: Option<Timestamp>, received: Timestamp) -> StampRow {
    let (at, basis) = honest(m, sent_at, received);
    StampRow {
        mutation_id: m.id.0,
        device_id: device.map(|d| d.0),
        device_seq: m.stamp.and_then(|s| i64::try_from(s.seq).ok()),
        device_time_ms: m.device_time.map(millis),
        corrected_ms: m.stamp.map(|s| millis(s.corrected_time)),
        basis: basis.to_owned(),
        honest_ms: millis(at),
        received_ms: millis(received),
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;
    use steward_domain::ids::MutationId;
    use steward_protocol::MutationStamp;

    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn mutation(device_time: &str, stamp: Option<(&str, TimeBasis)>) -> Mutation {
        Mutation {
            id: MutationId(uuid::Uuid::nil()),
            kind: "visit".into(),
            payload: serde_json::json!({}),
            device_time: Some(at(device_time)),
            stamp: stamp.map(|(t, basis)| MutationStamp { seq: 1, corrected_time: at(t), basis }),
        }
    }

    #[test]
    fn a_clock_two_hours_off_still_yields_honest_times() {
        // The real time of the visit is 08:00; the phone's clock says 10:00.
        let received = at("2026-11-20T09:00:00Z");
        let cases = [
            // The device had learnt the offset (−2 h) and corrected itself.
            (
                mutation("2026-11-20T10:00:00Z", Some(("2026-11-20T08:00:00Z", TimeBasis::WallOffset))),
                Some("2026-11-20T11:00:00Z"),
                ("2026-11-20T08:00:00Z", "wall_offset"),
            ),
            // It had never synced: the push's send time (device clock 11:00
            // at the server's 09:00) corrects it.
            (
                mutation("2026-11-20T10:00:00Z", Some(("2026-11-20T10:00:00Z", TimeBasis::DeviceWall))),
                Some("2026-11-20T11:00:00Z"),
                ("2026-11-20T08:00:00Z", "upload_offset"),
            ),
            // An old client with no stamp: the same from its device time.
            (
                mutation("2026-11-20T10:00:00Z", None),
                Some("2026-11-20T11:00:00Z"),
                ("2026-11-20T08:00:00Z", "upload_offset"),
            ),
            // Nothing to correct with: the device's clock, never after receipt.
            (mutation("2026-11-20T10:00:00Z", None), None, ("2026-11-20T09:00:00Z", "device_wall")),
            // A clock two hours slow, corrected on the device.
            (
                mutation("2026-11-20T06:00:00Z", Some(("2026-11-20T08:00:00Z", TimeBasis::WallOffset))),
                None,
                ("2026-11-20T08:00:00Z", "wall_offset"),
            ),
        ];
        for (m, sent, (want, basis)) in cases {
            let got = honest(&m, sent.map(at), received);
            assert_eq!(got, (at(want), basis), "{m:?} sent {sent:?}");
        }
        let late = honest(&mutation("2026-11-20T12:00:00Z", None), None, received);
        assert_eq!(late.0, received);
        assert!(received.checked_add(SignedDuration::from_hours(1)).is_ok());
    }
}

//! Photos and other attachments, content-addressed and resumable: a device
//! uploads the bytes named by their SHA-256 in pieces (`PUT` with
//! `Content-Range`), learns how much arrived with `HEAD` after a cut, and
//! goes on from there. The record an attachment belongs to syncs on its own.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use steward_protocol::{AttachmentStatus, MAX_ATTACHMENT_BYTES};

use super::ApiPath;
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::store::{AttachmentRow, millis};

fn status_of(row: &AttachmentRow) -> AttachmentStatus {
    AttachmentStatus {
        sha256: row.sha256.clone(),
        size: row.size.max(0) as u64,
        received: row.received.max(0) as u64,
        complete: row.complete,
    }
}

fn check_name(sha256: &str) -> Result<(), AppError> {
    let ok = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AppError::bad_request("bad_hash", "the name is the SHA-256 of the bytes, 64 lowercase hex"))
    }
}

/// `bytes START-END/TOTAL` → (start, total); none means the whole body from 0.
fn content_range(headers: &HeaderMap, len: u64) -> Result<(u64, u64), AppError> {
    let Some(value) = headers.get(header::CONTENT_RANGE) else { return Ok((0, len)) };
    let bad = || AppError::bad_request("bad_range", "Content-Range is `bytes START-END/TOTAL`");
    let text = value.to_str().map_err(|_| bad())?;
    let rest = text.strip_prefix("bytes ").ok_or_else(bad)?;
    let (range, total) = rest.split_once('/').ok_or_else(bad)?;
    let total: u64 = total.parse().map_err(|_| bad())?;
    let (start, end) = range.split_once('-').ok_or_else(bad)?;
    let (start, end): (u64, u64) = (start.parse().map_err(|_| bad())?, end.parse().map_err(|_| bad())?);
    if end < start || end - start + 1 != len || end >= total {
        return Err(bad());
    }
    Ok((start, total))
}

/// Receives a piece of an attachment. Pieces go in order: one that does
/// not start where the received bytes end is refused with
/// `offset_mismatch` (`HEAD` tells where to go on); a piece already held is
/// answered as a repeat. When the last byte is in, the whole is checked
/// against its name: a match completes it (201), a mismatch discards it
/// (`hash_mismatch`). A complete attachment is never uploaded twice.
#[utoipa::path(put, path = "/api/v1/attachments/{sha256}", tag = "attachments", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the whole, lowercase hex"),
        ("Content-Range" = Option<String>, Header, description = "`bytes START-END/TOTAL`; absent for the whole in one piece")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = AttachmentStatus, description = "Piece kept (or held already)"),
        (status = 201, body = AttachmentStatus, description = "Complete"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_attachment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(sha256): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentStatus>), AppError> {
    check_name(&sha256)?;
    let (start, total) = content_range(&headers, body.len() as u64)?;
    if total > MAX_ATTACHMENT_BYTES {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("at most {MAX_ATTACHMENT_BYTES} bytes"),
        ));
    }
    if total == 0 {
        return Err(AppError::bad_request("empty", "an attachment has at least one byte"));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 100)
        .unwrap_or("application/octet-stream")
        .to_owned();
    let now = millis(state.clock.now());
    let who = caller.principal.user_id.to_string();
    state
        .store
        .write(move |tx| {
            let db = tx.db();
            let row = match db.attachment(&sha256)? {
                Some(row) if row.complete => return Ok((StatusCode::OK, Json(status_of(&row)))),
                Some(row) if row.size as u64 != total => {
                    return Err(AppError::conflict("size_mismatch", format!("this upload is {} bytes long", row.size)));
                }
                Some(row) => row,
                None => {
                    if start != 0 {
                        return Err(AppError::conflict("offset_mismatch", "the server holds 0 bytes; resume there"));
                    }
                    tx.begin_attachment(&sha256, total as i64, &content_type, &who, now)?;
                    db.attachment(&sha256)?.ok_or_else(|| AppError::internal(anyhow::anyhow!("attachment vanished")))?
                }
            };
            let received = row.received as u64;
            if start != received {
                // A repeated piece the server already holds is harmless.
                if start + body.len() as u64 <= received {
                    return Ok((StatusCode::OK, Json(status_of(&row))));
                }
                return Err(AppError::conflict(
                    "offset_mismatch",
                    format!("the server holds {received} bytes; resume there"),
                ));
            }
            tx.append_attachment(&sha256, start as i64, &body)?;
            if start + body.len() as u64 == total {
                let bytes = db.attachment_bytes(&sha256)?;
                if hex::encode(Sha256::digest(&bytes)) != sha256 {
                    tx.discard_attachment(&sha256)?;
                    return Err(AppError::unprocessable(
                        "hash_mismatch",
                        "the bytes do not hash to the name; start again",
                    ));
                }
                tx.complete_attachment(&sha256, now)?;
                let row = db
                    .attachment(&sha256)?
                    .ok_or_else(|| AppError::internal(anyhow::anyhow!("attachment vanished")))?;
                return Ok((StatusCode::CREATED, Json(status_of(&row))));
            }
            let row =
                db.attachment(&sha256)?.ok_or_else(|| AppError::internal(anyhow::anyhow!("attachment vanished")))?;
            Ok((StatusCode::OK, Json(status_of(&row))))
        })
        .await
}

/// How much of an attachment the server holds: `Upload-Offset` (bytes
/// received, where the next piece starts), `Upload-Length` (the whole) and
/// `Upload-Complete` (`true` once whole and checked); 404 if none.
#[utoipa::path(head, path = "/api/v1/attachments/{sha256}", tag = "attachments", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the whole, lowercase hex")),
    responses((status = 200, description = "Held, in part or whole; see the Upload-* headers"), (status = 404, description = "Nothing held")))]
pub async fn head_attachment(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(sha256): ApiPath<String>,
) -> Result<Response, AppError> {
    check_name(&sha256)?;
    let row = state.store.read(move |db| db.attachment(&sha256)).await?;
    let Some(row) = row else { return Ok(StatusCode::NOT_FOUND.into_response()) };
    let mut res = StatusCode::OK.into_response();
    let h = res.headers_mut();
    h.insert("upload-offset", HeaderValue::from(row.received.max(0) as u64));
    h.insert("upload-length", HeaderValue::from(row.size.max(0) as u64));
    h.insert("upload-complete", HeaderValue::from_static(if row.complete { "true" } else { "false" }));
    Ok(res)
}

/// The bytes of a complete attachment.
#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "attachments", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the whole, lowercase hex")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn get_attachment(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(sha256): ApiPath<String>,
) -> Result<Response, AppError> {
    check_name(&sha256)?;
    let found = state
        .store
        .read(move |db| match db.attachment(&sha256)? {
            Some(row) if row.complete => Ok(Some((row.content_type, db.attachment_bytes(&sha256)?))),
            _ => Ok(None),
        })
        .await?;
    let (content_type, bytes) = found.ok_or_else(|| AppError::not_found("no complete attachment with that hash"))?;
    let content_type =
        HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

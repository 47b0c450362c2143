//! Login, logout and revocation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use steward_domain::org::Role;

use super::ApiJson;
use crate::auth::{Caller, hash_password, new_token, token_hash, verify_password};
use crate::error::{AppError, ErrorBody};
use crate::json::{LoginRequest, LoginResponse, RevokeRequest, RevokeResponse, UserDto};
use crate::server::AppState;
use crate::store::millis;

/// The longest password accepted, in bytes: argon2 takes any length, but a
/// megabyte of password is an attack, not a password.
const MAX_PASSWORD: usize = 1024;

/// Logs in with username and password and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    if req.password.len() > MAX_PASSWORD || req.username.len() > 64 {
        return Err(AppError::unauthorized("wrong username or password"));
    }
    let username = req.username.trim().to_owned();
    let account = state.store.read(move |db| db.account(&username)).await?;
    let policy = state.config.password_policy;
    let password = req.password;
    // Unknown users cost a hash too, so timing does not tell who exists.
    let ok = tokio::task::spawn_blocking(move || match &account {
        Some((staff, phc, disabled)) => (verify_password(phc, &password) && !disabled).then(|| staff.clone()),
        None => {
            let _ = hash_password(policy, &password);
            None
        }
    })
    .await?;
    let Some(staff) = ok else {
        return Err(AppError::unauthorized("wrong username or password"));
    };
    let token = new_token();
    let hash = token_hash(&token);
    let now = state.clock.now();
    let expires_at = now.saturating_add(state.config.token_ttl).map_err(AppError::internal)?;
    let device = req.device_id;
    let user_id = staff.id;
    let districts = state
        .store
        .write(move |tx| {
            tx.insert_token(&hash, user_id, device, millis(now), millis(expires_at))?;
            tx.audit(millis(now), Some(user_id), device, "auth.login", "staff", Some(&user_id.to_string()), None)?;
            tx.db().districts_of_steward(user_id)
        })
        .await?;
    tracing::info!(user = %staff.username, "login");
    Ok(Json(LoginResponse { token, expires_at, user: UserDto::new(&staff, &districts) }))
}

/// Revokes the token the call is made with.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    let now = millis(state.clock.now());
    let p = caller.principal;
    state
        .store
        .write(move |tx| {
            tx.revoke_token(&p.token_hash, now)?;
            tx.audit(now, Some(p.user_id), p.device_id, "auth.logout", "staff", Some(&p.user_id.to_string()), None)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes all live tokens of a user, or of one of the user's devices (a
/// lost phone). Admins only.
#[utoipa::path(post, path = "/api/v1/auth/revoke", tag = "auth", security(("bearer" = [])), request_body = RevokeRequest,
    responses((status = 200, body = RevokeResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> Result<Json<RevokeResponse>, AppError> {
    caller.require(&[Role::Admin])?;
    let now = millis(state.clock.now());
    let p = caller.principal;
    let revoked = state
        .store
        .write(move |tx| {
            let n = tx.revoke_tokens(req.user_id, req.device_id, now)?;
            let detail = req.device_id.map(|d| format!("device {d}"));
            tx.audit(
                now,
                Some(p.user_id),
                p.device_id,
                "auth.revoke",
                "staff",
                Some(&req.user_id.to_string()),
                detail.as_deref(),
            )?;
            Ok::<_, crate::store::StoreError>(n)
        })
        .await?;
    Ok(Json(RevokeResponse { revoked }))
}

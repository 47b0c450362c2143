//! Account management (admins).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use steward_domain::ground::PhoneNumber;
use steward_domain::ids::{TeamId, UserId};
use steward_domain::org::{Role, Staff};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath};
use crate::auth::{Caller, hash_password, random10};
use crate::error::{AppError, ErrorBody};
use crate::json::UserDto;
use crate::server::AppState;
use crate::store::millis;

/// The shortest password an admin may set.
const MIN_PASSWORD: usize = 8;

/// A new account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    /// 1–64 of `a-z`, `0-9`, `_`, `.`, `-`.
    pub username: String,
    pub display_name: String,
    #[schema(value_type = crate::json::codes::Role)]
    pub role: Role,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub team_id: Option<TeamId>,
    /// 工号, printed on the contact card.
    pub employee_no: String,
    pub mobile: Option<String>,
    /// At least 8 characters.
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SetPasswordRequest {
    /// At least 8 characters.
    pub password: String,
}

fn check_password(p: &str) -> Result<(), AppError> {
    if p.chars().count() < MIN_PASSWORD || p.len() > 1024 {
        return Err(AppError::unprocessable("weak_password", format!("a password has {MIN_PASSWORD}–1024 characters")));
    }
    Ok(())
}

/// Lists all accounts (admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserDto>), (status = 403, body = ErrorBody)))]
pub async fn list_users(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<UserDto>>, AppError> {
    caller.require(&[Role::Admin])?;
    let users = state
        .store
        .read(|db| {
            db.all_staff()?
                .into_iter()
                .map(|s| Ok(UserDto::new(&s, &db.districts_of_steward(s.id)?)))
                .collect::<Result<Vec<_>, crate::store::StoreError>>()
        })
        .await?;
    Ok(Json(users))
}

/// Creates an account (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserDto>), AppError> {
    caller.require(&[Role::Admin])?;
    let username = req.username.trim().to_owned();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
    {
        return Err(AppError::unprocessable("invalid", "username must be 1–64 of a-z, 0-9, _, . and -"));
    }
    check_password(&req.password)?;
    let display_name = steward_domain::ground::required_text("display_name", &req.display_name, 64)
        .map_err(|e| AppError::unprocessable("invalid", e.to_string()))?;
    let mobile = req
        .mobile
        .as_deref()
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|e| AppError::unprocessable("invalid", e.to_string()))?;
    if matches!(req.role, Role::Steward | Role::TeamLead) && req.team_id.is_none() {
        return Err(AppError::unprocessable("invalid", "stewards and team leads belong to a team"));
    }
    let now = state.clock.now();
    let staff = Staff {
        id: UserId::new_v7(now, random10()),
        username,
        display_name,
        role: req.role,
        team_id: req.team_id,
        employee_no: req.employee_no.trim().to_owned(),
        mobile,
    };
    let policy = state.config.password_policy;
    let password = req.password;
    let phc =
        tokio::task::spawn_blocking(move || hash_password(policy, &password)).await?.map_err(AppError::internal)?;
    let p = caller.principal;
    let created = staff.clone();
    state
        .store
        .write(move |tx| {
            if tx.db().staff_by_username(&created.username)?.is_some() {
                return Err(AppError::conflict("username_taken", "that username is taken"));
            }
            tx.put_staff(&created)?;
            tx.set_password_hash(created.id, &phc)?;
            let id = created.id.to_string();
            tx.audit(millis(now), Some(p.user_id), p.device_id, "user.create", "staff", Some(&id), None)?;
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(UserDto::new(&staff, &[]))))
}

/// Sets a user's password and revokes all of the user's tokens (admins).
#[utoipa::path(put, path = "/api/v1/users/{id}/password", tag = "users", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "User id")), request_body = SetPasswordRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(req): ApiJson<SetPasswordRequest>,
) -> Result<StatusCode, AppError> {
    caller.require(&[Role::Admin])?;
    check_password(&req.password)?;
    let policy = state.config.password_policy;
    let password = req.password;
    let phc =
        tokio::task::spawn_blocking(move || hash_password(policy, &password)).await?.map_err(AppError::internal)?;
    let now = millis(state.clock.now());
    let p = caller.principal;
    state
        .store
        .write(move |tx| {
            if tx.db().staff(id)?.is_none() {
                return Err(AppError::not_found("user not found"));
            }
            tx.set_password_hash(id, &phc)?;
            tx.revoke_tokens(id, None, now)?;
            tx.audit(now, Some(p.user_id), p.device_id, "user.password", "staff", Some(&id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

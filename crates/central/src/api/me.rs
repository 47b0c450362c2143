//! The signed-in user's own profile (`GET /api/v1/me`): what a device needs
//! to hold its steward with nothing loaded before (staff, team, the names on
//! the contact card, districts, photo), and a staff member's contact-card
//! photo for themselves and their team lead (`GET /api/v1/staff/{id}/photo`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use steward_domain::ids::UserId;
use steward_domain::org::Role;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiPath;
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::json::codes;
use crate::server::AppState;
use steward_domain::photo::image_kind;

/// A team by id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TeamRefDto {
    pub id: Uuid,
    pub name: String,
}

/// The signed-in user as their device holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeDto {
    /// The staff id (a steward's id is the steward id).
    pub staff_id: Uuid,
    pub username: String,
    pub display_name: String,
    /// 工号, printed on the contact card.
    pub employee_no: String,
    pub mobile: Option<String>,
    #[schema(value_type = codes::Role)]
    pub role: Role,
    pub team: Option<TeamRefDto>,
    /// The team's service centre (供热服务中心).
    pub centre_name: Option<String>,
    /// The centre's utility (热力集团).
    pub utility_name: Option<String>,
    /// The districts the user is responsible for (stewards).
    pub district_ids: Vec<Uuid>,
    /// The SHA-256 of the contact card's photo (an attachment), or null.
    pub photo: Option<String>,
}

/// The signed-in user's profile (any role).
#[utoipa::path(get, path = "/api/v1/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<MeDto>, AppError> {
    let user = caller.principal.user_id;
    let row = state.store.read(move |db| db.profile(user)).await?;
    let row = row.ok_or_else(|| AppError::unauthorized("the signed-in account no longer exists"))?;
    let staff = row.staff;
    Ok(Json(MeDto {
        staff_id: staff.id.0,
        username: staff.username,
        display_name: staff.display_name,
        employee_no: staff.employee_no,
        mobile: staff.mobile.map(|m| m.to_string()),
        role: staff.role,
        team: staff.team_id.zip(row.team_name).map(|(id, name)| TeamRefDto { id: id.0, name }),
        centre_name: row.centre_name,
        utility_name: row.utility_name,
        district_ids: row.district_ids.into_iter().map(|d| d.0).collect(),
        photo: row.photo_sha256,
    }))
}

/// A staff member's contact-card photo: for themselves, the team lead of
/// their team and admins. 404 `no_photo` while none is set or its bytes have
/// not all arrived.
#[utoipa::path(get, path = "/api/v1/staff/{id}/photo", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The staff id")),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn staff_photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, AppError> {
    let id = UserId(id);
    let found = state
        .store
        .read(move |db| {
            let Some(staff) = db.staff(id)? else {
                return Ok(Err(AppError::not_found("no staff member with that id")));
            };
            if !caller.oversees(&staff) {
                return Ok(Err(AppError::forbidden("a photo is shown to its owner and their team lead")));
            }
            let Some(sha) = db.staff_photo(id)? else { return Ok(Err(no_photo())) };
            match db.attachment(&sha)? {
                Some(row) if row.complete => Ok(Ok(db.attachment_bytes(&sha)?)),
                _ => Ok(Err(no_photo())),
            }
        })
        .await??;
    let kind = image_kind(&found).ok_or_else(no_photo)?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(kind))], found).into_response())
}

fn no_photo() -> AppError {
    AppError::new(
        axum::http::StatusCode::NOT_FOUND,
        "no_photo",
        "no photo has reached the central for this staff member",
    )
}

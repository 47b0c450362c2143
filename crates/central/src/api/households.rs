//! The household register, as each caller may see it.

use axum::Json;
use axum::extract::State;
use steward_domain::ids::HouseholdId;

use super::{ApiPath, ApiQuery, page_limit};
use crate::auth::{Caller, sees_phone};
use crate::error::{AppError, ErrorBody};
use crate::json::{HouseholdDto, HouseholdQuery};
use crate::server::AppState;
use crate::store::HouseholdFilter;

/// Lists the households in the caller's districts (all for the hotline and
/// admins). Phone numbers are masked for roles that do not call residents.
#[utoipa::path(get, path = "/api/v1/households", tag = "households", security(("bearer" = [])), params(HouseholdQuery),
    responses((status = 200, body = Vec<HouseholdDto>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_households(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
) -> Result<Json<Vec<HouseholdDto>>, AppError> {
    let filter = HouseholdFilter {
        district: q.district,
        community: q.community,
        q: q.q,
        limit: page_limit(q.limit, 100, 1000)?,
        offset: q.offset.unwrap_or(0),
    };
    let full = sees_phone(caller.role());
    let rows = state.store.read(move |db| db.households(&caller.scope, &filter)).await?;
    Ok(Json(rows.iter().map(|r| HouseholdDto::new(r, full)).collect()))
}

/// One household in the caller's scope.
#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Household id")),
    responses((status = 200, body = HouseholdDto), (status = 404, body = ErrorBody)))]
pub async fn get_household(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<HouseholdId>,
) -> Result<Json<HouseholdDto>, AppError> {
    let full = sees_phone(caller.role());
    let scope = caller.scope;
    let row = state.store.read(move |db| db.household(id)).await?;
    let row = row
        .filter(|r| scope.sees_district(r.household.district_id))
        .ok_or_else(|| AppError::not_found("household not found"))?;
    Ok(Json(HouseholdDto::new(&row, full)))
}

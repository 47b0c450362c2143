//! The service policy (响应时限与派单规则): response time per ticket category,
//! at-risk threshold, check-in geofence, escalation, dispatch speed and
//! staleness, station-incident detection. The central holds one; devices
//! read it here or receive it in the change feed as kind `sla_policy`.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::org::Role;
use steward_domain::sla::ServicePolicy;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiJson;
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::json::codes;
use crate::server::AppState;
use crate::store::{ChangeRecord, SLA_POLICY_KIND, StoreError, millis};

/// The response time of one category; `response_minutes` is null for a
/// category answered without a visit (no clock runs).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CategoryResponseDto {
    #[schema(value_type = codes::TicketCategory)]
    pub category: steward_domain::ticket::TicketCategory,
    pub response_minutes: Option<u32>,
}

/// The service policy. `PUT` takes the same body (`updated_*` ignored); a
/// category left out of `responses` keeps its default.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PolicyDto {
    pub responses: Vec<CategoryResponseDto>,
    /// At risk with this many minutes or fewer left and nobody at the door.
    pub at_risk_minutes: u32,
    /// The check-in geofence around the household's building, in metres.
    pub geofence_m: f64,
    /// A ticket not accepted within this many minutes alerts the team lead.
    pub escalation_minutes: u32,
    /// Travel speed for dispatch ETAs.
    pub speed_kmh: f64,
    /// Minutes added to an ETA per open ticket the steward holds.
    pub load_penalty_minutes: f64,
    /// A device that has not synced for this long is stale.
    pub stale_minutes: u32,
    /// A position older than this gives way to the district centroid.
    pub position_max_age_minutes: u32,
    /// No-heat tickets from one station's communities within the window
    /// that make one incident.
    pub incident_threshold: usize,
    pub incident_window_minutes: u32,
    /// When the policy was last changed; null for the seeded defaults.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    #[serde(default)]
    pub updated_by: Option<Uuid>,
}

fn dto(
    policy: &ServicePolicy,
    updated_ms: i64,
    by: Option<steward_domain::ids::UserId>,
) -> Result<PolicyDto, AppError> {
    let mut dto: PolicyDto =
        serde_json::to_value(policy).and_then(serde_json::from_value).map_err(AppError::internal)?;
    dto.updated_at = (updated_ms > 0).then(|| Timestamp::from_millisecond(updated_ms).ok()).flatten();
    dto.updated_by = by.map(|b| b.0);
    Ok(dto)
}

/// The service policy (any signed-in user; devices fetch it).
#[utoipa::path(get, path = "/api/v1/sla/policy", tag = "sla", security(("bearer" = [])),
    responses((status = 200, body = PolicyDto), (status = 401, body = ErrorBody)))]
pub async fn get_policy(State(state): State<AppState>, _caller: Caller) -> Result<Json<PolicyDto>, AppError> {
    let (policy, updated_ms, by) = state.store.read(|db| db.service_policy()).await?;
    Ok(Json(dto(&policy, updated_ms, by)?))
}

/// Replaces the service policy (admins and team leads). A bad value is a
/// 422 `invalid_policy` naming the field; nothing is written. The new policy
/// judges tickets from now on and reaches devices in the change feed; the
/// deadline of a ticket already open does not move.
#[utoipa::path(put, path = "/api/v1/sla/policy", tag = "sla", security(("bearer" = [])), request_body = PolicyDto,
    responses((status = 200, body = PolicyDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<PolicyDto>, AppError> {
    caller.require(&[Role::Admin, Role::TeamLead])?;
    let policy: ServicePolicy =
        serde_json::from_value(body).map_err(|e| AppError::unprocessable("invalid_policy", format!("policy: {e}")))?;
    let now = state.clock.now();
    let by = caller.principal.user_id;
    let out = dto(&policy, millis(now), Some(by))?;
    let doc = serde_json::to_value(&out).map_err(AppError::internal)?;
    state
        .store
        .write(move |tx| {
            tx.put_service_policy(&policy, millis(now), Some(by))?;
            tx.append_change(&ChangeRecord {
                kind: SLA_POLICY_KIND,
                entity_id: "policy".to_owned(),
                district_id: None,
                assignee: None,
                prev_district_id: None,
                prev_assignee: None,
                doc,
                at_ms: millis(now),
            })?;
            tx.audit(millis(now), Some(by), caller.principal.device_id, "sla_policy.put", "sla_policy", None, None)?;
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(Json(out))
}

//! Station incidents (换热站故障): many no-heat tickets at once from the
//! communities one heat-exchange station feeds become one incident for the
//! team lead instead of many dispatches.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::incident::detect_station_incidents;
use steward_domain::org::Role;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiQuery;
use super::alerts::{AlertQuery, window};
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncidentDto {
    pub station_id: Uuid,
    pub station_name: String,
    /// The no-heat tickets of the incident, in report order.
    pub ticket_ids: Vec<Uuid>,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// The station incidents among the no-heat tickets of the caller's
/// districts (all for admins) reported within `hours`: the policy's
/// threshold (5) or more within its window (30 minutes) from communities
/// fed by one station. Team leads and admins only.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "dispatch", security(("bearer" = [])), params(AlertQuery),
    responses((status = 200, body = Vec<IncidentDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> Result<Json<Vec<IncidentDto>>, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let now = state.clock.now();
    let from = window(q.hours, now)?;
    let out = state
        .store
        .read(move |db| {
            let (policy, _, _) = db.service_policy()?;
            let found = db.no_heat_reports(&caller.scope, from.as_millisecond())?;
            let station_of: HashMap<_, _> = found.iter().filter_map(|(r, s)| s.map(|s| (r.community_id, s))).collect();
            let reports: Vec<_> = found.into_iter().map(|(r, _)| r).collect();
            let names = db.station_names()?;
            Ok(detect_station_incidents(&reports, |c| station_of.get(&c).copied(), policy.incidents())
                .into_iter()
                .map(|i| IncidentDto {
                    station_id: i.station_id.0,
                    station_name: names.get(&i.station_id).cloned().unwrap_or_default(),
                    ticket_ids: i.ticket_ids.iter().map(|t| t.0).collect(),
                    first_at: i.first_at,
                    last_at: i.last_at,
                })
                .collect())
        })
        .await?;
    Ok(Json(out))
}

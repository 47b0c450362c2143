//! Where the stewards are (管家位置): the team lead's map.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::org::Role;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::service::sla::{self, SlaContext};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PositionDto {
    pub lon: f64,
    pub lat: f64,
    /// When the device reported it (the event's or visit's time).
    pub at: Timestamp,
    /// Within the policy's position age, so dispatch ranks from it.
    pub fresh: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PointDto {
    pub lon: f64,
    pub lat: f64,
}

/// One steward on the team lead's map.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StewardPositionDto {
    pub steward_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub district_ids: Vec<Uuid>,
    /// The last position the steward's device reported; null when none.
    pub position: Option<PositionDto>,
    /// The centroid of the steward's first district, used when no fresh position is known.
    pub district_centroid: Option<PointDto>,
    pub last_sync_at: Option<Timestamp>,
    /// No sync for the policy's stale minutes, or never.
    pub stale: bool,
    /// Records the device said were waiting to be uploaded.
    pub queued: u32,
    pub open_tickets: u32,
}

/// The stewards of the caller's team (all stewards for admins): last known
/// position, last sync, whether stale, records queued on the device, open
/// tickets. Team leads and admins only.
#[utoipa::path(get, path = "/api/v1/stewards/positions", tag = "dispatch", security(("bearer" = [])),
    responses((status = 200, body = Vec<StewardPositionDto>), (status = 403, body = ErrorBody)))]
pub async fn positions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<StewardPositionDto>>, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let now = state.clock.now();
    let rows = state
        .store
        .read(move |db| {
            let ctx = SlaContext::load(db, now)?;
            let mut stewards: Vec<_> = ctx
                .stewards
                .values()
                .filter(|s| {
                    caller.role() == Role::Admin
                        || (s.staff.team_id.is_some() && s.staff.team_id == caller.principal.team_id)
                })
                .collect();
            stewards.sort_by(|a, b| a.staff.username.cmp(&b.staff.username));
            Ok(stewards
                .into_iter()
                .map(|s| {
                    let snap = &s.snapshot;
                    StewardPositionDto {
                        steward_id: s.staff.id.0,
                        name: s.staff.display_name.clone(),
                        team_id: s.staff.team_id.map(|t| t.0),
                        district_ids: s.districts.iter().map(|d| d.0).collect(),
                        position: snap.last_fix.map(|f| PositionDto {
                            lon: f.at.lon,
                            lat: f.at.lat,
                            at: f.seen_at,
                            fresh: sla::is_fresh(&ctx, &f),
                        }),
                        district_centroid: snap.district_centroid.map(|c| PointDto { lon: c.lon, lat: c.lat }),
                        last_sync_at: snap.last_sync_at,
                        stale: ctx.is_stale(snap),
                        queued: snap.queued,
                        open_tickets: snap.open_tickets,
                    }
                })
                .collect())
        })
        .await?;
    Ok(Json(rows))
}

//! Sweep campaigns (专项排查): a team lead opens a sweep over districts or
//! communities with a kind and a deadline; the central expands it into
//! planned visits per responsible steward in stairwell order; progress per
//! building, district and steward, and what is overdue. Team leads open
//! sweeps in their own districts, admins anywhere; stewards read the sweeps
//! that plan visits for them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::ids::{CommunityId, DistrictId};
use steward_domain::org::Role;
use steward_domain::report::rate;
use steward_domain::sweep::{PlannedState, SweepKind, planned_state};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::reports::{Format, format_of, render};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Caller, random10};
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::store::{PlannedRow, ReportScope, SweepRow};

/// A sweep to open.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OpenSweepRequest {
    /// `suspension_check`, `new_household_opening`, `illegal_use` or `water_filling`.
    pub kind: String,
    pub title: String,
    /// When every planned visit should be done.
    pub deadline: Timestamp,
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    pub district_ids: Vec<DistrictId>,
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    pub community_ids: Vec<CommunityId>,
}

/// A sweep and its progress in the caller's scope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SweepDto {
    pub id: Uuid,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub opened_at: Timestamp,
    pub deadline: Timestamp,
    pub district_ids: Vec<Uuid>,
    pub community_ids: Vec<Uuid>,
    pub planned: u64,
    pub done: u64,
    pub overdue: u64,
}

/// Progress of one building, district or steward.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressRow {
    /// The building, district or steward id; `total` on the sum row.
    pub key: String,
    /// `community n号楼`, `code name`, or the steward's name.
    pub name: String,
    pub planned: u64,
    pub done: u64,
    pub open: u64,
    pub overdue: u64,
    /// `done / planned`, 0–1.
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SweepProgress {
    pub sweep: SweepDto,
    /// `building`, `district` or `steward`.
    pub by: String,
    pub as_of: Timestamp,
    pub rows: Vec<ProgressRow>,
    pub total: ProgressRow,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// `building` (default), `district` or `steward`.
    pub by: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Count {
    planned: u64,
    done: u64,
    open: u64,
    overdue: u64,
}

impl Count {
    fn add(&mut self, state: PlannedState) {
        self.planned += 1;
        match state {
            PlannedState::Done => self.done += 1,
            PlannedState::Open => self.open += 1,
            PlannedState::Overdue => self.overdue += 1,
        }
    }

    fn row(self, key: String, name: String) -> ProgressRow {
        ProgressRow {
            key,
            name,
            planned: self.planned,
            done: self.done,
            open: self.open,
            overdue: self.overdue,
            progress: rate(self.done, self.planned),
        }
    }
}

fn state_of(s: &SweepRow, visits: &[steward_domain::visit::CompletedVisit], now: Timestamp) -> PlannedState {
    planned_state(s.kind.done_at(s.opened_at, visits), s.deadline, now)
}

fn dto(s: &SweepRow, plan: &[(PlannedRow, Vec<steward_domain::visit::CompletedVisit>)], now: Timestamp) -> SweepDto {
    let mut c = Count::default();
    for (_, visits) in plan {
        c.add(state_of(s, visits, now));
    }
    SweepDto {
        id: s.id,
        kind: s.kind.code().to_owned(),
        kind_label: s.kind.label_zh().to_owned(),
        title: s.title.clone(),
        opened_at: s.opened_at,
        deadline: s.deadline,
        district_ids: s.district_ids.iter().map(|d| d.0).collect(),
        community_ids: s.community_ids.iter().map(|c| c.0).collect(),
        planned: c.planned,
        done: c.done,
        overdue: c.overdue,
    }
}

/// Opens a sweep and plans its visits (team leads in their districts,
/// admins).
#[utoipa::path(post, path = "/api/v1/sweeps", tag = "sweeps", security(("bearer" = [])), request_body = OpenSweepRequest,
    responses((status = 201, body = SweepDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn open_sweep(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<OpenSweepRequest>,
) -> Result<(StatusCode, Json<SweepDto>), AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let kind = SweepKind::from_code(req.kind.trim()).ok_or_else(|| {
        AppError::unprocessable(
            "invalid",
            "kind is one of suspension_check, new_household_opening, illegal_use, water_filling",
        )
    })?;
    let title = steward_domain::ground::required_text("title", &req.title, 100)
        .map_err(|e| AppError::unprocessable("invalid", e.to_string()))?;
    if req.district_ids.is_empty() && req.community_ids.is_empty() {
        return Err(AppError::unprocessable("invalid", "give district_ids or community_ids"));
    }
    if req.district_ids.len() + req.community_ids.len() > 1000 {
        return Err(AppError::unprocessable("invalid", "at most 1000 districts and communities"));
    }
    let now = state.clock.now();
    if req.deadline <= now {
        return Err(AppError::unprocessable("invalid", "the deadline must be in the future"));
    }
    let sweep = SweepRow {
        id: steward_domain::ids::uuid_v7(now, random10()),
        kind,
        title,
        opened_at: now,
        deadline: req.deadline,
        opened_by: caller.principal.user_id,
        district_ids: req.district_ids,
        community_ids: req.community_ids,
    };
    let scope = ReportScope::new(&caller.scope);
    let dto = state
        .store
        .write(move |tx| {
            let db = tx.db();
            for d in &sweep.district_ids {
                if !db.district_exists(*d)? || !caller.scope.sees_district(*d) {
                    return Err(AppError::not_found(format!("district {d} not found")));
                }
            }
            for c in &sweep.community_ids {
                match db.community_district(*c)? {
                    Some(d) if caller.scope.sees_district(d) => {}
                    _ => return Err(AppError::not_found(format!("community {c} not found"))),
                }
            }
            tx.open_sweep(&sweep)?;
            let plan = db.sweep_plan(sweep.id, &scope)?;
            Ok::<_, AppError>(dto(&sweep, &plan, now))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// The sweeps with planned visits in the caller's scope, newest first, with
/// their progress there.
#[utoipa::path(get, path = "/api/v1/sweeps", tag = "sweeps", security(("bearer" = [])),
    responses((status = 200, body = Vec<SweepDto>), (status = 403, body = ErrorBody)))]
pub async fn list_sweeps(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<SweepDto>>, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin, Role::Steward])?;
    let scope = ReportScope::new(&caller.scope);
    let now = state.clock.now();
    let out = state
        .store
        .read(move |db| {
            let mut out = Vec::new();
            for s in db.sweeps(&scope)? {
                let plan = db.sweep_plan(s.id, &scope)?;
                out.push(dto(&s, &plan, now));
            }
            Ok(out)
        })
        .await?;
    Ok(Json(out))
}

/// A sweep's progress per building (default), district or steward: planned,
/// done, open, overdue. JSON, or CSV with `format=csv`.
#[utoipa::path(get, path = "/api/v1/sweeps/{id}/progress", tag = "sweeps", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Sweep id"), ProgressQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = SweepProgress),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Response, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin, Role::Steward])?;
    let f: Format = format_of(q.format.as_deref())?;
    let by = q.by.as_deref().map(str::trim).unwrap_or("building").to_owned();
    if !matches!(by.as_str(), "building" | "district" | "steward") {
        return Err(AppError::bad_request("bad_group", format!("by {by:?} is not building, district or steward")));
    }
    let scope = ReportScope::new(&caller.scope);
    let now = state.clock.now();
    let group = by.clone();
    let found = state
        .store
        .read(move |db| {
            let Some(sweep) = db.sweep(id)? else { return Ok(None) };
            let plan = db.sweep_plan(id, &scope)?;
            if plan.is_empty() && !scope.all {
                return Ok(None);
            }
            let names = match group.as_str() {
                "building" => db.building_names()?,
                "district" => db.names(crate::store::SlaDimension::District)?,
                _ => db.names(crate::store::SlaDimension::Steward)?,
            };
            Ok(Some((sweep, plan, names)))
        })
        .await?;
    let (sweep, plan, names) = found.ok_or_else(|| AppError::not_found("sweep not found"))?;
    let mut groups: BTreeMap<String, Count> = BTreeMap::new();
    let mut total = Count::default();
    for (p, visits) in &plan {
        let st = state_of(&sweep, visits, now);
        let key = match by.as_str() {
            "building" => p.building_id.to_string(),
            "district" => p.district_id.to_string(),
            _ => p.steward_id.map(|s| s.to_string()).unwrap_or_default(),
        };
        groups.entry(key).or_default().add(st);
        total.add(st);
    }
    let mut rows: Vec<ProgressRow> = groups
        .into_iter()
        .map(|(k, c)| {
            let name =
                names.get(&k).cloned().unwrap_or_else(|| if k.is_empty() { "未分配".into() } else { String::new() });
            c.row(k, name)
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.key.cmp(&b.key)));
    let total = total.row("total".into(), "合计".into());
    let mut lines = rows.clone();
    lines.push(total.clone());
    let report = SweepProgress { sweep: dto(&sweep, &plan, now), by, as_of: now, rows, total };
    render(f, "sweep-progress", report, &lines)
}

/// One sweep's progress as a report line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SweepReportRow {
    pub id: Uuid,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub opened_at: Timestamp,
    pub deadline: Timestamp,
    pub planned: u64,
    pub done: u64,
    pub overdue: u64,
    /// `done / planned`, 0–1.
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SweepReport {
    pub as_of: Timestamp,
    pub rows: Vec<SweepReportRow>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SweepReportQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Sweep progress: every sweep with planned visits in the caller's scope,
/// newest first, with planned, done and overdue there (team leads, admins).
#[utoipa::path(get, path = "/api/v1/reports/sweeps", tag = "reports", security(("bearer" = [])), params(SweepReportQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = SweepReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sweep_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SweepReportQuery>,
) -> Result<Response, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    let f = format_of(q.format.as_deref())?;
    let Json(sweeps) = list_sweeps(State(state.clone()), caller).await?;
    let rows: Vec<SweepReportRow> = sweeps
        .into_iter()
        .map(|s| SweepReportRow {
            progress: rate(s.done, s.planned),
            id: s.id,
            kind: s.kind,
            kind_label: s.kind_label,
            title: s.title,
            opened_at: s.opened_at,
            deadline: s.deadline,
            planned: s.planned,
            done: s.done,
            overdue: s.overdue,
        })
        .collect();
    let report = SweepReport { as_of: state.clock.now(), rows: rows.clone() };
    render(f, "sweeps", report, &rows)
}

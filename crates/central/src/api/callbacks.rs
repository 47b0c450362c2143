//! The hotline's callback list (回访), its outcomes, the contradictions it
//! finds and the steward's scorecard.
//!
//! Roles: hotline agents and admins generate the list; hotline agents record
//! outcomes; hotline agents, team leads (their districts and team) and admins
//! read the list and the contradictions. Stewards never see who is called
//! about them. A scorecard is for the steward, their team lead and admins.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_domain::callback::{CallbackOutcome, CallbackReason, WorkItem, WorkKind, find_contradiction};
use steward_domain::ground::ValveState;
use steward_domain::ids::UserId;
use steward_domain::org::Role;
use steward_domain::report::{day_from_number, day_number, rate};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::reports::{MAX_PERIOD_DAYS, Period, SlaRow, sla_report};
use super::{ApiJson, ApiPath, ApiQuery, page_limit};
use crate::auth::{Caller, sees_phone};
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::store::{CallbackFilter, CallbackRow, ReportScope, SlaDimension};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GenerateQuery {
    /// One day `YYYY-MM-DD` (Asia/Shanghai); or give `from` and `to`.
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// How one stratum (a steward and a kind of work) of one day was sampled.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StratumDto {
    pub day: String,
    pub steward_id: Uuid,
    /// `visit` or `ticket`.
    pub kind: String,
    pub population: u64,
    pub quota: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GenerateResponse {
    pub from: String,
    pub to: String,
    /// Handled suspensions on the list (all of them).
    pub suspensions: u64,
    /// Items drawn in the sample.
    pub sampled: u64,
    /// Callbacks new to the list now; 0 when the same period was generated
    /// before and no work was added since.
    pub added: u64,
    pub strata: Vec<StratumDto>,
}

fn kind_code(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Visit => "visit",
        WorkKind::Ticket => "ticket",
    }
}

/// The days of a generation request: `date`, or `from..=to`.
fn generation_days(q: &GenerateQuery) -> Result<(Date, Date), AppError> {
    let period = match (&q.date, &q.from, &q.to) {
        (Some(d), None, None) => Period::parse(Some(d), Some(d))?,
        (None, Some(f), Some(t)) => Period::parse(Some(f), Some(t))?,
        _ => return Err(AppError::bad_request("bad_period", "give date, or from and to")),
    };
    let (Some(from), Some(to)) = (period.from, period.to) else {
        return Err(AppError::bad_request("bad_period", "give date, or from and to"));
    };
    if from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX) >= MAX_PERIOD_DAYS {
        return Err(AppError::bad_request("bad_period", format!("a period is at most {MAX_PERIOD_DAYS} days")));
    }
    Ok((from, to))
}

/// Generates the callback list of the work completed on a day (or each day
/// of a period): every handled suspension, and a deterministic stratified
/// sample of at least 30% of the other completed visits and tickets per
/// steward and kind, drawn with the day as the seed. Idempotent: the same
/// work gives the same list with the same ids, and work synced late is added
/// on the next generation without dropping what was listed.
#[utoipa::path(post, path = "/api/v1/callbacks/generate", tag = "callbacks", security(("bearer" = [])), params(GenerateQuery),
    responses((status = 200, body = GenerateResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<GenerateQuery>,
) -> Result<Json<GenerateResponse>, AppError> {
    caller.require(&[Role::HotlineAgent, Role::Admin])?;
    let (from, to) = generation_days(&q)?;
    let now = state.clock.now();
    let scope = ReportScope::new(&caller.scope);
    // The work of the whole period is read once, off the writer; each day
    // is drawn on its own; one write job adds what is new. Work synced in
    // between is picked up by the next generation.
    let (first, last) = (day_number(from), day_number(to));
    let src = state.store.read(move |db| db.callback_source(&scope, (first, last))).await?;
    let mut out = GenerateResponse {
        from: from.to_string(),
        to: to.to_string(),
        suspensions: 0,
        sampled: 0,
        added: 0,
        strata: Vec::new(),
    };
    let mut tasks = Vec::new();
    for (n, plan) in src.plan_by_day() {
        let day = day_from_number(n).map(|d| d.to_string()).unwrap_or_default();
        for task in plan.tasks {
            let Some(meta) = src.meta.get(&task.item) else { continue };
            match task.reason {
                CallbackReason::SuspensionHandled => out.suspensions += 1,
                CallbackReason::Sampled => out.sampled += 1,
            }
            tasks.push((task, meta.clone()));
        }
        out.strata.extend(plan.strata.iter().map(|s| StratumDto {
            day: day.clone(),
            steward_id: s.steward_id.0,
            kind: kind_code(s.kind).to_owned(),
            population: s.population as u64,
            quota: s.quota as u64,
        }));
    }
    out.added = state
        .store
        .write(move |tx| {
            let mut added = 0;
            for (task, meta) in &tasks {
                added += u64::from(tx.insert_callback(task, meta, now)?);
            }
            Ok::<_, AppError>(added)
        })
        .await?;
    Ok(Json(out))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// One work day `YYYY-MM-DD`; or `from` / `to`.
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub steward: Option<UserId>,
    /// `true`: only those without an outcome; `false`: only those with one.
    pub pending: Option<bool>,
    /// At most 1000; 200 when absent.
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// One call for the hotline to make, and what it found.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallbackDto {
    pub id: Uuid,
    /// `visit` or `ticket`: what the resident is asked about.
    pub kind: String,
    pub item_id: Uuid,
    /// `suspension_handled` (every one is called) or `sampled`.
    pub reason: String,
    pub household_id: Uuid,
    pub account_no: String,
    pub address: String,
    pub resident_name: String,
    /// In full for the hotline and team leads, masked for admins.
    pub phone: String,
    pub steward_id: Uuid,
    pub steward_name: String,
    pub district_id: Uuid,
    /// The day the work was completed, Asia/Shanghai.
    pub work_day: String,
    pub work_at: Timestamp,
    /// The valve state the steward recorded with the work, if any.
    #[schema(value_type = Option<Object>)]
    pub recorded_valve: Option<ValveState>,
    /// `{outcome: not_reached}` or `{outcome: reached, satisfaction, heating_works, complaint}`.
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<CallbackOutcome>,
    /// Set when the resident's answer contradicts the steward's record
    /// (`{code: shut_valve_but_heated, recorded}`).
    #[schema(value_type = Option<Object>)]
    pub contradiction: Option<steward_domain::callback::Contradiction>,
    pub outcome_at: Option<Timestamp>,
    pub agent_id: Option<Uuid>,
}

fn callback_dtos(
    db: &crate::store::Db<'_>,
    rows: Vec<CallbackRow>,
    full_phone: bool,
) -> crate::store::Result<Vec<CallbackDto>> {
    let names = db.names(SlaDimension::Steward)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let hh = db.household(r.household_id)?;
        let (account_no, address, resident_name, phone) = match &hh {
            Some(h) => {
                let dto = crate::json::HouseholdDto::new(h, full_phone);
                (dto.account_no, dto.address, dto.resident_name, dto.phone)
            }
            None => Default::default(),
        };
        let (kind, item_id) = match r.item {
            WorkItem::Visit(v) => ("visit", v.0),
            WorkItem::Ticket(t) => ("ticket", t.0),
        };
        out.push(CallbackDto {
            id: r.id,
            kind: kind.to_owned(),
            item_id,
            reason: match r.reason {
                CallbackReason::SuspensionHandled => "suspension_handled",
                CallbackReason::Sampled => "sampled",
            }
            .to_owned(),
            household_id: r.household_id.0,
            account_no,
            address,
            resident_name,
            phone,
            steward_id: r.steward_id.0,
            steward_name: names.get(&r.steward_id.to_string()).cloned().unwrap_or_default(),
            district_id: r.district_id.0,
            work_day: day_from_number(r.work_day).map(|d| d.to_string()).unwrap_or_default(),
            work_at: r.work_at,
            recorded_valve: r.recorded_valve,
            outcome: r.outcome,
            contradiction: r.contradiction,
            outcome_at: r.outcome_at,
            agent_id: r.agent_id.map(|a| a.0),
        });
    }
    Ok(out)
}

fn list_filter(q: &CallbackQuery) -> Result<CallbackFilter, AppError> {
    let period = match &q.date {
        Some(d) => {
            if q.from.is_some() || q.to.is_some() {
                return Err(AppError::bad_request("bad_period", "give date, or from and to, not both"));
            }
            Period::parse(Some(d), Some(d))?
        }
        None => Period::parse(q.from.as_deref(), q.to.as_deref())?,
    };
    Ok(CallbackFilter {
        days: period.days(),
        steward: q.steward,
        pending: q.pending,
        contradictions_only: false,
        limit: page_limit(q.limit, 200, 1000)?,
        offset: q.offset.unwrap_or(0),
    })
}

async fn list(state: &AppState, caller: Caller, filter: CallbackFilter) -> Result<Vec<CallbackDto>, AppError> {
    caller.require(&[Role::HotlineAgent, Role::TeamLead, Role::Admin])?;
    let scope = ReportScope::new(&caller.scope);
    let full_phone = sees_phone(caller.role());
    Ok(state.store.read(move |db| callback_dtos(db, db.callbacks(&scope, &filter)?, full_phone)).await?)
}

/// The callback list: by work day, suspensions first.
#[utoipa::path(get, path = "/api/v1/callbacks", tag = "callbacks", security(("bearer" = [])), params(CallbackQuery),
    responses((status = 200, body = Vec<CallbackDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_callbacks(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Result<Json<Vec<CallbackDto>>, AppError> {
    let filter = list_filter(&q)?;
    Ok(Json(list(&state, caller, filter).await?))
}

/// Callbacks whose answer contradicts the steward's record: the valve was
/// recorded closed or sealed, the resident says the heating works.
#[utoipa::path(get, path = "/api/v1/callbacks/contradictions", tag = "callbacks", security(("bearer" = [])), params(CallbackQuery),
    responses((status = 200, body = Vec<CallbackDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn contradictions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Result<Json<Vec<CallbackDto>>, AppError> {
    let filter = CallbackFilter { contradictions_only: true, ..list_filter(&q)? };
    Ok(Json(list(&state, caller, filter).await?))
}

/// What a callback found.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OutcomeRequest {
    /// Whether the resident answered.
    pub reached: bool,
    /// 1 (very dissatisfied) to 5 (very satisfied); required when reached.
    pub satisfaction: Option<u8>,
    /// What the resident says about their heating, if asked.
    pub heating_works: Option<bool>,
    /// At most 2000 characters.
    pub complaint: Option<String>,
}

/// Records a callback's outcome (hotline agents). A resident not reached
/// can be called again and the new outcome replaces it; once reached, the
/// outcome stands (409 `outcome_recorded`). A contradiction with the
/// steward's valve record is flagged.
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/outcome", tag = "callbacks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Callback id")), request_body = OutcomeRequest,
    responses((status = 200, body = CallbackDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_outcome(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<OutcomeRequest>,
) -> Result<Json<CallbackDto>, AppError> {
    caller.require(&[Role::HotlineAgent])?;
    let outcome = if req.reached {
        let satisfaction = req
            .satisfaction
            .ok_or_else(|| AppError::unprocessable("invalid", "a reached resident's satisfaction (1–5) is required"))?;
        CallbackOutcome::reached(satisfaction, req.heating_works, req.complaint.as_deref().unwrap_or(""))
            .map_err(|e| AppError::unprocessable("invalid", e.to_string()))?
    } else {
        if req.satisfaction.is_some() || req.complaint.as_deref().is_some_and(|c| !c.trim().is_empty()) {
            return Err(AppError::unprocessable(
                "invalid",
                "a resident not reached gives no satisfaction or complaint",
            ));
        }
        CallbackOutcome::NotReached
    };
    let now = state.clock.now();
    let agent = caller.principal.user_id;
    let full_phone = sees_phone(caller.role());
    let dto = state
        .store
        .write(move |tx| {
            let db = tx.db();
            let row = db.callback(id)?.ok_or_else(|| AppError::not_found("callback not found"))?;
            if matches!(row.outcome, Some(CallbackOutcome::Reached { .. })) {
                return Err(AppError::conflict("outcome_recorded", "the resident was reached; the outcome stands"));
            }
            let contradiction = find_contradiction(row.recorded_valve.as_ref(), &outcome);
            tx.set_callback_outcome(id, &outcome, contradiction.as_ref(), agent, now)?;
            let row = db.callback(id)?.ok_or_else(|| AppError::not_found("callback not found"))?;
            let mut dtos = callback_dtos(&db, vec![row], full_phone)?;
            dtos.pop().ok_or_else(|| AppError::not_found("callback not found"))
        })
        .await?;
    Ok(Json(dto))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// First day, `YYYY-MM-DD` (Asia/Shanghai), inclusive.
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
}

/// A steward's assessment (考核) over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScorecardDto {
    pub steward_id: Uuid,
    pub display_name: String,
    pub team_id: Option<Uuid>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Callbacks listed about the steward's work.
    pub callbacks: u64,
    /// Of those, with an outcome recorded.
    pub callbacks_called: u64,
    pub callbacks_reached: u64,
    pub satisfaction_mean: Option<f64>,
    pub satisfaction_answers: u64,
    pub complaints: u64,
    pub contradictions: u64,
    /// The steward's row of the SLA report (tickets reported in the period).
    pub on_time_rate: Option<f64>,
    pub sla: SlaRow,
}

/// A steward's scorecard: satisfaction, callbacks, contradictions and the
/// on-time rate, over the days `from..=to`. The steward themselves, their
/// team lead and admins.
#[utoipa::path(get, path = "/api/v1/stewards/{id}/scorecard", tag = "callbacks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Steward id"), ScorecardQuery),
    responses((status = 200, body = ScorecardDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn scorecard(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<UserId>,
    ApiQuery(q): ApiQuery<ScorecardQuery>,
) -> Result<Json<ScorecardDto>, AppError> {
    caller.require(&[Role::Steward, Role::TeamLead, Role::Admin])?;
    let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
    let staff = state.store.read(move |db| db.staff(id)).await?.filter(|s| s.role == Role::Steward);
    let staff = staff.ok_or_else(|| AppError::not_found("steward not found"))?;
    if !caller.oversees(&staff) {
        return Err(AppError::forbidden("a scorecard is for the steward, their team lead and admins"));
    }
    // Everything about this steward, whichever district the work was in.
    let scope = ReportScope::new(&crate::store::Scope { people: vec![id], ..Default::default() });
    let days = period.days();
    let sat_scope = scope.clone();
    let (sat, listed) = state
        .store
        .read(move |db| {
            let sat = db.satisfaction(&sat_scope, days)?.into_iter().find(|r| r.steward_id == Some(id));
            let listed = db
                .callbacks(
                    &sat_scope,
                    &CallbackFilter { days, steward: Some(id), limit: u32::MAX, ..Default::default() },
                )?
                .len() as u64;
            Ok((sat, listed))
        })
        .await?;
    let sat = sat.unwrap_or_default();
    let (rows, _) = sla_report(&state, scope, SlaDimension::Steward, period, state.clock.now()).await?;
    let key = id.to_string();
    let sla = rows.into_iter().find(|r| r.key == key).unwrap_or_else(|| {
        SlaRow::new(key.clone(), staff.display_name.clone(), steward_domain::report::SlaTally::default().finish())
    });
    let (from, to) = period.labels();
    let answers: u64 = sat.by_score.iter().sum();
    Ok(Json(ScorecardDto {
        steward_id: id.0,
        display_name: staff.display_name.clone(),
        team_id: staff.team_id.map(|t| t.0),
        from,
        to,
        callbacks: listed,
        callbacks_called: sat.called,
        callbacks_reached: sat.reached,
        satisfaction_mean: rate(sat.satisfaction_sum, answers),
        satisfaction_answers: answers,
        complaints: sat.complaints,
        contradictions: sat.contradictions,
        on_time_rate: sla.on_time_rate,
        sla,
    }))
}

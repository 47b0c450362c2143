//! Reports (报表) under `/api/v1/reports/...`: JSON, or CSV with
//! `?format=csv`. Team leads see their team's districts and people, admins
//! everything. Days are calendar days in Asia/Shanghai; `from` and `to` are
//! inclusive dates (`YYYY-MM-DD`), open when absent.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_domain::org::Role;
use steward_domain::report::{SlaFigures, SlaTally, day_from_number, day_number, rate};
use steward_domain::ticket::TicketCategory;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::store::{ReportScope, SlaDimension};

/// The callback targets: every handled suspension, and at least 30% of other
/// completed work.
pub const SUSPENSION_TARGET: f64 = 1.0;
pub const SAMPLE_TARGET: f64 = steward_domain::callback::DEFAULT_SAMPLE_PERCENT as f64 / 100.0;

/// The longest period a report or a callback generation covers, in days.
pub const MAX_PERIOD_DAYS: i32 = 400;

/// A period of whole days, `from..=to`, as dates and as day numbers.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, AppError> {
        let date = |name: &str, s: Option<&str>| -> Result<Option<Date>, AppError> {
            s.map(|s| {
                s.trim()
                    .parse::<Date>()
                    .map_err(|_| AppError::bad_request("bad_date", format!("{name} {s:?} is not a date YYYY-MM-DD")))
            })
            .transpose()
        };
        let p = Period { from: date("from", from)?, to: date("to", to)? };
        if let (Some(f), Some(t)) = (p.from, p.to)
            && f > t
        {
            return Err(AppError::bad_request("bad_period", "from is after to"));
        }
        Ok(p)
    }

    /// The day numbers `yyyymmdd` of the bounds; open bounds are far away.
    pub fn days(&self) -> (i32, i32) {
        (self.from.map_or(0, day_number), self.to.map_or(99_991_231, day_number))
    }

    /// The bounds as a report states them, `YYYY-MM-DD` or none.
    pub fn labels(&self) -> (Option<String>, Option<String>) {
        (self.from.map(|d| d.to_string()), self.to.map(|d| d.to_string()))
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (Asia/Shanghai), inclusive.
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// SLA report only: `steward` (default), `team`, `district`, `category`, `day`.
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Json,
    Csv,
}

/// The `format` asked for: `json` (default) or `csv`.
pub(super) fn format_of(format: Option<&str>) -> Result<Format, AppError> {
    match format.map(str::trim) {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some(other) => Err(AppError::bad_request("bad_format", format!("format {other:?} is not json or csv"))),
    }
}

fn format(q: &ReportQuery) -> Result<Format, AppError> {
    format_of(q.format.as_deref())
}

/// The rows as CSV: a UTF-8 byte-order mark (so spreadsheet programs read
/// the Chinese names right), a header row, one line per row.
fn csv_response<T: Serialize>(name: &str, rows: &[T]) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        w.serialize(row).map_err(AppError::internal)?;
    }
    let body = w.into_inner().map_err(|e| AppError::internal(anyhow::anyhow!("csv: {e}")))?;
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

pub(super) fn render<R: Serialize, T: Serialize>(
    f: Format,
    name: &str,
    report: R,
    rows: &[T],
) -> Result<Response, AppError> {
    match f {
        Format::Json => Ok(Json(report).into_response()),
        Format::Csv => csv_response(name, rows),
    }
}

fn reporter(caller: &Caller) -> Result<ReportScope, AppError> {
    caller.require(&[Role::TeamLead, Role::Admin])?;
    Ok(ReportScope::new(&caller.scope))
}

/// What a report over a period starts from, checked in this order: who may
/// see what, the answer's format, the days asked for.
struct PeriodAsk {
    scope: ReportScope,
    format: Format,
    period: Period,
}

impl PeriodAsk {
    fn of(caller: &Caller, q: &ReportQuery) -> Result<Self, AppError> {
        let scope = reporter(caller)?;
        let format = format(q)?;
        let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
        Ok(PeriodAsk { scope, format, period })
    }
}

/// One group of the SLA report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlaRow {
    /// The steward, team or district id, the category code or the day
    /// (`YYYY-MM-DD`); empty for tickets nobody holds, `total` for the sum.
    pub key: String,
    /// The steward's or team's name, `code name` of a district, the
    /// category's Chinese label.
    pub name: String,
    pub tickets: u64,
    pub met: u64,
    pub met_unverified: u64,
    pub breached: u64,
    pub on_track: u64,
    pub at_risk: u64,
    pub not_applicable: u64,
    /// `(met + met_unverified) / (met + met_unverified + breached)`, 0–1.
    pub on_time_rate: Option<f64>,
    /// Tickets whose clock an arrival stopped: what the times are over.
    pub responses: u64,
    pub median_response_s: Option<f64>,
    pub p90_response_s: Option<f64>,
}

impl SlaRow {
    pub fn new(key: String, name: String, f: SlaFigures) -> Self {
        SlaRow {
            key,
            name,
            tickets: f.tickets,
            met: f.met,
            met_unverified: f.met_unverified,
            breached: f.breached,
            on_track: f.on_track,
            at_risk: f.at_risk,
            not_applicable: f.not_applicable,
            on_time_rate: f.on_time_rate,
            responses: f.responses,
            median_response_s: f.median_response_s,
            p90_response_s: f.p90_response_s,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlaReport {
    /// `steward`, `team`, `district`, `category` or `day`.
    pub by: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The instant the running clocks were judged at.
    pub as_of: Timestamp,
    pub rows: Vec<SlaRow>,
    pub total: SlaRow,
}

fn dimension(by: Option<&str>) -> Result<SlaDimension, AppError> {
    match by.map(str::trim).unwrap_or("steward") {
        "steward" => Ok(SlaDimension::Steward),
        "team" => Ok(SlaDimension::Team),
        "district" => Ok(SlaDimension::District),
        "category" => Ok(SlaDimension::Category),
        "day" => Ok(SlaDimension::Day),
        other => Err(AppError::bad_request(
            "bad_group",
            format!("by {other:?} is not steward, team, district, category or day"),
        )),
    }
}

fn dimension_code(by: SlaDimension) -> &'static str {
    match by {
        SlaDimension::Steward => "steward",
        SlaDimension::Team => "team",
        SlaDimension::District => "district",
        SlaDimension::Category => "category",
        SlaDimension::Day => "day",
    }
}

/// Computes the SLA report: the domain's status of each ticket at `now`,
/// grouped.
pub async fn sla_report(
    state: &AppState,
    scope: ReportScope,
    by: SlaDimension,
    period: Period,
    now: Timestamp,
) -> Result<(Vec<SlaRow>, SlaRow), AppError> {
    let days = period.days();
    let (policy, names, bounds) =
        state.store.read(move |db| Ok((db.service_policy()?.0, db.names(by)?, db.fact_day_bounds(days)?))).await?;
    // The days with tickets are split into one contiguous part per core,
    // judged on their own reader connections at once, and the tallies merged.
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let mut jobs = tokio::task::JoinSet::new();
    for part in bounds.map(|b| split_days(b, parts)).unwrap_or_default() {
        let (store, scope, policy) = (state.store.clone(), scope.clone(), policy.clone());
        jobs.spawn(async move { store.read(move |db| db.sla_report(&scope, by, part, policy.sla(), now)).await });
    }
    let mut merged: HashMap<Option<String>, SlaTally> = HashMap::new();
    while let Some(done) = jobs.join_next().await {
        for g in done?? {
            merged.entry(g.key).or_default().merge(&g.tally);
        }
    }
    let mut groups: Vec<crate::store::SlaGroup> =
        merged.into_iter().map(|(key, tally)| crate::store::SlaGroup { key, tally }).collect();
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    let mut total = SlaTally::default();
    let rows = groups
        .into_iter()
        .map(|g| {
            total.merge(&g.tally);
            let key = g.key.unwrap_or_default();
            let name = match by {
                SlaDimension::Category => TicketCategory::from_code(&key).map(|c| c.label_zh().to_owned()),
                SlaDimension::Day => Some(key.clone()),
                _ => names.get(&key).cloned(),
            };
            let name = name.unwrap_or_else(|| if key.is_empty() { "未派单".to_owned() } else { String::new() });
            SlaRow::new(key, name, g.tally.finish())
        })
        .collect();
    Ok((rows, SlaRow::new("total".into(), "合计".into(), total.finish())))
}

/// `(first, last)` day numbers cut into at most `parts` contiguous ranges.
fn split_days((first, last): (i32, i32), parts: usize) -> Vec<(i32, i32)> {
    let (Some(lo), Some(hi)) = (day_from_number(first), day_from_number(last)) else {
        return vec![(first, last)];
    };
    let span = lo.until(hi).map_or(0, |s| s.get_days()).max(0) + 1;
    let parts = parts.max(1) as i32;
    let size = ((span + parts - 1) / parts).max(1);
    let mut out = Vec::new();
    let mut start = lo;
    while start <= hi {
        let end = start.checked_add(jiff::Span::new().days(size - 1)).map_or(hi, |e| e.min(hi));
        out.push((day_number(start), day_number(end)));
        match end.tomorrow() {
            Ok(next) => start = next,
            Err(_) => break,
        }
    }
    out
}

/// The SLA report: on-time rate, median and p90 response time, breaches,
/// grouped by steward, team, district, category or day, over the tickets
/// reported on the days `from..=to`. Statuses are the domain's
/// (`sla_status`) at the time of the request.
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = SlaReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sla(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    let scope = reporter(&caller)?;
    let f = format(&q)?;
    let by = dimension(q.by.as_deref())?;
    let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
    let now = state.clock.now();
    let (rows, total) = sla_report(&state, scope, by, period, now).await?;
    let mut lines = rows.clone();
    lines.push(total.clone());
    let (from, to) = period.labels();
    let report = SlaReport { by: dimension_code(by).to_owned(), from, to, as_of: now, rows, total };
    render(f, "sla", report, &lines)
}

/// Callback coverage of one steward.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageRowDto {
    /// `total` on the sum row.
    pub steward_id: String,
    pub steward_name: String,
    /// Handled suspensions: every one is called back (target 100%).
    pub suspensions: u64,
    pub suspensions_listed: u64,
    pub suspensions_reached: u64,
    /// `suspensions_reached / suspensions`.
    pub suspension_coverage: Option<f64>,
    pub suspension_target: f64,
    pub meets_suspension_target: bool,
    /// Other completed visits and tickets: at least 30% called back.
    pub work: u64,
    pub sampled: u64,
    pub sampled_reached: u64,
    /// `sampled_reached / work`.
    pub sample_coverage: Option<f64>,
    pub sample_target: f64,
    pub meets_sample_target: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageReport {
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<CoverageRowDto>,
    pub total: CoverageRowDto,
}

fn coverage_dto(id: String, name: String, r: &crate::store::CoverageRow) -> CoverageRowDto {
    let suspension_coverage = rate(r.suspensions_reached, r.suspensions);
    let sample_coverage = rate(r.sampled_reached, r.work);
    CoverageRowDto {
        steward_id: id,
        steward_name: name,
        suspensions: r.suspensions,
        suspensions_listed: r.suspensions_listed,
        suspensions_reached: r.suspensions_reached,
        suspension_coverage,
        suspension_target: SUSPENSION_TARGET,
        meets_suspension_target: suspension_coverage.is_none_or(|c| c >= SUSPENSION_TARGET),
        work: r.work,
        sampled: r.sampled,
        sampled_reached: r.sampled_reached,
        sample_coverage,
        sample_target: SAMPLE_TARGET,
        meets_sample_target: sample_coverage.is_none_or(|c| c >= SAMPLE_TARGET),
    }
}

/// Callback coverage per steward against the targets: every handled
/// suspension reached (100%), and at least 30% of other completed visits and
/// tickets, over the work completed on the days `from..=to`.
#[utoipa::path(get, path = "/api/v1/reports/callbacks", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = CoverageReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn callback_coverage(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    let PeriodAsk { scope, format: f, period } = PeriodAsk::of(&caller, &q)?;
    let days = period.days();
    let (rows, names) =
        state.store.read(move |db| Ok((db.callback_coverage(&scope, days)?, db.names(SlaDimension::Steward)?))).await?;
    let mut sum = crate::store::CoverageRow::default();
    let dtos: Vec<CoverageRowDto> = rows
        .iter()
        .map(|r| {
            sum.suspensions += r.suspensions;
            sum.suspensions_listed += r.suspensions_listed;
            sum.suspensions_reached += r.suspensions_reached;
            sum.work += r.work;
            sum.sampled += r.sampled;
            sum.sampled_reached += r.sampled_reached;
            let id = r.steward_id.map(|s| s.to_string()).unwrap_or_default();
            let name = names.get(&id).cloned().unwrap_or_default();
            coverage_dto(id, name, r)
        })
        .collect();
    let total = coverage_dto("total".into(), "合计".into(), &sum);
    let mut lines = dtos.clone();
    lines.push(total.clone());
    let (from, to) = period.labels();
    let report = CoverageReport { from, to, rows: dtos, total };
    render(f, "callbacks", report, &lines)
}

/// Residents' satisfaction with one steward.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SatisfactionRowDto {
    pub steward_id: String,
    pub steward_name: String,
    /// Callbacks with an outcome recorded.
    pub called: u64,
    pub reached: u64,
    /// Mean satisfaction (1–5) of the residents reached.
    pub satisfaction_mean: Option<f64>,
    pub score_1: u64,
    pub score_2: u64,
    pub score_3: u64,
    pub score_4: u64,
    pub score_5: u64,
    pub complaints: u64,
    pub contradictions: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SatisfactionReport {
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<SatisfactionRowDto>,
}

fn satisfaction_dto(id: String, name: String, r: &crate::store::SatisfactionRow) -> SatisfactionRowDto {
    let answers: u64 = r.by_score.iter().sum();
    SatisfactionRowDto {
        steward_id: id,
        steward_name: name,
        called: r.called,
        reached: r.reached,
        satisfaction_mean: rate(r.satisfaction_sum, answers),
        score_1: r.by_score[0],
        score_2: r.by_score[1],
        score_3: r.by_score[2],
        score_4: r.by_score[3],
        score_5: r.by_score[4],
        complaints: r.complaints,
        contradictions: r.contradictions,
    }
}

/// Satisfaction per steward from the callbacks about work completed on the
/// days `from..=to`.
#[utoipa::path(get, path = "/api/v1/reports/satisfaction", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = SatisfactionReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn satisfaction(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    let PeriodAsk { scope, format: f, period } = PeriodAsk::of(&caller, &q)?;
    let days = period.days();
    let (rows, names) =
        state.store.read(move |db| Ok((db.satisfaction(&scope, days)?, db.names(SlaDimension::Steward)?))).await?;
    let rows: Vec<SatisfactionRowDto> = rows
        .iter()
        .map(|r| {
            let id = r.steward_id.map(|s| s.to_string()).unwrap_or_default();
            let name = names.get(&id).cloned().unwrap_or_default();
            satisfaction_dto(id, name, r)
        })
        .collect();
    let (from, to) = period.labels();
    let report = SatisfactionReport { from, to, rows: rows.clone() };
    render(f, "satisfaction", report, &rows)
}

/// Suspension checks of one district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuspensionRowDto {
    pub district_id: Uuid,
    pub code: String,
    pub name: String,
    /// Suspended households (报停用户) in the register.
    pub suspended: u64,
    /// Of those, with a completed valve-closure record in the period.
    pub checked: u64,
    /// Of those checked, left sealed.
    pub sealed: u64,
    /// `checked / suspended`.
    pub coverage: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuspensionReport {
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<SuspensionRowDto>,
}

/// Suspension-check coverage per district: how many suspended households
/// have their valve closure recorded (in visits completed on `from..=to`).
#[utoipa::path(get, path = "/api/v1/reports/suspension-checks", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = SuspensionReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn suspension_checks(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    let PeriodAsk { scope, format: f, period } = PeriodAsk::of(&caller, &q)?;
    let days = period.days();
    let rows = state.store.read(move |db| db.suspension_coverage(&scope, days)).await?;
    let rows: Vec<SuspensionRowDto> = rows
        .into_iter()
        .map(|r| SuspensionRowDto {
            district_id: r.district_id.0,
            coverage: rate(r.checked, r.suspended),
            code: r.code,
            name: r.name,
            suspended: r.suspended,
            checked: r.checked,
            sealed: r.sealed,
        })
        .collect();
    let (from, to) = period.labels();
    let report = SuspensionReport { from, to, rows: rows.clone() };
    render(f, "suspension-checks", report, &rows)
}

/// Contact cards of one district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardRowDto {
    pub district_id: Uuid,
    pub code: String,
    pub name: String,
    /// Households in the register, disconnected ones left out.
    pub households: u64,
    /// Of those, with a visit that recorded the card handed over.
    pub with_card: u64,
    /// `with_card / households`.
    pub coverage: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardReport {
    pub rows: Vec<CardRowDto>,
}

/// Contact-card (管家名片) coverage per district: households with a
/// card-handed-over record.
#[utoipa::path(get, path = "/api/v1/reports/contact-cards", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv", body = CardReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn contact_cards(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    let scope = reporter(&caller)?;
    let f = format(&q)?;
    let rows = state.store.read(move |db| db.card_coverage(&scope)).await?;
    let rows: Vec<CardRowDto> = rows
        .into_iter()
        .map(|r| CardRowDto {
            district_id: r.district_id.0,
            coverage: rate(r.with_card, r.households),
            code: r.code,
            name: r.name,
            households: r.households,
            with_card: r.with_card,
        })
        .collect();
    render(f, "contact-cards", CardReport { rows: rows.clone() }, &rows)
}

#[cfg(test)]
mod tests {
    use super::split_days;

    #[test]
    fn days_split_into_contiguous_parts() {
        // 121 days: 61 and 60.
        assert_eq!(split_days((20261115, 20270315), 2), [(20261115, 20270114), (20270115, 20270315)]);
        assert_eq!(split_days((20261120, 20261120), 4), [(20261120, 20261120)]);
        assert_eq!(
            split_days((20261130, 20261202), 4),
            [(20261130, 20261130), (20261201, 20261201), (20261202, 20261202)]
        );
        assert_eq!(split_days((20261120, 20261121), 1), [(20261120, 20261121)]);
    }
}

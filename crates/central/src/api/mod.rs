//! The JSON API under `/api/v1`, and `/healthz`.

mod alerts;
mod attachments;
mod auth;
mod callbacks;
mod dispatch;
mod households;
mod incidents;
mod me;
mod policy;
mod positions;
mod reports;
mod sweeps;
mod sync;
mod tickets;
mod users;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::error::{AppError, ErrorBody};
use crate::json::Health;
use crate::server::AppState;

pub use alerts::__path_alerts;
pub use attachments::{__path_get_attachment, __path_head_attachment, __path_put_attachment};
pub use auth::{__path_login, __path_logout, __path_revoke};
pub use callbacks::{
    __path_contradictions, __path_generate, __path_list_callbacks, __path_record_outcome, __path_scorecard,
};
pub use dispatch::__path_candidates;
pub use households::{__path_get_household, __path_list_households};
pub use incidents::__path_incidents;
pub use me::{__path_me, __path_staff_photo, MeDto, TeamRefDto};
pub use policy::{__path_get_policy, __path_put_policy};
pub use positions::__path_positions;
pub use reports::{
    __path_callback_coverage, __path_contact_cards, __path_satisfaction, __path_sla, __path_suspension_checks,
};
pub use sweeps::{__path_list_sweeps, __path_open_sweep, __path_progress, __path_sweep_report};
pub use sync::{__path_pull, __path_push};
pub use tickets::{__path_assign_ticket, __path_create_ticket, __path_get_ticket, __path_list_tickets};
pub use users::{__path_create_user, __path_list_users, __path_set_password, CreateUserRequest, SetPasswordRequest};

/// A JSON body whose rejections are `{code, message}` errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Path parameters whose rejections are `{code, message}` errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// Query parameters whose rejections are `{code, message}` errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/revoke", post(auth::revoke))
        .route("/api/v1/tickets", post(tickets::create_ticket).get(tickets::list_tickets))
        .route("/api/v1/tickets/{id}", get(tickets::get_ticket))
        .route("/api/v1/tickets/{id}/assign", post(tickets::assign_ticket))
        .route("/api/v1/tickets/{id}/candidates", get(dispatch::candidates))
        .route("/api/v1/sla/policy", get(policy::get_policy).put(policy::put_policy))
        .route("/api/v1/stewards/positions", get(positions::positions))
        .route("/api/v1/alerts", get(alerts::alerts))
        .route("/api/v1/incidents", get(incidents::incidents))
        .route("/api/v1/households", get(households::list_households))
        .route("/api/v1/households/{id}", get(households::get_household))
        .route("/api/v1/sync/push", post(sync::push))
        .route(
            "/api/v1/attachments/{sha256}",
            axum::routing::put(attachments::put_attachment)
                .head(attachments::head_attachment)
                .get(attachments::get_attachment),
        )
        .route("/api/v1/sync/pull", get(sync::pull))
        .route("/api/v1/users", get(users::list_users).post(users::create_user))
        .route("/api/v1/users/{id}/password", axum::routing::put(users::set_password))
        .route("/api/v1/me", get(me::me))
        .route("/api/v1/staff/{id}/photo", get(me::staff_photo))
        .route("/api/v1/callbacks", get(callbacks::list_callbacks))
        .route("/api/v1/callbacks/generate", post(callbacks::generate))
        .route("/api/v1/callbacks/contradictions", get(callbacks::contradictions))
        .route("/api/v1/callbacks/{id}/outcome", post(callbacks::record_outcome))
        .route("/api/v1/stewards/{id}/scorecard", get(callbacks::scorecard))
        .route("/api/v1/reports/sla", get(reports::sla))
        .route("/api/v1/reports/callbacks", get(reports::callback_coverage))
        .route("/api/v1/reports/satisfaction", get(reports::satisfaction))
        .route("/api/v1/reports/suspension-checks", get(reports::suspension_checks))
        .route("/api/v1/reports/contact-cards", get(reports::contact_cards))
        .route("/api/v1/sweeps", get(sweeps::list_sweeps).post(sweeps::open_sweep))
        .route("/api/v1/sweeps/{id}/progress", get(sweeps::progress))
        .route("/api/v1/reports/sweeps", get(sweeps::sweep_report))
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".to_owned() })
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::json())
}

pub async fn not_found() -> AppError {
    AppError::not_found("no such endpoint")
}

/// Turns any error response that is not already JSON (a 405 from the
/// router, a 413 from the body limit) into `{code, message}`.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status.canonical_reason().unwrap_or("error").to_lowercase();
    let mut out = (status, Json(ErrorBody { code: code.to_owned(), message })).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

/// The page size asked for, within 1..=`max`.
pub(crate) fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, AppError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(AppError::bad_request("bad_limit", format!("limit {n} is not within 1..={max}"))),
    }
}

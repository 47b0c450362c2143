//! The server: state, router and the serve loop with graceful shutdown.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use jiff::{SignedDuration, Timestamp};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::PasswordPolicy;
use crate::store::Store;

/// Where the current time comes from; tests may bring their own.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a bearer token lives.
    pub token_ttl: SignedDuration,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The cost of new password hashes.
    pub password_policy: PasswordPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token_ttl: SignedDuration::from_hours(24 * 7),
            body_limit: 1024 * 1024,
            password_policy: PasswordPolicy::default(),
        }
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        AppState { store, config: Arc::new(config), clock: Arc::new(SystemClock) }
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    crate::api::routes()
        .merge(crate::cards::routes())
        .fallback(crate::api::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::map_response(crate::api::json_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// A handler that panicked answers 500 `{code, message}`; the panic is
/// logged without the request.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("a handler panicked");
    crate::error::AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error")
        .into_response()
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish (each write is one transaction, so nothing is
/// left half-written).
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = app(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are
/// installed when this is called, so a signal that arrives before the
/// future is first polled is not lost.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down; finishing requests in flight");
    })
}

/// A future that resolves on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down; finishing requests in flight");
    })
}

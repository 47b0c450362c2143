//! Serving, graceful shutdown, and what the logs must never hold.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::json;
use steward_central::auth::token_hash;
use steward_central::store::Store;
use steward_central::{AppState, Config};

use crate::helpers::{PASSWORD, captured_logs, spawn_app};

#[tokio::test]
async fn the_binary_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("served.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward-central"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let base = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        lines.find_map(|l| l.ok()?.strip_prefix("listening on ").map(str::to_owned)).unwrap()
    })
    .await
    .unwrap();
    let res = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(status.success(), "{status:?}");
    // The file was created and migrated.
    let store = Store::open(&db).unwrap();
    assert_eq!(store.read(|d| d.schema_version()).await.unwrap(), steward_central::store::SCHEMA_VERSION);
}

#[tokio::test]
async fn run_returns_once_shut_down() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.db")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(steward_central::run(listener, AppState::new(store, Config::default()), async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/healthz")).send().await.unwrap().status(), StatusCode::OK);
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(client.get(format!("{base}/healthz")).send().await.is_err());
}

#[tokio::test]
async fn logs_hold_no_passwords_and_no_tokens() {
    let app = spawn_app().await;
    let wrong = "wrong-密码-0xdeadbeef";
    let (status, _) = app.post(None, "/api/v1/auth/login", &json!({"username": "steward1", "password": wrong})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let token = app.login("steward1").await;
    assert_eq!(app.get(Some(&token), "/api/v1/households").await.0, StatusCode::OK);
    let logs = captured_logs();
    assert!(logs.contains("/api/v1/households"), "the logs were not captured");
    for secret in [PASSWORD, wrong, token.as_str(), token_hash(&token).as_str()] {
        assert!(!logs.contains(secret), "the logs hold a secret");
    }
}

/// A clock that, when armed, holds the first caller until released: a
/// request stopped in the middle, to shut the server down under it.
struct GateClock {
    armed: std::sync::atomic::AtomicBool,
    entered: std::sync::Mutex<std::sync::mpsc::Sender<()>>,
    go: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
}

impl steward_central::Clock for GateClock {
    fn now(&self) -> jiff::Timestamp {
        if self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.entered.lock().unwrap().send(()).unwrap();
            self.go.lock().unwrap().recv().unwrap();
        }
        jiff::Timestamp::now()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_finishes_before_shutdown_completes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.db")).unwrap();
    let (entered_tx, entered_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel();
    let clock = std::sync::Arc::new(GateClock {
        armed: std::sync::atomic::AtomicBool::new(false),
        entered: std::sync::Mutex::new(entered_tx),
        go: std::sync::Mutex::new(go_rx),
    });
    let mut state = AppState::new(store, Config::default());
    state.clock = clock.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(steward_central::run(listener, state, async {
        let _ = stop_rx.await;
    }));

    clock.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    let client = reqwest::Client::new();
    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/api/v1/households");
        async move { client.get(url).bearer_auth("hst_x").send().await.map(|r| r.status()) }
    });
    tokio::task::spawn_blocking(move || entered_rx.recv().unwrap()).await.unwrap();
    stop_tx.send(()).unwrap();
    assert!(!server.is_finished());
    go_tx.send(()).unwrap();
    // The held request is answered (401: its token is unknown), then the server stops.
    assert_eq!(in_flight.await.unwrap().unwrap(), StatusCode::UNAUTHORIZED);
    server.await.unwrap().unwrap();
}

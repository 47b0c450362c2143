//! What the device's tests against a real central share.

use std::path::{Path, PathBuf};

use steward_central::auth::PasswordPolicy;
use steward_central::{AppState, Config};
use tokio::sync::oneshot;

/// A central seeded with the demo data (every account's password is
/// `password`) on 127.0.0.1:0, over `dir/central.db`. Returns the database
/// file, the base URL and the sender that stops the server.
pub async fn start_central(dir: &Path, password: &str) -> (PathBuf, String, oneshot::Sender<()>) {
    let (central_db, _, base, stop) = start_central_with_store(dir, password).await;
    (central_db, base, stop)
}

/// [`start_central`] that also hands over the server's store, for a test
/// to change the central's data as an import would.
#[allow(dead_code)]
pub async fn start_central_with_store(
    dir: &Path,
    password: &str,
) -> (PathBuf, steward_central::store::Store, String, oneshot::Sender<()>) {
    let central_db = dir.join("central.db");
    let store = steward_central::store::Store::open(&central_db).unwrap();
    let seeded = store.clone();
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let data = steward_demo::generate(&steward_demo::DemoConfig::default()).unwrap();
        steward_central::seed::seed_dataset(
            &seeded,
            &data,
            &password,
            PasswordPolicy::insecure_fast(),
            data.config.as_of,
        )
        .unwrap()
    })
    .await
    .unwrap();
    let kept = store.clone();
    let state = AppState::new(store, Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(steward_central::run(listener, state, async {
        let _ = stopped.await;
    }));
    (central_db, kept, base, stop)
}

/// A failure guard for [`eventually`]: every wait ends on its condition.
pub const GUARD: std::time::Duration = std::time::Duration::from_secs(60);

/// Polls `check` until it gives a value, failing after [`GUARD`].
#[allow(dead_code)]
pub async fn eventually<T, F: std::future::Future<Output = Option<T>>>(what: &str, mut check: impl FnMut() -> F) -> T {
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "no {what} within {GUARD:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Signs `user` in at the central and returns the bearer token.
#[allow(dead_code)]
pub async fn login(client: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let body: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap_or_else(|| panic!("login of {user}: {body}")).to_owned()
}

/// Waits for a sync status of `device` for which `done` holds, failing
/// after [`GUARD`] or when the sync stops.
#[allow(dead_code)]
pub async fn wait_for(
    device: &steward_device::Device,
    what: &str,
    done: impl FnMut(&steward_device::SyncStatus) -> bool,
) -> steward_device::SyncStatus {
    let mut updates = device.sync_updates().expect("the sync runs");
    match tokio::time::timeout(GUARD, updates.wait_for(done)).await {
        Ok(Ok(status)) => status.clone(),
        Ok(Err(_)) => panic!("the sync stopped while waiting for {what}"),
        Err(_) => panic!("no sync status with {what} within {GUARD:?}: {:?}", device.sync_status()),
    }
}

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

//! Sync glue: the device lends its store to the sync engine
//! (`steward-sync`), which runs as a background tokio task.

use std::sync::Arc;
use std::time::Duration;

use steward_store::Store;
use steward_sync::{Credentials, HttpTransport, StoreAccess, SyncConfig, SyncHandle, SystemClock, TransportError};

use crate::Device;

impl StoreAccess for Device {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.store())
    }
}

/// How long one request to the central may take before the round fails and
/// is retried.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts the background sync of `device` with the central at `base`
/// (e.g. `https://central.example`), signing in with `credentials`. `seed`
/// varies the retry jitter between devices (the device id's bits will do).
/// Call it inside the app's tokio runtime; the handle triggers syncs
/// (`local_write` after each save, `network_back`, `sync_now`) and streams
/// the status for the UI.
pub fn start_sync(
    device: Arc<Device>,
    base: &str,
    credentials: Credentials,
    seed: u64,
) -> Result<SyncHandle, TransportError> {
    let transport = HttpTransport::new(base, REQUEST_TIMEOUT)?;
    let mut config = SyncConfig::new(credentials);
    config.seed = seed;
    Ok(steward_sync::spawn(device, transport, SystemClock, config))
}

/// Connects the device to the central at `base` as its signed-in steward
/// and starts the background sync; local writes trigger it from then on.
/// Call it inside the app's tokio runtime.
pub fn connect_central(device: &Arc<Device>, base: &str, password: String) -> crate::Result<()> {
    let profile = device.profile()?;
    // Signed in by configuration (no token to remember): the UI goes straight in.
    device.remember(&profile.steward.username, "", base).map_err(|e| crate::DeviceError::Central(e.to_string()))?;
    let seed = profile.device_id.map_or(0, |id| id.as_uuid().as_u64_pair().1);
    let credentials = Credentials { username: profile.steward.username, password, device_id: profile.device_id };
    let handle = start_sync(Arc::clone(device), base, credentials, seed)
        .map_err(|e| crate::DeviceError::Central(e.to_string()))?;
    device.attach_sync(handle);
    Ok(())
}

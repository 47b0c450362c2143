//! The device core of Heat Steward (供暖管家): everything the app does on a
//! steward's phone, with no Tauri in it. The Tauri shell holds one
//! [`Device`] and each command calls one of its methods.
//!
//! Architecture Invariant: this crate does not know Tauri. It may read the
//! clock and the file system (it is the device's edge), but passes time on
//! to the store and the domain as parameters.

mod bootstrap;
mod browse;
pub mod card;
pub mod doortag;
pub mod dto;
pub mod input;
pub mod lead;
pub mod location;
pub mod map;
mod panel;
pub mod session;
mod sync;
pub mod tickets;
mod visits;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use serde::Serialize;
use steward_domain::ids::{DeviceId, UserId};
use steward_domain::org::Staff;
use steward_store::{DistrictRow, HouseholdHit, Store, StoreError, StoreStats, WorkList, meta_keys};

pub use bootstrap::snapshot_for_steward;
pub use card::CardOrg;
pub use input::InputError;
pub use location::{FakeGps, LocationFix, LocationProvider};
pub use session::{resume_session, sign_in, sign_out_at_central};
pub use steward_sync::{Credentials, SyncHandle, SyncStatus};
pub use sync::{connect_central, start_sync};
pub use tickets::SlaAlertRaised;
pub use visits::Stamp;

/// The file name of the device database inside the data directory.
pub const DB_FILE: &str = "steward.db";

/// The service area's time zone: China Standard Time, UTC+8 all year (no
/// daylight saving), so "today" is the steward's calendar day.
pub fn service_tz() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

/// What went wrong on the device, as the UI shows it: `{code, message}`.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no steward is signed in on this device")]
    NoSteward,
    #[error("the demo data has no user {0:?}")]
    UnknownDemoUser(String),
    #[error("the demo data could not be built: {0}")]
    Demo(String),
    #[error("the central server cannot be reached: {0}")]
    Central(String),
    #[error("the data directory {path} cannot be used: {reason}")]
    DataDir { path: PathBuf, reason: String },
}

impl DeviceError {
    /// A stable code the UI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            DeviceError::Store(StoreError::SchemaTooNew { .. }) => "schema_too_new",
            DeviceError::Store(_) => "store",
            DeviceError::NoSteward => "no_steward",
            DeviceError::UnknownDemoUser(_) => "unknown_user",
            DeviceError::Demo(_) => "demo",
            DeviceError::DataDir { .. } => "data_dir",
            DeviceError::Central(_) => "central",
        }
    }
}

pub type Result<T> = std::result::Result<T, DeviceError>;

/// Who uses the device and what they own.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub steward: Staff,
    pub device_id: Option<DeviceId>,
    pub districts: Vec<DistrictSummary>,
    pub stats: StoreStats,
}

/// A district the steward owns, without its boundary.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictSummary {
    pub id: steward_domain::ids::DistrictId,
    pub code: String,
    pub name: String,
}

/// The device: its store, shared by the app's commands.
pub struct Device {
    store: Mutex<Store>,
    /// The background sync, once started (see [`start_sync`]).
    sync: std::sync::OnceLock<SyncHandle>,
    /// What the sync signs in with (see [`session`]).
    secrets: Arc<Mutex<session::SessionSecrets>>,
    /// Whether a sync runs: the app's event loop waits on it.
    attached: tokio::sync::watch::Sender<bool>,
    /// Where location fixes come from; none on a desktop.
    location: std::sync::OnceLock<Box<dyn LocationProvider>>,
    /// The monotonic clock and the wall clock read together at open: the
    /// device's time is read from the monotonic clock after that.
    boot: (std::time::Instant, Timestamp),
}

impl Device {
    /// Opens (creating if needed) the device database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Device> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| DeviceError::DataDir { path: data_dir.to_owned(), reason: e.to_string() })?;
        let store = Store::open(&data_dir.join(DB_FILE))?;
        Ok(Device {
            store: Mutex::new(store),
            sync: std::sync::OnceLock::new(),
            location: std::sync::OnceLock::new(),
            secrets: Arc::default(),
            attached: tokio::sync::watch::Sender::new(false),
            boot: (std::time::Instant::now(), Timestamp::now()),
        })
    }

    /// Gives the device its location provider (the phone's GPS, or a fake
    /// fix in tests). A second call keeps the first provider.
    pub fn set_location_provider(&self, provider: Box<dyn LocationProvider>) {
        let _ = self.location.set(provider);
    }

    /// The device's current location fix, if it has a provider and a fix.
    pub fn location_fix(&self) -> Option<LocationFix> {
        self.location.get().and_then(|p| p.fix())
    }

    /// The current fix for the UI, with where it comes from.
    pub fn location_fix_dto(&self) -> Option<dto::LocationFixDto> {
        let provider = self.location.get()?;
        provider.fix().map(|f| f.dto(provider.source()))
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A command that panicked while holding the lock left the store as
        // SQLite left it: every write is one transaction, so it is whole.
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hands the device its running sync, so that local writes trigger it.
    /// A second call keeps the first handle.
    pub fn attach_sync(&self, handle: SyncHandle) {
        let _ = self.sync.set(handle);
        self.attached.send_replace(true);
    }

    /// Becomes `true` once a sync runs (the app subscribes to its status then).
    pub fn sync_attached(&self) -> tokio::sync::watch::Receiver<bool> {
        self.attached.subscribe()
    }

    /// Tells the running sync, if any, that a local change waits in the outbox.
    fn notify_local_write(&self) {
        if let Some(sync) = self.sync.get() {
            sync.local_write();
        }
    }

    /// The sync's status for the UI: `None` while no sync runs (no central
    /// configured).
    pub fn sync_status(&self) -> Option<SyncStatus> {
        self.sync.get().map(|sync| sync.status().borrow().clone())
    }

    /// Every change of the sync's status, while a sync runs.
    pub fn sync_updates(&self) -> Option<tokio::sync::watch::Receiver<SyncStatus>> {
        self.sync.get().map(SyncHandle::status)
    }

    /// Loads the demo data set for one demo steward when the device has no
    /// steward yet (the first start). Returns whether it loaded anything.
    pub fn bootstrap_demo(&self, username: &str, device_id: DeviceId) -> Result<bool> {
        self.bootstrap_demo_as_of(username, device_id, steward_demo::DemoConfig::default().as_of)
    }

    /// [`Device::bootstrap_demo`] with the demo's "now" at `as_of`; the
    /// central must be seeded with the same instant for the ids to agree.
    pub fn bootstrap_demo_as_of(&self, username: &str, device_id: DeviceId, as_of: Timestamp) -> Result<bool> {
        let mut store = self.store();
        if store.meta(meta_keys::STEWARD_ID)?.is_some() {
            return Ok(false);
        }
        let config = steward_demo::DemoConfig { as_of, ..steward_demo::DemoConfig::default() };
        let dataset = steward_demo::generate(&config).map_err(|e| DeviceError::Demo(e.to_string()))?;
        let steward =
            dataset.staff_by_username(username).ok_or_else(|| DeviceError::UnknownDemoUser(username.to_owned()))?;
        let snapshot = snapshot_for_steward(&dataset, steward.id);
        store.load_ground(&snapshot)?;
        let team = dataset.teams.iter().find(|t| Some(t.id) == steward.team_id).map(|t| t.name.clone());
        let org = CardOrg {
            team: team.unwrap_or_default(),
            centre: dataset.centre.name.clone(),
            utility: dataset.utility.name.clone(),
        };
        drop(store);
        self.set_card_org(&org).map_err(|e| DeviceError::Demo(e.to_string()))?;
        // The steward id goes last: it marks the first start as done, so an
        // interrupted start loads again (every load is an idempotent upsert).
        let mut store = self.store();
        store.set_meta(meta_keys::DEVICE_ID, &device_id.to_string())?;
        store.set_meta(meta_keys::STEWARD_ID, &steward.id.to_string())?;
        Ok(true)
    }

    fn steward_id(store: &Store) -> Result<UserId> {
        let text = store.meta(meta_keys::STEWARD_ID)?.ok_or(DeviceError::NoSteward)?;
        text.parse().map_err(|_| DeviceError::NoSteward)
    }

    /// The signed-in steward, their districts and what the device holds.
    pub fn profile(&self) -> Result<Profile> {
        let store = self.store();
        let id = Self::steward_id(&store)?;
        let steward = store.staff()?.into_iter().find(|s| s.id == id).ok_or(DeviceError::NoSteward)?;
        let device_id = store.meta(meta_keys::DEVICE_ID)?.and_then(|t| t.parse().ok());
        let districts = store
            .districts()?
            .into_iter()
            .filter(|DistrictRow { district, .. }| district.steward_id == Some(id))
            .map(|DistrictRow { district: d, .. }| DistrictSummary { id: d.id, code: d.code, name: d.name })
            .collect();
        Ok(Profile { steward, device_id, districts, stats: store.stats()? })
    }

    /// Household search: names, addresses, account numbers, phone digits and
    /// pinyin initials.
    pub fn search_households(&self, query: &str, limit: usize) -> Result<Vec<HouseholdHit>> {
        Ok(self.store().search_households(query, limit)?)
    }

    /// The steward's work for the service-area calendar day that holds `now`.
    pub fn today(&self, now: Timestamp) -> Result<WorkList> {
        let store = self.store();
        let steward = Self::steward_id(&store)?;
        let (start, end) = day_bounds(now);
        Ok(store.todays_work(steward, start, end)?)
    }
}

/// The start and end of the service-area calendar day holding `now`.
pub fn day_bounds(now: Timestamp) -> (Timestamp, Timestamp) {
    let zoned = now.to_zoned(service_tz());
    let start = zoned.start_of_day().map(|z| z.timestamp()).unwrap_or(now);
    let end = start.saturating_add(jiff::SignedDuration::from_hours(24)).unwrap_or(now);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_runs_midnight_to_midnight_in_china() {
        // 2026-11-26 01:00 UTC is 09:00 in 商河.
        let (start, end) = day_bounds("2026-11-26T01:00:00Z".parse().unwrap());
        assert_eq!(start, "2026-11-25T16:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(end, "2026-11-26T16:00:00Z".parse::<Timestamp>().unwrap());
        // 17:00 UTC is already the next day there.
        let (start, _) = day_bounds("2026-11-26T17:00:00Z".parse().unwrap());
        assert_eq!(start, "2026-11-26T16:00:00Z".parse::<Timestamp>().unwrap());
    }
}

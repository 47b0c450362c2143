//! The app's Tauri commands. Each one takes its state, calls one function and
//! returns a DTO; register it in `lib.rs` (`generate_handler!`). Errors cross
//! to the UI as `{code, message}`.
//!
//! They live in this submodule because a `#[tauri::command] pub fn` at the root
//! of `lib.rs` fails to compile (E0255, `__cmd__…` defined twice).

use serde::Serialize;
use steward_device::{Device, DeviceError, Profile};
use steward_store::{HouseholdHit, WorkList};
use tauri::{AppHandle, Runtime, State};

use crate::smoke::{SmokeMode, SmokeReport};

/// An error as the UI receives it.
#[derive(Debug, Serialize)]
pub struct UiError {
    pub code: &'static str,
    pub message: String,
}

impl From<DeviceError> for UiError {
    fn from(e: DeviceError) -> Self {
        UiError { code: e.code(), message: e.to_string() }
    }
}

type UiResult<T> = Result<T, UiError>;

/// How many households a search returns at most.
const SEARCH_LIMIT: usize = 50;

/// Smoke mode only (see [`crate::smoke`]): the UI's first screen has rendered.
/// Prints the report and exits the app. Outside smoke mode `SmokeMode` is not
/// managed, so Tauri rejects the call.
#[tauri::command]
pub fn smoke_ready<R: Runtime>(app: AppHandle<R>, smoke: State<'_, SmokeMode>, report: SmokeReport) {
    smoke.finish(&app, &report);
}

/// The signed-in steward and their districts.
#[tauri::command]
pub fn profile(device: State<'_, Device>) -> UiResult<Profile> {
    Ok(device.profile()?)
}

/// Household search (names, addresses, account numbers, phone digits, pinyin initials).
#[tauri::command]
pub fn search_households(device: State<'_, Device>, query: String) -> UiResult<Vec<HouseholdHit>> {
    Ok(device.search_households(&query, SEARCH_LIMIT)?)
}

/// Today's work: open tickets by due time, then households to visit in walking order.
#[tauri::command]
pub fn today(device: State<'_, Device>) -> UiResult<WorkList> {
    Ok(device.today(jiff::Timestamp::now())?)
}

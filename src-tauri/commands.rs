//! The app's Tauri commands. Each one takes its state, calls one function and
//! returns a DTO; register it in `lib.rs` (`generate_handler!`). Errors cross
//! to the UI as `{code, message}`.
//!
//! They live in this submodule because a `#[tauri::command] pub fn` at the root
//! of `lib.rs` fails to compile (E0255, `__cmd__…` defined twice).

use serde::Serialize;
use std::sync::Arc;
use steward_device::dto::{
    BuildingDto, CommunityDto, ContactCardDto, HouseholdDetailDto, HouseholdHitDto, HouseholdRowDto, LocationFixDto,
    PendingDto, RecordedVisitDto, SessionDto, SlaAlertDto, StartStateDto, SyncPanelDto, TicketActionInput,
    TicketActionResultDto, TicketDetailDto, TodayDto, UnitDto, VisitInput,
};

use steward_device::{Device, DeviceError, InputError, Profile, Stamp, SyncStatus};
use tauri::{AppHandle, Runtime, State};

use crate::events::AlertLog;
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

impl From<InputError> for UiError {
    fn from(e: InputError) -> Self {
        UiError { code: e.code(), message: e.to_string() }
    }
}

type UiResult<T> = Result<T, UiError>;

/// Names the screen the UI opens first (`today`, `visit`, `card`), for
/// screenshots and demos; unset, the UI opens Today.
pub const START_SCREEN_ENV: &str = "HEAT_STEWARD_START_SCREEN";

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
pub fn profile(device: State<'_, Arc<Device>>) -> UiResult<Profile> {
    Ok(device.profile()?)
}

/// Household search (names, addresses, account numbers, phone digits, pinyin initials).
#[tauri::command]
pub fn search_households(device: State<'_, Arc<Device>>, query: String) -> UiResult<Vec<HouseholdHitDto>> {
    Ok(device.search(&query, SEARCH_LIMIT)?)
}

/// Today's work: open tickets by due time, then households to visit in walking order.
#[tauri::command]
pub fn today(device: State<'_, Arc<Device>>) -> UiResult<TodayDto> {
    Ok(device.today_view(device.device_now())?)
}

/// The communities (小区) on the device.
#[tauri::command]
pub fn communities(device: State<'_, Arc<Device>>) -> UiResult<Vec<CommunityDto>> {
    Ok(device.communities()?)
}

/// The buildings (楼) of a community.
#[tauri::command]
pub fn buildings(device: State<'_, Arc<Device>>, community_id: String) -> UiResult<Vec<BuildingDto>> {
    Ok(device.buildings(&community_id)?)
}

/// The units (单元) of a building.
#[tauri::command]
pub fn units(device: State<'_, Arc<Device>>, building_id: String) -> UiResult<Vec<UnitDto>> {
    Ok(device.units(&building_id)?)
}

/// The households (户) of a unit.
#[tauri::command]
pub fn households_in_unit(device: State<'_, Arc<Device>>, unit_id: String) -> UiResult<Vec<HouseholdRowDto>> {
    Ok(device.households_in_unit(&unit_id)?)
}

/// One household's page: address, status, valve, visits and tickets.
#[tauri::command]
pub fn household(device: State<'_, Arc<Device>>, household_id: String) -> UiResult<HouseholdDetailDto> {
    Ok(device.household(&household_id)?)
}

/// Completes and records a visit (入户) offline, with its outbox entry.
#[tauri::command]
pub fn record_visit(device: State<'_, Arc<Device>>, visit: VisitInput) -> UiResult<RecordedVisitDto> {
    Ok(device.record_visit(&visit, Stamp::now())?)
}

/// How many local changes wait to be uploaded (待同步).
#[tauri::command]
pub fn pending_counts(device: State<'_, Arc<Device>>) -> UiResult<PendingDto> {
    Ok(device.pending()?)
}

/// Printable door tags (门牌二维码), QR as SVG, made offline: the
/// household's own, or with `whole_building` every household's of its building.
#[tauri::command]
pub fn door_tags(
    device: State<'_, Arc<Device>>,
    household_id: String,
    whole_building: bool,
) -> UiResult<steward_device::doortag::DoorTagSheetDto> {
    Ok(device.door_tags(&household_id, whole_building)?)
}

/// The steward's contact card (管家名片) with its vCard QR code as SVG.
#[tauri::command]
pub fn contact_card(device: State<'_, Arc<Device>>) -> UiResult<ContactCardDto> {
    Ok(device.contact_card()?)
}

/// Sets the photo on the steward's card: the UI sends the image scaled down
/// (a `data:` URL); the device keeps it and the sync takes it to the central.
#[tauri::command]
pub fn set_card_photo(device: State<'_, Arc<Device>>, image: String) -> UiResult<ContactCardDto> {
    Ok(device.set_card_photo(&image, Stamp::now())?)
}

/// The screen the UI opens first, from `HEAT_STEWARD_START_SCREEN`.
#[tauri::command]
pub fn start_screen() -> Option<String> {
    std::env::var(START_SCREEN_ENV).ok()
}

/// The background sync's status (pending per lane, last success, progress,
/// needs attention); `null` when the app runs without a central.
#[tauri::command]
pub fn sync_status(device: State<'_, Arc<Device>>) -> Option<SyncStatus> {
    device.sync_status()
}

/// One ticket's page: the household, the timeline, the response clock
/// computed on the device, and the actions allowed now.
#[tauri::command]
pub fn ticket_detail(device: State<'_, Arc<Device>>, ticket_id: String) -> UiResult<TicketDetailDto> {
    Ok(device.ticket_detail(&ticket_id, device.device_now())?)
}

/// Accept, en route, check in or resolve a ticket, offline; queued in the
/// priority lane.
#[tauri::command]
pub fn ticket_action(
    device: State<'_, Arc<Device>>,
    ticket_id: String,
    action: TicketActionInput,
) -> UiResult<TicketActionResultDto> {
    Ok(device.ticket_action(&ticket_id, &action, device.stamp_now())?)
}

/// The device's location fix, or `null` when it has none (a desktop).
#[tauri::command]
pub fn location_fix(device: State<'_, Arc<Device>>) -> Option<LocationFixDto> {
    device.location_fix_dto()
}

/// The sync panel now; later changes arrive as `sync-status` events.
#[tauri::command]
pub fn sync_panel(device: State<'_, Arc<Device>>) -> UiResult<SyncPanelDto> {
    Ok(device.sync_panel()?)
}

/// Lets a refused change go (it leaves the needs-attention list).
#[tauri::command]
pub fn dismiss_attention(device: State<'_, Arc<Device>>, mutation_id: String) -> UiResult<SyncPanelDto> {
    Ok(device.dismiss_attention(&mutation_id)?)
}

/// Sends a refused change again.
#[tauri::command]
pub fn retry_attention(device: State<'_, Arc<Device>>, mutation_id: String) -> UiResult<SyncPanelDto> {
    Ok(device.retry_attention(&mutation_id)?)
}

/// Asks for a sync round now; `false` when no central is configured.
#[tauri::command]
pub fn sync_now(device: State<'_, Arc<Device>>) -> bool {
    device.sync_now()
}

/// The response-clock alerts raised since the app started (later ones
/// arrive as `sla-alert` events).
#[tauri::command]
pub fn recent_alerts(alerts: State<'_, Arc<AlertLog>>) -> Vec<SlaAlertDto> {
    alerts.all()
}

/// The central the app syncs with (`HEAT_STEWARD_CENTRAL_URL`), if any.
pub struct Central(pub Option<String>);

/// What the UI shows first: the sign-in screen, or the steward's work.
#[tauri::command]
pub fn start_state(device: State<'_, Arc<Device>>, central: State<'_, Central>) -> UiResult<StartStateDto> {
    Ok(device.start_state(central.0.as_deref())?)
}

/// Signs in at the configured central; the token is remembered and the sync starts.
#[tauri::command]
pub async fn sign_in(
    device: State<'_, Arc<Device>>,
    central: State<'_, Central>,
    username: String,
    password: String,
) -> UiResult<SessionDto> {
    let base =
        central.0.clone().ok_or(UiError { code: "no_central", message: "no central server is configured".into() })?;
    let new_id = steward_domain::ids::DeviceId::from(uuid::Uuid::now_v7());
    Ok(steward_device::sign_in(&device, &base, &username, &password, new_id).await?)
}

/// Signs out: the token is revoked at the central (when it answers) and
/// forgotten; the work on the device stays.
#[tauri::command]
pub async fn sign_out(device: State<'_, Arc<Device>>) -> UiResult<bool> {
    Ok(steward_device::sign_out_at_central(&device).await?)
}

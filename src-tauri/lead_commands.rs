//! The district map's and the team lead's commands. Each takes its state,
//! calls one core function and returns a DTO; errors cross as
//! `{code, message}` (`offline` when the central cannot be reached).

use std::sync::Arc;

use serde::Serialize;
use steward_device::Device;
use steward_device::lead::{
    CandidatesDto, DispatchBoardDto, LeadClient, LeadError, LeadStatusDto, LeadTicketDto, ResponseTimesDto, TeamMapDto,
};
use steward_device::map::{MapError, MapViewDto};
use tauri::State;

/// The lead's client for the central; `None` when the app runs without one.
pub struct LeadState(pub Option<Arc<LeadClient>>);

/// An error as the UI receives it; the code may be the central's own.
#[derive(Debug, Serialize)]
pub struct LeadUiError {
    pub code: String,
    pub message: String,
}

impl From<LeadError> for LeadUiError {
    fn from(e: LeadError) -> Self {
        LeadUiError { code: e.code(), message: e.to_string() }
    }
}

impl From<MapError> for LeadUiError {
    fn from(e: MapError) -> Self {
        LeadUiError { code: e.code().to_owned(), message: e.to_string() }
    }
}

impl From<steward_device::DeviceError> for LeadUiError {
    fn from(e: steward_device::DeviceError) -> Self {
        LeadUiError { code: e.code().to_owned(), message: e.to_string() }
    }
}

type LeadUiResult<T> = Result<T, LeadUiError>;

/// The signed-in session's client when someone signed in on this device,
/// else the one made from the environment, else `no_central`.
fn client(device: &Device, lead: &LeadState) -> Result<Arc<LeadClient>, LeadUiError> {
    if let Some(session) = LeadClient::for_session(device)? {
        return Ok(Arc::new(session));
    }
    lead.0.clone().ok_or_else(|| LeadError::NoCentral.into())
}

/// The district map's layers from the device (offline).
#[tauri::command]
pub fn map_view(device: State<'_, Arc<Device>>) -> LeadUiResult<MapViewDto> {
    Ok(device.map_view()?)
}

/// Sets the map's tile URL template; empty turns tiles off.
#[tauri::command]
pub fn set_map_tile_url(device: State<'_, Arc<Device>>, url: String) -> LeadUiResult<String> {
    Ok(device.set_map_tile_url(&url)?)
}

/// Whether the signed-in user is a team lead and a central is configured.
#[tauri::command]
pub fn lead_status(device: State<'_, Arc<Device>>, lead: State<'_, LeadState>) -> LeadUiResult<LeadStatusDto> {
    let central = lead.0.is_some() || LeadClient::for_session(&device)?.is_some();
    Ok(device.lead_status(central)?)
}

/// 派单看板 (online).
#[tauri::command]
pub async fn lead_board(device: State<'_, Arc<Device>>, lead: State<'_, LeadState>) -> LeadUiResult<DispatchBoardDto> {
    Ok(client(&device, &lead)?.board(&device).await?)
}

/// The candidates for a ticket, best estimated arrival first (online).
#[tauri::command]
pub async fn lead_candidates(
    device: State<'_, Arc<Device>>,
    lead: State<'_, LeadState>,
    ticket_id: String,
) -> LeadUiResult<CandidatesDto> {
    Ok(client(&device, &lead)?.candidates(&ticket_id).await?)
}

/// Dispatches or reassigns a ticket (online).
#[tauri::command]
pub async fn lead_assign(
    device: State<'_, Arc<Device>>,
    lead: State<'_, LeadState>,
    ticket_id: String,
    steward_id: String,
    reason: Option<String>,
) -> LeadUiResult<LeadTicketDto> {
    Ok(client(&device, &lead)?.assign(&ticket_id, &steward_id, reason.as_deref()).await?)
}

/// The team map: stewards' last positions and open tickets (online).
#[tauri::command]
pub async fn lead_team_map(device: State<'_, Arc<Device>>, lead: State<'_, LeadState>) -> LeadUiResult<TeamMapDto> {
    Ok(client(&device, &lead)?.team_map(&device).await?)
}

/// The response times of the tickets on the device over the last `days` days (offline).
#[tauri::command]
pub fn response_times(device: State<'_, Arc<Device>>, days: u32) -> LeadUiResult<ResponseTimesDto> {
    Ok(device.response_times(jiff::Timestamp::now(), days)?)
}

/// A JSON document under `/api/v1/` (reports, callbacks), as the central serves it (online).
#[tauri::command]
pub async fn lead_document(
    device: State<'_, Arc<Device>>,
    lead: State<'_, LeadState>,
    path: String,
) -> LeadUiResult<serde_json::Value> {
    Ok(client(&device, &lead)?.document(&path).await?)
}

impl LeadState {
    /// The lead client for the central named by `HEAT_STEWARD_CENTRAL_URL`,
    /// signed in as the device's user with `HEAT_STEWARD_PASSWORD` (the run
    /// command's and the tests' path); none without both: the user then
    /// signs in on the sign-in screen and the lead screens use that session.
    pub fn from_env(device: &Device) -> LeadState {
        let (Ok(base), Ok(password)) = (std::env::var(crate::CENTRAL_URL_ENV), std::env::var(crate::PASSWORD_ENV))
        else {
            return LeadState(None);
        };
        match LeadClient::for_device(device, &base, password) {
            Ok(client) => LeadState(Some(Arc::new(client))),
            Err(e) => {
                tracing::warn!(error = %e, "no lead client");
                LeadState(None)
            }
        }
    }
}

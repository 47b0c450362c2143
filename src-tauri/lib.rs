//! The Tauri shell of Heat Steward (供暖管家). Only this crate knows Tauri.
//!
//! It opens the [`Device`] in the app's data directory, registers the
//! commands and starts the window. Everything the app does lives in the
//! `steward-device` crate; the shell only moves data across the boundary.

mod commands;
mod events;
mod lead_commands;
#[cfg(mobile)]
mod mobile;
pub mod smoke;
pub mod webview;

use std::path::PathBuf;
use std::sync::Arc;

use steward_device::Device;
use steward_domain::ids::DeviceId;
use tauri::Manager;

/// Overrides where the device database lives (tests use a temp dir).
pub const DATA_DIR_ENV: &str = "HEAT_STEWARD_DATA_DIR";
/// Which demo steward a new device loads (default `steward1`).
pub const DEMO_USER_ENV: &str = "HEAT_STEWARD_DEMO_USER";
/// The demo's "now" for a new device (RFC 3339); the run command seeds its
/// central with the same instant.
pub const DEMO_AS_OF_ENV: &str = "HEAT_STEWARD_DEMO_AS_OF";
/// The central API to sync with (e.g. `http://127.0.0.1:8787`); without it
/// the app works offline only.
pub const CENTRAL_URL_ENV: &str = "HEAT_STEWARD_CENTRAL_URL";
/// The steward's password at the central (default: the demo's `heat-demo`).
pub const PASSWORD_ENV: &str = "HEAT_STEWARD_PASSWORD";

fn data_dir(app: &tauri::App) -> Result<PathBuf, Box<dyn std::error::Error>> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(app.path().app_data_dir()?),
    }
}

fn open_device(app: &tauri::App) -> Result<Arc<Device>, Box<dyn std::error::Error>> {
    let device = Device::open(&data_dir(app)?)?;
    // The demo steward's slice is loaded when asked for (a demo user named,
    // or a password to sign in with by configuration) or when there is no
    // central to sign in at. Otherwise a new device starts empty and signing
    // in brings the steward's profile from the central and their work by
    // the sync, whoever the central knows.
    let central_configured = std::env::var_os(CENTRAL_URL_ENV).is_some();
    let wants_demo = std::env::var_os(DEMO_USER_ENV).is_some() || std::env::var_os(PASSWORD_ENV).is_some();
    if wants_demo || !central_configured {
        let user = std::env::var(DEMO_USER_ENV).unwrap_or_else(|_| "steward1".to_owned());
        let device_id = DeviceId::from(uuid::Uuid::now_v7());
        match std::env::var(DEMO_AS_OF_ENV) {
            Ok(as_of) => device.bootstrap_demo_as_of(&user, device_id, as_of.parse()?)?,
            Err(_) => device.bootstrap_demo(&user, device_id)?,
        };
    }
    // A desktop has no GPS; the fake fix makes it behave like a phone with one (tests).
    if let Some(fake) = steward_device::FakeGps::from_env()? {
        device.set_location_provider(Box::new(fake));
    }
    let device = Arc::new(device);
    if let Ok(central) = std::env::var(CENTRAL_URL_ENV) {
        // With a password in the environment (scripts, tests) the app signs in
        // by itself; otherwise a remembered session resumes, or the UI shows
        // the sign-in screen. No network is needed to start.
        tauri::async_runtime::block_on(async {
            match std::env::var(PASSWORD_ENV) {
                Ok(password) => steward_device::connect_central(&device, &central, password).map_err(|e| e.to_string()),
                Err(_) => steward_device::resume_session(&device, &central).map(|_| ()).map_err(|e| e.to_string()),
            }
        })?;
    }
    Ok(device)
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let mut builder = tauri::Builder::default().plugin(tauri_plugin_notification::init());
    #[cfg(mobile)]
    {
        builder = builder.plugin(tauri_plugin_geolocation::init());
    }
    if let Some(smoke) = smoke::SmokeMode::from_env() {
        builder = builder.plugin(smoke.plugin()).manage(smoke);
    }
    builder
        .setup(|app| {
            webview::tune(app);
            let device = open_device(app)?;
            app.manage(lead_commands::LeadState::from_env(&device));
            #[cfg(mobile)]
            device.set_location_provider(Box::new(mobile::PhoneGps(app.handle().clone())));
            let alerts = Arc::new(events::AlertLog::default());
            events::spawn(app.handle(), &device, Arc::clone(&alerts));
            app.manage(alerts);
            app.manage(device);
            app.manage(commands::Central(std::env::var(CENTRAL_URL_ENV).ok()));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::smoke_ready,
            commands::profile,
            commands::search_households,
            commands::today,
            commands::communities,
            commands::buildings,
            commands::units,
            commands::households_in_unit,
            commands::household,
            commands::record_visit,
            commands::pending_counts,
            commands::contact_card,
            commands::door_tags,
            commands::set_card_photo,
            commands::start_screen,
            commands::sync_status,
            commands::ticket_detail,
            commands::ticket_action,
            commands::location_fix,
            commands::sync_panel,
            commands::dismiss_attention,
            commands::retry_attention,
            commands::sync_now,
            commands::recent_alerts,
            commands::start_state,
            commands::sign_in,
            commands::sign_out,
            lead_commands::map_view,
            lead_commands::set_map_tile_url,
            lead_commands::lead_status,
            lead_commands::lead_board,
            lead_commands::lead_candidates,
            lead_commands::lead_assign,
            lead_commands::lead_team_map,
            lead_commands::lead_document,
            lead_commands::response_times,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Heat Steward app");
}

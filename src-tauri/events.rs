//! The device's news pushed to the UI as Tauri events, not polled: the sync
//! panel on every change of the sync's status, a note when the steward's
//! open tickets changed (a pull brought a new one), and the response
//! clock's local alerts, which also go out as system notifications where
//! the platform has them. The alerts are checked on a timer on the device,
//! so they come with no network.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use steward_device::Device;
use steward_device::dto::SlaAlertDto;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The sync panel (`SyncPanelDto`), on every change of the sync's status.
pub const SYNC_EVENT: &str = "sync-status";
/// The steward's open tickets changed: Today reloads.
pub const TICKETS_EVENT: &str = "tickets-changed";
/// A response-clock alert (`SlaAlertDto`): 10 minutes left, or overdue.
pub const ALERT_EVENT: &str = "sla-alert";

/// How often the device checks the response clocks for alerts.
const ALERT_PERIOD: Duration = Duration::from_secs(5);

/// The alerts raised since the app started, for a UI that subscribes late.
#[derive(Debug, Default)]
pub struct AlertLog(Mutex<Vec<SlaAlertDto>>);

impl AlertLog {
    pub fn all(&self) -> Vec<SlaAlertDto> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn push(&self, alert: SlaAlertDto) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(alert);
    }
}

/// Starts the tasks that push the device's news to the UI.
pub fn spawn<R: Runtime>(app: &AppHandle<R>, device: &Arc<Device>, alerts: Arc<AlertLog>) {
    {
        let (app, device) = (app.clone(), Arc::clone(device));
        tauri::async_runtime::spawn(async move {
            // The sync starts at sign-in when no session was remembered.
            if device.sync_attached().wait_for(|running| *running).await.is_err() {
                return;
            }
            let Some(mut updates) = device.sync_updates() else { return };
            // No key yet: the first round reloads Today once, in case a pull
            // (a new device's first) landed before this task looked.
            let mut tickets: Option<String> = None;
            loop {
                match device.sync_panel() {
                    Ok(panel) => {
                        let _ = app.emit(SYNC_EVENT, &panel);
                    }
                    Err(e) => tracing::warn!("sync panel: {e}"),
                }
                let now = device.open_tickets_key().ok();
                if now != tickets {
                    tickets = now;
                    let _ = app.emit(TICKETS_EVENT, ());
                }
                if updates.changed().await.is_err() {
                    break;
                }
            }
        });
    }
    let (app, device) = (app.clone(), Arc::clone(device));
    std::thread::Builder::new()
        .name("sla-alerts".into())
        .spawn(move || {
            loop {
                match device.take_sla_alerts(device.device_now()) {
                    Ok(raised) => {
                        for alert in raised.iter().map(SlaAlertDto::from) {
                            alerts.push(alert.clone());
                            let _ = app.emit(ALERT_EVENT, &alert);
                            notify(&app, &alert);
                        }
                    }
                    Err(e) => tracing::warn!("sla alerts: {e}"),
                }
                std::thread::sleep(ALERT_PERIOD);
            }
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::warn!("the sla alert thread did not start: {e}"));
}

/// A system notification for an alert, where the platform shows them.
fn notify<R: Runtime>(app: &AppHandle<R>, alert: &SlaAlertDto) {
    let title = if alert.kind == "breached" { "工单已超时" } else { "工单剩余不到 10 分钟" };
    let shown = app.notification().builder().title(title).body(&alert.address).show();
    if let Err(e) = shown {
        tracing::info!("no system notification: {e}");
    }
}

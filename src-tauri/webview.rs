//! Webview settings that keep the app light where it runs on WebKitGTK
//! (Linux desktops; a phone's webview is left as the platform sets it).
//!
//! The UI is lists, forms and a map: it needs no GPU compositing, and
//! WebKitGTK's accelerated compositing costs about 70 MiB in the web process
//! (measured under Xvfb: 184 → 117 MiB PSS). Its memory cache is sized for a
//! browser; the "document viewer" model keeps it small, which suits an app
//! whose pages are all in the binary.
//!
//! Under WebDriver automation (`TAURI_WEBVIEW_AUTOMATION`, set by
//! tauri-driver) compositing stays on: WebKitWebDriver's screenshots stall
//! for minutes in the non-composited mode. The end-to-end run therefore
//! renders composited; `tests/app_smoke.rs` starts the app as users do.

/// Whether the app runs under WebDriver automation (tauri-driver sets
/// `TAURI_WEBVIEW_AUTOMATION=true`): the webview then composites with GL,
/// which WebKitWebDriver's screenshots need, so `main.rs` leaves GTK's GL
/// and the app's EGL alone and [`tune`] leaves acceleration on.
pub fn under_automation() -> bool {
    std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| v == "true")
}

/// Applies the settings to the main window's webview. A failure only costs
/// memory, so it is logged, never fatal.
pub fn tune(app: &tauri::App) {
    #[cfg(target_os = "linux")]
    {
        use tauri::Manager as _;
        let Some(window) = app.get_webview_window("main") else {
            tracing::warn!("no main window to tune");
            return;
        };
        let tuned = window.with_webview(|webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt as _, WebContextExt as _, WebViewExt,
            };
            let view = webview.inner();
            let automated = under_automation();
            if let Some(settings) = WebViewExt::settings(&view)
                && !automated
            {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(error) = tuned {
            tracing::warn!(%error, "could not tune the webview");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

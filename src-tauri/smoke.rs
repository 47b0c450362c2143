//! Smoke mode: with `HEAT_STEWARD_SMOKE=1` the app proves once that the webview
//! loaded the UI and that the UI reached Rust over IPC, then exits.
//!
//! The UI finds `window.__HEAT_STEWARD_SMOKE__ = true` (injected before its own
//! scripts), renders its first screen and calls the `smoke_ready` command with
//! a [`SmokeReport`]. The app prints one line `SMOKE-READY {json}` on stdout and
//! exits with code 0. `tests/app_smoke.rs` runs the real binary this way.
//!
//! With `HEAT_STEWARD_SMOKE=stay` it prints the same line and keeps running:
//! `scripts/measure-memory.sh` uses that line as its "first screen is up"
//! signal and then measures the idle app.

use std::io::Write;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, plugin::TauriPlugin};

/// Set to `1` to run in smoke mode, or to `stay` to report without exiting.
pub const ENV_VAR: &str = "HEAT_STEWARD_SMOKE";

/// The start of the one line the app prints in smoke mode, before the report's JSON.
pub const READY_PREFIX: &str = "SMOKE-READY";

/// Managed state that exists only in smoke mode, so `smoke_ready` fails outside it.
#[derive(Debug)]
pub struct SmokeMode {
    /// Whether the app exits once it has printed the report (`1`), or keeps running (`stay`).
    exit: bool,
}

impl SmokeMode {
    /// Smoke mode if `HEAT_STEWARD_SMOKE=1` (report, then exit) or `stay` (report, keep running).
    pub fn from_env() -> Option<Self> {
        match std::env::var_os(ENV_VAR)?.to_str()? {
            "1" => Some(Self { exit: true }),
            "stay" => Some(Self { exit: false }),
            _ => None,
        }
    }

    /// A plugin that tells the UI, before its scripts run, that this is a smoke run.
    pub fn plugin<R: Runtime>(&self) -> TauriPlugin<R> {
        tauri::plugin::Builder::new("heat-steward-smoke")
            .js_init_script("window.__HEAT_STEWARD_SMOKE__ = true;")
            .build()
    }

    /// Prints the report as one `SMOKE-READY {json}` line and exits the app with code 0 (unless `stay`).
    ///
    /// The app adds to the UI's report what only it can see:
    /// `gl_driver_in_app_process`, whether a GL driver (Mesa's EGL or a
    /// `_dri.so`) is mapped into the app's own process (always `false` off
    /// Linux; see `ui_process_without_egl` in `main.rs`).
    pub fn finish<R: Runtime>(&self, app: &AppHandle<R>, report: &SmokeReport) {
        let json = serde_json::to_value(report)
            .map(|mut value| {
                value["gl_driver_in_app_process"] = gl_driver_in_this_process().into();
                value.to_string()
            })
            .unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"));
        let mut stdout = std::io::stdout().lock();
        // Nothing useful is left to do if stdout is gone: the exit below still happens.
        let _ = writeln!(stdout, "{READY_PREFIX} {json}").and_then(|()| stdout.flush());
        if self.exit {
            app.exit(0);
        }
    }
}

/// Whether this process has a GL driver mapped, by its memory map: Mesa's
/// EGL or GLX vendor library, a DRI driver, gallium or libLLVM.
fn gl_driver_in_this_process() -> bool {
    const DRIVER: [&str; 5] = ["libEGL_mesa", "libGLX_mesa", "_dri.so", "libgallium", "libLLVM"];
    std::fs::read_to_string("/proc/self/maps")
        .is_ok_and(|maps| maps.lines().any(|line| DRIVER.iter().any(|lib| line.contains(lib))))
}

/// What the UI saw once its first screen had rendered (`ui/src/smoke.ts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmokeReport {
    /// The text of the title element (`#app-title`).
    pub title: String,
    pub locale: String,
    /// `navigator.onLine`.
    pub online: bool,
    /// How many household rows the first screen shows.
    pub households_rendered: u32,
    /// Whether the first `search_households` call succeeded.
    pub search_ok: bool,
    /// Its error message when it did not.
    pub search_error: Option<String>,
    /// Set when the UI failed to start; the other fields are then empty.
    pub ui_error: Option<String>,
}

// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    {
        gdk_without_gl();
        // Mesa stays out of this process (WebKitGTK's UI side copies the web
        // process's pixels and needs no GL with acceleration off); under
        // automation the webview composites with GL, so EGL stays.
        if !heat_steward_lib::webview::under_automation() {
            steward_glvnd::keep_gl_driver_out();
        }
    }
    heat_steward_lib::run();
}

/// Turns off GDK's own OpenGL (`GDK_GL=disable`) for the app and, through the
/// inherited environment, for its WebKit processes.
///
/// GTK 3 probes GLX at start-up to pick GL-capable visuals, which loads the
/// Mesa driver through GLX besides the EGL display WebKitGTK opens itself.
/// The app uses no GTK GL widget and WebKitGTK draws through its own EGL
/// display, so the probe only costs memory: 4–5 MiB of private dirty
/// memory in the web process and 2–3 MiB in the app (medians of 3 and 5 starts
/// under Xvfb, `scripts/measure-memory.sh`). A value set by the user wins.
///
/// WebKitGTK takes GTK's GL to be off as "no hardware acceleration", which
/// is what `webview.rs` asks for anyway. Under WebDriver automation
/// (`TAURI_WEBVIEW_AUTOMATION=true`) compositing must stay on for
/// WebKitWebDriver's screenshots, so GTK keeps its GL there too.
#[cfg(target_os = "linux")]
fn gdk_without_gl() {
    if heat_steward_lib::webview::under_automation() {
        return;
    }
    // g_setenv is not thread-safe: this runs first in `main`, before any thread exists.
    if let Err(error) = webkit2gtk::glib::setenv("GDK_GL", "disable", false) {
        eprintln!("GDK_GL stays unset: {error}");
    }
}

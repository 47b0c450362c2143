// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    {
        gdk_without_gl();
        ui_process_without_egl();
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
    if std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| v == "true") {
        return;
    }
    // g_setenv is not thread-safe: this runs first in `main`, before any thread exists.
    if let Err(error) = webkit2gtk::glib::setenv("GDK_GL", "disable", false) {
        eprintln!("GDK_GL stays unset: {error}");
    }
}

/// Keeps Mesa out of the app's own process on Linux; the web process that
/// WebKitGTK starts later still gets it.
///
/// WebKitGTK's UI process asks EGL for its client extensions at start-up,
/// and glvnd answers by loading Mesa's EGL, its gallium driver and
/// libLLVM. The app draws nothing with GL: the webview runs with hardware
/// acceleration off (`webview.rs`), so the web process paints into shared
/// memory and the UI process only copies those pixels to the window. Mesa
/// there costs memory only: libLLVM alone is about 43 MiB resident in each
/// process that loads it, 8 MiB of it private (`scripts/measure-memory.sh`).
///
/// glvnd reads `__EGL_VENDOR_LIBRARY_FILENAMES` once per process, at its
/// first EGL call. This points it at no vendor, makes that first call, and
/// puts the variable back as it was, so the WebKit processes started later
/// find Mesa as usual (the web process needs EGL and aborts without it).
/// EGL calls in this process then fail cleanly, and WebKitGTK copes with
/// that, as it does on a machine without any GL.
///
/// Under WebDriver automation (`TAURI_WEBVIEW_AUTOMATION=true`) the webview
/// composites with GL for WebKitWebDriver's screenshots, so the app keeps
/// its EGL there.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn ui_process_without_egl() {
    const VENDORS: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
    const EGL_EXTENSIONS: i32 = 0x3055;
    if std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| v == "true") {
        return;
    }
    let user_choice = std::env::var_os(VENDORS);
    if user_choice.is_some() {
        return;
    }
    // g_setenv is not thread-safe: this runs in `main`, before any thread exists.
    if webkit2gtk::glib::setenv(VENDORS, "/dev/null", true).is_err() {
        return;
    }
    // SAFETY: dlopen and dlsym get NUL-terminated names; the symbol, when
    // found, is glvnd's `const char *eglQueryString(EGLDisplay, EGLint)`,
    // called with EGL_NO_DISPLAY (null), which the EGL 1.5 specification
    // allows for client extensions; the returned string is not read. The
    // library stays loaded (WebKitGTK links it anyway), so the handle is
    // never closed.
    unsafe {
        let egl = libc::dlopen(c"libEGL.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        if !egl.is_null() {
            let query = libc::dlsym(egl, c"eglQueryString".as_ptr());
            if !query.is_null() {
                let query: extern "C" fn(*mut libc::c_void, i32) -> *const libc::c_char = std::mem::transmute(query);
                query(std::ptr::null_mut(), EGL_EXTENSIONS);
            }
        }
    }
    webkit2gtk::glib::unsetenv(VENDORS);
}

//! Keeps Mesa out of the app's own process on Linux; the WebKit processes
//! the app starts later still get it.
//!
//! WebKitGTK's UI process asks EGL for its client extensions at start-up,
//! and glvnd (the EGL dispatcher) answers by loading Mesa's EGL, its
//! gallium driver and libLLVM. The app draws nothing with GL: its webview
//! runs with hardware acceleration off, so the web process paints into
//! shared memory and the UI process only copies those pixels to the
//! window. Mesa there costs memory only: libLLVM alone is about 43 MiB
//! resident in each process that loads it, 8 MiB of it private
//! (`scripts/measure-memory.sh`).
//!
//! glvnd reads `__EGL_VENDOR_LIBRARY_FILENAMES` once per process, at its
//! first EGL call. [`keep_gl_driver_out`] points it at no vendor, makes that
//! first call, and puts the variable back as it was, so processes started
//! later find Mesa as usual (WebKitGTK's web process needs EGL and aborts
//! without it). EGL calls in this process then fail cleanly, which
//! WebKitGTK copes with, as on a machine without any GL.
//!
//! This is the workspace's only unsafe code: `dlopen`, `dlsym`, the call
//! through the symbol, and `setenv` before any thread exists.

/// The variable glvnd reads, once, for the EGL vendors to load.
pub const VENDORS: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";

/// Makes this process's first EGL call with glvnd pointed at no vendor, so
/// no GL driver is ever loaded here, and restores the environment. Does
/// nothing when the user has set [`VENDORS`] (their choice stands) or when
/// there is no glvnd `libEGL.so.1`. Returns whether it made the call.
///
/// Call it first thing in `main`, before any other thread exists and before
/// anything else calls EGL: `setenv` is not thread-safe, and glvnd only
/// reads the variable at its first call.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn keep_gl_driver_out() -> bool {
    const EGL_EXTENSIONS: i32 = 0x3055;
    if std::env::var_os(VENDORS).is_some() {
        return false;
    }
    // SAFETY: dlopen, dlsym, setenv and unsetenv get NUL-terminated names.
    // This runs before any other thread exists (the caller's contract), so
    // changing the environment races with nothing. The symbol, when found,
    // is glvnd's `const char *eglQueryString(EGLDisplay, EGLint)`, called
    // with EGL_NO_DISPLAY (null), which EGL 1.5 allows for client
    // extensions; the returned string is not read. The library stays loaded
    // (WebKitGTK links it anyway): the handle is never closed.
    unsafe {
        let egl = libc::dlopen(c"libEGL.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        if egl.is_null() {
            return false;
        }
        let query = libc::dlsym(egl, c"eglQueryString".as_ptr());
        if query.is_null() {
            return false;
        }
        let query: extern "C" fn(*mut libc::c_void, i32) -> *const libc::c_char = std::mem::transmute(query);
        if libc::setenv(c"__EGL_VENDOR_LIBRARY_FILENAMES".as_ptr(), c"/dev/null".as_ptr(), 1) != 0 {
            return false;
        }
        query(std::ptr::null_mut(), EGL_EXTENSIONS);
        libc::unsetenv(c"__EGL_VENDOR_LIBRARY_FILENAMES".as_ptr());
    }
    true
}

/// Elsewhere there is nothing to keep out.
#[cfg(not(target_os = "linux"))]
pub fn keep_gl_driver_out() -> bool {
    false
}

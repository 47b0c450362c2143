//! In a process of its own (this test binary holds one test): after
//! `keep_gl_driver_out`, EGL calls load no GL driver here, and the
//! environment is as it was, so child processes still find Mesa.

#[cfg(target_os = "linux")]
#[test]
#[allow(unsafe_code)]
fn egl_calls_after_it_load_no_driver_here_and_the_environment_is_restored() {
    let mesa_mapped = || {
        std::fs::read_to_string("/proc/self/maps")
            .unwrap()
            .lines()
            .any(|l| ["libEGL_mesa", "_dri.so", "libgallium", "libLLVM"].iter().any(|lib| l.contains(lib)))
    };
    assert!(!mesa_mapped(), "nothing has called EGL yet");
    assert!(
        steward_glvnd::keep_gl_driver_out(),
        "no glvnd libEGL.so.1 here: install libegl1 (WebKitGTK depends on it)"
    );
    assert_eq!(std::env::var_os(steward_glvnd::VENDORS), None, "the variable is put back (unset)");

    // A later EGL call, as WebKitGTK makes: it would load Mesa's vendor
    // library if glvnd had read its vendors from the usual place.
    // SAFETY: as in the library: NUL-terminated names, glvnd's
    // eglGetDisplay(EGL_DEFAULT_DISPLAY) and eglQueryString(EGL_NO_DISPLAY,
    // EGL_VENDOR) signatures, nothing read from what they return.
    unsafe {
        let egl = libc::dlopen(c"libEGL.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        assert!(!egl.is_null());
        let get_display = libc::dlsym(egl, c"eglGetDisplay".as_ptr());
        assert!(!get_display.is_null());
        let get_display: extern "C" fn(*mut libc::c_void) -> *mut libc::c_void = std::mem::transmute(get_display);
        let display = get_display(std::ptr::null_mut());
        assert!(display.is_null(), "no vendor, so no display");
    }
    assert!(!mesa_mapped(), "a GL driver was loaded after all");

    // A child process reads the vendors afresh and finds Mesa.
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg("test -z \"${__EGL_VENDOR_LIBRARY_FILENAMES+set}\"")
        .status()
        .unwrap();
    assert!(child.success(), "a child process would inherit the empty vendor list");
}

//! The Tauri shell of Heat Steward (供暖管家). Only this crate knows Tauri.

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the Heat Steward app");
}

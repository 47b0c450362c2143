//! Phones: the check-in's location fix comes from the geolocation plugin.
//! Compiled for Android and iOS only; not built on the machines this
//! project is developed on (no mobile toolchains there).

use steward_device::{LocationFix, LocationProvider};
use steward_domain::geometry::LonLat;
use tauri::{AppHandle, Runtime};
use tauri_plugin_geolocation::GeolocationExt;

/// The phone's GPS through the geolocation plugin.
pub struct PhoneGps<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> LocationProvider for PhoneGps<R> {
    fn fix(&self) -> Option<LocationFix> {
        let position = self.0.geolocation().get_current_position(None).ok()?;
        let at = LonLat::new(position.coords.longitude, position.coords.latitude).ok()?;
        Some(LocationFix { at, accuracy_m: position.coords.accuracy })
    }

    fn source(&self) -> &'static str {
        "gps"
    }
}

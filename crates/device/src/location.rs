//! Where the device is: a location provider behind a trait, so the ticket
//! check-in works the same on a phone (the geolocation plugin gives fixes)
//! and on a desktop (no GPS: the steward enters the location by hand, and
//! that arrival counts as unverified).
//!
//! Tests and the end-to-end run make a desktop behave like a phone with a
//! fix through `HEAT_STEWARD_FAKE_GPS="lon,lat,accuracy_m"` ([`FakeGps`]);
//! that is the only mock, and it stands for GPS hardware.

use steward_domain::geometry::LonLat;

use crate::dto::LocationFixDto;

/// The environment variable of a fake GPS fix: `"lon,lat,accuracy_m"`.
pub const FAKE_GPS_ENV: &str = "HEAT_STEWARD_FAKE_GPS";

/// A position fix with its reported accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocationFix {
    pub at: LonLat,
    pub accuracy_m: f64,
}

/// Where fixes come from.
pub trait LocationProvider: Send + Sync {
    /// The current fix, or `None` when the device has none (no GPS, no signal).
    fn fix(&self) -> Option<LocationFix>;
    /// `gps`, `fake_gps`, …
    fn source(&self) -> &'static str;
}

/// A fixed position standing in for GPS hardware.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FakeGps(pub LocationFix);

/// Why a fake fix was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{FAKE_GPS_ENV} must be \"lon,lat,accuracy_m\" with a valid position and accuracy ≥ 0, not {0:?}")]
pub struct BadFakeGps(pub String);

impl FakeGps {
    /// Parses `"lon,lat,accuracy_m"`, e.g. `"117.1362,37.3108,8"`.
    pub fn parse(text: &str) -> Result<FakeGps, BadFakeGps> {
        let bad = || BadFakeGps(text.to_owned());
        let parts: Vec<f64> =
            text.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        let [lon, lat, accuracy_m] = parts[..] else { return Err(bad()) };
        let at = LonLat::new(lon, lat).map_err(|_| bad())?;
        if !accuracy_m.is_finite() || accuracy_m < 0.0 {
            return Err(bad());
        }
        Ok(FakeGps(LocationFix { at, accuracy_m }))
    }

    /// The fake fix of [`FAKE_GPS_ENV`], if it is set.
    pub fn from_env() -> Result<Option<FakeGps>, BadFakeGps> {
        std::env::var(FAKE_GPS_ENV).ok().map(|text| FakeGps::parse(&text)).transpose()
    }
}

impl LocationProvider for FakeGps {
    fn fix(&self) -> Option<LocationFix> {
        Some(self.0)
    }

    fn source(&self) -> &'static str {
        "fake_gps"
    }
}

impl LocationFix {
    pub fn dto(&self, source: &str) -> LocationFixDto {
        LocationFixDto { lon: self.at.lon, lat: self.at.lat, accuracy_m: self.accuracy_m, source: source.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_fix_parses_or_says_why_not() {
        let fix = FakeGps::parse(" 117.1362, 37.3108 ,8").unwrap().0;
        assert_eq!((fix.at.lon, fix.at.lat, fix.accuracy_m), (117.1362, 37.3108, 8.0));
        for bad in ["", "117,37", "117,37,8,1", "a,b,c", "200,37,8", "117,37,-1", "117,37,inf"] {
            assert!(FakeGps::parse(bad).is_err(), "{bad:?}");
        }
    }
}

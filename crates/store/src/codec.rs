//! Conversions between domain values and their column form.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::fmt::temporal::DateTimePrinter;
use rusqlite::Row;
use steward_domain::geometry::LonLat;

use crate::error::{Result, StoreError};

/// Formats a timestamp as RFC 3339 in UTC with nine fractional digits. The
/// fixed width makes text order equal time order in SQL comparisons.
pub(crate) fn ts_text(ts: Timestamp) -> String {
    DateTimePrinter::new().precision(Some(9)).timestamp_to_string(&ts)
}

/// Parses a stored timestamp.
pub(crate) fn parse_ts(text: &str) -> Result<Timestamp> {
    text.parse().map_err(|e| StoreError::Invalid(format!("timestamp {text:?}: {e}")))
}

/// Parses a stored id (or any `FromStr` value) and names the column on error.
pub(crate) fn parse_col<T: FromStr>(what: &str, text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::Invalid(format!("{what} {text:?}: {e}")))
}

/// Reads a text column and parses it.
pub(crate) fn col<T: FromStr>(row: &Row<'_>, name: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.get(name)?;
    parse_col(name, &text)
}

/// Reads an optional text column and parses it.
pub(crate) fn opt_col<T: FromStr>(row: &Row<'_>, name: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let text: Option<String> = row.get(name)?;
    text.map(|t| parse_col(name, &t)).transpose()
}

/// Reads a timestamp column.
pub(crate) fn ts_col(row: &Row<'_>, name: &str) -> Result<Timestamp> {
    let text: String = row.get(name)?;
    parse_ts(&text)
}

/// A location as JSON text, as the domain serialises it.
pub(crate) fn location_text(location: Option<LonLat>) -> Result<Option<String>> {
    Ok(location.map(|l| serde_json::to_string(&l)).transpose()?)
}

/// Reads a JSON location column.
pub(crate) fn location_col(row: &Row<'_>, name: &str) -> Result<Option<LonLat>> {
    let text: Option<String> = row.get(name)?;
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

/// Converts a count or number read from SQLite (always `i64`) to `u32`.
pub(crate) fn to_u32(what: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Invalid(format!("{what} {v} is out of range")))
}

/// Converts a count from SQLite to `u64`.
pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_fixed_width_and_round_trip() {
        let whole: Timestamp = "2026-11-01T08:00:00Z".parse().unwrap();
        let frac: Timestamp = "2026-11-01T08:00:00.5Z".parse().unwrap();
        assert_eq!(ts_text(whole), "2026-11-01T08:00:00.000000000Z");
        assert!(ts_text(whole) < ts_text(frac));
        assert_eq!(parse_ts(&ts_text(frac)).unwrap(), frac);
        assert!(parse_ts("yesterday").is_err());
    }
}

//! The 2026–27 heating season of 商河 (see DOMAIN.md) in local time, UTC+8.

use jiff::civil::{Date, date};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

/// China Standard Time, which 商河 keeps all year.
const CST: Offset = Offset::constant(8);

/// The first day with history: suspension requests and payments come in
/// before ignition.
pub(crate) const HISTORY_START: (i8, i8) = (10, 12);
/// 点火: the start of the season.
pub(crate) const IGNITION: (i8, i8) = (10, 26);
/// 注水: the secondary network is filled from Oct 28 to about Nov 4.
pub(crate) const FILLING_START: (i8, i8) = (10, 28);
pub(crate) const FILLING_END: (i8, i8) = (11, 4);
/// The official heating period starts around Nov 15.
pub(crate) const OFFICIAL_START: (i8, i8) = (11, 15);

/// The earliest and latest `as_of` the demo accepts: the season it describes.
pub(crate) fn as_of_range() -> (Timestamp, Timestamp) {
    (local(date(2026, 9, 1), 0, 0), local(date(2027, 4, 30), 0, 0))
}

/// A 2026 date of the season, as (month, day).
pub(crate) fn day(md: (i8, i8)) -> Date {
    date(2026, md.0, md.1)
}

/// The instant of a local wall-clock time in 商河.
pub(crate) fn local(d: Date, hour: i8, minute: i8) -> Timestamp {
    // Invariant: the season's dates are far inside jiff's range and a fixed
    // offset has no gaps, so this conversion cannot fail.
    CST.to_timestamp(d.at(hour, minute, 0, 0)).expect("season dates are representable")
}

/// The local date of an instant.
pub(crate) fn local_date(t: Timestamp) -> Date {
    CST.to_datetime(t).date()
}

/// The local midnight that starts the day of `t`.
pub(crate) fn local_midnight(t: Timestamp) -> Timestamp {
    local(local_date(t), 0, 0)
}

/// `t` moved by a number of minutes (fractions kept to the second).
pub(crate) fn plus_min(t: Timestamp, minutes: f64) -> Timestamp {
    // Invariant: `t` lies within the season and offsets are at most days, so
    // the sum stays far inside jiff's range.
    t + SignedDuration::from_secs((minutes * 60.0).round() as i64)
}

/// The number of whole days from `a` to `b`.
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    (b - a).get_days() as i64
}

/// The compact local date, as in hotline references: `20261103`.
pub(crate) fn yyyymmdd(t: Timestamp) -> String {
    let d = local_date(t);
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_utc_plus_eight() {
        let t = local(day(IGNITION), 9, 0);
        assert_eq!(t.to_string(), "2026-10-26T01:00:00Z");
        assert_eq!(local_date(t), day(IGNITION));
        assert_eq!(local_midnight("2026-11-26T02:00:00Z".parse().unwrap()).to_string(), "2026-11-25T16:00:00Z");
        assert_eq!(yyyymmdd("2026-11-02T17:30:00Z".parse().unwrap()), "20261103");
        assert_eq!(days_between(day(IGNITION), day(OFFICIAL_START)), 20);
    }
}

//! Report arithmetic (报表): the on-time rate, median and p90 response time,
//! day buckets in the service area's time zone. Pure functions; the central
//! feeds them rows and renders the result as JSON or CSV.
//!
//! Decisions:
//!
//! - A ticket's status comes from [`crate::sla::sla_status`] and its
//!   response time from [`SlaFacts::response_time`]; nothing here judges a
//!   ticket another way.
//! - The on-time rate is `(met + met_unverified) / (met + met_unverified +
//!   breached)`: tickets whose clock is still running (`on_track`,
//!   `at_risk`) are not judged yet, and `not_applicable` ones never are. No
//!   judged ticket gives no rate (`None`), not 0% or 100%.
//! - Response times count the tickets whose clock an arrival stopped (met,
//!   met unverified, or breached by a late arrival). The median of an even
//!   count is the mean of the two middle values; p90 is the nearest rank
//!   (the `ceil(0.9 n)`-th smallest), so it is always an observed value.
//! - Days are calendar days in Asia/Shanghai, which has kept UTC+8 without
//!   daylight saving since 1991, so the offset is fixed here and no time
//!   zone database is read.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::sla::{Arrival, SlaFacts, SlaPolicy, SlaStatus, sla_status};

/// The service area's time zone: Asia/Shanghai, UTC+8 all year.
pub fn service_tz() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

/// The calendar day in Asia/Shanghai of an instant.
pub fn service_day(at: Timestamp) -> Date {
    at.to_zoned(service_tz()).date()
}

/// A day as the integer `yyyymmdd`, the form stored in day columns.
pub fn day_number(day: Date) -> i32 {
    i32::from(day.year()) * 10_000 + i32::from(day.month()) * 100 + i32::from(day.day())
}

/// The inverse of [`day_number`]; `None` for a number that is no date.
pub fn day_from_number(n: i32) -> Option<Date> {
    let year = i16::try_from(n / 10_000).ok()?;
    let month = i8::try_from(n / 100 % 100).ok()?;
    let day = i8::try_from(n % 100).ok()?;
    Date::new(year, month, day).ok()
}

/// The first instant of a day in Asia/Shanghai (its 00:00, UTC+8).
pub fn day_start(day: Date) -> Timestamp {
    // Midnight at a fixed offset always exists.
    day.to_zoned(service_tz()).map(|z| z.timestamp()).unwrap_or(Timestamp::MIN)
}

/// The arrivals that decide the clock: the first verified arrival within the
/// deadline, the first arrival within it, and the first arrival of all (at
/// most three, in time order). Each is the earliest of its class, so for any
/// `now` [`SlaFacts::stopping_arrival`] picks the same arrival from these as
/// from all of them: a store can keep these three instead of every arrival
/// and get the same status from [`sla_status`].
pub fn decisive_arrivals(facts: &SlaFacts) -> Vec<Arrival> {
    let in_time = || facts.arrivals.iter().filter(|a| a.at <= facts.due_at);
    let candidates = [
        in_time().filter(|a| a.verdict.is_verified()).min_by_key(|a| a.at),
        in_time().min_by_key(|a| a.at),
        facts.arrivals.iter().min_by_key(|a| a.at),
    ];
    let mut out: Vec<Arrival> = Vec::with_capacity(3);
    for a in candidates.into_iter().flatten() {
        if !out.contains(a) {
            out.push(a.clone());
        }
    }
    out.sort_by_key(|a| a.at);
    out
}

/// The counts and times of a group of tickets.
#[derive(Debug, Clone, Default)]
pub struct SlaTally {
    pub tickets: u64,
    pub on_track: u64,
    pub at_risk: u64,
    pub breached: u64,
    pub met: u64,
    pub met_unverified: u64,
    pub not_applicable: u64,
    /// Response times in milliseconds of tickets an arrival stopped.
    responses_ms: Vec<i64>,
}

impl SlaTally {
    /// Counts one ticket as the domain judges it at `now`.
    pub fn add(&mut self, policy: &SlaPolicy, facts: &SlaFacts, now: Timestamp) {
        let status = sla_status(policy, facts, now);
        let response = match status {
            SlaStatus::Met | SlaStatus::MetUnverified | SlaStatus::Breached => {
                facts.stopping_arrival(now).map(|a| a.at.duration_since(facts.reported_at))
            }
            _ => None,
        };
        self.add_status(status, response);
    }

    /// Counts one ticket of a known status and response time.
    pub fn add_status(&mut self, status: SlaStatus, response: Option<SignedDuration>) {
        self.tickets += 1;
        match status {
            SlaStatus::OnTrack => self.on_track += 1,
            SlaStatus::AtRisk => self.at_risk += 1,
            SlaStatus::Breached => self.breached += 1,
            SlaStatus::Met => self.met += 1,
            SlaStatus::MetUnverified => self.met_unverified += 1,
            SlaStatus::NotApplicable => self.not_applicable += 1,
        }
        if let Some(r) = response {
            self.responses_ms.push(r.as_millis() as i64);
        }
    }

    /// Adds another tally's counts and times to this one.
    pub fn merge(&mut self, other: &SlaTally) {
        self.tickets += other.tickets;
        self.on_track += other.on_track;
        self.at_risk += other.at_risk;
        self.breached += other.breached;
        self.met += other.met;
        self.met_unverified += other.met_unverified;
        self.not_applicable += other.not_applicable;
        self.responses_ms.extend_from_slice(&other.responses_ms);
    }

    /// The figures of the group.
    pub fn finish(mut self) -> SlaFigures {
        self.responses_ms.sort_unstable();
        let judged = self.met + self.met_unverified + self.breached;
        SlaFigures {
            tickets: self.tickets,
            on_track: self.on_track,
            at_risk: self.at_risk,
            breached: self.breached,
            met: self.met,
            met_unverified: self.met_unverified,
            not_applicable: self.not_applicable,
            on_time_rate: rate(self.met + self.met_unverified, judged),
            responses: self.responses_ms.len() as u64,
            median_response_s: median_ms(&self.responses_ms).map(|ms| ms / 1000.0),
            p90_response_s: nearest_rank_ms(&self.responses_ms, 90).map(|ms| ms as f64 / 1000.0),
        }
    }
}

/// A group's SLA figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaFigures {
    pub tickets: u64,
    pub on_track: u64,
    pub at_risk: u64,
    pub breached: u64,
    pub met: u64,
    pub met_unverified: u64,
    pub not_applicable: u64,
    /// `(met + met_unverified) / (met + met_unverified + breached)`, 0–1.
    pub on_time_rate: Option<f64>,
    /// How many response times the median and p90 are over.
    pub responses: u64,
    pub median_response_s: Option<f64>,
    pub p90_response_s: Option<f64>,
}

/// `part / whole` as 0–1, `None` when `whole` is 0.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The median of sorted values: the middle one, or the mean of the two
/// middle ones.
pub fn median_ms(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0),
    }
}

/// The `percent`-th percentile of sorted values by nearest rank: the
/// `ceil(percent/100 × n)`-th smallest (at least the first).
pub fn nearest_rank_ms(sorted: &[i64], percent: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * percent.min(100) as usize).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// A mean of satisfaction scores, `None` with none.
pub fn mean(sum: u64, count: u64) -> Option<f64> {
    rate(sum, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::{ArrivalVerdict, UnverifiedReason, VerificationMethod};
    use crate::ticket::TicketCategory;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn days_are_shanghai_days() {
        let cases = [
            ("2026-11-20T15:59:59Z", "2026-11-20"),
            ("2026-11-20T16:00:00Z", "2026-11-21"),
            ("2026-12-31T16:00:00Z", "2027-01-01"),
            ("2026-11-20T00:00:00Z", "2026-11-20"),
        ];
        for (at, day) in cases {
            assert_eq!(service_day(ts(at)).to_string(), day, "{at}");
        }
        let d: Date = "2026-11-21".parse().unwrap();
        assert_eq!(day_start(d), ts("2026-11-20T16:00:00Z"));
        assert_eq!(day_number(d), 20261121);
        assert_eq!(day_from_number(20261121), Some(d));
        assert_eq!(day_from_number(20261131), None);
    }

    #[test]
    fn median_and_p90_by_hand() {
        // 1..=10 minutes: median (5+6)/2 = 5.5, p90 rank ceil(9) = 9th.
        let v: Vec<i64> = (1..=10).map(|m| m * 60_000).collect();
        assert_eq!(median_ms(&v), Some(330_000.0));
        assert_eq!(nearest_rank_ms(&v, 90), Some(540_000));
        // Three values: median the middle one, p90 rank ceil(2.7) = 3rd.
        assert_eq!(median_ms(&[1, 2, 100]), Some(2.0));
        assert_eq!(nearest_rank_ms(&[1, 2, 100], 90), Some(100));
        assert_eq!(nearest_rank_ms(&[7], 90), Some(7));
        assert_eq!(nearest_rank_ms(&[1, 2], 0), Some(1));
        assert_eq!(median_ms(&[]), None);
        assert_eq!(nearest_rank_ms(&[], 90), None);
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(3, 4), Some(0.75));
    }

    fn verified(at: &str) -> Arrival {
        Arrival { at: ts(at), verdict: ArrivalVerdict::Verified { method: VerificationMethod::Gps } }
    }

    fn unverified(at: &str) -> Arrival {
        Arrival { at: ts(at), verdict: ArrivalVerdict::Unverified { reason: UnverifiedReason::InvalidFix } }
    }

    fn facts(category: TicketCategory, arrivals: Vec<Arrival>, cancelled: Option<&str>) -> SlaFacts {
        SlaFacts {
            category,
            reported_at: ts("2026-11-20T08:00:00Z"),
            due_at: ts("2026-11-20T08:30:00Z"),
            arrivals,
            cancelled_at: cancelled.map(ts),
            best_eta: None,
        }
    }

    #[test]
    fn tally_matches_hand_counts() {
        let now = ts("2026-11-20T09:00:00Z");
        let early = |min: u32| format!("2026-11-20T08:{min:02}:00Z");
        let policy = SlaPolicy::default();
        let mut t = SlaTally::default();
        // Met at 10, 20 min; met unverified at 25; breached by arrival at 40;
        // breached without arrival; cancelled in time; consultation.
        t.add(&policy, &facts(TicketCategory::NoHeat, vec![verified(&early(10))], None), now);
        t.add(&policy, &facts(TicketCategory::Leak, vec![verified(&early(20))], None), now);
        t.add(&policy, &facts(TicketCategory::Valve, vec![unverified(&early(25))], None), now);
        t.add(&policy, &facts(TicketCategory::NoHeat, vec![verified(&early(40))], None), now);
        t.add(&policy, &facts(TicketCategory::NoHeat, vec![], None), now);
        t.add(&policy, &facts(TicketCategory::NoHeat, vec![], Some(&early(5))), now);
        t.add(&policy, &facts(TicketCategory::Consultation, vec![], None), now);
        // Still running at 08:15.
        t.add(&policy, &facts(TicketCategory::NoHeat, vec![], None), ts("2026-11-20T08:15:00Z"));
        let f = t.finish();
        assert_eq!(
            (f.tickets, f.met, f.met_unverified, f.breached, f.not_applicable, f.on_track, f.at_risk),
            (8, 2, 1, 2, 2, 1, 0)
        );
        assert_eq!(f.on_time_rate, Some(0.6));
        assert_eq!(f.responses, 4);
        assert_eq!(f.median_response_s, Some(22.5 * 60.0));
        assert_eq!(f.p90_response_s, Some(40.0 * 60.0));
    }

    /// A small deterministic generator, so the domain reads no random source.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn decisive_arrivals_give_the_same_status_at_every_instant() {
        let policy = SlaPolicy::default();
        let base = ts("2026-11-20T08:00:00Z");
        let at = |min: u64| base.checked_add(SignedDuration::from_mins(min as i64)).unwrap();
        let mut rng = Lcg(2026);
        for _ in 0..2000 {
            let arrivals: Vec<Arrival> = (0..rng.next(5))
                .map(|_| {
                    let t = at(rng.next(60));
                    if rng.next(2) == 0 {
                        Arrival { at: t, verdict: ArrivalVerdict::Verified { method: VerificationMethod::TagScan } }
                    } else {
                        Arrival { at: t, verdict: ArrivalVerdict::Unverified { reason: UnverifiedReason::InvalidFix } }
                    }
                })
                .collect();
            let cancelled = (rng.next(4) == 0).then(|| at(rng.next(60)));
            let full = SlaFacts { cancelled_at: cancelled, ..facts(TicketCategory::NoHeat, arrivals, None) };
            let reduced = SlaFacts { arrivals: decisive_arrivals(&full), ..full.clone() };
            assert!(reduced.arrivals.len() <= 3);
            for now in (0..70).step_by(3).map(at) {
                assert_eq!(sla_status(&policy, &reduced, now), sla_status(&policy, &full, now), "{full:?} at {now}");
                assert_eq!(reduced.stopping_arrival(now), full.stopping_arrival(now));
            }
            assert_eq!(reduced.response_time(), full.response_time());
        }
    }
}

//! Dispatch (派单): ranking the stewards (供暖管家) who could reach a ticket's
//! home, by estimated arrival.
//!
//! The ETA is the great-circle (haversine) distance from the steward's last
//! known position, or the district centroid when that is unknown or too old,
//! at a configured speed, plus a penalty per open ticket. The ranking is a
//! pure function of its inputs and `now`; ties break on the steward id, so the
//! same input always gives the same order.

use std::cmp::Ordering;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::geometry::{LonLat, haversine_m};
use crate::ids::UserId;

/// Bicycle or scooter speed through town.
pub const DEFAULT_SPEED_KMH: f64 = 15.0;
/// Minutes added per ticket the steward already has open.
pub const DEFAULT_LOAD_PENALTY_MINUTES: f64 = 10.0;
/// A device that has not synced for this long is stale.
pub const DEFAULT_STALE_AFTER_MINUTES: u32 = 10;
/// A position older than this gives way to the district centroid.
pub const DEFAULT_POSITION_MAX_AGE_MINUTES: u32 = 60;

/// A dispatch configuration that makes no sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DispatchConfigError {
    #[error("speed {0} km/h must be finite and more than 0")]
    Speed(f64),
    #[error("load penalty {0} minutes must be finite and not negative")]
    LoadPenalty(f64),
}

/// How candidates are ranked. Validated on construction and deserialisation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DispatchConfigWire", into = "DispatchConfigWire")]
pub struct DispatchConfig {
    speed_kmh: f64,
    load_penalty_minutes: f64,
    stale_after_minutes: u32,
    position_max_age_minutes: u32,
}

#[derive(Serialize, Deserialize)]
struct DispatchConfigWire {
    speed_kmh: f64,
    load_penalty_minutes: f64,
    stale_after_minutes: u32,
    position_max_age_minutes: u32,
}

impl TryFrom<DispatchConfigWire> for DispatchConfig {
    type Error = DispatchConfigError;
    fn try_from(w: DispatchConfigWire) -> Result<Self, DispatchConfigError> {
        DispatchConfig::new(w.speed_kmh, w.load_penalty_minutes, w.stale_after_minutes, w.position_max_age_minutes)
    }
}

impl From<DispatchConfig> for DispatchConfigWire {
    fn from(c: DispatchConfig) -> Self {
        DispatchConfigWire {
            speed_kmh: c.speed_kmh,
            load_penalty_minutes: c.load_penalty_minutes,
            stale_after_minutes: c.stale_after_minutes,
            position_max_age_minutes: c.position_max_age_minutes,
        }
    }
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            speed_kmh: DEFAULT_SPEED_KMH,
            load_penalty_minutes: DEFAULT_LOAD_PENALTY_MINUTES,
            stale_after_minutes: DEFAULT_STALE_AFTER_MINUTES,
            position_max_age_minutes: DEFAULT_POSITION_MAX_AGE_MINUTES,
        }
    }
}

impl DispatchConfig {
    pub fn new(
        speed_kmh: f64,
        load_penalty_minutes: f64,
        stale_after_minutes: u32,
        position_max_age_minutes: u32,
    ) -> Result<Self, DispatchConfigError> {
        if !(speed_kmh.is_finite() && speed_kmh > 0.0) {
            return Err(DispatchConfigError::Speed(speed_kmh));
        }
        if !(load_penalty_minutes.is_finite() && load_penalty_minutes >= 0.0) {
            return Err(DispatchConfigError::LoadPenalty(load_penalty_minutes));
        }
        Ok(DispatchConfig { speed_kmh, load_penalty_minutes, stale_after_minutes, position_max_age_minutes })
    }

    pub fn speed_kmh(&self) -> f64 {
        self.speed_kmh
    }
    pub fn load_penalty_minutes(&self) -> f64 {
        self.load_penalty_minutes
    }
    pub fn stale_after(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.stale_after_minutes))
    }
    pub fn position_max_age(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.position_max_age_minutes))
    }
}

/// Where the ticket's household is and when the steward is due.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DispatchTicket {
    pub location: LonLat,
    pub due_at: Timestamp,
}

/// A position reported by a steward's device.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PositionFix {
    pub at: LonLat,
    pub seen_at: Timestamp,
}

/// What the central knows about one steward at dispatch time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StewardSnapshot {
    pub steward_id: UserId,
    pub last_fix: Option<PositionFix>,
    /// The centroid of the steward's district (片区), the fallback position.
    pub district_centroid: Option<LonLat>,
    /// Tickets the steward has open now.
    pub open_tickets: u32,
    pub last_sync_at: Option<Timestamp>,
    /// Records waiting on the steward's device to be uploaded.
    pub queued: u32,
}

/// Which position the ETA was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    LastFix,
    DistrictCentroid,
}

/// One row of `GET /api/v1/tickets/{id}/candidates`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub steward_id: UserId,
    /// Travel time plus load penalty, in minutes.
    pub eta_minutes: f64,
    /// `now + eta` is at or before the ticket's `due_at`.
    pub meets_deadline: bool,
    /// No sync for `stale_after` (10 minutes by default) or more, or never.
    pub stale: bool,
    pub queued: u32,
    pub distance_m: f64,
    pub position_source: PositionSource,
}

impl Candidate {
    /// When this steward is expected at the door if sent at `now`: the
    /// `best_eta` of [`crate::sla::SlaFacts`] for the best row, or for the
    /// assignee's row once dispatched.
    pub fn eta_at(&self, now: Timestamp) -> Timestamp {
        SignedDuration::try_from_secs_f64(self.eta_minutes * 60.0)
            .ok()
            .and_then(|d| now.checked_add(d).ok())
            .unwrap_or(Timestamp::MAX)
    }
}

/// ETAs are floating-point estimates; an ETA within this (60 µs) of the
/// deadline meets it, so a hand-computed exact arrival is not lost to rounding.
const DEADLINE_TOLERANCE_MINUTES: f64 = 1e-6;

/// The ranking order: earliest ETA first, then steward id.
fn by_eta(a: &Candidate, b: &Candidate) -> Ordering {
    a.eta_minutes.total_cmp(&b.eta_minutes).then_with(|| a.steward_id.cmp(&b.steward_id))
}

/// Ranks the stewards for a ticket, earliest ETA first; with `limit`, only
/// the best `limit` rows. A steward with neither a position nor a district
/// centroid cannot be placed and is left out.
pub fn rank_candidates(
    ticket: &DispatchTicket,
    stewards: &[StewardSnapshot],
    now: Timestamp,
    config: &DispatchConfig,
    limit: Option<usize>,
) -> Vec<Candidate> {
    let mut out = Vec::with_capacity(stewards.len());
    rank_candidates_into(ticket, stewards, now, config, limit, &mut out);
    out
}

/// [`rank_candidates`] into a caller's buffer, which is cleared first; a
/// buffer kept between calls makes ranking allocation-free.
pub fn rank_candidates_into(
    ticket: &DispatchTicket,
    stewards: &[StewardSnapshot],
    now: Timestamp,
    config: &DispatchConfig,
    limit: Option<usize>,
    out: &mut Vec<Candidate>,
) {
    out.clear();
    out.reserve(stewards.len());
    let metres_per_minute = config.speed_kmh * 1000.0 / 60.0;
    let minutes_left = ticket.due_at.duration_since(now).as_secs_f64() / 60.0;
    let stale_after = config.stale_after();
    let max_age = config.position_max_age();
    out.extend(stewards.iter().filter_map(|s| {
        let fresh_fix = s.last_fix.filter(|f| now.duration_since(f.seen_at) <= max_age);
        let (from, position_source) = match (fresh_fix, s.district_centroid, s.last_fix) {
            (Some(f), _, _) => (f.at, PositionSource::LastFix),
            (None, Some(c), _) => (c, PositionSource::DistrictCentroid),
            (None, None, Some(old)) => (old.at, PositionSource::LastFix),
            (None, None, None) => return None,
        };
        let distance_m = haversine_m(from, ticket.location);
        let eta_minutes = distance_m / metres_per_minute + f64::from(s.open_tickets) * config.load_penalty_minutes;
        Some(Candidate {
            steward_id: s.steward_id,
            eta_minutes,
            meets_deadline: eta_minutes <= minutes_left + DEADLINE_TOLERANCE_MINUTES,
            stale: s.last_sync_at.is_none_or(|t| now.duration_since(t) >= stale_after),
            queued: s.queued,
            distance_m,
            position_source,
        })
    }));
    match limit {
        Some(0) => out.clear(),
        Some(k) if k < out.len() => {
            out.select_nth_unstable_by(k - 1, by_eta);
            out.truncate(k);
            out.sort_unstable_by(by_eta);
        }
        _ => out.sort_unstable_by(by_eta),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn uid(n: u8) -> UserId {
        UserId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    const NOW: &str = "2026-11-20T08:00:00Z";

    fn home() -> LonLat {
        LonLat::new(117.0, 37.0).unwrap()
    }

    /// `metres` due north of `from`: along a meridian the haversine distance
    /// is R·Δφ with R = 6 371 008.8 m, so the distance is known by hand.
    fn north(from: LonLat, metres: f64) -> LonLat {
        LonLat::new(from.lon, from.lat + (metres / 6_371_008.8).to_degrees()).unwrap()
    }

    fn steward(n: u8, fix: Option<(LonLat, &str)>, centroid: Option<LonLat>, open: u32) -> StewardSnapshot {
        StewardSnapshot {
            steward_id: uid(n),
            last_fix: fix.map(|(at, seen)| PositionFix { at, seen_at: ts(seen) }),
            district_centroid: centroid,
            open_tickets: open,
            last_sync_at: Some(ts("2026-11-20T07:55:00Z")),
            queued: 0,
        }
    }

    #[test]
    fn ranking_against_hand_computed_distances() {
        let ticket = DispatchTicket { location: home(), due_at: ts("2026-11-20T08:25:00Z") };
        let seen = "2026-11-20T07:58:00Z";
        // Two points in Jinan 11 722.46 m apart (see the geometry tests): at
        // 15 km/h = 250 m/min that is 46.88984 minutes.
        let square = LonLat::new(117.0216, 36.6616).unwrap();
        let station = LonLat::new(116.8906, 36.6701).unwrap();
        let far_ticket = DispatchTicket { location: station, due_at: ticket.due_at };

        let mut stale = steward(6, Some((north(home(), 2_000.0), seen)), None, 0);
        stale.last_sync_at = Some(ts("2026-11-20T07:50:00Z"));
        stale.queued = 7;
        let mut never_synced = steward(7, Some((north(home(), 2_500.0), seen)), None, 0);
        never_synced.last_sync_at = None;
        let stewards = [
            // 1.5 km at 15 km/h: 6 minutes.
            steward(2, Some((north(home(), 1_500.0), seen)), None, 0),
            // The same 6 minutes from the district centroid; no fix.
            steward(1, None, Some(north(home(), 1_500.0)), 0),
            // 0.5 km is 2 minutes, plus 2 open tickets × 10 minutes.
            steward(3, Some((north(home(), 500.0), seen)), None, 2),
            // A fix two hours old gives way to the centroid 3 km away: 12 minutes.
            steward(4, Some((home(), "2026-11-20T06:00:00Z")), Some(north(home(), 3_000.0)), 0),
            // An old fix and no centroid: the old fix is all there is, 0 minutes.
            steward(5, Some((north(home(), 0.0), "2026-11-20T06:00:00Z")), None, 3),
            stale,
            never_synced,
            // Nowhere to place this one.
            steward(8, None, None, 0),
        ];
        let rows = rank_candidates(&ticket, &stewards, ts(NOW), &DispatchConfig::default(), None);
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                let n = (1..=8).find(|&n| uid(n) == r.steward_id).unwrap();
                (n, (r.eta_minutes * 1e6).round() / 1e6, r.meets_deadline, r.stale, r.queued, r.position_source)
            })
            .collect();
        use PositionSource::*;
        // Stewards 1 and 2 tie on ETA; the lower id comes first.
        assert!(uid(1) < uid(2));
        let expect = [
            (1, 6.0, true, false, 0, DistrictCentroid),
            (2, 6.0, true, false, 0, LastFix),
            (6, 8.0, true, true, 7, LastFix),
            (7, 10.0, true, true, 0, LastFix),
            (4, 12.0, true, false, 0, DistrictCentroid),
            (3, 22.0, true, false, 0, LastFix),
            (5, 30.0, false, false, 0, LastFix),
        ];
        assert_eq!(got, expect);
        assert!((rows[0].distance_m - 1_500.0).abs() < 1e-6);

        let far = rank_candidates(
            &far_ticket,
            &[steward(1, Some((square, seen)), None, 0)],
            ts(NOW),
            &DispatchConfig::default(),
            None,
        );
        assert!((far[0].distance_m - 11_722.46).abs() < 0.01, "{}", far[0].distance_m);
        assert!((far[0].eta_minutes - 46.88984).abs() < 1e-4, "{}", far[0].eta_minutes);
        assert!(!far[0].meets_deadline);
        assert_eq!(rows[0].eta_at(ts(NOW)), ts("2026-11-20T08:06:00Z"));
        // 46.88984 minutes is 46:53.3904, to the centimetre of the distance.
        let off = far[0].eta_at(ts(NOW)).duration_since(ts("2026-11-20T08:46:53.3904Z"));
        assert!(off.abs() < SignedDuration::from_millis(5), "{off:?}");
    }

    #[test]
    fn deadline_and_staleness_edges() {
        // 25 minutes left; 6 250 m at 250 m/min is exactly 25 minutes.
        let ticket = DispatchTicket { location: home(), due_at: ts("2026-11-20T08:25:00Z") };
        let seen = "2026-11-20T07:59:00Z";
        let cases = [
            ("exactly at the deadline", 6_250.0, "2026-11-20T07:55:00Z", true, false),
            ("one metre past it", 6_251.0, "2026-11-20T07:55:00Z", false, false),
            ("synced 9:59 ago", 100.0, "2026-11-20T07:50:01Z", true, false),
            ("synced exactly 10 minutes ago", 100.0, "2026-11-20T07:50:00Z", true, true),
        ];
        for (name, metres, synced, meets, stale) in cases {
            let mut s = steward(1, Some((north(home(), metres), seen)), None, 0);
            s.last_sync_at = Some(ts(synced));
            let row = rank_candidates(&ticket, &[s], ts(NOW), &DispatchConfig::default(), None)[0];
            assert_eq!((row.meets_deadline, row.stale), (meets, stale), "{name}");
        }
    }

    #[test]
    fn limit_gives_the_same_head_and_ties_are_deterministic() {
        let ticket = DispatchTicket { location: home(), due_at: ts("2026-11-20T08:30:00Z") };
        let seen = "2026-11-20T07:59:00Z";
        // 60 stewards at 20 distinct distances, three per distance.
        let stewards: Vec<_> =
            (0..60u8).map(|n| steward(n, Some((north(home(), f64::from(n % 20) * 300.0), seen)), None, 0)).collect();
        let config = DispatchConfig::default();
        let all = rank_candidates(&ticket, &stewards, ts(NOW), &config, None);
        assert_eq!(all.len(), 60);
        assert!(all.windows(2).all(|w| by_eta(&w[0], &w[1]) == Ordering::Less));
        let mut reversed = stewards.clone();
        reversed.reverse();
        assert_eq!(rank_candidates(&ticket, &reversed, ts(NOW), &config, None), all);
        for k in [0, 1, 5, 59, 60, 100] {
            let head = rank_candidates(&ticket, &reversed, ts(NOW), &config, Some(k));
            assert_eq!(head, all[..k.min(60)], "limit {k}");
        }
    }

    #[test]
    fn config_validation_and_serde() {
        assert_eq!(DispatchConfig::new(0.0, 10.0, 10, 60), Err(DispatchConfigError::Speed(0.0)));
        assert!(DispatchConfig::new(f64::NAN, 10.0, 10, 60).is_err());
        assert_eq!(DispatchConfig::new(15.0, -1.0, 10, 60), Err(DispatchConfigError::LoadPenalty(-1.0)));
        let c = DispatchConfig::new(20.0, 5.0, 15, 30).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<DispatchConfig>(&json).unwrap(), c);
        let bad =
            r#"{"speed_kmh":-3,"load_penalty_minutes":10,"stale_after_minutes":10,"position_max_age_minutes":60}"#;
        assert!(serde_json::from_str::<DispatchConfig>(bad).is_err());
        assert_eq!(DispatchConfig::default().stale_after(), SignedDuration::from_mins(10));
    }
}

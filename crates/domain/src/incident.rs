//! Station incidents: when a heat-exchange station (换热站) fails, every
//! community on its secondary network (二次网) calls the hotline about no heat
//! at once. Five or more such tickets within 30 minutes become one incident
//! for the team lead instead of five dispatches.
//!
//! The rule, per station, over no-heat tickets ordered by report time (ties by
//! ticket id):
//!
//! - An incident starts when `threshold` tickets fall within one `window`
//!   (first to last report at most `window` apart; the edge counts as within).
//! - It then absorbs every later ticket reported within `window` of the
//!   incident's last ticket, so a continuing outage stays one incident.
//! - After a gap longer than `window` detection starts afresh.
//!
//! Tickets from communities with no known station are ignored. The function
//! is pure: run it over the recent tickets at each new report; an incident is
//! identified by its station and first ticket, which do not change as it grows.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, StationId, TicketId};

pub const DEFAULT_INCIDENT_THRESHOLD: usize = 5;
pub const DEFAULT_INCIDENT_WINDOW_MINUTES: u32 = 30;

/// How many no-heat tickets within how long make an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentConfig {
    /// At least 1; 0 is treated as 1.
    pub threshold: usize,
    pub window_minutes: u32,
}

impl IncidentConfig {
    pub fn window(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.window_minutes))
    }
}

impl Default for IncidentConfig {
    fn default() -> Self {
        IncidentConfig { threshold: DEFAULT_INCIDENT_THRESHOLD, window_minutes: DEFAULT_INCIDENT_WINDOW_MINUTES }
    }
}

/// A no-heat ticket (不热) as incident detection sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoHeatReport {
    pub ticket_id: TicketId,
    pub reported_at: Timestamp,
    pub community_id: CommunityId,
}

/// Several no-heat tickets explained by one station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationIncident {
    pub station_id: StationId,
    /// In report order.
    pub ticket_ids: Vec<TicketId>,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// Finds the station incidents among `reports`, ordered by `first_at` then
/// station id. `station_of` says which station feeds a community.
pub fn detect_station_incidents(
    reports: &[NoHeatReport],
    station_of: impl Fn(CommunityId) -> Option<StationId>,
    config: &IncidentConfig,
) -> Vec<StationIncident> {
    let threshold = config.threshold.max(1);
    let window = config.window();
    let mut by_station: HashMap<StationId, Vec<(Timestamp, TicketId)>> = HashMap::new();
    for r in reports {
        if let Some(station) = station_of(r.community_id) {
            by_station.entry(station).or_default().push((r.reported_at, r.ticket_id));
        }
    }
    let mut incidents = Vec::new();
    for (station_id, mut tickets) in by_station {
        tickets.sort_unstable();
        tickets.dedup();
        let mut start = 0;
        let mut end = 0;
        while end < tickets.len() {
            while tickets[end].0.duration_since(tickets[start].0) > window {
                start += 1;
            }
            if end + 1 - start < threshold {
                end += 1;
                continue;
            }
            // Grow the incident while the next ticket is within a window of its last one.
            while end + 1 < tickets.len() && tickets[end + 1].0.duration_since(tickets[end].0) <= window {
                end += 1;
            }
            let members = &tickets[start..=end];
            incidents.push(StationIncident {
                station_id,
                ticket_ids: members.iter().map(|t| t.1).collect(),
                first_at: members[0].0,
                last_at: members[members.len() - 1].0,
            });
            end += 1;
            start = end;
        }
    }
    incidents.sort_by_key(|i| (i.first_at, i.station_id));
    incidents
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: &str = "2026-11-20T06:00:00Z";

    fn at(mmss: &str) -> Timestamp {
        let (m, s) = mmss.split_once(':').unwrap();
        let secs = m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap();
        T0.parse::<Timestamp>().unwrap().checked_add(SignedDuration::from_secs(secs)).unwrap()
    }

    fn tid(n: u8) -> TicketId {
        TicketId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    fn community(n: u8) -> CommunityId {
        CommunityId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    fn station(n: u8) -> StationId {
        StationId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    /// Communities 1–3 are fed by station 1 (实验中学站), 4–5 by station 2,
    /// and 9 has no station on record.
    fn station_of(c: CommunityId) -> Option<StationId> {
        match (1..=9).find(|&n| community(n) == c)? {
            1..=3 => Some(station(1)),
            4 | 5 => Some(station(2)),
            _ => None,
        }
    }

    /// Reports as (ticket, community, mm:ss after T0); expected incidents as
    /// (station, tickets).
    type Case = (&'static str, &'static [(u8, u8, &'static str)], &'static [(u8, &'static [u8])]);

    #[test]
    fn incident_table() {
        let cases: &[Case] = &[
            (
                "four within the window: none",
                &[(1, 1, "00:00"), (2, 2, "05:00"), (3, 3, "10:00"), (4, 1, "29:00")],
                &[],
            ),
            (
                "five within the window: one",
                &[(1, 1, "00:00"), (2, 2, "05:00"), (3, 3, "10:00"), (4, 1, "20:00"), (5, 2, "29:59")],
                &[(1, &[1, 2, 3, 4, 5])],
            ),
            (
                "five spanning exactly 30:00: one",
                &[(1, 1, "00:00"), (2, 2, "05:00"), (3, 3, "10:00"), (4, 1, "20:00"), (5, 2, "30:00")],
                &[(1, &[1, 2, 3, 4, 5])],
            ),
            (
                "five spanning 30:01: none",
                &[(1, 1, "00:00"), (2, 2, "05:00"), (3, 3, "10:00"), (4, 1, "20:00"), (5, 2, "30:01")],
                &[],
            ),
            (
                "the window slides past an early outlier",
                &[(1, 1, "00:00"), (2, 2, "05:00"), (3, 3, "31:00"), (4, 1, "32:00"), (5, 2, "33:00"), (6, 3, "34:00")],
                &[(1, &[2, 3, 4, 5, 6])],
            ),
            (
                "an outlier more than a window early stays out",
                &[(1, 1, "00:00"), (2, 2, "31:00"), (3, 3, "32:00"), (4, 1, "33:00"), (5, 2, "34:00"), (6, 3, "35:00")],
                &[(1, &[2, 3, 4, 5, 6])],
            ),
            (
                "five split over two stations: none",
                &[(1, 1, "00:00"), (2, 2, "01:00"), (3, 3, "02:00"), (4, 4, "03:00"), (5, 5, "04:00")],
                &[],
            ),
            (
                "a community with no station does not count",
                &[(1, 1, "00:00"), (2, 2, "01:00"), (3, 3, "02:00"), (4, 1, "03:00"), (5, 9, "04:00")],
                &[],
            ),
            (
                "a later ticket within a window of the last joins",
                &[
                    (1, 1, "00:00"),
                    (2, 2, "01:00"),
                    (3, 3, "02:00"),
                    (4, 1, "03:00"),
                    (5, 2, "04:00"),
                    (6, 3, "34:00"),
                    (7, 1, "64:01"),
                ],
                &[(1, &[1, 2, 3, 4, 5, 6])],
            ),
            (
                "two outages at one station, an hour apart",
                &[
                    (1, 1, "00:00"),
                    (2, 2, "01:00"),
                    (3, 3, "02:00"),
                    (4, 1, "03:00"),
                    (5, 2, "04:00"),
                    (6, 1, "60:00"),
                    (7, 2, "61:00"),
                    (8, 3, "62:00"),
                    (9, 1, "63:00"),
                    (10, 2, "64:00"),
                ],
                &[(1, &[1, 2, 3, 4, 5]), (1, &[6, 7, 8, 9, 10])],
            ),
            (
                "two stations at once, in order of first report",
                &[
                    (1, 4, "00:00"),
                    (2, 5, "01:00"),
                    (3, 4, "02:00"),
                    (4, 5, "03:00"),
                    (5, 4, "04:00"),
                    (6, 1, "00:30"),
                    (7, 2, "01:30"),
                    (8, 3, "02:30"),
                    (9, 1, "03:30"),
                    (10, 2, "04:30"),
                ],
                &[(2, &[1, 2, 3, 4, 5]), (1, &[6, 7, 8, 9, 10])],
            ),
        ];
        for (name, reports, expect) in cases {
            let reports: Vec<_> = reports
                .iter()
                .map(|&(t, c, mmss)| NoHeatReport {
                    ticket_id: tid(t),
                    reported_at: at(mmss),
                    community_id: community(c),
                })
                .collect();
            let mut shuffled = reports.clone();
            shuffled.reverse();
            let got = detect_station_incidents(&shuffled, station_of, &IncidentConfig::default());
            let got: Vec<(u8, Vec<u8>)> = got
                .iter()
                .map(|i| {
                    let s = (1..=2).find(|&n| station(n) == i.station_id).unwrap();
                    let ts = i.ticket_ids.iter().map(|id| (1..=20).find(|&n| tid(n) == *id).unwrap()).collect();
                    (s, ts)
                })
                .collect();
            let expect: Vec<(u8, Vec<u8>)> = expect.iter().map(|(s, ts)| (*s, ts.to_vec())).collect();
            assert_eq!(got, expect, "{name}");
        }
    }

    #[test]
    fn incident_times_and_configured_threshold() {
        let reports: Vec<_> = [(1, "00:00"), (2, "10:00"), (3, "19:00")]
            .iter()
            .map(|&(n, mmss)| NoHeatReport { ticket_id: tid(n), reported_at: at(mmss), community_id: community(1) })
            .collect();
        assert!(detect_station_incidents(&reports, station_of, &IncidentConfig::default()).is_empty());
        let three = IncidentConfig { threshold: 3, window_minutes: 20 };
        let got = detect_station_incidents(&reports, station_of, &three);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].first_at, got[0].last_at), (at("00:00"), at("19:00")));
        // A repeated report of the same ticket counts once.
        let mut doubled = reports.clone();
        doubled.push(reports[2]);
        let four = IncidentConfig { threshold: 4, window_minutes: 20 };
        assert!(detect_station_incidents(&doubled, station_of, &four).is_empty());
    }
}

//! Where each steward's device last said it was (管家位置), so that the
//! team lead's map shows the team at work from the first start: each
//! steward at a door in their own district, a few minutes before the demo's
//! "now". A report from a real device replaces it.

use std::collections::HashMap;

use geo::{Contains, MultiPolygon};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use steward_domain::geometry::{LonLat, random_point_in};
use steward_domain::ground::{Building, Community, District};
use steward_domain::ids::{DistrictId, UserId};

use crate::rng::DemoRng;

/// A steward's last known position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DemoPosition {
    pub steward_id: UserId,
    pub at: LonLat,
    /// When the device reported it.
    pub seen_at: Timestamp,
}

/// How far from a building's point a steward stands, at most, in metres:
/// at its door or in its yard, with a phone's GPS error.
const NEAR_BUILDING_M: f64 = 30.0;

/// The newest a demo position is, and the oldest, in seconds before `as_of`.
const AGE_S: (u32, u32) = (2 * 60, 12 * 60);

/// One position for the steward of each district (the first district of a
/// steward with several), in the order of `districts`: near a building of
/// the district and inside it, or anywhere in it when it has no building.
pub(crate) fn build(
    districts: &[District],
    boundaries: &[(DistrictId, MultiPolygon<f64>)],
    communities: &[Community],
    buildings: &[Building],
    as_of: Timestamp,
    rng: &mut DemoRng,
) -> Vec<DemoPosition> {
    let district_of: HashMap<_, _> = communities.iter().map(|c| (c.id, c.district_id)).collect();
    let mut points: HashMap<DistrictId, Vec<LonLat>> = HashMap::new();
    for b in buildings {
        if let Some(d) = district_of.get(&b.community_id) {
            points.entry(*d).or_default().push(b.location);
        }
    }
    let boundary: HashMap<_, _> = boundaries.iter().map(|(d, g)| (*d, g)).collect();
    let mut out: Vec<DemoPosition> = Vec::new();
    for d in districts {
        let Some(steward_id) = d.steward_id else { continue };
        if out.iter().any(|p| p.steward_id == steward_id) {
            continue;
        }
        let area = boundary.get(&d.id).copied();
        let at = match points.get(&d.id).filter(|p| !p.is_empty()) {
            Some(doors) => {
                let door = doors[rng.index(doors.len())];
                // Stays in the district: a door on its edge keeps its own point.
                let moved = near(door, rng);
                if area.is_none_or(|a| a.contains(&moved.to_point())) { moved } else { door }
            }
            None => match area.and_then(|g| random_point_in(g, || rng.u01())) {
                Some(p) => p,
                None => continue,
            },
        };
        let age = SignedDuration::from_secs(i64::from(rng.int(AGE_S.0, AGE_S.1)));
        let seen_at = as_of.checked_sub(age).unwrap_or(as_of);
        out.push(DemoPosition { steward_id, at, seen_at });
    }
    out
}

/// A point up to [`NEAR_BUILDING_M`] from `p`.
fn near(p: LonLat, rng: &mut DemoRng) -> LonLat {
    let (r, bearing) = (NEAR_BUILDING_M * rng.u01().sqrt(), rng.real(0.0, std::f64::consts::TAU));
    let m_per_deg_lat = 111_320.0;
    let m_per_deg_lon = m_per_deg_lat * p.lat.to_radians().cos();
    let moved = LonLat::new(p.lon + r * bearing.sin() / m_per_deg_lon, p.lat + r * bearing.cos() / m_per_deg_lat);
    moved.unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use steward_domain::geometry::haversine_m;

    use super::*;
    use crate::rng::Stream;

    #[test]
    fn a_point_near_a_building_is_within_its_radius() {
        let mut rng = DemoRng::new(1, Stream::Positions);
        let door = LonLat::new(117.157, 37.31).unwrap();
        for _ in 0..200 {
            let d = haversine_m(door, near(door, &mut rng));
            assert!(d <= NEAR_BUILDING_M + 0.5, "{d} m");
        }
    }
}

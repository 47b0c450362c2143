//! The ground: districts, heat-exchange stations, communities, buildings,
//! units and households, all placed inside the real county polygon.

use std::collections::HashSet;

use geo::{Centroid, Contains, MultiPolygon};
use jiff::Timestamp;
use steward_domain::geometry::{DistrictIndex, LonLat, Placement, random_point_in};
use steward_domain::ground::{
    AccountNo, AreaM2, Building, Community, District, HeatingStatus, Household, Station, Unit, ValveState,
};
use steward_domain::ids::{BuildingId, CommunityId, DistrictId, HouseholdId, StationId, UnitId};

use crate::DemoError;
use crate::layout::{Layout, area_shares, seat};
use crate::names::{self, HAOMEN, SCHOOL_STATION, XINLONG, zh_number};
use crate::org::{Org, Phones, team_of_district};
use crate::rng::DemoRng;

/// Households per community on average; every size has at least
/// [`MIN_COMMUNITIES`].
const HOUSEHOLDS_PER_COMMUNITY: usize = 125;
pub(crate) const MIN_COMMUNITIES: usize = 40;

/// Buildings stand at most this far from their community's point.
pub(crate) const BUILDING_RADIUS_M: f64 = 150.0;

/// Metres per degree of latitude on the haversine sphere.
const M_PER_DEG_LAT: f64 = 111_195.08;

/// The heating status mix of the register.
const SUSPENDED_SHARE: f64 = 0.05;
const NEW_SHARE: f64 = 0.03;
const DISCONNECTED_SHARE: f64 = 0.005;

/// The kind of housing a community was built as; it sets the height of its
/// buildings, their units and the size of their flats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// 老旧多层: 1990s walk-ups and work-unit compounds.
    OldWalkUp,
    /// 多层: six-storey blocks of the 2000s.
    WalkUp,
    /// 小高层: eleven storeys with a lift.
    MidRise,
    /// 高层: eighteen storeys.
    HighRise,
    /// 洋房: low villas with large flats.
    Villa,
}

impl Style {
    const WEIGHTED: [(Style, u32); 5] =
        [(Style::OldWalkUp, 25), (Style::WalkUp, 35), (Style::MidRise, 20), (Style::HighRise, 14), (Style::Villa, 6)];

    fn floors(self, rng: &mut DemoRng) -> u32 {
        match self {
            Style::OldWalkUp => rng.int(4, 6),
            Style::WalkUp => 6,
            Style::MidRise => rng.int(11, 12),
            Style::HighRise => rng.pick(&[17, 18, 18, 24]),
            Style::Villa => rng.int(3, 4),
        }
    }

    fn units(self, rng: &mut DemoRng) -> u32 {
        match self {
            Style::OldWalkUp => rng.int(2, 4),
            Style::WalkUp => rng.int(2, 3),
            Style::MidRise | Style::HighRise => rng.int(1, 2),
            Style::Villa => 2,
        }
    }

    /// The smallest, most common and largest flat, m².
    fn area(self) -> (f64, f64, f64) {
        match self {
            Style::OldWalkUp => (50.0, 68.0, 95.0),
            Style::WalkUp => (78.0, 105.0, 140.0),
            Style::MidRise => (85.0, 112.0, 145.0),
            Style::HighRise => (88.0, 120.0, 158.0),
            Style::Villa => (125.0, 142.0, 160.0),
        }
    }
}

/// The generated ground, with the index links the history needs.
pub(crate) struct Ground {
    pub districts: Vec<District>,
    pub boundaries: Vec<(DistrictId, MultiPolygon<f64>)>,
    pub stations: Vec<Station>,
    pub communities: Vec<Community>,
    pub buildings: Vec<Building>,
    pub units: Vec<Unit>,
    pub households: Vec<Household>,
    /// The district (index) of each community.
    pub community_district: Vec<usize>,
    /// The community (index) of each building.
    pub building_community: Vec<usize>,
    /// The building (index) of each household.
    pub household_building: Vec<usize>,
}

impl Ground {
    pub(crate) fn district_of_household(&self, h: usize) -> usize {
        self.community_district[self.building_community[self.household_building[h]]]
    }

    pub(crate) fn location_of_household(&self, h: usize) -> LonLat {
        self.buildings[self.household_building[h]].location
    }
}

/// A community's place and plan before its buildings are drawn.
struct Site {
    name: String,
    district: usize,
    at: LonLat,
    style: Style,
    weight: f64,
}

pub(crate) fn build(
    households: usize,
    layout: Layout,
    org: &Org,
    created: Timestamp,
    rng: &mut DemoRng,
    hh_rng: &mut DemoRng,
    phones: &mut Phones,
) -> Result<Ground, DemoError> {
    let Layout { county, mut cells } = layout;

    // Number the districts from the county seat outwards, so that SH-01 is
    // the old town centre and its steward1 has the best-known communities.
    let centre = seat();
    let key = |cell: &MultiPolygon<f64>| {
        let c = cell.centroid().map_or((0.0, 0.0), |c| (c.x() - centre.lon, c.y() - centre.lat));
        // Distances are compared in ~10 m steps so that the equal rings of a
        // grid sort by bearing, not by floating-point noise.
        ((c.0.hypot(c.1) * 1e4).round() as i64, (c.1.atan2(c.0) * 1e6).round() as i64)
    };
    cells.sort_by_key(key);

    let team_n = org.teams.len();
    let districts: Vec<District> = cells
        .iter()
        .enumerate()
        .map(|(k, _)| District {
            id: DistrictId::new_v7(created, rng.id_bytes()),
            code: format!("SH-{:02}", k + 1),
            name: format!("城区{}片区", zh_number(k + 1)),
            team_id: org.teams[team_of_district(k, cells.len(), team_n)].id,
            steward_id: Some(org.staff[org.stewards[k]].id),
        })
        .collect();
    let index = DistrictIndex::build(cells.iter().cloned().enumerate().collect())?;

    let sites = place_communities(households, &cells, rng)?;
    let groups = station_groups(&sites, rng);

    // Stations: named after the first community they feed, except the one
    // nearest the county seat, which is the school's.
    let school_group = groups
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| {
            let d = |g: &Vec<usize>| distance_deg(group_centre(&sites, g), centre);
            d(a).total_cmp(&d(b))
        })
        .map_or(0, |(i, _)| i);
    let mut stations = Vec::with_capacity(groups.len());
    let mut station_of_site = vec![0usize; sites.len()];
    for (g, members) in groups.iter().enumerate() {
        let first = &sites[members[0]];
        let name = if g == school_group { SCHOOL_STATION.to_owned() } else { format!("{}换热站", first.name) };
        let location = near(first.at, 60.0, 120.0, rng, |p| county.contains(&p.to_point())).unwrap_or(first.at);
        stations.push(Station { id: StationId::new_v7(created, rng.id_bytes()), name, location });
        for &m in members {
            station_of_site[m] = g;
        }
    }

    let communities: Vec<Community> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| Community {
            id: CommunityId::new_v7(created, rng.id_bytes()),
            name: s.name.clone(),
            district_id: districts[s.district].id,
            station_id: Some(stations[station_of_site[i]].id),
            location: s.at,
        })
        .collect();
    let community_district: Vec<usize> = sites.iter().map(|s| s.district).collect();

    let mut ground = Ground {
        boundaries: districts.iter().map(|d| d.id).zip(cells).collect(),
        districts,
        stations,
        communities,
        buildings: Vec::new(),
        units: Vec::new(),
        households: Vec::with_capacity(households + households / 20),
        community_district,
        building_community: Vec::new(),
        household_building: Vec::with_capacity(households + households / 20),
    };

    let total_weight: f64 = sites.iter().map(|s| s.weight).sum();
    let mut cumulative = 0.0;
    let mut accounts = AccountCounter::new(hh_rng);
    for (c, site) in sites.iter().enumerate() {
        cumulative += site.weight;
        let target = (households as f64 * cumulative / total_weight).round() as usize;
        let mut number = 0;
        while number == 0 || ground.households.len() < target {
            number += 1;
            let remaining = target.saturating_sub(ground.households.len()).max(1);
            let floors = site.style.floors(rng);
            let per_unit = (floors * 2) as usize;
            let units = site.style.units(rng).min(remaining.div_ceil(per_unit) as u32).max(1);
            let location = near(site.at, 20.0, BUILDING_RADIUS_M, rng, |p| {
                index.locate(p) == Placement::Inside(site.district) && county.contains(&p.to_point())
            })
            .unwrap_or(site.at);
            let building = Building {
                id: BuildingId::new_v7(created, rng.id_bytes()),
                community_id: ground.communities[c].id,
                number,
                location,
            };
            // Flats of one position share a floor plan up the building.
            let (lo, mode, hi) = site.style.area();
            let plans = [rng.triangular(lo, mode, hi), rng.triangular(lo, mode, hi)];
            ground.building_community.push(c);
            for u in 1..=units {
                let unit = Unit { id: UnitId::new_v7(created, rng.id_bytes()), building_id: building.id, number: u };
                for floor in 1..=floors {
                    for (position, plan) in plans.iter().enumerate() {
                        let place = Place {
                            district_id: ground.communities[c].district_id,
                            community_id: ground.communities[c].id,
                            building_id: building.id,
                            unit_id: unit.id,
                            room: format!("{}{:02}", floor, position + 1),
                        };
                        let household = household(place, *plan, created, &mut accounts, hh_rng, phones)?;
                        ground.households.push(household);
                        ground.household_building.push(ground.buildings.len());
                    }
                }
                ground.units.push(unit);
            }
            ground.buildings.push(building);
        }
    }
    Ok(ground)
}

/// Account numbers `SH` + eight digits, rising with small gaps as in a
/// register that has seen closures.
struct AccountCounter(u64);

impl AccountCounter {
    fn new(rng: &mut DemoRng) -> Self {
        Self(10_000_000 + rng.digits(5))
    }

    fn next(&mut self, rng: &mut DemoRng) -> Result<AccountNo, DemoError> {
        self.0 += if rng.chance(0.1) { u64::from(rng.int(2, 4)) } else { 1 };
        if self.0 > 99_999_999 {
            return Err(DemoError::Layout("account numbers ran past eight digits".to_owned()));
        }
        Ok(AccountNo::parse(&format!("SH{}", self.0))?)
    }
}

/// Where a household lives.
struct Place {
    district_id: DistrictId,
    community_id: CommunityId,
    building_id: BuildingId,
    unit_id: UnitId,
    room: String,
}

fn household(
    place: Place,
    plan_m2: f64,
    created: Timestamp,
    accounts: &mut AccountCounter,
    rng: &mut DemoRng,
    phones: &mut Phones,
) -> Result<Household, DemoError> {
    let roll = rng.u01();
    let status = if roll < SUSPENDED_SHARE {
        HeatingStatus::Suspended
    } else if roll < SUSPENDED_SHARE + NEW_SHARE {
        HeatingStatus::New
    } else if roll < SUSPENDED_SHARE + NEW_SHARE + DISCONNECTED_SHARE {
        HeatingStatus::Disconnected
    } else {
        HeatingStatus::Active
    };
    // Until a visit says otherwise, suspended valves are still open (work for
    // the steward), new ones closed until opened, disconnected ones closed.
    let valve = match status {
        HeatingStatus::Active | HeatingStatus::Suspended => ValveState::Open,
        HeatingStatus::New | HeatingStatus::Disconnected => ValveState::Closed,
    };
    let area = ((plan_m2 + rng.real(-0.6, 0.6)).clamp(50.0, 160.0) * 100.0).round() / 100.0;
    Ok(Household {
        id: HouseholdId::new_v7(created, rng.id_bytes()),
        account_no: accounts.next(rng)?,
        district_id: place.district_id,
        community_id: place.community_id,
        building_id: place.building_id,
        unit_id: place.unit_id,
        room: place.room,
        resident_name: names::person(rng),
        phone: phones.next(rng)?,
        heated_area: AreaM2::parse(area)?,
        status,
        valve,
    })
}

/// Names and places the communities, sharing them out to districts by area.
/// 鑫隆帝景城 and 豪门庄园 come first, in the central district SH-01.
fn place_communities(
    households: usize,
    cells: &[MultiPolygon<f64>],
    rng: &mut DemoRng,
) -> Result<Vec<Site>, DemoError> {
    let total = (households / HOUSEHOLDS_PER_COMMUNITY).max(MIN_COMMUNITIES);
    let per_district = largest_remainder(total, &area_shares(cells));
    let mut taken: HashSet<String> = [XINLONG, HAOMEN].into_iter().map(str::to_owned).collect();
    let mut sites = Vec::with_capacity(total);
    for (k, (cell, &count)) in cells.iter().zip(&per_district).enumerate() {
        for i in 0..count {
            let (name, style, weight) = match (k, i) {
                (0, 0) => (XINLONG.to_owned(), Style::HighRise, 3.0),
                (0, 1) => (HAOMEN.to_owned(), Style::WalkUp, 1.2),
                _ => (names::community(rng, &mut taken), *rng.weighted(&Style::WEIGHTED), rng.real(0.5, 1.6)),
            };
            let at = random_point_in(cell, || rng.u01())
                .ok_or_else(|| DemoError::Layout(format!("no room for community {name} in district {}", k + 1)))?;
            sites.push(Site { name, district: k, at, style, weight });
        }
    }
    Ok(sites)
}

/// Shares `total` out in proportion to `shares`, every share getting at
/// least one; the counts add up to `total` when it is at least the number
/// of shares.
fn largest_remainder(total: usize, shares: &[f64]) -> Vec<usize> {
    let exact: Vec<f64> = shares.iter().map(|s| s * total as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| (e.floor() as usize).max(1)).collect();
    let mut given: usize = counts.iter().sum();
    // Hand out the rest by largest remainder, or take back the excess that
    // the minimum of one caused from the shares furthest above their due.
    while given < total {
        let i = (0..counts.len())
            .max_by(|&a, &b| (exact[a] - counts[a] as f64).total_cmp(&(exact[b] - counts[b] as f64)).then(b.cmp(&a)));
        let Some(i) = i else { break };
        counts[i] += 1;
        given += 1;
    }
    while given > total.max(counts.len()) {
        let i = (0..counts.len())
            .filter(|&i| counts[i] > 1)
            .max_by(|&a, &b| (counts[a] as f64 - exact[a]).total_cmp(&(counts[b] as f64 - exact[b])).then(b.cmp(&a)));
        let Some(i) = i else { break };
        counts[i] -= 1;
        given -= 1;
    }
    counts
}

/// Groups neighbouring communities, 3 to 8 at a time, to share a station.
fn station_groups(sites: &[Site], rng: &mut DemoRng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by(|&a, &b| {
        (sites[a].district, sites[a].at.lon).partial_cmp(&(sites[b].district, sites[b].at.lon)).unwrap_or(a.cmp(&b))
    });
    let mut groups = Vec::new();
    let mut rest = &order[..];
    while !rest.is_empty() {
        let mut take = if rest.len() <= 8 { rest.len() } else { rng.int(3, 8) as usize };
        // Never leave fewer than three for the last station.
        if (1..3).contains(&(rest.len() - take)) {
            take = rest.len() - 3;
        }
        let (group, tail) = rest.split_at(take);
        groups.push(group.to_vec());
        rest = tail;
    }
    groups
}

fn group_centre(sites: &[Site], group: &[usize]) -> LonLat {
    let n = group.len().max(1) as f64;
    let lon = group.iter().map(|&i| sites[i].at.lon).sum::<f64>() / n;
    let lat = group.iter().map(|&i| sites[i].at.lat).sum::<f64>() / n;
    LonLat { lon, lat }
}

fn distance_deg(a: LonLat, b: LonLat) -> f64 {
    (a.lon - b.lon).hypot(a.lat - b.lat)
}

/// A point between `min_m` and `max_m` metres from `at`, uniform over the
/// ring, that passes `ok`; `None` after 64 misses.
pub(crate) fn near(
    at: LonLat,
    min_m: f64,
    max_m: f64,
    rng: &mut DemoRng,
    ok: impl Fn(LonLat) -> bool,
) -> Option<LonLat> {
    (0..64).find_map(|_| {
        let r = (min_m * min_m + rng.u01() * (max_m * max_m - min_m * min_m)).sqrt();
        let bearing = rng.real(0.0, std::f64::consts::TAU);
        let p = offset(at, r * bearing.cos(), r * bearing.sin());
        p.filter(|&p| ok(p))
    })
}

/// `at` moved `north_m` metres north and `east_m` metres east (flat-earth,
/// exact enough within a few hundred metres).
pub(crate) fn offset(at: LonLat, north_m: f64, east_m: f64) -> Option<LonLat> {
    let lat = at.lat + north_m / M_PER_DEG_LAT;
    let lon = at.lon + east_m / (M_PER_DEG_LAT * at.lat.to_radians().cos());
    LonLat::new(lon, lat).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    #[test]
    fn largest_remainder_shares_exactly() {
        assert_eq!(largest_remainder(40, &[1.0 / 9.0; 9]).iter().sum::<usize>(), 40);
        assert_eq!(largest_remainder(10, &[0.5, 0.3, 0.2]), [5, 3, 2]);
        assert_eq!(largest_remainder(3, &[0.98, 0.01, 0.01]), [1, 1, 1]);
        assert_eq!(largest_remainder(4, &[0.98, 0.01, 0.01]), [2, 1, 1]);
        assert_eq!(largest_remainder(7, &[0.4, 0.4, 0.2]), [3, 3, 1]);
    }

    #[test]
    fn station_groups_feed_three_to_eight_communities() {
        let mut rng = DemoRng::new(9, Stream::Ground);
        for n in [3, 9, 10, 11, 40, 41, 4000] {
            let sites: Vec<Site> = (0..n)
                .map(|i| Site {
                    name: i.to_string(),
                    district: i % 7,
                    at: LonLat { lon: 117.0 + i as f64 * 1e-4, lat: 37.3 },
                    style: Style::WalkUp,
                    weight: 1.0,
                })
                .collect();
            let groups = station_groups(&sites, &mut rng);
            assert!(groups.iter().all(|g| (3..=8).contains(&g.len())), "{n}: {groups:?}");
            assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), n);
        }
    }

    #[test]
    fn points_near_a_place_keep_their_distance() {
        let mut rng = DemoRng::new(2, Stream::Ground);
        let home = seat();
        for _ in 0..200 {
            let p = near(home, 20.0, 150.0, &mut rng, |_| true).unwrap();
            let d = steward_domain::geometry::haversine_m(home, p);
            assert!((19.5..=150.5).contains(&d), "{d}");
        }
    }
}

//! The demo data set checked as a whole, at the default size.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use geo::{Area, BooleanOps, Contains};
use jiff::Timestamp;
use steward_demo::{
    DemoConfig, DemoDataset, DemoError, HAOMEN, HOUSEHOLDS_CSV_HEADER, SCHOOL_STATION, XINLONG, generate,
    shanghe_county,
};
use steward_domain::geometry::{Placement, districts_from_geojson, haversine_m, polygon_is_valid};
use steward_domain::ground::{AccountNo, HeatingStatus, PhoneNumber, ValveState};
use steward_domain::ids::{HouseholdId, UserId};
use steward_domain::org::Role;
use steward_domain::ticket::{Ticket, TicketAction, TicketCategory, TicketStatus};
use steward_domain::visit::InspectionRecord;

fn data() -> &'static DemoDataset {
    static DATA: OnceLock<DemoDataset> = OnceLock::new();
    DATA.get_or_init(|| generate(&DemoConfig::default()).expect("the default demo generates"))
}

fn local_day(t: Timestamp) -> jiff::civil::Date {
    jiff::tz::Offset::constant(8).to_datetime(t).date()
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let a = data();
    let b = generate(&DemoConfig::default()).unwrap();
    assert_eq!(a.summary(), b.summary());
    assert_eq!(a.households.first(), b.households.first());
    assert_eq!(a.households.last(), b.households.last());
    assert_eq!(a.to_households_csv(), b.to_households_csv());
    assert_eq!(a.districts_geojson(), b.districts_geojson());
    assert_eq!(a.tickets, b.tickets);
    assert_eq!(a.visits, b.visits);

    let other = generate(&DemoConfig { seed: 7, ..DemoConfig::default() }).unwrap();
    assert_ne!(a.summary(), other.summary());
    assert_ne!(a.households.first(), other.households.first());
    assert_ne!(a.to_households_csv(), other.to_households_csv());
}

#[test]
fn the_organisation_has_the_agreed_usernames_and_one_steward_per_district() {
    let d = data();
    assert_eq!(d.utility.name, "济南热力集团");
    assert_eq!(d.centre.name, "商河供热服务中心");
    assert_eq!(d.centre.utility_id, d.utility.id);
    assert!(d.teams.len() >= 2);
    assert_eq!(d.teams[0].name, "供暖管家一队");
    assert_eq!(d.teams[1].name, "供暖管家二队");
    assert!(d.districts.len() >= 8, "{} districts", d.districts.len());

    let by_name: HashMap<&str, _> = d.staff.iter().map(|s| (s.username.as_str(), s)).collect();
    assert_eq!(by_name.len(), d.staff.len(), "usernames repeat");
    assert_eq!(by_name["admin"].role, Role::Admin);
    for name in ["hotline1", "hotline2"] {
        assert_eq!(by_name[name].role, Role::HotlineAgent, "{name}");
    }
    for (t, team) in d.teams.iter().enumerate() {
        let lead = by_name[format!("lead{}", t + 1).as_str()];
        assert_eq!(lead.role, Role::TeamLead);
        assert_eq!(lead.team_id, Some(team.id));
        assert_eq!(team.lead_id, Some(lead.id));
        assert_eq!(team.centre_id, d.centre.id);
    }
    let stewards = d.staff.iter().filter(|s| s.role == Role::Steward).count();
    assert!(stewards >= d.districts.len());
    for (k, district) in d.districts.iter().enumerate() {
        let steward = by_name[format!("steward{}", k + 1).as_str()];
        assert_eq!(steward.role, Role::Steward);
        assert_eq!(district.steward_id, Some(steward.id), "steward{} owns district {}", k + 1, k + 1);
        assert_eq!(d.steward_of_district(district.id).map(|s| s.id), Some(steward.id));
        assert_eq!(steward.team_id, Some(district.team_id));
        assert_eq!(district.code, format!("SH-{:02}", k + 1));
        assert!(district.name.ends_with("片区"), "{}", district.name);
    }
    assert_eq!(d.districts[0].name, "城区一片区");

    let mut numbers = HashSet::new();
    for s in &d.staff {
        let no = &s.employee_no;
        assert!(no.len() == 6 && no.starts_with("SH") && no[2..].chars().all(|c| c.is_ascii_digit()), "{no}");
        assert!(numbers.insert(no.clone()), "{no} repeats");
        assert!(s.display_name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", s.display_name);
        assert!(s.mobile.is_some());
    }
}

#[test]
fn the_ground_has_the_named_places_and_the_right_mix() {
    let d = data();
    assert!(d.communities.len() >= 40);
    let names: HashSet<&str> = d.communities.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), d.communities.len(), "community names repeat");
    assert!(names.contains(XINLONG) && names.contains(HAOMEN));
    assert!(d.stations.iter().any(|s| s.name == SCHOOL_STATION && s.name.contains("商河县实验中学")));

    let mut fed: HashMap<_, usize> = HashMap::new();
    for c in &d.communities {
        *fed.entry(c.station_id.expect("every community has a station")).or_default() += 1;
    }
    assert_eq!(fed.len(), d.stations.len());
    assert!(fed.values().all(|n| (3..=8).contains(n)), "{fed:?}");

    let target = d.config.households as f64;
    let n = d.households.len() as f64;
    assert!((n - target).abs() / target <= 0.05, "{n} households for {target}");
    let share = |s: HeatingStatus| d.households.iter().filter(|h| h.status == s).count() as f64 / n;
    assert!((share(HeatingStatus::Suspended) - 0.05).abs() < 0.015, "{}", share(HeatingStatus::Suspended));
    assert!((share(HeatingStatus::New) - 0.03).abs() < 0.012, "{}", share(HeatingStatus::New));
    assert!((share(HeatingStatus::Disconnected) - 0.005).abs() < 0.004);

    let areas: Vec<f64> = d.households.iter().map(|h| h.heated_area.get()).collect();
    assert!(areas.iter().all(|a| (50.0..=160.0).contains(a)));
    let mean = areas.iter().sum::<f64>() / n;
    assert!((80.0..=125.0).contains(&mean), "mean heated area {mean}");

    let units_per_building = d.units.iter().fold(HashMap::new(), |mut m, u| {
        *m.entry(u.building_id).or_insert(0) += 1;
        m
    });
    assert!(units_per_building.values().all(|n| (1..=4).contains(n)));
    assert_eq!(units_per_building.len(), d.buildings.len());
}

#[test]
fn phones_are_valid_and_unique_and_accounts_unique() {
    let d = data();
    let mut phones = HashSet::new();
    let staff_phones = d.staff.iter().filter_map(|s| s.mobile.as_ref());
    for phone in d.households.iter().map(|h| &h.phone).chain(staff_phones) {
        let s = phone.as_str();
        assert!(PhoneNumber::parse(s).is_ok());
        assert!(s.len() == 11 && s.starts_with('1'), "{s} is not a mobile");
        assert!(phones.insert(s), "{s} repeats");
    }
    let mut accounts = HashSet::new();
    for h in &d.households {
        let a = h.account_no.as_str();
        assert!(a.len() == 10 && a.starts_with("SH") && a[2..].chars().all(|c| c.is_ascii_digit()), "{a}");
        assert!(accounts.insert(a), "{a} repeats");
    }
    let ids: HashSet<HouseholdId> = d.households.iter().map(|h| h.id).collect();
    assert_eq!(ids.len(), d.households.len());
}

#[test]
fn districts_tile_the_town_inside_the_county_and_buildings_sit_in_their_district() {
    let d = data();
    let county = shanghe_county().unwrap();
    let index = d.district_index().unwrap();
    assert_eq!(d.boundaries.len(), d.districts.len());
    for (district, (id, boundary)) in d.districts.iter().zip(&d.boundaries) {
        assert_eq!(district.id, *id);
        assert_eq!(polygon_is_valid(&district.code, boundary), Ok(()));
        assert!(county.contains(boundary), "{} leaves the county", district.code);
    }
    // No overlaps: the parts add up to their union.
    let total: f64 = d.boundaries.iter().map(|(_, b)| b.unsigned_area()).sum();
    let union = d.boundaries.iter().skip(1).fold(d.boundaries[0].1.clone(), |acc, (_, b)| acc.union(b));
    assert!((union.unsigned_area() - total).abs() / total < 1e-9);
    assert_eq!(union.0.len(), 1, "the districts leave a gap or fall apart");

    let communities: HashMap<_, _> = d.communities.iter().map(|c| (c.id, c)).collect();
    for c in &d.communities {
        assert_eq!(index.locate(c.location), Placement::Inside(c.district_id), "{}", c.name);
    }
    let mut building_district = HashMap::new();
    for b in &d.buildings {
        let c = communities[&b.community_id];
        assert_eq!(index.locate(b.location), Placement::Inside(c.district_id), "{} {}号楼", c.name, b.number);
        assert!(county.contains(&b.location.to_point()));
        let metres = haversine_m(c.location, b.location);
        assert!(metres <= 150.5, "{} {}号楼 is {metres:.0} m away", c.name, b.number);
        building_district.insert(b.id, c.district_id);
    }
    for h in &d.households {
        assert_eq!(h.district_id, building_district[&h.building_id], "{}", h.account_no);
        assert_eq!(h.community_id, d.buildings.iter().find(|b| b.id == h.building_id).unwrap().community_id);
    }
    for s in &d.stations {
        assert!(county.contains(&s.location.to_point()), "{}", s.name);
    }
}

#[test]
fn every_ticket_replays_to_its_state_with_the_right_people() {
    let d = data();
    let as_of = d.config.as_of;
    let households: HashMap<_, _> = d.households.iter().map(|h| (h.id, h)).collect();
    let staff: HashMap<UserId, _> = d.staff.iter().map(|s| (s.id, s)).collect();
    let mut refs = HashSet::new();
    for t in &d.tickets {
        let replayed = Ticket::replay(t.new.clone(), &t.events).expect("the history replays");
        assert_eq!(replayed, t.ticket);
        assert!(refs.insert(t.new.external_ref.clone().unwrap()));
        let household = households[&t.new.household_id];
        let district = d.districts.iter().find(|x| x.id == household.district_id).unwrap();
        let team = d.teams.iter().find(|x| x.id == district.team_id).unwrap();
        for (i, e) in t.events.iter().enumerate() {
            assert_eq!(e.seq as usize, i + 1);
            assert!(e.at <= as_of, "an event after as_of");
            let actor = staff[&e.actor_id];
            match &e.action {
                TicketAction::Open | TicketAction::Close | TicketAction::Cancel { .. } => {
                    assert_eq!(actor.role, Role::HotlineAgent)
                }
                TicketAction::Dispatch { steward_id } => {
                    assert_eq!(Some(e.actor_id), team.lead_id);
                    assert_eq!(Some(*steward_id), district.steward_id);
                }
                TicketAction::Reassign { steward_id, .. } => {
                    assert_eq!(Some(e.actor_id), team.lead_id);
                    assert_eq!(staff[steward_id].team_id, Some(team.id));
                }
                _ => assert_eq!(actor.role, Role::Steward),
            }
        }
    }
    let n = d.tickets.len() as f64;
    let per_100 = 100.0 * n / d.households.len() as f64;
    assert!((2.0..=5.0).contains(&per_100), "{per_100} tickets per 100 households");

    let s = d.summary();
    let late = s.arrivals_late as f64 / s.arrivals as f64;
    assert!((0.04..=0.14).contains(&late), "{late} of arrivals late");
    assert!(s.tickets_open >= 5, "{} open tickets", s.tickets_open);
    assert!(s.open_overdue >= 1);
    let open: Vec<_> = d.tickets.iter().filter(|t| t.ticket.status().is_open()).collect();
    let steward1 = d.staff_by_username("steward1").unwrap().id;
    assert!(open.iter().any(|t| t.ticket.assignee() == Some(steward1)), "steward1 has no open ticket");
    for status in [TicketStatus::New, TicketStatus::Dispatched, TicketStatus::EnRoute, TicketStatus::OnSite] {
        assert!(open.iter().any(|t| t.ticket.status() == status), "no open ticket is {status:?}");
    }
}

#[test]
fn ticket_categories_follow_the_season() {
    let d = data();
    let count = |from: (i8, i8), to: (i8, i8)| {
        let (from, to) = (jiff::civil::date(2026, from.0, from.1), jiff::civil::date(2026, to.0, to.1));
        let mut by: HashMap<TicketCategory, usize> = HashMap::new();
        for t in d.tickets.iter().filter(|t| (from..=to).contains(&local_day(t.new.reported_at))) {
            *by.entry(t.new.category).or_default() += 1;
        }
        by.into_iter().max_by_key(|(_, n)| *n).map(|(c, _)| c)
    };
    assert_eq!(count((11, 15), (11, 30)), Some(TicketCategory::NoHeat));
    assert_eq!(count((10, 28), (11, 4)), Some(TicketCategory::Leak));
    let venting_in_trial = d
        .tickets
        .iter()
        .filter(|t| t.new.category == TicketCategory::VentingNoise)
        .filter(|t| {
            (jiff::civil::date(2026, 10, 28)..jiff::civil::date(2026, 11, 15)).contains(&local_day(t.new.reported_at))
        })
        .count();
    let venting = d.tickets.iter().filter(|t| t.new.category == TicketCategory::VentingNoise).count();
    assert!(venting_in_trial * 2 > venting, "{venting_in_trial} of {venting} venting calls in trial heating");
}

#[test]
fn visits_close_suspended_valves_open_new_ones_and_leave_the_valves_as_recorded() {
    let d = data();
    let as_of = d.config.as_of;
    let mut last_valve: HashMap<HouseholdId, (Timestamp, ValveState)> = HashMap::new();
    let mut seals = HashSet::new();
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let ticket_households: HashMap<_, _> = d.tickets.iter().map(|t| (t.new.id, t.new.household_id)).collect();
    for v in &d.visits {
        assert!(v.completed_at() <= as_of && v.started_at() <= v.completed_at());
        if let Some(ticket) = v.ticket_id() {
            assert_eq!(ticket_households[&ticket], v.household_id());
        }
        for r in v.records() {
            *kinds.entry(r.kind()).or_default() += 1;
            if let Some(seal) = r.seal_no() {
                assert!(seals.insert(seal.clone()), "seal {seal} fitted twice");
            }
            if let InspectionRecord::IllegalUseCheck { findings } = r {
                assert!(findings.iter().all(|f| !f.evidence.note.is_empty()));
            }
        }
        if let Some(valve) = v.valve_after() {
            let entry = last_valve.entry(v.household_id()).or_insert((v.completed_at(), valve.clone()));
            if v.completed_at() >= entry.0 {
                *entry = (v.completed_at(), valve);
            }
        }
    }
    for kind in [
        "suspension_valve_closure",
        "new_household",
        "indoor_temperature",
        "routine_service",
        "leaflet_handed_over",
        "contact_card_handed_over",
        "illegal_use_check",
        "leak_check",
    ] {
        assert!(kinds.get(kind).copied().unwrap_or(0) > 0, "no {kind} records");
    }
    let with_findings = d
        .visits
        .iter()
        .flat_map(|v| v.records())
        .filter(|r| matches!(r, InspectionRecord::IllegalUseCheck { findings } if !findings.is_empty()))
        .count();
    assert!(with_findings >= 1);

    let (mut suspended, mut suspended_shut) = (0, 0);
    for h in &d.households {
        match last_valve.get(&h.id) {
            Some((_, valve)) => assert_eq!(&h.valve, valve, "{} is not as its last visit left it", h.account_no),
            None => match h.status {
                HeatingStatus::Active | HeatingStatus::Suspended => assert_eq!(h.valve, ValveState::Open),
                HeatingStatus::New | HeatingStatus::Disconnected => assert_eq!(h.valve, ValveState::Closed),
            },
        }
        if h.status == HeatingStatus::Suspended {
            suspended += 1;
            suspended_shut += usize::from(h.valve.is_shut());
        }
        if h.status == HeatingStatus::Active {
            assert_eq!(h.valve, ValveState::Open);
        }
    }
    let shut = suspended_shut as f64 / suspended as f64;
    assert!((0.75..0.99).contains(&shut), "{shut} of suspended valves shut: most, but not all");
}

#[test]
fn households_csv_round_trips() {
    let d = data();
    let csv = d.to_households_csv();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(HOUSEHOLDS_CSV_HEADER));
    let lookup = d.lookup();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), d.households.len());
    for (row, h) in rows.iter().zip(&d.households) {
        let f: Vec<&str> = row.split(',').collect();
        assert_eq!(f.len(), 11, "{row}");
        assert_eq!(AccountNo::parse(f[0]).unwrap(), h.account_no);
        let building: u32 = f[2].parse().unwrap();
        let unit: u32 = f[3].parse().unwrap();
        let address = steward_domain::ground::format_address(f[1], building, unit, f[4]);
        assert_eq!(Some(address), lookup.address(h));
        assert_eq!(f[5], h.resident_name);
        assert_eq!(PhoneNumber::parse(f[6]).unwrap(), h.phone);
        let area: f64 = f[7].parse().unwrap();
        assert!((area - h.heated_area.get()).abs() < 0.005);
        assert_eq!(HeatingStatus::from_code(f[8]), Some(h.status));
        let lon: f64 = f[9].parse().unwrap();
        let lat: f64 = f[10].parse().unwrap();
        assert!((116.9..117.5).contains(&lon) && (37.1..37.6).contains(&lat), "{row}");
    }
    let first = lookup.address(&d.households[0]).unwrap();
    assert!(first.starts_with("鑫隆帝景城 1号楼 1单元 101室"), "{first}");
}

#[test]
fn districts_geojson_reads_back_with_codes_and_valid_polygons() {
    let d = data();
    let back = districts_from_geojson(&d.districts_geojson()).unwrap();
    assert_eq!(back.len(), d.districts.len());
    for (f, district) in back.iter().zip(&d.districts) {
        assert_eq!(f.id, district.code);
        assert_eq!(f.name.as_deref(), Some(district.name.as_str()));
        assert_eq!(f.properties["district_id"], district.id.to_string());
        assert_eq!(polygon_is_valid(&f.id, &f.geometry), Ok(()));
    }
    let one = d.boundary_geojson(d.districts[0].id).unwrap();
    assert!(one.starts_with(r#"{"type":"MultiPolygon""#), "{one}");
    assert!(d.boundary_geojson(steward_domain::ids::DistrictId::new_v7(Timestamp::UNIX_EPOCH, [0; 10])).is_none());
}

#[test]
fn bad_configurations_are_refused() {
    let tiny = DemoConfig { households: 10, ..DemoConfig::default() };
    assert_eq!(generate(&tiny).unwrap_err(), DemoError::Size(10));
    let later: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
    let err = generate(&DemoConfig { as_of: later, ..DemoConfig::default() }).unwrap_err();
    assert_eq!(err, DemoError::AsOf(later));
}

#[test]
fn an_earlier_today_has_less_history_and_nothing_after_it() {
    let as_of: Timestamp = "2026-10-30T04:00:00Z".parse().unwrap();
    let d = generate(&DemoConfig { as_of, households: 2_000, ..DemoConfig::default() }).unwrap();
    assert!(!d.tickets.is_empty());
    assert!(d.tickets.len() < data().tickets.len());
    for t in &d.tickets {
        assert_eq!(Ticket::replay(t.new.clone(), &t.events).unwrap(), t.ticket);
        assert!(t.events.iter().all(|e| e.at <= as_of));
    }
    assert!(d.visits.iter().all(|v| v.completed_at() <= as_of));
    assert!(d.tickets.iter().any(|t| t.ticket.status().is_open()));
}

#[test]
fn every_steward_was_last_seen_in_their_own_district_minutes_before_now() {
    let d = data();
    let index = d.district_index().unwrap();
    let stewards: Vec<_> = d.staff.iter().filter(|s| s.role == Role::Steward).collect();
    assert_eq!(d.positions.len(), stewards.len(), "one position per steward");
    for s in stewards {
        let p = d.positions.iter().find(|p| p.steward_id == s.id).unwrap_or_else(|| panic!("{} has none", s.username));
        let district = d.districts.iter().find(|x| x.steward_id == Some(s.id)).unwrap();
        assert_eq!(index.locate(p.at), Placement::Inside(district.id), "{} at {:?}", s.username, p.at);
        let age = d.config.as_of.duration_since(p.seen_at);
        assert!(
            age >= jiff::SignedDuration::from_mins(1) && age <= jiff::SignedDuration::from_mins(15),
            "{} seen {age:?} before now",
            s.username
        );
    }
    // From the seed: the same again, another seed elsewhere.
    assert_eq!(generate(&DemoConfig::default()).unwrap().positions, d.positions);
    let other = generate(&DemoConfig { seed: 7, ..DemoConfig::default() }).unwrap();
    assert_ne!(
        other.positions.iter().map(|p| p.at).collect::<Vec<_>>(),
        d.positions.iter().map(|p| p.at).collect::<Vec<_>>()
    );
}

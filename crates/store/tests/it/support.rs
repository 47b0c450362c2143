//! A small ground for tests: two districts, three communities, a handful of
//! households with known names, phones and valve states.

use jiff::Timestamp;
use steward_domain::geometry::LonLat;
use steward_domain::ground::{
    AccountNo, AreaM2, Building, Community, District, HeatingStatus, Household, PhoneNumber, SealNo, Unit, ValveState,
};
use steward_domain::ids::*;
use steward_domain::org::{Role, Staff, Team};
use steward_domain::ticket::{Actor, NewTicket, Ticket, TicketAction, TicketCategory, TicketEvent};
use steward_domain::visit::{CompletedVisit, InspectionRecord, VisitDraft};
use steward_store::{GroundSnapshot, MutationMeta, Store};
use uuid::Uuid;

pub fn id<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub const STEWARD: u128 = 0x5001;
pub const OTHER_STEWARD: u128 = 0x5002;
pub const LEAD: u128 = 0x5003;
pub const HOTLINE: u128 = 0x5004;
pub const TICKET: u128 = 0x7001;

pub fn steward() -> UserId {
    id(STEWARD)
}

/// Community numbers: 1 鑫隆帝景城 and 2 豪门庄园 in the steward's district,
/// 3 阳光花园 in the other steward's.
const COMMUNITIES: [(u128, &str, u128); 3] = [(1, "鑫隆帝景城", 1), (2, "豪门庄园", 1), (3, "阳光花园", 2)];

/// (community, building no, unit no, room, name, phone, status, valve, account)
type Row =
    (u128, u32, u32, &'static str, &'static str, &'static str, HeatingStatus, Option<&'static str>, &'static str);

/// Valve: None = open, Some("") = closed, Some(seal) = sealed.
pub const HOUSEHOLDS: [Row; 9] = [
    (1, 1, 1, "301", "王小芳", "13812345678", HeatingStatus::Active, None, "SH-0001"),
    (1, 1, 1, "1201", "李建国", "13900001111", HeatingStatus::Suspended, Some(""), "SH-0002"),
    (1, 1, 2, "101", "王小明", "13700005678", HeatingStatus::New, Some(""), "SH-0003"),
    (1, 2, 1, "502", "张伟", "15012340000", HeatingStatus::Suspended, Some("S-1"), "SH-0004"),
    (1, 10, 1, "201", "赵丽", "18698765432", HeatingStatus::Suspended, None, "SH-0005"),
    (2, 1, 1, "101", "王芳", "13611112222", HeatingStatus::New, None, "SH-0006"),
    (2, 1, 1, "202", "刘洋", "13522223333", HeatingStatus::Suspended, Some(""), "SH-0007"),
    (3, 1, 1, "101", "陈静", "13333334444", HeatingStatus::Suspended, Some(""), "SH-0008"),
    (3, 1, 1, "102", "许立德", "13344449999", HeatingStatus::Active, None, "SH-5678"),
];

/// The household id of row `i` of [`HOUSEHOLDS`].
pub fn household_id(i: usize) -> HouseholdId {
    id(0x1000 + i as u128)
}

/// The row index of the household named `name`.
pub fn household_named(name: &str) -> HouseholdId {
    household_id(HOUSEHOLDS.iter().position(|h| h.4 == name).unwrap())
}

fn building_id(community: u128, number: u32) -> BuildingId {
    id(0x2000 + community * 100 + number as u128)
}

fn unit_id(community: u128, building: u32, unit: u32) -> UnitId {
    id(0x3000 + community * 10_000 + building as u128 * 10 + unit as u128)
}

fn here() -> LonLat {
    LonLat::new(117.15, 37.31).unwrap()
}

fn valve(v: Option<&str>) -> ValveState {
    match v {
        None => ValveState::Open,
        Some("") => ValveState::Closed,
        Some(seal) => ValveState::Sealed { seal_no: SealNo::parse(seal).unwrap() },
    }
}

fn staff(n: u128, name: &str, role: Role) -> Staff {
    Staff {
        id: id(n),
        username: format!("user{n:x}"),
        display_name: name.into(),
        role,
        team_id: Some(id(0x9001)),
        employee_no: format!("E{n:x}"),
        mobile: Some(PhoneNumber::parse("13000000001").unwrap()),
    }
}

/// The ticket of the fixture: opened by the hotline for 王小芳, dispatched to
/// the steward, with its two events.
pub fn dispatched_ticket() -> (Ticket, Vec<TicketEvent>) {
    let new = NewTicket {
        id: id(TICKET),
        household_id: household_named("王小芳"),
        category: TicketCategory::NoHeat,
        description: "暖气不热".into(),
        reported_at: ts("2026-11-20T00:00:00Z"),
        external_ref: Some("HL-1".into()),
    };
    let (mut t, open) =
        Ticket::open(new, Actor { user_id: id(HOTLINE), role: Role::HotlineAgent }, id(0x8001)).unwrap();
    let lead = Actor { user_id: id(LEAD), role: Role::TeamLead };
    let dispatch = t
        .apply(lead, TicketAction::Dispatch { steward_id: steward() }, ts("2026-11-20T00:02:00Z"), None, id(0x8002))
        .unwrap();
    (t, vec![open, dispatch])
}

/// A second ticket, due earlier, for 赵丽.
fn early_ticket() -> (Ticket, Vec<TicketEvent>) {
    let new = NewTicket {
        id: id(TICKET + 1),
        household_id: household_named("赵丽"),
        category: TicketCategory::Leak,
        description: "漏水".into(),
        reported_at: ts("2026-11-19T23:00:00Z"),
        external_ref: None,
    };
    let (mut t, open) =
        Ticket::open(new, Actor { user_id: id(HOTLINE), role: Role::HotlineAgent }, id(0x8101)).unwrap();
    let lead = Actor { user_id: id(LEAD), role: Role::TeamLead };
    let dispatch = t
        .apply(lead, TicketAction::Dispatch { steward_id: steward() }, ts("2026-11-19T23:01:00Z"), None, id(0x8102))
        .unwrap();
    (t, vec![open, dispatch])
}

pub fn ground() -> GroundSnapshot {
    let mut g = GroundSnapshot {
        teams: vec![Team {
            id: id(0x9001), centre_id: id(0x9000), name: "商河一队".into(), lead_id: Some(id(LEAD))
        }],
        staff: vec![
            staff(STEWARD, "王管家", Role::Steward),
            staff(OTHER_STEWARD, "李管家", Role::Steward),
            staff(LEAD, "张班长", Role::TeamLead),
        ],
        districts: vec![
            District {
                id: id(1),
                code: "SH-01".into(),
                name: "一片区".into(),
                team_id: id(0x9001),
                steward_id: Some(steward()),
            },
            District {
                id: id(2),
                code: "SH-02".into(),
                name: "二片区".into(),
                team_id: id(0x9001),
                steward_id: Some(id(OTHER_STEWARD)),
            },
        ],
        boundaries: vec![(
            id(1),
            r#"{"type":"Polygon","coordinates":[[[117.1,37.3],[117.2,37.3],[117.2,37.4],[117.1,37.3]]]}"#.into(),
        )],
        ..GroundSnapshot::default()
    };
    for (n, name, district) in COMMUNITIES {
        g.communities.push(Community {
            id: id(0x100 + n),
            name: name.into(),
            district_id: id(district),
            station_id: None,
            location: here(),
        });
    }
    for (i, h) in HOUSEHOLDS.iter().enumerate() {
        let (community, b, u) = (h.0, h.1, h.2);
        if !g.buildings.iter().any(|x| x.id == building_id(community, b)) {
            g.buildings.push(Building {
                id: building_id(community, b),
                community_id: id(0x100 + community),
                number: b,
                location: here(),
            });
        }
        if !g.units.iter().any(|x| x.id == unit_id(community, b, u)) {
            g.units.push(Unit { id: unit_id(community, b, u), building_id: building_id(community, b), number: u });
        }
        let district = COMMUNITIES.iter().find(|c| c.0 == community).unwrap().2;
        g.households.push(Household {
            id: household_id(i),
            account_no: AccountNo::parse(h.8).unwrap(),
            district_id: id(district),
            community_id: id(0x100 + community),
            building_id: building_id(community, b),
            unit_id: unit_id(community, b, u),
            room: h.3.into(),
            resident_name: h.4.into(),
            phone: PhoneNumber::parse(h.5).unwrap(),
            heated_area: AreaM2::parse(89.5).unwrap(),
            status: h.6,
            valve: valve(h.7),
        });
    }
    g.tickets = vec![dispatched_ticket(), early_ticket()];
    g
}

/// A store holding [`ground`].
pub fn loaded() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    store.load_ground(&ground()).unwrap();
    store
}

/// A completed visit `n` to `household` at `at` with `records`.
pub fn visit(n: u128, household: HouseholdId, at: &str, records: Vec<InspectionRecord>) -> CompletedVisit {
    let mut draft = VisitDraft::start(id(0xA000 + n), household, steward(), ts(at));
    for r in records {
        draft.add(r).unwrap();
    }
    draft.complete(ts(at)).unwrap()
}

pub fn seal(no: &str) -> InspectionRecord {
    InspectionRecord::SuspensionValveClosure {
        valve: ValveState::Sealed { seal_no: SealNo::parse(no).unwrap() },
        photos: vec![],
    }
}

pub fn card() -> InspectionRecord {
    InspectionRecord::ContactCardHandedOver
}

/// Mutation metadata `n`.
pub fn meta(n: u128) -> MutationMeta {
    MutationMeta { mutation_id: id(0xB000 + n), device_time: ts("2026-11-20T08:00:00Z") }
}

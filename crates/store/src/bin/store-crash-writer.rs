//! A writer for the crash-safety test: opens the store at `argv[1]`, loads
//! a tiny ground if the store is empty, then records visits with their
//! outbox entries forever, printing `committed <n>` (the number of visits
//! in the store) after each commit. The test kills it with SIGKILL.

use std::io::Write;
use std::path::PathBuf;

use jiff::Timestamp;
use steward_domain::geometry::LonLat;
use steward_domain::ground::{
    AccountNo, AreaM2, Building, Community, District, HeatingStatus, Household, PhoneNumber, SealNo, Unit, ValveState,
};
use steward_domain::ids::{HouseholdId, MutationId, UserId, VisitId};
use steward_domain::visit::{CompletedVisit, InspectionRecord, VisitDraft};
use steward_store::{GroundSnapshot, MutationMeta, Store};
use uuid::Uuid;

const HOUSEHOLDS: u128 = 4;

fn id<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

fn tiny_ground() -> Result<GroundSnapshot, Box<dyn std::error::Error>> {
    let here = LonLat::new(117.15, 37.31)?;
    let mut g = GroundSnapshot {
        districts: vec![District {
            id: id(1),
            code: "T-1".into(),
            name: "测试片区".into(),
            team_id: id(2),
            steward_id: Some(id(3)),
        }],
        communities: vec![Community {
            id: id(10),
            name: "鑫隆帝景城".into(),
            district_id: id(1),
            station_id: None,
            location: here,
        }],
        buildings: vec![Building { id: id(20), community_id: id(10), number: 1, location: here }],
        units: vec![Unit { id: id(30), building_id: id(20), number: 1 }],
        ..GroundSnapshot::default()
    };
    for n in 0..HOUSEHOLDS {
        g.households.push(Household {
            id: id(100 + n),
            account_no: AccountNo::parse(&format!("T-{n}"))?,
            district_id: id(1),
            community_id: id(10),
            building_id: id(20),
            unit_id: id(30),
            room: format!("{}", 101 + n),
            resident_name: "王小芳".into(),
            phone: PhoneNumber::parse("13812345678")?,
            heated_area: AreaM2::parse(80.0)?,
            status: HeatingStatus::Suspended,
            valve: ValveState::Closed,
        });
    }
    Ok(g)
}

/// Visit `i`: alternately a sealing and a contact card, over the households.
fn visit(i: u64, now: Timestamp) -> Result<CompletedVisit, Box<dyn std::error::Error>> {
    let household: HouseholdId = id(100 + u128::from(i) % HOUSEHOLDS);
    let mut draft = VisitDraft::start(VisitId::from(Uuid::now_v7()), household, UserId::from(Uuid::from_u128(3)), now);
    let record = if i.is_multiple_of(2) {
        let seal_no = SealNo::parse(&format!("C-{i}"))?;
        InspectionRecord::SuspensionValveClosure { valve: ValveState::Sealed { seal_no }, photos: vec![] }
    } else {
        InspectionRecord::ContactCardHandedOver
    };
    draft.add(record)?;
    Ok(draft.complete(now)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os().nth(1).ok_or("usage: store-crash-writer DB_PATH")?.into();
    let mut store = Store::open(&path)?;
    if store.stats()?.households == 0 {
        store.load_ground(&tiny_ground()?)?;
    }
    let mut committed = store.stats()?.visits;
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let now = Timestamp::now();
        let meta = MutationMeta { mutation_id: MutationId::from(Uuid::now_v7()), device_time: now };
        store.record_visit(&visit(i, now)?, &meta)?;
        committed += 1;
        writeln!(out, "committed {committed}")?;
        out.flush()?;
    }
    Ok(())
}

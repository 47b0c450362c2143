//! The device core over a real SQLite file: the first start loads one
//! steward's slice of the demo data, and only that.

use jiff::Timestamp;
use steward_device::{Device, snapshot_for_steward};
use steward_domain::ids::DeviceId;

fn device_id() -> DeviceId {
    DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10])
}

#[test]
fn first_start_loads_the_stewards_districts_once() {
    let dir = tempfile::tempdir().unwrap();
    let device = Device::open(dir.path()).unwrap();
    assert_eq!(device.profile().unwrap_err().code(), "no_steward");
    assert!(device.bootstrap_demo("steward1", device_id()).unwrap());
    let profile = device.profile().unwrap();
    assert_eq!(profile.steward.username, "steward1");
    assert!(!profile.districts.is_empty());
    let loaded = profile.stats;
    assert!(loaded.households > 100, "{loaded:?}");
    assert_eq!(loaded.outbox, 0, "data from the demo is not a local change");

    // A second start (a reopened file) loads nothing more.
    drop(device);
    let device = Device::open(dir.path()).unwrap();
    assert!(!device.bootstrap_demo("steward1", device_id()).unwrap());
    assert_eq!(device.profile().unwrap().stats, loaded);
}

#[test]
fn the_slice_holds_only_the_stewards_own_ground() {
    let ds = steward_demo::generate(&steward_demo::DemoConfig::default()).unwrap();
    let me = ds.staff_by_username("steward1").unwrap().id;
    let slice = snapshot_for_steward(&ds, me);
    let mine: Vec<_> = ds.districts.iter().filter(|d| d.steward_id == Some(me)).map(|d| d.id).collect();
    assert!(slice.households.iter().all(|h| mine.contains(&h.district_id)));
    let expected = ds.households.iter().filter(|h| mine.contains(&h.district_id)).count();
    assert_eq!(slice.households.len(), expected);
    assert!(slice.tickets.iter().all(|(t, _)| t.assignee() == Some(me)));
    assert!(slice.households.len() < ds.households.len());
}

#[test]
fn search_finds_xinlong_by_pinyin_initials_and_today_lists_work() {
    let dir = tempfile::tempdir().unwrap();
    let device = Device::open(dir.path()).unwrap();
    device.bootstrap_demo("steward1", device_id()).unwrap();
    let hits = device.search_households("xldjc", 20).unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.community == "鑫隆帝景城"), "{hits:?}");
    let work = device.today("2026-11-26T02:00:00Z".parse().unwrap()).unwrap();
    assert!(!work.tickets.is_empty() || !work.households.is_empty());
    assert!(work.tickets.windows(2).all(|w| w[0].ticket.due_at() <= w[1].ticket.due_at()));
}

#[test]
fn an_unknown_demo_user_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let device = Device::open(dir.path()).unwrap();
    let err = device.bootstrap_demo("nobody", device_id()).unwrap_err();
    assert_eq!(err.code(), "unknown_user");
}

mod visits {
    use jiff::Timestamp;
    use steward_device::card::CardOrg;
    use steward_device::dto::{RecordDto, TaskReasonDto, ValveDto, ValveStateDto, VisitInput};
    use steward_device::{Device, Stamp};

    const NOW: &str = "2026-11-26T02:00:00Z";

    fn device() -> (tempfile::TempDir, Device) {
        let dir = tempfile::tempdir().unwrap();
        let device = Device::open(dir.path()).unwrap();
        device.bootstrap_demo("steward1", super::device_id()).unwrap();
        (dir, device)
    }

    fn stamp(n: u8) -> Stamp {
        Stamp { at: NOW.parse().unwrap(), visit_random: [n; 10], mutation_random: [n + 100; 10] }
    }

    fn closure(seal_no: Option<&str>) -> RecordDto {
        RecordDto::SuspensionValveClosure {
            valve: ValveDto { state: ValveStateDto::Sealed, seal_no: seal_no.map(str::to_owned) },
        }
    }

    fn input(household_id: &str, records: Vec<RecordDto>) -> VisitInput {
        VisitInput {
            household_id: household_id.to_owned(),
            ticket_id: None,
            started_at: "2026-11-26T01:50:00Z".to_owned(),
            records,
        }
    }

    #[test]
    fn a_sealed_closure_updates_the_valve_and_waits_to_sync() {
        let (_dir, device) = device();
        let now: Timestamp = NOW.parse().unwrap();
        let today = device.today_view(now).unwrap();
        let task =
            today.households.iter().find(|h| h.reason == TaskReasonDto::SealSuspended).expect("a household to seal");
        let before = device.pending().unwrap();

        let temperature = RecordDto::IndoorTemperature {
            celsius: 12.5,
            room: "客厅".into(),
            measured_at: "2026-11-26T01:55:00Z".into(),
        };
        let saved =
            device.record_visit(&input(&task.id, vec![closure(Some("SH2026-0042")), temperature]), stamp(1)).unwrap();

        let sealed = ValveDto { state: ValveStateDto::Sealed, seal_no: Some("SH2026-0042".into()) };
        assert_eq!(saved.household.valve, sealed);
        assert_eq!(saved.pending.total, before.total + 1);
        assert_eq!(saved.pending.bulk, before.bulk + 1);
        assert_eq!(device.pending().unwrap(), saved.pending);

        // The household page shows the visit first and the new valve.
        let detail = device.household(&task.id).unwrap();
        assert_eq!(detail.valve, sealed);
        assert_eq!(detail.visits.first().map(|v| v.id.as_str()), Some(saved.visit.id.as_str()));
        assert_eq!(detail.visits[0].records.len(), 2);
        // Sealed, it leaves Today's list.
        assert!(device.today_view(now).unwrap().households.iter().all(|h| h.id != task.id));
    }

    #[test]
    fn refused_visits_write_nothing_and_say_why() {
        let (_dir, device) = device();
        let today = device.today_view(NOW.parse().unwrap()).unwrap();
        let id = &today.households[0].id;
        let before = device.pending().unwrap();

        let err = device.record_visit(&input(id, vec![closure(None)]), stamp(2)).unwrap_err();
        assert_eq!(err.code(), "seal_required");
        let err = device.record_visit(&input(id, vec![closure(Some("  "))]), stamp(3)).unwrap_err();
        assert_eq!(err.code(), "seal_required");
        let err = device.record_visit(&input(id, vec![]), stamp(4)).unwrap_err();
        assert_eq!(err.code(), "empty_visit");
        let hot = RecordDto::IndoorTemperature { celsius: 80.0, room: "卧室".into(), measured_at: NOW.into() };
        assert_eq!(device.record_visit(&input(id, vec![hot]), stamp(5)).unwrap_err().code(), "invalid_visit");
        let err =
            device.record_visit(&input("not-an-id", vec![RecordDto::ContactCardHandedOver]), stamp(6)).unwrap_err();
        assert_eq!(err.code(), "bad_id");

        assert_eq!(device.pending().unwrap(), before);
    }

    #[test]
    fn browse_goes_from_community_to_household() {
        let (_dir, device) = device();
        let community = device.communities().unwrap().into_iter().next().expect("a community");
        let building = device.buildings(&community.id).unwrap().into_iter().next().expect("a building");
        let unit = device.units(&building.id).unwrap().into_iter().next().expect("a unit");
        let row = device.households_in_unit(&unit.id).unwrap().into_iter().next().expect("a household");
        let detail = device.household(&row.id).unwrap();
        assert_eq!(detail.community_name, community.name);
        assert_eq!(detail.building_no, building.number);
        assert_eq!(detail.unit_no, unit.number);
        assert!(detail.address.contains(&format!("{}室", row.room)), "{}", detail.address);
        assert_eq!(device.household("0190a000-0000-7000-8000-000000000000").unwrap_err().code(), "not_found");
    }

    #[test]
    fn the_contact_card_carries_a_vcard_and_its_qr_code() {
        let (_dir, device) = device();
        let card = device.contact_card().unwrap();
        assert_eq!(card.hotline, "88812319");
        assert!(card.vcard.starts_with("BEGIN:VCARD\r\n"));
        assert!(card.vcard.contains(&format!("FN:{}", card.display_name)));
        assert!(card.vcard.contains(&format!("TEL;TYPE=CELL:{}", card.mobile)));
        assert!(!card.districts.is_empty());
        assert!(card.qr_svg.contains("<svg") && card.qr_svg.contains("</svg>"), "{}", &card.qr_svg[..80]);
        // The demo's first start wrote the organisation the card prints.
        assert_eq!((card.centre.as_str(), card.utility.as_str()), ("商河供热服务中心", "济南热力集团"));
        assert!(card.team.starts_with("供暖管家"), "{}", card.team);

        let org =
            CardOrg {
                team: "供暖管家二队".into(), centre: "商河供热服务中心".into(), utility: "济南热力集团".into()
            };
        device.set_card_org(&org).unwrap();
        let card = device.contact_card().unwrap();
        assert_eq!((card.team.as_str(), card.centre.as_str()), ("供暖管家二队", "商河供热服务中心"));
        assert!(card.vcard.contains("ORG:济南热力集团;商河供热服务中心;供暖管家二队\r\n"), "{}", card.vcard);
    }
}

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

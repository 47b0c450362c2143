use rusqlite::Connection;
use steward_domain::ground::{SealNo, ValveState};
use steward_store::{Store, StoreError};

use crate::support::*;

fn fts_rows(path: &std::path::Path, phrase: &str) -> i64 {
    let raw = Connection::open(path).unwrap();
    raw.query_row("SELECT count(*) FROM household_fts WHERE household_fts MATCH ?1", [phrase], |r| r.get(0)).unwrap()
}

#[test]
fn loading_the_same_ground_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    let g = ground();
    store.load_ground(&g).unwrap();
    let first = store.stats().unwrap();
    let communities = store.communities().unwrap();
    store.load_ground(&g).unwrap();
    assert_eq!(store.stats().unwrap(), first);
    assert_eq!(store.communities().unwrap(), communities);
    assert_eq!(first.households, HOUSEHOLDS.len() as u64);
    assert_eq!(first.tickets, 2);
    assert_eq!(first.outbox, 0, "ground data writes no outbox entries");
    assert_eq!(fts_rows(&path, "\"xldjc\""), 5, "the search index holds each household once");
    assert_eq!(store.staff().unwrap().len(), 3);
    let districts = store.districts().unwrap();
    assert_eq!(districts.len(), 2);
    assert!(districts[0].boundary_geojson.as_deref().unwrap().contains("Polygon"));
}

#[test]
fn a_renamed_community_renames_its_households_in_search_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    store.load_ground(&ground()).unwrap();

    // The server renames 豪门庄园 to 阳光新苑 and sends only the community.
    let renamed = ground().communities.into_iter().find(|c| c.name == "豪门庄园").unwrap();
    let renamed = steward_domain::ground::Community { name: "阳光新苑".into(), ..renamed };
    store.load_ground(&steward_store::GroundSnapshot { communities: vec![renamed], ..Default::default() }).unwrap();

    assert!(store.search_households("hmzy", 10).unwrap().is_empty());
    let hits = store.search_households("阳光新苑", 10).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].address, "阳光新苑 1号楼 1单元 101室");
    assert_eq!(fts_rows(&path, "\"ygxy\""), 2);
    // 阳光新苑 (ygxy) now walks after 鑫隆帝景城 (xldjc).
    let all: Vec<String> = store.search_households("", 20).unwrap().into_iter().map(|h| h.community).collect();
    assert_eq!(all.first().map(String::as_str), Some("鑫隆帝景城"));
}

#[test]
fn pending_field_evidence_wins_over_a_later_server_snapshot() {
    let mut store = loaded();
    let h = household_named("李建国");
    store.record_visit(&visit(1, h, "2026-11-20T01:00:00Z", vec![seal("S-9")]), &meta(1)).unwrap();
    let sealed = ValveState::Sealed { seal_no: SealNo::parse("S-9").unwrap() };

    // The server has not seen the visit yet and still says "closed".
    store.load_ground(&ground()).unwrap();
    assert_eq!(store.household(h).unwrap().unwrap().household.valve, sealed);

    // Once acknowledged, the server's word stands again.
    store.acknowledge(&[meta(1).mutation_id]).unwrap();
    store.load_ground(&ground()).unwrap();
    assert_eq!(store.household(h).unwrap().unwrap().household.valve, ValveState::Closed);
}

#[test]
fn a_boundary_for_an_unknown_district_or_bad_json_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let mut g = ground();
    g.boundaries.push((id(0x99), "{}".into()));
    assert!(matches!(store.load_ground(&g), Err(StoreError::NotFound { entity: "district", .. })));
    let mut g = ground();
    g.boundaries[0].1 = "{not json".into();
    assert!(matches!(store.load_ground(&g), Err(StoreError::Json(_))));
    assert_eq!(store.stats().unwrap().households, 0);
}

#[test]
fn a_household_in_a_unit_of_another_building_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let mut g = ground();
    g.households[0].building_id = g.households[3].building_id;
    assert!(matches!(store.load_ground(&g), Err(StoreError::Invalid(_))));
}

#[test]
fn a_changed_household_is_found_by_its_new_name_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    let mut g = ground();
    store.load_ground(&g).unwrap();
    let i = HOUSEHOLDS.iter().position(|h| h.4 == "王小芳").unwrap();
    g.households[i].resident_name = "黄晓芳".into();
    store.load_ground(&g).unwrap();

    let names = |q: &str| -> Vec<String> {
        store.search_households(q, 10).unwrap().into_iter().map(|h| h.resident_name).collect()
    };
    assert_eq!(names("黄晓芳"), vec!["黄晓芳"]);
    assert!(names("王小芳").is_empty());
    assert_eq!(names("hxf"), vec!["黄晓芳"]);
    assert_eq!(fts_rows(&path, "\"xldjc\""), 5, "the old entry was replaced, not added to");
}

#[test]
fn the_store_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<Store>();
}

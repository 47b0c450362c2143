use crate::support::*;

#[test]
fn communities_in_pinyin_order_with_counts() {
    let store = loaded();
    let list = store.communities().unwrap();
    let rows: Vec<(&str, &str, u32, u32)> =
        list.iter().map(|c| (c.name.as_str(), c.initials.as_str(), c.household_count, c.suspended_count)).collect();
    assert_eq!(rows, vec![("豪门庄园", "hmzy", 2, 1), ("鑫隆帝景城", "xldjc", 5, 3), ("阳光花园", "yghy", 2, 1)]);
}

#[test]
fn buildings_units_and_households_browse_in_number_order() {
    let store = loaded();
    let xl = store.communities().unwrap().into_iter().find(|c| c.initials == "xldjc").unwrap();
    let buildings = store.buildings(xl.id).unwrap();
    let rows: Vec<(u32, &str, u32, u32, u32)> = buildings
        .iter()
        .map(|b| (b.number, b.label.as_str(), b.unit_count, b.household_count, b.suspended_count))
        .collect();
    assert_eq!(rows, vec![(1, "1号楼", 2, 3, 1), (2, "2号楼", 1, 1, 1), (10, "10号楼", 1, 1, 1)]);

    let units = store.units(buildings[0].id).unwrap();
    let rows: Vec<(u32, u32, u32)> = units.iter().map(|u| (u.number, u.household_count, u.suspended_count)).collect();
    assert_eq!(rows, vec![(1, 2, 1), (2, 1, 0)]);

    let rooms: Vec<String> = store.households_in_unit(units[0].id).unwrap().into_iter().map(|h| h.room).collect();
    assert_eq!(rooms, vec!["301", "1201"], "rooms in numeric order");
    let g = ground();
    let stored = store.households_in_unit(units[0].id).unwrap();
    assert_eq!(stored[0], g.households[0], "a household reads back as it was loaded");
}

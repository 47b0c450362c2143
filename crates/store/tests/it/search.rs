use steward_domain::ground::HeatingStatus;
use steward_store::HouseholdHit;

use crate::support::*;

fn names(hits: &[HouseholdHit]) -> Vec<&str> {
    hits.iter().map(|h| h.resident_name.as_str()).collect()
}

fn search(q: &str) -> Vec<HouseholdHit> {
    loaded().search_households(q, 20).unwrap()
}

#[test]
fn a_full_name_finds_the_resident_with_a_complete_hit() {
    let hits = search("王小芳");
    assert_eq!(names(&hits), vec!["王小芳"]);
    let hit = &hits[0];
    assert_eq!(hit.id, household_named("王小芳"));
    assert_eq!(hit.account_no, "SH-0001");
    assert_eq!(hit.address, "鑫隆帝景城 1号楼 1单元 301室");
    assert_eq!(hit.community, "鑫隆帝景城");
    assert_eq!(hit.phone_masked, "138****5678");
    assert_eq!(hit.heating_status, HeatingStatus::Active);
    let json = serde_json::to_value(hit).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["account_no", "address", "community", "heating_status", "id", "phone_masked", "resident_name"]);
    assert_eq!(json["heating_status"], "active");
}

#[test]
fn phone_digits_find_every_household_whose_phone_holds_them() {
    let hits = search("5678");
    // Phones of 王小芳 and 王小明, and 许立德's account SH-5678, in walking
    // order: 阳光花园 walks after 鑫隆帝景城.
    assert_eq!(names(&hits), vec!["王小芳", "王小明", "许立德"]);
    assert_eq!(names(&search("SH-5678")), vec!["许立德"]);
    assert_eq!(names(&search("9999")), vec!["许立德"]);
    assert_eq!(names(&search("13900001111")), vec!["李建国"]);
}

#[test]
fn an_account_number_matches_exactly_first_in_any_case() {
    assert_eq!(names(&search("SH-0004")), vec!["张伟"]);
    assert_eq!(names(&search("sh-0004")), vec!["张伟"]);
    let hits = search("SH-000");
    assert_eq!(hits.len(), 8, "a partial account matches as a substring");
}

#[test]
fn community_initials_find_every_household_of_the_community_in_walking_order() {
    let hits = search("xldjc");
    assert_eq!(names(&hits), vec!["王小芳", "李建国", "王小明", "张伟", "赵丽"]);
    assert!(hits.iter().all(|h| h.community == "鑫隆帝景城"));
    assert_eq!(names(&search("XLDJC")), names(&hits));
    assert_eq!(names(&search("鑫隆帝景城 1号楼")), vec!["王小芳", "李建国", "王小明"]);
}

#[test]
fn name_matches_rank_before_other_matches() {
    // 许立德's initials are xld; the households of 鑫隆帝景城 (xldjc) walk
    // first but rank after the name match.
    let hits = search("xld");
    assert_eq!(names(&hits), vec!["许立德", "王小芳", "李建国", "王小明", "张伟", "赵丽"]);
}

#[test]
fn two_letter_initials_and_one_character_names_are_prefix_scans() {
    assert_eq!(names(&search("wx")), vec!["王小芳", "王小明"]);
    assert_eq!(names(&search("WX")), vec!["王小芳", "王小明"]);
    // A prefix tier is in name order (by code point: 小 before 芳, 明 before 芳).
    assert_eq!(names(&search("王")), vec!["王小明", "王小芳", "王芳"]);
    assert_eq!(names(&search("王小")), vec!["王小明", "王小芳"]);
    // hm: no name initials start with hm; the community 豪门庄园 does.
    assert_eq!(names(&search("hm")), vec!["王芳", "刘洋"]);
    assert_eq!(names(&search("豪门")), vec!["王芳", "刘洋"]);
    // z: 张伟 (zw) and 赵丽 (zl) by initials.
    assert_eq!(names(&search("z")), vec!["赵丽", "张伟"]);
}

#[test]
fn hostile_input_is_searched_as_text_and_never_errors() {
    let store = loaded();
    for q in
        ["\"", "*", "OR", "NEAR(", "a\"b OR", "\"\"\"\"", "王*", "x OR y", "'; DROP TABLE households; --", "{names}:"]
    {
        let hits = store.search_households(q, 20).unwrap_or_else(|e| panic!("query {q:?} failed: {e}"));
        assert!(hits.is_empty(), "query {q:?} found {:?}", names(&hits));
    }
    assert_eq!(store.stats().unwrap().households, HOUSEHOLDS.len() as u64);
}

#[test]
fn an_empty_query_lists_households_in_walking_order_up_to_the_limit() {
    let store = loaded();
    let all = store.search_households("  ", 100).unwrap();
    assert_eq!(names(&all), vec!["王芳", "刘洋", "王小芳", "李建国", "王小明", "张伟", "赵丽", "陈静", "许立德"]);
    assert_eq!(names(&store.search_households("", 3).unwrap()), vec!["王芳", "刘洋", "王小芳"]);
    assert!(store.search_households("", 0).unwrap().is_empty());
    assert_eq!(store.search_households("xldjc", 2).unwrap().len(), 2);
}

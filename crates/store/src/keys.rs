//! Derived keys stored beside the ground data: walking-order keys and the
//! search haystack. Pure functions, computed in Rust when rows are written.

use steward_domain::ground::format_address;
use steward_domain::pinyin_key;

/// Separates the parts of a key; sorts below every printable character.
const SEP: char = '\u{1f}';

/// Separates the fields of the search haystack. A newline is never typed in
/// a search box, so no query matches across two fields.
const FIELD_SEP: char = '\n';

/// The order of communities: by pinyin initials, then by name.
pub(crate) fn community_sort_key(name: &str) -> String {
    format!("{}{SEP}{name}", pinyin_key::initials(name))
}

/// The range of walking keys of one community's households: every key
/// that starts with the community's sort key and a separator.
pub(crate) fn community_walk_range(community_sort_key: &str) -> (String, String) {
    (format!("{community_sort_key}{SEP}"), format!("{community_sort_key}{SEP}{}", char::MAX))
}

/// Encodes a number so that text order is numeric order: its digit count
/// as one letter, then the digits.
fn number_key(n: u32) -> String {
    let digits = n.to_string();
    let len = u8::try_from(digits.len()).unwrap_or(10);
    format!("{}{digits}", char::from(b'A' + len))
}

/// Rooms that are numbers sort numerically (`301` before `1201`); other
/// rooms sort after them by text.
fn room_key(room: &str) -> String {
    match room.parse::<u32>() {
        Ok(n) if room.bytes().all(|b| b.is_ascii_digit()) => number_key(n),
        _ => format!("~{room}"),
    }
}

/// The walking-order prefix of a unit's households: community, building
/// number, unit number.
pub(crate) fn unit_walk_key(community_sort_key: &str, building_no: u32, unit_no: u32) -> String {
    format!("{community_sort_key}{SEP}{}{SEP}{}", number_key(building_no), number_key(unit_no))
}

/// A household's walking-order key: its unit's key, then the room.
pub(crate) fn household_walk_key(unit_walk_key: &str, room: &str) -> String {
    format!("{unit_walk_key}{SEP}{}", room_key(room))
}

/// Where a household is: what its address and search text need.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnitPlace {
    pub community_name: String,
    pub community_initials: String,
    pub building_no: u32,
    pub unit_no: u32,
    pub walk_key: String,
}

impl UnitPlace {
    pub(crate) fn address(&self, room: &str) -> String {
        format_address(&self.community_name, self.building_no, self.unit_no, room)
    }
}

/// The two full-text columns of a household: its names (resident name and
/// its initials) and the rest (address, community initials, account number,
/// phone).
pub(crate) struct Haystack {
    pub names: String,
    pub rest: String,
}

pub(crate) fn haystack(
    place: &UnitPlace,
    room: &str,
    resident_name: &str,
    initials: &str,
    account_no: &str,
    phone: &str,
) -> Haystack {
    let names = format!("{resident_name}{FIELD_SEP}{initials}");
    let rest =
        [place.address(room).as_str(), &place.community_initials, account_no, phone].join(&FIELD_SEP.to_string());
    Haystack { names, rest }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_rooms_sort_numerically() {
        assert!(number_key(9) < number_key(10));
        assert!(number_key(99) < number_key(100));
        assert!(room_key("301") < room_key("1201"));
        assert!(room_key("1201") < room_key("地下室"));
        assert!(room_key("9") < room_key("A1"));
    }

    #[test]
    fn walk_keys_order_community_then_building_then_unit_then_room() {
        let a = community_sort_key("豪门庄园");
        let b = community_sort_key("鑫隆帝景城");
        assert!(a < b, "hmzy sorts before xldjc");
        let a2_1 = unit_walk_key(&a, 2, 1);
        let a10_1 = unit_walk_key(&a, 10, 1);
        let b1_1 = unit_walk_key(&b, 1, 1);
        assert!(household_walk_key(&a2_1, "1201") < household_walk_key(&a10_1, "101"));
        assert!(household_walk_key(&a10_1, "1201") < household_walk_key(&b1_1, "101"));
        assert!(household_walk_key(&a2_1, "301") < household_walk_key(&a2_1, "1201"));
        let (from, to) = community_walk_range(&a);
        let inside = household_walk_key(&a10_1, "1201");
        assert!(from < inside && inside < to);
        let outside = household_walk_key(&b1_1, "101");
        assert!(outside > to);
    }

    #[test]
    fn haystack_holds_every_searchable_field() {
        let place = UnitPlace {
            community_name: "鑫隆帝景城".into(),
            community_initials: "xldjc".into(),
            building_no: 1,
            unit_no: 2,
            walk_key: String::new(),
        };
        let h = haystack(&place, "301", "王小芳", "wxf", "SH-0001", "13812345678");
        assert_eq!(h.names, "王小芳\nwxf");
        assert_eq!(h.rest, "鑫隆帝景城 1号楼 2单元 301室\nxldjc\nSH-0001\n13812345678");
    }
}

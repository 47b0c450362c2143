//! Household search (查户): by resident name, address, account number,
//! phone digits, and the pinyin initials of resident and community names.
//!
//! Queries of three or more characters are substring searches on a trigram
//! full-text index. Shorter queries, which a trigram index cannot answer,
//! are prefix range scans on ordinary indexes. Neither path scans the
//! households table.
//!
//! Ranking, in tiers: exact account number; exact resident name; other name
//! matches (name or its initials); everything else. Within a tier the order
//! is fixed (walking order, or the index order of a prefix), so the same
//! query on the same data gives the same list.

use std::collections::HashSet;

use rusqlite::{Connection, params};
use serde::Serialize;
use steward_domain::ground::{HeatingStatus, PhoneNumber, format_address};
use steward_domain::ids::HouseholdId;

use crate::codec::{col, to_u32};
use crate::error::{Result, StoreError};
use crate::{Store, keys, rows};

/// The most hits one search returns.
pub const MAX_SEARCH_LIMIT: usize = 500;

/// How many full-text matches are ranked at most. A query that matches more
/// households than this (a bare `1号楼`) ranks the first ones found.
const CANDIDATE_CAP: i64 = 10_000;

/// Sorts after every character a query can hold: the upper bound of a
/// prefix range.
const PREFIX_END: char = char::MAX;

/// One household in a search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdHit {
    pub id: HouseholdId,
    pub account_no: String,
    pub resident_name: String,
    /// `鑫隆帝景城 1号楼 2单元 301室`.
    pub address: String,
    pub community: String,
    /// `138****5678`.
    pub phone_masked: String,
    pub heating_status: HeatingStatus,
}

/// A query as an FTS5 phrase: quoted, with quotes doubled, so that no input
/// is read as FTS5 syntax (`OR`, `NEAR(`, `*`, `"`).
pub(crate) fn fts_phrase(query: &str) -> String {
    format!("\"{}\"", query.replace('"', "\"\""))
}

/// Collects household row ids in tier order without repeats.
struct Ranked {
    rids: Vec<i64>,
    seen: HashSet<i64>,
    limit: usize,
}

impl Ranked {
    fn new(limit: usize) -> Self {
        Ranked { rids: Vec::with_capacity(limit), seen: HashSet::new(), limit }
    }

    fn full(&self) -> bool {
        self.rids.len() >= self.limit
    }

    /// How many more rows a tier query should fetch: enough to fill the list
    /// even if every row already seen comes again.
    fn fetch(&self) -> i64 {
        i64::try_from(self.limit + self.seen.len()).unwrap_or(i64::MAX)
    }

    /// Adds the rows of one tier query.
    fn take(&mut self, conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<()> {
        if self.full() {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        while let Some(row) = rows.next()? {
            let rid: i64 = row.get(0)?;
            if self.seen.insert(rid) {
                self.rids.push(rid);
                if self.full() {
                    break;
                }
            }
        }
        Ok(())
    }
}

const EXACT_ACCOUNT: &str = "SELECT rid FROM households WHERE account_no IN (?1, ?2) ORDER BY walk_key, rid LIMIT ?3";
const EXACT_NAME: &str = "SELECT rid FROM households WHERE resident_name = ?1 ORDER BY walk_key, rid LIMIT ?2";
const NAME_PREFIX: &str = "SELECT rid FROM households WHERE resident_name >= ?1 AND resident_name < ?2 \
     ORDER BY resident_name, rid LIMIT ?3";
const INITIALS_PREFIX: &str = "SELECT rid FROM households WHERE name_initials >= ?1 AND name_initials < ?2 \
     ORDER BY name_initials, rid LIMIT ?3";
const ACCOUNT_PREFIX: &str = "SELECT rid FROM households WHERE account_no >= ?1 AND account_no < ?2 \
     ORDER BY account_no, rid LIMIT ?3";
const MATCHING_COMMUNITIES: &str = "SELECT id, sort_key FROM communities \
     WHERE (initials >= ?1 AND initials < ?2) OR (name >= ?3 AND name < ?4) ORDER BY sort_key, id";
/// A community's households are a range of walking keys; the id check
/// leaves out a namesake community. The unary `+` keeps the planner on the
/// walking-order index, which needs no sort to stop at the limit.
const IN_COMMUNITY: &str = "SELECT rid FROM households WHERE walk_key >= ?1 AND walk_key < ?2 \
     AND +community_id = ?3 ORDER BY walk_key, rid LIMIT ?4";
const FULL_TEXT: &str = "SELECT h.rid FROM (SELECT rowid AS rid FROM household_fts WHERE household_fts MATCH ?1 \
     LIMIT ?2) m JOIN households h ON h.rid = m.rid ORDER BY h.walk_key, h.rid LIMIT ?3";
const WALKING_ORDER: &str = "SELECT rid FROM households ORDER BY walk_key, rid LIMIT ?1";
const HIT: &str = "SELECT h.id, h.account_no, h.resident_name, h.room, h.phone, h.status, c.name AS community, \
     b.number AS building_no, u.number AS unit_no FROM households h \
     JOIN communities c ON c.id = h.community_id JOIN buildings b ON b.id = h.building_id \
     JOIN units u ON u.id = h.unit_id WHERE h.rid = ?1";

fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{PREFIX_END}")
}

/// Tiers for a query of one or two characters: prefix range scans.
fn short_query(conn: &Connection, q: &str, ranked: &mut Ranked) -> Result<()> {
    let lower = q.to_lowercase();
    let upper = q.to_uppercase();
    ranked.take(conn, EXACT_ACCOUNT, params![q, upper, ranked.fetch()])?;
    ranked.take(conn, EXACT_NAME, params![q, ranked.fetch()])?;
    ranked.take(conn, NAME_PREFIX, params![q, prefix_end(q), ranked.fetch()])?;
    if lower.chars().all(|c| c.is_ascii_alphanumeric()) {
        ranked.take(conn, INITIALS_PREFIX, params![lower, prefix_end(&lower), ranked.fetch()])?;
    }
    let communities: Vec<(String, String)> = {
        let mut stmt = conn.prepare_cached(MATCHING_COMMUNITIES)?;
        let rows =
            stmt.query_map(params![lower, prefix_end(&lower), q, prefix_end(q)], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (community, sort_key) in communities {
        let (from, to) = keys::community_walk_range(&sort_key);
        ranked.take(conn, IN_COMMUNITY, params![from, to, community, ranked.fetch()])?;
    }
    ranked.take(conn, ACCOUNT_PREFIX, params![upper, prefix_end(&upper), ranked.fetch()])?;
    Ok(())
}

/// Tiers for a query of three or more characters: trigram substring search.
fn long_query(conn: &Connection, q: &str, ranked: &mut Ranked) -> Result<()> {
    let phrase = fts_phrase(q);
    ranked.take(conn, EXACT_ACCOUNT, params![q, q.to_uppercase(), ranked.fetch()])?;
    ranked.take(conn, EXACT_NAME, params![q, ranked.fetch()])?;
    ranked.take(conn, FULL_TEXT, params![format!("names : {phrase}"), CANDIDATE_CAP, ranked.fetch()])?;
    ranked.take(conn, FULL_TEXT, params![phrase, CANDIDATE_CAP, ranked.fetch()])?;
    Ok(())
}

fn hit(conn: &Connection, rid: i64) -> Result<HouseholdHit> {
    let mut stmt = conn.prepare_cached(HIT)?;
    let mut rows = stmt.query([rid])?;
    let row = rows.next()?.ok_or_else(|| StoreError::NotFound { entity: "household", id: format!("#{rid}") })?;
    let phone: String = row.get("phone")?;
    let phone = PhoneNumber::parse(&phone).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let community: String = row.get("community")?;
    let room: String = row.get("room")?;
    let building_no = to_u32("building number", row.get("building_no")?)?;
    let unit_no = to_u32("unit number", row.get("unit_no")?)?;
    Ok(HouseholdHit {
        id: col(row, "id")?,
        account_no: row.get("account_no")?,
        resident_name: row.get("resident_name")?,
        address: format_address(&community, building_no, unit_no, &room),
        community,
        phone_masked: phone.masked(),
        heating_status: rows::status(&row.get::<_, String>("status")?)?,
    })
}

impl Store {
    /// Finds households by resident name, address, account number, phone
    /// digits, or the pinyin initials of the resident's or the community's
    /// name (`xldjc` finds every household of 鑫隆帝景城). An empty query
    /// lists households in walking order. At most `limit` hits (capped at
    /// [`MAX_SEARCH_LIMIT`]), best first.
    pub fn search_households(&self, query: &str, limit: usize) -> Result<Vec<HouseholdHit>> {
        let q = query.trim();
        let mut ranked = Ranked::new(limit.min(MAX_SEARCH_LIMIT));
        if ranked.full() {
            return Ok(Vec::new());
        }
        match q.chars().count() {
            0 => ranked.take(&self.conn, WALKING_ORDER, [ranked.fetch()])?,
            1 | 2 => short_query(&self.conn, q, &mut ranked)?,
            _ => long_query(&self.conn, q, &mut ranked)?,
        }
        ranked.rids.iter().map(|&rid| hit(&self.conn, rid)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_quote_everything() {
        assert_eq!(fts_phrase("王小芳"), "\"王小芳\"");
        assert_eq!(fts_phrase("a\"b OR"), "\"a\"\"b OR\"");
        assert_eq!(fts_phrase("NEAR("), "\"NEAR(\"");
    }

    /// No search query may scan the households table: each one searches
    /// an index, the full-text index or walks an index in order with a limit.
    #[test]
    fn every_search_query_uses_an_index() {
        let store = Store::open_in_memory().unwrap();
        let cases = [
            (EXACT_ACCOUNT, "households_account"),
            (EXACT_NAME, "households_name"),
            (NAME_PREFIX, "households_name"),
            (INITIALS_PREFIX, "households_initials"),
            (ACCOUNT_PREFIX, "households_account"),
            (IN_COMMUNITY, "households_walk"),
            (WALKING_ORDER, "households_walk"),
            (FULL_TEXT, "household_fts VIRTUAL TABLE"),
        ];
        for (sql, index) in cases {
            let plan = crate::query_plan(&store, sql);
            assert!(plan.iter().any(|step| step.contains(index)), "{sql}: {plan:?}");
            assert!(!plan.iter().any(|step| step == "SCAN households" || step == "SCAN h"), "{sql}: {plan:?}");
        }
    }

    #[test]
    fn prefix_end_bounds_every_extension() {
        let end = prefix_end("王");
        assert!("王" < end.as_str());
        assert!("王小芳" < end.as_str());
        assert!("玛" > end.as_str(), "the next character after 王 is past the range");
    }
}

//! Browsing the ground: community → building → unit → household.

use rusqlite::Row;
use serde::Serialize;
use steward_domain::ground::{Household, format_address};
use steward_domain::ids::{BuildingId, CommunityId, HouseholdId, UnitId};
use steward_domain::ticket::Ticket;
use steward_domain::visit::CompletedVisit;

use crate::codec::{col, to_u32};
use crate::error::Result;
use crate::{Store, rows, visits};

/// A community (小区) in the steward's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommunitySummary {
    pub id: CommunityId,
    pub name: String,
    /// Pinyin initials of the name: 鑫隆帝景城 → `xldjc`.
    pub initials: String,
    pub household_count: u32,
    pub suspended_count: u32,
}

/// A building (楼) of a community.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingSummary {
    pub id: BuildingId,
    pub number: u32,
    /// `1号楼`.
    pub label: String,
    pub unit_count: u32,
    pub household_count: u32,
    pub suspended_count: u32,
}

/// A stairwell unit (单元) of a building.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitSummary {
    pub id: UnitId,
    pub number: u32,
    pub household_count: u32,
    pub suspended_count: u32,
}

/// Everything the household page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdDetail {
    pub household: Household,
    /// `鑫隆帝景城 1号楼 2单元 301室`.
    pub address: String,
    pub community_name: String,
    pub building_no: u32,
    pub unit_no: u32,
    /// Newest first.
    pub visits: Vec<CompletedVisit>,
    /// Newest report first.
    pub tickets: Vec<Ticket>,
}

fn count(row: &Row<'_>, name: &str) -> Result<u32> {
    to_u32(name, row.get(name)?)
}

impl Store {
    /// The communities on the device in pinyin order, with household counts.
    pub fn communities(&self) -> Result<Vec<CommunitySummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.name, c.initials, \
             (SELECT count(*) FROM households h WHERE h.community_id = c.id) AS household_count, \
             (SELECT count(*) FROM households h WHERE h.community_id = c.id AND h.status = 'suspended') \
               AS suspended_count \
             FROM communities c ORDER BY c.sort_key, c.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(CommunitySummary {
                id: col(row, "id")?,
                name: row.get("name")?,
                initials: row.get("initials")?,
                household_count: count(row, "household_count")?,
                suspended_count: count(row, "suspended_count")?,
            });
        }
        Ok(out)
    }

    /// The buildings of a community by number.
    pub fn buildings(&self, community: CommunityId) -> Result<Vec<BuildingSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.id, b.number, \
             (SELECT count(*) FROM units u WHERE u.building_id = b.id) AS unit_count, \
             (SELECT count(*) FROM households h WHERE h.building_id = b.id) AS household_count, \
             (SELECT count(*) FROM households h WHERE h.building_id = b.id AND h.status = 'suspended') \
               AS suspended_count \
             FROM buildings b WHERE b.community_id = ?1 ORDER BY b.number, b.id",
        )?;
        let mut rows = stmt.query([community.to_string()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let number = count(row, "number")?;
            out.push(BuildingSummary {
                id: col(row, "id")?,
                number,
                label: format!("{number}号楼"),
                unit_count: count(row, "unit_count")?,
                household_count: count(row, "household_count")?,
                suspended_count: count(row, "suspended_count")?,
            });
        }
        Ok(out)
    }

    /// The units of a building by number.
    pub fn units(&self, building: BuildingId) -> Result<Vec<UnitSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.id, u.number, \
             (SELECT count(*) FROM households h WHERE h.unit_id = u.id) AS household_count, \
             (SELECT count(*) FROM households h WHERE h.unit_id = u.id AND h.status = 'suspended') \
               AS suspended_count \
             FROM units u WHERE u.building_id = ?1 ORDER BY u.number, u.id",
        )?;
        let mut rows = stmt.query([building.to_string()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(UnitSummary {
                id: col(row, "id")?,
                number: count(row, "number")?,
                household_count: count(row, "household_count")?,
                suspended_count: count(row, "suspended_count")?,
            });
        }
        Ok(out)
    }

    /// The households of a unit in room order.
    pub fn households_in_unit(&self, unit: UnitId) -> Result<Vec<Household>> {
        let sql = format!(
            "SELECT {} FROM households h WHERE h.unit_id = ?1 ORDER BY h.walk_key, h.rid",
            rows::HOUSEHOLD_COLS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([unit.to_string()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(rows::household(row)?);
        }
        Ok(out)
    }

    /// One household with its address, visits (newest first) and tickets.
    pub fn household(&self, id: HouseholdId) -> Result<Option<HouseholdDetail>> {
        let sql = format!(
            "SELECT {}, c.name AS community_name, b.number AS building_no, u.number AS unit_no \
             FROM households h JOIN communities c ON c.id = h.community_id \
             JOIN buildings b ON b.id = h.building_id JOIN units u ON u.id = h.unit_id WHERE h.id = ?1",
            rows::HOUSEHOLD_COLS
        );
        let key = id.to_string();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([&key])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let household = rows::household(row)?;
        let community_name: String = row.get("community_name")?;
        let building_no = count(row, "building_no")?;
        let unit_no = count(row, "unit_no")?;
        Ok(Some(HouseholdDetail {
            address: format_address(&community_name, building_no, unit_no, &household.room),
            household,
            community_name,
            building_no,
            unit_no,
            visits: visits::of_household(&self.conn, &key)?,
            tickets: self.tickets_of(&key)?,
        }))
    }

    fn tickets_of(&self, household: &str) -> Result<Vec<Ticket>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ticket_json FROM tickets WHERE household_id = ?1 ORDER BY reported_at DESC, id DESC",
        )?;
        let mut rows = stmt.query([household])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(rows::ticket(row)?);
        }
        Ok(out)
    }
}

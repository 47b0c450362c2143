//! Printable door tags (门牌二维码): the QR tag at a household's door or on
//! its seal, which a steward scans to prove the arrival. Stewards replace
//! lost tags, one household's or a whole building's at a time, from what the
//! device holds, so it works offline. The QR holds the tag text (`HH:` and
//! the account number, [`crate::tickets::door_tag`]); the UI lays the tags
//! out on label sheets and prints them.

use serde::Serialize;
use steward_domain::ground::format_address;
use steward_domain::ids::{BuildingId, HouseholdId};
use ts_rs::TS;

use crate::Device;
use crate::card::qr_svg;
use crate::input::{InputError, parse_id};
use crate::tickets::door_tag;

/// One printable door tag.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DoorTagDto {
    pub household_id: String,
    /// 户号.
    pub account_no: String,
    /// The text in the QR: `HH:` and the account number.
    pub tag: String,
    /// 小区.
    pub community: String,
    /// 楼 (号楼).
    pub building_no: u32,
    /// 单元.
    pub unit_no: u32,
    /// 室.
    pub room: String,
    /// `鑫隆帝景城 1号楼 2单元 301室`.
    pub address: String,
    /// The QR code of `tag` as an SVG document (black on white, quiet zone).
    pub qr_svg: String,
}

/// A sheet of door tags to print: one household's, or every household of a
/// building in unit and room order.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DoorTagSheetDto {
    /// What the sheet is of: the household's address, or `小区 N号楼`.
    pub title: String,
    pub tags: Vec<DoorTagDto>,
}

fn tag_dto(
    household: &steward_domain::ground::Household,
    community: &str,
    building_no: u32,
    unit_no: u32,
) -> Result<DoorTagDto, InputError> {
    let tag = door_tag(household);
    Ok(DoorTagDto {
        household_id: household.id.to_string(),
        account_no: household.account_no.to_string(),
        qr_svg: qr_svg(&tag)?,
        tag,
        community: community.to_owned(),
        building_no,
        unit_no,
        room: household.room.clone(),
        address: format_address(community, building_no, unit_no, &household.room),
    })
}

impl Device {
    /// One household's door tag, to print a replacement.
    pub fn household_door_tag(&self, household_id: &str) -> Result<DoorTagSheetDto, InputError> {
        let id: HouseholdId = parse_id("household_id", household_id)?;
        let detail = self
            .store()
            .household(id)?
            .ok_or_else(|| InputError::NotFound { entity: "household", id: household_id.to_owned() })?;
        let tag = tag_dto(&detail.household, &detail.community_name, detail.building_no, detail.unit_no)?;
        Ok(DoorTagSheetDto { title: detail.address, tags: vec![tag] })
    }

    /// The door tags to print from a household's page: its own, or with
    /// `whole_building` every household's of its building.
    pub fn door_tags(&self, household_id: &str, whole_building: bool) -> Result<DoorTagSheetDto, InputError> {
        if !whole_building {
            return self.household_door_tag(household_id);
        }
        let id: HouseholdId = parse_id("household_id", household_id)?;
        let detail = self
            .store()
            .household(id)?
            .ok_or_else(|| InputError::NotFound { entity: "household", id: household_id.to_owned() })?;
        self.building_door_tags(&detail.household.building_id.to_string())
    }

    /// The door tags of every household of a building on the device, unit by
    /// unit in room order. A building with no households on the device is
    /// `not_found`.
    pub fn building_door_tags(&self, building_id: &str) -> Result<DoorTagSheetDto, InputError> {
        let id: BuildingId = parse_id("building_id", building_id)?;
        let store = self.store();
        let not_found = || InputError::NotFound { entity: "building", id: building_id.to_owned() };
        let mut units = Vec::new();
        for unit in store.units(id)? {
            units.push((unit.number, store.households_in_unit(unit.id)?));
        }
        let first = units.iter().flat_map(|(_, hs)| hs.first()).next().ok_or_else(not_found)?;
        let detail = store.household(first.id)?.ok_or_else(not_found)?;
        drop(store);
        let (community, building_no) = (detail.community_name.as_str(), detail.building_no);
        let mut tags = Vec::new();
        for (unit_no, households) in &units {
            for household in households {
                tags.push(tag_dto(household, community, building_no, *unit_no)?);
            }
        }
        Ok(DoorTagSheetDto { title: format!("{community} {building_no}号楼"), tags })
    }
}

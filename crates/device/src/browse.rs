//! Household lookup by place: community (小区) → building (楼) → unit (单元)
//! → household (户), and one household's page.

use steward_domain::ids::{BuildingId, CommunityId, HouseholdId, UnitId};

use crate::Device;
use crate::dto::{BuildingDto, CommunityDto, HouseholdDetailDto, HouseholdHitDto, HouseholdRowDto, TodayDto, UnitDto};
use crate::input::{InputError, parse_id};

impl Device {
    /// Household search as the UI shows it (see [`Device::search_households`]).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<HouseholdHitDto>, InputError> {
        Ok(self.search_households(query, limit)?.iter().map(Into::into).collect())
    }

    /// The communities on the device in pinyin order.
    pub fn communities(&self) -> Result<Vec<CommunityDto>, InputError> {
        Ok(self.store().communities()?.iter().map(Into::into).collect())
    }

    /// The buildings of a community by number.
    pub fn buildings(&self, community_id: &str) -> Result<Vec<BuildingDto>, InputError> {
        let id: CommunityId = parse_id("community_id", community_id)?;
        Ok(self.store().buildings(id)?.iter().map(Into::into).collect())
    }

    /// The units of a building by number.
    pub fn units(&self, building_id: &str) -> Result<Vec<UnitDto>, InputError> {
        let id: BuildingId = parse_id("building_id", building_id)?;
        Ok(self.store().units(id)?.iter().map(Into::into).collect())
    }

    /// The households of a unit in room order.
    pub fn households_in_unit(&self, unit_id: &str) -> Result<Vec<HouseholdRowDto>, InputError> {
        let id: UnitId = parse_id("unit_id", unit_id)?;
        Ok(self.store().households_in_unit(id)?.iter().map(Into::into).collect())
    }

    /// One household: address, status, valve, area, visits newest first, tickets.
    pub fn household(&self, household_id: &str) -> Result<HouseholdDetailDto, InputError> {
        let id: HouseholdId = parse_id("household_id", household_id)?;
        let detail = self
            .store()
            .household(id)?
            .ok_or_else(|| InputError::NotFound { entity: "household", id: household_id.to_owned() })?;
        Ok(HouseholdDetailDto::from(&detail))
    }

    /// Today's work as the Today screen shows it (see [`Device::today`]).
    /// `now` is the device's time; the list carries the server-corrected time.
    pub fn today_view(&self, now: jiff::Timestamp) -> Result<TodayDto, InputError> {
        let corrected = self.corrected_time(now)?;
        Ok(TodayDto::new(&self.today(corrected)?, &self.planned_visits(corrected)?, corrected))
    }

    /// The central's service policy the device holds (from sign-in or the
    /// change feed); none before either brought one.
    pub fn sla_policy(&self) -> Result<Option<steward_domain::sla::SlaPolicy>, InputError> {
        let json = self.store().meta(steward_store::meta_keys::SLA_POLICY)?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// The steward's planned visits of sweep campaigns on the device, in
    /// walking order, each done, open or overdue at the corrected time `now`.
    pub fn planned_visits(&self, now: jiff::Timestamp) -> Result<Vec<steward_store::PlannedTask>, InputError> {
        let store = self.store();
        let steward = Self::steward_id(&store)?;
        Ok(store.planned_tasks(steward, now)?)
    }
}

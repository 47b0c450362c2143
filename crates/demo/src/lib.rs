//! Deterministic demo data for Heat Steward (供暖管家): the 商河 county-seat
//! service area of 济南热力集团's 商河供热服务中心, inside the real county
//! polygon, with its organisation, ground, households and a season of
//! hotline tickets and home visits.
//!
//! Architecture Invariant: the same [`DemoConfig`] gives the same
//! [`DemoDataset`], byte for byte. All randomness comes from ChaCha8 streams
//! of the seed, all time from `as_of`; nothing reads a clock or the
//! environment.
//!
//! Everything is made through the domain's own constructors: tickets through
//! `Ticket::open` and `Ticket::apply`, visits through `VisitDraft::complete`,
//! phones, accounts, seals and areas through their `parse`.
//!
//! The default size (5,000 households) generates in well under a second in a
//! debug build; 500,000 households take about a second in release:
//! `cargo run --release -p steward-demo -- --households 500000 --out /tmp/demo500k`.

mod calendar;
mod export;
mod ground;
mod history;
mod layout;
mod names;
mod org;
mod positions;
mod rng;

use std::collections::HashMap;

use geo::MultiPolygon;
use jiff::Timestamp;
use serde::Serialize;
use steward_domain::geometry::{DistrictIndex, GeometryError};
use steward_domain::ground::{Building, Community, District, FieldError, Household, Station, Unit};
use steward_domain::ids::{BuildingId, CommunityId, DistrictId, UnitId};
use steward_domain::org::{ServiceCentre, Staff, Team, Utility};
use steward_domain::ticket::{NewTicket, Ticket, TicketError, TicketEvent};
use steward_domain::visit::{CompletedVisit, VisitError};

pub use export::{DemoSummary, HOUSEHOLDS_CSV_HEADER};
pub use layout::{COUNTY_SEAT, JINAN_DISTRICTS_GEOJSON, SHANGHE_CODE, shanghe_county};
pub use names::{HAOMEN, SCHOOL_STATION, XINLONG};
pub use positions::DemoPosition;

/// The smallest and largest sizes the generator accepts, in households.
pub const MIN_HOUSEHOLDS: usize = 2_000;
pub const MAX_HOUSEHOLDS: usize = 2_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemoConfig {
    pub seed: u64,
    /// The number of households to aim at; the result is within one
    /// building of it.
    pub households: usize,
    /// "Today" in the demo: history runs up to here and tickets after it
    /// are still open. It must lie in the 2026–27 season (2026-09-01 to
    /// 2027-04-30).
    pub as_of: Timestamp,
}

impl Default for DemoConfig {
    /// Seed 2026, 5,000 households, 10:00 on 26 November 2026 in 商河
    /// (2026-11-26T02:00:00Z).
    fn default() -> Self {
        Self { seed: 2026, households: 5_000, as_of: Timestamp::constant(1_795_658_400, 0) }
    }
}

/// Why the demo could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DemoError {
    #[error("the demo makes {MIN_HOUSEHOLDS}–{MAX_HOUSEHOLDS} households, not {0}")]
    Size(usize),
    #[error("as_of {0} is outside the 2026–27 heating season the demo describes (2026-09-01 to 2027-04-30)")]
    AsOf(Timestamp),
    #[error("the embedded GeoJSON has no feature {SHANGHE_CODE} (商河县)")]
    CountyMissing,
    #[error("laying out the town: {0}")]
    Layout(String),
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Ticket(#[from] TicketError),
    #[error(transparent)]
    Visit(#[from] VisitError),
}

/// A ticket as a store keeps it: what the hotline took, the state it is in,
/// and every event from the opening one on, so that
/// `Ticket::replay(new, &events) == ticket`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoTicket {
    pub new: NewTicket,
    pub ticket: Ticket,
    pub events: Vec<TicketEvent>,
}

/// The generated data set: plain data for a store to insert.
#[derive(Debug, Clone)]
pub struct DemoDataset {
    pub config: DemoConfig,
    pub utility: Utility,
    pub centre: ServiceCentre,
    pub teams: Vec<Team>,
    /// The admin, hotline agents, team leads (`lead1` leads the first team)
    /// and stewards (`steward{k}` owns district `k`), in that order.
    pub staff: Vec<Staff>,
    /// Numbered `SH-01` … from the county seat outwards.
    pub districts: Vec<District>,
    /// The boundary of each district, in the order of `districts`. The
    /// districts tile the town without gaps or overlaps.
    pub boundaries: Vec<(DistrictId, MultiPolygon<f64>)>,
    pub stations: Vec<Station>,
    pub communities: Vec<Community>,
    pub buildings: Vec<Building>,
    pub units: Vec<Unit>,
    pub households: Vec<Household>,
    /// Sorted by report time.
    pub tickets: Vec<DemoTicket>,
    /// Sorted by start time.
    pub visits: Vec<CompletedVisit>,
    /// Each steward's last known position, near a building of their
    /// district a few minutes before `as_of`, in district order.
    pub positions: Vec<DemoPosition>,
}

/// Generates the demo data set for `cfg`.
pub fn generate(cfg: &DemoConfig) -> Result<DemoDataset, DemoError> {
    if !(MIN_HOUSEHOLDS..=MAX_HOUSEHOLDS).contains(&cfg.households) {
        return Err(DemoError::Size(cfg.households));
    }
    let (earliest, latest) = calendar::as_of_range();
    if !(earliest..=latest).contains(&cfg.as_of) {
        return Err(DemoError::AsOf(cfg.as_of));
    }
    let stream = |s| rng::DemoRng::new(cfg.seed, s);
    // Records of the organisation and the ground were made when the
    // register was set up for the season.
    let created = calendar::local(jiff::civil::date(2026, 9, 1), 8, 0);

    let layout = layout::lay_out(cfg.households)?;
    let mut phones = org::Phones::with_capacity(cfg.households + cfg.households / 10);
    let org = org::build(layout.cells.len(), cfg.households, created, &mut stream(rng::Stream::Org), &mut phones)?;
    let mut ground = ground::build(
        cfg.households,
        layout,
        &org,
        created,
        &mut stream(rng::Stream::Ground),
        &mut stream(rng::Stream::Households),
        &mut phones,
    )?;
    let history = history::build(
        &org,
        &mut ground,
        cfg.households,
        cfg.as_of,
        &mut stream(rng::Stream::Tickets),
        &mut stream(rng::Stream::Visits),
    )?;
    let positions = positions::build(
        &ground.districts,
        &ground.boundaries,
        &ground.communities,
        &ground.buildings,
        cfg.as_of,
        &mut stream(rng::Stream::Positions),
    );
    Ok(DemoDataset {
        config: *cfg,
        utility: org.utility,
        centre: org.centre,
        teams: org.teams,
        staff: org.staff,
        districts: ground.districts,
        boundaries: ground.boundaries,
        stations: ground.stations,
        communities: ground.communities,
        buildings: ground.buildings,
        units: ground.units,
        households: ground.households,
        tickets: history.tickets,
        visits: history.visits,
        positions,
    })
}

impl DemoDataset {
    /// The steward responsible for a district.
    pub fn steward_of_district(&self, id: DistrictId) -> Option<&Staff> {
        let steward = self.districts.iter().find(|d| d.id == id)?.steward_id?;
        self.staff.iter().find(|s| s.id == steward)
    }

    /// A member of staff by username, such as `steward1` or `hotline1`.
    pub fn staff_by_username(&self, username: &str) -> Option<&Staff> {
        self.staff.iter().find(|s| s.username == username)
    }

    /// A point-in-polygon index over the district boundaries.
    pub fn district_index(&self) -> Result<DistrictIndex<DistrictId>, DemoError> {
        Ok(DistrictIndex::build(self.boundaries.clone())?)
    }

    /// Lookups from ids to the ground records, for addresses and exports.
    pub fn lookup(&self) -> Lookup<'_> {
        Lookup {
            communities: self.communities.iter().map(|c| (c.id, c)).collect(),
            buildings: self.buildings.iter().map(|b| (b.id, b)).collect(),
            units: self.units.iter().map(|u| (u.id, u)).collect(),
        }
    }
}

/// Ground records by id.
pub struct Lookup<'a> {
    pub communities: HashMap<CommunityId, &'a Community>,
    pub buildings: HashMap<BuildingId, &'a Building>,
    pub units: HashMap<UnitId, &'a Unit>,
}

impl Lookup<'_> {
    /// The address as stewards write it: `鑫隆帝景城 1号楼 2单元 301室`.
    pub fn address(&self, h: &Household) -> Option<String> {
        let community = self.communities.get(&h.community_id)?;
        let building = self.buildings.get(&h.building_id)?;
        let unit = self.units.get(&h.unit_id)?;
        Some(steward_domain::ground::format_address(&community.name, building.number, unit.number, &h.room))
    }
}

//! The data the UI receives and sends, exported to TypeScript with ts-rs
//! into `ui/src/bindings/` (see `tests/bindings.rs`, which fails when the
//! committed files drift from these types).
//!
//! The domain crate knows nothing of ts-rs, so these are flat transport
//! shapes built from the domain and store types: ids and times as strings
//! (UUID text, RFC 3339), counts as `u32` (a TypeScript `number`), enums as
//! their snake_case codes.

use serde::{Deserialize, Serialize};
use steward_domain::ground::{HeatingStatus, Household, ValveState};
use steward_domain::ticket::Ticket;
use steward_domain::visit::{CompletedVisit, IllegalUseCategory, InspectionRecord};
use steward_store::{
    BuildingSummary, CommunitySummary, HouseholdDetail, HouseholdHit, HouseholdTask, PendingCounts, PlannedTask,
    TaskReason, TicketTask, UnitSummary, WorkList,
};
use ts_rs::TS;

/// The derives every outgoing DTO struct has.
macro_rules! dto {
    ($item:item) => {
        #[derive(Debug, Clone, PartialEq, Serialize, TS)]
        $item
    };
}

/// 供暖状态: a household's heating status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HeatingStatusDto {
    Active,
    Suspended,
    New,
    Disconnected,
}

impl From<HeatingStatus> for HeatingStatusDto {
    fn from(s: HeatingStatus) -> Self {
        match s {
            HeatingStatus::Active => HeatingStatusDto::Active,
            HeatingStatus::Suspended => HeatingStatusDto::Suspended,
            HeatingStatus::New => HeatingStatusDto::New,
            HeatingStatus::Disconnected => HeatingStatusDto::Disconnected,
        }
    }
}

/// The state of a heating valve (阀门).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ValveStateDto {
    Open,
    Closed,
    /// Closed and sealed with a numbered seal (加装铅封).
    Sealed,
}

/// A valve and, when sealed, its seal number (铅封号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ValveDto {
    pub state: ValveStateDto,
    pub seal_no: Option<String>,
}

impl From<&ValveState> for ValveDto {
    fn from(v: &ValveState) -> Self {
        match v {
            ValveState::Open => ValveDto { state: ValveStateDto::Open, seal_no: None },
            ValveState::Closed => ValveDto { state: ValveStateDto::Closed, seal_no: None },
            ValveState::Sealed { seal_no } => {
                ValveDto { state: ValveStateDto::Sealed, seal_no: Some(seal_no.to_string()) }
            }
        }
    }
}

dto! {
    /// A ticket (工单) as the UI shows it. The UI computes the live
    /// countdown from `due_at` and its own clock.
    pub struct TicketDto {
        pub id: String,
        pub household_id: String,
        /// The category code: `no_heat`, `leak`, …
        pub category: String,
        pub description: String,
        /// The status code: `new`, `dispatched`, `accepted`, `en_route`, `on_site`, …
        pub status: String,
        pub is_open: bool,
        /// When the hotline took the report (RFC 3339): the 30-minute clock starts here.
        pub reported_at: String,
        /// When the steward must be at the door (RFC 3339).
        pub due_at: String,
    }
}

impl From<&Ticket> for TicketDto {
    fn from(t: &Ticket) -> Self {
        TicketDto {
            id: t.id().to_string(),
            household_id: t.household_id().to_string(),
            category: t.category().code().to_owned(),
            description: t.description().to_owned(),
            status: t.status().code().to_owned(),
            is_open: t.status().is_open(),
            reported_at: t.reported_at().to_string(),
            due_at: t.due_at().to_string(),
        }
    }
}

dto! {
    /// An open ticket on Today, with where to go.
    pub struct TicketTaskDto {
        pub ticket: TicketDto,
        pub resident_name: String,
        pub address: String,
    }
}

impl From<&TicketTask> for TicketTaskDto {
    fn from(t: &TicketTask) -> Self {
        TicketTaskDto { ticket: (&t.ticket).into(), resident_name: t.resident_name.clone(), address: t.address.clone() }
    }
}

/// Why a household is on Today's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskReasonDto {
    /// 报停: suspended, the valve is not sealed yet.
    SealSuspended,
    /// 新用户: new, the valve is not open yet.
    OpenNewValve,
}

impl From<TaskReason> for TaskReasonDto {
    fn from(r: TaskReason) -> Self {
        match r {
            TaskReason::SealSuspended => TaskReasonDto::SealSuspended,
            TaskReason::OpenNewValve => TaskReasonDto::OpenNewValve,
        }
    }
}

dto! {
    /// A household that needs a visit today.
    pub struct HouseholdTaskDto {
        pub id: String,
        pub account_no: String,
        pub resident_name: String,
        pub address: String,
        pub community: String,
        pub status: HeatingStatusDto,
        pub valve: ValveDto,
        pub reason: TaskReasonDto,
        /// Visited within the day already (nobody home, or the job unfinished).
        pub visited_today: bool,
    }
}

impl From<&HouseholdTask> for HouseholdTaskDto {
    fn from(h: &HouseholdTask) -> Self {
        HouseholdTaskDto {
            id: h.id.to_string(),
            account_no: h.account_no.clone(),
            resident_name: h.resident_name.clone(),
            address: h.address.clone(),
            community: h.community.clone(),
            status: h.status.into(),
            valve: (&h.valve).into(),
            reason: h.reason.into(),
            visited_today: h.visited_today,
        }
    }
}

dto! {
    /// A planned visit of a sweep campaign (专项排查) on Today.
    pub struct PlannedVisitDto {
        /// The feed's id: `<sweep id>:<household id>`.
        pub id: String,
        pub sweep_id: String,
        /// The campaign's kind code: `suspension_check`, `new_household_opening`,
        /// `illegal_use` or `water_filling`.
        pub kind: String,
        /// The kind's Chinese name, e.g. 报停阀门检查.
        pub kind_label: String,
        /// The campaign's name as the team lead gave it.
        pub title: String,
        /// RFC 3339.
        pub deadline: String,
        pub household_id: String,
        pub building_id: String,
        pub resident_name: String,
        pub account_no: String,
        pub address: String,
        /// `community n号楼`: the walking list goes building by building.
        pub building: String,
        /// `done`, `open` or `overdue` (past the deadline and not done).
        pub state: String,
        /// When a visit on the device did what the campaign asks (RFC 3339).
        pub done_at: Option<String>,
    }
}

impl From<&PlannedTask> for PlannedVisitDto {
    fn from(t: &PlannedTask) -> Self {
        let p = &t.planned;
        PlannedVisitDto {
            id: p.feed_id(),
            sweep_id: p.sweep_id.to_string(),
            kind: p.kind.code().to_owned(),
            kind_label: p.kind_label.clone(),
            title: p.title.clone(),
            deadline: p.deadline.to_string(),
            household_id: p.household_id.to_string(),
            building_id: p.building_id.to_string(),
            resident_name: t.resident_name.clone(),
            account_no: t.account_no.clone(),
            address: t.address.clone(),
            building: format!("{} {}号楼", t.community, t.building_no),
            state: match t.state {
                steward_domain::sweep::PlannedState::Done => "done",
                steward_domain::sweep::PlannedState::Open => "open",
                steward_domain::sweep::PlannedState::Overdue => "overdue",
            }
            .to_owned(),
            done_at: t.done_at.map(|d| d.to_string()),
        }
    }
}

dto! {
    /// 今日: open tickets soonest due first, then households in walking order,
    /// then the sweep campaigns' planned visits in walking order.
    pub struct TodayDto {
        pub tickets: Vec<TicketTaskDto>,
        pub households: Vec<HouseholdTaskDto>,
        /// Planned visits of sweep campaigns, building by building.
        pub planned: Vec<PlannedVisitDto>,
        pub visits_done: u32,
        /// The device's server-corrected time the list was made at (RFC 3339):
        /// the countdowns run from it, so a wrong device clock does not move them.
        pub now: String,
    }
}

impl TodayDto {
    /// Today's work as of the corrected time `now`.
    pub fn new(w: &WorkList, planned: &[PlannedTask], now: jiff::Timestamp) -> Self {
        TodayDto {
            tickets: w.tickets.iter().map(Into::into).collect(),
            households: w.households.iter().map(Into::into).collect(),
            planned: planned.iter().map(Into::into).collect(),
            visits_done: w.visits_done,
            now: now.to_string(),
        }
    }
}

dto! {
    /// A community (小区) to browse.
    pub struct CommunityDto {
        pub id: String,
        pub name: String,
        /// Pinyin initials of the name: 鑫隆帝景城 → `xldjc`.
        pub initials: String,
        pub household_count: u32,
        pub suspended_count: u32,
    }
}

impl From<&CommunitySummary> for CommunityDto {
    fn from(c: &CommunitySummary) -> Self {
        CommunityDto {
            id: c.id.to_string(),
            name: c.name.clone(),
            initials: c.initials.clone(),
            household_count: c.household_count,
            suspended_count: c.suspended_count,
        }
    }
}

dto! {
    /// A building (楼) of a community.
    pub struct BuildingDto {
        pub id: String,
        pub number: u32,
        /// `1号楼`.
        pub label: String,
        pub unit_count: u32,
        pub household_count: u32,
        pub suspended_count: u32,
    }
}

impl From<&BuildingSummary> for BuildingDto {
    fn from(b: &BuildingSummary) -> Self {
        BuildingDto {
            id: b.id.to_string(),
            number: b.number,
            label: b.label.clone(),
            unit_count: b.unit_count,
            household_count: b.household_count,
            suspended_count: b.suspended_count,
        }
    }
}

dto! {
    /// A stairwell unit (单元) of a building.
    pub struct UnitDto {
        pub id: String,
        pub number: u32,
        pub household_count: u32,
        pub suspended_count: u32,
    }
}

impl From<&UnitSummary> for UnitDto {
    fn from(u: &UnitSummary) -> Self {
        UnitDto {
            id: u.id.to_string(),
            number: u.number,
            household_count: u.household_count,
            suspended_count: u.suspended_count,
        }
    }
}

dto! {
    /// A household (户) in a unit's list.
    pub struct HouseholdRowDto {
        pub id: String,
        /// `301`, shown as `301室`.
        pub room: String,
        pub resident_name: String,
        pub account_no: String,
        pub status: HeatingStatusDto,
        pub valve: ValveDto,
    }
}

impl From<&Household> for HouseholdRowDto {
    fn from(h: &Household) -> Self {
        HouseholdRowDto {
            id: h.id.to_string(),
            room: h.room.clone(),
            resident_name: h.resident_name.clone(),
            account_no: h.account_no.to_string(),
            status: h.status.into(),
            valve: (&h.valve).into(),
        }
    }
}

dto! {
    /// One household in a search result (住户查询).
    pub struct HouseholdHitDto {
        pub id: String,
        pub account_no: String,
        pub resident_name: String,
        /// `鑫隆帝景城 1号楼 2单元 301室`.
        pub address: String,
        pub community: String,
        /// `138****5678`.
        pub phone_masked: String,
        pub heating_status: HeatingStatusDto,
    }
}

impl From<&HouseholdHit> for HouseholdHitDto {
    fn from(h: &HouseholdHit) -> Self {
        HouseholdHitDto {
            id: h.id.to_string(),
            account_no: h.account_no.clone(),
            resident_name: h.resident_name.clone(),
            address: h.address.clone(),
            community: h.community.clone(),
            phone_masked: h.phone_masked.clone(),
            heating_status: h.heating_status.into(),
        }
    }
}

/// The nine kinds of illegal heat use (违法用热).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IllegalUseCategoryDto {
    UnauthorisedTapping,
    ReopenedAfterSuspension,
    EnlargedHeatedArea,
    WaterHeaterOnLoop,
    ChangedNatureOfUse,
    ChangedOperatingMode,
    DrainDevice,
    DisruptingServiceOrder,
    UnofficialFeeCollection,
}

impl IllegalUseCategoryDto {
    /// The domain category.
    pub fn to_domain(self) -> IllegalUseCategory {
        match self {
            IllegalUseCategoryDto::UnauthorisedTapping => IllegalUseCategory::UnauthorisedTapping,
            IllegalUseCategoryDto::ReopenedAfterSuspension => IllegalUseCategory::ReopenedAfterSuspension,
            IllegalUseCategoryDto::EnlargedHeatedArea => IllegalUseCategory::EnlargedHeatedArea,
            IllegalUseCategoryDto::WaterHeaterOnLoop => IllegalUseCategory::WaterHeaterOnLoop,
            IllegalUseCategoryDto::ChangedNatureOfUse => IllegalUseCategory::ChangedNatureOfUse,
            IllegalUseCategoryDto::ChangedOperatingMode => IllegalUseCategory::ChangedOperatingMode,
            IllegalUseCategoryDto::DrainDevice => IllegalUseCategory::DrainDevice,
            IllegalUseCategoryDto::DisruptingServiceOrder => IllegalUseCategory::DisruptingServiceOrder,
            IllegalUseCategoryDto::UnofficialFeeCollection => IllegalUseCategory::UnofficialFeeCollection,
        }
    }
}

impl From<IllegalUseCategory> for IllegalUseCategoryDto {
    fn from(c: IllegalUseCategory) -> Self {
        match c {
            IllegalUseCategory::UnauthorisedTapping => IllegalUseCategoryDto::UnauthorisedTapping,
            IllegalUseCategory::ReopenedAfterSuspension => IllegalUseCategoryDto::ReopenedAfterSuspension,
            IllegalUseCategory::EnlargedHeatedArea => IllegalUseCategoryDto::EnlargedHeatedArea,
            IllegalUseCategory::WaterHeaterOnLoop => IllegalUseCategoryDto::WaterHeaterOnLoop,
            IllegalUseCategory::ChangedNatureOfUse => IllegalUseCategoryDto::ChangedNatureOfUse,
            IllegalUseCategory::ChangedOperatingMode => IllegalUseCategoryDto::ChangedOperatingMode,
            IllegalUseCategory::DrainDevice => IllegalUseCategoryDto::DrainDevice,
            IllegalUseCategory::DisruptingServiceOrder => IllegalUseCategoryDto::DisruptingServiceOrder,
            IllegalUseCategory::UnofficialFeeCollection => IllegalUseCategoryDto::UnofficialFeeCollection,
        }
    }
}

/// One illegal-use finding with its written evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IllegalUseFindingDto {
    pub category: IllegalUseCategoryDto,
    /// What the steward saw; a finding without evidence is refused.
    pub note: String,
}

/// One inspection record of a visit, both ways: the visit form sends these,
/// and a household's visit history shows them. Photos are not carried yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordDto {
    /// 报停阀门关闭: the valve closed, or closed and sealed (a seal number is then required).
    SuspensionValveClosure { valve: ValveDto },
    /// 新用户开阀: outside pipes checked, valve opened, filter reminder given.
    NewHousehold { outside_pipes_ok: bool, valve_opened: bool, filter_reminder_given: bool },
    /// 违法用热检查: no findings means the home was checked and clean.
    IllegalUseCheck { findings: Vec<IllegalUseFindingDto> },
    /// 漏水检查.
    LeakCheck { leak_found: bool, resident_present: bool, valve_closed: bool, note: String },
    /// 室温测量, with the time of the reading (RFC 3339).
    IndoorTemperature { celsius: f64, room: String, measured_at: String },
    /// 日常走访.
    RoutineService { note: String },
    /// 明白纸 handed over.
    LeafletHandedOver { title: String },
    /// 管家名片 handed over.
    ContactCardHandedOver,
    /// The resident confirmed the visit.
    ResidentConfirmation { confirmed_by: String },
}

impl From<&InspectionRecord> for RecordDto {
    fn from(r: &InspectionRecord) -> Self {
        match r {
            InspectionRecord::SuspensionValveClosure { valve, .. } => {
                RecordDto::SuspensionValveClosure { valve: valve.into() }
            }
            InspectionRecord::NewHousehold { outside_pipes_ok, valve_opened, filter_reminder_given } => {
                RecordDto::NewHousehold {
                    outside_pipes_ok: *outside_pipes_ok,
                    valve_opened: *valve_opened,
                    filter_reminder_given: *filter_reminder_given,
                }
            }
            InspectionRecord::IllegalUseCheck { findings } => RecordDto::IllegalUseCheck {
                findings: findings
                    .iter()
                    .map(|f| IllegalUseFindingDto { category: f.category.into(), note: f.evidence.note.clone() })
                    .collect(),
            },
            InspectionRecord::LeakCheck { leak_found, resident_present, valve_closed, note } => RecordDto::LeakCheck {
                leak_found: *leak_found,
                resident_present: *resident_present,
                valve_closed: *valve_closed,
                note: note.clone(),
            },
            InspectionRecord::IndoorTemperature { celsius, room, measured_at } => RecordDto::IndoorTemperature {
                celsius: *celsius,
                room: room.clone(),
                measured_at: measured_at.to_string(),
            },
            InspectionRecord::RoutineService { note } => RecordDto::RoutineService { note: note.clone() },
            InspectionRecord::LeafletHandedOver { title } => RecordDto::LeafletHandedOver { title: title.clone() },
            InspectionRecord::ContactCardHandedOver => RecordDto::ContactCardHandedOver,
            InspectionRecord::ResidentConfirmation { confirmed_by, .. } => {
                RecordDto::ResidentConfirmation { confirmed_by: confirmed_by.clone() }
            }
        }
    }
}

dto! {
    /// A completed visit (入户) in a household's history.
    pub struct VisitDto {
        pub id: String,
        pub steward_id: String,
        pub ticket_id: Option<String>,
        pub started_at: String,
        pub completed_at: String,
        /// The visit this one corrects, if it is a correction.
        pub corrects: Option<String>,
        pub records: Vec<RecordDto>,
    }
}

impl From<&CompletedVisit> for VisitDto {
    fn from(v: &CompletedVisit) -> Self {
        VisitDto {
            id: v.id().to_string(),
            steward_id: v.steward_id().to_string(),
            ticket_id: v.ticket_id().map(|t| t.to_string()),
            started_at: v.started_at().to_string(),
            completed_at: v.completed_at().to_string(),
            corrects: v.corrects().map(|c| c.to_string()),
            records: v.records().iter().map(Into::into).collect(),
        }
    }
}

dto! {
    /// Everything the household page shows.
    pub struct HouseholdDetailDto {
        pub id: String,
        pub account_no: String,
        pub resident_name: String,
        /// The full number: the steward calls the resident.
        pub phone: String,
        /// `鑫隆帝景城 1号楼 2单元 301室`.
        pub address: String,
        pub community_name: String,
        pub building_no: u32,
        pub unit_no: u32,
        pub room: String,
        pub heated_area_m2: f64,
        pub status: HeatingStatusDto,
        pub valve: ValveDto,
        /// Newest first.
        pub visits: Vec<VisitDto>,
        /// Newest report first.
        pub tickets: Vec<TicketDto>,
    }
}

impl From<&HouseholdDetail> for HouseholdDetailDto {
    fn from(d: &HouseholdDetail) -> Self {
        let h = &d.household;
        HouseholdDetailDto {
            id: h.id.to_string(),
            account_no: h.account_no.to_string(),
            resident_name: h.resident_name.clone(),
            phone: h.phone.to_string(),
            address: d.address.clone(),
            community_name: d.community_name.clone(),
            building_no: d.building_no,
            unit_no: d.unit_no,
            room: h.room.clone(),
            heated_area_m2: h.heated_area.get(),
            status: h.status.into(),
            valve: (&h.valve).into(),
            visits: d.visits.iter().map(Into::into).collect(),
            tickets: d.tickets.iter().map(Into::into).collect(),
        }
    }
}

dto! {
    /// How many local changes wait to be uploaded (待同步), per lane.
    pub struct PendingDto {
        /// Ticket progress, sent first.
        pub priority: u32,
        /// Visit records.
        pub bulk: u32,
        pub total: u32,
    }
}

impl From<PendingCounts> for PendingDto {
    fn from(p: PendingCounts) -> Self {
        let priority = u32::try_from(p.priority).unwrap_or(u32::MAX);
        let bulk = u32::try_from(p.bulk).unwrap_or(u32::MAX);
        PendingDto { priority, bulk, total: priority.saturating_add(bulk) }
    }
}

/// A visit as the form sends it: the household, when the steward started,
/// and the records made. The device adds the ids, the steward and the
/// completion time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VisitInput {
    pub household_id: String,
    /// The ticket the visit answers, if any.
    pub ticket_id: Option<String>,
    /// When the form was opened (RFC 3339).
    pub started_at: String,
    pub records: Vec<RecordDto>,
}

dto! {
    /// What a saved visit comes back as: the visit, the household as it is
    /// now (its valve updated) and the new pending count.
    pub struct RecordedVisitDto {
        pub visit: VisitDto,
        pub household: HouseholdDetailDto,
        pub pending: PendingDto,
    }
}

dto! {
    /// The steward's contact card (管家名片) with its QR code.
    pub struct ContactCardDto {
        pub display_name: String,
        /// 工号.
        pub employee_no: String,
        pub mobile: String,
        /// The steward team (供暖管家服务队); empty when the device does not know it yet.
        pub team: String,
        /// The service centre (供热服务中心); empty when unknown.
        pub centre: String,
        /// The utility (热力集团); empty when unknown.
        pub utility: String,
        /// The districts (片区) the steward is responsible for.
        pub districts: Vec<String>,
        /// The 24-hour hotline, 88812319.
        pub hotline: String,
        /// 一旦您反映问题，我们半小时内到达现场.
        pub promise: String,
        /// The vCard 3.0 text inside the QR code.
        pub vcard: String,
        /// The QR code as an SVG document (dark modules on white, with a quiet zone).
        pub qr_svg: String,
        /// The steward's photo as a `data:` URL from the device's own copy
        /// (works offline); null until one is set.
        pub photo: Option<String>,
    }
}

dto! {
    /// An error as the UI receives it: a stable code it may branch on, and a message.
    pub struct ErrorDto {
        pub code: String,
        pub message: String,
    }
}

/// How the steward proves they are at the door, as the check-in form sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ArrivalInput {
    /// The device's own location fix (GPS on a phone). A device without a
    /// fix (a desktop) refuses with `no_location_fix`.
    Gps,
    /// The household's door or seal QR tag as the camera decoded it.
    TagScan { tag: String },
    /// The tag typed by hand (a smudged tag, a desktop): `HH:` and the
    /// account number, or the account number alone. Never verified; it goes
    /// to the team lead's review list (`tag_typed`).
    TagTyped { tag: String },
    /// The location entered by hand: never verified; the reason goes to the
    /// team lead's review list.
    Manual { reason: String, lon: Option<f64>, lat: Option<f64> },
}

/// What the steward does to a ticket (工单), as the ticket page sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketActionInput {
    /// 接单.
    Accept,
    /// 出发.
    EnRoute,
    /// 到场签到, with the proof of arrival.
    Arrive { proof: ArrivalInput },
    /// 处理完成, with what was done.
    Resolve { note: String },
}

dto! {
    /// Whether an arrival is proven (到场核验).
    pub struct ArrivalVerdictDto {
        pub verified: bool,
        /// How it was proven: `gps` or `tag_scan`; none when unverified.
        pub method: Option<String>,
        /// Why not: `outside_geofence`, `fix_too_coarse`, `invalid_fix`,
        /// `invalid_fence`, `tag_mismatch`, `no_tag_on_record`, `manual_entry`,
        /// `tag_typed` (typed by hand; `note` is `mismatch` when the typed
        /// text is not the household's tag).
        pub reason: Option<String>,
        /// The fix's distance from the building, when outside the fence.
        pub distance_m: Option<f64>,
        pub fence_m: Option<f64>,
        /// The fix's accuracy, when too coarse.
        pub accuracy_m: Option<f64>,
        /// The steward's own words for a location entered by hand.
        pub note: Option<String>,
    }
}

dto! {
    /// One event of a ticket's timeline.
    pub struct TicketEventDto {
        pub id: String,
        pub seq: u32,
        /// `open`, `dispatch`, `accept`, `en_route`, `arrive`, `resolve`, …
        pub action: String,
        /// When (RFC 3339, server-corrected).
        pub at: String,
        /// `steward`, `team_lead`, `hotline_agent`, `admin`.
        pub actor_role: String,
        pub status_after: String,
        /// For an arrival: whether it is proven.
        pub verdict: Option<ArrivalVerdictDto>,
        /// The resolution note, or a reassignment or cancellation reason.
        pub note: Option<String>,
        /// Made on this device and not uploaded yet (待同步).
        pub pending: bool,
    }
}

dto! {
    /// The response clock of a ticket at one moment, computed on the device.
    pub struct SlaDto {
        /// `on_track`, `at_risk`, `breached`, `met`, `met_unverified` or `not_applicable`.
        pub status: String,
        pub due_at: String,
        /// The device's server-corrected time the status was computed at: the
        /// UI runs its countdown from it.
        pub now: String,
        pub at_risk_minutes: u32,
        pub geofence_m: f64,
    }
}

dto! {
    /// Everything the ticket page shows.
    pub struct TicketDetailDto {
        pub ticket: TicketDto,
        pub resident_name: String,
        /// The full number: the steward calls the resident.
        pub phone: String,
        pub address: String,
        pub building_lon: f64,
        pub building_lat: f64,
        /// Oldest first.
        pub events: Vec<TicketEventDto>,
        pub sla: SlaDto,
        /// The steward's actions the ticket allows now: `accept`, `en_route`, `arrive`, `resolve`.
        pub next_actions: Vec<String>,
        /// Some of its events wait to be uploaded (待同步).
        pub pending: bool,
    }
}

dto! {
    /// What a ticket action comes back as: the ticket page as it is now,
    /// the check-in verdict (for an arrival) and the new pending count.
    pub struct TicketActionResultDto {
        pub detail: TicketDetailDto,
        pub verdict: Option<ArrivalVerdictDto>,
        pub pending: PendingDto,
    }
}

dto! {
    /// The device's location fix, when it has one.
    pub struct LocationFixDto {
        pub lon: f64,
        pub lat: f64,
        pub accuracy_m: f64,
        /// Where it comes from: `gps`, or `fake_gps` in tests.
        pub source: String,
    }
}

dto! {
    /// Sync progress while a round runs: mutations settled of those to send.
    pub struct SyncProgressDto {
        pub done: u32,
        pub total: u32,
    }
}

dto! {
    /// A change the server refused (需处理), with the server's reason.
    pub struct AttentionDto {
        pub mutation_id: String,
        /// `visit` or `ticket`.
        pub entity: String,
        pub entity_id: String,
        /// `create` for a visit, the action for a ticket (`accept`, `arrive`, …).
        pub op: String,
        /// When it was made on the device (RFC 3339).
        pub device_time: String,
        /// The server's code, e.g. `reassigned`, `not_found`.
        pub code: String,
        pub message: String,
    }
}

dto! {
    /// The sync panel (同步): what waits, how the last sync went, what the
    /// server refused.
    pub struct SyncPanelDto {
        /// `idle`, `syncing`, `offline` (no answer from the central, or no
        /// central configured) or `error`.
        pub state: String,
        /// Whether a central is configured and the background sync runs.
        pub central: bool,
        pub pending: PendingDto,
        /// The last successful sync (RFC 3339).
        pub last_success_at: Option<String>,
        pub progress: Option<SyncProgressDto>,
        pub last_error: Option<ErrorDto>,
        pub attention: Vec<AttentionDto>,
        /// The server's clock minus the device's, in milliseconds.
        #[ts(type = "number | null")]
        pub clock_offset_ms: Option<i64>,
    }
}

dto! {
    /// A local alert of the response clock (响应提醒): 10 minutes left, or overdue.
    pub struct SlaAlertDto {
        pub ticket_id: String,
        /// `at_risk` or `breached`.
        pub kind: String,
        pub due_at: String,
        pub category: String,
        pub address: String,
    }
}

dto! {
    /// The steward signed in on this device (登录状态).
    pub struct SessionDto {
        pub username: String,
        pub display_name: String,
        /// The central signed in to.
        pub central: String,
    }
}

dto! {
    /// What the app shows first.
    pub struct StartStateDto {
        /// The configured central, if any.
        pub central: Option<String>,
        pub session: Option<SessionDto>,
        /// Show the sign-in screen.
        pub needs_sign_in: bool,
    }
}

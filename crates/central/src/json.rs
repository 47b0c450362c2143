//! The wire types of the HTTP API (`/api/v1`). Only this module and the
//! handlers know the JSON shapes; the store and the domain know none.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::geometry::LonLat;
use steward_domain::ground::{HeatingStatus, ValveState, format_address};
use steward_domain::ids::{DeviceId, DistrictId, HouseholdId, UserId};
use steward_domain::org::{Role, Staff};
use steward_domain::sla::SlaStatus;
use steward_domain::ticket::{TicketCategory, TicketEvent, TicketStatus};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::store::{HouseholdRow, TicketRow};

/// The sync wire types live in `steward-protocol`, shared with the device.
pub use steward_protocol::{
    ChangeDto, ChangeOp, Mutation, MutationOutcome, MutationStatus, PullResponse, PushRequest, PushResponse,
};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The device logging in; its tokens can be revoked on their own.
    #[schema(value_type = Option<Uuid>)]
    pub device_id: Option<DeviceId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The bearer token for `Authorization: Bearer …`; shown once.
    pub token: String,
    pub expires_at: Timestamp,
    pub user: UserDto,
}

/// A staff member as the API shows them. A steward's `id` is the steward id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// One of `steward`, `team_lead`, `hotline_agent`, `admin`.
    #[schema(value_type = codes::Role)]
    pub role: Role,
    pub team_id: Option<Uuid>,
    /// The districts the user is responsible for (stewards).
    pub district_ids: Vec<Uuid>,
}

impl UserDto {
    pub fn new(staff: &Staff, districts: &[DistrictId]) -> Self {
        UserDto {
            id: staff.id.0,
            username: staff.username.clone(),
            display_name: staff.display_name.clone(),
            role: staff.role,
            team_id: staff.team_id.map(|t| t.0),
            district_ids: districts.iter().map(|d| d.0).collect(),
        }
    }
}

/// Revokes tokens: all of a user's, or those of one device. Admins only.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RevokeRequest {
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    #[schema(value_type = Option<Uuid>)]
    pub device_id: Option<DeviceId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RevokeResponse {
    /// How many live tokens were revoked.
    pub revoked: usize,
}

/// A hotline report that opens a ticket. Give `household_id` or `account_no`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateTicketRequest {
    #[schema(value_type = Option<Uuid>)]
    pub household_id: Option<HouseholdId>,
    pub account_no: Option<String>,
    #[schema(value_type = codes::TicketCategory)]
    pub category: TicketCategory,
    pub description: String,
    /// When the hotline took the report; the server's time when absent.
    pub reported_at: Option<Timestamp>,
    /// The hotline system's own reference: the same reference opens one ticket only.
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssignRequest {
    #[schema(value_type = Uuid)]
    pub steward_id: UserId,
    /// Why a dispatched ticket moves to another steward.
    pub reason: Option<String>,
}

/// A ticket (工单).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketDto {
    pub id: Uuid,
    pub household_id: Uuid,
    pub district_id: Uuid,
    #[schema(value_type = codes::TicketCategory)]
    pub category: TicketCategory,
    pub description: String,
    #[schema(value_type = codes::TicketStatus)]
    pub status: TicketStatus,
    pub assignee: Option<Uuid>,
    pub reported_at: Timestamp,
    /// `reported_at` plus the category's response time, fixed when the
    /// ticket opened; reassignment never moves it.
    pub due_at: Timestamp,
    /// The category's response time in minutes; null for categories
    /// answered without a visit (consultation, payment).
    pub response_minutes: Option<u32>,
    /// The response clock at the server's time of the answer (for the
    /// change feed: of the pull): `on_track`, `at_risk`, `breached`, `met`,
    /// `met_unverified`, or `not_applicable` (no visit needed, or cancelled
    /// in time).
    #[schema(value_type = codes::SlaStatus)]
    pub sla_status: Option<SlaStatus>,
    pub external_ref: Option<String>,
    /// The ticket's history, oldest first; only on `GET /tickets/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub events: Option<Vec<TicketEvent>>,
}

impl TicketDto {
    pub fn new(row: &TicketRow) -> Self {
        let t = &row.ticket;
        TicketDto {
            id: t.id().0,
            household_id: t.household_id().0,
            district_id: row.district_id.0,
            category: t.category(),
            description: t.description().to_owned(),
            status: t.status(),
            assignee: t.assignee().map(|a| a.0),
            reported_at: t.reported_at(),
            due_at: t.due_at(),
            response_minutes: None,
            sla_status: None,
            external_ref: t.external_ref().map(str::to_owned),
            events: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    #[param(value_type = Option<codes::TicketStatus>)]
    pub status: Option<TicketStatus>,
    #[param(value_type = Option<Uuid>)]
    pub district: Option<DistrictId>,
    #[param(value_type = Option<Uuid>)]
    pub steward: Option<UserId>,
    /// At most 1000; 100 when absent.
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    #[param(value_type = Option<Uuid>)]
    pub district: Option<DistrictId>,
    #[param(value_type = Option<Uuid>)]
    pub community: Option<steward_domain::ids::CommunityId>,
    /// Text matched in account number, resident name, community and room.
    pub q: Option<String>,
    /// At most 1000; 100 when absent.
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A household (户).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HouseholdDto {
    pub id: Uuid,
    pub account_no: String,
    pub district_id: Uuid,
    pub community_id: Uuid,
    pub community_name: String,
    pub building_id: Uuid,
    pub unit_id: Uuid,
    pub room: String,
    /// As residents write it: `鑫隆帝景城 1号楼 2单元 301室`.
    pub address: String,
    pub resident_name: String,
    /// In full for roles that call residents, else masked (`138****5678`).
    pub phone: String,
    pub phone_masked: bool,
    pub heated_area_m2: f64,
    #[schema(value_type = codes::HeatingStatus)]
    pub status: HeatingStatus,
    #[schema(value_type = Object)]
    pub valve: ValveState,
    #[schema(value_type = Option<Object>)]
    pub location: Option<LonLat>,
}

impl HouseholdDto {
    pub fn new(row: &HouseholdRow, full_phone: bool) -> Self {
        let h = &row.household;
        HouseholdDto {
            id: h.id.0,
            account_no: h.account_no.to_string(),
            district_id: h.district_id.0,
            community_id: h.community_id.0,
            community_name: row.community_name.clone(),
            building_id: h.building_id.0,
            unit_id: h.unit_id.0,
            room: h.room.clone(),
            address: format_address(&row.community_name, row.building_no, row.unit_no, &h.room),
            resident_name: h.resident_name.clone(),
            phone: if full_phone { h.phone.to_string() } else { h.phone.masked() },
            phone_masked: !full_phone,
            heated_area_m2: h.heated_area.get(),
            status: h.status,
            valve: h.valve.clone(),
            location: row.location,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The `cursor` of the last page; from the start when absent.
    pub cursor: Option<String>,
    /// 1–1000; 200 when absent.
    pub limit: Option<String>,
}

/// The OpenAPI names of the domain's code enums. The domain types carry no
/// schema, so these mirror their codes; a test checks they stay equal.
pub mod codes {
    use utoipa::ToSchema;

    /// What the resident called about.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum TicketCategory {
        NoHeat,
        Leak,
        VentingNoise,
        Valve,
        SuspensionRequest,
        Payment,
        Consultation,
        IllegalUseReport,
        Other,
    }

    /// Where a ticket is in its life.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum TicketStatus {
        New,
        Dispatched,
        Accepted,
        EnRoute,
        OnSite,
        Resolved,
        Closed,
        Cancelled,
    }

    /// The response clock of a ticket.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum SlaStatus {
        OnTrack,
        AtRisk,
        Breached,
        Met,
        MetUnverified,
        NotApplicable,
    }

    /// What a person may do in the product.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum Role {
        Steward,
        TeamLead,
        HotlineAgent,
        Admin,
    }

    /// A household's heating status in the register.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum HeatingStatus {
        Active,
        Suspended,
        New,
        Disconnected,
    }
}

//! The organisation: utility (热力集团) → service centre (供热服务中心) →
//! steward team (供暖管家服务队) → steward (供暖管家), and the roles of the
//! people who use the product.

use serde::{Deserialize, Serialize};

use crate::ground::PhoneNumber;
use crate::ids::{CentreId, TeamId, UserId, UtilityId};

/// The 24-hour heating hotline printed on every contact card.
pub const HOTLINE: &str = "88812319";

/// What a person may do in the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 供暖管家: owns districts, visits homes, answers tickets on site.
    Steward,
    /// 班长 / 队长: dispatches, reassigns and reviews for one team.
    TeamLead,
    /// 热线服务班: opens tickets and makes callbacks (回访).
    HotlineAgent,
    /// Imports registers and manages accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Steward, Role::TeamLead, Role::HotlineAgent, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::TeamLead => "team_lead",
            Role::HotlineAgent => "hotline_agent",
            Role::Admin => "admin",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Steward => "供暖管家",
            Role::TeamLead => "班长",
            Role::HotlineAgent => "热线坐席",
            Role::Admin => "管理员",
        }
    }
}

/// A utility (热力集团), e.g. 济南热力集团.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Utility {
    pub id: UtilityId,
    pub name: String,
}

/// A service centre (供热服务中心), e.g. 商河供热服务中心.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCentre {
    pub id: CentreId,
    pub utility_id: UtilityId,
    pub name: String,
}

/// A steward team (供暖管家服务队) led by a team lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub centre_id: CentreId,
    pub name: String,
    pub lead_id: Option<UserId>,
}

/// A person with an account. A steward's id is the steward id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Stewards and team leads belong to a team; hotline agents and admins
    /// may not.
    pub team_id: Option<TeamId>,
    /// 工号, printed on the contact card.
    pub employee_no: String,
    pub mobile: Option<PhoneNumber>,
}

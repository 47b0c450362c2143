//! The ground a steward works: district (片区) → community (小区) → building
//! (楼) → unit (单元) → household (户), and the heat-exchange stations (换热站)
//! that feed communities.
//!
//! Values that come from people (account numbers, phone numbers, seal
//! numbers, areas) are newtypes validated once in `parse`, so a value of the
//! type is known to be well-formed everywhere else.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::geometry::LonLat;
use crate::ids::{BuildingId, CommunityId, DistrictId, HouseholdId, StationId, TeamId, UnitId, UserId};

/// A value typed by a person that does not have the right form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldError {
    #[error("account number {0:?} must be 1–32 letters, digits or '-'")]
    AccountNo(String),
    #[error("phone number {0:?} is neither a mainland mobile (11 digits, 1[3-9]…) nor a landline (0xx-xxxxxxxx)")]
    Phone(String),
    #[error("seal number {0:?} must be 1–32 letters, digits or '-'")]
    SealNo(String),
    #[error("heated area {0} m² must be more than 0 and at most 100000")]
    Area(f64),
    #[error("{field} must not be empty and at most {max} characters")]
    Text { field: &'static str, max: usize },
}

fn is_code(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $check:expr, $err:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                let s = s.trim();
                let check: fn(&str) -> bool = $check;
                if check(s) { Ok(Self(s.to_owned())) } else { Err(FieldError::$err(s.to_owned())) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(s: String) -> Result<Self, FieldError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype!(
    /// A household's heating account number (供热账号) in the utility's register.
    AccountNo, is_code, AccountNo
);
string_newtype!(
    /// The number on a valve seal (铅封号) fitted when a valve is sealed.
    SealNo, is_code, SealNo
);
string_newtype!(
    /// A mainland mobile number (11 digits, 1[3-9]…) or a landline with its
    /// area code (0531-88812319). Stored without spaces.
    PhoneNumber, is_phone, Phone
);

fn is_phone(s: &str) -> bool {
    let b = s.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit);
    let landline = match s.split_once('-') {
        Some((area, local)) => {
            area.starts_with('0')
                && (3..=4).contains(&area.len())
                && (7..=8).contains(&local.len())
                && area.bytes().chain(local.bytes()).all(|c| c.is_ascii_digit())
        }
        None => false,
    };
    mobile || landline
}

impl PhoneNumber {
    /// The number as shown to roles that may not see it in full: 138****5678.
    pub fn masked(&self) -> String {
        let s = &self.0;
        if s.len() == 11 && !s.contains('-') {
            format!("{}****{}", &s[..3], &s[7..])
        } else {
            let keep = s.len().saturating_sub(4);
            format!("{}{}", "*".repeat(keep), &s[keep..])
        }
    }
}

/// Heated floor area (供暖面积) in square metres, the basis of the bill.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct AreaM2(f64);

impl AreaM2 {
    pub fn parse(v: f64) -> Result<Self, FieldError> {
        if v.is_finite() && v > 0.0 && v <= 100_000.0 { Ok(Self(v)) } else { Err(FieldError::Area(v)) }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for AreaM2 {
    type Error = FieldError;
    fn try_from(v: f64) -> Result<Self, FieldError> {
        Self::parse(v)
    }
}

impl From<AreaM2> for f64 {
    fn from(v: AreaM2) -> f64 {
        v.0
    }
}

/// Trims a free-text field and checks it is non-empty and not too long.
pub fn required_text(field: &'static str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max { Err(FieldError::Text { field, max }) } else { Ok(t.to_owned()) }
}

/// A household's heating status in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeatingStatus {
    /// Paying and heated.
    Active,
    /// 报停: heating suspended at the resident's request; the valve must be
    /// closed and sealed before the season.
    Suspended,
    /// 新用户: newly connected; the steward checks the pipes and opens the valve.
    New,
    /// Cut off from the network.
    Disconnected,
}

impl HeatingStatus {
    pub const ALL: [HeatingStatus; 4] =
        [HeatingStatus::Active, HeatingStatus::Suspended, HeatingStatus::New, HeatingStatus::Disconnected];

    pub fn code(self) -> &'static str {
        match self {
            HeatingStatus::Active => "active",
            HeatingStatus::Suspended => "suspended",
            HeatingStatus::New => "new",
            HeatingStatus::Disconnected => "disconnected",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            HeatingStatus::Active => "正常供暖",
            HeatingStatus::Suspended => "报停",
            HeatingStatus::New => "新用户",
            HeatingStatus::Disconnected => "已拆除",
        }
    }
}

/// The state of a household's heating valve (阀门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ValveState {
    Open,
    Closed,
    /// Closed and sealed with a numbered seal (加装铅封).
    Sealed {
        seal_no: SealNo,
    },
}

impl ValveState {
    pub fn code(&self) -> &'static str {
        match self {
            ValveState::Open => "open",
            ValveState::Closed => "closed",
            ValveState::Sealed { .. } => "sealed",
        }
    }

    pub fn is_shut(&self) -> bool {
        !matches!(self, ValveState::Open)
    }

    pub fn seal_no(&self) -> Option<&SealNo> {
        match self {
            ValveState::Sealed { seal_no } => Some(seal_no),
            _ => None,
        }
    }
}

/// A service district (片区): a polygon of the town with a responsible steward.
/// Its boundary lives beside it (see [`crate::geometry`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    pub id: DistrictId,
    /// A short code printed on cards and reports, e.g. `SH-03`.
    pub code: String,
    pub name: String,
    pub team_id: TeamId,
    pub steward_id: Option<UserId>,
}

/// A heat-exchange station (换热站) feeding the secondary network (二次网)
/// of several communities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Station {
    pub id: StationId,
    pub name: String,
    pub location: LonLat,
}

/// A residential community (小区).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Community {
    pub id: CommunityId,
    pub name: String,
    pub district_id: DistrictId,
    pub station_id: Option<StationId>,
    pub location: LonLat,
}

/// A building (楼) of a community, a point on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Building {
    pub id: BuildingId,
    pub community_id: CommunityId,
    /// The building's number, as in `1号楼`.
    pub number: u32,
    pub location: LonLat,
}

impl Building {
    pub fn label(&self) -> String {
        format!("{}号楼", self.number)
    }
}

/// A stairwell unit (单元) of a building.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub building_id: BuildingId,
    pub number: u32,
}

/// A household (户): one heating account at one address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: HouseholdId,
    pub account_no: AccountNo,
    pub district_id: DistrictId,
    pub community_id: CommunityId,
    pub building_id: BuildingId,
    pub unit_id: UnitId,
    /// The room number, as in `301室`.
    pub room: String,
    pub resident_name: String,
    pub phone: PhoneNumber,
    pub heated_area: AreaM2,
    pub status: HeatingStatus,
    pub valve: ValveState,
}

/// The address as residents and stewards write it:
/// `鑫隆帝景城 1号楼 2单元 301室`.
pub fn format_address(community: &str, building_no: u32, unit_no: u32, room: &str) -> String {
    format!("{community} {building_no}号楼 {unit_no}单元 {room}室")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        assert!(PhoneNumber::parse("13812345678").is_ok());
        assert!(PhoneNumber::parse("0531-88812319").is_ok());
        assert!(PhoneNumber::parse("12812345678").is_err());
        assert!(PhoneNumber::parse("1381234567").is_err());
        assert!(PhoneNumber::parse("138123456789").is_err());
        assert_eq!(PhoneNumber::parse("13812345678").unwrap().masked(), "138****5678");
    }

    #[test]
    fn codes_and_areas() {
        assert!(AccountNo::parse("SH-0001234").is_ok());
        assert!(AccountNo::parse("").is_err());
        assert!(AccountNo::parse("有中文").is_err());
        assert!(SealNo::parse("F2026-0001").is_ok());
        assert!(AreaM2::parse(89.5).is_ok());
        assert!(AreaM2::parse(0.0).is_err());
        assert!(AreaM2::parse(f64::NAN).is_err());
        let bad: Result<AreaM2, _> = serde_json::from_str("-3");
        assert!(bad.is_err());
    }

    #[test]
    fn address_format() {
        assert_eq!(format_address("鑫隆帝景城", 1, 2, "301"), "鑫隆帝景城 1号楼 2单元 301室");
    }

    #[test]
    fn valve_state_serde_and_seal() {
        let v = ValveState::Sealed { seal_no: SealNo::parse("S-7").unwrap() };
        let j = serde_json::to_string(&v).unwrap();
        assert_eq!(j, r#"{"state":"sealed","seal_no":"S-7"}"#);
        assert_eq!(serde_json::from_str::<ValveState>(&j).unwrap(), v);
        assert!(serde_json::from_str::<ValveState>(r#"{"state":"sealed","seal_no":""}"#).is_err());
    }
}

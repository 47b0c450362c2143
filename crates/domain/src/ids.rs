//! Typed identifiers. Every id is a UUID; new ones are UUIDv7, made on the
//! device that creates the record, so records can be created offline and
//! sort by creation time.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Makes a UUIDv7 from a creation time and ten random bytes. The caller
/// brings both, so this crate never reads a clock or a random source.
pub fn uuid_v7(at: Timestamp, random: [u8; 10]) -> Uuid {
    let millis = u64::try_from(at.as_millisecond()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

/// A UUID that did not parse as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: {0:?}")]
pub struct BadId(pub String);

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new UUIDv7 id created at `at` from ten random bytes.
            pub fn new_v7(at: Timestamp, random: [u8; 10]) -> Self {
                Self(uuid_v7(at, random))
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                Uuid::parse_str(s).map(Self).map_err(|_| BadId(s.to_owned()))
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    )*};
}

id_type!(
    /// A utility (热力集团).
    UtilityId,
    /// A service centre (供热服务中心).
    CentreId,
    /// A steward team (供暖管家服务队).
    TeamId,
    /// A person with an account: steward, team lead, hotline agent or admin.
    /// A steward's user id is the steward id used everywhere.
    UserId,
    /// A service district (片区).
    DistrictId,
    /// A heat-exchange station (换热站).
    StationId,
    /// A residential community (小区).
    CommunityId,
    /// A building (楼).
    BuildingId,
    /// A stairwell unit (单元).
    UnitId,
    /// A household (户).
    HouseholdId,
    /// A ticket (工单).
    TicketId,
    /// One event in a ticket's history.
    EventId,
    /// A home visit (入户).
    VisitId,
    /// A device that syncs (a steward's phone, a desk).
    DeviceId,
    /// A queued change made on a device, the unit of sync and of dedup.
    MutationId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_sort_by_creation_time() {
        let t1: Timestamp = "2026-11-01T08:00:00Z".parse().unwrap();
        let t2: Timestamp = "2026-11-01T08:00:01Z".parse().unwrap();
        let a = VisitId::new_v7(t1, [0xff; 10]);
        let b = VisitId::new_v7(t2, [0x00; 10]);
        assert!(a < b);
        assert_eq!(a.0.get_version_num(), 7);
    }

    #[test]
    fn ids_parse_and_reject() {
        let id = HouseholdId::new_v7(Timestamp::UNIX_EPOCH, [1; 10]);
        assert_eq!(id.to_string().parse::<HouseholdId>().unwrap(), id);
        assert!("not-a-uuid".parse::<HouseholdId>().is_err());
    }
}

//! The sync wire types of Heat Steward (供暖管家): what a device sends to
//! `POST /api/v1/sync/push` and receives from `GET /api/v1/sync/pull`, and
//! the `{code, message}` body of every error.
//!
//! Architecture Invariant: this crate holds shapes only. It does no I/O and
//! knows neither axum nor reqwest; the central server and the device's sync
//! engine both speak through it, so the two cannot drift apart. The OpenAPI
//! schemas are behind the `openapi` feature, which only the central enables.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use steward_domain::ids::{DeviceId, MutationId};
use steward_domain::sla::TimeBasis;
#[cfg(feature = "openapi")]
use utoipa::ToSchema;
use uuid::Uuid;

/// The body of every error response, and the reason a mutation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// A stable, machine-readable code; clients branch on it.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody { code: code.into(), message: message.into() }
    }
}

/// The mutation kind of a completed visit.
pub const KIND_VISIT: &str = "visit";
/// The mutation kind of a ticket action.
pub const KIND_TICKET_EVENT: &str = "ticket_event";
/// The mutation kind of a staff member's photo on their contact card
/// (payload: `{staff_id, sha256}`; the photo's bytes go up in the
/// attachments lane under that name). Only the signed-in staff member sets
/// their own.
pub const KIND_STAFF_PHOTO: &str = "staff_photo";

/// One queued change from a device. `kind` is `visit` (payload: a completed
/// visit as the domain writes it) or `ticket_event` (payload:
/// `{id, ticket_id, action, at, location?}`, the action as the domain's
/// `TicketAction`, e.g. `{"action":"accept"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Mutation {
    #[cfg_attr(feature = "openapi", schema(value_type = Uuid))]
    pub id: MutationId,
    #[cfg_attr(feature = "openapi", schema(example = "visit"))]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// The device's clock when the change was made; kept for the audit.
    pub device_time: Option<Timestamp>,
    /// The device stamp (sequence and corrected time); absent from devices
    /// older than it, which the server still takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<MutationStamp>,
}

/// What a device knew when it made a change: its place in the device's own
/// sequence and its time on the server's clock as the device reckoned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MutationStamp {
    /// Strictly increasing per device, never reused, across restarts.
    pub seq: u64,
    /// `device_time` plus the clock offset the device had learnt from the
    /// server; `device_time` itself when it had learnt none.
    pub corrected_time: Timestamp,
    /// `wall_offset` (corrected with a learnt offset) or `device_wall` (the
    /// device had never synced: the server corrects it on receipt).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "wall_offset"))]
    pub basis: TimeBasis,
}

/// A batch of mutations. The server reads each mutation on its own, so the
/// batch holds them as raw JSON: a malformed one is rejected without sinking
/// the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub device_id: Option<DeviceId>,
    /// Each mutation is judged on its own: a malformed one is rejected
    /// without sinking the rest.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Mutation>))]
    pub mutations: Vec<serde_json::Value>,
    /// Outbox entries still waiting on the device besides this batch, for
    /// the team lead's view of who holds unsynced work; absent when the
    /// device does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued: Option<u32>,
    /// The device's clock when it sent the push: the server corrects the
    /// times of a device that had never synced with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Timestamp>,
}

impl PushRequest {
    /// A batch of well-formed mutations, as a device sends it.
    pub fn new(device_id: Option<DeviceId>, mutations: &[Mutation]) -> Result<Self, serde_json::Error> {
        let mutations = mutations.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
        Ok(PushRequest { device_id, mutations, queued: None, sent_at: None })
    }
}

/// What became of one mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    /// Applied now.
    Applied,
    /// Seen before and applied then; never applied twice.
    Duplicate,
    /// Refused; the outcome's `error` says why.
    Rejected,
}

impl MutationStatus {
    pub fn code(self) -> &'static str {
        match self {
            MutationStatus::Applied => "applied",
            MutationStatus::Duplicate => "duplicate",
            MutationStatus::Rejected => "rejected",
        }
    }
}

/// What became of one mutation of a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MutationOutcome {
    /// The mutation id, when it had a readable one.
    pub id: Option<Uuid>,
    /// `applied`, `duplicate` (seen before; applied once) or `rejected`.
    pub status: MutationStatus,
    /// Why a mutation was rejected; absent otherwise.
    pub error: Option<ErrorBody>,
}

impl MutationOutcome {
    pub fn applied(id: MutationId) -> Self {
        MutationOutcome { id: Some(id.0), status: MutationStatus::Applied, error: None }
    }

    pub fn duplicate(id: MutationId) -> Self {
        MutationOutcome { id: Some(id.0), status: MutationStatus::Duplicate, error: None }
    }

    pub fn rejected(id: Option<Uuid>, error: ErrorBody) -> Self {
        MutationOutcome { id, status: MutationStatus::Rejected, error: Some(error) }
    }
}

/// The answer to a push: one outcome per mutation, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    pub outcomes: Vec<MutationOutcome>,
    /// The server's clock when it answered; the device keeps its offset.
    pub server_time: Timestamp,
}

/// Whether a change puts a record on the device or takes it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// The record as it is now, in the caller's scope.
    Upsert,
    /// The record left the caller's scope (a reassigned ticket).
    Remove,
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangeDto {
    pub seq: i64,
    /// `district`, `community`, `building`, `unit`, `household`, `ticket` or `visit`.
    pub kind: String,
    pub id: String,
    /// `upsert`, or `remove` when the record left the caller's scope.
    pub op: ChangeOp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data: Option<serde_json::Value>,
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    pub changes: Vec<ChangeDto>,
    /// Pass back as `cursor` for the next page.
    pub cursor: String,
    pub has_more: bool,
    /// The server's clock when it answered; the device keeps its offset.
    pub server_time: Timestamp,
}

/// The largest attachment the central takes, in bytes.
pub const MAX_ATTACHMENT_BYTES: u64 = 32 << 20;

/// What the central holds of an attachment (a photo), named by the SHA-256
/// of its bytes: `PUT /api/v1/attachments/{sha256}` answers it, and `HEAD`
/// gives the same in `Upload-Offset` / `Upload-Length` headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttachmentStatus {
    /// Lowercase hex.
    pub sha256: String,
    /// The whole length in bytes.
    pub size: u64,
    /// Bytes received so far, from 0: the next piece starts here.
    pub received: u64,
    /// All bytes are in and their hash matched the name.
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_ops_are_the_wire_strings() {
        for (status, text) in [
            (MutationStatus::Applied, "\"applied\""),
            (MutationStatus::Duplicate, "\"duplicate\""),
            (MutationStatus::Rejected, "\"rejected\""),
        ] {
            assert_eq!(serde_json::to_string(&status).unwrap(), text);
            assert_eq!(format!("\"{}\"", status.code()), text);
        }
        assert_eq!(serde_json::to_string(&ChangeOp::Remove).unwrap(), "\"remove\"");
    }

    #[test]
    fn a_push_request_carries_its_mutations_as_json() {
        let m = Mutation {
            id: MutationId(Uuid::nil()),
            kind: KIND_VISIT.to_owned(),
            payload: serde_json::json!({"a": 1}),
            device_time: None,
            stamp: Some(MutationStamp { seq: 7, corrected_time: Timestamp::UNIX_EPOCH, basis: TimeBasis::WallOffset }),
        };
        let req = PushRequest::new(None, std::slice::from_ref(&m)).unwrap();
        let back: Mutation = serde_json::from_value(req.mutations[0].clone()).unwrap();
        assert_eq!(back, m);
        assert_eq!(req.mutations[0]["stamp"]["basis"], "wall_offset");
    }

    #[test]
    fn an_old_client_without_stamps_is_still_read() {
        let old = serde_json::json!({"id": Uuid::nil(), "kind": "visit", "payload": {}, "device_time": null});
        let m: Mutation = serde_json::from_value(old).unwrap();
        assert_eq!(m.stamp, None);
        let req: PushRequest = serde_json::from_value(serde_json::json!({"device_id": null, "mutations": []})).unwrap();
        assert_eq!(req.sent_at, None);
        // And a stampless mutation goes out as an old client sent it.
        let out = serde_json::to_value(&m).unwrap();
        assert!(out.get("stamp").is_none());
    }
}

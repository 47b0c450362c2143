//! Between the store's values and the wire: an outbox entry becomes a
//! [`Mutation`], a feed entry becomes a store [`Change`]. Only this module
//! knows both shapes.

use serde_json::{Map, Value};
use steward_domain::ground::{Building, Community, District, Household, Unit};
use steward_domain::sla::SlaPolicy;
use steward_domain::ticket::{Ticket, TicketEvent};
use steward_domain::visit::CompletedVisit;
use steward_protocol::{ChangeDto, ChangeOp, KIND_STAFF_PHOTO, KIND_TICKET_EVENT, KIND_VISIT, Mutation, MutationStamp};
use steward_store::{Change, OutboxEntry, PlannedVisit, RecordKind};

/// The feed's kind of the central's service policy (id `policy`).
pub const KIND_SLA_POLICY: &str = "sla_policy";

/// A record that cannot cross the wire as it is.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("outbox entry {mutation_id} has an unknown entity {entity:?}")]
    UnknownEntity { mutation_id: String, entity: String },
    #[error("{what} {id}: {message}")]
    Malformed { what: String, id: String, message: String },
}

fn malformed(what: &str, id: &str, message: impl ToString) -> WireError {
    WireError::Malformed { what: what.to_owned(), id: id.to_owned(), message: message.to_string() }
}

/// The mutation that carries an outbox entry to the server.
pub fn mutation_of(e: &OutboxEntry) -> Result<Mutation, WireError> {
    let id = e.mutation_id.to_string();
    let (kind, payload) = match e.entity.as_str() {
        "visit" => (KIND_VISIT, serde_json::from_str(&e.payload).map_err(|err| malformed("visit", &id, err))?),
        "ticket" => {
            let event: TicketEvent =
                serde_json::from_str(&e.payload).map_err(|err| malformed("ticket event", &id, err))?;
            (KIND_TICKET_EVENT, ticket_event_payload(&event).map_err(|err| malformed("ticket event", &id, err))?)
        }
        steward_store::STAFF_PHOTO_ENTITY => {
            (KIND_STAFF_PHOTO, serde_json::from_str(&e.payload).map_err(|err| malformed("staff photo", &id, err))?)
        }
        other => return Err(WireError::UnknownEntity { mutation_id: id, entity: other.to_owned() }),
    };
    let stamp = e.stamp.map(|s| MutationStamp { seq: s.seq, corrected_time: s.corrected_time, basis: s.basis });
    Ok(Mutation { id: e.mutation_id, kind: kind.to_owned(), payload, device_time: Some(e.device_time), stamp })
}

/// `{id, ticket_id, action…, at, location}`: the event with its action's
/// fields inline, as the server reads a `ticket_event`.
fn ticket_event_payload(event: &TicketEvent) -> Result<Value, serde_json::Error> {
    let mut out = match serde_json::to_value(&event.action)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    out.insert("id".into(), serde_json::to_value(event.id)?);
    out.insert("ticket_id".into(), serde_json::to_value(event.ticket_id)?);
    out.insert("at".into(), serde_json::to_value(event.at)?);
    out.insert("location".into(), serde_json::to_value(event.location)?);
    Ok(Value::Object(out))
}

/// The store change a feed entry asks for; `None` for a kind this app does
/// not know (a newer server), which is skipped.
pub fn change_of(c: &ChangeDto) -> Result<Option<Change>, WireError> {
    into_change(c.clone())
}

/// [`change_of`] taking the entry, so that its document is moved into the
/// record rather than copied.
pub fn into_change(mut c: ChangeDto) -> Result<Option<Change>, WireError> {
    if c.kind == KIND_SLA_POLICY {
        // The policy is never removed: without one the device keeps the last.
        if c.op == ChangeOp::Remove {
            return Ok(None);
        }
        let data = c.data.take().ok_or_else(|| malformed(&c.kind, &c.id, "an upsert without data"))?;
        let policy = serde_json::from_value::<SlaPolicy>(data).map_err(|e| malformed(&c.kind, &c.id, e))?;
        return Ok(Some(Change::Policy(policy)));
    }
    let Some(kind) = RecordKind::from_code(&c.kind) else { return Ok(None) };
    if c.op == ChangeOp::Remove {
        return Ok(Some(Change::Remove(kind, c.id.clone())));
    }
    let data = c.data.take().ok_or_else(|| malformed(&c.kind, &c.id, "an upsert without data"))?;
    let bad = |e: serde_json::Error| malformed(&c.kind, &c.id, e);
    let change = match kind {
        RecordKind::District => {
            let boundary = boundary_geometry(&data);
            Change::District(serde_json::from_value::<District>(data).map_err(bad)?, boundary)
        }
        RecordKind::Community => Change::Community(serde_json::from_value::<Community>(data).map_err(bad)?),
        RecordKind::Building => Change::Building(serde_json::from_value::<Building>(data).map_err(bad)?),
        RecordKind::Unit => Change::Unit(serde_json::from_value::<Unit>(data).map_err(bad)?),
        RecordKind::Household => Change::Household(household(data).map_err(bad)?),
        RecordKind::Ticket => {
            let (ticket, events) = ticket(data).map_err(|m| malformed(&c.kind, &c.id, m))?;
            Change::Ticket(ticket, events)
        }
        RecordKind::Visit => Change::Visit(serde_json::from_value::<CompletedVisit>(data).map_err(bad)?),
        RecordKind::PlannedVisit => {
            let planned = serde_json::from_value::<PlannedVisit>(data).map_err(bad)?;
            if planned.feed_id() != c.id {
                return Err(malformed(&c.kind, &c.id, format!("the document is of {}", planned.feed_id())));
            }
            Change::PlannedVisit(planned)
        }
    };
    Ok(Some(change))
}

/// The district's boundary geometry: the server sends a one-feature
/// collection (or a bare geometry).
fn boundary_geometry(data: &Value) -> Option<String> {
    let b = data.get("boundary")?;
    let geometry = match b.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => b.get("features")?.get(0)?.get("geometry")?,
        Some("Feature") => b.get("geometry")?,
        Some(_) => b,
        None => return None,
    };
    Some(geometry.to_string())
}

/// A household from the server's household document (`heated_area_m2`).
fn household(mut data: Value) -> Result<Household, serde_json::Error> {
    if let Some(obj) = data.as_object_mut()
        && let Some(area) = obj.remove("heated_area_m2")
    {
        obj.insert("heated_area".into(), area);
    }
    serde_json::from_value(data)
}

/// A ticket from the server's ticket document and its events: the ticket's
/// last event gives the sequence and time the domain keeps.
fn ticket(mut data: Value) -> Result<(Ticket, Vec<TicketEvent>), String> {
    let obj = data.as_object_mut().ok_or("a ticket is an object")?;
    let events: Vec<TicketEvent> = match obj.remove("events") {
        Some(Value::Null) | None => Vec::new(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("events: {e}"))?,
    };
    let last = events.last().ok_or("a ticket without its events")?;
    obj.insert("last_seq".into(), last.seq.into());
    obj.insert("last_at".into(), serde_json::to_value(last.at).map_err(|e| e.to_string())?);
    let ticket: Ticket = serde_json::from_value(data).map_err(|e| e.to_string())?;
    Ok((ticket, events))
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use steward_domain::ids::{EventId, MutationId, TicketId, UserId};
    use steward_domain::org::Role;
    use steward_domain::ticket::{TicketAction, TicketStatus};
    use steward_store::Lane;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_ticket_event_goes_with_its_action_inline() {
        let event = TicketEvent {
            id: EventId(Uuid::from_u128(1)),
            ticket_id: TicketId(Uuid::from_u128(2)),
            seq: 3,
            action: TicketAction::Accept,
            actor_id: UserId(Uuid::from_u128(4)),
            actor_role: Role::Steward,
            at: "2026-11-20T08:00:00Z".parse().unwrap(),
            location: None,
            status_after: TicketStatus::Accepted,
        };
        let entry = OutboxEntry {
            seq: 1,
            mutation_id: MutationId(Uuid::from_u128(9)),
            lane: Lane::Priority,
            entity: "ticket".into(),
            entity_id: event.ticket_id.to_string(),
            op: "accept".into(),
            payload: serde_json::to_string(&event).unwrap(),
            device_time: "2026-11-20T08:00:01Z".parse().unwrap(),
            stamp: Some(steward_store::EntryStamp {
                seq: 12,
                corrected_time: "2026-11-20T10:00:01Z".parse().unwrap(),
                basis: steward_domain::sla::TimeBasis::WallOffset,
            }),
        };
        let m = mutation_of(&entry).unwrap();
        assert_eq!(m.kind, "ticket_event");
        assert_eq!(m.payload["action"], "accept");
        assert_eq!(m.payload["id"], json!(event.id));
        assert_eq!(m.payload["ticket_id"], json!(event.ticket_id));
        let stamp = m.stamp.expect("the entry's stamp goes with it");
        assert_eq!((stamp.seq, stamp.corrected_time.to_string()), (12, "2026-11-20T10:00:01Z".to_owned()));
        let unknown = OutboxEntry { entity: "photo".into(), ..entry };
        assert!(matches!(mutation_of(&unknown), Err(WireError::UnknownEntity { .. })));
    }

    #[test]
    fn unknown_kinds_are_skipped_and_removes_need_no_data() {
        let dto = |kind: &str, op| ChangeDto { seq: 1, kind: kind.into(), id: "x".into(), op, data: None };
        assert!(change_of(&dto("meter", ChangeOp::Upsert)).unwrap().is_none());
        assert_eq!(
            change_of(&dto("ticket", ChangeOp::Remove)).unwrap(),
            Some(Change::Remove(RecordKind::Ticket, "x".into()))
        );
        assert!(change_of(&dto("ticket", ChangeOp::Upsert)).is_err());
    }

    #[test]
    fn a_planned_visit_reads_from_the_centrals_document() {
        let (sweep, household) = (Uuid::from_u128(0x51), Uuid::from_u128(0x11));
        // The document as the central's `open_sweep` writes it.
        let data = json!({
            "sweep_id": sweep, "kind": "suspension_check", "kind_label": "报停阀门检查", "title": "复查",
            "opened_at": "2026-11-20T00:00:00Z", "deadline": "2026-11-22T00:00:00Z", "household_id": household,
            "district_id": Uuid::from_u128(1), "building_id": Uuid::from_u128(2),
            "steward_id": Uuid::from_u128(3).to_string(), "seq": 4,
        });
        let dto = |id: String, data: Value| ChangeDto {
            seq: 1,
            kind: "planned_visit".into(),
            id,
            op: ChangeOp::Upsert,
            data: Some(data),
        };
        let Some(Change::PlannedVisit(p)) = change_of(&dto(format!("{sweep}:{household}"), data.clone())).unwrap()
        else {
            panic!("a planned visit")
        };
        assert_eq!((p.kind.code(), p.seq, p.title.as_str()), ("suspension_check", 4, "复查"));
        assert_eq!(p.deadline.to_string(), "2026-11-22T00:00:00Z");
        // A document under another id, or of an unknown sweep kind, is refused.
        assert!(change_of(&dto("x".into(), data.clone())).is_err());
        let mut odd = data;
        odd["kind"] = json!("meter_reading");
        assert!(change_of(&dto(format!("{sweep}:{household}"), odd)).is_err());
        let remove = ChangeDto { op: ChangeOp::Remove, data: None, ..dto("a:b".into(), Value::Null) };
        assert_eq!(change_of(&remove).unwrap(), Some(Change::Remove(RecordKind::PlannedVisit, "a:b".into())));
    }

    #[test]
    fn the_service_policy_reads_as_the_clocks_policy() {
        // The central's policy document: the clock's fields and the rest.
        let data = json!({
            "responses": [{"category": "leak", "response_minutes": 20}], "at_risk_minutes": 7, "geofence_m": 180.0,
            "escalation_minutes": 5, "speed_kmh": 20.0, "load_penalty_minutes": 10.0, "stale_minutes": 10,
            "fix_fresh_minutes": 15, "incident_threshold": 5, "updated_at": "2026-11-26T01:00:00Z",
        });
        let dto = |op, data| ChangeDto { seq: 1, kind: KIND_SLA_POLICY.into(), id: "policy".into(), op, data };
        let Some(Change::Policy(p)) = change_of(&dto(ChangeOp::Upsert, Some(data))).unwrap() else {
            panic!("a policy")
        };
        assert_eq!(p.geofence_m(), 180.0);
        assert_eq!(p.response_minutes(steward_domain::ticket::TicketCategory::Leak), Some(20));
        assert!(change_of(&dto(ChangeOp::Upsert, Some(json!({"at_risk_minutes": -1})))).is_err());
        assert_eq!(change_of(&dto(ChangeOp::Remove, None)).unwrap(), None, "the device keeps its last policy");
    }

    #[test]
    fn a_boundary_is_read_from_a_feature_collection() {
        let geometry = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]});
        let fc =
            json!({"boundary": {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geometry}]}});
        assert_eq!(boundary_geometry(&fc), Some(geometry.to_string()));
        assert_eq!(boundary_geometry(&json!({"boundary": geometry})), Some(geometry.to_string()));
        assert_eq!(boundary_geometry(&json!({})), None);
    }
}

//! The server's operations: each composes domain rules and store calls
//! inside one write transaction. Handlers call these and know no SQL.

pub mod photo;
pub mod sla;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use steward_domain::geometry::LonLat;
use steward_domain::ground::Household;
use steward_domain::ids::{EventId, TicketId, UserId};
use steward_domain::org::Role;
use steward_domain::ticket::{
    Actor, ArrivalProof, DEFAULT_RESPONSE_MINUTES, NewTicket, Ticket, TicketAction, TicketError,
};
use steward_domain::visit::CompletedVisit;

use crate::auth::{Caller, random10};
use crate::error::{AppError, ErrorBody};
use crate::json::{CreateTicketRequest, HouseholdDto, Mutation, MutationOutcome, TicketDto};
use crate::store::{ChangeKeys, ChangeRecord, HouseholdImport, HouseholdRow, TicketRow, Tx, millis};

/// The maximum length of an external reference.
const MAX_EXTERNAL_REF: usize = 128;

fn actor(caller: &Caller) -> Actor {
    Actor { user_id: caller.principal.user_id, role: caller.principal.role }
}

/// Maps a refused ticket action to its HTTP error.
pub fn ticket_error(e: TicketError) -> AppError {
    let message = e.to_string();
    match e {
        TicketError::RoleNotAllowed { .. } | TicketError::NotAssignee { .. } => AppError::forbidden(message),
        TicketError::IllegalTransition { .. } => AppError::conflict("illegal_transition", message),
        TicketError::SameSteward => AppError::conflict("same_steward", message),
        TicketError::NeedsVisit(_) => AppError::conflict("needs_visit", message),
        TicketError::TimeBeforeLastEvent => AppError::unprocessable("time_before_last_event", message),
        TicketError::TimeBeforeReport => AppError::unprocessable("time_before_report", message),
        TicketError::LateEventConflicts { cause, .. } => match *cause {
            TicketError::NotAssignee { .. } => AppError::forbidden(message),
            _ => AppError::conflict("late_event_conflicts", message),
        },
        TicketError::Field(_) => AppError::unprocessable("invalid", message),
    }
}

/// The change-feed entry of a ticket after a change. It carries the
/// ticket's events, so that a device can hold the ticket as the domain does.
fn ticket_change(
    tx: &Tx<'_>,
    row: &TicketRow,
    prev_assignee: Option<UserId>,
    at: Timestamp,
) -> Result<ChangeRecord, AppError> {
    let events = tx.db().ticket_events(row.ticket.id())?;
    Ok(ChangeRecord {
        kind: "ticket",
        entity_id: row.ticket.id().to_string(),
        district_id: Some(row.district_id),
        assignee: row.ticket.assignee(),
        prev_district_id: Some(row.district_id),
        prev_assignee,
        doc: serde_json::to_value(TicketDto { events: Some(events), ..TicketDto::new(row) })
            .map_err(AppError::internal)?,
        at_ms: millis(at),
    })
}

/// The change-feed entry of a household; the snapshot holds the full phone
/// number, masked on the way out for roles that may not see it.
pub fn household_change(
    row: &HouseholdRow,
    prev: Option<steward_domain::ids::DistrictId>,
    at: Timestamp,
) -> Result<ChangeRecord, AppError> {
    Ok(ChangeRecord {
        kind: "household",
        entity_id: row.household.id.to_string(),
        district_id: Some(row.household.district_id),
        assignee: None,
        prev_district_id: prev,
        prev_assignee: None,
        doc: serde_json::to_value(HouseholdDto::new(row, true)).map_err(AppError::internal)?,
        at_ms: millis(at),
    })
}

/// Opens a ticket from a hotline report. Returns the ticket and whether it
/// was created now (false when the external reference opened it before).
pub fn open_ticket(
    tx: &Tx<'_>,
    caller: &Caller,
    req: CreateTicketRequest,
    now: Timestamp,
) -> Result<(TicketRow, bool), AppError> {
    let external_ref = req.external_ref.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if external_ref.as_ref().is_some_and(|r| r.chars().count() > MAX_EXTERNAL_REF) {
        return Err(AppError::unprocessable("invalid", format!("external_ref is longer than {MAX_EXTERNAL_REF}")));
    }
    let db = tx.db();
    if let Some(existing) = external_ref.as_deref().map(|r| db.ticket_by_external_ref(r)).transpose()?.flatten() {
        if !caller.scope.sees_ticket(existing.district_id, existing.ticket.assignee()) {
            return Err(AppError::conflict("external_ref_taken", "that external reference names another ticket"));
        }
        return Ok((existing, false));
    }
    let household = match (req.household_id, req.account_no.as_deref()) {
        (Some(id), _) => db.household(id)?,
        (None, Some(account)) => db.household_by_account(account.trim())?,
        (None, None) => {
            return Err(AppError::unprocessable("invalid", "give household_id or account_no"));
        }
    };
    let household = household
        .filter(|h| caller.scope.sees_district(h.household.district_id))
        .ok_or_else(|| AppError::not_found("household not found"))?;
    let reported_at = req.reported_at.unwrap_or(now);
    let new = NewTicket {
        id: TicketId::new_v7(now, random10()),
        household_id: household.household.id,
        category: req.category,
        description: req.description,
        reported_at,
        external_ref,
    };
    // The category's response time from the policy; a category with no
    // clock keeps the default deadline, which nothing judges.
    let (policy, _, _) = db.service_policy()?;
    let response = policy.sla().response(req.category).unwrap_or(SignedDuration::from_mins(DEFAULT_RESPONSE_MINUTES));
    let (ticket, event) = Ticket::open_with_response(new, actor(caller), EventId::new_v7(now, random10()), response)
        .map_err(ticket_error)?;
    let row = TicketRow { ticket, district_id: household.household.district_id };
    tx.insert_ticket(&row.ticket, row.district_id)?;
    tx.insert_ticket_event(&event)?;
    tx.append_change(&ticket_change(tx, &row, None, now)?)?;
    audit(tx, caller, now, "ticket.open", "ticket", &row.ticket.id().to_string())?;
    Ok((row, true))
}

fn audit(tx: &Tx<'_>, caller: &Caller, now: Timestamp, action: &str, entity: &str, id: &str) -> Result<(), AppError> {
    let p = &caller.principal;
    tx.audit(millis(now), Some(p.user_id), p.device_id, action, entity, Some(id), None)?;
    Ok(())
}

/// One action on one ticket, as a client asks for it.
#[derive(Debug, Clone)]
pub struct TicketStep {
    pub ticket_id: TicketId,
    pub action: TicketAction,
    pub at: Timestamp,
    pub location: Option<LonLat>,
    pub event_id: EventId,
}

/// Applies an action to a ticket in the caller's scope, with the checks the
/// domain cannot make: a dispatch goes to a steward, of the lead's own team.
pub fn act_on_ticket(tx: &Tx<'_>, caller: &Caller, step: TicketStep, now: Timestamp) -> Result<TicketRow, AppError> {
    let TicketStep { ticket_id, action, at, location, event_id } = step;
    let db = tx.db();
    let history = db.ticket_events(ticket_id)?;
    // A steward may still add to the history of a ticket that was theirs: an
    // action made offline before a reassignment is applied at its own time.
    let mut row = db
        .ticket(ticket_id)?
        .filter(|t| caller.scope.sees_ticket(t.district_id, t.ticket.assignee()) || was_assigned(&history, caller))
        .ok_or_else(|| AppError::not_found("ticket not found"))?;
    if let TicketAction::Dispatch { steward_id } | TicketAction::Reassign { steward_id, .. } = &action {
        let target = db
            .staff(*steward_id)?
            .filter(|s| s.role == Role::Steward)
            .ok_or_else(|| AppError::unprocessable("not_a_steward", "steward_id names no steward"))?;
        if caller.role() == Role::TeamLead && (target.team_id.is_none() || target.team_id != caller.principal.team_id) {
            return Err(AppError::forbidden("a team lead dispatches only to stewards of the team"));
        }
    }
    let before = row.ticket.assignee();
    // Events keep their own time: an action made offline and synced late is
    // slotted into the history at its time (see `Ticket::apply_with_history`).
    let event =
        row.ticket.apply_with_history(&history, actor(caller), action, at, location, event_id).map_err(ticket_error)?;
    tx.update_ticket(&row.ticket)?;
    tx.insert_ticket_event(&event)?;
    tx.append_change(&ticket_change(tx, &row, before, now)?)?;
    audit(tx, caller, now, &format!("ticket.{}", event.action.code()), "ticket", &ticket_id.to_string())?;
    // Where the steward's device says they were: the event's location, else
    // the arrival's GPS fix.
    let fix = event.location.or(match &event.action {
        TicketAction::Arrive { proof: ArrivalProof::Gps { at, .. } } => Some(*at),
        _ => None,
    });
    if let (Some(fix), Role::Steward) = (fix, caller.role()) {
        tx.record_position(caller.principal.user_id, fix, millis(event.at), "ticket_event")?;
    }
    Ok(row)
}

/// The payload of a `ticket_event` mutation.
#[derive(Debug, Deserialize)]
struct TicketEventPayload {
    id: EventId,
    ticket_id: TicketId,
    #[serde(flatten)]
    action: TicketAction,
    at: Timestamp,
    #[serde(default)]
    location: Option<LonLat>,
}

/// The outcome of a mutation refused with `e`.
pub fn rejected(id: Option<uuid::Uuid>, e: AppError) -> MutationOutcome {
    let (code, message) = e.into_parts();
    MutationOutcome::rejected(id, ErrorBody { code: code.to_owned(), message })
}

/// Parses one mutation of a push; a mutation that does not parse is
/// rejected alone.
pub fn parse_mutation(raw: serde_json::Value) -> Result<Mutation, MutationOutcome> {
    let id = raw.get("id").and_then(|v| v.as_str()).and_then(|s| s.parse::<uuid::Uuid>().ok());
    serde_json::from_value::<Mutation>(raw)
        .map_err(|e| rejected(id, AppError::unprocessable("invalid_mutation", format!("mutation: {e}"))))
}

/// What the mutations of one push share while they are applied in one
/// write job: the households already read. A household written by a
/// mutation is dropped from it, so that what it holds is always what the
/// transaction holds, whether that mutation stands or is rolled back.
#[derive(Default)]
pub struct PushContext {
    households: std::collections::HashMap<steward_domain::ids::HouseholdId, Option<HouseholdRow>>,
}

/// Applies one mutation; the caller runs it as one write job, so an error
/// leaves nothing of it behind. A mutation id seen before is a duplicate and
/// changes nothing.
pub fn apply_mutation(tx: &Tx<'_>, caller: &Caller, m: &Mutation, now: Timestamp) -> Result<MutationOutcome, AppError> {
    apply_in_push(tx, caller, m, now, &mut PushContext::default())
}

/// [`apply_mutation`] as one of the mutations of a push applied together
/// (each inside its own savepoint, see [`Tx::savepoint`]).
pub fn apply_in_push(
    tx: &Tx<'_>,
    caller: &Caller,
    m: &Mutation,
    now: Timestamp,
    ctx: &mut PushContext,
) -> Result<MutationOutcome, AppError> {
    let db = tx.db();
    if let Some(user) = db.mutation_seen(m.id.0)? {
        return Ok(if user == caller.principal.user_id {
            MutationOutcome::duplicate(m.id)
        } else {
            rejected(Some(m.id.0), AppError::conflict("mutation_id_taken", "another user pushed this mutation id"))
        });
    }
    let applied = match m.kind.as_str() {
        "visit" => apply_visit(tx, caller, m, now, ctx),
        "ticket_event" => apply_ticket_event(tx, caller, m, now),
        steward_protocol::KIND_STAFF_PHOTO => photo::apply_staff_photo(tx, caller, m),
        other => Err(AppError::unprocessable("unknown_kind", format!("unknown mutation kind {other:?}"))),
    };
    match applied {
        Ok(()) => {
            let p = &caller.principal;
            tx.mark_mutation(m.id.0, p.user_id, p.device_id, &m.kind, millis(now))?;
            Ok(MutationOutcome::applied(m.id))
        }
        Err(e) => Err(e),
    }
}

fn apply_visit(
    tx: &Tx<'_>,
    caller: &Caller,
    m: &Mutation,
    now: Timestamp,
    ctx: &mut PushContext,
) -> Result<(), AppError> {
    // Read from the payload in place: the push's JSON is parsed once.
    let visit = CompletedVisit::deserialize(&m.payload)
        .map_err(|e| AppError::unprocessable("invalid_visit", format!("visit: {e}")))?;
    if caller.role() != Role::Steward || visit.steward_id() != caller.principal.user_id {
        return Err(AppError::forbidden("a visit is pushed by the steward who made it"));
    }
    let db = tx.db();
    let household_id = visit.household_id();
    let household = match ctx.households.entry(household_id) {
        std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
        std::collections::hash_map::Entry::Vacant(slot) => slot.insert(db.household(household_id)?),
    };
    let household = household
        .as_ref()
        .filter(|h| caller.scope.sees_district(h.household.district_id))
        .ok_or_else(|| AppError::not_found("household not found"))?;
    if db.visit_exists(visit.id())? {
        return Err(AppError::conflict("visit_exists", "a visit with that id is already recorded"));
    }
    let district = household.household.district_id;
    // Serialised once: the same document is the visit's row and its
    // change-feed entry.
    let json = serde_json::to_string(&visit).map_err(AppError::internal)?;
    tx.insert_visit_json(&visit, district, &json)?;
    let entity_id = visit.id().to_string();
    let keys = ChangeKeys {
        kind: "visit",
        entity_id: &entity_id,
        district_id: Some(district),
        assignee: Some(visit.steward_id()),
        prev_district_id: None,
        prev_assignee: None,
        at_ms: millis(now),
    };
    tx.append_change_json(&keys, &json)?;
    // Field evidence wins for the valve's physical state.
    if let Some(valve) = visit.valve_after()
        && valve != household.household.valve
    {
        let mut changed = household.clone();
        changed.household.valve = valve;
        ctx.households.remove(&household_id);
        put_household(tx, &changed, Some(district), now)?;
    }
    if let Some(fix) = visit.location() {
        tx.record_position(visit.steward_id(), fix, millis(visit.completed_at()), "visit")?;
    }
    audit(tx, caller, now, "visit.record", "visit", &entity_id)
}

/// Records that a steward's device synced now, with the number of records
/// it says are still waiting on it (when it says). Other roles are not
/// tracked.
pub fn record_sync(tx: &Tx<'_>, caller: &Caller, now: Timestamp, queued: Option<u32>) -> Result<(), AppError> {
    if caller.role() == Role::Steward {
        tx.record_sync(caller.principal.user_id, caller.principal.device_id, millis(now), queued)?;
    }
    Ok(())
}

/// Writes a household and its change-feed entry.
pub fn put_household(
    tx: &Tx<'_>,
    row: &HouseholdRow,
    prev: Option<steward_domain::ids::DistrictId>,
    now: Timestamp,
) -> Result<(), AppError> {
    let h: &Household = &row.household;
    tx.put_household(HouseholdImport { household: h, community_name: &row.community_name, location: row.location })?;
    tx.append_change(&household_change(row, prev, now)?)?;
    Ok(())
}

fn apply_ticket_event(tx: &Tx<'_>, caller: &Caller, m: &Mutation, now: Timestamp) -> Result<(), AppError> {
    let p = TicketEventPayload::deserialize(&m.payload)
        .map_err(|e| AppError::unprocessable("invalid_ticket_event", format!("ticket_event: {e}")))?;
    let step = TicketStep { ticket_id: p.ticket_id, action: p.action, at: p.at, location: p.location, event_id: p.id };
    let ticket_id = p.ticket_id;
    match act_on_ticket(tx, caller, step, now) {
        Ok(_) => Ok(()),
        Err(e) if e.status() == axum::http::StatusCode::FORBIDDEN => {
            Err(check_not_reassigned(tx, caller, ticket_id)?.unwrap_or(e))
        }
        Err(e) => Err(e),
    }
}

/// Conflict rule: the office wins for ticket assignment. A steward's action
/// on a ticket that was theirs and went to another steward (while their
/// device was offline) is refused as `reassigned`, so that the device shows
/// it to them; a visit they recorded is applied on its own. Asked only once
/// the domain refused the action: an action made before the reassignment
/// (by its own time) is history and is applied.
fn check_not_reassigned(tx: &Tx<'_>, caller: &Caller, ticket_id: TicketId) -> Result<Option<AppError>, AppError> {
    if caller.role() != Role::Steward {
        return Ok(None);
    }
    let db = tx.db();
    let me = caller.principal.user_id;
    let Some(row) = db.ticket(ticket_id)? else { return Ok(None) };
    if row.ticket.assignee() == Some(me) {
        return Ok(None);
    }
    let was_mine = was_assigned(&db.ticket_events(ticket_id)?, caller);
    Ok(was_mine.then(|| {
        AppError::conflict("reassigned", "the ticket was reassigned to another steward; the action was not applied")
    }))
}

/// Whether the ticket was ever dispatched or reassigned to the calling steward.
fn was_assigned(history: &[steward_domain::ticket::TicketEvent], caller: &Caller) -> bool {
    let me = caller.principal.user_id;
    caller.role() == Role::Steward
        && history.iter().any(|e| {
            matches!(&e.action, TicketAction::Dispatch { steward_id } | TicketAction::Reassign { steward_id, .. }
                if *steward_id == me)
        })
}

//! Tickets (工单) on the device: rows from the server, and the steward's own
//! ticket events with their priority outbox entries.

use rusqlite::{Connection, OptionalExtension, params};
use steward_domain::geometry::LonLat;
use steward_domain::ground::{Household, format_address};
use steward_domain::ids::{EventId, TicketId, UserId};
use steward_domain::ticket::{Ticket, TicketEvent, TicketStatus};

use crate::codec::{col, location_col, location_text, ts_col, ts_text};
use crate::error::{Result, StoreError, is_unique_violation};
use crate::outbox::{self, Lane, MutationMeta, NewEntry};
use crate::{Store, rows};

/// The outbox entity name of ticket events.
pub(crate) const ENTITY: &str = "ticket";

const UPSERT: &str = "INSERT INTO tickets (id, household_id, category, description, status, assignee, \
     reported_at, due_at, external_ref, last_seq, ticket_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
     ON CONFLICT (id) DO UPDATE SET household_id = excluded.household_id, category = excluded.category, \
     description = excluded.description, status = excluded.status, assignee = excluded.assignee, \
     reported_at = excluded.reported_at, due_at = excluded.due_at, external_ref = excluded.external_ref, \
     last_seq = excluded.last_seq, ticket_json = excluded.ticket_json";

/// Only when the server's copy is not behind and no local change waits.
const SERVER_GUARD: &str = " WHERE excluded.last_seq >= tickets.last_seq \
     AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity = 'ticket' AND entity_id = excluded.id)";

fn write_row(conn: &Connection, t: &Ticket, sql: &str) -> Result<()> {
    conn.prepare_cached(sql)?.execute(params![
        t.id().to_string(),
        t.household_id().to_string(),
        t.category().code(),
        t.description(),
        t.status().code(),
        t.assignee().map(|a| a.to_string()),
        ts_text(t.reported_at()),
        ts_text(t.due_at()),
        t.external_ref(),
        t.last_seq(),
        serde_json::to_string(t)?,
    ])?;
    Ok(())
}

/// Inserts an event row. `ignore` skips an event already stored (by id or
/// by ticket and seq) instead of failing.
fn insert_event(conn: &Connection, e: &TicketEvent, ignore: bool) -> Result<()> {
    let sql = if ignore {
        "INSERT INTO ticket_events (id, ticket_id, seq, action, action_json, actor_id, actor_role, at, location, \
         status_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING"
    } else {
        "INSERT INTO ticket_events (id, ticket_id, seq, action, action_json, actor_id, actor_role, at, location, \
         status_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    };
    let id = e.id.to_string();
    let result = conn.prepare_cached(sql)?.execute(params![
        id,
        e.ticket_id.to_string(),
        e.seq,
        e.action.code(),
        serde_json::to_string(&e.action)?,
        e.actor_id.to_string(),
        e.actor_role.code(),
        ts_text(e.at),
        location_text(e.location)?,
        e.status_after.code(),
    ]);
    match result {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Err(StoreError::Duplicate { entity: "ticket_event", id }),
        Err(err) => Err(err.into()),
    }
}

/// Stores a ticket and its events from the server, unless the device holds
/// newer local state for it.
pub(crate) fn upsert_from_server(conn: &Connection, ticket: &Ticket, events: &[TicketEvent]) -> Result<()> {
    write_row(conn, ticket, &format!("{UPSERT}{SERVER_GUARD}"))?;
    // The server's copy is kept whatever the local state, never going back.
    conn.prepare_cached(
        "UPDATE tickets SET server_json = ?2 WHERE id = ?1 \
         AND (server_json IS NULL OR json_extract(server_json, '$.last_seq') <= ?3)",
    )?
    .execute(params![ticket.id().to_string(), serde_json::to_string(ticket)?, ticket.last_seq()])?;
    for e in events {
        if e.ticket_id != ticket.id() {
            return Err(StoreError::Invalid(format!("event {} is not of ticket {}", e.id, ticket.id())));
        }
        insert_event(conn, e, true)?;
    }
    Ok(())
}

/// After the server refused a local action on a ticket: once no other local
/// action of the ticket waits, the ticket goes back to the server's last
/// copy and the local events after it are dropped (the refused action is
/// kept in needs attention).
pub(crate) fn restore_server_copy(conn: &Connection, ticket_id: &str) -> Result<()> {
    let waiting =
        conn.prepare_cached("SELECT 1 FROM outbox WHERE entity = 'ticket' AND entity_id = ?1")?.exists([ticket_id])?;
    if waiting {
        return Ok(());
    }
    let copy: Option<Option<String>> = conn
        .prepare_cached("SELECT server_json FROM tickets WHERE id = ?1")?
        .query_row([ticket_id], |row| row.get(0))
        .optional()?;
    let Some(Some(json)) = copy else { return Ok(()) };
    let ticket: Ticket = serde_json::from_str(&json)?;
    write_row(conn, &ticket, UPSERT)?;
    conn.prepare_cached("DELETE FROM ticket_events WHERE ticket_id = ?1 AND seq > ?2")?
        .execute(params![ticket_id, ticket.last_seq()])?;
    Ok(())
}

/// A ticket with the household it is about and where that household is:
/// what the ticket page shows and what a check-in is verified against.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketSite {
    pub ticket: Ticket,
    /// The ticket's events in order.
    pub events: Vec<TicketEvent>,
    pub household: Household,
    /// `鑫隆帝景城 1号楼 2单元 301室`.
    pub address: String,
    /// The household's building: the centre of the check-in geofence.
    pub building_location: LonLat,
    /// The ids of the events made on this device that wait to be uploaded.
    pub pending_events: Vec<EventId>,
}

fn event(row: &rusqlite::Row<'_>) -> Result<TicketEvent> {
    let action_json: String = row.get("action_json")?;
    let status: String = row.get("status_after")?;
    Ok(TicketEvent {
        id: col(row, "id")?,
        ticket_id: col(row, "ticket_id")?,
        seq: row.get("seq")?,
        action: serde_json::from_str(&action_json)?,
        actor_id: col(row, "actor_id")?,
        actor_role: crate::org::role(&row.get::<_, String>("actor_role")?)?,
        at: ts_col(row, "at")?,
        location: location_col(row, "location")?,
        status_after: TicketStatus::from_code(&status)
            .ok_or_else(|| StoreError::Invalid(format!("status {status:?}")))?,
    })
}

/// Checks that `ticket` is the state right after `event`.
fn check_event_matches(ticket: &Ticket, event: &TicketEvent) -> Result<()> {
    if event.ticket_id != ticket.id() {
        return Err(StoreError::Invalid(format!("event {} is not of ticket {}", event.id, ticket.id())));
    }
    if event.seq != ticket.last_seq() || event.status_after != ticket.status() {
        return Err(StoreError::Invalid(format!(
            "ticket {} is not the state after event {} (seq {})",
            ticket.id(),
            event.id,
            event.seq
        )));
    }
    Ok(())
}

impl Store {
    /// Records a ticket event made on the device: the event, the ticket's
    /// new state, and a `priority` outbox entry whose payload is the event's
    /// JSON, in one transaction.
    ///
    /// `ticket` must be the state after `event` (as [`Ticket::apply`] left
    /// it), and the stored ticket must be the state before it: an event on
    /// a stale ticket is [`StoreError::Invalid`]. A ticket not on the device
    /// is [`StoreError::NotFound`]; an event id already stored is
    /// [`StoreError::Duplicate`].
    pub fn record_ticket_event(&mut self, ticket: &Ticket, event: &TicketEvent, m: &MutationMeta) -> Result<()> {
        check_event_matches(ticket, event)?;
        let tx = self.write_tx()?;
        let id = ticket.id().to_string();
        let stored_seq: Option<u32> = tx
            .prepare_cached("SELECT last_seq FROM tickets WHERE id = ?1")?
            .query_row([&id], |row| row.get(0))
            .optional()?;
        match stored_seq {
            None => return Err(StoreError::NotFound { entity: "ticket", id }),
            Some(seq) if seq.checked_add(1) != Some(event.seq) => {
                return Err(StoreError::Invalid(format!(
                    "ticket {id} is at event {seq} on this device; event {} does not follow it",
                    event.seq
                )));
            }
            Some(_) => {}
        }
        insert_event(&tx, event, false)?;
        write_row(&tx, ticket, UPSERT)?;
        let entry = NewEntry {
            lane: Lane::Priority,
            entity: ENTITY,
            entity_id: id,
            op: event.action.code(),
            payload: serde_json::to_string(event)?,
        };
        outbox::append(&tx, m, entry)?;
        tx.commit()?;
        self.committed();
        Ok(())
    }

    /// A ticket on the device.
    pub fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let mut stmt = self.conn.prepare_cached("SELECT ticket_json FROM tickets WHERE id = ?1")?;
        let mut rows = stmt.query([id.to_string()])?;
        rows.next()?.map(rows::ticket).transpose()
    }

    /// A ticket's events in order.
    pub fn ticket_events(&self, id: TicketId) -> Result<Vec<TicketEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ticket_id, seq, action_json, actor_id, actor_role, at, location, status_after \
             FROM ticket_events WHERE ticket_id = ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([id.to_string()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(event(row)?);
        }
        Ok(out)
    }

    /// A ticket with its events, its household, the household's address and
    /// building location, and which of its events wait to be uploaded.
    pub fn ticket_site(&self, id: TicketId) -> Result<Option<TicketSite>> {
        let sql = format!(
            "SELECT t.ticket_json, {}, c.name AS community_name, b.number AS building_no, u.number AS unit_no, \
             b.lon AS building_lon, b.lat AS building_lat FROM tickets t JOIN households h ON h.id = t.household_id \
             JOIN communities c ON c.id = h.community_id JOIN buildings b ON b.id = h.building_id \
             JOIN units u ON u.id = h.unit_id WHERE t.id = ?1",
            rows::HOUSEHOLD_COLS
        );
        let found = {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query([id.to_string()])?;
            match rows.next()? {
                None => None,
                Some(row) => {
                    let ticket = rows::ticket(row)?;
                    let household = rows::household(row)?;
                    let community: String = row.get("community_name")?;
                    let building_no = crate::codec::to_u32("building number", row.get("building_no")?)?;
                    let unit_no = crate::codec::to_u32("unit number", row.get("unit_no")?)?;
                    let address = format_address(&community, building_no, unit_no, &household.room);
                    let location = LonLat { lon: row.get("building_lon")?, lat: row.get("building_lat")? };
                    Some((ticket, household, address, location))
                }
            }
        };
        let Some((ticket, household, address, building_location)) = found else { return Ok(None) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT json_extract(payload, '$.id') FROM outbox WHERE entity = 'ticket' AND entity_id = ?1 ORDER BY seq",
        )?;
        let pending_events = stmt
            .query_map([id.to_string()], |row| row.get::<_, String>(0))?
            .map(|text| crate::codec::parse_col("event id", &text?))
            .collect::<Result<Vec<EventId>>>()?;
        Ok(Some(TicketSite {
            events: self.ticket_events(id)?,
            ticket,
            household,
            address,
            building_location,
            pending_events,
        }))
    }

    /// The open tickets assigned to `steward` with their events, for the
    /// response clock's local alerts.
    pub fn open_tickets_of(&self, steward: UserId) -> Result<Vec<(Ticket, Vec<TicketEvent>)>> {
        let open: Vec<String> =
            TicketStatus::ALL.into_iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.code())).collect();
        let sql = format!(
            "SELECT ticket_json FROM tickets WHERE assignee = ?1 AND status IN ({}) ORDER BY due_at, id",
            open.join(", ")
        );
        let tickets = {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query([steward.to_string()])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(rows::ticket(row)?);
            }
            out
        };
        tickets
            .into_iter()
            .map(|t| {
                let events = self.ticket_events(t.id())?;
                Ok((t, events))
            })
            .collect()
    }
}

//! The sync panel (同步): the sync's status as the UI shows it, and the
//! steward's answers to a refused change: let it go, or send it again.

use steward_domain::ids::MutationId;
use steward_store::NeedsAttention;

use crate::dto::{AttentionDto, ErrorDto, PendingDto, SlaAlertDto, SyncPanelDto, SyncProgressDto};
use crate::input::{InputError, parse_id};
use crate::{Device, SlaAlertRaised, SyncStatus};

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The panel's state code from the sync's status.
pub fn state_of(status: Option<&SyncStatus>) -> &'static str {
    match status {
        None => "offline",
        Some(s) if s.in_progress.is_some() => "syncing",
        Some(s) => match &s.last_error {
            None => "idle",
            // No answer at all: refused, reset, timed out.
            Some(e) if e.code == "offline" => "offline",
            Some(_) => "error",
        },
    }
}

fn attention(n: &NeedsAttention) -> AttentionDto {
    AttentionDto {
        mutation_id: n.entry.mutation_id.to_string(),
        entity: n.entry.entity.clone(),
        entity_id: n.entry.entity_id.clone(),
        op: n.entry.op.clone(),
        device_time: n.entry.device_time.to_string(),
        code: n.code.clone(),
        message: n.message.clone(),
    }
}

impl From<&SlaAlertRaised> for SlaAlertDto {
    fn from(a: &SlaAlertRaised) -> Self {
        SlaAlertDto {
            ticket_id: a.ticket_id.to_string(),
            kind: match a.kind {
                steward_domain::sla::SlaAlertKind::AtRisk => "at_risk",
                steward_domain::sla::SlaAlertKind::Breached => "breached",
            }
            .to_owned(),
            due_at: a.due_at.to_string(),
            category: a.category.clone(),
            address: a.address.clone(),
        }
    }
}

impl Device {
    /// The sync panel now. The pending counts and the refused changes come
    /// from the store, so they are right with no sync running.
    pub fn sync_panel(&self) -> Result<SyncPanelDto, InputError> {
        let status = self.sync_status();
        let (pending, attention_list, offset) = {
            let store = self.store();
            (store.pending_counts()?, store.needs_attention()?, store.clock_offset()?)
        };
        Ok(SyncPanelDto {
            state: state_of(status.as_ref()).to_owned(),
            central: status.is_some(),
            pending: PendingDto::from(pending),
            last_success_at: status.as_ref().and_then(|s| s.last_success_at).map(|t| t.to_string()),
            progress: status
                .as_ref()
                .and_then(|s| s.in_progress)
                .map(|(done, total)| SyncProgressDto { done: clamp(done), total: clamp(total) }),
            last_error: status
                .as_ref()
                .and_then(|s| s.last_error.as_ref())
                .map(|e| ErrorDto { code: e.code.clone(), message: e.message.clone() }),
            attention: attention_list.iter().map(attention).collect(),
            clock_offset_ms: offset.and_then(|o| i64::try_from(o.as_millis()).ok()),
        })
    }

    /// The steward lets a refused change go: it leaves the list; the record
    /// stays on the device.
    pub fn dismiss_attention(&self, mutation_id: &str) -> Result<SyncPanelDto, InputError> {
        let id: MutationId = parse_id("mutation_id", mutation_id)?;
        if !self.store().dismiss_rejected(id)? {
            return Err(InputError::NotFound { entity: "refused change", id: mutation_id.to_owned() });
        }
        self.sync_panel()
    }

    /// The steward sends a refused change again: back to the outbox, and the
    /// running sync is nudged.
    pub fn retry_attention(&self, mutation_id: &str) -> Result<SyncPanelDto, InputError> {
        let id: MutationId = parse_id("mutation_id", mutation_id)?;
        if !self.store().retry_rejected(id)? {
            return Err(InputError::NotFound { entity: "refused change", id: mutation_id.to_owned() });
        }
        self.notify_local_write();
        self.sync_panel()
    }

    /// Asks the running sync for a round now; `false` when no sync runs.
    pub fn sync_now(&self) -> bool {
        self.sync.get().map(|s| s.sync_now()).is_some()
    }

    /// A key that changes whenever the steward's open tickets change (a new
    /// one pulled, a status moved), the households to visit do, or a
    /// sweep's planned visits do: the app
    /// refreshes Today when it does.
    pub fn open_tickets_key(&self) -> Result<String, InputError> {
        let store = self.store();
        let steward = Self::steward_id(&store)?;
        let (start, end) = crate::day_bounds(jiff::Timestamp::now());
        let work = store.todays_work(steward, start, end)?;
        let tickets = work.tickets.iter().map(|t| format!("{}:{}", t.ticket.id(), t.ticket.last_seq()));
        // The households to visit come by the same pull (all of a district at
        // a new device's first sync; a valve sealed on another device later):
        // one arriving or leaving the list reloads Today too.
        let households = work.households.iter().map(|h| format!("h{}:{:?}", h.id, h.reason));
        // A sweep's planned visits come by the same pull; a new, removed or
        // re-dated one reloads Today too.
        let planned = store.planned_fingerprints(steward)?;
        Ok(tickets.chain(households).chain(planned).collect::<Vec<_>>().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_protocol::ErrorBody;

    #[test]
    fn the_panel_state_follows_the_sync() {
        assert_eq!(state_of(None), "offline");
        let idle = SyncStatus::default();
        assert_eq!(state_of(Some(&idle)), "idle");
        let running = SyncStatus { in_progress: Some((1, 4)), ..SyncStatus::default() };
        assert_eq!(state_of(Some(&running)), "syncing");
        let offline = SyncStatus { last_error: Some(ErrorBody::new("offline", "refused")), ..SyncStatus::default() };
        assert_eq!(state_of(Some(&offline)), "offline");
        let refused = SyncStatus { last_error: Some(ErrorBody::new("unauthorized", "no")), ..SyncStatus::default() };
        assert_eq!(state_of(Some(&refused)), "error");
    }
}

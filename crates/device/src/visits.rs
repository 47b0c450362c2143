//! Recording a home visit (入户) on the device, offline: the form's records
//! become a domain `VisitDraft`, which completes (or says why not) and is
//! written with its outbox entry in one store transaction.

use jiff::Timestamp;
use steward_domain::ids::{HouseholdId, MutationId, TicketId, VisitId};
use steward_domain::visit::VisitDraft;
use steward_store::MutationMeta;

use crate::Device;
use crate::dto::{HouseholdDetailDto, PendingDto, RecordedVisitDto, VisitDto, VisitInput};
use crate::input::{InputError, inspection_record, parse_id, parse_time};

/// The time and the random bytes a local change is made with. The app takes
/// them from the clock and the system's random source ([`Stamp::now`]);
/// tests bring fixed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub at: Timestamp,
    /// Random bytes of the new visit's UUIDv7.
    pub visit_random: [u8; 10],
    /// Random bytes of the mutation's UUIDv7.
    pub mutation_random: [u8; 10],
}

impl Stamp {
    /// Now, with fresh random bytes.
    pub fn now() -> Stamp {
        Stamp { at: Timestamp::now(), visit_random: rand::random(), mutation_random: rand::random() }
    }
}

impl Device {
    /// Completes and records a visit from the form: builds the domain draft
    /// (each record checked as it is added), completes it at `stamp.at` and
    /// writes it, its effect on the household's valve and its outbox entry in
    /// one transaction under a fresh mutation id.
    ///
    /// A refused record or visit is an [`InputError`] and nothing is written.
    pub fn record_visit(&self, input: &VisitInput, stamp: Stamp) -> Result<RecordedVisitDto, InputError> {
        let household: HouseholdId = parse_id("household_id", &input.household_id)?;
        let ticket: Option<TicketId> = input.ticket_id.as_deref().map(|t| parse_id("ticket_id", t)).transpose()?;
        let started_at = parse_time("started_at", &input.started_at)?;
        let mut store = self.store();
        let steward = Self::steward_id(&store)?;
        let mut draft =
            VisitDraft::start(VisitId::new_v7(stamp.at, stamp.visit_random), household, steward, started_at);
        draft.ticket_id = ticket;
        for record in &input.records {
            draft.add(inspection_record(record)?)?;
        }
        let visit = draft.complete(stamp.at)?;
        let meta =
            MutationMeta { mutation_id: MutationId::new_v7(stamp.at, stamp.mutation_random), device_time: stamp.at };
        store.record_visit(&visit, &meta)?;
        let detail = store
            .household(household)?
            .ok_or_else(|| InputError::NotFound { entity: "household", id: household.to_string() })?;
        let recorded = RecordedVisitDto {
            visit: VisitDto::from(&visit),
            household: HouseholdDetailDto::from(&detail),
            pending: store.pending_counts()?.into(),
        };
        drop(store);
        self.notify_local_write();
        Ok(recorded)
    }

    /// How many local changes wait to be uploaded (待同步).
    pub fn pending(&self) -> Result<PendingDto, InputError> {
        Ok(self.store().pending_counts()?.into())
    }
}

//! Tickets (工单) on the device: the ticket page, the steward's actions
//! (accept, en route, check in, resolve) and the response clock's local
//! alerts, all offline.
//!
//! An action goes through the domain's state machine (`Ticket::apply`) on
//! the ticket as synced to the device, and is written with its priority
//! outbox entry in one store transaction. Its time is the device's
//! server-corrected time: the device clock plus the offset learnt at the last
//! sync (`Store::clock_offset`). A check-in is verified on the spot with the
//! domain's `verify_arrival` against the household's building, so the
//! steward sees the verdict with no network.

use jiff::{SignedDuration, Timestamp};
use steward_domain::geometry::LonLat;
use steward_domain::ground::Household;
use steward_domain::ids::{EventId, MutationId, TicketId};
use steward_domain::org::Role;
use steward_domain::sla::{
    ArrivalVerdict, SlaAlertKind, SlaFacts, SlaPolicy, UnverifiedReason, VerificationMethod, alerts_due, sla_status,
    verify_arrival,
};
use steward_domain::ticket::{Actor, ArrivalProof, Ticket, TicketAction, TicketEvent};
use steward_store::{MutationMeta, Store, TicketSite};

use crate::dto::{
    ArrivalInput, ArrivalVerdictDto, SlaDto, TicketActionInput, TicketActionResultDto, TicketDetailDto, TicketDto,
    TicketEventDto,
};
use crate::input::{InputError, parse_id};
use crate::{Device, Stamp};

/// The device setting holding the central's response-time policy (JSON of
/// the domain's `SlaPolicy`); without it the default policy applies (30
/// minutes, at risk at 10 minutes left, a 150 m geofence).
pub const SLA_POLICY_KEY: &str = "sla.policy";

/// The device setting recording which local alerts a ticket has raised.
fn alert_key(ticket: TicketId) -> String {
    format!("sla.alerts.{ticket}")
}

/// The prefix of a household's door tag.
pub const DOOR_TAG_PREFIX: &str = "HH:";

/// The household's door tag (门牌二维码): the code in the QR tag at its door
/// or on its seal, `HH:` and the household's account number (户号), as the
/// central judges it (`service::sla::door_tag`).
pub fn door_tag(household: &Household) -> String {
    format!("{DOOR_TAG_PREFIX}{}", household.account_no)
}

/// A tag typed by hand: the account number alone (read off the tag) is
/// taken as the tag it is printed on.
fn typed_tag(typed: &str) -> String {
    let typed = typed.trim();
    if typed.starts_with(DOOR_TAG_PREFIX) { typed.to_owned() } else { format!("{DOOR_TAG_PREFIX}{typed}") }
}

/// The server's time at the device time `device_at`.
pub fn corrected(device_at: Timestamp, offset: Option<SignedDuration>) -> Timestamp {
    offset.and_then(|o| device_at.checked_add(o).ok()).unwrap_or(device_at)
}

/// A local alert of the response clock (响应提醒), raised once per ticket and kind.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SlaAlertRaised {
    pub ticket_id: TicketId,
    /// `at_risk` (10 minutes left) or `breached`.
    pub kind: SlaAlertKind,
    pub due_at: Timestamp,
    pub category: String,
    pub address: String,
}

fn verdict_dto(v: &ArrivalVerdict) -> ArrivalVerdictDto {
    let mut dto = ArrivalVerdictDto {
        verified: v.is_verified(),
        method: None,
        reason: None,
        distance_m: None,
        fence_m: None,
        accuracy_m: None,
        note: None,
    };
    match v {
        ArrivalVerdict::Verified { method } => {
            dto.method = Some(
                match method {
                    VerificationMethod::Gps => "gps",
                    VerificationMethod::TagScan => "tag_scan",
                    VerificationMethod::LeadReview => "lead_review",
                }
                .to_owned(),
            )
        }
        ArrivalVerdict::Unverified { reason } => {
            let code = match reason {
                UnverifiedReason::OutsideGeofence { distance_m, fence_m } => {
                    dto.distance_m = Some(*distance_m);
                    dto.fence_m = Some(*fence_m);
                    "outside_geofence"
                }
                UnverifiedReason::FixTooCoarse { accuracy_m, fence_m } => {
                    dto.accuracy_m = Some(*accuracy_m);
                    dto.fence_m = Some(*fence_m);
                    "fix_too_coarse"
                }
                UnverifiedReason::InvalidFix => "invalid_fix",
                UnverifiedReason::InvalidFence => "invalid_fence",
                UnverifiedReason::TagMismatch => "tag_mismatch",
                UnverifiedReason::NoTagOnRecord => "no_tag_on_record",
                UnverifiedReason::TagTyped { matches } => {
                    if !matches {
                        dto.note = Some("mismatch".to_owned());
                    }
                    "tag_typed"
                }
                UnverifiedReason::ManualEntry { reason } => {
                    dto.note = Some(reason.clone());
                    "manual_entry"
                }
            };
            dto.reason = Some(code.to_owned());
        }
    }
    dto
}

/// The policy the device holds.
fn policy(store: &Store) -> Result<SlaPolicy, InputError> {
    Ok(store.meta(SLA_POLICY_KEY)?.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
}

/// Judges every arrival of a ticket against its household's building.
fn verifier<'a>(
    site: &'a TicketSite,
    policy: &'a SlaPolicy,
) -> impl FnMut(&TicketEvent, &ArrivalProof) -> ArrivalVerdict + 'a {
    let tag = door_tag(&site.household);
    move |_, proof| verify_arrival(proof, site.building_location, policy.geofence_m(), Some(&tag))
}

/// The steward actions `ticket` allows now.
fn next_actions(ticket: &Ticket) -> Vec<String> {
    let probe = [
        TicketAction::Accept,
        TicketAction::EnRoute,
        TicketAction::Arrive { proof: ArrivalProof::Manual { reason: String::new() } },
        TicketAction::Resolve { note: String::new() },
    ];
    probe
        .iter()
        .filter(|a| Ticket::next_status(ticket.status(), a, ticket.category()).is_some())
        .map(|a| a.code().to_owned())
        .collect()
}

fn detail(site: &TicketSite, policy: &SlaPolicy, now: Timestamp) -> TicketDetailDto {
    let t = &site.ticket;
    let mut verify = verifier(site, policy);
    let events = site
        .events
        .iter()
        .map(|e| {
            let (verdict, note) = match &e.action {
                TicketAction::Arrive { proof } => (Some(verdict_dto(&verify(e, proof))), None),
                TicketAction::Resolve { note } => (None, Some(note.clone())),
                TicketAction::Reassign { reason, .. } | TicketAction::Cancel { reason } => (None, Some(reason.clone())),
                _ => (None, None),
            };
            TicketEventDto {
                id: e.id.to_string(),
                seq: e.seq,
                action: e.action.code().to_owned(),
                at: e.at.to_string(),
                actor_role: e.actor_role.code().to_owned(),
                status_after: e.status_after.code().to_owned(),
                verdict,
                note,
                pending: site.pending_events.contains(&e.id),
            }
        })
        .collect();
    let facts = SlaFacts::from_events(t.category(), t.reported_at(), t.due_at(), &site.events, verifier(site, policy));
    let at_risk_minutes = u32::try_from(policy.at_risk().as_mins()).unwrap_or(u32::MAX);
    TicketDetailDto {
        ticket: TicketDto::from(t),
        resident_name: site.household.resident_name.clone(),
        phone: site.household.phone.to_string(),
        address: site.address.clone(),
        building_lon: site.building_location.lon,
        building_lat: site.building_location.lat,
        events,
        sla: SlaDto {
            status: sla_status(policy, &facts, now).code().to_owned(),
            due_at: t.due_at().to_string(),
            now: now.to_string(),
            at_risk_minutes,
            geofence_m: policy.geofence_m(),
        },
        next_actions: next_actions(t),
        pending: !site.pending_events.is_empty(),
    }
}

fn site(store: &Store, id: TicketId) -> Result<TicketSite, InputError> {
    store.ticket_site(id)?.ok_or_else(|| InputError::NotFound { entity: "ticket", id: id.to_string() })
}

/// The proof and event location of a check-in.
fn arrival(
    proof: &ArrivalInput,
    fix: Option<crate::LocationFix>,
) -> Result<(ArrivalProof, Option<LonLat>), InputError> {
    Ok(match proof {
        ArrivalInput::Gps => {
            let fix = fix.ok_or(InputError::NoLocationFix)?;
            (ArrivalProof::Gps { at: fix.at, accuracy_m: fix.accuracy_m }, Some(fix.at))
        }
        ArrivalInput::TagScan { tag } => {
            let tag = tag.trim();
            if tag.is_empty() {
                return Err(InputError::Required("tag"));
            }
            (ArrivalProof::TagScan { tag: tag.to_owned() }, None)
        }
        ArrivalInput::TagTyped { tag } => {
            let tag = tag.trim();
            if tag.is_empty() {
                return Err(InputError::Required("tag"));
            }
            (ArrivalProof::TagTyped { tag: typed_tag(tag) }, None)
        }
        ArrivalInput::Manual { reason, lon, lat } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(InputError::Required("reason"));
            }
            let location = match (lon, lat) {
                (Some(lon), Some(lat)) => {
                    Some(LonLat::new(*lon, *lat).map_err(|_| InputError::BadLocation { lon: *lon, lat: *lat })?)
                }
                (None, None) => None,
                _ => return Err(InputError::Required("lon and lat")),
            };
            (ArrivalProof::Manual { reason: reason.to_owned() }, location)
        }
    })
}

impl Device {
    /// The device's clock, read monotonically: the wall time at open plus the
    /// time elapsed since on the monotonic clock, so setting the wall clock
    /// while the app runs does not move a countdown.
    pub fn device_now(&self) -> Timestamp {
        let (instant, wall) = self.boot;
        let elapsed = SignedDuration::try_from(instant.elapsed()).unwrap_or(SignedDuration::MAX);
        wall.checked_add(elapsed).unwrap_or(wall)
    }

    /// A stamp at [`Device::device_now`] with fresh random bytes.
    pub fn stamp_now(&self) -> Stamp {
        Stamp { at: self.device_now(), ..Stamp::now() }
    }

    /// The server-corrected time at the device time `device_at`.
    pub fn corrected_time(&self, device_at: Timestamp) -> Result<Timestamp, InputError> {
        Ok(corrected(device_at, self.store().clock_offset()?))
    }

    /// One ticket's page at the device time `device_at`: the household, the
    /// timeline with each arrival's verdict, the response clock computed on
    /// the device, and the actions allowed now.
    pub fn ticket_detail(&self, ticket_id: &str, device_at: Timestamp) -> Result<TicketDetailDto, InputError> {
        let id: TicketId = parse_id("ticket_id", ticket_id)?;
        let store = self.store();
        let now = corrected(device_at, store.clock_offset()?);
        Ok(detail(&site(&store, id)?, &policy(&store)?, now))
    }

    /// The steward acts on a ticket: accept (接单), en route (出发), check in
    /// (到场) or resolve (完成). The action goes through the domain's state
    /// machine at the corrected time of `stamp.at`, and is written with its
    /// priority outbox entry in one transaction; the running sync is nudged.
    ///
    /// A check-in by GPS uses the device's location provider; with no fix it
    /// is refused (`no_location_fix`) and the steward scans the door tag or
    /// enters the location by hand, which counts as unverified. An action the
    /// ticket does not allow is refused with a code and nothing is written.
    /// `stamp.visit_random` makes the event id, `stamp.mutation_random` the
    /// mutation id.
    pub fn ticket_action(
        &self,
        ticket_id: &str,
        input: &TicketActionInput,
        stamp: Stamp,
    ) -> Result<TicketActionResultDto, InputError> {
        let id: TicketId = parse_id("ticket_id", ticket_id)?;
        let fix = match input {
            TicketActionInput::Arrive { proof: ArrivalInput::Gps } => self.location_fix(),
            _ => None,
        };
        let mut store = self.store();
        let steward = Self::steward_id(&store)?;
        let policy = policy(&store)?;
        let at = corrected(stamp.at, store.clock_offset()?);
        let before = site(&store, id)?;
        let (action, location, verdict) = match input {
            TicketActionInput::Accept => (TicketAction::Accept, None, None),
            TicketActionInput::EnRoute => (TicketAction::EnRoute, None, None),
            TicketActionInput::Resolve { note } => {
                let note = note.trim();
                if note.is_empty() {
                    return Err(InputError::Required("note"));
                }
                (TicketAction::Resolve { note: note.to_owned() }, None, None)
            }
            TicketActionInput::Arrive { proof } => {
                let (proof, location) = arrival(proof, fix)?;
                let verdict = verify_arrival(
                    &proof,
                    before.building_location,
                    policy.geofence_m(),
                    Some(&door_tag(&before.household)),
                );
                (TicketAction::Arrive { proof }, location, Some(verdict))
            }
        };
        let mut ticket = before.ticket.clone();
        let actor = Actor { user_id: steward, role: Role::Steward };
        let event = ticket.apply(actor, action, at, location, EventId::new_v7(stamp.at, stamp.visit_random))?;
        let meta =
            MutationMeta { mutation_id: MutationId::new_v7(stamp.at, stamp.mutation_random), device_time: stamp.at };
        store.record_ticket_event(&ticket, &event, &meta)?;
        let result = TicketActionResultDto {
            detail: detail(&site(&store, id)?, &policy, at),
            verdict: verdict.as_ref().map(verdict_dto),
            pending: store.pending_counts()?.into(),
        };
        drop(store);
        self.notify_local_write();
        Ok(result)
    }

    /// The response clock's alerts due at the device time `device_at` that
    /// were not raised before: 10 minutes left (at risk) and the breach, for
    /// each open ticket of the steward with nobody at the door. Each alert
    /// is raised once: it is recorded on the device before it is returned, so
    /// a restart does not raise it again. Works with no network.
    pub fn take_sla_alerts(&self, device_at: Timestamp) -> Result<Vec<SlaAlertRaised>, InputError> {
        let mut store = self.store();
        let steward = Self::steward_id(&store)?;
        let policy = policy(&store)?;
        let now = corrected(device_at, store.clock_offset()?);
        let mut raised_now = Vec::new();
        for (ticket, events) in store.open_tickets_of(steward)? {
            let key = alert_key(ticket.id());
            let raised = store.meta(&key)?.map(|text| parse_raised(&text)).unwrap_or_default();
            let site = match store.ticket_site(ticket.id())? {
                Some(site) => site,
                None => continue,
            };
            let facts = SlaFacts::from_events(
                ticket.category(),
                ticket.reported_at(),
                ticket.due_at(),
                &events,
                verifier(&site, &policy),
            );
            let due = alerts_due(&policy, ticket.id(), &facts, now, &raised);
            if due.is_empty() {
                continue;
            }
            let mut all = raised.clone();
            all.extend(due.iter().map(|a| a.kind));
            // Waking after the deadline raises the breach alone; the
            // "minutes left" alert it skipped never comes later either.
            if all.contains(&SlaAlertKind::Breached) && !all.contains(&SlaAlertKind::AtRisk) {
                all.push(SlaAlertKind::AtRisk);
            }
            store.set_meta(&key, &raised_text(&all))?;
            raised_now.extend(due.into_iter().map(|a| SlaAlertRaised {
                ticket_id: a.ticket_id,
                kind: a.kind,
                due_at: a.due_at,
                category: ticket.category().code().to_owned(),
                address: site.address.clone(),
            }));
        }
        Ok(raised_now)
    }
}

/// The alert kinds recorded as raised, from their codes (`at_risk,breached`).
fn parse_raised(text: &str) -> Vec<SlaAlertKind> {
    text.split(',')
        .filter_map(|code| match code {
            "at_risk" => Some(SlaAlertKind::AtRisk),
            "breached" => Some(SlaAlertKind::Breached),
            _ => None,
        })
        .collect()
}

fn raised_text(kinds: &[SlaAlertKind]) -> String {
    let codes: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            SlaAlertKind::AtRisk => "at_risk",
            SlaAlertKind::Breached => "breached",
        })
        .collect();
    codes.join(",")
}

//! The 30-minute response at the central: the SLA of every ticket the API
//! returns, dispatch candidates, steward positions, the team lead's alerts
//! and station incidents. The rules are the domain's (`sla`, `dispatch`,
//! `incident`); this module gathers their inputs from the store at one
//! instant, the request's server time.

use std::collections::HashMap;

use geo::Centroid;
use jiff::{SignedDuration, Timestamp};
use steward_domain::dispatch::{
    Candidate, DispatchTicket, PositionFix, PositionSource, StewardSnapshot, rank_candidates,
};
use steward_domain::geometry::{LonLat, districts_from_geojson};
use steward_domain::ids::{DistrictId, HouseholdId, TeamId, UserId};
use steward_domain::sla::{
    ArrivalVerdict, ServicePolicy, SlaFacts, SlaStatus, UnverifiedReason, sla_status, verify_arrival,
};
use steward_domain::ticket::{ArrivalProof, TicketAction, TicketCategory, TicketEvent, TicketStatus};

use crate::json::TicketDto;
use crate::store::{Db, StewardInfo, StoreError, TicketRow};

/// The tag on a household's door (and its seal), as the QR code prints it.
pub fn door_tag(account_no: &str) -> String {
    format!("HH:{account_no}")
}

/// The centroid of a district boundary stored as GeoJSON text.
pub fn centroid(boundary: &str) -> Option<LonLat> {
    let feature = districts_from_geojson(boundary).ok()?.into_iter().next()?;
    let c = feature.geometry.centroid()?;
    LonLat::new(c.x(), c.y()).ok()
}

/// What is known about one steward for dispatch and the lead's map.
#[derive(Debug, Clone)]
pub struct StewardState {
    pub staff: StewardInfo,
    pub districts: Vec<DistrictId>,
    pub snapshot: StewardSnapshot,
}

/// Everything the SLA and dispatch rules read, loaded once per request.
pub struct SlaContext {
    pub policy: ServicePolicy,
    pub now: Timestamp,
    pub stewards: HashMap<UserId, StewardState>,
    pub district_team: HashMap<DistrictId, TeamId>,
    pub district_centroid: HashMap<DistrictId, LonLat>,
}

impl SlaContext {
    pub fn load(db: &Db<'_>, now: Timestamp) -> Result<Self, StoreError> {
        let (policy, _, _) = db.service_policy()?;
        let positions = db.steward_positions()?;
        let syncs = db.device_syncs()?;
        let open = db.open_ticket_counts()?;
        let districts = db.districts()?;
        let mut district_team = HashMap::new();
        let mut district_centroid = HashMap::new();
        let mut steward_districts: HashMap<UserId, Vec<DistrictId>> = HashMap::new();
        for d in &districts {
            district_team.insert(d.district.id, d.district.team_id);
            if let Some(c) = d.boundary.as_deref().and_then(centroid) {
                district_centroid.insert(d.district.id, c);
            }
            if let Some(s) = d.district.steward_id {
                steward_districts.entry(s).or_default().push(d.district.id);
            }
        }
        let mut stewards = HashMap::new();
        for staff in db.stewards()? {
            let districts = steward_districts.remove(&staff.id).unwrap_or_default();
            let sync = syncs.get(&staff.id);
            let snapshot = StewardSnapshot {
                steward_id: staff.id,
                last_fix: positions.get(&staff.id).copied(),
                district_centroid: districts.iter().find_map(|d| district_centroid.get(d).copied()),
                open_tickets: open.get(&staff.id).copied().unwrap_or(0),
                last_sync_at: sync.map(|s| s.0),
                queued: sync.map_or(0, |s| s.1),
            };
            stewards.insert(staff.id, StewardState { staff, districts, snapshot });
        }
        Ok(SlaContext { policy, now, stewards, district_team, district_centroid })
    }

    /// Whether a steward's device has not synced for the policy's stale
    /// time (or never).
    pub fn is_stale(&self, s: &StewardSnapshot) -> bool {
        s.last_sync_at.is_none_or(|t| self.now.duration_since(t) >= self.policy.dispatch().stale_after())
    }

    /// The stewards of a team, by id.
    pub fn team_stewards(&self, team: TeamId) -> Vec<&StewardState> {
        let mut out: Vec<_> = self.stewards.values().filter(|s| s.staff.team_id == Some(team)).collect();
        out.sort_by_key(|s| s.staff.id);
        out
    }
}

/// What a ticket's SLA is judged on besides its events.
#[derive(Debug, Clone, Copy)]
pub struct SlaSubject {
    pub category: TicketCategory,
    pub reported_at: Timestamp,
    pub due_at: Timestamp,
    pub household_id: HouseholdId,
    pub assignee: Option<UserId>,
    pub status: TicketStatus,
}

impl SlaSubject {
    pub fn of(dto: &TicketDto) -> Self {
        SlaSubject {
            category: dto.category,
            reported_at: dto.reported_at,
            due_at: dto.due_at,
            household_id: HouseholdId(dto.household_id),
            assignee: dto.assignee.map(UserId),
            status: dto.status,
        }
    }
}

/// A ticket's clock at the context's instant.
#[derive(Debug, Clone)]
pub struct TicketSla {
    pub status: SlaStatus,
    pub response_minutes: Option<u32>,
    pub facts: SlaFacts,
    /// Each arrival event with its verdict, in the order recorded.
    pub arrivals: Vec<(TicketEvent, ArrivalVerdict)>,
}

/// Judges a ticket's clock: arrivals verified against the household's
/// building (the policy's geofence) or door tag, the best ETA from the
/// assignee's position while nobody is at the door.
pub fn ticket_sla(
    db: &Db<'_>,
    ctx: &SlaContext,
    t: SlaSubject,
    events: &[TicketEvent],
) -> Result<TicketSla, StoreError> {
    let household = db.household(t.household_id)?;
    let building = household.as_ref().and_then(|h| h.location);
    let tag = household.as_ref().map(|h| door_tag(h.household.account_no.as_str()));
    let fence = ctx.policy.sla().geofence_m();
    let mut arrivals = Vec::new();
    let mut facts = SlaFacts::from_events(t.category, t.reported_at, t.due_at, events, |event, proof| {
        let verdict = match (building, proof) {
            (Some(b), _) => verify_arrival(proof, b, fence, tag.as_deref()),
            // Without the building's position a GPS fix proves nothing.
            (None, ArrivalProof::Gps { .. }) => ArrivalVerdict::Unverified { reason: UnverifiedReason::InvalidFence },
            (None, _) => verify_arrival(proof, LonLat { lon: 0.0, lat: 0.0 }, fence, tag.as_deref()),
        };
        arrivals.push((event.clone(), verdict.clone()));
        verdict
    });
    if t.status.is_open()
        && facts.stopping_arrival(ctx.now).is_none()
        && let (Some(a), Some(home)) = (t.assignee, building)
    {
        facts.best_eta = eta_of(ctx, a, home, t.due_at).map(|c| c.eta_at(ctx.now));
    }
    let response_minutes = ctx
        .policy
        .sla()
        .response(t.category)
        .map(|_| u32::try_from(t.due_at.duration_since(t.reported_at).as_secs() / 60).unwrap_or(0));
    Ok(TicketSla { status: sla_status(ctx.policy.sla(), &facts, ctx.now), response_minutes, facts, arrivals })
}

/// One steward's ETA to a home, the ticket in hand not counted as load.
fn eta_of(ctx: &SlaContext, steward: UserId, home: LonLat, due_at: Timestamp) -> Option<Candidate> {
    let mut snapshot = ctx.stewards.get(&steward)?.snapshot;
    snapshot.open_tickets = snapshot.open_tickets.saturating_sub(1);
    let ticket = DispatchTicket { location: home, due_at };
    rank_candidates(&ticket, &[snapshot], ctx.now, ctx.policy.dispatch(), Some(1)).into_iter().next()
}

/// Sets a ticket's `response_minutes` and `sla_status` at the context's instant.
pub fn fill_sla(db: &Db<'_>, ctx: &SlaContext, dto: &mut TicketDto, events: &[TicketEvent]) -> Result<(), StoreError> {
    let sla = ticket_sla(db, ctx, SlaSubject::of(dto), events)?;
    dto.sla_status = Some(sla.status);
    dto.response_minutes = sla.response_minutes;
    Ok(())
}

/// A ticket as the API returns it, its clock judged at the context's
/// instant; with its events when `with_events`.
pub fn ticket_dto(db: &Db<'_>, ctx: &SlaContext, row: &TicketRow, with_events: bool) -> Result<TicketDto, StoreError> {
    let events = db.ticket_events(row.ticket.id())?;
    let mut dto = TicketDto::new(row);
    fill_sla(db, ctx, &mut dto, &events)?;
    if with_events {
        dto.events = Some(events);
    }
    Ok(dto)
}

/// Judges the clock of the ticket documents of a change-feed page at the
/// pull's instant (their snapshots were written when they changed).
pub fn refresh_ticket_docs(
    db: &Db<'_>,
    now: Timestamp,
    changes: &mut [crate::store::Change],
) -> Result<(), StoreError> {
    let mut ctx = None;
    for c in changes.iter_mut().filter(|c| c.kind == "ticket") {
        let Some(data) = c.data.as_mut() else { continue };
        let Ok(mut dto) = serde_json::from_value::<TicketDto>(data.clone()) else { continue };
        let ctx = match &ctx {
            Some(ctx) => ctx,
            None => ctx.insert(SlaContext::load(db, now)?),
        };
        let events = dto.events.clone().unwrap_or_default();
        fill_sla(db, ctx, &mut dto, &events)?;
        *data = serde_json::to_value(&dto)?;
    }
    Ok(())
}

/// The steward holding a ticket at `at`, by its events in time order.
pub fn holder_at(events: &[TicketEvent], at: Timestamp) -> Option<UserId> {
    let mut timeline: Vec<&TicketEvent> = events.iter().filter(|e| e.at <= at).collect();
    timeline.sort_by_key(|e| (e.at, e.seq));
    timeline.iter().rev().find_map(|e| match &e.action {
        TicketAction::Dispatch { steward_id } | TicketAction::Reassign { steward_id, .. } => Some(*steward_id),
        _ => None,
    })
}

/// Since when a ticket has waited to be accepted: its report while new, its
/// last dispatch or reassignment while dispatched; `None` otherwise.
pub fn waiting_since(status: TicketStatus, reported_at: Timestamp, events: &[TicketEvent]) -> Option<Timestamp> {
    match status {
        TicketStatus::New => Some(reported_at),
        TicketStatus::Dispatched => events
            .iter()
            .filter(|e| matches!(e.action, TicketAction::Dispatch { .. } | TicketAction::Reassign { .. }))
            .map(|e| e.at)
            .max(),
        _ => None,
    }
}

/// Ranks the stewards of the ticket's team for it, earliest ETA first; with
/// `limit`, only the best `limit`.
pub fn rank_for(
    ctx: &SlaContext,
    district: DistrictId,
    home: LonLat,
    due_at: Timestamp,
    limit: Option<usize>,
) -> Vec<Candidate> {
    let Some(team) = ctx.district_team.get(&district) else { return Vec::new() };
    let snapshots: Vec<StewardSnapshot> = ctx.team_stewards(*team).iter().map(|s| s.snapshot).collect();
    let ticket = DispatchTicket { location: home, due_at };
    rank_candidates(&ticket, &snapshots, ctx.now, ctx.policy.dispatch(), limit)
}

/// The position source's wire code.
pub fn source_code(s: PositionSource) -> &'static str {
    match s {
        PositionSource::LastFix => "last_fix",
        PositionSource::DistrictCentroid => "district_centroid",
    }
}

/// Whether a position is recent enough to rank from.
pub fn is_fresh(ctx: &SlaContext, fix: &PositionFix) -> bool {
    ctx.now.duration_since(fix.seen_at) <= ctx.policy.dispatch().position_max_age()
}

/// Whole minutes between two instants, never negative.
pub fn minutes_between(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).max(SignedDuration::ZERO).as_secs() / 60
}

//! The response clock (响应时限): a steward at the door within 30 minutes of
//! the hotline's report (一旦用户反映问题，半小时内到达用户现场).
//!
//! Everything here is a pure function of its inputs and an injected instant
//! `now`; the device computes the same status offline as the central computes
//! after sync. Decisions made here:
//!
//! - The clock starts at the hotline's `reported_at` and stops at the
//!   steward's arrival at the home. An arrival at exactly `due_at` is met
//!   ("within 30 minutes" includes the 30th minute's end); one second later
//!   is breached. With no arrival, the ticket is breached only once `now` is
//!   strictly after `due_at`.
//! - Reassignment does not reset the clock: the resident waits the same, so
//!   `due_at` never moves and reassign events are ignored.
//! - A ticket cancelled at or before `due_at` without an arrival is
//!   `not_applicable` (the resident withdrew in time); one cancelled after
//!   `due_at` stays `breached`, since cancelling cannot undo a wait.
//! - Categories answered without a visit (consultation, payment) have no clock
//!   and are `not_applicable`.
//! - An arrival is `met` when a verified arrival is within the deadline,
//!   `met_unverified` when only an unverified one is (it goes to the team
//!   lead's review list), and `breached` when every arrival is late.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::geometry::{DEFAULT_GEOFENCE_M, Geofence, LonLat};
use crate::ids::{DeviceId, TicketId};
use crate::ticket::{ArrivalProof, DEFAULT_RESPONSE_MINUTES, TicketAction, TicketCategory, TicketEvent};

/// With this many minutes or fewer left and nobody at the door, a ticket is
/// at risk.
pub const DEFAULT_AT_RISK_MINUTES: u32 = 10;

/// The longest response time or threshold a policy accepts: one day.
const MAX_POLICY_MINUTES: u32 = 24 * 60;

/// The widest check-in geofence a policy accepts, in metres.
const MAX_GEOFENCE_M: f64 = 5_000.0;

/// A policy the central refused to send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaPolicyError {
    #[error("the response time of {category:?} must be 1–1440 minutes, not {minutes}")]
    ResponseMinutes { category: TicketCategory, minutes: u32 },
    #[error("the category {0:?} appears more than once in the policy")]
    DuplicateCategory(TicketCategory),
    #[error("the at-risk threshold must be 1–1440 minutes, not {0}")]
    AtRiskMinutes(u32),
    #[error("the geofence radius must be more than 0 and at most 5000 m, not {0}")]
    Geofence(String),
}

/// The response time of one ticket category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryResponse {
    pub category: TicketCategory,
    /// `None` for categories answered without a visit: no clock runs.
    pub response_minutes: Option<u32>,
}

/// The response-time policy per ticket category, held by the central and
/// sent to devices. Validated on construction and on deserialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SlaPolicyWire", into = "SlaPolicyWire")]
pub struct SlaPolicy {
    responses: Vec<CategoryResponse>,
    at_risk_minutes: u32,
    geofence_m: f64,
}

#[derive(Serialize, Deserialize)]
struct SlaPolicyWire {
    responses: Vec<CategoryResponse>,
    at_risk_minutes: u32,
    #[serde(default = "default_geofence_m")]
    geofence_m: f64,
}

fn default_geofence_m() -> f64 {
    DEFAULT_GEOFENCE_M
}

impl TryFrom<SlaPolicyWire> for SlaPolicy {
    type Error = SlaPolicyError;
    fn try_from(w: SlaPolicyWire) -> Result<Self, SlaPolicyError> {
        SlaPolicy::new(w.responses, w.at_risk_minutes)?.with_geofence_m(w.geofence_m)
    }
}

impl From<SlaPolicy> for SlaPolicyWire {
    fn from(p: SlaPolicy) -> Self {
        SlaPolicyWire { responses: p.responses, at_risk_minutes: p.at_risk_minutes, geofence_m: p.geofence_m }
    }
}

impl Default for SlaPolicy {
    /// Thirty minutes for every category that needs a visit, no clock for
    /// consultation and payment, at risk with ten minutes left, a 150 m
    /// check-in geofence.
    fn default() -> Self {
        let responses = TicketCategory::ALL
            .into_iter()
            .map(|category| CategoryResponse { category, response_minutes: Self::default_minutes(category) })
            .collect();
        SlaPolicy { responses, at_risk_minutes: DEFAULT_AT_RISK_MINUTES, geofence_m: DEFAULT_GEOFENCE_M }
    }
}

impl SlaPolicy {
    /// A category missing from `responses` keeps its default (30 minutes
    /// when it needs a visit, no clock otherwise). The geofence is the
    /// default 150 m until [`SlaPolicy::with_geofence_m`] sets another.
    pub fn new(responses: Vec<CategoryResponse>, at_risk_minutes: u32) -> Result<Self, SlaPolicyError> {
        if !(1..=MAX_POLICY_MINUTES).contains(&at_risk_minutes) {
            return Err(SlaPolicyError::AtRiskMinutes(at_risk_minutes));
        }
        for (i, r) in responses.iter().enumerate() {
            if responses[..i].iter().any(|earlier| earlier.category == r.category) {
                return Err(SlaPolicyError::DuplicateCategory(r.category));
            }
            if let Some(minutes) = r.response_minutes
                && !(1..=MAX_POLICY_MINUTES).contains(&minutes)
            {
                return Err(SlaPolicyError::ResponseMinutes { category: r.category, minutes });
            }
        }
        Ok(SlaPolicy { responses, at_risk_minutes, geofence_m: DEFAULT_GEOFENCE_M })
    }

    /// The same policy with another check-in geofence radius.
    pub fn with_geofence_m(self, geofence_m: f64) -> Result<Self, SlaPolicyError> {
        if geofence_m.is_finite() && geofence_m > 0.0 && geofence_m <= MAX_GEOFENCE_M {
            Ok(SlaPolicy { geofence_m, ..self })
        } else {
            Err(SlaPolicyError::Geofence(geofence_m.to_string()))
        }
    }

    /// The same policy listing every category, defaults filled in, in the
    /// order of [`TicketCategory::ALL`].
    pub fn normalised(self) -> Self {
        let responses = TicketCategory::ALL
            .into_iter()
            .map(|category| CategoryResponse { category, response_minutes: self.response(category).map(minutes) })
            .collect();
        SlaPolicy { responses, ..self }
    }

    /// The response time of a category in whole minutes, or `None` when no
    /// clock runs.
    pub fn response_minutes(&self, category: TicketCategory) -> Option<u32> {
        self.response(category).map(minutes)
    }

    /// The radius for [`verify_arrival`].
    pub fn geofence_m(&self) -> f64 {
        self.geofence_m
    }

    fn default_minutes(category: TicketCategory) -> Option<u32> {
        category.needs_visit().then_some(DEFAULT_RESPONSE_MINUTES as u32)
    }

    pub fn responses(&self) -> &[CategoryResponse] {
        &self.responses
    }

    /// The response time of a category, or `None` when no clock runs.
    pub fn response(&self, category: TicketCategory) -> Option<SignedDuration> {
        let minutes = match self.responses.iter().find(|r| r.category == category) {
            Some(r) => r.response_minutes,
            None => Self::default_minutes(category),
        };
        minutes.map(|m| SignedDuration::from_mins(i64::from(m)))
    }

    /// When a ticket of `category` reported at `reported_at` is due, or
    /// `None` when no clock runs. This is the value a ticket should be opened
    /// with (`Ticket::open_with_response`).
    pub fn due_at(&self, category: TicketCategory, reported_at: Timestamp) -> Option<Timestamp> {
        self.response(category).map(|r| reported_at.checked_add(r).unwrap_or(reported_at))
    }

    pub fn at_risk(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.at_risk_minutes))
    }
}

/// Minutes a new ticket may wait unaccepted before the team lead is alerted.
pub const DEFAULT_ESCALATION_MINUTES: u32 = 5;

/// A service policy the central refused; `field` names the offending field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ServicePolicyError {
    pub field: &'static str,
    pub message: String,
}

/// Everything the 30-minute response is configured by, held by the central
/// (one row) and sent to devices: the response clock per category, the
/// escalation delay, the dispatch ranking and station-incident detection.
/// Its JSON is flat; see `ServicePolicyWire`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ServicePolicyWire", into = "ServicePolicyWire")]
pub struct ServicePolicy {
    sla: SlaPolicy,
    escalation_minutes: u32,
    dispatch: crate::dispatch::DispatchConfig,
    incidents: crate::incident::IncidentConfig,
}

#[derive(Serialize, Deserialize)]
struct ServicePolicyWire {
    responses: Vec<CategoryResponse>,
    at_risk_minutes: u32,
    geofence_m: f64,
    escalation_minutes: u32,
    speed_kmh: f64,
    load_penalty_minutes: f64,
    stale_minutes: u32,
    position_max_age_minutes: u32,
    incident_threshold: usize,
    incident_window_minutes: u32,
}

impl TryFrom<ServicePolicyWire> for ServicePolicy {
    type Error = ServicePolicyError;
    fn try_from(w: ServicePolicyWire) -> Result<Self, ServicePolicyError> {
        let err =
            |field: &'static str| move |e: &dyn std::fmt::Display| ServicePolicyError { field, message: e.to_string() };
        let check = |field: &'static str, v: u32| {
            if (1..=MAX_POLICY_MINUTES).contains(&v) {
                Ok(v)
            } else {
                Err(ServicePolicyError { field, message: format!("must be 1–1440 minutes, not {v}") })
            }
        };
        let field_of = |e: &SlaPolicyError| match e {
            SlaPolicyError::AtRiskMinutes(_) => "at_risk_minutes",
            SlaPolicyError::Geofence(_) => "geofence_m",
            _ => "responses",
        };
        let sla = SlaPolicy::new(w.responses, w.at_risk_minutes)
            .and_then(|p| p.with_geofence_m(w.geofence_m))
            .map_err(|e| err(field_of(&e))(&e))?
            .normalised();
        let escalation_minutes = check("escalation_minutes", w.escalation_minutes)?;
        check("stale_minutes", w.stale_minutes)?;
        check("position_max_age_minutes", w.position_max_age_minutes)?;
        check("incident_window_minutes", w.incident_window_minutes)?;
        if !(1..=1000).contains(&w.incident_threshold) {
            let message = format!("must be 1–1000 tickets, not {}", w.incident_threshold);
            return Err(ServicePolicyError { field: "incident_threshold", message });
        }
        let dispatch = crate::dispatch::DispatchConfig::new(
            w.speed_kmh,
            w.load_penalty_minutes,
            w.stale_minutes,
            w.position_max_age_minutes,
        )
        .map_err(|e| match e {
            crate::dispatch::DispatchConfigError::Speed(_) => err("speed_kmh")(&e),
            crate::dispatch::DispatchConfigError::LoadPenalty(_) => err("load_penalty_minutes")(&e),
        })?;
        if dispatch.speed_kmh() > 200.0 {
            return Err(ServicePolicyError { field: "speed_kmh", message: "must be at most 200 km/h".into() });
        }
        let incidents = crate::incident::IncidentConfig {
            threshold: w.incident_threshold,
            window_minutes: w.incident_window_minutes,
        };
        Ok(ServicePolicy { sla, escalation_minutes, dispatch, incidents })
    }
}

impl From<ServicePolicy> for ServicePolicyWire {
    fn from(p: ServicePolicy) -> Self {
        ServicePolicyWire {
            responses: p.sla.responses.clone(),
            at_risk_minutes: p.sla.at_risk_minutes,
            geofence_m: p.sla.geofence_m,
            escalation_minutes: p.escalation_minutes,
            speed_kmh: p.dispatch.speed_kmh(),
            load_penalty_minutes: p.dispatch.load_penalty_minutes(),
            stale_minutes: minutes(p.dispatch.stale_after()),
            position_max_age_minutes: minutes(p.dispatch.position_max_age()),
            incident_threshold: p.incidents.threshold,
            incident_window_minutes: p.incidents.window_minutes,
        }
    }
}

fn minutes(d: SignedDuration) -> u32 {
    u32::try_from(d.as_secs() / 60).unwrap_or(u32::MAX)
}

impl Default for ServicePolicy {
    fn default() -> Self {
        ServicePolicy {
            sla: SlaPolicy::default(),
            escalation_minutes: DEFAULT_ESCALATION_MINUTES,
            dispatch: crate::dispatch::DispatchConfig::default(),
            incidents: crate::incident::IncidentConfig::default(),
        }
    }
}

impl ServicePolicy {
    pub fn sla(&self) -> &SlaPolicy {
        &self.sla
    }
    /// How long a dispatched ticket may wait unaccepted.
    pub fn escalation(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.escalation_minutes))
    }
    pub fn dispatch(&self) -> &crate::dispatch::DispatchConfig {
        &self.dispatch
    }
    pub fn incidents(&self) -> &crate::incident::IncidentConfig {
        &self.incidents
    }
}

/// The SLA status carried on every ticket as `sla_status`. The codes are the
/// API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// The clock runs and there is time.
    OnTrack,
    /// The threshold (10 minutes by default) or less left with nobody at the
    /// door, or the best ETA is past the deadline.
    AtRisk,
    /// Past the deadline without an arrival, or the arrival was late.
    Breached,
    /// A verified arrival within the deadline.
    Met,
    /// An arrival within the deadline that was not verified; the team lead
    /// reviews it.
    MetUnverified,
    /// No clock: a category answered without a visit, or a ticket cancelled
    /// before its deadline.
    NotApplicable,
}

impl SlaStatus {
    pub const ALL: [SlaStatus; 6] = [
        SlaStatus::OnTrack,
        SlaStatus::AtRisk,
        SlaStatus::Breached,
        SlaStatus::Met,
        SlaStatus::MetUnverified,
        SlaStatus::NotApplicable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SlaStatus::OnTrack => "on_track",
            SlaStatus::AtRisk => "at_risk",
            SlaStatus::Breached => "breached",
            SlaStatus::Met => "met",
            SlaStatus::MetUnverified => "met_unverified",
            SlaStatus::NotApplicable => "not_applicable",
        }
    }
}

/// How an arrival was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    /// A GPS fix inside the geofence around the household's building.
    Gps,
    /// The household's door or seal QR tag was scanned.
    TagScan,
    /// A team lead accepted an unverified arrival on review. Never produced
    /// by [`verify_arrival`].
    LeadReview,
}

/// Why an arrival could not be verified. Shown on the team lead's review
/// list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnverifiedReason {
    /// The fix is farther from the building than the fence.
    OutsideGeofence { distance_m: f64, fence_m: f64 },
    /// The fix's accuracy circle is larger than the fence, so it cannot tell
    /// inside from outside.
    FixTooCoarse { accuracy_m: f64, fence_m: f64 },
    /// The fix has an impossible position or accuracy.
    InvalidFix,
    /// The configured fence is not a finite non-negative radius.
    InvalidFence,
    /// The scanned tag is not the household's.
    TagMismatch,
    /// A tag was scanned but the household has no tag on record.
    NoTagOnRecord,
    /// The location was entered by hand (no GPS, e.g. a desktop).
    ManualEntry { reason: String },
    /// The door tag was typed by hand (门牌码手工输入), not scanned;
    /// `matches` tells whether the typed text is the household's tag.
    TagTyped { matches: bool },
}

/// Whether an arrival is proven.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ArrivalVerdict {
    Verified { method: VerificationMethod },
    Unverified { reason: UnverifiedReason },
}

impl ArrivalVerdict {
    pub fn is_verified(&self) -> bool {
        matches!(self, ArrivalVerdict::Verified { .. })
    }
}

/// Checks an arrival proof against the household's building.
///
/// A GPS fix verifies when its position is within `fence_m` of the building
/// (the boundary counts as inside) and its accuracy radius is not larger than
/// the fence. The fix's position is trusted within that bound: requiring the
/// whole accuracy circle inside the fence would fail most stairwell fixes. A
/// tag scan verifies when it equals `expected_tag` (surrounding whitespace
/// ignored). A typed tag and manual entry never verify.
pub fn verify_arrival(
    proof: &ArrivalProof,
    household_building: LonLat,
    fence_m: f64,
    expected_tag: Option<&str>,
) -> ArrivalVerdict {
    let unverified = |reason| ArrivalVerdict::Unverified { reason };
    match proof {
        ArrivalProof::Gps { at, accuracy_m } => {
            let Ok(fence) = Geofence::new(household_building, fence_m) else {
                return unverified(UnverifiedReason::InvalidFence);
            };
            if LonLat::new(at.lon, at.lat).is_err() || !accuracy_m.is_finite() || *accuracy_m < 0.0 {
                return unverified(UnverifiedReason::InvalidFix);
            }
            if *accuracy_m > fence_m {
                return unverified(UnverifiedReason::FixTooCoarse { accuracy_m: *accuracy_m, fence_m });
            }
            let distance_m = fence.distance_m(*at);
            if distance_m <= fence_m {
                ArrivalVerdict::Verified { method: VerificationMethod::Gps }
            } else {
                unverified(UnverifiedReason::OutsideGeofence { distance_m, fence_m })
            }
        }
        ArrivalProof::TagScan { tag } => match expected_tag.map(str::trim) {
            None | Some("") => unverified(UnverifiedReason::NoTagOnRecord),
            Some(expected) if expected == tag.trim() => {
                ArrivalVerdict::Verified { method: VerificationMethod::TagScan }
            }
            Some(_) => unverified(UnverifiedReason::TagMismatch),
        },
        ArrivalProof::TagTyped { tag } => {
            let matches = expected_tag.map(str::trim).is_some_and(|e| !e.is_empty() && e == tag.trim());
            unverified(UnverifiedReason::TagTyped { matches })
        }
        ArrivalProof::Manual { reason } => unverified(UnverifiedReason::ManualEntry { reason: reason.clone() }),
    }
}

/// A steward's arrival at the home: when (honest, server-corrected time) and
/// whether it is proven.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    pub at: Timestamp,
    pub verdict: ArrivalVerdict,
}

/// What the clock needs to know about one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaFacts {
    pub category: TicketCategory,
    /// When the hotline took the report (server time).
    pub reported_at: Timestamp,
    /// The deadline fixed when the ticket was opened; reassignment never
    /// moves it.
    pub due_at: Timestamp,
    /// Every arrival recorded, in any order.
    pub arrivals: Vec<Arrival>,
    pub cancelled_at: Option<Timestamp>,
    /// When the best candidate steward is expected at the door, if known
    /// (see [`crate::dispatch`]).
    pub best_eta: Option<Timestamp>,
}

impl SlaFacts {
    /// Collects the facts from a ticket's events. Arrive events become
    /// arrivals judged by `verify`; a cancel event sets `cancelled_at`;
    /// dispatch and reassign events do not touch the clock.
    pub fn from_events(
        category: TicketCategory,
        reported_at: Timestamp,
        due_at: Timestamp,
        events: &[TicketEvent],
        mut verify: impl FnMut(&TicketEvent, &ArrivalProof) -> ArrivalVerdict,
    ) -> Self {
        let mut facts =
            SlaFacts { category, reported_at, due_at, arrivals: Vec::new(), cancelled_at: None, best_eta: None };
        for event in events {
            match &event.action {
                TicketAction::Arrive { proof } => {
                    facts.arrivals.push(Arrival { at: event.at, verdict: verify(event, proof) })
                }
                TicketAction::Cancel { .. } => {
                    facts.cancelled_at = Some(facts.cancelled_at.map_or(event.at, |c| c.min(event.at)))
                }
                _ => {}
            }
        }
        facts
    }

    /// The arrival that stops the clock, among those known at `now` and not
    /// after a cancellation: the first verified arrival within the deadline,
    /// else the first arrival within it, else the first arrival.
    pub fn stopping_arrival(&self, now: Timestamp) -> Option<&Arrival> {
        let horizon = self.cancelled_at.map_or(now, |c| c.min(now));
        let known = || self.arrivals.iter().filter(move |a| a.at <= horizon);
        let in_time = || known().filter(|a| a.at <= self.due_at);
        in_time()
            .filter(|a| a.verdict.is_verified())
            .min_by_key(|a| a.at)
            .or_else(|| in_time().min_by_key(|a| a.at))
            .or_else(|| known().min_by_key(|a| a.at))
    }

    /// From report to the arrival that stopped the clock, for reports.
    pub fn response_time(&self) -> Option<SignedDuration> {
        self.stopping_arrival(Timestamp::MAX).map(|a| a.at.duration_since(self.reported_at))
    }
}

/// The ticket's SLA status at `now`. Facts dated after `now` are not yet
/// known and are ignored, so the status can be replayed at any instant.
pub fn sla_status(policy: &SlaPolicy, facts: &SlaFacts, now: Timestamp) -> SlaStatus {
    if policy.response(facts.category).is_none() {
        return SlaStatus::NotApplicable;
    }
    let due = facts.due_at;
    if let Some(arrival) = facts.stopping_arrival(now) {
        return match (arrival.at <= due, arrival.verdict.is_verified()) {
            (true, true) => SlaStatus::Met,
            (true, false) => SlaStatus::MetUnverified,
            (false, _) => SlaStatus::Breached,
        };
    }
    if let Some(cancelled) = facts.cancelled_at.filter(|c| *c <= now) {
        return if cancelled <= due { SlaStatus::NotApplicable } else { SlaStatus::Breached };
    }
    if now > due {
        SlaStatus::Breached
    } else if due.duration_since(now) <= policy.at_risk() || facts.best_eta.is_some_and(|eta| eta > due) {
        SlaStatus::AtRisk
    } else {
        SlaStatus::OnTrack
    }
}

/// A local alert the device raises, even with no network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaAlertKind {
    /// The at-risk threshold (10 minutes left by default) was reached with
    /// nobody at the door.
    AtRisk,
    /// The deadline passed with nobody at the door.
    Breached,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaAlert {
    pub ticket_id: TicketId,
    pub kind: SlaAlertKind,
    pub due_at: Timestamp,
}

/// The alerts to raise now that have not been raised yet. Idempotent: with
/// what it returned added to `raised`, a second call at the same `now`
/// returns nothing, so each alert fires once. A device that wakes after the
/// deadline raises only the breach, never a stale "minutes left".
pub fn alerts_due(
    policy: &SlaPolicy,
    ticket_id: TicketId,
    facts: &SlaFacts,
    now: Timestamp,
    raised: &[SlaAlertKind],
) -> Vec<SlaAlert> {
    let running = policy.response(facts.category).is_some()
        && facts.stopping_arrival(now).is_none()
        && facts.cancelled_at.is_none_or(|c| c > now);
    let due = facts.due_at;
    let kind = if !running {
        None
    } else if now > due {
        Some(SlaAlertKind::Breached)
    } else if due.duration_since(now) <= policy.at_risk() {
        Some(SlaAlertKind::AtRisk)
    } else {
        None
    };
    kind.filter(|k| !raised.contains(k)).map(|kind| SlaAlert { ticket_id, kind, due_at: due }).into_iter().collect()
}

/// One reading of a device's clocks at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceReading {
    /// Changes on every boot; monotonic readings compare only within a boot.
    pub boot_id: u64,
    /// Milliseconds since boot on the monotonic clock, which never jumps when
    /// someone sets the wall clock.
    pub monotonic_ms: u64,
    /// The device's wall clock, which may be hours wrong.
    pub wall: Timestamp,
}

impl DeviceReading {
    fn monotonic(&self) -> SignedDuration {
        SignedDuration::from_millis(i64::try_from(self.monotonic_ms).unwrap_or(i64::MAX))
    }
}

/// What the device learnt at a sync: its clocks' reading and the server's
/// time at the same moment (to within the request's one-way latency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockAnchor {
    pub reading: DeviceReading,
    pub server_at: Timestamp,
}

/// How a corrected time was obtained, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// Monotonic time plus the offset learnt at a sync in the same boot.
    Monotonic,
    /// Wall time plus the wall offset learnt at a sync in an earlier boot;
    /// wrong if the wall clock was set since.
    WallOffset,
    /// The device's wall clock alone: never synced. The central corrects it
    /// on upload with [`honest_time`].
    DeviceWall,
}

/// A time on the server's time line and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectedTime {
    pub at: Timestamp,
    pub basis: TimeBasis,
}

/// What every event recorded on a device carries: the device's own readings,
/// the corrected time, and a per-device sequence that orders the device's
/// events even where corrected times tie or were corrected differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStamp {
    pub device_id: DeviceId,
    pub seq: u64,
    pub reading: DeviceReading,
    pub corrected: CorrectedTime,
}

/// The device's model of server time: `corrected = device_time + offset`,
/// with the offset learnt at the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceClock {
    anchor: Option<ClockAnchor>,
}

impl DeviceClock {
    /// A device that has never synced.
    pub fn unsynced() -> Self {
        DeviceClock { anchor: None }
    }

    pub fn synced(anchor: ClockAnchor) -> Self {
        DeviceClock { anchor: Some(anchor) }
    }

    /// Each sync teaches the device the server's time again.
    pub fn resync(&mut self, anchor: ClockAnchor) {
        self.anchor = Some(anchor);
    }

    pub fn anchor(&self) -> Option<ClockAnchor> {
        self.anchor
    }

    /// The server's time at the moment of `reading`. Within the anchor's
    /// boot this is monotonic time plus the offset `server_at − monotonic`;
    /// after a reboot, wall time plus the offset `server_at − wall`; never
    /// synced, the wall clock as it is.
    pub fn corrected(&self, reading: &DeviceReading) -> CorrectedTime {
        match self.anchor {
            Some(a) if a.reading.boot_id == reading.boot_id => {
                let offset = a.server_at.duration_since(Timestamp::UNIX_EPOCH) - a.reading.monotonic();
                CorrectedTime {
                    at: add(Timestamp::UNIX_EPOCH, offset + reading.monotonic()),
                    basis: TimeBasis::Monotonic,
                }
            }
            Some(a) => {
                let offset = a.server_at.duration_since(a.reading.wall);
                CorrectedTime { at: add(reading.wall, offset), basis: TimeBasis::WallOffset }
            }
            None => CorrectedTime { at: reading.wall, basis: TimeBasis::DeviceWall },
        }
    }

    /// Stamps an event recorded on the device.
    pub fn stamp(&self, device_id: DeviceId, seq: u64, reading: DeviceReading) -> DeviceStamp {
        DeviceStamp { device_id, seq, reading, corrected: self.corrected(&reading) }
    }
}

fn add(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() { Timestamp::MIN } else { Timestamp::MAX })
}

/// The honest time of an event recorded on a device, computed by the central
/// when the device uploads it. `upload` is the device's reading when it sent
/// the upload and the server's time on receipt.
///
/// The upload's anchor is used when the event is in the same boot (elapsed
/// monotonic time is exact even after hours offline); otherwise the device's
/// own correction is kept if it had one; otherwise the wall offset at upload
/// is applied. An event never lands after the upload that carried it.
pub fn honest_time(stamp: &DeviceStamp, upload: &ClockAnchor) -> CorrectedTime {
    let fresh = DeviceClock::synced(*upload).corrected(&stamp.reading);
    let best = match (fresh.basis, stamp.corrected.basis) {
        (TimeBasis::Monotonic, _) => fresh,
        (_, TimeBasis::Monotonic | TimeBasis::WallOffset) => stamp.corrected,
        _ => fresh,
    };
    CorrectedTime { at: best.at.min(upload.server_at), basis: best.basis }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{EventId, HouseholdId, UserId};
    use crate::org::Role;
    use crate::ticket::{Actor, NewTicket, Ticket};

    const REPORTED: &str = "2026-11-20T08:00:00Z";

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// `mm:ss` after the report.
    fn after(mmss: &str) -> Timestamp {
        let (m, s) = mmss.split_once(':').unwrap();
        let secs = m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap();
        ts(REPORTED).checked_add(SignedDuration::from_secs(secs)).unwrap()
    }

    fn verified() -> ArrivalVerdict {
        ArrivalVerdict::Verified { method: VerificationMethod::Gps }
    }

    fn unverified() -> ArrivalVerdict {
        ArrivalVerdict::Unverified { reason: UnverifiedReason::OutsideGeofence { distance_m: 400.0, fence_m: 150.0 } }
    }

    fn facts(category: TicketCategory) -> SlaFacts {
        SlaFacts {
            category,
            reported_at: ts(REPORTED),
            due_at: after("30:00"),
            arrivals: vec![],
            cancelled_at: None,
            best_eta: None,
        }
    }

    struct Case {
        name: &'static str,
        category: TicketCategory,
        arrivals: &'static [(&'static str, bool)],
        cancelled: Option<&'static str>,
        best_eta: Option<&'static str>,
        now: &'static str,
        expect: SlaStatus,
    }

    const fn case(name: &'static str, now: &'static str, expect: SlaStatus) -> Case {
        Case { name, category: TicketCategory::NoHeat, arrivals: &[], cancelled: None, best_eta: None, now, expect }
    }

    #[test]
    fn status_table() {
        use SlaStatus::*;
        let cases = [
            Case { arrivals: &[("29:59", true)], ..case("verified arrival at 29:59 is met", "40:00", Met) },
            Case { arrivals: &[("30:00", true)], ..case("verified arrival at exactly 30:00 is met", "40:00", Met) },
            Case { arrivals: &[("30:01", true)], ..case("arrival at 30:01 is breached", "40:00", Breached) },
            Case {
                arrivals: &[("29:59", false)],
                ..case("arrival outside the geofence in time is met_unverified", "40:00", MetUnverified)
            },
            Case {
                arrivals: &[("20:00", false), ("25:00", true)],
                ..case("a later verified arrival in time wins", "40:00", Met)
            },
            Case {
                arrivals: &[("20:00", false), ("31:00", true)],
                ..case("an unverified arrival in time beats a late verified one", "40:00", MetUnverified)
            },
            Case { arrivals: &[("15:00", true)], ..case("an arrival after now is not yet known", "10:00", OnTrack) },
            Case { arrivals: &[("15:00", true)], ..case("on site before the threshold", "25:00", Met) },
            case("nobody yet, 10:01 left", "19:59", OnTrack),
            case("nobody yet, exactly 10:00 left", "20:00", AtRisk),
            case("nobody yet, at the deadline itself", "30:00", AtRisk),
            case("nobody yet, one second late", "30:01", Breached),
            case("before the report the clock is on track", "00:00", OnTrack),
            Case { best_eta: Some("30:01"), ..case("the best ETA is past the deadline", "05:00", AtRisk) },
            Case { best_eta: Some("30:00"), ..case("the best ETA is exactly the deadline", "05:00", OnTrack) },
            Case { cancelled: Some("12:00"), ..case("cancelled in time", "40:00", NotApplicable) },
            Case { cancelled: Some("30:00"), ..case("cancelled at the deadline", "40:00", NotApplicable) },
            Case { cancelled: Some("45:00"), ..case("cancelled after a breach", "50:00", Breached) },
            Case { cancelled: Some("45:00"), ..case("cancellation not yet known", "35:00", Breached) },
            Case { cancelled: Some("12:00"), ..case("cancellation not yet known, in time", "05:00", OnTrack) },
            Case {
                arrivals: &[("10:00", true)],
                cancelled: Some("12:00"),
                ..case("arrived, then cancelled, stays met", "40:00", Met)
            },
            Case {
                category: TicketCategory::Consultation,
                ..case("consultation has no clock", "50:00", NotApplicable)
            },
            Case { category: TicketCategory::Payment, ..case("payment has no clock", "50:00", NotApplicable) },
        ];
        let policy = SlaPolicy::default();
        for c in cases {
            let mut f = facts(c.category);
            f.arrivals = c
                .arrivals
                .iter()
                .map(|&(at, ok)| Arrival { at: after(at), verdict: if ok { verified() } else { unverified() } })
                .collect();
            f.cancelled_at = c.cancelled.map(after);
            f.best_eta = c.best_eta.map(after);
            let got = sla_status(&policy, &f, after(c.now));
            assert_eq!(got, c.expect, "{}", c.name);
        }
    }

    #[test]
    fn status_codes_are_the_apis() {
        for s in SlaStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.code()));
        }
    }

    #[test]
    fn policy_defaults_validation_and_serde() {
        let p = SlaPolicy::default();
        assert_eq!(p.response(TicketCategory::Leak), Some(SignedDuration::from_mins(30)));
        assert_eq!(p.response(TicketCategory::Consultation), None);
        assert_eq!(p.due_at(TicketCategory::NoHeat, ts(REPORTED)), Some(after("30:00")));
        assert_eq!(p.at_risk(), SignedDuration::from_mins(10));

        let leak20 = CategoryResponse { category: TicketCategory::Leak, response_minutes: Some(20) };
        let custom = SlaPolicy::new(vec![leak20], 5).unwrap();
        assert_eq!(custom.response(TicketCategory::Leak), Some(SignedDuration::from_mins(20)));
        assert_eq!(custom.response(TicketCategory::Valve), Some(SignedDuration::from_mins(30)));
        let json = serde_json::to_string(&custom).unwrap();
        assert_eq!(serde_json::from_str::<SlaPolicy>(&json).unwrap(), custom);

        let zero = CategoryResponse { category: TicketCategory::Leak, response_minutes: Some(0) };
        let cases: [(Vec<CategoryResponse>, u32, SlaPolicyError); 3] = [
            (vec![zero], 10, SlaPolicyError::ResponseMinutes { category: TicketCategory::Leak, minutes: 0 }),
            (vec![leak20, leak20], 10, SlaPolicyError::DuplicateCategory(TicketCategory::Leak)),
            (vec![], 0, SlaPolicyError::AtRiskMinutes(0)),
        ];
        for (responses, at_risk, err) in cases {
            assert_eq!(SlaPolicy::new(responses, at_risk).unwrap_err(), err);
        }
        let bad = r#"{"responses":[],"at_risk_minutes":0}"#;
        assert!(serde_json::from_str::<SlaPolicy>(bad).is_err());

        // The geofence: 150 m unless set, and sent with the policy.
        assert_eq!(p.geofence_m(), 150.0);
        let wide = SlaPolicy::default().with_geofence_m(200.0).unwrap();
        let json = serde_json::to_string(&wide).unwrap();
        assert_eq!(serde_json::from_str::<SlaPolicy>(&json).unwrap().geofence_m(), 200.0);
        let old = r#"{"responses":[],"at_risk_minutes":10}"#;
        assert_eq!(serde_json::from_str::<SlaPolicy>(old).unwrap().geofence_m(), 150.0);
        for r in [0.0, -5.0, f64::NAN, 5_000.5] {
            assert!(SlaPolicy::default().with_geofence_m(r).is_err(), "{r}");
        }
        assert!(serde_json::from_str::<SlaPolicy>(r#"{"responses":[],"at_risk_minutes":10,"geofence_m":0}"#).is_err());
    }

    fn home() -> LonLat {
        LonLat::new(117.157232, 37.309041).unwrap()
    }

    /// `metres` due north of `from`: along a meridian the haversine distance
    /// is R·Δφ with R = 6 371 008.8 m.
    fn north(from: LonLat, metres: f64) -> LonLat {
        LonLat::new(from.lon, from.lat + (metres / 6_371_008.8).to_degrees()).unwrap()
    }

    #[test]
    fn arrival_verification_table() {
        let gps = |m: f64, accuracy_m: f64| ArrivalProof::Gps { at: north(home(), m), accuracy_m };
        let tag = |t: &str| ArrivalProof::TagScan { tag: t.into() };
        let typed = |t: &str| ArrivalProof::TagTyped { tag: t.into() };
        let typed_reason = |matches| UnverifiedReason::TagTyped { matches };
        let ok = |method| ArrivalVerdict::Verified { method };
        let no = |reason| ArrivalVerdict::Unverified { reason };
        let cases: Vec<(&str, ArrivalProof, f64, Option<&str>, ArrivalVerdict)> = vec![
            ("fix 149 m away", gps(149.0, 10.0), 150.0, None, ok(VerificationMethod::Gps)),
            ("fix at the building", gps(0.0, 5.0), 150.0, None, ok(VerificationMethod::Gps)),
            ("accuracy equal to the fence", gps(20.0, 150.0), 150.0, None, ok(VerificationMethod::Gps)),
            (
                "accuracy wider than the fence",
                gps(20.0, 150.5),
                150.0,
                None,
                no(UnverifiedReason::FixTooCoarse { accuracy_m: 150.5, fence_m: 150.0 }),
            ),
            (
                "a smaller configured fence",
                gps(149.0, 10.0),
                100.0,
                None,
                ArrivalVerdict::Unverified {
                    reason: UnverifiedReason::OutsideGeofence { distance_m: 149.0, fence_m: 100.0 },
                },
            ),
            ("negative accuracy", gps(10.0, -1.0), 150.0, None, no(UnverifiedReason::InvalidFix)),
            ("NaN fence", gps(10.0, 5.0), f64::NAN, None, no(UnverifiedReason::InvalidFence)),
            ("matching tag", tag(" SH-T-0042 "), 150.0, Some("SH-T-0042"), ok(VerificationMethod::TagScan)),
            ("other household's tag", tag("SH-T-0043"), 150.0, Some("SH-T-0042"), no(UnverifiedReason::TagMismatch)),
            ("no tag on record", tag("SH-T-0042"), 150.0, None, no(UnverifiedReason::NoTagOnRecord)),
            ("typed matching tag", typed(" SH-T-0042"), 150.0, Some("SH-T-0042"), no(typed_reason(true))),
            ("typed other tag", typed("SH-T-0043"), 150.0, Some("SH-T-0042"), no(typed_reason(false))),
            ("typed, no tag on record", typed("SH-T-0042"), 150.0, None, no(typed_reason(false))),
            ("typed, empty tag on record", typed(""), 150.0, Some(" "), no(typed_reason(false))),
            (
                "manual entry",
                ArrivalProof::Manual { reason: "桌面端无定位".into() },
                150.0,
                Some("SH-T-0042"),
                no(UnverifiedReason::ManualEntry { reason: "桌面端无定位".into() }),
            ),
        ];
        for (name, proof, fence_m, expected_tag, expect) in cases {
            let got = verify_arrival(&proof, home(), fence_m, expected_tag);
            match (&got, &expect) {
                (
                    ArrivalVerdict::Unverified { reason: UnverifiedReason::OutsideGeofence { distance_m: d, .. } },
                    ArrivalVerdict::Unverified { reason: UnverifiedReason::OutsideGeofence { distance_m: e, .. } },
                ) => assert!((d - e).abs() < 1e-6, "{name}: {d} vs {e}"),
                _ => assert_eq!(got, expect, "{name}"),
            }
        }
        let far = verify_arrival(&gps(151.0, 10.0), home(), 150.0, None);
        assert!(matches!(far, ArrivalVerdict::Unverified { reason: UnverifiedReason::OutsideGeofence { .. } }));
        let json = serde_json::to_value(&far).unwrap();
        assert_eq!(json["verdict"], "unverified");
        assert_eq!(json["reason"]["code"], "outside_geofence");
    }

    #[test]
    fn stored_tag_scans_still_read_and_a_typed_tag_has_its_own_code() {
        // An arrival event's proof as stored before typed tags existed.
        let old: ArrivalProof = serde_json::from_str(r#"{"method":"tag_scan","tag":"HH:0042"}"#).unwrap();
        assert_eq!(old, ArrivalProof::TagScan { tag: "HH:0042".into() });
        let typed = ArrivalProof::TagTyped { tag: "HH:0042".into() };
        let json = serde_json::to_value(&typed).unwrap();
        assert_eq!(json, serde_json::json!({"method": "tag_typed", "tag": "HH:0042"}));
        assert_eq!(serde_json::from_value::<ArrivalProof>(json).unwrap(), typed);
        let verdict = verify_arrival(&typed, home(), 150.0, Some("HH:0042"));
        let json = serde_json::to_value(&verdict).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"verdict": "unverified", "reason": {"code": "tag_typed", "matches": true}})
        );
        assert_eq!(serde_json::from_value::<ArrivalVerdict>(json).unwrap(), verdict);
    }

    fn uid(n: u8) -> UserId {
        UserId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    fn eid(n: u8) -> EventId {
        EventId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    #[test]
    fn reassignment_mid_clock_does_not_reset_it() {
        let (hotline, lead, first, second) = (uid(1), uid(2), uid(3), uid(4));
        let actor = |user_id, role| Actor { user_id, role };
        let new = NewTicket {
            id: TicketId::new_v7(ts(REPORTED), [9; 10]),
            household_id: HouseholdId::new_v7(ts(REPORTED), [8; 10]),
            category: TicketCategory::NoHeat,
            description: "暖气不热".into(),
            reported_at: ts(REPORTED),
            external_ref: None,
        };
        let policy = SlaPolicy::default();
        let response = policy.response(new.category).unwrap();
        for (arrive, expect) in [("29:59", SlaStatus::Met), ("30:01", SlaStatus::Breached)] {
            let (mut tk, opened) =
                Ticket::open_with_response(new.clone(), actor(hotline, Role::HotlineAgent), eid(0), response).unwrap();
            let mut events = vec![opened];
            let steps = [
                (actor(lead, Role::TeamLead), TicketAction::Dispatch { steward_id: first }, "02:00"),
                (actor(first, Role::Steward), TicketAction::Accept, "03:00"),
                (
                    actor(lead, Role::TeamLead),
                    TicketAction::Reassign { steward_id: second, reason: "更近".into() },
                    "15:00",
                ),
                (actor(second, Role::Steward), TicketAction::Accept, "16:00"),
                (
                    actor(second, Role::Steward),
                    TicketAction::Arrive { proof: ArrivalProof::Gps { at: north(home(), 30.0), accuracy_m: 12.0 } },
                    arrive,
                ),
            ];
            for (i, (who, action, at)) in steps.into_iter().enumerate() {
                events.push(tk.apply(who, action, after(at), None, eid(i as u8 + 1)).unwrap());
            }
            assert_eq!(tk.due_at(), after("30:00"));
            let f = SlaFacts::from_events(tk.category(), tk.reported_at(), tk.due_at(), &events, |_, proof| {
                verify_arrival(proof, home(), policy.geofence_m(), None)
            });
            assert_eq!(sla_status(&policy, &f, after("45:00")), expect, "arrival at {arrive}");
            let mid = sla_status(&policy, &f, after("15:00"));
            assert_eq!(mid, SlaStatus::OnTrack, "reassignment at 15:00 leaves 15 minutes");
        }
    }

    #[test]
    fn cancelled_ticket_from_events() {
        let mut f = facts(TicketCategory::Leak);
        let cancel = TicketEvent {
            id: eid(1),
            ticket_id: TicketId::new_v7(ts(REPORTED), [9; 10]),
            seq: 2,
            action: TicketAction::Cancel { reason: "用户撤销".into() },
            actor_id: uid(1),
            actor_role: Role::HotlineAgent,
            at: after("12:00"),
            location: None,
            status_after: crate::ticket::TicketStatus::Cancelled,
        };
        f = SlaFacts::from_events(f.category, f.reported_at, f.due_at, &[cancel], |_, _| verified());
        assert_eq!(f.cancelled_at, Some(after("12:00")));
        assert_eq!(sla_status(&SlaPolicy::default(), &f, after("50:00")), SlaStatus::NotApplicable);
        assert_eq!(alerts_due(&SlaPolicy::default(), TicketId::from(uuid::Uuid::nil()), &f, after("50:00"), &[]), []);
    }

    #[test]
    fn alerts_fire_once_each() {
        let policy = SlaPolicy::default();
        let id = TicketId::new_v7(ts(REPORTED), [9; 10]);
        let f = facts(TicketCategory::NoHeat);
        let mut raised = Vec::new();
        let mut fired = Vec::new();
        // A device ticking every 30 seconds for 40 minutes.
        for step in 0..=80 {
            let now = ts(REPORTED).checked_add(SignedDuration::from_secs(step * 30)).unwrap();
            for alert in alerts_due(&policy, id, &f, now, &raised) {
                raised.push(alert.kind);
                fired.push((now, alert.kind));
            }
            assert_eq!(alerts_due(&policy, id, &f, now, &raised), [], "idempotent at {now}");
        }
        assert_eq!(fired, [(after("20:00"), SlaAlertKind::AtRisk), (after("30:30"), SlaAlertKind::Breached)]);

        // A device asleep through the threshold raises only the breach.
        let woke = alerts_due(&policy, id, &f, after("31:00"), &[]);
        assert_eq!(woke, [SlaAlert { ticket_id: id, kind: SlaAlertKind::Breached, due_at: after("30:00") }]);

        // Nobody is alerted once the steward is at the door.
        let mut on_site = facts(TicketCategory::NoHeat);
        on_site.arrivals.push(Arrival { at: after("18:00"), verdict: unverified() });
        assert_eq!(alerts_due(&policy, id, &on_site, after("25:00"), &[]), []);
        let consult = facts(TicketCategory::Consultation);
        assert_eq!(alerts_due(&policy, id, &consult, after("35:00"), &[]), []);
    }

    /// The device's wall clock is two hours slow throughout.
    const WALL_SLOW: SignedDuration = SignedDuration::from_hours(2);

    fn reading(boot_id: u64, at_server: &str, boot_server: &str) -> DeviceReading {
        let at = ts(at_server);
        let since_boot = at.duration_since(ts(boot_server));
        DeviceReading { boot_id, monotonic_ms: since_boot.as_millis() as u64, wall: at.checked_sub(WALL_SLOW).unwrap() }
    }

    #[test]
    fn device_clock_two_hours_wrong_gives_the_honest_arrival() {
        let device = DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10]);
        let boot = "2026-11-20T06:00:00Z";
        let sync_at = "2026-11-20T07:50:00Z";
        let arrival = "2026-11-20T08:20:00Z";
        let anchor = ClockAnchor { reading: reading(1, sync_at, boot), server_at: ts(sync_at) };

        // Synced before going into the basement: monotonic time plus offset.
        let clock = DeviceClock::synced(anchor);
        let s = clock.stamp(device, 41, reading(1, arrival, boot));
        assert_eq!(s.reading.wall, ts("2026-11-20T06:20:00Z"), "the wall clock is two hours wrong");
        assert_eq!(s.corrected, CorrectedTime { at: ts(arrival), basis: TimeBasis::Monotonic });

        // Rebooted in the basement: the wall offset learnt at the sync.
        let rebooted = clock.corrected(&reading(2, arrival, "2026-11-20T08:05:00Z"));
        assert_eq!(rebooted, CorrectedTime { at: ts(arrival), basis: TimeBasis::WallOffset });

        // Never synced: the device can only trust its wall clock, and the
        // central corrects it when the arrival is uploaded three hours later.
        let raw = DeviceClock::unsynced().stamp(device, 1, reading(1, arrival, boot));
        assert_eq!(raw.corrected.basis, TimeBasis::DeviceWall);
        let upload_at = "2026-11-20T11:20:00Z";
        let upload = ClockAnchor { reading: reading(1, upload_at, boot), server_at: ts(upload_at) };
        assert_eq!(honest_time(&raw, &upload), CorrectedTime { at: ts(arrival), basis: TimeBasis::Monotonic });

        // Rebooted between the arrival and the upload: the wall offset at
        // upload still holds, as the wall clock kept the same error.
        let upload_after_reboot =
            ClockAnchor { reading: reading(3, upload_at, "2026-11-20T10:00:00Z"), server_at: ts(upload_at) };
        assert_eq!(
            honest_time(&raw, &upload_after_reboot),
            CorrectedTime { at: ts(arrival), basis: TimeBasis::WallOffset }
        );
        // A stamp the device had already corrected keeps its correction.
        assert_eq!(honest_time(&s, &upload_after_reboot), s.corrected);
    }

    #[test]
    fn offline_arrival_synced_three_hours_later_is_met() {
        // Reported at 08:00 (server), arrived 08:20 offline, synced at 11:20.
        let boot = "2026-11-20T06:00:00Z";
        let raw = DeviceClock::unsynced().stamp(
            DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10]),
            1,
            reading(1, "2026-11-20T08:20:00Z", boot),
        );
        let upload =
            ClockAnchor { reading: reading(1, "2026-11-20T11:20:00Z", boot), server_at: ts("2026-11-20T11:20:00Z") };
        let policy = SlaPolicy::default();
        let mut f = facts(TicketCategory::NoHeat);
        f.arrivals.push(Arrival { at: honest_time(&raw, &upload).at, verdict: verified() });
        assert_eq!(sla_status(&policy, &f, ts("2026-11-20T11:20:00Z")), SlaStatus::Met);
        assert_eq!(f.response_time(), Some(SignedDuration::from_mins(20)));

        // Trusting the wrong wall clock would have put the arrival before the report.
        assert!(raw.corrected.at < f.reported_at);
        // An honest time never lands after its upload.
        let mut future = raw;
        future.corrected.basis = TimeBasis::WallOffset;
        future.corrected.at = ts("2026-11-20T12:00:00Z");
        let early_upload =
            ClockAnchor { reading: reading(9, "2026-11-20T11:20:00Z", boot), server_at: upload.server_at };
        assert_eq!(honest_time(&future, &early_upload).at, upload.server_at);
    }

    /// One steward event recorded offline and synced at 11:20, three hours
    /// after the report, behind office events the central recorded online.
    struct LateCase {
        name: &'static str,
        /// Office events the central recorded while the steward was offline:
        /// (action, mm:ss after the report).
        office: Vec<(TicketAction, &'static str)>,
        /// The steward's offline events, in the order pushed: (action, at).
        late: Vec<(TicketAction, Timestamp)>,
        /// `Ok(status after the push)` or the error of the first refused event.
        expect: Result<crate::ticket::TicketStatus, crate::ticket::TicketError>,
        sla: SlaStatus,
    }

    #[test]
    fn late_offline_events_keep_their_own_time() {
        use crate::ticket::{TicketError, TicketStatus};
        let (hotline, lead, first, second) = (uid(1), uid(2), uid(3), uid(4));
        let actor = |user_id, role| Actor { user_id, role };
        let arrive = || TicketAction::Arrive { proof: ArrivalProof::Gps { at: north(home(), 20.0), accuracy_m: 8.0 } };
        let reassign = || TicketAction::Reassign { steward_id: second, reason: "更近".into() };
        let cancel = || TicketAction::Cancel { reason: "用户撤销".into() };

        // The device's wall clock is two hours slow and it never synced before
        // the arrival; the central corrects the stamp at upload.
        let boot = "2026-11-20T06:00:00Z";
        let device = DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10]);
        let raw = DeviceClock::unsynced().stamp(device, 1, reading(1, "2026-11-20T08:20:00Z", boot));
        let upload =
            ClockAnchor { reading: reading(1, "2026-11-20T11:20:00Z", boot), server_at: ts("2026-11-20T11:20:00Z") };
        let honest = honest_time(&raw, &upload);
        assert_eq!((raw.reading.wall, honest.at), (ts("2026-11-20T06:20:00Z"), after("20:00")));

        let conflict = |at: &str, cause| Err(TicketError::LateEventConflicts { at: after(at), cause: Box::new(cause) });
        let cases = vec![
            LateCase {
                name: "arrival at 20:00 synced three hours later, behind a reassignment at 25:00",
                office: vec![(reassign(), "25:00")],
                late: vec![(arrive(), after("20:00"))],
                expect: Ok(TicketStatus::Dispatched),
                sla: SlaStatus::Met,
            },
            LateCase {
                name: "arrival at 20:00 synced after the hotline cancelled at 40:00",
                office: vec![(cancel(), "40:00")],
                late: vec![(TicketAction::EnRoute, after("10:00")), (arrive(), after("20:00"))],
                expect: Ok(TicketStatus::Cancelled),
                sla: SlaStatus::Met,
            },
            LateCase {
                name: "arrival at 31:00, a minute late, behind a reassignment at 35:00",
                office: vec![(reassign(), "35:00")],
                late: vec![(arrive(), after("31:00"))],
                expect: Ok(TicketStatus::Dispatched),
                sla: SlaStatus::Breached,
            },
            LateCase {
                name: "reassignment mid-clock: an arrival after it is not the old steward's to make",
                office: vec![(reassign(), "15:00")],
                late: vec![(arrive(), after("20:00"))],
                expect: Err(TicketError::NotAssignee { action: "arrive" }),
                sla: SlaStatus::Breached,
            },
            LateCase {
                name: "reassignment mid-clock, and the ticket cancelled after: the arrival still conflicts",
                office: vec![(reassign(), "15:00"), (cancel(), "40:00")],
                late: vec![(arrive(), after("20:00"))],
                expect: conflict("20:00", TicketError::NotAssignee { action: "arrive" }),
                sla: SlaStatus::Breached,
            },
            LateCase {
                name: "an arrival after the ticket was cancelled in time",
                office: vec![(cancel(), "10:00")],
                late: vec![(arrive(), after("20:00"))],
                expect: Err(TicketError::IllegalTransition { from: TicketStatus::Cancelled, action: "arrive" }),
                sla: SlaStatus::NotApplicable,
            },
            LateCase {
                name: "device clock two hours slow, corrected at upload",
                office: vec![(reassign(), "25:00")],
                late: vec![(arrive(), honest.at)],
                expect: Ok(TicketStatus::Dispatched),
                sla: SlaStatus::Met,
            },
            LateCase {
                name: "device clock two hours slow, trusted as it is",
                office: vec![(reassign(), "25:00")],
                late: vec![(arrive(), raw.reading.wall)],
                expect: Err(TicketError::TimeBeforeReport),
                sla: SlaStatus::Breached,
            },
        ];
        let policy = SlaPolicy::default();
        for c in cases {
            let new = NewTicket {
                id: TicketId::new_v7(ts(REPORTED), [9; 10]),
                household_id: HouseholdId::new_v7(ts(REPORTED), [8; 10]),
                category: TicketCategory::NoHeat,
                description: "暖气不热".into(),
                reported_at: ts(REPORTED),
                external_ref: None,
            };
            let (mut tk, opened) = Ticket::open(new, actor(hotline, Role::HotlineAgent), eid(0)).unwrap();
            let mut events = vec![opened];
            let online = [
                (actor(lead, Role::TeamLead), TicketAction::Dispatch { steward_id: first }, "02:00"),
                (actor(first, Role::Steward), TicketAction::Accept, "03:00"),
            ];
            for (who, action, at) in online {
                events.push(tk.apply(who, action, after(at), None, eid(events.len() as u8)).unwrap());
            }
            for (action, at) in c.office {
                let who = if matches!(action, TicketAction::Cancel { .. }) { hotline } else { lead };
                let role = if who == hotline { Role::HotlineAgent } else { Role::TeamLead };
                events.push(tk.apply(actor(who, role), action, after(at), None, eid(events.len() as u8)).unwrap());
            }
            let office_state = (tk.status(), tk.assignee());
            let mut outcome = Ok(tk.status());
            for (action, at) in c.late {
                let before = tk.clone();
                let id = eid(events.len() as u8);
                match tk.apply_with_history(&events, actor(first, Role::Steward), action, at, None, id) {
                    Ok(ev) => {
                        assert_eq!((ev.at, ev.seq), (at, events.len() as u32 + 1), "{}", c.name);
                        if matches!(ev.action, TicketAction::Arrive { .. }) {
                            assert_eq!(ev.status_after, TicketStatus::OnSite, "{}: the state at its own time", c.name);
                        }
                        events.push(ev);
                        outcome = Ok(tk.status());
                    }
                    Err(e) => {
                        assert_eq!(tk, before, "{}: a refused event changes nothing", c.name);
                        outcome = Err(e);
                        break;
                    }
                }
            }
            assert_eq!(outcome, c.expect, "{}", c.name);
            // Slotting a past event in never changes who holds the ticket now.
            assert_eq!((tk.status(), tk.assignee()), office_state, "{}", c.name);
            let f = SlaFacts::from_events(tk.category(), tk.reported_at(), tk.due_at(), &events, |_, proof| {
                verify_arrival(proof, home(), policy.geofence_m(), None)
            });
            assert_eq!(sla_status(&policy, &f, ts("2026-11-20T11:20:00Z")), c.sla, "{}", c.name);
        }
    }

    #[test]
    fn service_policy_round_trips_and_names_the_bad_field() {
        let p = ServicePolicy::default();
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["responses"].as_array().unwrap().len(), TicketCategory::ALL.len());
        assert_eq!(json["escalation_minutes"], 5);
        assert_eq!(json["speed_kmh"], 15.0);
        assert_eq!(json["stale_minutes"], 10);
        assert_eq!(json["incident_threshold"], 5);
        assert_eq!(serde_json::from_value::<ServicePolicy>(json.clone()).unwrap(), p);
        // A device that holds only the clock reads the same document (the
        // central's feed entry of kind `sla_policy`) as an `SlaPolicy`.
        assert_eq!(&serde_json::from_value::<SlaPolicy>(json.clone()).unwrap(), p.sla());
        assert_eq!(p.escalation(), SignedDuration::from_mins(5));
        assert_eq!(p.sla().response_minutes(TicketCategory::Payment), None);

        // A policy naming only one category lists them all once read.
        let mut short = json.clone();
        short["responses"] = serde_json::json!([{"category": "leak", "response_minutes": 20}]);
        let read: ServicePolicy = serde_json::from_value(short).unwrap();
        assert_eq!(read.sla().responses().len(), TicketCategory::ALL.len());
        assert_eq!(read.sla().response_minutes(TicketCategory::Leak), Some(20));
        assert_eq!(read.sla().response_minutes(TicketCategory::Valve), Some(30));

        let cases: [(&str, serde_json::Value, &str); 8] = [
            ("responses", serde_json::json!([{"category": "leak", "response_minutes": 0}]), "responses"),
            ("at_risk_minutes", serde_json::json!(0), "at_risk_minutes"),
            ("geofence_m", serde_json::json!(-1.0), "geofence_m"),
            ("escalation_minutes", serde_json::json!(0), "escalation_minutes"),
            ("speed_kmh", serde_json::json!(0.0), "speed_kmh"),
            ("speed_kmh", serde_json::json!(900.0), "speed_kmh"),
            ("stale_minutes", serde_json::json!(2000), "stale_minutes"),
            ("incident_threshold", serde_json::json!(0), "incident_threshold"),
        ];
        for (key, value, field) in cases {
            let mut bad = json.clone();
            bad[key] = value.clone();
            let wire: ServicePolicyWire = serde_json::from_value(bad).unwrap();
            let err = ServicePolicy::try_from(wire).unwrap_err();
            assert_eq!(err.field, field, "{key} = {value}: {err}");
        }
    }
}

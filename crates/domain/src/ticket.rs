//! Tickets (工单): a resident's problem reported to the hotline, dispatched to
//! a steward, and worked to the door within the response time.
//!
//! The state machine is a table of (state, action) → state. Every change is
//! an event (who, when, where); an action the table does not allow is a
//! typed error, never a silent no-op.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::geometry::LonLat;
use crate::ids::{EventId, HouseholdId, TicketId, UserId};
use crate::org::Role;

/// The response promise: a steward at the door within 30 minutes of the
/// hotline's report (一旦用户反映问题，半小时内到达用户现场).
pub const DEFAULT_RESPONSE_MINUTES: i64 = 30;

/// What the resident called about. The codes are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketCategory {
    /// No heat, or too cold (不热 / 温度低).
    NoHeat,
    /// A leak (漏水).
    Leak,
    /// Venting noise (排气噪声).
    VentingNoise,
    /// A valve problem (阀门).
    Valve,
    /// A request to suspend heating (报停).
    SuspensionRequest,
    /// Payment (缴费).
    Payment,
    /// Consultation (咨询).
    Consultation,
    /// A report of illegal heat use (违法用热举报).
    IllegalUseReport,
    Other,
}

impl TicketCategory {
    pub const ALL: [TicketCategory; 9] = [
        TicketCategory::NoHeat,
        TicketCategory::Leak,
        TicketCategory::VentingNoise,
        TicketCategory::Valve,
        TicketCategory::SuspensionRequest,
        TicketCategory::Payment,
        TicketCategory::Consultation,
        TicketCategory::IllegalUseReport,
        TicketCategory::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TicketCategory::NoHeat => "no_heat",
            TicketCategory::Leak => "leak",
            TicketCategory::VentingNoise => "venting_noise",
            TicketCategory::Valve => "valve",
            TicketCategory::SuspensionRequest => "suspension_request",
            TicketCategory::Payment => "payment",
            TicketCategory::Consultation => "consultation",
            TicketCategory::IllegalUseReport => "illegal_use_report",
            TicketCategory::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TicketCategory::NoHeat => "不热 / 温度低",
            TicketCategory::Leak => "漏水",
            TicketCategory::VentingNoise => "排气噪声",
            TicketCategory::Valve => "阀门",
            TicketCategory::SuspensionRequest => "报停申请",
            TicketCategory::Payment => "缴费",
            TicketCategory::Consultation => "咨询",
            TicketCategory::IllegalUseReport => "违法用热举报",
            TicketCategory::Other => "其他",
        }
    }

    /// Whether the ticket needs a steward at the door. Payment and
    /// consultation are answered without a visit.
    pub fn needs_visit(self) -> bool {
        !matches!(self, TicketCategory::Payment | TicketCategory::Consultation)
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    Dispatched,
    Accepted,
    EnRoute,
    OnSite,
    Resolved,
    Closed,
    Cancelled,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 8] = [
        TicketStatus::New,
        TicketStatus::Dispatched,
        TicketStatus::Accepted,
        TicketStatus::EnRoute,
        TicketStatus::OnSite,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Dispatched => "dispatched",
            TicketStatus::Accepted => "accepted",
            TicketStatus::EnRoute => "en_route",
            TicketStatus::OnSite => "on_site",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still waiting for work: the clock matters.
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::Cancelled)
    }
}

/// How a steward's arrival at the home is proven.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ArrivalProof {
    /// A GPS fix with its reported accuracy.
    Gps { at: LonLat, accuracy_m: f64 },
    /// The household's door or seal QR tag was scanned.
    TagScan { tag: String },
    /// The tag's text typed by hand (a smudged tag, a desktop): never
    /// verified, since an account number can be typed from anywhere.
    TagTyped { tag: String },
    /// Entered by hand (no GPS, e.g. on a desktop): never verified.
    Manual { reason: String },
}

/// Something done to a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketAction {
    /// The hotline or a team lead opened the ticket.
    Open,
    /// A team lead sent it to a steward.
    Dispatch {
        steward_id: UserId,
    },
    /// The steward took it.
    Accept,
    /// The steward is on the way.
    EnRoute,
    /// The steward is at the door.
    Arrive {
        proof: ArrivalProof,
    },
    /// The steward fixed or answered it.
    Resolve {
        note: String,
    },
    /// Done and checked (after the callback, or by the lead).
    Close,
    /// A team lead moved it to another steward.
    Reassign {
        steward_id: UserId,
        reason: String,
    },
    Cancel {
        reason: String,
    },
}

impl TicketAction {
    pub fn code(&self) -> &'static str {
        match self {
            TicketAction::Open => "open",
            TicketAction::Dispatch { .. } => "dispatch",
            TicketAction::Accept => "accept",
            TicketAction::EnRoute => "en_route",
            TicketAction::Arrive { .. } => "arrive",
            TicketAction::Resolve { .. } => "resolve",
            TicketAction::Close => "close",
            TicketAction::Reassign { .. } => "reassign",
            TicketAction::Cancel { .. } => "cancel",
        }
    }

    /// Actions only the assigned steward takes.
    fn is_field_action(&self) -> bool {
        matches!(
            self,
            TicketAction::Accept | TicketAction::EnRoute | TicketAction::Arrive { .. } | TicketAction::Resolve { .. }
        )
    }

    fn allowed_roles(&self) -> &'static [Role] {
        use Role::*;
        match self {
            TicketAction::Open => &[HotlineAgent, TeamLead, Admin],
            TicketAction::Dispatch { .. } | TicketAction::Reassign { .. } => &[TeamLead, Admin],
            TicketAction::Accept | TicketAction::EnRoute | TicketAction::Arrive { .. } => &[Steward],
            TicketAction::Resolve { .. } => &[Steward, TeamLead],
            TicketAction::Close => &[HotlineAgent, TeamLead, Admin],
            TicketAction::Cancel { .. } => &[HotlineAgent, TeamLead, Admin],
        }
    }
}

/// Who acts on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

/// Why a ticket action was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TicketError {
    #[error("a ticket in state {from:?} cannot take the action {action}")]
    IllegalTransition { from: TicketStatus, action: &'static str },
    #[error("the role {role:?} may not {action} a ticket")]
    RoleNotAllowed { role: Role, action: &'static str },
    #[error("only the assigned steward may {action} this ticket")]
    NotAssignee { action: &'static str },
    #[error("the ticket is already assigned to that steward")]
    SameSteward,
    #[error("a {0:?} ticket needs a visit before it is resolved")]
    NeedsVisit(TicketCategory),
    #[error("the event time is before the ticket's last event")]
    TimeBeforeLastEvent,
    #[error("the event time is before the hotline's report")]
    TimeBeforeReport,
    #[error("at {at}, before events recorded later, the action is not allowed: {cause}")]
    LateEventConflicts { at: Timestamp, cause: Box<TicketError> },
    #[error("{0}")]
    Field(#[from] crate::ground::FieldError),
}

/// One change of a ticket: who, when, where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub id: EventId,
    pub ticket_id: TicketId,
    /// 1 for the opening event, then one more per event.
    pub seq: u32,
    pub action: TicketAction,
    pub actor_id: UserId,
    pub actor_role: Role,
    pub at: Timestamp,
    pub location: Option<LonLat>,
    pub status_after: TicketStatus,
}

/// What the hotline knows when it opens a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTicket {
    pub id: TicketId,
    pub household_id: HouseholdId,
    pub category: TicketCategory,
    pub description: String,
    /// When the hotline took the report; the clock starts here.
    pub reported_at: Timestamp,
    /// The hotline system's own reference; the same reference opens the same
    /// ticket once.
    pub external_ref: Option<String>,
}

/// A ticket (工单) and its current state. Fields are read through getters;
/// state changes only through [`Ticket::apply`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    id: TicketId,
    household_id: HouseholdId,
    category: TicketCategory,
    description: String,
    status: TicketStatus,
    assignee: Option<UserId>,
    reported_at: Timestamp,
    due_at: Timestamp,
    external_ref: Option<String>,
    last_seq: u32,
    last_at: Timestamp,
}

impl Ticket {
    /// Opens a ticket with the default 30-minute response time.
    pub fn open(new: NewTicket, actor: Actor, event_id: EventId) -> Result<(Ticket, TicketEvent), TicketError> {
        Self::open_with_response(new, actor, event_id, SignedDuration::from_mins(DEFAULT_RESPONSE_MINUTES))
    }

    /// Opens a ticket due `response` after its report.
    pub fn open_with_response(
        new: NewTicket,
        actor: Actor,
        event_id: EventId,
        response: SignedDuration,
    ) -> Result<(Ticket, TicketEvent), TicketError> {
        let action = TicketAction::Open;
        if !action.allowed_roles().contains(&actor.role) {
            return Err(TicketError::RoleNotAllowed { role: actor.role, action: action.code() });
        }
        let description = crate::ground::required_text("description", &new.description, 2000)?;
        let due_at = new.reported_at.saturating_add(response).unwrap_or(new.reported_at);
        let ticket = Ticket {
            id: new.id,
            household_id: new.household_id,
            category: new.category,
            description,
            status: TicketStatus::New,
            assignee: None,
            reported_at: new.reported_at,
            due_at,
            external_ref: new.external_ref,
            last_seq: 1,
            last_at: new.reported_at,
        };
        let event = TicketEvent {
            id: event_id,
            ticket_id: ticket.id,
            seq: 1,
            action,
            actor_id: actor.user_id,
            actor_role: actor.role,
            at: new.reported_at,
            location: None,
            status_after: TicketStatus::New,
        };
        Ok((ticket, event))
    }

    /// The state an action leads to from `from`, or `None` when the table
    /// does not allow it.
    pub fn next_status(from: TicketStatus, action: &TicketAction, category: TicketCategory) -> Option<TicketStatus> {
        use TicketStatus::*;
        let to = match (from, action) {
            (New, TicketAction::Dispatch { .. }) => Dispatched,
            (Dispatched, TicketAction::Accept) => Accepted,
            (Accepted, TicketAction::EnRoute) => EnRoute,
            (Accepted | EnRoute, TicketAction::Arrive { .. }) => OnSite,
            (OnSite, TicketAction::Resolve { .. }) => Resolved,
            (Accepted, TicketAction::Resolve { .. }) if !category.needs_visit() => Resolved,
            (Resolved, TicketAction::Close) => Closed,
            (Dispatched | Accepted | EnRoute | OnSite, TicketAction::Reassign { .. }) => Dispatched,
            (New | Dispatched | Accepted | EnRoute | OnSite, TicketAction::Cancel { .. }) => Cancelled,
            _ => return None,
        };
        Some(to)
    }

    /// Applies an action and returns the event that records it. On error
    /// the ticket is unchanged.
    pub fn apply(
        &mut self,
        actor: Actor,
        action: TicketAction,
        at: Timestamp,
        location: Option<LonLat>,
        event_id: EventId,
    ) -> Result<TicketEvent, TicketError> {
        let code = action.code();
        if !action.allowed_roles().contains(&actor.role) {
            return Err(TicketError::RoleNotAllowed { role: actor.role, action: code });
        }
        if action.is_field_action() && actor.role == Role::Steward && self.assignee != Some(actor.user_id) {
            return Err(TicketError::NotAssignee { action: code });
        }
        if let TicketAction::Reassign { steward_id, .. } = &action
            && self.assignee == Some(*steward_id)
        {
            return Err(TicketError::SameSteward);
        }
        if at < self.last_at {
            return Err(TicketError::TimeBeforeLastEvent);
        }
        let to = match Self::next_status(self.status, &action, self.category) {
            Some(to) => to,
            None if matches!(action, TicketAction::Resolve { .. }) && self.status == TicketStatus::Accepted => {
                return Err(TicketError::NeedsVisit(self.category));
            }
            None => return Err(TicketError::IllegalTransition { from: self.status, action: code }),
        };
        match &action {
            TicketAction::Dispatch { steward_id } | TicketAction::Reassign { steward_id, .. } => {
                self.assignee = Some(*steward_id)
            }
            _ => {}
        }
        self.status = to;
        self.last_seq += 1;
        self.last_at = at;
        Ok(TicketEvent {
            id: event_id,
            ticket_id: self.id,
            seq: self.last_seq,
            action,
            actor_id: actor.user_id,
            actor_role: actor.role,
            at,
            location,
            status_after: to,
        })
    }

    /// Applies an action that may have happened before events already
    /// recorded: an action a steward made offline, synced hours later.
    ///
    /// The ordering rule: `seq` is the order the central received events
    /// in, and the ticket's life is its events in the order they happened,
    /// by `at` (the device's corrected time, see
    /// [`crate::sla::honest_time`]), ties by `seq`. An action at or after the
    /// last event is an ordinary [`Ticket::apply`]. An earlier one is
    /// accepted when the whole history, with it slotted in at its own time
    /// (after recorded events of the same instant), still passes the
    /// transition table, the roles and the assignee checks at every step;
    /// then it keeps its own `at`, gets the next `seq`, and the state is
    /// that of the replayed history. Otherwise it is refused as
    /// [`TicketError::LateEventConflicts`] and nothing changes. Every action
    /// leads to one state whatever the state before, so slotting an event in
    /// never changes the `status_after` of the events already recorded.
    ///
    /// `history` is the ticket's recorded events (any order); no event may
    /// predate the hotline's report.
    pub fn apply_with_history(
        &mut self,
        history: &[TicketEvent],
        actor: Actor,
        action: TicketAction,
        at: Timestamp,
        location: Option<LonLat>,
        event_id: EventId,
    ) -> Result<TicketEvent, TicketError> {
        if at < self.reported_at {
            return Err(TicketError::TimeBeforeReport);
        }
        if at >= self.last_at {
            return self.apply(actor, action, at, location, event_id);
        }
        let seq = self.last_seq.max(history.iter().map(|e| e.seq).max().unwrap_or(0)) + 1;
        let late = TicketEvent {
            id: event_id,
            ticket_id: self.id,
            seq,
            action,
            actor_id: actor.user_id,
            actor_role: actor.role,
            at,
            location,
            status_after: TicketStatus::New,
        };
        let mut timeline: Vec<&TicketEvent> =
            history.iter().filter(|e| !matches!(e.action, TicketAction::Open)).chain([&late]).collect();
        timeline.sort_by_key(|e| (e.at, e.seq));
        let mut replay = Ticket {
            status: TicketStatus::New,
            assignee: None,
            last_seq: 1,
            last_at: self.reported_at,
            ..self.clone()
        };
        let mut status_after = None;
        for e in timeline {
            let step = replay.apply(
                Actor { user_id: e.actor_id, role: e.actor_role },
                e.action.clone(),
                e.at,
                e.location,
                e.id,
            );
            match step {
                Ok(ev) if e.seq == seq => status_after = Some(ev.status_after),
                Ok(_) => {}
                Err(cause) => return Err(TicketError::LateEventConflicts { at, cause: Box::new(cause) }),
            }
        }
        let status_after = status_after.unwrap_or(replay.status);
        self.status = replay.status;
        self.assignee = replay.assignee;
        self.last_seq = seq;
        Ok(TicketEvent { status_after, ..late })
    }

    /// Rebuilds a ticket from its events, checking every step. The first
    /// event must be the opening one.
    pub fn replay(new: NewTicket, events: &[TicketEvent]) -> Result<Ticket, TicketError> {
        let (first, rest) =
            events.split_first().ok_or(TicketError::IllegalTransition { from: TicketStatus::New, action: "replay" })?;
        let opener = Actor { user_id: first.actor_id, role: first.actor_role };
        let (mut ticket, _) = Ticket::open(new, opener, first.id)?;
        for e in rest {
            ticket.apply(
                Actor { user_id: e.actor_id, role: e.actor_role },
                e.action.clone(),
                e.at,
                e.location,
                e.id,
            )?;
        }
        Ok(ticket)
    }

    pub fn id(&self) -> TicketId {
        self.id
    }
    pub fn household_id(&self) -> HouseholdId {
        self.household_id
    }
    pub fn category(&self) -> TicketCategory {
        self.category
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn status(&self) -> TicketStatus {
        self.status
    }
    pub fn assignee(&self) -> Option<UserId> {
        self.assignee
    }
    pub fn reported_at(&self) -> Timestamp {
        self.reported_at
    }
    pub fn due_at(&self) -> Timestamp {
        self.due_at
    }
    pub fn external_ref(&self) -> Option<&str> {
        self.external_ref.as_deref()
    }
    pub fn last_seq(&self) -> u32 {
        self.last_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }
    fn uid(n: u8) -> UserId {
        UserId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }
    fn eid(n: u8) -> EventId {
        EventId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
    }

    const HOTLINE: u8 = 1;
    const LEAD: u8 = 2;
    const STEWARD: u8 = 3;
    const OTHER: u8 = 4;

    fn actor(n: u8) -> Actor {
        let role = match n {
            HOTLINE => Role::HotlineAgent,
            LEAD => Role::TeamLead,
            _ => Role::Steward,
        };
        Actor { user_id: uid(n), role }
    }

    fn opened(category: TicketCategory) -> Ticket {
        let new = NewTicket {
            id: TicketId::new_v7(t("2026-11-20T00:00:00Z"), [9; 10]),
            household_id: HouseholdId::new_v7(Timestamp::UNIX_EPOCH, [8; 10]),
            category,
            description: "暖气不热".into(),
            reported_at: t("2026-11-20T00:00:00Z"),
            external_ref: Some("HL-1".into()),
        };
        Ticket::open(new, actor(HOTLINE), eid(0)).unwrap().0
    }

    #[test]
    fn due_thirty_minutes_after_report() {
        let tk = opened(TicketCategory::NoHeat);
        assert_eq!(tk.due_at(), t("2026-11-20T00:30:00Z"));
        assert_eq!(tk.status(), TicketStatus::New);
    }

    #[test]
    fn the_whole_happy_path_records_events_in_order() {
        let mut tk = opened(TicketCategory::NoHeat);
        let here = LonLat::new(117.15, 37.31).unwrap();
        let steps = [
            (LEAD, TicketAction::Dispatch { steward_id: uid(STEWARD) }, TicketStatus::Dispatched),
            (STEWARD, TicketAction::Accept, TicketStatus::Accepted),
            (STEWARD, TicketAction::EnRoute, TicketStatus::EnRoute),
            (
                STEWARD,
                TicketAction::Arrive { proof: ArrivalProof::Gps { at: here, accuracy_m: 8.0 } },
                TicketStatus::OnSite,
            ),
            (STEWARD, TicketAction::Resolve { note: "排气后恢复".into() }, TicketStatus::Resolved),
            (HOTLINE, TicketAction::Close, TicketStatus::Closed),
        ];
        for (i, (who, action, want)) in steps.into_iter().enumerate() {
            let at = t("2026-11-20T00:01:00Z").saturating_add(SignedDuration::from_mins(i as i64)).unwrap();
            let ev = tk.apply(actor(who), action, at, Some(here), eid(i as u8 + 1)).unwrap();
            assert_eq!(ev.status_after, want);
            assert_eq!(ev.seq, i as u32 + 2);
            assert_eq!(tk.status(), want);
        }
    }

    #[test]
    fn illegal_transitions_are_typed_errors_and_change_nothing() {
        let mut tk = opened(TicketCategory::Leak);
        let before = tk.clone();
        let at = t("2026-11-20T00:05:00Z");
        let err = tk.apply(actor(STEWARD), TicketAction::Accept, at, None, eid(1)).unwrap_err();
        assert_eq!(err, TicketError::NotAssignee { action: "accept" });
        let err = tk.apply(actor(LEAD), TicketAction::Close, at, None, eid(1)).unwrap_err();
        assert_eq!(err, TicketError::IllegalTransition { from: TicketStatus::New, action: "close" });
        let err = tk.apply(actor(STEWARD), TicketAction::Dispatch { steward_id: uid(STEWARD) }, at, None, eid(1));
        assert_eq!(err.unwrap_err(), TicketError::RoleNotAllowed { role: Role::Steward, action: "dispatch" });
        assert_eq!(tk, before);
    }

    #[test]
    fn reassignment_moves_the_ticket_and_locks_out_the_old_steward() {
        let mut tk = opened(TicketCategory::NoHeat);
        let at = t("2026-11-20T00:02:00Z");
        tk.apply(actor(LEAD), TicketAction::Dispatch { steward_id: uid(STEWARD) }, at, None, eid(1)).unwrap();
        tk.apply(actor(STEWARD), TicketAction::Accept, at, None, eid(2)).unwrap();
        let same = TicketAction::Reassign { steward_id: uid(STEWARD), reason: "x".into() };
        assert_eq!(tk.apply(actor(LEAD), same, at, None, eid(3)).unwrap_err(), TicketError::SameSteward);
        let to_other = TicketAction::Reassign { steward_id: uid(OTHER), reason: "更近".into() };
        tk.apply(actor(LEAD), to_other, at, None, eid(3)).unwrap();
        assert_eq!(tk.status(), TicketStatus::Dispatched);
        assert_eq!(tk.assignee(), Some(uid(OTHER)));
        let err = tk.apply(actor(STEWARD), TicketAction::Accept, at, None, eid(4)).unwrap_err();
        assert_eq!(err, TicketError::NotAssignee { action: "accept" });
        tk.apply(actor(OTHER), TicketAction::Accept, at, None, eid(4)).unwrap();
    }

    #[test]
    fn consultation_resolves_without_a_visit_but_a_leak_does_not() {
        let at = t("2026-11-20T00:03:00Z");
        for (cat, ok) in [(TicketCategory::Consultation, true), (TicketCategory::Leak, false)] {
            let mut tk = opened(cat);
            tk.apply(actor(LEAD), TicketAction::Dispatch { steward_id: uid(STEWARD) }, at, None, eid(1)).unwrap();
            tk.apply(actor(STEWARD), TicketAction::Accept, at, None, eid(2)).unwrap();
            let r = tk.apply(actor(STEWARD), TicketAction::Resolve { note: "已答复".into() }, at, None, eid(3));
            assert_eq!(r.is_ok(), ok, "{cat:?}");
            if !ok {
                assert_eq!(r.unwrap_err(), TicketError::NeedsVisit(cat));
            }
        }
    }

    #[test]
    fn cancelled_and_closed_tickets_take_no_more_actions() {
        let at = t("2026-11-20T00:03:00Z");
        let mut tk = opened(TicketCategory::Valve);
        tk.apply(actor(HOTLINE), TicketAction::Cancel { reason: "用户撤销".into() }, at, None, eid(1)).unwrap();
        assert!(!tk.status().is_open());
        let err = tk.apply(actor(LEAD), TicketAction::Dispatch { steward_id: uid(STEWARD) }, at, None, eid(2));
        assert!(matches!(err, Err(TicketError::IllegalTransition { from: TicketStatus::Cancelled, .. })));
    }

    #[test]
    fn events_cannot_go_back_in_time_and_replay_rebuilds() {
        let mut tk = opened(TicketCategory::NoHeat);
        let early = t("2026-11-19T23:00:00Z");
        let r = tk.apply(actor(LEAD), TicketAction::Dispatch { steward_id: uid(STEWARD) }, early, None, eid(1));
        assert_eq!(r.unwrap_err(), TicketError::TimeBeforeLastEvent);

        let new = NewTicket {
            id: tk.id(),
            household_id: tk.household_id(),
            category: tk.category(),
            description: tk.description().into(),
            reported_at: tk.reported_at(),
            external_ref: None,
        };
        let (_, first) = Ticket::open(new.clone(), actor(HOTLINE), eid(0)).unwrap();
        let at = t("2026-11-20T00:04:00Z");
        let second =
            tk.apply(actor(LEAD), TicketAction::Dispatch { steward_id: uid(STEWARD) }, at, None, eid(1)).unwrap();
        let rebuilt = Ticket::replay(new, &[first, second]).unwrap();
        assert_eq!(rebuilt.status(), TicketStatus::Dispatched);
        assert_eq!(rebuilt.assignee(), Some(uid(STEWARD)));
    }

    #[test]
    fn category_codes_round_trip() {
        for c in TicketCategory::ALL {
            assert_eq!(TicketCategory::from_code(c.code()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.code()));
        }
        assert_eq!(TicketCategory::from_code("broken"), None);
    }
}

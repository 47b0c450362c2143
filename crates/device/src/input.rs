//! What the UI sends, checked: ids, times and inspection records parsed
//! into domain values, and the error the UI gets when they are refused.

use jiff::Timestamp;
use steward_domain::ground::{FieldError, SealNo, ValveState};
use steward_domain::visit::{Evidence, IllegalUseFinding, InspectionRecord, VisitError};
use steward_store::StoreError;

use crate::DeviceError;
use crate::dto::{RecordDto, ValveDto, ValveStateDto};

/// Why an action from the UI was refused or failed. Every variant has a
/// stable [`code`](InputError::code) the UI branches on (the visit form
/// marks the field) and a message it can show.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("{field} {value:?} is not a valid id")]
    BadId { field: &'static str, value: String },
    #[error("{field} {value:?} is not an RFC 3339 time")]
    BadTime { field: &'static str, value: String },
    #[error("a sealed valve needs its seal number")]
    SealRequired,
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Visit(#[from] VisitError),
    #[error(transparent)]
    Card(#[from] crate::card::CardError),
    #[error("no {entity} {id} on this device")]
    NotFound { entity: &'static str, id: String },
    #[error(transparent)]
    Ticket(#[from] steward_domain::ticket::TicketError),
    #[error("this device has no location fix: scan the door tag or enter the location by hand")]
    NoLocationFix,
    #[error("{0} is required")]
    Required(&'static str),
    #[error("({lon}, {lat}) is not a position")]
    BadLocation { lon: f64, lat: f64 },
    #[error("{message}")]
    SignIn { code: &'static str, message: String },
}

impl From<StoreError> for InputError {
    fn from(e: StoreError) -> Self {
        InputError::Device(DeviceError::Store(e))
    }
}

impl InputError {
    /// A stable code the UI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Device(e) => e.code(),
            InputError::BadId { .. } => "bad_id",
            InputError::BadTime { .. } => "bad_time",
            InputError::SealRequired => "seal_required",
            InputError::Field(FieldError::SealNo(_)) => "bad_seal_no",
            InputError::Field(_) => "invalid_field",
            InputError::Visit(VisitError::Empty) => "empty_visit",
            InputError::Visit(_) => "invalid_visit",
            InputError::Card(crate::card::CardError::NoMobile) => "no_mobile",
            InputError::Card(crate::card::CardError::Qr(_)) => "qr",
            InputError::Card(crate::card::CardError::NotAnImage) => "not_an_image",
            InputError::Card(crate::card::CardError::PhotoTooLarge(_)) => "photo_too_large",
            InputError::NotFound { .. } => "not_found",
            InputError::Ticket(e) => ticket_code(e),
            InputError::NoLocationFix => "no_location_fix",
            InputError::Required(_) => "required",
            InputError::BadLocation { .. } => "bad_location",
            InputError::SignIn { code, .. } => code,
        }
    }
}

fn ticket_code(e: &steward_domain::ticket::TicketError) -> &'static str {
    use steward_domain::ticket::TicketError;
    match e {
        TicketError::IllegalTransition { .. } => "illegal_transition",
        TicketError::NotAssignee { .. } => "not_assignee",
        TicketError::NeedsVisit(_) => "needs_visit",
        TicketError::TimeBeforeLastEvent => "time_before_last_event",
        // Role, reassignment and text checks: a steward's own actions do not
        // meet them, and the UI does not branch on them.
        _ => "invalid_ticket_action",
    }
}

/// Parses an id sent by the UI.
pub fn parse_id<T: std::str::FromStr>(field: &'static str, value: &str) -> Result<T, InputError> {
    value.parse().map_err(|_| InputError::BadId { field, value: value.to_owned() })
}

/// Parses a time sent by the UI.
pub fn parse_time(field: &'static str, value: &str) -> Result<Timestamp, InputError> {
    value.parse().map_err(|_| InputError::BadTime { field, value: value.to_owned() })
}

/// The domain valve state of a form's valve: a sealed valve needs a seal number.
pub fn valve_state(v: &ValveDto) -> Result<ValveState, InputError> {
    let seal = v.seal_no.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (v.state, seal) {
        (ValveStateDto::Open, _) => Ok(ValveState::Open),
        (ValveStateDto::Closed, _) => Ok(ValveState::Closed),
        (ValveStateDto::Sealed, None) => Err(InputError::SealRequired),
        (ValveStateDto::Sealed, Some(seal)) => Ok(ValveState::Sealed { seal_no: SealNo::parse(seal)? }),
    }
}

/// The domain record of a form's record. The domain's own checks (evidence
/// for every finding, a plausible temperature, …) run when it is added to
/// the draft.
pub fn inspection_record(r: &RecordDto) -> Result<InspectionRecord, InputError> {
    Ok(match r {
        RecordDto::SuspensionValveClosure { valve } => {
            InspectionRecord::SuspensionValveClosure { valve: valve_state(valve)?, photos: Vec::new() }
        }
        RecordDto::NewHousehold { outside_pipes_ok, valve_opened, filter_reminder_given } => {
            InspectionRecord::NewHousehold {
                outside_pipes_ok: *outside_pipes_ok,
                valve_opened: *valve_opened,
                filter_reminder_given: *filter_reminder_given,
            }
        }
        RecordDto::IllegalUseCheck { findings } => InspectionRecord::IllegalUseCheck {
            findings: findings
                .iter()
                .map(|f| IllegalUseFinding {
                    category: f.category.to_domain(),
                    evidence: Evidence { photos: Vec::new(), note: f.note.trim().to_owned() },
                })
                .collect(),
        },
        RecordDto::LeakCheck { leak_found, resident_present, valve_closed, note } => InspectionRecord::LeakCheck {
            leak_found: *leak_found,
            resident_present: *resident_present,
            valve_closed: *valve_closed,
            note: note.trim().to_owned(),
        },
        RecordDto::IndoorTemperature { celsius, room, measured_at } => InspectionRecord::IndoorTemperature {
            celsius: *celsius,
            room: room.trim().to_owned(),
            measured_at: parse_time("measured_at", measured_at)?,
        },
        RecordDto::RoutineService { note } => InspectionRecord::RoutineService { note: note.trim().to_owned() },
        RecordDto::LeafletHandedOver { title } => {
            InspectionRecord::LeafletHandedOver { title: title.trim().to_owned() }
        }
        RecordDto::ContactCardHandedOver => InspectionRecord::ContactCardHandedOver,
        RecordDto::ResidentConfirmation { confirmed_by } => {
            InspectionRecord::ResidentConfirmation { confirmed_by: confirmed_by.trim().to_owned(), signature: None }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_valve_without_a_seal_number_is_refused() {
        let blank = ValveDto { state: ValveStateDto::Sealed, seal_no: Some("  ".into()) };
        assert_eq!(valve_state(&blank).unwrap_err().code(), "seal_required");
        let none = ValveDto { state: ValveStateDto::Sealed, seal_no: None };
        assert_eq!(valve_state(&none).unwrap_err().code(), "seal_required");
        let bad = ValveDto { state: ValveStateDto::Sealed, seal_no: Some("铅封 1".into()) };
        assert_eq!(valve_state(&bad).unwrap_err().code(), "bad_seal_no");
        let good = ValveDto { state: ValveStateDto::Sealed, seal_no: Some(" SH-0042 ".into()) };
        assert_eq!(valve_state(&good).unwrap(), ValveState::Sealed { seal_no: SealNo::parse("SH-0042").unwrap() });
    }

    #[test]
    fn every_record_kind_round_trips_through_the_domain() {
        let records = [
            RecordDto::SuspensionValveClosure { valve: ValveDto { state: ValveStateDto::Closed, seal_no: None } },
            RecordDto::NewHousehold { outside_pipes_ok: true, valve_opened: true, filter_reminder_given: true },
            RecordDto::IllegalUseCheck { findings: Vec::new() },
            RecordDto::LeakCheck { leak_found: false, resident_present: true, valve_closed: false, note: "无".into() },
            RecordDto::IndoorTemperature {
                celsius: 19.5,
                room: "客厅".into(),
                measured_at: "2026-11-26T01:00:00Z".into(),
            },
            RecordDto::RoutineService { note: "讲解用热知识".into() },
            RecordDto::LeafletHandedOver { title: "《用热知识》".into() },
            RecordDto::ContactCardHandedOver,
            RecordDto::ResidentConfirmation { confirmed_by: "王秀英".into() },
        ];
        for record in records {
            let domain = inspection_record(&record).unwrap();
            assert_eq!(RecordDto::from(&domain), record);
        }
    }
}

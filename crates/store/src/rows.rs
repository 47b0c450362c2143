//! Reading domain values back from rows.

use rusqlite::Row;
use steward_domain::ground::{AccountNo, AreaM2, HeatingStatus, Household, PhoneNumber, SealNo, ValveState};
use steward_domain::ticket::Ticket;
use steward_domain::visit::{CompletedVisit, InspectionRecord, VisitDraft};

use crate::codec::{col, location_col, opt_col, ts_col};
use crate::error::{Result, StoreError};

/// The household columns [`household`] reads, for `SELECT` lists over
/// `households h`.
pub(crate) const HOUSEHOLD_COLS: &str = "h.id, h.account_no, h.district_id, h.community_id, h.building_id, h.unit_id, \
     h.room, h.resident_name, h.phone, h.heated_area, h.status, h.valve, h.seal_no";

fn invalid(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("{what}: {e}"))
}

pub(crate) fn status(code: &str) -> Result<HeatingStatus> {
    HeatingStatus::from_code(code).ok_or_else(|| invalid("heating status", code))
}

/// A valve state from its code and seal number.
pub(crate) fn valve(code: &str, seal_no: Option<&str>) -> Result<ValveState> {
    match (code, seal_no) {
        ("open", _) => Ok(ValveState::Open),
        ("closed", _) => Ok(ValveState::Closed),
        ("sealed", Some(seal)) => {
            Ok(ValveState::Sealed { seal_no: SealNo::parse(seal).map_err(|e| invalid("seal", e))? })
        }
        _ => Err(invalid("valve state", code)),
    }
}

/// A domain household from a row selected with [`HOUSEHOLD_COLS`].
pub(crate) fn household(row: &Row<'_>) -> Result<Household> {
    let account: String = row.get("account_no")?;
    let phone: String = row.get("phone")?;
    let status_code: String = row.get("status")?;
    let valve_code: String = row.get("valve")?;
    let seal_no: Option<String> = row.get("seal_no")?;
    Ok(Household {
        id: col(row, "id")?,
        account_no: AccountNo::parse(&account).map_err(|e| invalid("account number", e))?,
        district_id: col(row, "district_id")?,
        community_id: col(row, "community_id")?,
        building_id: col(row, "building_id")?,
        unit_id: col(row, "unit_id")?,
        room: row.get("room")?,
        resident_name: row.get("resident_name")?,
        phone: PhoneNumber::parse(&phone).map_err(|e| invalid("phone", e))?,
        heated_area: AreaM2::parse(row.get("heated_area")?).map_err(|e| invalid("heated area", e))?,
        status: status(&status_code)?,
        valve: valve(&valve_code, seal_no.as_deref())?,
    })
}

/// The visit columns [`visit`] reads.
pub(crate) const VISIT_COLS: &str = "v.id, v.household_id, v.steward_id, v.ticket_id, v.started_at, v.completed_at, v.corrects, v.location, v.records_json";

/// A completed visit from its row, through the domain's own checks.
pub(crate) fn visit(row: &Row<'_>) -> Result<CompletedVisit> {
    let records_json: String = row.get("records_json")?;
    let records: Vec<InspectionRecord> = serde_json::from_str(&records_json)?;
    let draft = VisitDraft {
        id: col(row, "id")?,
        household_id: col(row, "household_id")?,
        steward_id: col(row, "steward_id")?,
        ticket_id: opt_col(row, "ticket_id")?,
        started_at: ts_col(row, "started_at")?,
        location: location_col(row, "location")?,
        corrects: opt_col(row, "corrects")?,
        records,
    };
    draft.complete(ts_col(row, "completed_at")?).map_err(|e| invalid("stored visit", e))
}

/// A ticket from its `ticket_json` column.
pub(crate) fn ticket(row: &Row<'_>) -> Result<Ticket> {
    let json: String = row.get("ticket_json")?;
    Ok(serde_json::from_str(&json)?)
}

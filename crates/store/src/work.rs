//! Today's work (今日工作) for a steward: open tickets and the households
//! that need a visit, in the order to walk them.

use jiff::Timestamp;
use rusqlite::params;
use serde::Serialize;
use steward_domain::ground::{HeatingStatus, ValveState, format_address};
use steward_domain::ids::{HouseholdId, UserId};
use steward_domain::ticket::{Ticket, TicketStatus};

use crate::codec::{col, to_u32, ts_text};
use crate::error::Result;
use crate::{Store, rows};

/// What a steward has to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkList {
    /// Open tickets assigned to the steward, soonest due first.
    pub tickets: Vec<TicketTask>,
    /// Households in the steward's districts that need a visit, in walking
    /// order (community → building → unit → room).
    pub households: Vec<HouseholdTask>,
    /// Visits the steward completed within the day.
    pub visits_done: u32,
}

/// An open ticket with where to go.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketTask {
    pub ticket: Ticket,
    pub resident_name: String,
    pub address: String,
}

/// Why a household is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskReason {
    /// 报停: suspended, but the valve is not sealed yet.
    SealSuspended,
    /// 新用户: new, but the valve is not open yet.
    OpenNewValve,
}

/// A household that needs a visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdTask {
    pub id: HouseholdId,
    pub account_no: String,
    pub resident_name: String,
    pub address: String,
    pub community: String,
    pub status: HeatingStatus,
    pub valve: ValveState,
    pub reason: TaskReason,
    /// Visited within the day already (nobody home, or the job unfinished).
    pub visited_today: bool,
}

/// The `IN (...)` list of open ticket status codes.
fn open_status_list() -> String {
    let codes: Vec<String> =
        TicketStatus::ALL.into_iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.code())).collect();
    codes.join(", ")
}

const ADDRESS_JOINS: &str = "JOIN communities c ON c.id = h.community_id JOIN buildings b ON b.id = h.building_id \
     JOIN units u ON u.id = h.unit_id";

/// Must match the WHERE of the `households_needing_visit` index.
const NEEDS_VISIT: &str =
    "((h.status = 'suspended' AND h.valve <> 'sealed') OR (h.status = 'new' AND h.valve <> 'open'))";

fn address(row: &rusqlite::Row<'_>) -> Result<String> {
    let community: String = row.get("community")?;
    let building_no = to_u32("building number", row.get("building_no")?)?;
    let unit_no = to_u32("unit number", row.get("unit_no")?)?;
    Ok(format_address(&community, building_no, unit_no, &row.get::<_, String>("room")?))
}

impl Store {
    /// The steward's work for the day `[day_start, day_end)`: open tickets
    /// assigned to them by due time, and the households of their districts
    /// that need a visit (suspended and not sealed, new and not open) in
    /// walking order.
    pub fn todays_work(&self, steward: UserId, day_start: Timestamp, day_end: Timestamp) -> Result<WorkList> {
        let steward = steward.to_string();
        let (start, end) = (ts_text(day_start), ts_text(day_end));
        Ok(WorkList {
            tickets: self.ticket_tasks(&steward)?,
            households: self.household_tasks(&steward, &start, &end)?,
            visits_done: self.visits_done(&steward, &start, &end)?,
        })
    }

    /// The steward's planned visits of sweep campaigns (专项排查) whose
    /// household is on the device, in walking order (building by building),
    /// each done, open or overdue at `now` (the server-corrected time).
    pub fn planned_tasks(&self, steward: UserId, now: Timestamp) -> Result<Vec<crate::PlannedTask>> {
        crate::planned::tasks(&self.conn, &steward.to_string(), now)
    }

    /// A fingerprint of the steward's planned visits as the feed left them
    /// (`<sweep id>:<household id>@<deadline>` each): changes when a pull
    /// brings, removes or re-dates one.
    pub fn planned_fingerprints(&self, steward: UserId) -> Result<Vec<String>> {
        crate::planned::fingerprints(&self.conn, &steward.to_string())
    }

    fn ticket_tasks(&self, steward: &str) -> Result<Vec<TicketTask>> {
        let sql = format!(
            "SELECT t.ticket_json, h.resident_name, h.room, c.name AS community, b.number AS building_no, \
             u.number AS unit_no FROM tickets t JOIN households h ON h.id = t.household_id {ADDRESS_JOINS} \
             WHERE t.assignee = ?1 AND t.status IN ({}) ORDER BY t.due_at, t.id",
            open_status_list()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([steward])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(TicketTask {
                ticket: rows::ticket(row)?,
                resident_name: row.get("resident_name")?,
                address: address(row)?,
            });
        }
        Ok(out)
    }

    fn household_tasks(&self, steward: &str, start: &str, end: &str) -> Result<Vec<HouseholdTask>> {
        let sql = format!(
            "SELECT h.id, h.account_no, h.resident_name, h.room, h.status, h.valve, h.seal_no, \
             c.name AS community, b.number AS building_no, u.number AS unit_no, \
             EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.completed_at >= ?2 \
               AND v.completed_at < ?3) AS visited_today \
             FROM households h {ADDRESS_JOINS} \
             WHERE {NEEDS_VISIT} AND h.district_id IN (SELECT id FROM districts WHERE steward_id = ?1) \
             ORDER BY h.walk_key, h.rid"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![steward, start, end])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let status = rows::status(&row.get::<_, String>("status")?)?;
            let seal: Option<String> = row.get("seal_no")?;
            out.push(HouseholdTask {
                id: col(row, "id")?,
                account_no: row.get("account_no")?,
                resident_name: row.get("resident_name")?,
                address: address(row)?,
                community: row.get("community")?,
                status,
                valve: rows::valve(&row.get::<_, String>("valve")?, seal.as_deref())?,
                reason: if status == HeatingStatus::Suspended {
                    TaskReason::SealSuspended
                } else {
                    TaskReason::OpenNewValve
                },
                visited_today: row.get("visited_today")?,
            });
        }
        Ok(out)
    }

    fn visits_done(&self, steward: &str, start: &str, end: &str) -> Result<u32> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT count(*) FROM visits WHERE steward_id = ?1 AND completed_at >= ?2 AND completed_at < ?3",
        )?;
        let n: i64 = stmt.query_row(params![steward, start, end], |row| row.get(0))?;
        to_u32("visit count", n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_statuses_are_the_domain_open_ones() {
        assert_eq!(open_status_list(), "'new', 'dispatched', 'accepted', 'en_route', 'on_site'");
    }

    #[test]
    fn households_needing_a_visit_come_from_the_partial_index() {
        let store = Store::open_in_memory().unwrap();
        let sql = format!("SELECT h.rid FROM households h WHERE {NEEDS_VISIT} ORDER BY h.walk_key, h.rid");
        let plan = crate::query_plan(&store, &sql);
        assert!(plan.iter().any(|s| s.contains("households_needing_visit")), "{plan:?}");
    }
}

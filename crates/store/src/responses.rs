//! Response times (响应时间) of the tickets on the device: from the hotline's
//! report to the first arrival at the door, for the SLA dashboard's
//! distribution. A lead's device holds the team's tickets once synced.

use jiff::Timestamp;

use crate::Store;
use crate::codec::parse_ts;
use crate::error::Result;

/// One ticket's response: who arrived and how long after the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResponseTime {
    pub ticket_id: String,
    /// The steward who arrived.
    pub steward_id: String,
    pub reported_at: Timestamp,
    /// Seconds from the report to the first arrival; never negative.
    pub seconds: f64,
}

impl Store {
    /// The response of every ticket on the device reported in `[from, to)`
    /// that has an arrival, oldest report first.
    pub fn response_times(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ResponseTime>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, t.reported_at, e.at, e.actor_id FROM tickets t \
             JOIN ticket_events e ON e.ticket_id = t.id AND e.action = 'arrive' \
             WHERE t.reported_at >= ?1 AND t.reported_at < ?2 \
               AND e.seq = (SELECT min(seq) FROM ticket_events f WHERE f.ticket_id = t.id AND f.action = 'arrive') \
             ORDER BY t.reported_at, t.id",
        )?;
        let mut rows = stmt.query([crate::codec::ts_text(from), crate::codec::ts_text(to)])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let reported_at = parse_ts(&row.get::<_, String>(1)?)?;
            let arrived_at = parse_ts(&row.get::<_, String>(2)?)?;
            let seconds = (arrived_at.as_millisecond() - reported_at.as_millisecond()).max(0) as f64 / 1000.0;
            out.push(ResponseTime { ticket_id: row.get(0)?, steward_id: row.get(3)?, reported_at, seconds });
        }
        Ok(out)
    }
}

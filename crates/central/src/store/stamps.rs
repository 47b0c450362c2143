//! The device stamps of applied mutations (`mutation_stamps`).

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{Db, Result, Tx};

/// What the central keeps of a mutation's device stamp. Times are
/// milliseconds since the UNIX epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampRow {
    pub mutation_id: Uuid,
    pub device_id: Option<Uuid>,
    pub device_seq: Option<i64>,
    pub device_time_ms: Option<i64>,
    pub corrected_ms: Option<i64>,
    /// How the honest time was reached: `wall_offset` (the device's own
    /// correction), `upload_offset` (corrected by the server with the
    /// push's send time), or `device_wall` (uncorrected: nothing to go by).
    pub basis: String,
    pub honest_ms: i64,
    pub received_ms: i64,
}

impl Tx<'_> {
    /// Keeps the stamp of a mutation applied in this transaction.
    pub fn record_stamp(&self, s: &StampRow) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO mutation_stamps (mutation_id, device_id, device_seq, device_time_ms, corrected_ms, basis, \
                 honest_ms, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (mutation_id) DO NOTHING",
            )?
            .execute(params![
                s.mutation_id.to_string(),
                s.device_id.map(|d| d.to_string()),
                s.device_seq,
                s.device_time_ms,
                s.corrected_ms,
                s.basis,
                s.honest_ms,
                s.received_ms
            ])?;
        Ok(())
    }
}

impl Db<'_> {
    /// The stamp kept for a mutation, if it had one applied.
    pub fn mutation_stamp(&self, mutation_id: Uuid) -> Result<Option<StampRow>> {
        let row = self
            .0
            .prepare_cached(
                "SELECT device_id, device_seq, device_time_ms, corrected_ms, basis, honest_ms, received_ms \
                 FROM mutation_stamps WHERE mutation_id = ?1",
            )?
            .query_row([mutation_id.to_string()], |r| {
                Ok(StampRow {
                    mutation_id,
                    device_id: r.get::<_, Option<String>>(0)?.and_then(|d| d.parse().ok()),
                    device_seq: r.get(1)?,
                    device_time_ms: r.get(2)?,
                    corrected_ms: r.get(3)?,
                    basis: r.get(4)?,
                    honest_ms: r.get(5)?,
                    received_ms: r.get(6)?,
                })
            })
            .optional()?;
        Ok(row)
    }
}

//! Mutations the server refused (需处理). A refused mutation leaves the
//! outbox, so the queue behind it moves on, and waits here with the server's
//! reason; its field data (the visit row, the payload) is kept.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use steward_domain::ids::MutationId;

use crate::codec::to_u64;
use crate::error::Result;
use crate::outbox::{OutboxEntry, entry};
use crate::{Store, tickets};

/// A refused mutation and the server's reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedsAttention {
    pub entry: OutboxEntry,
    /// The server's error code, e.g. `reassigned` or `not_found`.
    pub code: String,
    pub message: String,
}

impl Store {
    /// Moves an outbox entry to the needs-attention list with the server's
    /// reason, in one transaction. Returns whether an entry moved: an id no
    /// longer in the outbox (a repeated answer) changes nothing.
    ///
    /// A refused ticket action no longer stands: once no other local action
    /// of the ticket waits, the ticket goes back to the server's last copy.
    /// A refused visit stays recorded (field evidence is kept).
    pub fn reject(&mut self, mutation_id: MutationId, code: &str, message: &str) -> Result<bool> {
        let tx = self.write_tx()?;
        let id = mutation_id.to_string();
        let moved = tx
            .prepare_cached(
                "INSERT INTO needs_attention (mutation_id, seq, lane, entity, entity_id, op, payload, device_time, \
                 code, message) SELECT mutation_id, seq, lane, entity, entity_id, op, payload, device_time, ?2, ?3 \
                 FROM outbox WHERE mutation_id = ?1 ON CONFLICT (mutation_id) DO NOTHING",
            )?
            .execute(params![id, code, message])?;
        let entity: Option<(String, String)> = tx
            .prepare_cached("SELECT entity, entity_id FROM outbox WHERE mutation_id = ?1")?
            .query_row([&id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        tx.prepare_cached("DELETE FROM outbox WHERE mutation_id = ?1")?.execute([&id])?;
        if let Some((entity, entity_id)) = entity
            && entity == tickets::ENTITY
        {
            tickets::restore_server_copy(&tx, &entity_id)?;
        }
        tx.commit()?;
        self.committed();
        Ok(moved > 0)
    }

    /// The refused mutations, in the order they were refused.
    pub fn needs_attention(&self) -> Result<Vec<NeedsAttention>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, mutation_id, lane, entity, entity_id, op, payload, device_time, device_seq, \
             corrected_time, time_basis, code, message \
             FROM needs_attention ORDER BY rowid",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(NeedsAttention { entry: entry(row)?, code: row.get("code")?, message: row.get("message")? });
        }
        Ok(out)
    }

    /// How many refused mutations wait for the steward.
    pub fn needs_attention_count(&self) -> Result<u64> {
        let n: i64 = self.conn.prepare_cached("SELECT count(*) FROM needs_attention")?.query_row([], |r| r.get(0))?;
        Ok(to_u64(n))
    }
}

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

    /// The steward has seen a refused mutation and lets it go: it leaves the
    /// needs-attention list. The record it carried stays on the device (a
    /// refused visit is still field evidence). Returns whether it was there.
    pub fn dismiss_rejected(&mut self, mutation_id: MutationId) -> Result<bool> {
        let tx = self.write_tx()?;
        let gone = tx
            .prepare_cached("DELETE FROM needs_attention WHERE mutation_id = ?1")?
            .execute([mutation_id.to_string()])?;
        tx.commit()?;
        self.committed();
        Ok(gone > 0)
    }

    /// Sends a refused mutation again: it goes back to the end of the
    /// outbox under the same mutation id (the server never applied it, so
    /// the id is still free) with its device stamp, and leaves the
    /// needs-attention list, in one transaction. Returns whether it was there.
    pub fn retry_rejected(&mut self, mutation_id: MutationId) -> Result<bool> {
        let tx = self.write_tx()?;
        let id = mutation_id.to_string();
        let moved = tx
            .prepare_cached(
                "INSERT INTO outbox (mutation_id, lane, entity, entity_id, op, payload, device_time, device_seq, \
                 corrected_time, time_basis) SELECT mutation_id, lane, entity, entity_id, op, payload, device_time, \
                 device_seq, corrected_time, time_basis FROM needs_attention \
                 WHERE mutation_id = ?1 ON CONFLICT (mutation_id) DO NOTHING",
            )?
            .execute([&id])?;
        let gone = tx.prepare_cached("DELETE FROM needs_attention WHERE mutation_id = ?1")?.execute([&id])?;
        tx.commit()?;
        self.committed();
        Ok(moved > 0 || gone > 0)
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use steward_domain::ids::MutationId;

    use crate::Store;

    fn queued(store: &mut Store, n: u8) -> MutationId {
        let id = MutationId::new_v7(Timestamp::UNIX_EPOCH, [n; 10]);
        let tx = store.write_tx().unwrap();
        let meta = crate::outbox::MutationMeta { mutation_id: id, device_time: Timestamp::UNIX_EPOCH };
        let entry = crate::outbox::NewEntry {
            lane: crate::outbox::Lane::Bulk,
            entity: "visit",
            entity_id: format!("v{n}"),
            op: "record",
            payload: "{}".into(),
        };
        crate::outbox::append(&tx, &meta, entry).unwrap();
        tx.commit().unwrap();
        id
    }

    #[test]
    fn a_refused_mutation_is_retried_or_dismissed() {
        let mut store = Store::open_in_memory().unwrap();
        let (a, b) = (queued(&mut store, 1), queued(&mut store, 2));
        let stamp_of_a = store.pending(None, 10).unwrap()[0].stamp;
        assert!(stamp_of_a.is_some());
        assert!(store.reject(a, "not_found", "household not found").unwrap());
        assert!(store.reject(b, "reassigned", "ticket reassigned").unwrap());
        assert_eq!(store.pending_counts().unwrap().bulk, 0);
        assert_eq!(store.needs_attention_count().unwrap(), 2);

        assert!(store.retry_rejected(a).unwrap());
        let back = store.pending(None, 10).unwrap();
        assert_eq!(back.iter().map(|e| e.mutation_id).collect::<Vec<_>>(), vec![a]);
        assert_eq!(back[0].entity_id, "v1");
        assert_eq!(back[0].stamp, stamp_of_a, "the retried entry keeps its device stamp");
        assert!(store.dismiss_rejected(b).unwrap());
        assert_eq!(store.needs_attention_count().unwrap(), 0);
        // Neither is there any more: nothing changes.
        assert!(!store.retry_rejected(b).unwrap());
        assert!(!store.dismiss_rejected(b).unwrap());
        assert_eq!(store.pending_counts().unwrap().bulk, 1);
    }
}

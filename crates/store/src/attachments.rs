//! Photos on the device (附件): stored whole, named by the SHA-256 of their
//! bytes, and uploaded in their own lane, resumably. A photo is not in the
//! outbox: the record it belongs to syncs without waiting for it.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::codec::to_u64;
use crate::error::{Result, StoreError};

/// A photo waiting to go up (its bytes stay in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingAttachment {
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
    /// Bytes the central is known to hold.
    pub uploaded: u64,
}

/// The name of some bytes: their SHA-256 in lowercase hex.
pub fn content_name(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Store {
    /// Keeps a photo for upload and returns its name. The same bytes kept
    /// twice are one photo.
    pub fn add_attachment(&mut self, bytes: &[u8], content_type: &str, record: Option<(&str, &str)>) -> Result<String> {
        if bytes.is_empty() {
            return Err(StoreError::Invalid("an attachment has at least one byte".into()));
        }
        let name = content_name(bytes);
        self.conn
            .prepare_cached(
                "INSERT INTO attachments (sha256, content_type, size, data, record_kind, record_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (sha256) DO NOTHING",
            )?
            .execute(params![
                name,
                content_type,
                bytes.len() as i64,
                bytes,
                record.map(|r| r.0),
                record.map(|r| r.1)
            ])?;
        self.committed();
        Ok(name)
    }

    /// Photos not yet held whole by the central, oldest first.
    pub fn pending_attachments(&self, limit: usize) -> Result<Vec<PendingAttachment>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sha256, content_type, size, uploaded FROM attachments WHERE done = 0 ORDER BY rowid LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(PendingAttachment {
                sha256: r.get(0)?,
                content_type: r.get(1)?,
                size: to_u64(r.get(2)?),
                uploaded: to_u64(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many photos wait to go up.
    pub fn pending_attachment_count(&self) -> Result<u64> {
        let n: i64 =
            self.conn.prepare_cached("SELECT count(*) FROM attachments WHERE done = 0")?.query_row([], |r| r.get(0))?;
        Ok(to_u64(n))
    }

    /// Up to `len` bytes of a photo from `offset`, or `None` when the device
    /// no longer holds it (a card photo replaced while it was going up).
    pub fn attachment_piece(&self, sha256: &str, offset: u64, len: usize) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT substr(data, ?2 + 1, ?3) FROM attachments WHERE sha256 = ?1")?
            .query_row(params![sha256, offset as i64, len as i64], |r| r.get(0))
            .optional()?)
    }

    /// The whole photo, if the device holds it.
    pub fn attachment(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT data FROM attachments WHERE sha256 = ?1")?
            .query_row([sha256], |r| r.get(0))
            .optional()?)
    }

    /// Whether the device holds a photo by that name.
    pub fn has_attachment(&self, sha256: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM attachments WHERE sha256 = ?1")?
            .query_row([sha256], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Notes how much of a photo the central holds, and whether whole.
    pub fn set_attachment_uploaded(&mut self, sha256: &str, uploaded: u64, done: bool) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE attachments SET uploaded = ?2, done = ?3 WHERE sha256 = ?1")?
            .execute(params![sha256, uploaded as i64, done])?;
        self.committed();
        Ok(())
    }
}

/// Removes the photos of one record other than `keep`, inside the caller's
/// transaction: a record with one photo (the steward's card) that gets a new
/// one no longer needs the old bytes. An old photo the central does not hold
/// whole yet is not uploaded any more: the new one supersedes it, and the
/// record's newer change names the new one. Returns how many went.
pub(crate) fn drop_superseded(
    tx: &rusqlite::Transaction<'_>,
    record_kind: &str,
    record_id: &str,
    keep: &str,
) -> Result<usize> {
    Ok(tx
        .prepare_cached("DELETE FROM attachments WHERE record_kind = ?1 AND record_id = ?2 AND sha256 <> ?3")?
        .execute(params![record_kind, record_id, keep])?)
}

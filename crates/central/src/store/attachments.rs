//! Attachments (photos): content-addressed by SHA-256, received in pieces
//! that resume where the last stopped (`attachments`, `attachment_parts`).

use rusqlite::{OptionalExtension, params};

use super::{Db, Result, Tx};

/// What the central holds of an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub sha256: String,
    /// The whole length, as declared by the first piece.
    pub size: i64,
    /// Bytes received so far, in order from 0.
    pub received: i64,
    pub content_type: String,
    pub complete: bool,
}

impl Db<'_> {
    pub fn attachment(&self, sha256: &str) -> Result<Option<AttachmentRow>> {
        let row = self
            .0
            .prepare_cached(
                "SELECT size, received, content_type, complete_ms IS NOT NULL FROM attachments WHERE sha256 = ?1",
            )?
            .query_row([sha256], |r| {
                Ok(AttachmentRow {
                    sha256: sha256.to_owned(),
                    size: r.get(0)?,
                    received: r.get(1)?,
                    content_type: r.get(2)?,
                    complete: r.get(3)?,
                })
            })
            .optional()?;
        Ok(row)
    }

    /// The bytes received so far, in order.
    pub fn attachment_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        let mut stmt = self.0.prepare_cached("SELECT data FROM attachment_parts WHERE sha256 = ?1 ORDER BY offset")?;
        let mut out = Vec::new();
        for part in stmt.query_map([sha256], |r| r.get::<_, Vec<u8>>(0))? {
            out.extend_from_slice(&part?);
        }
        Ok(out)
    }
}

impl Tx<'_> {
    /// Starts an attachment of `size` bytes, nothing received yet.
    pub fn begin_attachment(
        &self,
        sha256: &str,
        size: i64,
        content_type: &str,
        uploaded_by: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO attachments (sha256, size, received, content_type, uploaded_by, created_ms) \
                 VALUES (?1, ?2, 0, ?3, ?4, ?5)",
            )?
            .execute(params![sha256, size, content_type, uploaded_by, now_ms])?;
        Ok(())
    }

    /// Appends a piece at the current end.
    pub fn append_attachment(&self, sha256: &str, offset: i64, data: &[u8]) -> Result<()> {
        self.0
            .prepare_cached("INSERT INTO attachment_parts (sha256, offset, data) VALUES (?1, ?2, ?3)")?
            .execute(params![sha256, offset, data])?;
        self.0
            .prepare_cached("UPDATE attachments SET received = ?2 WHERE sha256 = ?1")?
            .execute(params![sha256, offset + data.len() as i64])?;
        Ok(())
    }

    /// Marks an attachment whole (its hash checked).
    pub fn complete_attachment(&self, sha256: &str, now_ms: i64) -> Result<()> {
        self.0
            .prepare_cached("UPDATE attachments SET complete_ms = ?2 WHERE sha256 = ?1")?
            .execute(params![sha256, now_ms])?;
        Ok(())
    }

    /// Forgets an attachment whose bytes did not match its name.
    pub fn discard_attachment(&self, sha256: &str) -> Result<()> {
        self.0.prepare_cached("DELETE FROM attachment_parts WHERE sha256 = ?1")?.execute([sha256])?;
        self.0.prepare_cached("DELETE FROM attachments WHERE sha256 = ?1")?.execute([sha256])?;
        Ok(())
    }
}

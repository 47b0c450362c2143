//! The device's person as the central describes them (`GET /api/v1/me` at
//! sign-in), and the photo on their contact card (管家名片).

use rusqlite::{OptionalExtension, params};
use steward_domain::ids::UserId;
use steward_domain::org::Staff;

use crate::attachments::{content_name, drop_superseded};
use crate::error::{Result, StoreError};
use crate::ground::{GroundSnapshot, load_into};
use crate::outbox::{self, Lane, MutationMeta, NewEntry};
use crate::{Store, meta_keys};

/// The device setting naming the steward's photo (an attachment).
pub const PHOTO_KEY: &str = "card.photo_sha256";

/// The outbox entity of a staff photo (mutation kind `staff_photo`).
pub const STAFF_PHOTO_ENTITY: &str = "staff_photo";

/// The steward's photo as the device holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPhoto {
    pub sha256: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Store {
    /// Makes `staff` the device's person: their row, the given settings
    /// (the device id, the card's organisation names, …) and the steward
    /// id, all in one transaction, so a failed sign-in leaves no half a
    /// steward behind. A device that holds someone else is refused.
    pub fn adopt_staff(&mut self, staff: &Staff, settings: &[(&str, &str)]) -> Result<()> {
        let tx = self.write_tx()?;
        let held: Option<String> = tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([meta_keys::STEWARD_ID], |r| r.get(0))
            .optional()?;
        if let Some(held) = held.filter(|h| *h != staff.id.to_string()) {
            return Err(StoreError::Invalid(format!("the device holds the work of {held}")));
        }
        load_into(&tx, &GroundSnapshot { staff: vec![staff.clone()], ..GroundSnapshot::default() })?;
        let staff_id = staff.id.to_string();
        let mut set = tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?;
        for (key, value) in settings.iter().copied().chain([(meta_keys::STEWARD_ID, staff_id.as_str())]) {
            set.execute([key, value])?;
        }
        drop(set);
        tx.commit()?;
        self.committed();
        Ok(())
    }

    /// Sets the steward's photo: keeps its bytes for the attachments lane,
    /// names it in the setting [`PHOTO_KEY`] and queues the `staff_photo`
    /// change that tells the central, in one transaction. Returns its name.
    pub fn set_staff_photo(
        &mut self,
        staff: UserId,
        bytes: &[u8],
        content_type: &str,
        meta: &MutationMeta,
    ) -> Result<String> {
        let tx = self.write_tx()?;
        let name = hold_photo(&tx, staff, bytes, content_type, false)?;
        let payload = serde_json::json!({"staff_id": staff, "sha256": name}).to_string();
        let entry =
            NewEntry { lane: Lane::Bulk, entity: STAFF_PHOTO_ENTITY, entity_id: staff.to_string(), op: "set", payload };
        outbox::append(&tx, meta, entry)?;
        tx.commit()?;
        self.committed();
        Ok(name)
    }

    /// Keeps a photo the central already holds whole (a fresh device of a
    /// steward who set one elsewhere) and names it the steward's photo; the
    /// central is not told again. A device that has a photo of its own by
    /// then (the steward took one while this one was on its way) keeps its
    /// own, and nothing is written: `None`. Returns the name when kept.
    pub fn keep_staff_photo(&mut self, staff: UserId, bytes: &[u8], content_type: &str) -> Result<Option<String>> {
        let tx = self.write_tx()?;
        let own: Option<String> = tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([PHOTO_KEY], |r| r.get(0))
            .optional()?;
        if own.is_some_and(|name| !name.is_empty()) {
            return Ok(None);
        }
        let name = hold_photo(&tx, staff, bytes, content_type, true)?;
        tx.commit()?;
        self.committed();
        Ok(Some(name))
    }

    /// The steward's photo, if one is set and its bytes are on the device.
    pub fn staff_photo(&self) -> Result<Option<StaffPhoto>> {
        let Some(sha256) = self.meta(PHOTO_KEY)?.filter(|s| !s.is_empty()) else { return Ok(None) };
        Ok(self
            .conn
            .prepare_cached("SELECT content_type, data FROM attachments WHERE sha256 = ?1")?
            .query_row([&sha256], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .optional()?
            .map(|(content_type, bytes)| StaffPhoto { sha256, content_type, bytes }))
    }
}

/// Keeps a photo's bytes as an attachment of `staff` (already uploaded when
/// the central sent them) and names it the steward's photo in
/// [`PHOTO_KEY`], inside the caller's transaction; the photo it replaces
/// leaves the device (a pending upload of it is superseded: the newer
/// `staff_photo` change names this one). Returns its name.
fn hold_photo(
    tx: &rusqlite::Transaction<'_>,
    staff: UserId,
    bytes: &[u8],
    content_type: &str,
    uploaded: bool,
) -> Result<String> {
    if bytes.is_empty() {
        return Err(StoreError::Invalid("a photo has at least one byte".into()));
    }
    let name = content_name(bytes);
    let size = bytes.len() as i64;
    tx.prepare_cached(
        "INSERT INTO attachments (sha256, content_type, size, data, record_kind, record_id, uploaded, done) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sha256) DO NOTHING",
    )?
    .execute(params![
        name,
        content_type,
        size,
        bytes,
        STAFF_PHOTO_ENTITY,
        staff.to_string(),
        if uploaded { size } else { 0 },
        uploaded
    ])?;
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([PHOTO_KEY, name.as_str()])?;
    drop_superseded(tx, STAFF_PHOTO_ENTITY, &staff.to_string(), &name)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use steward_domain::ids::MutationId;
    use steward_domain::org::Role;

    use super::*;

    fn staff(n: u8, username: &str) -> Staff {
        Staff {
            id: UserId::new_v7(Timestamp::UNIX_EPOCH, [n; 10]),
            username: username.into(),
            display_name: "王芳".into(),
            role: Role::Steward,
            team_id: None,
            employee_no: "SH2001".into(),
            mobile: None,
        }
    }

    #[test]
    fn adopting_writes_the_person_and_settings_together_and_refuses_someone_else() {
        let mut store = Store::open_in_memory().unwrap();
        let her = staff(1, "wang.fang");
        store.adopt_staff(&her, &[(meta_keys::DEVICE_ID, "d1"), ("card.team_name", "一队")]).unwrap();
        assert_eq!(store.staff().unwrap(), std::slice::from_ref(&her));
        assert_eq!(store.meta(meta_keys::STEWARD_ID).unwrap(), Some(her.id.to_string()));
        assert_eq!(store.meta("card.team_name").unwrap().as_deref(), Some("一队"));
        // The same person again refreshes; someone else changes nothing.
        store.adopt_staff(&her, &[("card.team_name", "二队")]).unwrap();
        let other = staff(2, "steward1");
        assert!(matches!(store.adopt_staff(&other, &[("card.team_name", "三队")]), Err(StoreError::Invalid(_))));
        assert_eq!(store.staff().unwrap(), [her]);
        assert_eq!(store.meta("card.team_name").unwrap().as_deref(), Some("二队"));
    }

    #[test]
    fn a_photo_is_kept_named_and_queued_in_one_go() {
        let mut store = Store::open_in_memory().unwrap();
        let her = staff(1, "wang.fang").id;
        assert_eq!(store.staff_photo().unwrap(), None);
        let meta = MutationMeta {
            mutation_id: MutationId::new_v7(Timestamp::UNIX_EPOCH, [9; 10]),
            device_time: Timestamp::UNIX_EPOCH,
        };
        let bytes = b"\xFF\xD8\xFF a face";
        let name = store.set_staff_photo(her, bytes, "image/jpeg", &meta).unwrap();
        assert_eq!(name, content_name(bytes));
        let photo = store.staff_photo().unwrap().unwrap();
        assert_eq!((photo.sha256.as_str(), photo.bytes.as_slice()), (name.as_str(), bytes.as_slice()));
        let queued = store.pending(None, 10).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!((queued[0].entity.as_str(), queued[0].lane), (STAFF_PHOTO_ENTITY, Lane::Bulk));
        let payload: serde_json::Value = serde_json::from_str(&queued[0].payload).unwrap();
        assert_eq!(payload, serde_json::json!({"staff_id": her, "sha256": name}));
        assert_eq!(store.pending_attachments(10).unwrap().len(), 1, "the attachments lane uploads it");
        // The same mutation id again is refused whole: no second photo named.
        let other = b"\x89PNG\r\n\x1a\n another";
        assert!(store.set_staff_photo(her, other, "image/png", &meta).is_err());
        assert_eq!(store.staff_photo().unwrap().unwrap().sha256, name);
        // The central's photo arriving late does not replace the device's own.
        assert_eq!(store.keep_staff_photo(her, other, "image/png").unwrap(), None);
        assert_eq!(store.staff_photo().unwrap().unwrap().sha256, name);
        assert!(!store.has_attachment(&content_name(other)).unwrap());
        assert_eq!(store.pending_attachments(10).unwrap().len(), 1, "the device's own photo still goes up");
    }

    #[test]
    fn a_photo_from_the_central_is_kept_on_a_device_without_one_and_not_sent_back() {
        let mut store = Store::open_in_memory().unwrap();
        let her = staff(1, "wang.fang").id;
        let bytes = b"\x89PNG\r\n\x1a\n from the central";
        let kept = store.keep_staff_photo(her, bytes, "image/png").unwrap();
        assert_eq!(kept, Some(content_name(bytes)));
        assert_eq!(store.staff_photo().unwrap().unwrap().bytes, bytes);
        assert_eq!(store.pending_attachments(10).unwrap(), [], "the central holds it already");
        assert_eq!(store.pending(None, 10).unwrap(), [], "the central is not told again");
    }

    fn meta(n: u8) -> MutationMeta {
        MutationMeta {
            mutation_id: MutationId::new_v7(Timestamp::UNIX_EPOCH, [n; 10]),
            device_time: Timestamp::UNIX_EPOCH,
        }
    }

    fn attachment_names(store: &Store) -> Vec<String> {
        let mut stmt = store.conn.prepare("SELECT sha256 FROM attachments ORDER BY sha256").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn a_replaced_photo_leaves_the_device_whether_or_not_it_went_up() {
        let mut store = Store::open_in_memory().unwrap();
        let her = staff(1, "wang.fang").id;
        let (first, second, third) =
            (&b"\xFF\xD8\xFF first"[..], &b"\xFF\xD8\xFF second"[..], &b"\xFF\xD8\xFF third"[..]);
        let first = store.set_staff_photo(her, first, "image/jpeg", &meta(1)).unwrap();
        // The first went up whole; the second is replaced before it did.
        store.set_attachment_uploaded(&first, 12, true).unwrap();
        let second = store.set_staff_photo(her, second, "image/jpeg", &meta(2)).unwrap();
        assert_eq!(
            attachment_names(&store),
            std::slice::from_ref(&second),
            "the uploaded first photo is not needed any more"
        );
        store.set_attachment_uploaded(&second, 5, false).unwrap();
        let name = store.set_staff_photo(her, third, "image/jpeg", &meta(3)).unwrap();
        assert_eq!(attachment_names(&store), std::slice::from_ref(&name), "only the newest photo's bytes remain");
        let pending = store.pending_attachments(10).unwrap();
        assert_eq!(pending.iter().map(|p| p.sha256.as_str()).collect::<Vec<_>>(), [name.as_str()]);
        assert_eq!(store.staff_photo().unwrap().unwrap().bytes, third);
        // Each change still goes to the central in order; the last names the newest.
        let queued = store.pending(None, 10).unwrap();
        let named: Vec<String> = queued
            .iter()
            .map(|e| {
                serde_json::from_str::<serde_json::Value>(&e.payload).unwrap()["sha256"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(named, [first, second, name.clone()]);
        // The same photo again keeps its bytes.
        let again = store.set_staff_photo(her, third, "image/jpeg", &meta(4)).unwrap();
        assert_eq!((again.as_str(), attachment_names(&store)), (name.as_str(), vec![name.clone()]));
    }

    #[test]
    fn replacing_the_photo_leaves_other_records_photos_alone() {
        let mut store = Store::open_in_memory().unwrap();
        let her = staff(1, "wang.fang").id;
        let visit_photo =
            store.add_attachment(b"\xFF\xD8\xFF a radiator", "image/jpeg", Some(("visit", "v-1"))).unwrap();
        let loose = store.add_attachment(b"\xFF\xD8\xFF loose", "image/jpeg", None).unwrap();
        store.set_staff_photo(her, b"\xFF\xD8\xFF first", "image/jpeg", &meta(1)).unwrap();
        let newest = store.set_staff_photo(her, b"\xFF\xD8\xFF second", "image/jpeg", &meta(2)).unwrap();
        let mut expected = vec![visit_photo, loose, newest];
        expected.sort();
        assert_eq!(attachment_names(&store), expected);
    }
}

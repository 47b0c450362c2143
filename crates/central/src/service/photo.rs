//! The `staff_photo` mutation: a staff member names the photo on their own
//! contact card (管家名片). The photo's bytes travel in the attachments lane,
//! which a device runs after pushing its records, so the name usually
//! arrives first; when the central already holds bytes under that name they
//! must be an image.

use serde::Deserialize;
use steward_domain::ids::UserId;

use crate::auth::Caller;
use crate::error::AppError;
use crate::json::Mutation;
use crate::store::Tx;

/// `{staff_id, sha256}`.
#[derive(Debug, Deserialize)]
struct StaffPhotoPayload {
    staff_id: UserId,
    sha256: String,
}

/// Whether `name` is a SHA-256 in lowercase hex.
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The image format of some bytes by their signature: JPEG, PNG, GIF or WebP.
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// The first bytes [`image_kind`] needs.
pub const SIGNATURE_LEN: usize = 12;

pub(crate) fn apply_staff_photo(tx: &Tx<'_>, caller: &Caller, m: &Mutation) -> Result<(), AppError> {
    let p = StaffPhotoPayload::deserialize(&m.payload)
        .map_err(|e| AppError::unprocessable("invalid_photo", format!("staff_photo: {e}")))?;
    if p.staff_id != caller.principal.user_id {
        return Err(AppError::forbidden("a staff member sets only their own photo"));
    }
    if !is_sha256(&p.sha256) {
        return Err(AppError::unprocessable(
            "bad_hash",
            "the photo is named by the SHA-256 of its bytes, 64 lowercase hex",
        ));
    }
    let db = tx.db();
    if let Some(held) = db.attachment(&p.sha256)? {
        let head = db.attachment_head(&p.sha256, SIGNATURE_LEN)?;
        let enough = head.len() >= SIGNATURE_LEN || held.complete;
        if !held.content_type.starts_with("image/") || (enough && image_kind(&head).is_none()) {
            return Err(AppError::unprocessable("not_an_image", "the attachment with that name is not an image"));
        }
    }
    if !tx.set_staff_photo(p.staff_id, &p.sha256)? {
        return Err(AppError::not_found("no staff member with that id"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_signature() {
        assert_eq!(image_kind(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(image_kind(b"GIF89a.."), Some("image/gif"));
        assert_eq!(image_kind(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_kind(b"hello, this is text"), None);
        assert_eq!(image_kind(b""), None);
        assert!(is_sha256(&"a".repeat(64)));
        assert!(!is_sha256(&"A".repeat(64)) && !is_sha256("abc") && !is_sha256(&"g".repeat(64)));
    }
}

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

use steward_domain::photo::{SIGNATURE_LEN, image_kind, is_sha256};

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

//! A signed-in user's own profile (`GET /api/v1/me`) and their contact-card
//! photo (`staff.photo_sha256`, migration 0006).

use rusqlite::{OptionalExtension, params};
use steward_domain::ids::{DistrictId, UserId};
use steward_domain::org::Staff;

use super::{Db, Result, Tx};

/// A staff member with the names of their organisation and their districts.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRow {
    pub staff: Staff,
    pub team_name: Option<String>,
    pub centre_name: Option<String>,
    pub utility_name: Option<String>,
    pub district_ids: Vec<DistrictId>,
    /// The SHA-256 of their photo's attachment, once they set one.
    pub photo_sha256: Option<String>,
}

impl Db<'_> {
    pub fn profile(&self, user: UserId) -> Result<Option<ProfileRow>> {
        let Some(staff) = self.staff(user)? else { return Ok(None) };
        let (team_name, centre_name, utility_name) = match staff.team_id {
            Some(team) => self
                .0
                .prepare_cached(
                    "SELECT t.name, json_extract(c.doc, '$.name'), json_extract(u.doc, '$.name') FROM teams t
                     LEFT JOIN centres c ON c.id = t.centre_id
                     LEFT JOIN utilities u ON u.id = json_extract(c.doc, '$.utility_id')
                     WHERE t.id = ?1",
                )?
                .query_row([team.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?
                .unwrap_or((None, None, None)),
            None => (None, None, None),
        };
        Ok(Some(ProfileRow {
            district_ids: self.districts_of_steward(user)?,
            photo_sha256: self.staff_photo(user)?,
            staff,
            team_name,
            centre_name,
            utility_name,
        }))
    }

    /// The name of the staff member's photo, if they set one.
    pub fn staff_photo(&self, user: UserId) -> Result<Option<String>> {
        Ok(self
            .0
            .prepare_cached("SELECT photo_sha256 FROM staff WHERE id = ?1")?
            .query_row([user.to_string()], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }
}

impl Tx<'_> {
    /// Names the staff member's photo; returns whether they exist.
    pub fn set_staff_photo(&self, user: UserId, sha256: &str) -> Result<bool> {
        let n = self
            .0
            .prepare_cached("UPDATE staff SET photo_sha256 = ?2 WHERE id = ?1")?
            .execute(params![user.to_string(), sha256])?;
        Ok(n > 0)
    }
}

impl Db<'_> {
    /// Up to `len` first bytes held of an attachment (its first piece).
    pub fn attachment_head(&self, sha256: &str, len: usize) -> Result<Vec<u8>> {
        Ok(self
            .0
            .prepare_cached("SELECT substr(data, 1, ?2) FROM attachment_parts WHERE sha256 = ?1 AND offset = 0")?
            .query_row(params![sha256, i64::try_from(len).unwrap_or(i64::MAX)], |r| r.get::<_, Vec<u8>>(0))
            .optional()?
            .unwrap_or_default())
    }
}

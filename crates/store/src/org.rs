//! The people and districts on the device.

use steward_domain::ground::{District, PhoneNumber};
use steward_domain::org::{Role, Staff};

use crate::Store;
use crate::codec::{col, opt_col};
use crate::error::{Result, StoreError};

/// A district with its boundary as GeoJSON geometry text, if known.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DistrictRow {
    pub district: District,
    pub boundary_geojson: Option<String>,
}

pub(crate) fn role(code: &str) -> Result<Role> {
    Role::ALL.into_iter().find(|r| r.code() == code).ok_or_else(|| StoreError::Invalid(format!("role {code:?}")))
}

impl Store {
    /// The people on the device (the steward and their team), by username.
    pub fn staff(&self) -> Result<Vec<Staff>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, username, display_name, role, team_id, employee_no, mobile FROM staff ORDER BY username, id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mobile: Option<String> = row.get("mobile")?;
            out.push(Staff {
                id: col(row, "id")?,
                username: row.get("username")?,
                display_name: row.get("display_name")?,
                role: role(&row.get::<_, String>("role")?)?,
                team_id: opt_col(row, "team_id")?,
                employee_no: row.get("employee_no")?,
                mobile: mobile
                    .map(|m| PhoneNumber::parse(&m).map_err(|e| StoreError::Invalid(e.to_string())))
                    .transpose()?,
            });
        }
        Ok(out)
    }

    /// The districts on the device, by code.
    pub fn districts(&self) -> Result<Vec<DistrictRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, name, team_id, steward_id, boundary_geojson FROM districts ORDER BY code, id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let district = District {
                id: col(row, "id")?,
                code: row.get("code")?,
                name: row.get("name")?,
                team_id: col(row, "team_id")?,
                steward_id: opt_col(row, "steward_id")?,
            };
            out.push(DistrictRow { district, boundary_geojson: row.get("boundary_geojson")? });
        }
        Ok(out)
    }
}

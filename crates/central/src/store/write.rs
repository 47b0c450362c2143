//! The typed changes. Each runs inside the caller's transaction.

use rusqlite::params;
use serde::Serialize;
use steward_domain::geometry::LonLat;
use steward_domain::ground::{Building, Community, District, Household, Station, Unit};
use steward_domain::ids::{DeviceId, DistrictId, UserId};
use steward_domain::org::{ServiceCentre, Staff, Team, Utility};
use steward_domain::sla::ServicePolicy;
use steward_domain::ticket::{Ticket, TicketEvent};
use steward_domain::visit::CompletedVisit;

use super::{Result, StoreError, Tx};

/// The source of a steward position the demo seed placed (`steward_positions.source`);
/// devices' reports are `ticket_event` or `visit`.
pub const SEEDED_POSITION: &str = "demo";

/// One entry for the change feed: the record after the change and the scope
/// keys before and after it.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub kind: &'static str,
    pub entity_id: String,
    pub district_id: Option<DistrictId>,
    pub assignee: Option<UserId>,
    pub prev_district_id: Option<DistrictId>,
    pub prev_assignee: Option<UserId>,
    pub doc: serde_json::Value,
    pub at_ms: i64,
}

/// The scope keys of a change-feed entry whose document is given apart.
#[derive(Debug, Clone)]
pub struct ChangeKeys<'a> {
    pub kind: &'static str,
    pub entity_id: &'a str,
    pub district_id: Option<DistrictId>,
    pub assignee: Option<UserId>,
    pub prev_district_id: Option<DistrictId>,
    pub prev_assignee: Option<UserId>,
    pub at_ms: i64,
}

/// A household as the register import writes it.
#[derive(Debug, Clone)]
pub struct HouseholdImport<'a> {
    pub household: &'a Household,
    pub community_name: &'a str,
    pub location: Option<LonLat>,
}

fn doc<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

fn opt(id: Option<impl ToString>) -> Option<String> {
    id.map(|i| i.to_string())
}

impl Tx<'_> {
    pub fn put_utility(&self, u: &Utility) -> Result<()> {
        self.0.execute(
            "INSERT OR REPLACE INTO utilities (id, doc) VALUES (?1, ?2)",
            params![u.id.to_string(), doc(u)?],
        )?;
        Ok(())
    }

    pub fn put_centre(&self, c: &ServiceCentre) -> Result<()> {
        self.0
            .execute("INSERT OR REPLACE INTO centres (id, doc) VALUES (?1, ?2)", params![c.id.to_string(), doc(c)?])?;
        Ok(())
    }

    pub fn put_team(&self, t: &Team) -> Result<()> {
        self.0.execute(
            "INSERT OR REPLACE INTO teams (id, name, centre_id, lead_id, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![t.id.to_string(), t.name, t.centre_id.to_string(), opt(t.lead_id), doc(t)?],
        )?;
        Ok(())
    }

    pub fn put_staff(&self, s: &Staff) -> Result<()> {
        self.0.execute(
            "INSERT INTO staff (id, username, role, team_id, doc) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET username = ?2, role = ?3, team_id = ?4, doc = ?5",
            params![s.id.to_string(), s.username, s.role.code(), opt(s.team_id), doc(s)?],
        )?;
        Ok(())
    }

    /// Sets (or replaces) the argon2id hash of a staff member's password.
    pub fn set_password_hash(&self, user: UserId, phc: &str) -> Result<()> {
        self.0.execute(
            "INSERT INTO accounts (user_id, password_hash) VALUES (?1, ?2)
             ON CONFLICT (user_id) DO UPDATE SET password_hash = ?2",
            params![user.to_string(), phc],
        )?;
        Ok(())
    }

    pub fn insert_token(
        &self,
        hash: &str,
        user: UserId,
        device: Option<DeviceId>,
        created_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        self.0.execute(
            "INSERT INTO tokens (hash, user_id, device_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash, user.to_string(), opt(device), created_ms, expires_ms],
        )?;
        Ok(())
    }

    /// Revokes one token; returns whether it was live.
    pub fn revoke_token(&self, hash: &str, now_ms: i64) -> Result<bool> {
        let n = self.0.execute(
            "UPDATE tokens SET revoked_ms = ?2 WHERE hash = ?1 AND revoked_ms IS NULL",
            params![hash, now_ms],
        )?;
        Ok(n > 0)
    }

    /// Revokes every live token of a user, or of one of the user's devices;
    /// returns how many.
    pub fn revoke_tokens(&self, user: UserId, device: Option<DeviceId>, now_ms: i64) -> Result<usize> {
        let n = self.0.execute(
            "UPDATE tokens SET revoked_ms = ?3
             WHERE user_id = ?1 AND (?2 IS NULL OR device_id = ?2) AND revoked_ms IS NULL",
            params![user.to_string(), opt(device), now_ms],
        )?;
        Ok(n)
    }

    /// Inserts or replaces a district, keeping its boundary unless one is given.
    pub fn put_district(&self, d: &District, boundary: Option<&str>) -> Result<()> {
        self.0.execute(
            "INSERT INTO districts (id, code, name, team_id, steward_id, boundary, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET code = ?2, name = ?3, team_id = ?4, steward_id = ?5,
                 boundary = coalesce(?6, boundary), doc = ?7",
            params![d.id.to_string(), d.code, d.name, d.team_id.to_string(), opt(d.steward_id), boundary, doc(d)?],
        )?;
        Ok(())
    }

    pub fn district_by_code(&self, code: &str) -> Result<Option<District>> {
        use rusqlite::OptionalExtension;
        let d: Option<String> =
            self.0.query_row("SELECT doc FROM districts WHERE code = ?1", [code], |r| r.get(0)).optional()?;
        d.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    pub fn put_station(&self, s: &Station) -> Result<()> {
        self.0
            .execute("INSERT OR REPLACE INTO stations (id, doc) VALUES (?1, ?2)", params![s.id.to_string(), doc(s)?])?;
        Ok(())
    }

    pub fn put_community(&self, c: &Community) -> Result<()> {
        self.0.execute(
            "INSERT OR REPLACE INTO communities (id, district_id, name, doc) VALUES (?1, ?2, ?3, ?4)",
            params![c.id.to_string(), c.district_id.to_string(), c.name, doc(c)?],
        )?;
        Ok(())
    }

    pub fn community_by_name(&self, name: &str) -> Result<Option<Community>> {
        use rusqlite::OptionalExtension;
        let d: Option<String> = self
            .0
            .query_row("SELECT doc FROM communities WHERE name = ?1 ORDER BY id LIMIT 1", [name], |r| r.get(0))
            .optional()?;
        d.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    pub fn put_building(&self, b: &Building) -> Result<()> {
        self.0.execute(
            "INSERT OR REPLACE INTO buildings (id, community_id, number, doc) VALUES (?1, ?2, ?3, ?4)",
            params![b.id.to_string(), b.community_id.to_string(), b.number, doc(b)?],
        )?;
        Ok(())
    }

    pub fn building_by_number(
        &self,
        community: steward_domain::ids::CommunityId,
        number: u32,
    ) -> Result<Option<Building>> {
        use rusqlite::OptionalExtension;
        let d: Option<String> = self
            .0
            .query_row(
                "SELECT doc FROM buildings WHERE community_id = ?1 AND number = ?2",
                params![community.to_string(), number],
                |r| r.get(0),
            )
            .optional()?;
        d.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    pub fn put_unit(&self, u: &Unit) -> Result<()> {
        self.0.execute(
            "INSERT OR REPLACE INTO units (id, building_id, number, doc) VALUES (?1, ?2, ?3, ?4)",
            params![u.id.to_string(), u.building_id.to_string(), u.number, doc(u)?],
        )?;
        Ok(())
    }

    pub fn unit_by_number(&self, building: steward_domain::ids::BuildingId, number: u32) -> Result<Option<Unit>> {
        use rusqlite::OptionalExtension;
        let d: Option<String> = self
            .0
            .query_row(
                "SELECT doc FROM units WHERE building_id = ?1 AND number = ?2",
                params![building.to_string(), number],
                |r| r.get(0),
            )
            .optional()?;
        d.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    /// Inserts or replaces a household (keyed by id; the account number is
    /// unique).
    pub fn put_household(&self, h: HouseholdImport<'_>) -> Result<()> {
        let hh = h.household;
        let search = format!("{} {} {} {}", hh.account_no, hh.resident_name, h.community_name, hh.room).to_lowercase();
        self.0
            .execute(
                "INSERT OR REPLACE INTO households (id, account_no, district_id, community_id, search, lon, lat, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    hh.id.to_string(),
                    hh.account_no.as_str(),
                    hh.district_id.to_string(),
                    hh.community_id.to_string(),
                    search,
                    h.location.map(|l| l.lon),
                    h.location.map(|l| l.lat),
                    doc(hh)?
                ],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    StoreError::Conflict(format!(
                        "account number {} is already used by another household",
                        hh.account_no
                    ))
                }
                other => other.into(),
            })?;
        Ok(())
    }

    pub fn insert_ticket(&self, t: &Ticket, district: DistrictId) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO tickets (id, household_id, district_id, status, assignee, external_ref, reported_ms, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                t.id().to_string(),
                t.household_id().to_string(),
                district.to_string(),
                t.status().code(),
                opt(t.assignee()),
                t.external_ref(),
                super::millis(t.reported_at()),
                doc(t)?
            ])?;
        Ok(())
    }

    pub fn update_ticket(&self, t: &Ticket) -> Result<()> {
        self.0
            .prepare_cached("UPDATE tickets SET status = ?2, assignee = ?3, doc = ?4 WHERE id = ?1")?
            .execute(params![t.id().to_string(), t.status().code(), opt(t.assignee()), doc(t)?])?;
        Ok(())
    }

    pub fn insert_ticket_event(&self, e: &TicketEvent) -> Result<()> {
        self.0
            .prepare_cached("INSERT INTO ticket_events (id, ticket_id, seq, doc) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![e.id.to_string(), e.ticket_id.to_string(), e.seq, doc(e)?])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    StoreError::Conflict("an event with that id is already recorded".into())
                }
                other => other.into(),
            })?;
        // The report's denormalised row of the ticket (store/reports.rs).
        self.refresh_ticket_facts(e.ticket_id)?;
        Ok(())
    }

    pub fn insert_visit(&self, v: &CompletedVisit, district: DistrictId) -> Result<()> {
        self.insert_visit_json(v, district, &doc(v)?)
    }

    /// [`Tx::insert_visit`] with the visit already serialised as JSON.
    pub fn insert_visit_json(&self, v: &CompletedVisit, district: DistrictId, json: &str) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO visits (id, household_id, district_id, steward_id, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                v.id().to_string(),
                v.household_id().to_string(),
                district.to_string(),
                v.steward_id().to_string(),
                json
            ])?;
        Ok(())
    }

    /// Records that a mutation id was applied.
    pub fn mark_mutation(
        &self,
        id: uuid::Uuid,
        user: UserId,
        device: Option<DeviceId>,
        kind: &str,
        at_ms: i64,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO seen_mutations (id, user_id, device_id, kind, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id.to_string(), user.to_string(), opt(device), kind, at_ms])?;
        Ok(())
    }

    pub fn append_change(&self, c: &ChangeRecord) -> Result<i64> {
        let keys = ChangeKeys {
            kind: c.kind,
            entity_id: &c.entity_id,
            district_id: c.district_id,
            assignee: c.assignee,
            prev_district_id: c.prev_district_id,
            prev_assignee: c.prev_assignee,
            at_ms: c.at_ms,
        };
        self.append_change_json(&keys, &serde_json::to_string(&c.doc)?)
    }

    /// [`Tx::append_change`] with the record already serialised as JSON, for
    /// a caller that stores the same document elsewhere too.
    pub fn append_change_json(&self, c: &ChangeKeys<'_>, doc: &str) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO changes (kind, entity_id, district_id, assignee, prev_district_id, prev_assignee, doc, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                c.kind,
                c.entity_id,
                opt(c.district_id),
                opt(c.assignee),
                opt(c.prev_district_id),
                opt(c.prev_assignee),
                doc,
                c.at_ms
            ])?;
        Ok(self.0.last_insert_rowid())
    }

    /// Appends to the audit log: who did what to which record, when, from
    /// which device.
    #[allow(clippy::too_many_arguments)]
    pub fn audit(
        &self,
        at_ms: i64,
        user: Option<UserId>,
        device: Option<DeviceId>,
        action: &str,
        entity: &str,
        entity_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO audit (at_ms, user_id, device_id, action, entity, entity_id, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![at_ms, opt(user), opt(device), action, entity, entity_id, detail])?;
        Ok(())
    }

    /// The entity ids of the audit entries of one action, oldest first.
    pub fn audit_of_action(&self, action: &str) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare("SELECT entity_id FROM audit WHERE action = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([action], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Replaces the service policy.
    pub fn put_service_policy(&self, policy: &ServicePolicy, updated_ms: i64, by: Option<UserId>) -> Result<()> {
        self.0.execute(
            "UPDATE service_policy SET doc = ?1, updated_ms = ?2, updated_by = ?3 WHERE id = 1",
            params![doc(policy)?, updated_ms, opt(by)],
        )?;
        Ok(())
    }

    /// Records where a steward's device reported being, unless a newer
    /// position is already known. A position the demo seed placed
    /// ([`SEEDED_POSITION`]) gives way to any other report, whatever its
    /// time, and never replaces one.
    pub fn record_position(&self, steward: UserId, at: LonLat, at_ms: i64, source: &str) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO steward_positions (steward_id, lon, lat, at_ms, source) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (steward_id) DO UPDATE SET lon = ?2, lat = ?3, at_ms = ?4, source = ?5
                 WHERE (excluded.at_ms >= steward_positions.at_ms
                        AND NOT (excluded.source = ?6 AND steward_positions.source <> ?6))
                    OR (steward_positions.source = ?6 AND excluded.source <> ?6)",
            )?
            .execute(params![steward.to_string(), at.lon, at.lat, at_ms, source, SEEDED_POSITION])?;
        Ok(())
    }

    /// Records that a steward's device synced at `at_ms`; `queued` (records
    /// still waiting on the device) replaces the last count when given.
    pub fn record_sync(
        &self,
        steward: UserId,
        device: Option<DeviceId>,
        at_ms: i64,
        queued: Option<u32>,
    ) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO device_syncs (steward_id, device_id, last_sync_ms, queued) VALUES (?1, ?2, ?3, coalesce(?4, 0))
                 ON CONFLICT (steward_id) DO UPDATE SET device_id = coalesce(?2, device_id),
                     last_sync_ms = max(last_sync_ms, ?3), queued = coalesce(?4, queued)",
            )?
            .execute(params![steward.to_string(), opt(device), at_ms, queued])?;
        Ok(())
    }
}

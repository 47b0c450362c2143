//! The typed queries.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use steward_domain::dispatch::PositionFix;
use steward_domain::geometry::LonLat;
use steward_domain::ground::Household;
use steward_domain::ids::{CommunityId, DistrictId, HouseholdId, StationId, TicketId, UserId};
use steward_domain::incident::NoHeatReport;
use steward_domain::org::{Role, Staff};
use steward_domain::sla::ServicePolicy;
use steward_domain::ticket::{Ticket, TicketEvent, TicketStatus};

use super::{Db, Principal, Result, Scope, StoreError};

/// A household with what the register knows beside the domain record.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRow {
    pub household: Household,
    pub community_name: String,
    pub building_no: u32,
    pub unit_no: u32,
    pub location: Option<LonLat>,
}

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub district: Option<DistrictId>,
    pub community: Option<CommunityId>,
    /// Matched against account number, resident name, room and community.
    pub q: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// A ticket with the district of its household.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRow {
    pub ticket: Ticket,
    pub district_id: DistrictId,
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    /// Only tickets reported at or after this instant (UNIX ms).
    pub reported_from_ms: Option<i64>,
    pub district: Option<DistrictId>,
    pub steward: Option<UserId>,
    pub limit: u32,
    pub offset: u32,
}

/// A steward as dispatch shows them, read from columns without parsing the
/// staff record.
#[derive(Debug, Clone, PartialEq)]
pub struct StewardInfo {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub team_id: Option<steward_domain::ids::TeamId>,
}

/// A district with its boundary (a one-feature GeoJSON collection).
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictRow {
    pub district: steward_domain::ground::District,
    pub boundary: Option<String>,
}

/// What a steward's public contact card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CardData {
    pub staff: Staff,
    pub team_name: Option<String>,
    pub org_name: Option<String>,
    /// (code, name) of the districts the steward is responsible for.
    pub districts: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Upsert,
    Remove,
}

/// One entry of the change feed as a caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub kind: String,
    pub id: String,
    pub op: ChangeOp,
    /// The record after the change; absent on a removal.
    pub data: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    pub changes: Vec<Change>,
    pub cursor: i64,
    pub has_more: bool,
}

pub(super) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T> {
    s.parse().map_err(|_| StoreError::Invalid(format!("bad id {s:?} in the database")))
}

fn json<T: serde::de::DeserializeOwned>(doc: &str) -> Result<T> {
    Ok(serde_json::from_str(doc)?)
}

const HOUSEHOLD_COLUMNS: &str = "h.doc, c.name, h.lon, h.lat, b.number, u.number";
const HOUSEHOLD_FROM: &str = "households h JOIN communities c ON c.id = h.community_id
    JOIN buildings b ON b.id = json_extract(h.doc, '$.building_id')
    JOIN units u ON u.id = json_extract(h.doc, '$.unit_id')";

type RawHousehold = (String, String, Option<f64>, Option<f64>, u32, u32);

fn household_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawHousehold> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_household_row((doc, community_name, lon, lat, building_no, unit_no): RawHousehold) -> Result<HouseholdRow> {
    let location = match (lon, lat) {
        (Some(lon), Some(lat)) => LonLat::new(lon, lat).ok(),
        _ => None,
    };
    Ok(HouseholdRow { household: json(&doc)?, community_name, building_no, unit_no, location })
}

impl Db<'_> {
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.0.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// The caller behind a token hash, if the token is live at `now_ms`.
    pub fn principal_by_token(&self, hash: &str, now_ms: i64) -> Result<Option<Principal>> {
        let row = self
            .0
            .prepare_cached(
                "SELECT s.doc, t.device_id FROM tokens t
                 JOIN staff s ON s.id = t.user_id JOIN accounts a ON a.user_id = s.id
                 WHERE t.hash = ?1 AND t.revoked_ms IS NULL AND t.expires_ms > ?2 AND a.disabled = 0",
            )?
            .query_row(params![hash, now_ms], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
            .optional()?;
        let Some((doc, device)) = row else { return Ok(None) };
        let staff: Staff = json(&doc)?;
        let device_id = device.and_then(|d| d.parse().ok());
        Ok(Some(Principal {
            user_id: staff.id,
            username: staff.username,
            display_name: staff.display_name,
            role: staff.role,
            team_id: staff.team_id,
            device_id,
            token_hash: hash.to_owned(),
        }))
    }

    /// A login account: the staff record, its password hash and whether it
    /// is disabled.
    pub fn account(&self, username: &str) -> Result<Option<(Staff, String, bool)>> {
        let row = self
            .0
            .prepare_cached(
                "SELECT s.doc, a.password_hash, a.disabled FROM staff s JOIN accounts a ON a.user_id = s.id
                 WHERE s.username = ?1",
            )?
            .query_row([username], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)))
            .optional()?;
        row.map(|(doc, hash, disabled)| Ok((json(&doc)?, hash, disabled))).transpose()
    }

    pub fn staff(&self, id: UserId) -> Result<Option<Staff>> {
        let doc: Option<String> = self
            .0
            .prepare_cached("SELECT doc FROM staff WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        doc.map(|d| json(&d)).transpose()
    }

    pub fn all_staff(&self) -> Result<Vec<Staff>> {
        let mut stmt = self.0.prepare_cached("SELECT doc FROM staff ORDER BY username")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|d| json(&d?)).collect()
    }

    pub fn staff_by_username(&self, username: &str) -> Result<Option<Staff>> {
        let doc: Option<String> = self
            .0
            .prepare_cached("SELECT doc FROM staff WHERE username = ?1")?
            .query_row([username], |r| r.get(0))
            .optional()?;
        doc.map(|d| json(&d)).transpose()
    }

    /// The districts a steward is responsible for.
    pub fn districts_of_steward(&self, steward: UserId) -> Result<Vec<DistrictId>> {
        let mut stmt = self.0.prepare_cached("SELECT id FROM districts WHERE steward_id = ?1 ORDER BY code")?;
        let ids = stmt.query_map([steward.to_string()], |r| r.get::<_, String>(0))?;
        ids.map(|id| id?.parse().map_err(|_| StoreError::Invalid("bad district id in the database".into()))).collect()
    }

    /// What a caller may see; see [`Scope`] for the rules.
    pub fn scope_for(&self, user: UserId, role: Role, team: Option<steward_domain::ids::TeamId>) -> Result<Scope> {
        let parse_all = |rows: Vec<String>| -> Result<Vec<uuid::Uuid>> {
            rows.iter().map(|s| s.parse().map_err(|_| StoreError::Invalid("bad id in the database".into()))).collect()
        };
        match role {
            Role::HotlineAgent | Role::Admin => Ok(Scope::everything()),
            Role::Steward => Ok(Scope {
                all: false,
                districts: self.districts_of_steward(user)?,
                people: vec![user],
                tickets_by_district: false,
            }),
            Role::TeamLead => {
                let Some(team) = team else {
                    return Ok(Scope { people: vec![user], ..Scope::default() });
                };
                let team = team.to_string();
                let districts: Vec<String> = self
                    .0
                    .prepare_cached("SELECT id FROM districts WHERE team_id = ?1 ORDER BY code")?
                    .query_map([&team], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let people: Vec<String> = self
                    .0
                    .prepare_cached("SELECT id FROM staff WHERE team_id = ?1 ORDER BY id")?
                    .query_map([&team], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(Scope {
                    all: false,
                    districts: parse_all(districts)?.into_iter().map(DistrictId).collect(),
                    people: parse_all(people)?.into_iter().map(UserId).collect(),
                    tickets_by_district: true,
                })
            }
        }
    }

    pub fn households(&self, scope: &Scope, filter: &HouseholdFilter) -> Result<Vec<HouseholdRow>> {
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM {HOUSEHOLD_FROM}
             WHERE (?1 OR h.district_id IN (SELECT value FROM json_each(?2)))
               AND (?3 IS NULL OR h.district_id = ?3)
               AND (?4 IS NULL OR h.community_id = ?4)
               AND (?5 IS NULL OR instr(h.search, ?5) > 0)
             ORDER BY h.account_no LIMIT ?6 OFFSET ?7"
        );
        let q = filter.q.as_ref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        let mut stmt = self.0.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                scope.all,
                scope.districts_json(),
                filter.district.map(|d| d.to_string()),
                filter.community.map(|c| c.to_string()),
                q,
                filter.limit,
                filter.offset
            ],
            household_row,
        )?;
        rows.map(|r| to_household_row(r?)).collect()
    }

    pub fn household(&self, id: HouseholdId) -> Result<Option<HouseholdRow>> {
        let sql = format!("SELECT {HOUSEHOLD_COLUMNS} FROM {HOUSEHOLD_FROM} WHERE h.id = ?1");
        let row = self.0.prepare_cached(&sql)?.query_row([id.to_string()], household_row).optional()?;
        row.map(to_household_row).transpose()
    }

    pub fn household_by_account(&self, account_no: &str) -> Result<Option<HouseholdRow>> {
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM {HOUSEHOLD_FROM}
             WHERE h.account_no = ?1"
        );
        let row = self.0.prepare_cached(&sql)?.query_row([account_no], household_row).optional()?;
        row.map(to_household_row).transpose()
    }

    pub fn tickets(&self, scope: &Scope, filter: &TicketFilter) -> Result<Vec<TicketRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT doc, district_id FROM tickets
             WHERE (?1 OR assignee IN (SELECT value FROM json_each(?3))
                    OR (?4 AND district_id IN (SELECT value FROM json_each(?2))))
               AND (?5 IS NULL OR status = ?5)
               AND (?6 IS NULL OR district_id = ?6)
               AND (?7 IS NULL OR assignee = ?7)
               AND (?10 IS NULL OR reported_ms >= ?10)
             ORDER BY reported_ms DESC, id LIMIT ?8 OFFSET ?9",
        )?;
        let rows = stmt.query_map(
            params![
                scope.all,
                scope.districts_json(),
                scope.people_json(),
                scope.tickets_by_district,
                filter.status.map(|s| s.code()),
                filter.district.map(|d| d.to_string()),
                filter.steward.map(|s| s.to_string()),
                filter.limit,
                filter.offset,
                filter.reported_from_ms
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        rows.map(|r| {
            let (doc, district) = r?;
            Ok(TicketRow { ticket: json(&doc)?, district_id: parse_id(&district)? })
        })
        .collect()
    }

    pub fn ticket(&self, id: TicketId) -> Result<Option<TicketRow>> {
        let row = self
            .0
            .prepare_cached("SELECT doc, district_id FROM tickets WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .optional()?;
        row.map(|(doc, district)| Ok(TicketRow { ticket: json(&doc)?, district_id: parse_id(&district)? })).transpose()
    }

    pub fn ticket_by_external_ref(&self, external_ref: &str) -> Result<Option<TicketRow>> {
        let id: Option<String> = self
            .0
            .prepare_cached("SELECT id FROM tickets WHERE external_ref = ?1")?
            .query_row([external_ref], |r| r.get(0))
            .optional()?;
        match id {
            Some(id) => self.ticket(parse_id(&id)?),
            None => Ok(None),
        }
    }

    pub fn ticket_events(&self, id: TicketId) -> Result<Vec<TicketEvent>> {
        let mut stmt = self.0.prepare_cached("SELECT doc FROM ticket_events WHERE ticket_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([id.to_string()], |r| r.get::<_, String>(0))?;
        rows.map(|d| json(&d?)).collect()
    }

    /// Whether a visit with this id is stored.
    pub fn visit_exists(&self, id: steward_domain::ids::VisitId) -> Result<bool> {
        Ok(self
            .0
            .prepare_cached("SELECT 1 FROM visits WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The user who first pushed a mutation id, if any did.
    pub fn mutation_seen(&self, id: uuid::Uuid) -> Result<Option<UserId>> {
        let user: Option<String> = self
            .0
            .prepare_cached("SELECT user_id FROM seen_mutations WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        user.map(|u| parse_id(&u)).transpose()
    }

    pub fn card(&self, steward: UserId) -> Result<Option<CardData>> {
        let Some(staff) = self.staff(steward)? else { return Ok(None) };
        let (team_name, org_name) = match staff.team_id {
            Some(team) => self
                .0
                .prepare_cached(
                    "SELECT t.name, json_extract(u.doc, '$.name') FROM teams t
                     LEFT JOIN centres c ON c.id = t.centre_id
                     LEFT JOIN utilities u ON u.id = json_extract(c.doc, '$.utility_id')
                     WHERE t.id = ?1",
                )?
                .query_row([team.to_string()], |r| Ok((Some(r.get::<_, String>(0)?), r.get::<_, Option<String>>(1)?)))
                .optional()?
                .unwrap_or((None, None)),
            None => (None, None),
        };
        let districts = self
            .0
            .prepare_cached("SELECT code, name FROM districts WHERE steward_id = ?1 ORDER BY code")?
            .query_map([steward.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(CardData { staff, team_name, org_name, districts }))
    }

    /// The boundaries of all districts: (id, code, GeoJSON geometry text).
    pub fn district_boundaries(&self) -> Result<Vec<(DistrictId, String, Option<String>)>> {
        let mut stmt = self.0.prepare_cached("SELECT id, code, boundary FROM districts ORDER BY code")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))?;
        rows.map(|r| {
            let (id, code, boundary) = r?;
            Ok((parse_id(&id)?, code, boundary))
        })
        .collect()
    }

    /// Counts of the main tables, for reports after seeding and imports.
    pub fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let tables = ["staff", "districts", "communities", "buildings", "units", "households", "tickets", "visits"];
        tables
            .into_iter()
            .map(|t| Ok((t, self.0.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?)))
            .collect()
    }

    /// The newest change sequence number.
    pub fn head(&self) -> Result<i64> {
        Ok(self.0.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| r.get(0))?)
    }

    /// One page of the change feed after `cursor`, as the caller of `scope`
    /// sees it: records in scope as upserts, records that left it as
    /// removals, others not at all. Candidates are read through the
    /// scope-key indexes and judged by [`Scope::sees_change`].
    pub fn pull(&self, scope: &Scope, cursor: i64, limit: u32) -> Result<PullPage> {
        let head = self.head()?;
        let limit = limit as usize;
        let mut stmt = if scope.all {
            self.0.prepare_cached(
                "SELECT seq, kind, entity_id, doc, district_id, assignee, prev_district_id, prev_assignee
                 FROM changes WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
            )?
        } else {
            self.0.prepare_cached(
                "SELECT seq, kind, entity_id, doc, district_id, assignee, prev_district_id, prev_assignee
                 FROM changes WHERE seq > ?1 AND seq <= ?2 AND (
                     kind = 'sla_policy'
                     OR district_id IN (SELECT value FROM json_each(?4))
                     OR assignee IN (SELECT value FROM json_each(?5))
                     OR prev_district_id IN (SELECT value FROM json_each(?4))
                     OR prev_assignee IN (SELECT value FROM json_each(?5)))
                 ORDER BY seq LIMIT ?3",
            )?
        };
        let (districts, people) = (scope.districts_json(), scope.people_json());
        let key = |s: Option<String>| s.and_then(|s| s.parse::<uuid::Uuid>().ok());
        let mut changes = Vec::new();
        let mut from = cursor;
        let batch = limit + 1;
        loop {
            let mut rows = if scope.all {
                stmt.query(params![from, head, batch as i64])?
            } else {
                stmt.query(params![from, head, batch as i64, districts, people])?
            };
            let mut fetched = 0;
            while let Some(r) = rows.next()? {
                fetched += 1;
                let seq: i64 = r.get(0)?;
                from = seq;
                let kind: String = r.get(1)?;
                let now_in = scope.sees_change(&kind, key(r.get(4)?).map(DistrictId), key(r.get(5)?).map(UserId));
                let before_in =
                    !scope.all && scope.sees_change(&kind, key(r.get(6)?).map(DistrictId), key(r.get(7)?).map(UserId));
                let (op, data) = if now_in {
                    (ChangeOp::Upsert, Some(json(&r.get::<_, String>(3)?)?))
                } else if before_in {
                    (ChangeOp::Remove, None)
                } else {
                    continue;
                };
                changes.push(Change { seq, kind, id: r.get(2)?, op, data });
                if changes.len() > limit {
                    break;
                }
            }
            if changes.len() > limit || fetched < batch {
                break;
            }
        }
        let has_more = changes.len() > limit;
        changes.truncate(limit);
        let cursor = if has_more { changes.last().map_or(cursor, |c| c.seq) } else { head.max(cursor) };
        Ok(PullPage { changes, cursor, has_more })
    }

    /// The service policy, when it was last changed (UNIX ms; 0 for the
    /// seeded defaults) and by whom.
    pub fn service_policy(&self) -> Result<(ServicePolicy, i64, Option<UserId>)> {
        let (doc, updated_ms, by) = self
            .0
            .prepare_cached("SELECT doc, updated_ms, updated_by FROM service_policy WHERE id = 1")?
            .query_row([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?)))?;
        Ok((json(&doc)?, updated_ms, by.map(|b| parse_id(&b)).transpose()?))
    }

    /// The last position each steward's device reported.
    pub fn steward_positions(&self) -> Result<HashMap<UserId, PositionFix>> {
        let mut stmt = self.0.prepare_cached("SELECT steward_id, lon, lat, at_ms FROM steward_positions")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?, r.get::<_, f64>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = HashMap::new();
        for r in rows {
            let (id, lon, lat, at_ms) = r?;
            let (Ok(at), Ok(seen_at)) = (LonLat::new(lon, lat), Timestamp::from_millisecond(at_ms)) else { continue };
            out.insert(parse_id(&id)?, PositionFix { at, seen_at });
        }
        Ok(out)
    }

    /// When each steward's device last synced and what it said was queued.
    pub fn device_syncs(&self) -> Result<HashMap<UserId, (Timestamp, u32)>> {
        let mut stmt = self.0.prepare_cached("SELECT steward_id, last_sync_ms, queued FROM device_syncs")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        let mut out = HashMap::new();
        for r in rows {
            let (id, ms, queued) = r?;
            let at = Timestamp::from_millisecond(ms).map_err(|e| StoreError::Invalid(e.to_string()))?;
            out.insert(parse_id(&id)?, (at, u32::try_from(queued).unwrap_or(0)));
        }
        Ok(out)
    }

    /// How many open tickets (not resolved, closed or cancelled) each
    /// steward holds.
    pub fn open_ticket_counts(&self) -> Result<HashMap<UserId, u32>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT assignee, count(*) FROM tickets
             WHERE assignee IS NOT NULL AND status NOT IN ('resolved', 'closed', 'cancelled') GROUP BY assignee",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|r| {
            let (id, n) = r?;
            Ok((parse_id(&id)?, u32::try_from(n).unwrap_or(u32::MAX)))
        })
        .collect()
    }

    /// Every steward.
    pub fn stewards(&self) -> Result<Vec<StewardInfo>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, username, json_extract(doc, '$.display_name'), team_id FROM staff WHERE role = 'steward'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        rows.map(|r| {
            let (id, username, display_name, team) = r?;
            Ok(StewardInfo {
                id: parse_id(&id)?,
                username,
                display_name: display_name.unwrap_or_default(),
                team_id: team.map(|t| parse_id(&t)).transpose()?,
            })
        })
        .collect()
    }

    /// Every district with its team, steward and boundary text.
    pub fn districts(&self) -> Result<Vec<DistrictRow>> {
        let mut stmt = self.0.prepare_cached("SELECT doc, boundary FROM districts ORDER BY code")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
        rows.map(|r| {
            let (doc, boundary) = r?;
            Ok(DistrictRow { district: json(&doc)?, boundary })
        })
        .collect()
    }

    /// The no-heat tickets reported at or after `from_ms` in the districts
    /// of `scope`, with the station feeding each one's community, if known.
    pub fn no_heat_reports(&self, scope: &Scope, from_ms: i64) -> Result<Vec<(NoHeatReport, Option<StationId>)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT t.id, t.reported_ms, h.community_id, json_extract(c.doc, '$.station_id') FROM tickets t
             JOIN households h ON h.id = t.household_id JOIN communities c ON c.id = h.community_id
             WHERE json_extract(t.doc, '$.category') = 'no_heat' AND t.reported_ms >= ?1
               AND (?2 OR t.district_id IN (SELECT value FROM json_each(?3)))",
        )?;
        let rows = stmt.query_map(params![from_ms, scope.all, scope.districts_json()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
        })?;
        rows.map(|r| {
            let (id, ms, community, station) = r?;
            let reported_at = Timestamp::from_millisecond(ms).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let report = NoHeatReport { ticket_id: parse_id(&id)?, reported_at, community_id: parse_id(&community)? };
            Ok((report, station.map(|s| parse_id(&s)).transpose()?))
        })
        .collect()
    }

    /// The names of the heat-exchange stations.
    pub fn station_names(&self) -> Result<HashMap<StationId, String>> {
        let mut stmt = self.0.prepare_cached("SELECT id, json_extract(doc, '$.name') FROM stations")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
        rows.map(|r| {
            let (id, name) = r?;
            Ok((parse_id(&id)?, name.unwrap_or_default()))
        })
        .collect()
    }
}

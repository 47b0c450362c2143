//! Sweep campaigns (专项排查): the sweeps, their planned visits, and what
//! the completed visits say about them.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::params;
use steward_domain::ground::HeatingStatus;
use steward_domain::ids::{BuildingId, CommunityId, DistrictId, HouseholdId, UserId};
use steward_domain::sweep::{SweepKind, stairwell_order};
use steward_domain::visit::CompletedVisit;

use super::read::parse_id;
use super::reports::ReportScope;
use super::{Db, Result, StoreError, Tx};

/// A sweep as opened.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub id: uuid::Uuid,
    pub kind: SweepKind,
    pub title: String,
    pub opened_at: Timestamp,
    pub deadline: Timestamp,
    pub opened_by: UserId,
    pub district_ids: Vec<DistrictId>,
    pub community_ids: Vec<CommunityId>,
}

/// One planned visit, and the visits made to its household.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub household_id: HouseholdId,
    pub district_id: DistrictId,
    pub building_id: BuildingId,
    pub steward_id: Option<UserId>,
    pub seq: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SweepDoc {
    district_ids: Vec<DistrictId>,
    community_ids: Vec<CommunityId>,
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::MIN)
}

impl Tx<'_> {
    /// Stores a sweep and expands it: a planned visit for every household of
    /// its districts and communities that its kind covers, for the
    /// district's steward, numbered per steward in stairwell order. Returns
    /// how many were planned. Each planned visit is also a change-feed entry.
    pub fn open_sweep(&self, s: &SweepRow) -> Result<usize> {
        let doc = serde_json::to_string(&SweepDoc {
            district_ids: s.district_ids.clone(),
            community_ids: s.community_ids.clone(),
        })?;
        self.0.execute(
            "INSERT INTO sweeps (id, kind, title, opened_ms, deadline_ms, opened_by, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                s.id.to_string(),
                s.kind.code(),
                s.title,
                ms(s.opened_at),
                ms(s.deadline),
                s.opened_by.to_string(),
                doc
            ],
        )?;
        let districts = serde_json::to_string(&s.district_ids)?;
        let communities = serde_json::to_string(&s.community_ids)?;
        let mut stmt = self.0.prepare_cached(
            "SELECT h.id, h.district_id, json_extract(h.doc, '$.building_id'), json_extract(h.doc, '$.status'),
                    c.name, b.number, u.number, json_extract(h.doc, '$.room'), d.steward_id
             FROM households h JOIN communities c ON c.id = h.community_id
             JOIN buildings b ON b.id = json_extract(h.doc, '$.building_id')
             JOIN units u ON u.id = json_extract(h.doc, '$.unit_id')
             JOIN districts d ON d.id = h.district_id
             WHERE h.district_id IN (SELECT value FROM json_each(?1))
                OR h.community_id IN (SELECT value FROM json_each(?2))",
        )?;
        type Raw = (String, String, String, String, String, u32, u32, String, Option<String>);
        let rows = stmt.query_map(params![districts, communities], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })?;
        let mut planned: Vec<Raw> = Vec::new();
        for row in rows {
            let row: Raw = row?;
            if HeatingStatus::from_code(&row.3).is_some_and(|st| s.kind.covers(st)) {
                planned.push(row);
            }
        }
        planned.sort_by_key(|r| (r.8.clone(), stairwell_order(&r.4, r.5, r.6, &r.7)));
        let mut seq_of: HashMap<Option<String>, i64> = HashMap::new();
        let mut insert = self.0.prepare_cached(
            "INSERT INTO sweep_visits (sweep_id, household_id, district_id, building_id, steward_id, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (household, district, building, _, _, _, _, _, steward) in &planned {
            let seq = seq_of.entry(steward.clone()).or_insert(0);
            *seq += 1;
            insert.execute(params![s.id.to_string(), household, district, building, steward, *seq])?;
            // Each planned visit goes out on the change feed to the devices of
            // its district and steward (kind `planned_visit`; a device that
            // does not know the kind yet skips it).
            let doc = serde_json::json!({
                "sweep_id": s.id, "kind": s.kind.code(), "kind_label": s.kind.label_zh(), "title": s.title,
                "opened_at": s.opened_at, "deadline": s.deadline, "household_id": household,
                "district_id": district, "building_id": building, "steward_id": steward, "seq": *seq,
            });
            self.append_change(&super::ChangeRecord {
                kind: "planned_visit",
                entity_id: format!("{}:{household}", s.id),
                district_id: Some(parse_id(district)?),
                assignee: steward.as_deref().map(parse_id).transpose()?,
                prev_district_id: None,
                prev_assignee: None,
                doc,
                at_ms: ms(s.opened_at),
            })?;
        }
        Ok(planned.len())
    }
}

fn sweep_row(r: &rusqlite::Row<'_>) -> Result<SweepRow> {
    let kind: String = r.get(1)?;
    let doc: SweepDoc = serde_json::from_str(&r.get::<_, String>(6)?)?;
    Ok(SweepRow {
        id: parse_id(&r.get::<_, String>(0)?)?,
        kind: SweepKind::from_code(&kind).ok_or_else(|| StoreError::Invalid(format!("unknown sweep kind {kind:?}")))?,
        title: r.get(2)?,
        opened_at: from_ms(r.get(3)?),
        deadline: from_ms(r.get(4)?),
        opened_by: parse_id(&r.get::<_, String>(5)?)?,
        district_ids: doc.district_ids,
        community_ids: doc.community_ids,
    })
}

impl Db<'_> {
    /// The sweeps with a planned visit in scope, newest first.
    pub fn sweeps(&self, scope: &ReportScope) -> Result<Vec<SweepRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, kind, title, opened_ms, deadline_ms, opened_by, doc FROM sweeps s
             WHERE ?1 OR EXISTS (SELECT 1 FROM sweep_visits v WHERE v.sweep_id = s.id
                 AND (v.district_id IN (SELECT value FROM json_each(?2))
                      OR v.steward_id IN (SELECT value FROM json_each(?3))))
             ORDER BY opened_ms DESC, id",
        )?;
        let mut rows = stmt.query(params![scope.all, scope.districts, scope.people])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(sweep_row(r)?);
        }
        Ok(out)
    }

    pub fn sweep(&self, id: uuid::Uuid) -> Result<Option<SweepRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, kind, title, opened_ms, deadline_ms, opened_by, doc FROM sweeps WHERE id = ?1",
        )?;
        let mut rows = stmt.query([id.to_string()])?;
        rows.next()?.map(sweep_row).transpose()
    }

    /// The planned visits of a sweep in scope, with the completed visits to
    /// each household.
    pub fn sweep_plan(&self, sweep: uuid::Uuid, scope: &ReportScope) -> Result<Vec<(PlannedRow, Vec<CompletedVisit>)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT household_id, district_id, building_id, steward_id, seq FROM sweep_visits
             WHERE sweep_id = ?1 AND (?2 OR district_id IN (SELECT value FROM json_each(?3))
                                      OR steward_id IN (SELECT value FROM json_each(?4)))
             ORDER BY steward_id, seq",
        )?;
        let rows = stmt.query_map(params![sweep.to_string(), scope.all, scope.districts, scope.people], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut visits = self.0.prepare_cached("SELECT doc FROM visits WHERE household_id = ?1")?;
        let mut out = Vec::new();
        for row in rows {
            let (household, district, building, steward, seq) = row?;
            let docs = visits.query_map([&household], |r| r.get::<_, String>(0))?;
            let done: Vec<CompletedVisit> = docs.map(|d| Ok(serde_json::from_str(&d?)?)).collect::<Result<_>>()?;
            let planned = PlannedRow {
                household_id: parse_id(&household)?,
                district_id: parse_id(&district)?,
                building_id: parse_id(&building)?,
                steward_id: steward.map(|s| parse_id(&s)).transpose()?,
                seq,
            };
            out.push((planned, done));
        }
        Ok(out)
    }

    /// Buildings by id as `community n号楼`.
    pub fn building_names(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT b.id, c.name || ' ' || b.number || '号楼' FROM buildings b JOIN communities c ON c.id = b.community_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The district of each community asked for, `None` for an unknown one.
    pub fn community_district(&self, id: CommunityId) -> Result<Option<DistrictId>> {
        use rusqlite::OptionalExtension;
        let d: Option<String> = self
            .0
            .prepare_cached("SELECT district_id FROM communities WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        d.map(|d| parse_id(&d)).transpose()
    }

    /// Whether a district exists.
    pub fn district_exists(&self, id: DistrictId) -> Result<bool> {
        use rusqlite::OptionalExtension;
        Ok(self
            .0
            .prepare_cached("SELECT 1 FROM districts WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

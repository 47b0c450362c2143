-- The 30-minute response: the policy the central holds and devices receive,
-- where stewards were last seen, and when their devices last synced.

-- One row: the service policy as JSON (the domain's `ServicePolicy`),
-- seeded with the defaults: 30 minutes for every category that needs a
-- visit, none for consultation and payment, at risk with 10 minutes left,
-- a 150 m check-in geofence, escalation after 5 minutes unaccepted,
-- 15 km/h, 10 minutes per open ticket, stale after 10 minutes without sync,
-- positions trusted for 60 minutes, 5 no-heat tickets in 30 minutes per
-- station make an incident.
CREATE TABLE service_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    doc TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    updated_by TEXT
);
INSERT INTO service_policy (id, doc, updated_ms, updated_by) VALUES (1, '{"responses":[
    {"category":"no_heat","response_minutes":30},
    {"category":"leak","response_minutes":30},
    {"category":"venting_noise","response_minutes":30},
    {"category":"valve","response_minutes":30},
    {"category":"suspension_request","response_minutes":30},
    {"category":"payment","response_minutes":null},
    {"category":"consultation","response_minutes":null},
    {"category":"illegal_use_report","response_minutes":30},
    {"category":"other","response_minutes":30}],
  "at_risk_minutes":10,"geofence_m":150.0,"escalation_minutes":5,
  "speed_kmh":15.0,"load_penalty_minutes":10.0,"stale_minutes":10,"position_max_age_minutes":60,
  "incident_threshold":5,"incident_window_minutes":30}', 0, NULL);

-- The last position a steward's device reported, on a ticket event or a
-- visit; only a newer report replaces it.
CREATE TABLE steward_positions (
    steward_id TEXT PRIMARY KEY,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    at_ms INTEGER NOT NULL,
    source TEXT NOT NULL
);

-- When a steward's device last pushed or pulled, and how many records it
-- said were still waiting on it.
CREATE TABLE device_syncs (
    steward_id TEXT PRIMARY KEY,
    device_id TEXT,
    last_sync_ms INTEGER NOT NULL,
    queued INTEGER NOT NULL DEFAULT 0
);

-- The policy reaches every device through the change feed as kind
-- `sla_policy`, whatever its scope; this index keeps that part of a pull an
-- index read. The seeded policy is the feed's first entry of the kind.
CREATE INDEX changes_kind ON changes(kind, seq);
INSERT INTO changes (kind, entity_id, district_id, assignee, prev_district_id, prev_assignee, doc, at_ms)
    SELECT 'sla_policy', 'policy', NULL, NULL, NULL, NULL,
           json_insert(doc, '$.updated_at', NULL), 0 FROM service_policy WHERE id = 1;

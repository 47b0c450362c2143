-- The first schema of the central store. Domain records are kept whole as
-- JSON in `doc`; the columns beside it are the ones queries filter on.
-- Times used in comparisons are UNIX milliseconds.

CREATE TABLE utilities (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE centres (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, centre_id TEXT NOT NULL, lead_id TEXT, doc TEXT NOT NULL);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    team_id TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX staff_team ON staff(team_id);

-- One login account per staff member; the password as an argon2id PHC string.
CREATE TABLE accounts (
    user_id TEXT PRIMARY KEY REFERENCES staff(id),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

-- Bearer tokens are kept only as the SHA-256 of the token.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES staff(id),
    device_id TEXT,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
CREATE INDEX tokens_user ON tokens(user_id, device_id);

CREATE TABLE districts (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team_id TEXT NOT NULL,
    steward_id TEXT,
    boundary TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX districts_team ON districts(team_id);
CREATE INDEX districts_steward ON districts(steward_id);

CREATE TABLE stations (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE communities (id TEXT PRIMARY KEY, district_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX communities_name ON communities(name);
CREATE TABLE buildings (id TEXT PRIMARY KEY, community_id TEXT NOT NULL, number INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX buildings_community ON buildings(community_id, number);
CREATE TABLE units (id TEXT PRIMARY KEY, building_id TEXT NOT NULL, number INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX units_building ON units(building_id, number);

CREATE TABLE households (
    id TEXT PRIMARY KEY,
    account_no TEXT NOT NULL UNIQUE,
    district_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    search TEXT NOT NULL,
    lon REAL,
    lat REAL,
    doc TEXT NOT NULL
);
CREATE INDEX households_district ON households(district_id);
CREATE INDEX households_community ON households(community_id);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    external_ref TEXT UNIQUE,
    reported_ms INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX tickets_district ON tickets(district_id);
CREATE INDEX tickets_assignee ON tickets(assignee);

CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (ticket_id, seq)
);

CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    steward_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX visits_household ON visits(household_id);

-- The change feed behind pull cursors. Each row is a snapshot of the record
-- after the change, with the scope keys before and after it, so a record that
-- leaves a caller's scope reaches that caller as a removal.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    district_id TEXT,
    assignee TEXT,
    prev_district_id TEXT,
    prev_assignee TEXT,
    doc TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);

-- Mutation ids already applied, so a retried push applies nothing twice.
CREATE TABLE seen_mutations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    device_id TEXT,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);

-- Who changed what, when, from which device.
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    user_id TEXT,
    device_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    detail TEXT
);

-- Schema version 1: what a steward's device holds.
--
-- Ids are UUID text. Timestamps are RFC 3339 text in UTC with nine fractional
-- digits, so text order is time order. Enumerations are stored as the
-- domain's codes and checked here. Tables are STRICT so a wrong type is an
-- error, not a silent conversion.

-- Device-local settings: steward id, device id, later the sync cursor.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Steward teams (供暖管家服务队).
CREATE TABLE teams (
    id        TEXT PRIMARY KEY,
    centre_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    lead_id   TEXT
) STRICT;

-- People: the steward using the device and their team. No foreign key to
-- teams, because a lead or an agent may belong to a team the device lacks.
CREATE TABLE staff (
    id           TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('steward', 'team_lead', 'hotline_agent', 'admin')),
    team_id      TEXT,
    employee_no  TEXT NOT NULL,
    mobile       TEXT
) STRICT;

-- Service districts (片区) with their boundary as a GeoJSON geometry.
CREATE TABLE districts (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    team_id          TEXT NOT NULL,
    steward_id       TEXT,
    boundary_geojson TEXT CHECK (boundary_geojson IS NULL OR json_valid(boundary_geojson))
) STRICT;
CREATE INDEX districts_steward ON districts (steward_id);

-- Heat-exchange stations (换热站).
CREATE TABLE stations (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lon  REAL NOT NULL,
    lat  REAL NOT NULL
) STRICT;

-- Communities (小区). `initials` are the pinyin initials of the name
-- (鑫隆帝景城 → xldjc); `sort_key` orders communities by pinyin.
CREATE TABLE communities (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    initials    TEXT NOT NULL,
    sort_key    TEXT NOT NULL,
    district_id TEXT NOT NULL REFERENCES districts (id),
    station_id  TEXT,
    lon         REAL NOT NULL,
    lat         REAL NOT NULL
) STRICT;
CREATE INDEX communities_initials ON communities (initials);
CREATE INDEX communities_sort ON communities (sort_key);

-- Buildings (楼).
CREATE TABLE buildings (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities (id),
    number       INTEGER NOT NULL CHECK (number >= 0),
    lon          REAL NOT NULL,
    lat          REAL NOT NULL
) STRICT;
CREATE INDEX buildings_community ON buildings (community_id, number);

-- Stairwell units (单元). `walk_key` is the walking-order prefix of the
-- unit's households: community, building number, unit number.
CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    building_id TEXT NOT NULL REFERENCES buildings (id),
    number      INTEGER NOT NULL CHECK (number >= 0),
    walk_key    TEXT
) STRICT;
CREATE INDEX units_building ON units (building_id, number);

-- Households (户). `rid` is an explicit integer key so the full-text index
-- can refer to rows by a rowid that VACUUM never renumbers. `walk_key`
-- orders households community → building → unit → room; it starts with the
-- community's sort key, so one community's households are one range of it.
CREATE TABLE households (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    account_no    TEXT NOT NULL,
    district_id   TEXT NOT NULL REFERENCES districts (id),
    community_id  TEXT NOT NULL REFERENCES communities (id),
    building_id   TEXT NOT NULL REFERENCES buildings (id),
    unit_id       TEXT NOT NULL REFERENCES units (id),
    room          TEXT NOT NULL,
    resident_name TEXT NOT NULL,
    name_initials TEXT NOT NULL,
    phone         TEXT NOT NULL,
    heated_area   REAL NOT NULL CHECK (heated_area > 0),
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'new', 'disconnected')),
    valve         TEXT NOT NULL CHECK (valve IN ('open', 'closed', 'sealed')),
    seal_no       TEXT,
    walk_key      TEXT NOT NULL,
    CHECK ((valve = 'sealed') = (seal_no IS NOT NULL))
) STRICT;
CREATE INDEX households_account ON households (account_no);
CREATE INDEX households_name ON households (resident_name);
CREATE INDEX households_initials ON households (name_initials);
CREATE INDEX households_walk ON households (walk_key);
CREATE INDEX households_community_status ON households (community_id, status);
CREATE INDEX households_building ON households (building_id, status);
CREATE INDEX households_unit ON households (unit_id);
-- The households that need a visit: suspended and not yet sealed, or new and
-- not yet opened. The expression must match the one in todays_work.
CREATE INDEX households_needing_visit ON households (walk_key)
    WHERE (status = 'suspended' AND valve <> 'sealed') OR (status = 'new' AND valve <> 'open');

-- The search haystack: trigram full-text index for substring search over
-- names (name and its pinyin initials) and the rest (address, community
-- initials, account number, phone). Contentless: the text lives only in
-- the index; rows are households.rid.
CREATE VIRTUAL TABLE household_fts USING fts5 (
    names,
    rest,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);

-- Tickets (工单). The columns are for queries; `ticket_json` is the whole
-- domain ticket, the source when a ticket is read back.
CREATE TABLE tickets (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    category     TEXT NOT NULL,
    description  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN
        ('new', 'dispatched', 'accepted', 'en_route', 'on_site', 'resolved', 'closed', 'cancelled')),
    assignee     TEXT,
    reported_at  TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    external_ref TEXT,
    last_seq     INTEGER NOT NULL,
    ticket_json  TEXT NOT NULL CHECK (json_valid(ticket_json))
) STRICT;
CREATE INDEX tickets_assignee ON tickets (assignee, due_at);
CREATE INDEX tickets_household ON tickets (household_id);

-- One row per ticket event; `action_json` is the domain's TicketAction.
CREATE TABLE ticket_events (
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    seq          INTEGER NOT NULL,
    action       TEXT NOT NULL,
    action_json  TEXT NOT NULL CHECK (json_valid(action_json)),
    actor_id     TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    at           TEXT NOT NULL,
    location     TEXT CHECK (location IS NULL OR json_valid(location)),
    status_after TEXT NOT NULL,
    UNIQUE (ticket_id, seq)
) STRICT;

-- Completed home visits (入户). Immutable: a correction is a new row that
-- names the original in `corrects`.
CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    steward_id   TEXT NOT NULL,
    ticket_id    TEXT,
    started_at   TEXT NOT NULL,
    completed_at TEXT NOT NULL,
    corrects     TEXT,
    location     TEXT CHECK (location IS NULL OR json_valid(location)),
    records_json TEXT NOT NULL CHECK (json_valid(records_json))
) STRICT;
CREATE INDEX visits_household ON visits (household_id, completed_at);
CREATE INDEX visits_steward ON visits (steward_id, completed_at);

-- The outbox: every local change, written in the same transaction as the
-- change itself, in the order made (`seq`). Sync sends and acknowledges
-- entries; `priority` goes before `bulk`. No AUTOINCREMENT: SQLite gives a
-- new row max(seq) + 1, so entries stay in the order made among those not yet
-- acknowledged, which is all that sync needs, without a counter table write
-- per change.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    mutation_id TEXT NOT NULL UNIQUE,
    lane        TEXT NOT NULL CHECK (lane IN ('priority', 'bulk')),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL,
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    device_time TEXT NOT NULL
) STRICT;
-- Only the priority lane is indexed: it stays short, and a bulk insert does
-- not pay for the index. Bulk entries are read in seq order, which is the
-- table's own order.
CREATE INDEX outbox_priority ON outbox (seq) WHERE lane = 'priority';

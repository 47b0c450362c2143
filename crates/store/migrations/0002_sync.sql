-- Schema version 2: what sync keeps on the device.
--
-- The pull cursor and the server clock offset live in `meta` (keys
-- `pull_cursor` and `clock_offset_ms`); they need no table.

-- Mutations the server refused (需处理): moved here from the outbox with the
-- server's reason, so that the queue behind them moves on and the field data
-- they carry is kept for the steward and the team lead to see. `seq` is the
-- entry's place in the outbox it left; rows are listed in rowid order, the
-- order of refusal.
CREATE TABLE needs_attention (
    mutation_id TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    lane        TEXT NOT NULL CHECK (lane IN ('priority', 'bulk')),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL,
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    device_time TEXT NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL
) STRICT;
CREATE INDEX needs_attention_entity ON needs_attention (entity, entity_id);


-- Tickets and visits from the feed whose household is not (yet) on the
-- device, e.g. a ticket of a colleague's district dispatched to this
-- steward. They wait here, as the domain's JSON, instead of failing their
-- page, and are applied when the household arrives.
CREATE TABLE pull_parked (
    kind         TEXT NOT NULL CHECK (kind IN ('ticket', 'visit')),
    id           TEXT NOT NULL,
    household_id TEXT NOT NULL,
    doc          TEXT NOT NULL CHECK (json_valid(doc)),
    PRIMARY KEY (kind, id)
) STRICT;
CREATE INDEX pull_parked_household ON pull_parked (household_id);

-- The server's last copy of each ticket (the domain's JSON), kept beside
-- the local state: when the server refuses a local action, the ticket goes
-- back to this copy.
ALTER TABLE tickets ADD COLUMN server_json TEXT CHECK (server_json IS NULL OR json_valid(server_json));

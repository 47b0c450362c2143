-- Schema version 4: the planned visits of sweep campaigns (专项排查) that
-- the central's change feed brings (kind `planned_visit`, id
-- `<sweep id>:<household id>`). One row per sweep and household; `seq` is
-- the central's walking order of the steward's planned visits. Whether one
-- is done is not stored: it follows from the household's visits (the
-- domain's `SweepKind::done_at`), so a visit recorded offline marks it done
-- at once and a visit pulled from the central does too.
CREATE TABLE planned_visits (
    id           TEXT PRIMARY KEY,
    sweep_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    kind_label   TEXT NOT NULL,
    title        TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    household_id TEXT NOT NULL,
    district_id  TEXT NOT NULL,
    building_id  TEXT NOT NULL,
    steward_id   TEXT,
    seq          INTEGER NOT NULL
) STRICT;
CREATE INDEX planned_visits_steward ON planned_visits (steward_id, deadline);
CREATE INDEX planned_visits_household ON planned_visits (household_id);

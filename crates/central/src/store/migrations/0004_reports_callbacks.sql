-- Reports and callbacks (回访).
--
-- ticket_facts: one row per ticket, rewritten whenever an event of the
-- ticket is stored, holding what the SLA report needs without reading the
-- ticket's events: the clock's times, the (at most three) arrivals that
-- decide it (steward_domain::report::decisive_arrivals), and who answers
-- for it. Times are UNIX milliseconds; `day` is the report day yyyymmdd in
-- Asia/Shanghai.
-- The table is clustered by day (WITHOUT ROWID, keyed by day and ticket), so
-- a report over a period reads one contiguous range; a ticket's day never
-- changes, as its report time does not.
CREATE TABLE ticket_facts (
    day INTEGER NOT NULL,
    ticket_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    -- The steward whose arrival stopped the clock, else the assignee.
    steward_id TEXT,
    -- The steward's team, else the district's.
    team_id TEXT,
    category TEXT NOT NULL,
    reported_ms INTEGER NOT NULL,
    due_ms INTEGER NOT NULL,
    cancelled_ms INTEGER,
    a1_ms INTEGER,
    a1_ok INTEGER,
    a2_ms INTEGER,
    a2_ok INTEGER,
    a3_ms INTEGER,
    a3_ok INTEGER,
    -- When the ticket was first resolved, for the callback list.
    resolved_ms INTEGER,
    PRIMARY KEY (day, ticket_id)
) WITHOUT ROWID;
CREATE INDEX ticket_facts_resolved ON ticket_facts(resolved_ms) WHERE resolved_ms IS NOT NULL;

-- The hotline's callback list. One row per visit or ticket called about;
-- the id is derived from the item, so generating a list again adds nothing.
CREATE TABLE callbacks (
    id TEXT PRIMARY KEY,
    item_kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    steward_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The day (yyyymmdd, Asia/Shanghai) the work was completed.
    work_day INTEGER NOT NULL,
    work_ms INTEGER NOT NULL,
    -- The valve state the steward recorded (JSON), to spot contradictions.
    recorded_valve TEXT,
    created_ms INTEGER NOT NULL,
    -- The outcome (JSON steward_domain::callback::CallbackOutcome).
    outcome TEXT,
    reached INTEGER,
    satisfaction INTEGER,
    complaint INTEGER,
    contradiction TEXT,
    agent_id TEXT,
    outcome_ms INTEGER,
    UNIQUE (item_kind, item_id)
);
CREATE INDEX callbacks_day ON callbacks(work_day);
CREATE INDEX callbacks_steward ON callbacks(steward_id, work_day);

-- Sweep campaigns (专项排查): what a team lead opened, and the planned
-- visit per household it expanded to, for the district's steward, in
-- stairwell order (`seq`, per steward).
CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    opened_ms INTEGER NOT NULL,
    deadline_ms INTEGER NOT NULL,
    opened_by TEXT NOT NULL,
    -- {district_ids, community_ids} as asked.
    doc TEXT NOT NULL
);
CREATE TABLE sweep_visits (
    sweep_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    steward_id TEXT,
    seq INTEGER NOT NULL,
    PRIMARY KEY (sweep_id, household_id)
) WITHOUT ROWID;
CREATE INDEX sweep_visits_steward ON sweep_visits(steward_id, sweep_id);

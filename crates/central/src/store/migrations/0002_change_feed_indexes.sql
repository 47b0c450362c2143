-- Pull reads the change feed by scope key, not by scanning it: one index
-- per key, each ordered by sequence.
CREATE INDEX changes_district ON changes(district_id, seq);
CREATE INDEX changes_assignee ON changes(assignee, seq);
CREATE INDEX changes_prev_district ON changes(prev_district_id, seq);
CREATE INDEX changes_prev_assignee ON changes(prev_assignee, seq);

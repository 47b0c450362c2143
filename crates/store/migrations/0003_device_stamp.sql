-- Schema version 3: the device stamp of every queued change (issue 4).
--
-- `device_seq` is this device's sequence: strictly increasing, never reused,
-- assigned in the transaction that queues the change; its counter is
-- `meta.device_seq`, so it survives restarts and acknowledged entries.
-- `corrected_time` is the device time plus the server clock offset the
-- device had learnt then (`time_basis` = 'wall_offset'), or the device time
-- as it was when the device had never synced ('device_wall').
ALTER TABLE outbox ADD COLUMN device_seq INTEGER;
ALTER TABLE outbox ADD COLUMN corrected_time TEXT;
ALTER TABLE outbox ADD COLUMN time_basis TEXT CHECK (time_basis IS NULL OR time_basis IN ('wall_offset', 'device_wall'));
ALTER TABLE needs_attention ADD COLUMN device_seq INTEGER;
ALTER TABLE needs_attention ADD COLUMN corrected_time TEXT;
ALTER TABLE needs_attention ADD COLUMN time_basis TEXT;

-- Entries queued before this version keep no stamp; the counter starts
-- past every outbox position used so far.
INSERT INTO meta (key, value)
SELECT 'device_seq', CAST(coalesce(max(seq), 0) AS TEXT) FROM outbox WHERE true
ON CONFLICT (key) DO NOTHING;

-- A refused entry keeps its stamp: it is copied from the outbox row the
-- entry is moved from (the move inserts here, then deletes there).
CREATE TRIGGER needs_attention_keeps_stamp AFTER INSERT ON needs_attention
WHEN NEW.device_seq IS NULL
BEGIN
    UPDATE needs_attention
    SET device_seq = o.device_seq, corrected_time = o.corrected_time, time_basis = o.time_basis
    FROM (SELECT device_seq, corrected_time, time_basis FROM outbox WHERE mutation_id = NEW.mutation_id) AS o
    WHERE needs_attention.mutation_id = NEW.mutation_id;
END;

-- Photos (附件), stored on the device and uploaded in their own lane,
-- named by the SHA-256 of their bytes. `uploaded` is how many bytes the
-- central is known to hold, so an upload cut off goes on from there;
-- `done` once the central holds the whole, checked. The record a photo
-- belongs to (`record_kind`, `record_id`) syncs without waiting for it.
CREATE TABLE attachments (
    sha256       TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    data         BLOB NOT NULL,
    record_kind  TEXT,
    record_id    TEXT,
    uploaded     INTEGER NOT NULL DEFAULT 0,
    done         INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))
) STRICT;
CREATE INDEX attachments_pending ON attachments (done);

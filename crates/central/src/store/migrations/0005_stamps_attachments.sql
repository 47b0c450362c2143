-- Schema version 5 (sync, issue 4).
--
-- The device stamp of every applied mutation: the device's own sequence
-- and clock, the time it corrected with the offset it had learnt, and the
-- honest time the server settled on (`honest_ms`, on the server's clock,
-- never after `received_ms`), so a phone whose clock is hours off still
-- yields honest response times.
CREATE TABLE mutation_stamps (
    mutation_id    TEXT PRIMARY KEY,
    device_id      TEXT,
    device_seq     INTEGER,
    device_time_ms INTEGER,
    corrected_ms   INTEGER,
    basis          TEXT NOT NULL,
    honest_ms      INTEGER NOT NULL,
    received_ms    INTEGER NOT NULL
);
CREATE INDEX mutation_stamps_device ON mutation_stamps (device_id, device_seq);

-- Photos and other attachments, content-addressed by the SHA-256 of their
-- bytes and uploaded in pieces that resume where the last one stopped.
-- `received` bytes are held in `attachment_parts` until the whole is in;
-- `complete_ms` is set once the bytes' hash is checked against the name.
CREATE TABLE attachments (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    received     INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    complete_ms  INTEGER
);

CREATE TABLE attachment_parts (
    sha256 TEXT NOT NULL REFERENCES attachments (sha256),
    offset INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, offset)
);

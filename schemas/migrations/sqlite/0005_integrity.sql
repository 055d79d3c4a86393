-- Tamper evidence: the hash chain over the committed global log, computed in position order
-- after commit by the sealer, and the signed checkpoints of its head. Both append-only, like
-- the events (there is no legitimate administrative path to change either: erasure destroys
-- a person's key and never touches an event).
CREATE TABLE IF NOT EXISTS event_hashes (
    position INTEGER PRIMARY KEY,
    hash     TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS integrity_checkpoints (
    position   INTEGER PRIMARY KEY,
    head_hash  TEXT    NOT NULL,
    signed_at  TEXT    NOT NULL,
    public_key TEXT    NOT NULL,
    signature  TEXT    NOT NULL
);

CREATE TRIGGER IF NOT EXISTS event_hashes_no_update BEFORE UPDATE ON event_hashes
BEGIN
    SELECT RAISE(ABORT, 'event_hashes is append-only: UPDATE refused');
END;
CREATE TRIGGER IF NOT EXISTS event_hashes_no_delete BEFORE DELETE ON event_hashes
BEGIN
    SELECT RAISE(ABORT, 'event_hashes is append-only: DELETE refused');
END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON integrity_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'integrity_checkpoints is append-only: UPDATE refused');
END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON integrity_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'integrity_checkpoints is append-only: DELETE refused');
END;

-- The event log. The first seven columns are the ones sqlite-es inserts; the rest are ours.
CREATE TABLE IF NOT EXISTS events (
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    sequence       INTEGER NOT NULL CHECK (sequence >= 0),
    event_type     TEXT    NOT NULL,
    event_version  TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    -- Global position: SQLite serialises writers, so max + 1 at insert is commit order.
    position       INTEGER UNIQUE,
    recorded_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX IF NOT EXISTS events_recorded_at ON events (recorded_at);
CREATE INDEX IF NOT EXISTS events_idempotency_lookup
    ON events (json_extract(metadata, '$.actor_id'), json_extract(metadata, '$.idempotency_key'))
    WHERE json_extract(metadata, '$.idempotency_key') IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS events_idempotency_unique
    ON events (json_extract(metadata, '$.actor_id'), json_extract(metadata, '$.idempotency_key'))
    WHERE json_extract(metadata, '$.idempotency_key') IS NOT NULL
      AND sequence = CAST(json_extract(metadata, '$.first_sequence') AS INTEGER);

CREATE TRIGGER IF NOT EXISTS events_position AFTER INSERT ON events
BEGIN
    UPDATE events SET position = (SELECT coalesce(max(position), 0) + 1 FROM events)
     WHERE rowid = NEW.rowid;
END;

-- History is append-only: the only update allowed is the position trigger's, once.
CREATE TRIGGER IF NOT EXISTS events_immutable_update BEFORE UPDATE ON events
WHEN OLD.position IS NOT NULL
  OR NEW.aggregate_type IS NOT OLD.aggregate_type OR NEW.aggregate_id IS NOT OLD.aggregate_id
  OR NEW.sequence IS NOT OLD.sequence OR NEW.event_type IS NOT OLD.event_type
  OR NEW.event_version IS NOT OLD.event_version OR NEW.payload IS NOT OLD.payload
  OR NEW.metadata IS NOT OLD.metadata OR NEW.recorded_at IS NOT OLD.recorded_at
BEGIN
    SELECT RAISE(ABORT, 'events are immutable: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS events_immutable_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable: DELETE refused');
END;

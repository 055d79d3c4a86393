-- Tamper evidence: the hash chain over the committed global log, computed in position order
-- after commit by the sealer, and the signed checkpoints of its head. Both append-only, like
-- the events (there is no legitimate administrative path to change either: erasure destroys
-- a person's key and never touches an event).
CREATE TABLE IF NOT EXISTS event_hashes (
    position bigint PRIMARY KEY,
    hash     text   NOT NULL
);

CREATE TABLE IF NOT EXISTS integrity_checkpoints (
    position   bigint      PRIMARY KEY,
    head_hash  text        NOT NULL,
    signed_at  timestamptz NOT NULL,
    public_key text        NOT NULL,
    signature  text        NOT NULL
);

CREATE OR REPLACE FUNCTION integrity_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;

DROP TRIGGER IF EXISTS event_hashes_immutable ON event_hashes;
CREATE TRIGGER event_hashes_immutable BEFORE UPDATE OR DELETE ON event_hashes
    FOR EACH ROW EXECUTE FUNCTION integrity_immutable();
DROP TRIGGER IF EXISTS event_hashes_no_truncate ON event_hashes;
CREATE TRIGGER event_hashes_no_truncate BEFORE TRUNCATE ON event_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION integrity_immutable();
DROP TRIGGER IF EXISTS checkpoints_immutable ON integrity_checkpoints;
CREATE TRIGGER checkpoints_immutable BEFORE UPDATE OR DELETE ON integrity_checkpoints
    FOR EACH ROW EXECUTE FUNCTION integrity_immutable();
DROP TRIGGER IF EXISTS checkpoints_no_truncate ON integrity_checkpoints;
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON integrity_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION integrity_immutable();

-- The event log. The first seven columns are the ones postgres-es inserts; the rest are ours.
CREATE TABLE IF NOT EXISTS events (
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    sequence       bigint NOT NULL CHECK (sequence >= 0),
    event_type     text   NOT NULL,
    event_version  text   NOT NULL,
    payload        jsonb  NOT NULL,
    metadata       jsonb  NOT NULL,
    -- Global position: assigned by the trigger below, ordered like the inserting transactions.
    position       bigint NOT NULL,
    -- The inserting transaction: readers only read rows of transactions older than every
    -- transaction still running (gap safety, see ARCHITECTURE.md).
    transaction_id xid8   NOT NULL DEFAULT pg_current_xact_id(),
    recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE UNIQUE INDEX IF NOT EXISTS events_position ON events (position);
CREATE INDEX IF NOT EXISTS events_recorded_at ON events (recorded_at);
CREATE INDEX IF NOT EXISTS events_idempotency_lookup
    ON events ((metadata ->> 'actor_id'), (metadata ->> 'idempotency_key'))
    WHERE metadata ? 'idempotency_key';
-- One command per (actor, idempotency key): the first event of a command carries the key with
-- its own sequence as first_sequence, so two commands with one key cannot both commit.
CREATE UNIQUE INDEX IF NOT EXISTS events_idempotency_unique
    ON events ((metadata ->> 'actor_id'), (metadata ->> 'idempotency_key'))
    WHERE metadata ? 'idempotency_key' AND sequence = ((metadata ->> 'first_sequence')::bigint);

-- Positions are offset + (transaction id << 20) + the event's rank in its transaction.
-- `offset` only grows; `migrate` raises it after a restore into a cluster with lower xids.
CREATE TABLE IF NOT EXISTS event_position_base (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    "offset"  bigint  NOT NULL
);
INSERT INTO event_position_base ("offset") VALUES (0) ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION events_assign_position() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    base bigint;
BEGIN
    SELECT "offset" + ((pg_current_xact_id()::text::bigint) << 20) INTO base FROM event_position_base;
    SELECT coalesce(max(position) + 1, base) INTO NEW.position
      FROM events WHERE position >= base AND position < base + 1048576;
    IF NEW.position >= base + 1048576 THEN
        RAISE EXCEPTION 'more than 1048576 events in one transaction';
    END IF;
    NEW.transaction_id := pg_current_xact_id();
    -- recorded_at keeps its default (the insert's clock time) unless an import carries the
    -- original recording time over from the exporting store.
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS events_position ON events;
CREATE TRIGGER events_position BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_assign_position();

-- Wake readers when a transaction that appended events commits.
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('governance_events', '');
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

-- History is append-only.
CREATE OR REPLACE FUNCTION events_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % refused', TG_OP;
END $$;

DROP TRIGGER IF EXISTS events_immutable ON events;
CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_immutable();
DROP TRIGGER IF EXISTS events_no_truncate ON events;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_immutable();

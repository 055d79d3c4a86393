-- The read side's connections (application_name 'governance read side': the projector's
-- batches, the sealer, the processes' checkpoints, a rebuild's bulk load) write read models,
-- checkpoints and the hash chain, never an event. The log's horizon therefore passes their
-- transactions (projections/src/store/log.rs, HORIZON): a batch in progress, or a rebuild's
-- COPY of seconds, holds back no reader of the log. An event inserted by such a session
-- could be passed by a reader before it commits, so the table refuses it.
CREATE OR REPLACE FUNCTION events_refused_from_the_read_side() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a session named % (the read side) may not write events',
        quote_literal(current_setting('application_name'))
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS events_not_from_the_read_side ON events;
-- A statement trigger with its condition in the trigger itself: an append from any other
-- session evaluates the condition once per statement and calls nothing.
CREATE TRIGGER events_not_from_the_read_side BEFORE INSERT ON events
    FOR EACH STATEMENT
    WHEN (current_setting('application_name') = 'governance read side')
    EXECUTE FUNCTION events_refused_from_the_read_side();

-- The read side's pointer to the generation that serves reads is kept whole: its one row
-- cannot be deleted (nor the table truncated), it can only point at a generation that has a
-- checkpoint, and the active generation's checkpoint cannot be deleted or renumbered. Before,
-- one `DELETE FROM projection_state` (or one checkpoint deleted) made every question read
-- from the database answer as if nothing had happened (no rows, no error), and `/readyz`
-- call the database unreachable. Only `governance rebuild`'s switch changes the pointer, to a
-- generation it has projected, and deletes the checkpoints of the others after it.
CREATE OR REPLACE FUNCTION projection_state_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        IF TG_TABLE_NAME = 'projection_state' AND TG_OP = 'UPDATE' THEN
            IF EXISTS (SELECT 1 FROM projection_checkpoints
                        WHERE generation = NEW.active_generation) THEN
                RETURN NEW;
            END IF;
        ELSIF TG_TABLE_NAME = 'projection_checkpoints' AND TG_OP = 'UPDATE' THEN
            IF OLD.generation = NEW.generation THEN
                RETURN NEW;
            END IF;
        ELSIF TG_TABLE_NAME = 'projection_checkpoints' AND TG_OP = 'DELETE' THEN
            IF OLD.generation IS DISTINCT FROM
               (SELECT active_generation FROM projection_state) THEN
                RETURN OLD;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'the projection state is kept: % on % refused (the active generation must have a checkpoint; `governance rebuild` makes a new one)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER projection_state_kept BEFORE UPDATE OR DELETE ON projection_state
    FOR EACH ROW EXECUTE FUNCTION projection_state_kept();
CREATE TRIGGER projection_state_not_truncated BEFORE TRUNCATE ON projection_state
    FOR EACH STATEMENT EXECUTE FUNCTION projection_state_kept();
CREATE TRIGGER projection_checkpoint_of_active_kept
    BEFORE DELETE OR UPDATE OF generation ON projection_checkpoints
    FOR EACH ROW EXECUTE FUNCTION projection_state_kept();
CREATE TRIGGER projection_checkpoints_not_truncated BEFORE TRUNCATE ON projection_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION projection_state_kept();

-- The read side's pointer to the generation that serves reads is kept whole: its one row
-- cannot be deleted, it can only point at a generation that has a checkpoint, and the active
-- generation's checkpoint cannot be deleted or renumbered. Before, one `DELETE FROM
-- projection_state` (or one checkpoint deleted) made every question read from the database
-- answer as if nothing had happened (no rows, no error), and `/readyz` call the database
-- unreachable. Only `governance rebuild`'s switch changes the pointer, to a generation it has
-- projected, and deletes the checkpoints of the others after it.
CREATE TRIGGER IF NOT EXISTS projection_state_no_delete BEFORE DELETE ON projection_state
BEGIN
    SELECT RAISE(ABORT, 'the projection state is kept: DELETE on projection_state refused (`governance rebuild` makes a new generation)');
END;
CREATE TRIGGER IF NOT EXISTS projection_state_active_has_checkpoint
BEFORE UPDATE ON projection_state
WHEN NOT EXISTS (SELECT 1 FROM projection_checkpoints WHERE generation = NEW.active_generation)
BEGIN
    SELECT RAISE(ABORT, 'the projection state is kept: the active generation must have a checkpoint');
END;
CREATE TRIGGER IF NOT EXISTS projection_checkpoint_of_active_kept
BEFORE DELETE ON projection_checkpoints
WHEN OLD.generation = (SELECT active_generation FROM projection_state)
BEGIN
    SELECT RAISE(ABORT, 'the projection state is kept: DELETE of the active generation''s checkpoint refused');
END;
CREATE TRIGGER IF NOT EXISTS projection_checkpoint_not_renumbered
BEFORE UPDATE OF generation ON projection_checkpoints
WHEN OLD.generation IS NOT NEW.generation
BEGIN
    SELECT RAISE(ABORT, 'the projection state is kept: a checkpoint''s generation cannot change');
END;

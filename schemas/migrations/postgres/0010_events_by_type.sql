-- The audit log filtered by event type without a network or an organization: its pages (one
-- type, in position order) and its count come from this index instead of a walk of the whole
-- log (on 1.4 million events, a page of a rare type took 19-50 ms and its count 0.2-0.7 s).
-- Built in the migration's transaction, under its lock: appends wait for the build (about
-- 2 s per million events). `CREATE INDEX CONCURRENTLY` would not block them, but it waits for
-- every other transaction of the database, and a replica starting at the same moment waits
-- in one for the migration lock: the two deadlocked.
CREATE INDEX IF NOT EXISTS events_event_type ON events (event_type, position);

-- The audit log filtered by event type without a network or an organization: its pages (one
-- type, in position order) and its count come from this index instead of a walk of the whole
-- log.
CREATE INDEX IF NOT EXISTS events_event_type ON events (event_type, position);

-- An event's payload and metadata are JSON, and its metadata a map of strings that names at
-- least its actor, the actor's role and its correlation: what every command and process of
-- this system writes (`EventMetadata`). A row put in the table behind the application's back
-- otherwise is refused (the PostgreSQL migration checks the same); the log's followers read
-- such a row all the same and stop at it (ARCHITECTURE.md).
CREATE TRIGGER IF NOT EXISTS events_metadata_checked BEFORE INSERT ON events
WHEN NOT json_valid(NEW.payload) OR NOT json_valid(NEW.metadata)
  OR json_type(NEW.metadata) IS NOT 'object'
  OR json_type(NEW.metadata, '$.actor_id') IS NOT 'text'
  OR json_type(NEW.metadata, '$.actor_role') IS NOT 'text'
  OR json_type(NEW.metadata, '$.correlation_id') IS NOT 'text'
  OR EXISTS (SELECT 1 FROM json_each(NEW.metadata) WHERE type IS NOT 'text')
BEGIN
    SELECT RAISE(ABORT, 'not an event: its payload and metadata must be JSON, its metadata a map of strings naming actor_id, actor_role and correlation_id');
END;

-- An event's metadata is a map of strings that names at least its actor, the actor's role and
-- its correlation: what every command and process of this system writes (`EventMetadata`). A
-- row put in the table behind the application's back without them is refused here, as one
-- whose payload or metadata is not JSON already is by the column's type; the log's followers
-- read such a row all the same and stop at it (ARCHITECTURE.md). `NOT VALID`: the rows already
-- stored are not scanned (they cannot change; `governance verify` reads each of them).
ALTER TABLE events ADD CONSTRAINT events_metadata_is_an_events CHECK (
    jsonb_typeof(metadata) = 'object'
    AND metadata ?& ARRAY['actor_id', 'actor_role', 'correlation_id']
    AND NOT jsonb_path_exists(metadata, '$.* ? (@.type() != "string")')
) NOT VALID;

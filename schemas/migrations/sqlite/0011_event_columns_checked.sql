-- Every column of an event holds what the log's reader decodes: SQLite stores any value in
-- any column (a column's type is only its affinity), so a row with the text 'abc' as its
-- sequence, a BLOB as an id, or a recording time that is no time was accepted, and its read
-- failed for every follower of the log (projector, read image, processes, sealer), all
-- retrying for ever. PostgreSQL's column types refuse such rows already. The format of the
-- recording time is the default's (`…T…Z`) or RFC 3339's (an import carries it over), and it
-- must name a real time.
CREATE TRIGGER IF NOT EXISTS events_columns_checked BEFORE INSERT ON events
WHEN typeof(NEW.aggregate_type) IS NOT 'text' OR typeof(NEW.aggregate_id) IS NOT 'text'
  OR typeof(NEW.event_type) IS NOT 'text' OR typeof(NEW.event_version) IS NOT 'text'
  OR typeof(NEW.sequence) IS NOT 'integer'
  OR typeof(NEW.payload) IS NOT 'text' OR typeof(NEW.metadata) IS NOT 'text'
  OR typeof(NEW.recorded_at) IS NOT 'text'
  OR NEW.recorded_at NOT GLOB
     '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'
  OR julianday(NEW.recorded_at) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'not an event: its ids, type and version must be text, its sequence an integer, its payload and metadata JSON text, its recording time a time');
END;

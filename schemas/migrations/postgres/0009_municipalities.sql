-- Reference data: the ISTAT list of Italian municipalities (schemas/reference/municipalities.csv,
-- its sources and licences in schemas/reference/README.md). The server loads the shipped
-- edition right after migrating, unless an operator loaded another file
-- (`governance municipalities load`), which later releases leave in place.
CREATE TABLE IF NOT EXISTS municipalities (
    istat_code            TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    province_code         TEXT NOT NULL,
    province_abbreviation TEXT NOT NULL,
    province              TEXT NOT NULL,
    region_code           TEXT NOT NULL,
    region                TEXT NOT NULL,
    cadastral_code        TEXT NOT NULL,
    -- ISO dates: the day the current record of the municipality begins, and the first day
    -- it no longer exists (NULL: still exists).
    established_on        TEXT,
    suppressed_on         TEXT
);

CREATE INDEX IF NOT EXISTS municipalities_province ON municipalities (province_code);

-- Which edition of each reference list is loaded, and from where ('shipped' or 'file').
CREATE TABLE IF NOT EXISTS reference_editions (
    name      TEXT PRIMARY KEY,
    edition   TEXT NOT NULL,
    source    TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

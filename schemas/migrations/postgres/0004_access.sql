-- Opaque API tokens issued and revoked with the command line. Only a SHA-256 hash of each
-- token is kept; the token itself is shown once, when issued.
CREATE TABLE IF NOT EXISTS api_tokens (
    id         TEXT        PRIMARY KEY,
    hash       TEXT        NOT NULL UNIQUE,
    subject    TEXT        NOT NULL,
    grants     JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    revoked_at TIMESTAMPTZ
);

-- One data key per person, kept apart from the events: personal data in events is sealed
-- with it, and erasing a person deletes the row (crypto-shredding).
CREATE TABLE IF NOT EXISTS person_keys (
    person_id  TEXT        PRIMARY KEY,
    key        BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- Opaque API tokens issued and revoked with the command line. Only a SHA-256 hash of each
-- token is kept; the token itself is shown once, when issued.
CREATE TABLE IF NOT EXISTS api_tokens (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    subject    TEXT NOT NULL,
    grants     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at TEXT
);

-- One data key per person, kept apart from the events: personal data in events is sealed
-- with it, and erasing a person deletes the row (crypto-shredding; the connection runs with
-- secure_delete so the key's bytes are overwritten in the file).
CREATE TABLE IF NOT EXISTS person_keys (
    person_id  TEXT PRIMARY KEY,
    key        BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Person keys are stored wrapped (AES-256-GCM) by a key-encryption key derived from the
-- deployment secret, which lives outside the database. `kek_id` names the secret a row was
-- wrapped with (a public identifier, not the secret); NULL marks a key stored unwrapped by an
-- earlier version, which the server wraps at start-up.
ALTER TABLE person_keys ADD COLUMN kek_id TEXT;

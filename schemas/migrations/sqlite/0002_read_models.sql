-- Read models: versioned documents (see the PostgreSQL migration for the meaning).
CREATE TABLE IF NOT EXISTS read_models (
    generation      INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    valid_from      INTEGER NOT NULL,
    valid_to        INTEGER,
    network_id      TEXT,
    organization_id TEXT,
    parent_id       TEXT,
    doc             TEXT    NOT NULL,
    PRIMARY KEY (generation, kind, id, valid_from)
);
CREATE INDEX IF NOT EXISTS read_models_current_network
    ON read_models (generation, kind, network_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS read_models_current_organization
    ON read_models (generation, kind, organization_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS read_models_current_parent
    ON read_models (generation, kind, parent_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS read_models_history_network
    ON read_models (generation, kind, network_id, valid_from);

CREATE TABLE IF NOT EXISTS entity_events (
    generation INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (generation, kind, id, position)
);

CREATE TABLE IF NOT EXISTS projection_checkpoints (
    generation INTEGER PRIMARY KEY,
    position   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS projection_state (
    singleton         INTEGER PRIMARY KEY DEFAULT 1 CHECK (singleton = 1),
    active_generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO projection_state (singleton, active_generation) VALUES (1, 1);
INSERT OR IGNORE INTO projection_checkpoints (generation, position) VALUES (1, 0);

-- Read models: versioned documents. A row is one version of one document, valid from the
-- position of the event that produced it until the position of the event that replaced it.
-- `generation` lets a rebuild fill fresh rows while the active generation keeps serving.
CREATE TABLE IF NOT EXISTS read_models (
    generation      bigint NOT NULL,
    kind            text   NOT NULL,
    id              text   NOT NULL,
    valid_from      bigint NOT NULL,
    valid_to        bigint,
    network_id      text,
    organization_id text,
    parent_id       text,
    doc             jsonb  NOT NULL,
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

-- Which events concern which entity: timelines and the audit log's network/organization filter.
CREATE TABLE IF NOT EXISTS entity_events (
    generation bigint NOT NULL,
    kind       text   NOT NULL,
    id         text   NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (generation, kind, id, position)
);

-- How far each generation has projected the global log.
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    generation bigint PRIMARY KEY,
    position   bigint NOT NULL
);

-- Which generation serves reads.
CREATE TABLE IF NOT EXISTS projection_state (
    singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    active_generation bigint  NOT NULL
);
INSERT INTO projection_state (active_generation) VALUES (1) ON CONFLICT DO NOTHING;
INSERT INTO projection_checkpoints (generation, position) VALUES (1, 0) ON CONFLICT DO NOTHING;

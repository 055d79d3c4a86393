-- Read models and the entity index partitioned by generation (`read_models_g<N>`,
-- `entity_events_g<N>`): a rebuild loads a fresh generation into tables of its own without
-- indexes, lets ATTACH PARTITION build the indexes once the rows are in, and drops the old
-- generation's tables instead of deleting their rows (`projections/src/rebuild.rs`).
-- Queries are unchanged: they name `read_models` / `entity_events` and a generation.
ALTER TABLE read_models RENAME TO read_models_unpartitioned;
ALTER TABLE entity_events RENAME TO entity_events_unpartitioned;
-- Index names are per schema: free them for the partitioned tables.
ALTER TABLE read_models_unpartitioned DROP CONSTRAINT read_models_pkey;
ALTER TABLE entity_events_unpartitioned DROP CONSTRAINT entity_events_pkey;
DROP INDEX IF EXISTS read_models_current_network;
DROP INDEX IF EXISTS read_models_current_organization;
DROP INDEX IF EXISTS read_models_current_parent;
DROP INDEX IF EXISTS read_models_history_network;

CREATE TABLE read_models (
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
) PARTITION BY LIST (generation);
CREATE INDEX read_models_current_network
    ON read_models (generation, kind, network_id) WHERE valid_to IS NULL;
CREATE INDEX read_models_current_organization
    ON read_models (generation, kind, organization_id) WHERE valid_to IS NULL;
CREATE INDEX read_models_current_parent
    ON read_models (generation, kind, parent_id) WHERE valid_to IS NULL;
CREATE INDEX read_models_history_network
    ON read_models (generation, kind, network_id, valid_from);

CREATE TABLE entity_events (
    generation bigint NOT NULL,
    kind       text   NOT NULL,
    id         text   NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (generation, kind, id, position)
) PARTITION BY LIST (generation);

-- One partition per generation that has a checkpoint or rows.
DO $$
DECLARE g bigint;
BEGIN
    FOR g IN SELECT generation FROM projection_checkpoints
             UNION SELECT DISTINCT generation FROM read_models_unpartitioned
             UNION SELECT DISTINCT generation FROM entity_events_unpartitioned
    LOOP
        EXECUTE format('CREATE TABLE read_models_g%s PARTITION OF read_models FOR VALUES IN (%s)', g, g);
        EXECUTE format('CREATE TABLE entity_events_g%s PARTITION OF entity_events FOR VALUES IN (%s)', g, g);
    END LOOP;
END $$;
INSERT INTO read_models SELECT * FROM read_models_unpartitioned;
INSERT INTO entity_events SELECT * FROM entity_events_unpartitioned;
DROP TABLE read_models_unpartitioned;
DROP TABLE entity_events_unpartitioned;

-- The filter indexes of the read models hold only the rows that have a value in their column
-- (see the PostgreSQL migration): every query through them asks for one value, which implies
-- the column is not null, so SQLite still uses them.
DROP INDEX IF EXISTS read_models_current_network;
DROP INDEX IF EXISTS read_models_current_organization;
DROP INDEX IF EXISTS read_models_current_parent;
DROP INDEX IF EXISTS read_models_history_network;
-- An organization's document no longer has an organization column (the fold sets none): clear
-- it in the versions written before, so that what is stored is what the log folds to
-- (`governance verify --read-models` compares them) without waiting for a rebuild.
UPDATE read_models SET organization_id = NULL
 WHERE kind = 'organization' AND organization_id IS NOT NULL;
CREATE INDEX read_models_current_network
    ON read_models (generation, kind, network_id)
    WHERE valid_to IS NULL AND network_id IS NOT NULL;
CREATE INDEX read_models_current_organization
    ON read_models (generation, kind, organization_id)
    WHERE valid_to IS NULL AND organization_id IS NOT NULL;
CREATE INDEX read_models_current_parent
    ON read_models (generation, kind, parent_id)
    WHERE valid_to IS NULL AND parent_id IS NOT NULL;
CREATE INDEX read_models_history_network
    ON read_models (generation, kind, network_id, valid_from)
    WHERE network_id IS NOT NULL;

-- The filter indexes of the read models hold only the rows that have a value in their column.
-- Every query through them asks for one value (`network_id = $n`), which implies the column is
-- not null, so the planner still uses them; a row without the column (an organization has no
-- network, most kinds no parent) no longer costs an index entry on every write of a version.
-- On the benchmark's database (the national dataset and the organizations its writes add) the
-- history index held 1.35 million entries of null networks (152 of its 184 MB); without them
-- and the organizations' own ids, the projector's statement took 0.06-0.07 ms of PostgreSQL
-- per event instead of 0.10 (BENCHMARKS.md). Rebuilt under the migration's lock (three of the
-- indexes took 1.4 s on 1.75 million versions; `CONCURRENTLY` is not available on a
-- partitioned table); the partitions take the new definitions.
DROP INDEX read_models_current_network;
DROP INDEX read_models_current_organization;
DROP INDEX read_models_current_parent;
DROP INDEX read_models_history_network;
-- An organization's document no longer has an organization column (the fold sets none): clear
-- it in the versions written before, so that what is stored is what the log folds to
-- (`governance verify --read-models` compares them) without waiting for a rebuild. With the
-- indexes dropped first this is about 20 s per million organization versions (the benchmark's
-- database had 2.7 million; a real network's directory has thousands).
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

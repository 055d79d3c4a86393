-- How far the cross-aggregate processes (processes.rs) have followed the global log.
CREATE TABLE IF NOT EXISTS process_checkpoints (
    name     TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
);
INSERT OR IGNORE INTO process_checkpoints (name, position) VALUES ('processes', 0);

-- How far the cross-aggregate processes (processes.rs) have followed the global log.
CREATE TABLE IF NOT EXISTS process_checkpoints (
    name     text   PRIMARY KEY,
    position bigint NOT NULL
);
INSERT INTO process_checkpoints (name, position) VALUES ('processes', 0) ON CONFLICT DO NOTHING;

-- What a pass last saw of each stage's blocker, so that a blocker going into ALARM (and
-- back to OK) is recorded once, with an audit event (`blocker.alarm`, `blocker.ok`) that
-- notifications report (schema version 19). Append-only, like every migration.
CREATE TABLE captain.blocker_states (
    pipeline text NOT NULL,
    stage    text NOT NULL,
    alarm    boolean NOT NULL,
    since    timestamptz NOT NULL,
    PRIMARY KEY (pipeline, stage)
);

-- captain ledger, schema version 12: what a pass last saw of each stage's blocker, so
-- that a blocker going into ALARM (and back to OK) is recorded once, with an audit
-- event (`blocker.alarm`, `blocker.ok`) that notifications report. Append-only, like
-- every migration.
CREATE TABLE blocker_states (
    stage TEXT PRIMARY KEY,
    alarm INTEGER NOT NULL,
    since INTEGER NOT NULL
);

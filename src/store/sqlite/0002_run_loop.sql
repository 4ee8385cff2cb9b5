-- captain ledger, schema version 2: what `captain run` needs to survive a SIGKILL and what
-- the engine records about stages. Append-only, like every migration.

-- One row per deployment the loop (or a person) is driving: its phase, and the process
-- that works on it, so a restarted loop can tell a dead runner's work from a live one's.
CREATE TABLE deployment_progress (
    deployment   INTEGER PRIMARY KEY REFERENCES deployments(seq),
    phase        TEXT NOT NULL,          -- deploying | verifying | baking
    step         INTEGER,                -- verifying: the approval step's index
    step_started INTEGER NOT NULL DEFAULT 0,
    since        INTEGER,                -- verifying / baking: when the phase began
    pid          INTEGER,                -- the deploy or step process, once started
    pid_start    INTEGER,                -- its kernel start time (pid reuse guard)
    runner_host  TEXT,                   -- the `captain run` process that owns it
    runner_pid   INTEGER,
    runner_start INTEGER
);

-- What each stage did with releases: approved, failed, or superseded by a newer one.
-- One record per stage and release: a release is decided once in a stage.
CREATE TABLE stage_records (
    stage      TEXT NOT NULL,
    release    INTEGER NOT NULL REFERENCES releases(number),
    record     TEXT NOT NULL,            -- approved | failed | superseded
    by_release INTEGER,                  -- superseded: the newer release that replaced it
    reason     TEXT,
    actor      TEXT NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (stage, release)
) WITHOUT ROWID;

-- "Deploy anyway" over a blocker, for a stage or an environment.
CREATE TABLE blocker_overrides (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    target     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    until      INTEGER
);

-- Results of external approval steps (`captain approve` / `captain reject`).
CREATE TABLE step_results (
    deployment INTEGER NOT NULL REFERENCES deployments(seq),
    step       INTEGER NOT NULL,
    name       TEXT NOT NULL,
    passed     INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    at         INTEGER NOT NULL,
    PRIMARY KEY (deployment, step)
) WITHOUT ROWID;

-- The engine snapshot reads each stage's normal deployments by release.
CREATE INDEX deployments_by_stage ON deployments(stage, kind, release, outcome, environment);

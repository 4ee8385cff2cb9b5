-- captain ledger on PostgreSQL, schema version 2: what `captain run` needs to survive a
-- SIGKILL and what the engine records about stages (the same tables as SQLite's
-- 0002_run_loop.sql, in the `captain` schema, every row naming its pipeline through its
-- deployment or its own column). Append-only, like every migration.

-- One row per deployment the loop (or a person) is driving: its phase, and the process
-- that works on it, so a restarted loop can tell a dead runner's work from a live one's.
-- Deleted when the deployment finishes (in the finishing statement).
CREATE TABLE captain.deployment_progress (
    deployment   bigint PRIMARY KEY REFERENCES captain.deployments (seq),
    phase        text NOT NULL CHECK (phase IN ('deploying', 'verifying', 'baking')),
    step         integer,                 -- verifying: the approval step's index
    step_started boolean NOT NULL DEFAULT false,
    since        timestamptz,             -- verifying / baking: when the phase began
    pid          bigint,                  -- the deploy or step process, once started
    pid_start    bigint,                  -- its kernel start time (pid reuse guard)
    runner_host  text,                    -- the `captain run` process that owns it
    runner_pid   bigint,
    runner_start bigint
);

-- What each stage did with releases: approved, failed, or superseded by a newer one.
-- One record per stage and release: a release is decided once in a stage.
CREATE TABLE captain.stage_records (
    pipeline   text NOT NULL,
    stage      text NOT NULL,
    release    bigint NOT NULL,
    record     text NOT NULL CHECK (record IN ('approved', 'failed', 'superseded')),
    by_release bigint,                    -- superseded: the newer release that replaced it
    reason     text,
    actor      text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (pipeline, stage, release),
    FOREIGN KEY (pipeline, release) REFERENCES captain.releases (pipeline, number)
);

-- "Deploy anyway" over a blocker, for a stage or an environment.
CREATE TABLE captain.blocker_overrides (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pipeline   text NOT NULL REFERENCES captain.pipelines (name),
    target     text NOT NULL,
    actor      text NOT NULL,
    reason     text NOT NULL,
    created_at timestamptz NOT NULL,
    until      timestamptz
);
CREATE INDEX blocker_overrides_by_pipeline ON captain.blocker_overrides (pipeline, seq);

-- Results of external approval steps (`captain approve` / `captain reject`).
CREATE TABLE captain.step_results (
    deployment bigint NOT NULL REFERENCES captain.deployments (seq),
    step       integer NOT NULL,
    name       text NOT NULL,
    passed     boolean NOT NULL,
    actor      text NOT NULL,
    reason     text,
    at         timestamptz NOT NULL,
    PRIMARY KEY (deployment, step)
);

-- The engine snapshot reads each stage's normal deployments by release.
CREATE INDEX deployments_by_stage
    ON captain.deployments (pipeline, stage, kind, release, outcome, environment);

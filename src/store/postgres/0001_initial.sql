-- captain ledger on PostgreSQL, schema version 1. Migrations are append-only: never
-- edit a shipped one. Everything lives in the `captain` schema, so a database shared
-- with other software keeps its own tables apart; one database holds many pipelines,
-- and every row names its pipeline.

-- One row per pipeline. `create_release` locks its row: release numbering is serialized
-- per pipeline (releases are rare; deployments never take this lock).
CREATE TABLE captain.pipelines (
    name       text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Deduplicated by the sha256 of their canonical JSON, across pipelines: most releases
-- share a snapshot.
CREATE TABLE captain.dependency_snapshots (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash text NOT NULL UNIQUE,
    body jsonb NOT NULL
);

-- Shas are hex, compared byte-wise ("C"): prefix look-ups are range scans
-- (sha >= p AND sha < p || 'g') whatever the database's collation.
CREATE TABLE captain.releases (
    pipeline     text NOT NULL REFERENCES captain.pipelines (name),
    number       bigint NOT NULL CHECK (number > 0),
    commit_sha   text COLLATE "C" NOT NULL,
    base         bigint,
    artifacts    jsonb NOT NULL,          -- object name -> reference
    actor        text NOT NULL,
    created_at   timestamptz NOT NULL,
    commit_count bigint NOT NULL,
    first_commit text COLLATE "C",
    snapshot     bigint REFERENCES captain.dependency_snapshots (id),
    -- Every deployment of this release or a newer one has a larger seq: lets `where`
    -- skip the part of an environment's history that predates the commit.
    deploy_floor bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (pipeline, number),
    UNIQUE (pipeline, commit_sha),
    FOREIGN KEY (pipeline, base) REFERENCES captain.releases (pipeline, number)
);

-- The commits each release introduced; position 0 is the newest.
CREATE TABLE captain.release_commits (
    pipeline text NOT NULL,
    release  bigint NOT NULL,
    position integer NOT NULL,
    sha      text COLLATE "C" NOT NULL,
    author   text NOT NULL,
    time     timestamptz NOT NULL,
    subject  text NOT NULL,
    parents  integer NOT NULL,
    PRIMARY KEY (pipeline, release, position),
    FOREIGN KEY (pipeline, release) REFERENCES captain.releases (pipeline, number)
);
CREATE INDEX release_commits_by_sha ON captain.release_commits (pipeline, sha, release);

-- seq is global and only ever grows: it orders the deployments of an environment
-- (one runs at a time there, so seq order is start order).
CREATE TABLE captain.deployments (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pipeline    text NOT NULL,
    id          text NOT NULL,
    environment text NOT NULL,
    stage       text NOT NULL,
    release     bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('normal', 'rollback')),
    actor       text NOT NULL,
    reason      text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text NOT NULL,
    reached     boolean NOT NULL DEFAULT false,  -- the outcome reached the environment
    UNIQUE (pipeline, id),
    FOREIGN KEY (pipeline, release) REFERENCES captain.releases (pipeline, number)
);
CREATE INDEX deployments_by_environment ON captain.deployments (pipeline, environment, seq);
CREATE INDEX deployments_reached ON captain.deployments (pipeline, environment, seq) WHERE reached;
CREATE INDEX deployments_by_release ON captain.deployments (pipeline, environment, release, outcome);

-- Kept in the same transaction as every deployment change, so status reads one row per
-- environment. Its row is also the environment's lock: starting, finishing and rolling
-- back take it FOR UPDATE first. No foreign keys: it is derived, and rebuilt on import.
CREATE TABLE captain.environment_state (
    pipeline          text NOT NULL,
    environment       text NOT NULL,
    current_seq       bigint,
    in_progress_seq   bigint,
    last_finished_seq bigint,
    PRIMARY KEY (pipeline, environment)
);

CREATE TABLE captain.deployment_logs (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment bigint NOT NULL REFERENCES captain.deployments (seq),
    at         timestamptz NOT NULL,
    stream     text NOT NULL,
    text       text NOT NULL
);
CREATE INDEX deployment_logs_by_deployment ON captain.deployment_logs (deployment, seq);

CREATE TABLE captain.locks (
    pipeline    text NOT NULL,
    target_kind text NOT NULL CHECK (target_kind IN ('stage', 'environment')),
    target      text NOT NULL,
    direction   text NOT NULL CHECK (direction IN ('in', 'out', 'both')),
    actor       text NOT NULL,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (pipeline, target_kind, target, direction)
);

-- seq comes from one global sequence (numbers grow within a pipeline, with gaps);
-- an import into an empty pipeline keeps the exported numbers and moves the sequence
-- past them.
CREATE TABLE captain.audit_events (
    pipeline text NOT NULL,
    seq      bigint GENERATED BY DEFAULT AS IDENTITY,
    at       timestamptz NOT NULL,
    actor    text NOT NULL,
    action   text NOT NULL,
    target   text NOT NULL,
    reason   text,
    details  jsonb NOT NULL,
    PRIMARY KEY (pipeline, seq)
);
CREATE INDEX audit_events_by_target ON captain.audit_events (pipeline, target, seq);
CREATE INDEX audit_events_by_actor ON captain.audit_events (pipeline, actor, seq);

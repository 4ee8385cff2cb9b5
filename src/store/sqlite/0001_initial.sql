-- captain ledger, schema version 1. Migrations are append-only: never edit a shipped one.
-- Times are integer microseconds since the Unix epoch (UTC).

-- Marks the file as captain's and names its pipeline ('format', 'pipeline').
CREATE TABLE captain_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Deduplicated by the sha256 of their canonical JSON: most releases share a snapshot.
CREATE TABLE dependency_snapshots (
    id   INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);

CREATE TABLE releases (
    number       INTEGER PRIMARY KEY,
    commit_sha   TEXT NOT NULL UNIQUE,
    base         INTEGER REFERENCES releases(number),
    artifacts    TEXT NOT NULL,          -- JSON object name -> reference
    actor        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    commit_count INTEGER NOT NULL,
    first_commit TEXT,
    snapshot     INTEGER REFERENCES dependency_snapshots(id),
    -- Every deployment of this release or a newer one has a larger seq: lets `where`
    -- skip the part of an environment's history that predates the commit.
    deploy_floor INTEGER NOT NULL DEFAULT 0
);

-- The commits each release introduced; position 0 is the newest.
CREATE TABLE release_commits (
    release  INTEGER NOT NULL REFERENCES releases(number),
    position INTEGER NOT NULL,
    sha      TEXT NOT NULL,
    author   TEXT NOT NULL,
    time     INTEGER NOT NULL,
    subject  TEXT NOT NULL,
    parents  INTEGER NOT NULL,
    PRIMARY KEY (release, position)
) WITHOUT ROWID;
-- Prefix lookups are range scans on this index (sha >= p AND sha < p || 'g').
CREATE INDEX release_commits_by_sha ON release_commits(sha, release);

CREATE TABLE deployments (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- start order
    id          TEXT NOT NULL UNIQUE,
    environment TEXT NOT NULL,
    stage       TEXT NOT NULL,
    release     INTEGER NOT NULL REFERENCES releases(number),
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT NOT NULL,
    reached     INTEGER NOT NULL DEFAULT 0          -- outcome reached the environment
);
CREATE INDEX deployments_by_environment ON deployments(environment, seq);
CREATE INDEX deployments_reached ON deployments(environment, reached, seq);
CREATE INDEX deployments_by_release ON deployments(environment, release, outcome);

-- Kept in the same transaction as every deployment change, so status reads one row
-- per environment however long the history is.
CREATE TABLE environment_state (
    environment       TEXT PRIMARY KEY,
    current_seq       INTEGER,
    in_progress_seq   INTEGER,
    last_finished_seq INTEGER
);

CREATE TABLE deployment_logs (
    seq        INTEGER PRIMARY KEY,
    deployment INTEGER NOT NULL REFERENCES deployments(seq),
    at         INTEGER NOT NULL,
    stream     TEXT NOT NULL,
    text       TEXT NOT NULL
);
CREATE INDEX deployment_logs_by_deployment ON deployment_logs(deployment, seq);

CREATE TABLE locks (
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    direction   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (target_kind, target, direction)
);

CREATE TABLE audit_events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    reason  TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_by_target ON audit_events(target, seq);
CREATE INDEX audit_events_by_actor ON audit_events(actor, seq);

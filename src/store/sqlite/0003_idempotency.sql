-- captain ledger, schema version 3: a team server's idempotency keys for this pipeline,
-- beside the ledger they guard, so that a mutation, its key and the answer a retry gets
-- commit in one transaction. Append-only, like every migration.

-- One row per (token, key): the digest of the request that first used it, and its answer
-- (HTTP status and body) once there is one. A row without an answer is a claim of a
-- request still running (or one that died with its server). Times are unix seconds.
CREATE TABLE idempotency_keys (
    token          TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_digest BLOB NOT NULL,
    status         INTEGER,
    body           BLOB,
    claimed_at     INTEGER NOT NULL,
    PRIMARY KEY (token, key)
);

-- Expired keys are deleted by age.
CREATE INDEX idempotency_keys_claimed_at ON idempotency_keys (claimed_at);

-- The team server's own tables, in the same database as the ledgers it serves (schema
-- version 3): API tokens, stored as sha256 digests of their secrets, and idempotency
-- keys with the responses they produced. Append-only, like every migration.

CREATE TABLE captain.api_tokens (
    name       text PRIMARY KEY,
    role       text NOT NULL CHECK (role IN ('read', 'deploy', 'operator', 'admin')),
    digest     bytea NOT NULL,
    delegate   boolean NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL,
    revoked_at timestamptz
);

-- One row per (token, key): the digest of the request that claimed it, and its response
-- once answered (status NULL while the first request runs).
CREATE TABLE captain.idempotency_keys (
    token          text NOT NULL,
    key            text NOT NULL,
    request_digest bytea NOT NULL,
    status         integer,
    body           bytea,
    claimed_at     bigint NOT NULL,       -- unix seconds
    PRIMARY KEY (token, key)
);
CREATE INDEX idempotency_keys_by_claimed_at ON captain.idempotency_keys (claimed_at);

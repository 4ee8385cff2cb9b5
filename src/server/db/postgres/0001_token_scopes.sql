-- The team server's own migrations, numbered apart from the ledger's (whose 0003 and
-- 0004 made the server's first tables): server schema version 1. Tokens limited to some
-- pipelines, and token creations answered again to a retry with the same idempotency
-- key. Append-only, like every migration.

-- The pipelines a token may reach; NULL: every pipeline.
ALTER TABLE captain.api_tokens ADD COLUMN pipelines text[];

-- One row per `token create` made with an idempotency key: who made it (the creating
-- token's name), a digest of the key (never the key), a digest of the request, the token
-- it made, and its secret sealed with a pad derived from the key, so only a retry that
-- presents the key again can read it back. Rows go after a day.
CREATE TABLE captain.token_creations (
    creator        text NOT NULL,
    key_digest     bytea NOT NULL,
    request_digest bytea NOT NULL,
    token          text NOT NULL,
    sealed_secret  bytea NOT NULL,
    created_at     bigint NOT NULL,   -- unix seconds
    PRIMARY KEY (creator, key_digest)
);
CREATE INDEX token_creations_by_created_at ON captain.token_creations (created_at);

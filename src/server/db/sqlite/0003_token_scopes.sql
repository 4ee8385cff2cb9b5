-- Tokens limited to some pipelines, and token creations answered again to a retry with
-- the same idempotency key (server schema version 3). Append-only, like every migration.

-- The pipelines a token may reach, a JSON array of names; NULL: every pipeline.
ALTER TABLE tokens ADD COLUMN pipelines TEXT;

-- One row per `token create` made with an idempotency key: who made it (the creating
-- token's name), a digest of the key (never the key), a digest of the request, the token
-- it made, and its secret sealed with a pad derived from the key, so only a retry that
-- presents the key again can read it back. Rows go after a day.
CREATE TABLE token_creations (
    creator        TEXT NOT NULL,
    key_digest     BLOB NOT NULL,
    request_digest BLOB NOT NULL,
    token          TEXT NOT NULL,
    sealed_secret  BLOB NOT NULL,
    created_at     INTEGER NOT NULL,  -- unix seconds
    PRIMARY KEY (creator, key_digest)
);
CREATE INDEX token_creations_by_created_at ON token_creations (created_at);

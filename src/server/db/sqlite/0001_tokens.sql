CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        digest BLOB NOT NULL,
        delegate INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE idempotency (
        token TEXT NOT NULL,
        key TEXT NOT NULL,
        request_digest BLOB NOT NULL,
        status INTEGER,
        body BLOB,
        claimed_at INTEGER NOT NULL,
        PRIMARY KEY (token, key)
    );
    CREATE INDEX idempotency_claimed_at ON idempotency (claimed_at);

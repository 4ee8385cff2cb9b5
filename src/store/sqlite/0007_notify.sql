-- Notifications (`[[notify]]`): each target's place in the event log (the audit log,
-- read by seq) and the events it gave up on after too many failed deliveries. Delivery
-- state, not ledger: not exported.
CREATE TABLE notify_cursors (
    target      TEXT PRIMARY KEY,
    cursor_txid INTEGER NOT NULL,
    cursor_seq  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE TABLE notify_parked (
    target    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    txid      INTEGER NOT NULL,
    attempts  INTEGER NOT NULL,
    error     TEXT NOT NULL,
    parked_at INTEGER NOT NULL,
    PRIMARY KEY (target, seq)
);

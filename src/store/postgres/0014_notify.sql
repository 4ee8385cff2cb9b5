-- Notifications (`[[notify]]`): each target's place in the event log (see 0013) and
-- the events it gave up on after too many failed deliveries. Delivery state, not
-- ledger: not exported.
CREATE TABLE captain.notify_cursors (
    pipeline    text NOT NULL REFERENCES captain.pipelines (name),
    target      text NOT NULL,
    cursor_txid bigint NOT NULL,
    cursor_seq  bigint NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    PRIMARY KEY (pipeline, target)
);
CREATE TABLE captain.notify_parked (
    pipeline  text NOT NULL REFERENCES captain.pipelines (name),
    target    text NOT NULL,
    seq       bigint NOT NULL,
    txid      bigint NOT NULL,
    attempts  integer NOT NULL,
    error     text NOT NULL,
    parked_at timestamptz NOT NULL,
    PRIMARY KEY (pipeline, target, seq)
);

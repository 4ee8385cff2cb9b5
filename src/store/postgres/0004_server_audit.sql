-- The team server's own audit events (schema version 4): token.create and token.revoke,
-- who, when and why, written in the same transaction as the token change. They belong
-- to no pipeline, so they live beside the ledgers' audit_events, not in it.

CREATE TABLE captain.server_audit_events (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text NOT NULL,
    action  text NOT NULL,
    target  text NOT NULL,
    reason  text,
    details jsonb NOT NULL
);
CREATE INDEX server_audit_events_by_target ON captain.server_audit_events (target, seq);
CREATE INDEX server_audit_events_by_actor ON captain.server_audit_events (actor, seq);

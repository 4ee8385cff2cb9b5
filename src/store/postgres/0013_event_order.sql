-- The event log (`captain events`, notifications) reads audit events in commit-safe
-- order. `seq` is handed out at insert, and writes to different environments of one
-- pipeline commit concurrently, so a reader that saw seq 6 committed may later see seq 5
-- commit. Each event records the id of the transaction that wrote it; a reader takes
-- only events of transactions older than every transaction still running
-- (pg_snapshot_xmin), in (txid, seq) order, so nothing can later appear before its
-- cursor. Events written before this migration all committed long ago: txid 0.
ALTER TABLE captain.audit_events ADD COLUMN txid bigint NOT NULL DEFAULT 0;
ALTER TABLE captain.audit_events
    ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX audit_events_by_txid ON captain.audit_events (pipeline, txid, seq);

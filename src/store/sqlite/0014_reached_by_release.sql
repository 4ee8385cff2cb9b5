-- captain ledger, schema version 14: `where` for a recent commit (a few releases contain
-- it) reads the reached deployments of those releases by release, with what it shows in
-- the index: a seek per release, where by environment it was one per environment and
-- release (640 seeks for 160 environments and 4 releases, a third of the command).
-- Append-only, like every migration.
CREATE INDEX deployments_reached_by_release
    ON deployments(release, seq, environment, id, finished_at) WHERE reached = 1;

-- captain ledger, schema version 7: `captain metrics` reads the deployments started in a
-- window of time. Append-only, like every migration.
CREATE INDEX deployments_by_start ON deployments(started_at);

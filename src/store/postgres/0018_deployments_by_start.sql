-- `captain metrics` reads the deployments started in a window of time (schema version
-- 13). Append-only, like every migration.
CREATE INDEX deployments_by_start ON captain.deployments (pipeline, started_at);

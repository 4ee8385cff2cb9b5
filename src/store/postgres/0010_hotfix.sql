-- The reason of a hotfix release (schema version 10): a release of a commit that is not on
-- the pipeline's trunk branch (`release create --hotfix --reason`); NULL for a trunk
-- release. Append-only, like every migration.
ALTER TABLE captain.releases ADD COLUMN hotfix_reason text;

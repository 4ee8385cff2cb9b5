-- captain ledger, schema version 5: the reason of a hotfix release (a release of a commit
-- that is not on the pipeline's trunk branch, `release create --hotfix --reason`); NULL
-- for a trunk release. Append-only, like every migration.
ALTER TABLE releases ADD COLUMN hotfix_reason TEXT;

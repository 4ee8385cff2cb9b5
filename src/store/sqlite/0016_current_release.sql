-- captain ledger, schema version 16: each environment's current release next to its
-- current deployment. `where` and `status` read it for every environment, and looking up
-- 160 deployments by seq in a table of a million rows was a tenth of `where` on the large
-- case (issue 16). Written in the same statement as current_seq.
ALTER TABLE environment_state ADD COLUMN current_release INTEGER;
UPDATE environment_state
SET current_release = (SELECT release FROM deployments WHERE seq = environment_state.current_seq);

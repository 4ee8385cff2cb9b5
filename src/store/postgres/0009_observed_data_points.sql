-- The data points last observed for a baking deployment (`captain status` shows them).
ALTER TABLE captain.deployment_progress ADD COLUMN data_points bigint;

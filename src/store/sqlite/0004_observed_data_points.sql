-- The data points last observed for a baking deployment (`captain status` shows them).
ALTER TABLE deployment_progress ADD COLUMN data_points INTEGER;

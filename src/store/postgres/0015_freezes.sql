-- An emergency freeze (`captain freeze`) is a lock of kind 'freeze' on a stage, an
-- environment, a wave or the whole pipeline ('*'); it may end by itself at `until`
-- (NULL: until it is lifted).
ALTER TABLE captain.locks DROP CONSTRAINT locks_target_kind_check;
ALTER TABLE captain.locks ADD CONSTRAINT locks_target_kind_check
    CHECK (target_kind IN ('stage', 'environment', 'release', 'freeze'));
ALTER TABLE captain.locks ADD COLUMN until timestamptz;

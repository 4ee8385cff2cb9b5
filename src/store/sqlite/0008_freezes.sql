-- An emergency freeze (`captain freeze`) is a lock of kind 'freeze' on a stage, an
-- environment, a wave or the whole pipeline ('*'); it may end by itself at `until`
-- (microseconds since the epoch, NULL: until it is lifted).
ALTER TABLE locks ADD COLUMN until INTEGER;

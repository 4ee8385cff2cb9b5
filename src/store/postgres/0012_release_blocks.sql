-- A release blocked everywhere (`captain release block`) is a lock on the release
-- itself: target_kind 'release', target 'v12', direction 'both'.
ALTER TABLE captain.locks DROP CONSTRAINT locks_target_kind_check;
ALTER TABLE captain.locks ADD CONSTRAINT locks_target_kind_check
    CHECK (target_kind IN ('stage', 'environment', 'release'));

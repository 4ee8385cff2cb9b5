-- `where` reads, of the releases after the first one that introduced a commit, only
-- those whose base is not the release just before (the first release, hotfixes,
-- releases built on an older one); on a trunk there are few (schema version 20).
-- Append-only, like every migration.
CREATE INDEX releases_forks ON captain.releases (pipeline, number, base)
    WHERE base IS NULL OR base <> number - 1;

-- The pipeline's definition as a team server holds it (`captain pipeline push`), one
-- row per version; the server decides every rule from the newest.
CREATE TABLE pipeline_versions (
    version    INTEGER PRIMARY KEY,
    definition TEXT NOT NULL,
    digest     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    at         INTEGER NOT NULL
);

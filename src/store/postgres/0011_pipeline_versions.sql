-- The pipeline's definition as a team server holds it (`captain pipeline push`), one
-- row per version; the server decides every rule from the newest.
CREATE TABLE captain.pipeline_versions (
    pipeline   text NOT NULL REFERENCES captain.pipelines (name),
    version    integer NOT NULL,
    definition text NOT NULL,
    digest     text NOT NULL,
    actor      text NOT NULL,
    reason     text,
    at         timestamptz NOT NULL,
    PRIMARY KEY (pipeline, version)
);

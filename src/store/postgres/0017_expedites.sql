-- Expedited releases. Someone asks to expedite a release (`captain release expedite vN
-- --reason`); people approve it (`captain release approve vN`), one row each; once
-- enough distinct people approved, the engine deploys that release by the pipeline's
-- [expedite] rules.
CREATE TABLE captain.expedites (
    pipeline text NOT NULL,
    release  bigint NOT NULL,
    actor    text NOT NULL,
    reason   text NOT NULL,
    at       timestamptz NOT NULL,
    PRIMARY KEY (pipeline, release)
);

CREATE TABLE captain.expedite_approvals (
    pipeline text NOT NULL,
    release  bigint NOT NULL,
    actor    text NOT NULL,
    at       timestamptz NOT NULL,
    PRIMARY KEY (pipeline, release, actor),
    FOREIGN KEY (pipeline, release) REFERENCES captain.expedites (pipeline, release)
);

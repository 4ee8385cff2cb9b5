-- captain ledger, schema version 10: expedited releases. Someone asks to expedite a
-- release (`captain release expedite vN --reason`); people approve it (`captain release
-- approve vN`), one row each; once enough distinct people approved, the engine deploys
-- that release by the pipeline's [expedite] rules.
CREATE TABLE expedites (
    release INTEGER PRIMARY KEY REFERENCES releases(number),
    actor   TEXT NOT NULL,
    reason  TEXT NOT NULL,
    at      INTEGER NOT NULL
);

CREATE TABLE expedite_approvals (
    release INTEGER NOT NULL REFERENCES expedites(release),
    actor   TEXT NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (release, actor)
) WITHOUT ROWID;

-- captain ledger, schema version 9: approvals by several people. An external approval
-- step may need N distinct approvers (`approvers` in pipeline.toml): each approval is a
-- row here, one per person, and the step passes once enough people approved it.
-- Rejections stay in step_results (one fails the step); approvals recorded there by an
-- older captain still count, as one approval by their actor.
CREATE TABLE step_approvals (
    deployment INTEGER NOT NULL REFERENCES deployments(seq),
    step       INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    name       TEXT NOT NULL,
    reason     TEXT,
    at         INTEGER NOT NULL,
    PRIMARY KEY (deployment, step, actor)
) WITHOUT ROWID;

-- Approvals by several people. An external approval step may need N distinct approvers
-- (`approvers` in pipeline.toml): each approval is a row here, one per person, and the
-- step passes once enough people approved it. Rejections stay in step_results (one fails
-- the step); approvals recorded there by an older captain still count, as one approval
-- by their actor.
CREATE TABLE captain.step_approvals (
    deployment bigint NOT NULL REFERENCES captain.deployments (seq),
    step       integer NOT NULL,
    actor      text NOT NULL,
    name       text NOT NULL,
    reason     text,
    at         timestamptz NOT NULL,
    PRIMARY KEY (deployment, step, actor)
);

//! The views of an external CI's commands: `deploy start` (and the rollback deployments
//! `rollback` starts), `gate STAGE` and `logs DEPLOYMENT`. (`next`, `bake`, `retry`,
//! `deploy finish` and `approve` answer with the rule's own types in `crate::ops`.)

use serde::Serialize;

use crate::engine::StageStatus;
use crate::model::*;
use crate::store::LogLine;

/// A deployment just started: `captain deploy start`, and each of a rollback's.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DeploymentStarted {
    pub deployment: DeploymentId,
    pub environment: String,
    pub release: ReleaseNumber,
    pub kind: DeploymentKind,
    pub started_at: Timestamp,
}

impl From<&Deployment> for DeploymentStarted {
    fn from(d: &Deployment) -> Self {
        DeploymentStarted {
            deployment: d.id.clone(),
            environment: d.environment.clone(),
            release: d.release,
            kind: d.kind,
            started_at: d.started_at,
        }
    }
}

/// `captain gate STAGE`: may a deployment into the stage start now, and why (not).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct GateView {
    pub stage: String,
    pub open: bool,
    /// The release waiting to enter the stage.
    pub release: Option<ReleaseNumber>,
    /// Why, in words.
    pub reason: String,
    /// The engine's status of the stage.
    pub status: StageStatus,
}

impl GateView {
    /// What `captain gate` says of a stage, from what `captain next` would answer.
    pub fn of(next: &crate::ops::gate::NextView) -> GateView {
        GateView {
            stage: next.stage.clone(),
            open: next.may_start,
            release: next.waiting,
            reason: next.reason.clone(),
            status: next.status.clone(),
        }
    }
}

/// `captain logs DEPLOYMENT`: its captured output, oldest first.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LogView {
    pub deployment: DeploymentId,
    pub lines: Vec<LogLine>,
}

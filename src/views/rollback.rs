//! `captain rollback TARGET…`: the preview, and what was started.

use serde::Serialize;

use crate::ops::rollback::RollbackPreview;
use crate::views::deploy::DeploymentStarted;

/// The preview, and the result (`null` for `--dry-run` and when the person declined).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RollbackView {
    pub preview: RollbackPreview,
    pub result: Option<RollbackResult>,
}

/// What a confirmed rollback started.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RollbackResult {
    pub deployments: Vec<DeploymentStarted>,
    /// Environments whose promotions (in and out) are now disabled.
    pub locked: Vec<String>,
}

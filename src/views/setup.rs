//! The views of setting captain up: `captain config` (the settings in effect and where
//! each came from) and `captain validate` (every problem of pipeline.toml).

use serde::Serialize;

use crate::config::Diagnostic;
use crate::ops::state::StateSource;

/// `captain config`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ConfigView {
    /// The repository's root (null outside a checkout).
    pub repository: Option<String>,
    pub pipeline_file: String,
    pub pipeline: String,
    /// The ledger: a file path or a team server's URL.
    pub state: String,
    /// Which setting chose `state`.
    pub state_source: StateSource,
    pub actor: String,
}

/// `captain validate`: `valid` with the pipeline's size, or the problems (exit 1).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ValidateView {
    pub valid: bool,
    /// The pipeline file checked.
    pub file: String,
    /// The pipeline's name, stages and environments, when it is valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environments: Option<usize>,
    pub problems: Vec<Diagnostic>,
}

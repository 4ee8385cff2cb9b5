//! `pipeline.toml`: the schema, parsing with positions, validation that reports every
//! problem at once, and the expansion of waves into stages and environments.
//!
//! This room only reads and checks configuration; it never touches the ledger or git.
//! The result, [`Pipeline`], is the expanded pipeline every other room works from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The expanded pipeline: stages in order, each with its environments and effective settings.
#[derive(Clone, Debug)]
pub struct Pipeline {
    pub name: String,
    pub trunk: String,
    pub timezone: String,
    /// `[state] location`, if the file names one.
    pub state: Option<String>,
    pub stages: Vec<Stage>,
    /// The file it was read from.
    pub source: PathBuf,
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    pub wave: Option<String>,
    pub environments: Vec<Environment>,
}

#[derive(Clone, Debug)]
pub struct Environment {
    pub name: String,
    /// Values from the expansion (`region`, `az`, …), passed to deploy commands.
    pub labels: BTreeMap<String, String>,
}

impl Pipeline {
    /// Reads, parses, validates and expands `path`.
    pub fn load(path: &Path) -> Result<Pipeline> {
        let _ = path;
        Err(Error::internal("pipeline loading is not written yet"))
    }

    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// The stage before `name`, if `name` is not the first.
    pub fn previous_stage(&self, name: &str) -> Option<&Stage> {
        let index = self.stages.iter().position(|s| s.name == name)?;
        index.checked_sub(1).map(|i| &self.stages[i])
    }

    /// The environment named `name` and its stage.
    pub fn environment(&self, name: &str) -> Option<(&Stage, &Environment)> {
        self.stages
            .iter()
            .find_map(|stage| stage.environments.iter().find(|e| e.name == name).map(|e| (stage, e)))
    }

    /// Every environment name, in pipeline order.
    pub fn environment_names(&self) -> Vec<String> {
        self.stages.iter().flat_map(|s| s.environments.iter().map(|e| e.name.clone())).collect()
    }
}

/// A problem found in pipeline.toml.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.path.display(), self.line, self.column, self.message)
    }
}

pub fn read_pipeline_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::not_found(format!("cannot read {}: {e}", path.display())))
}

pub fn validate_text(text: &str, path: &Path) -> std::result::Result<Pipeline, Vec<Diagnostic>> {
    let _ = (text, path);
    Err(Vec::new())
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanView {
    pub pipeline: String,
    pub stages: Vec<PlanStage>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanStage {
    pub name: String,
    pub wave: Option<String>,
    pub environments: Vec<PlanEnvironment>,
    pub bake: Option<String>,
    pub window: Option<String>,
    pub alarms: Option<String>,
    pub auto_rollback: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanEnvironment {
    pub name: String,
}

impl PlanView {
    pub fn from_pipeline(pipeline: &Pipeline) -> PlanView {
        PlanView { pipeline: pipeline.name.clone(), stages: Vec::new() }
    }
}

pub struct Template {
    pub name: &'static str,
    pub description: &'static str,
    pub text: &'static str,
}

pub fn templates() -> &'static [Template] {
    &[]
}

//! The outline of a pipeline: what a view needs of it (who it is, where its ledger lives,
//! its environments in order), without the settings of every stage. A view can have it
//! without expanding the file again (see `ops::outline`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Pipeline;
use crate::error::{Error, Result, suggestion_hint};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    pub name: String,
    /// `[state] location`, if the file names one.
    pub state: Option<String>,
    /// The file it was read from (a relative `[state]` path is taken from its directory).
    /// Not kept with an outline: the same text may be read from another place.
    #[serde(skip)]
    pub source: PathBuf,
    /// [`crate::model::pipeline_digest`] of the file's text.
    pub digest: String,
    /// Every environment, stage by stage, in pipeline order.
    pub environments: Vec<String>,
}

impl Pipeline {
    /// This pipeline's outline.
    pub fn outline(&self) -> Outline {
        Outline {
            name: self.name.clone(),
            state: self.state.clone(),
            source: self.source.clone(),
            digest: self.digest.clone(),
            environments: self.environment_names(),
        }
    }
}

impl Outline {
    /// The environment called `name`, or a `not found` error with a did-you-mean hint.
    pub fn require_environment(&self, name: &str) -> Result<&str> {
        match self.environments.iter().find(|e| *e == name) {
            Some(environment) => Ok(environment),
            None => Err(unknown_environment(&self.name, &self.environments, name)),
        }
    }
}

/// The error for an environment that pipeline `pipeline` (with `environments`) does not have.
pub fn unknown_environment(pipeline: &str, environments: &[String], name: &str) -> Error {
    let error = Error::not_found(format!(
        "unknown environment `{name}` in pipeline `{pipeline}`"
    ));
    match suggestion_hint(name, environments.iter().map(String::as_str)) {
        Some(hint) => error.with_hint(hint),
        None => error.with_hint("`captain plan` lists the environments"),
    }
}

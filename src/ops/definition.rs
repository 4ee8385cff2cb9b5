//! The pipeline's definition as a team server holds it: push the local pipeline.toml as
//! the next version (`captain pipeline push`), read a version, and the difference
//! between the server's and the local file (`captain pipeline diff`).

use serde::Serialize;

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::model::{NewPipelineVersion, PipelineVersion, PushedPipeline, Timestamp};
use crate::store::Store;

/// Pushes `text` (the local pipeline.toml, already validated as `pipeline`) as the next
/// version of the pipeline's definition.
pub fn push(
    store: &dyn Store,
    pipeline: &Pipeline,
    text: String,
    actor: &str,
    reason: Option<String>,
    now: Timestamp,
) -> Result<PushedPipeline> {
    if pipeline.digest != crate::model::pipeline_digest(&text) {
        return Err(Error::conflict(format!(
            "{} changed while it was read",
            pipeline.source.display()
        ))
        .with_hint("push again"));
    }
    store.push_pipeline(NewPipelineVersion {
        definition: text,
        actor: actor.to_string(),
        reason: reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
        at: now,
    })
}

/// A registered version (`None`: the newest), or `not found` saying how to register one.
pub fn version(store: &dyn Store, name: &str, version: Option<u32>) -> Result<PipelineVersion> {
    store
        .pipeline_version(version)?
        .ok_or_else(|| match version {
            Some(v) => Error::not_found(format!(
                "pipeline `{name}` has no version {v} of its definition"
            ))
            .with_hint("`captain pipeline history` lists the versions"),
            None => Error::not_found(format!("pipeline `{name}` has no registered definition"))
                .with_hint("`captain pipeline push` registers the local pipeline.toml"),
        })
}

/// The difference between a registered version and the local pipeline.toml.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DefinitionDiff {
    pub pipeline: String,
    /// The registered version compared.
    pub version: u32,
    pub server_digest: String,
    pub local_digest: String,
    pub same: bool,
    /// A unified diff from the server's text to the local one; empty when the same.
    pub diff: String,
}

pub fn diff(
    store: &dyn Store,
    pipeline: &Pipeline,
    local: &str,
    against: Option<u32>,
) -> Result<DefinitionDiff> {
    let registered = version(store, &pipeline.name, against)?;
    let same = registered.definition == local;
    let diff = if same {
        String::new()
    } else {
        similar::TextDiff::from_lines(registered.definition.as_str(), local)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{} v{} (server)", pipeline.name, registered.version),
                &pipeline.source.display().to_string(),
            )
            .to_string()
    };
    Ok(DefinitionDiff {
        pipeline: pipeline.name.clone(),
        version: registered.version,
        server_digest: registered.digest,
        local_digest: crate::model::pipeline_digest(local),
        same,
        diff,
    })
}

//! `captain history ENV`: the article's "Deployment History for Production Environment
//! Prod-2" — deployment, when, outcome, number of commits, commit range; newest first.
//! Each row says what the deployment changed in the environment, against the release the
//! environment had before it: the commits added (`git rev-list previous..this`) and
//! removed (`git rev-list this..previous`).

use serde::{Deserialize, Serialize};

use crate::config::Outline;
use crate::error::Result;
use crate::model::*;
use crate::store::{HistoryFilter, Store};

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HistoryView {
    pub environment: String,
    pub deployments: Vec<HistoryRow>,
}

/// One deployment, in the JSON shape of SPEC §3.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HistoryRow {
    pub id: DeploymentId,
    pub release: ReleaseNumber,
    pub kind: DeploymentKind,
    pub outcome: Outcome,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub actor: String,
    pub reason: Option<String>,
    /// `added` for a normal deployment, `removed` for a rollback, with the oldest and
    /// newest commit of the set (the shape SPEC §3 started with).
    pub commits: CommitRange,
    pub added: RevRange,
    pub removed: RevRange,
    /// The release is blocked everywhere (`captain release block`).
    pub blocked: bool,
}

/// Builds the history of one environment (exit 5 with a did-you-mean for an unknown one).
pub fn build(
    pipeline: &Outline,
    store: &dyn Store,
    environment: &str,
    filter: &HistoryFilter,
) -> Result<HistoryView> {
    let environment = pipeline.require_environment(environment)?;
    if let Some(server) = store.as_http() {
        // The server builds the very same view with the definition it holds: one request.
        return server.history_view(environment, filter);
    }
    let entries = store.history(environment, filter)?;
    let blocks = crate::ops::block::blocks(&store.locks()?);
    let deployments = entries
        .into_iter()
        .map(|entry| {
            let d = entry.deployment;
            HistoryRow {
                id: d.id,
                release: d.release,
                kind: d.kind,
                outcome: d.outcome,
                started_at: d.started_at,
                finished_at: d.finished_at,
                actor: d.actor,
                reason: d.reason,
                commits: entry.commits,
                added: entry.added,
                removed: entry.removed,
                blocked: blocks.contains_key(&d.release),
            }
        })
        .collect();
    Ok(HistoryView {
        environment: environment.to_string(),
        deployments,
    })
}

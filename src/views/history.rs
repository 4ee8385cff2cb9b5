//! `captain history ENV`: the article's "Deployment History for Production Environment
//! Prod-2" — deployment, when, outcome, number of commits, commit range; newest first.

use serde::Serialize;

use crate::config::Pipeline;
use crate::error::Result;
use crate::model::*;
use crate::ops::deploy::find_environment;
use crate::store::{HistoryFilter, Store};

#[derive(Clone, Debug, Serialize)]
pub struct HistoryView {
    pub environment: String,
    pub deployments: Vec<HistoryRow>,
}

/// One deployment, in the JSON shape of SPEC §3.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryRow {
    pub id: DeploymentId,
    pub release: ReleaseNumber,
    pub kind: DeploymentKind,
    pub outcome: Outcome,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub actor: String,
    pub reason: Option<String>,
    pub commits: CommitRange,
}

/// Builds the history of one environment (exit 5 with a did-you-mean for an unknown one).
pub fn build(
    pipeline: &Pipeline,
    store: &dyn Store,
    environment: &str,
    filter: &HistoryFilter,
) -> Result<HistoryView> {
    let (_, env) = find_environment(pipeline, environment)?;
    let entries = store.history(&env.name, filter)?;
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
            }
        })
        .collect();
    Ok(HistoryView {
        environment: env.name.clone(),
        deployments,
    })
}

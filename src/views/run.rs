//! `captain run --output json`: one JSON object per line for each thing the loop does,
//! each with its `event` kind and the time `at` which it happened.

use serde::Serialize;

use crate::engine::Decision;
use crate::model::*;
use crate::runner::RunEvent;
use crate::store::LogLine;

/// One line of `captain run --output json`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEventView {
    /// A decision the ledger accepted.
    Decision { at: Timestamp, decision: Decision },
    /// A deployment started (recorded and, if its stage has a deploy command, spawned).
    Started {
        at: Timestamp,
        deployment: Deployment,
    },
    /// A note about a deployment (or the loop): takeovers, conflicts, failures to start.
    Note {
        at: Timestamp,
        deployment: Option<DeploymentId>,
        text: String,
    },
    /// A line a deploy or step command printed (`at`: when it was read).
    Output {
        at: Timestamp,
        deployment: DeploymentId,
        line: LogLine,
    },
}

impl RunEventView {
    /// The line for `event` observed at `at`; none for the end of a pass (which tables
    /// draw and JSON leaves out).
    pub fn new(event: RunEvent, at: Timestamp) -> Option<RunEventView> {
        Some(match event {
            RunEvent::Decision(decision) => RunEventView::Decision { at, decision },
            RunEvent::Started(deployment) => RunEventView::Started { at, deployment },
            RunEvent::Note { deployment, text } => RunEventView::Note {
                at,
                deployment,
                text,
            },
            RunEvent::Output { deployment, line } => RunEventView::Output {
                at: line.at,
                deployment,
                line,
            },
            RunEvent::Pass { .. } => return None,
        })
    }
}

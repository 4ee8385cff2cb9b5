//! Approvals by people: who may approve a step people approve (an `external` step of a
//! stage), and how far its approvals are. A step passes once as many distinct people as
//! its [`Approvers`] ask approved it (see [`super::decide`]); [`may_approve`] is the rule
//! an approval is checked against before the store records it, wherever the ledger is
//! (this process for a local ledger, the team server for a remote one).
//!
//! Pure, as the rest of the engine: the people come in as arguments.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::config::Approvers;
use crate::model::DeploymentId;

/// How far the approvals of one external step of a deployment in progress are, as
/// `status`, `next` and `gate` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalProgress {
    pub environment: String,
    pub deployment: DeploymentId,
    /// The step's name, as `captain approve --step` takes it.
    pub step: String,
    /// Who approved it so far, in name order.
    pub approved_by: Vec<String>,
    /// How many distinct people must approve it.
    pub required: usize,
    /// How many approvals are still missing.
    pub missing: usize,
    /// Who may approve it, as pipeline.toml writes it (people, `group:NAME`); empty:
    /// anyone who may call `captain approve`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
}

impl ApprovalProgress {
    pub fn new(
        environment: &str,
        deployment: &DeploymentId,
        step: &str,
        rule: &Approvers,
        approved_by: &BTreeSet<String>,
    ) -> ApprovalProgress {
        ApprovalProgress {
            environment: environment.to_string(),
            deployment: deployment.clone(),
            step: step.to_string(),
            approved_by: approved_by.iter().cloned().collect(),
            required: rule.count,
            missing: rule.count.saturating_sub(approved_by.len()),
            allowed: rule.allowed.clone(),
        }
    }
}

/// Has a step with this rule enough approvals?
pub fn approved(rule: &Approvers, approved_by: &BTreeSet<String>) -> bool {
    approved_by.len() >= rule.count.max(1)
}

/// Someone behind the change being approved: the release's author, the actor who started
/// the deployment (or who asked to expedite the release). Without self-approval they may
/// not approve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Involved {
    pub actor: String,
    /// What they did, in words: "created v12", "started deploy-1d5fb5".
    pub did: String,
}

/// Why an approval is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum ApprovalRefusal {
    /// The approver has no name (an empty actor).
    NoName,
    /// This person approved it already: approvals count distinct people.
    AlreadyApproved { actor: String },
    /// Not among the people `allowed` names.
    NotAllowed { actor: String, allowed: Vec<String> },
    /// The approver is behind the change (and self-approval is off).
    OwnChange { actor: String, did: String },
}

impl std::fmt::Display for ApprovalRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApprovalRefusal::NoName => f.write_str("an approval needs the approver's name"),
            ApprovalRefusal::AlreadyApproved { actor } => {
                write!(f, "{actor} approved it already; it needs other people")
            }
            ApprovalRefusal::NotAllowed { actor, allowed } => {
                write!(
                    f,
                    "{actor} may not approve it (allowed: {})",
                    allowed.join(", ")
                )
            }
            ApprovalRefusal::OwnChange { actor, did } => {
                write!(f, "{actor} {did}, and may not approve their own change")
            }
        }
    }
}

/// May `actor` approve a step (or a release) with `rule`, given who approved it already
/// and who is behind it? Refused: a nameless approver, a second approval by the same
/// person, someone `allowed` does not name, and — without self-approval — anyone
/// `involved`.
pub fn may_approve(
    rule: &Approvers,
    actor: &str,
    involved: &[Involved],
    approved_by: &BTreeSet<String>,
) -> Result<(), ApprovalRefusal> {
    let actor = actor.trim();
    if actor.is_empty() {
        return Err(ApprovalRefusal::NoName);
    }
    if approved_by.contains(actor) {
        return Err(ApprovalRefusal::AlreadyApproved {
            actor: actor.to_string(),
        });
    }
    if !rule.admits(actor) {
        return Err(ApprovalRefusal::NotAllowed {
            actor: actor.to_string(),
            allowed: rule.allowed.clone(),
        });
    }
    if !rule.self_approval
        && let Some(own) = involved.iter().find(|i| i.actor == actor)
    {
        return Err(ApprovalRefusal::OwnChange {
            actor: actor.to_string(),
            did: own.did.clone(),
        });
    }
    Ok(())
}

//! Expediting an urgent release (`captain release expedite vN --reason`, then `captain
//! release approve vN` by each approver): the request and each approval are checked
//! here, with the pipeline of where the rules run (the team server's for a remote
//! ledger), and recorded through the store, audited. Once the request has as many
//! distinct approvals as `[expedite]` asks, the engine deploys that release — and only
//! that one — by the expedited rules ([`crate::engine::expedited`]).

use serde::{Deserialize, Serialize};

use crate::config::Pipeline;
use crate::engine::{ApprovalRefusal, Involved, may_approve};
use crate::error::{Error, Result};
use crate::model::{ReleaseNumber, Timestamp};
use crate::store::{ExpediteEvent, StageScope, Store};

/// What `release expedite` and `release approve` answer: the request and how far its
/// approvals are.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpediteView {
    pub release: ReleaseNumber,
    /// Who asked, and why.
    pub asked_by: String,
    pub reason: String,
    pub at: Timestamp,
    /// Who approved it so far, in name order.
    pub approved_by: Vec<String>,
    /// How many distinct people must approve it.
    pub required: usize,
    /// How many approvals are missing; 0 once the release is expedited.
    pub missing: usize,
    /// Does the engine now deploy the release by the expedited rules?
    pub expedited: bool,
}

/// The `[expedite]` rules of `pipeline`, or why there are none.
fn rule(pipeline: &Pipeline) -> Result<&crate::config::Expedite> {
    pipeline.expedite.as_ref().ok_or_else(|| {
        Error::blocked(format!("pipeline `{}` has no [expedite] section", pipeline.name))
            .with_hint("add [expedite] to pipeline.toml: what an expedited release may skip and who approves it")
    })
}

/// The expedite request of `release` as the ledger holds it now.
pub fn view(
    store: &dyn Store,
    pipeline: &Pipeline,
    release: ReleaseNumber,
    now: Timestamp,
) -> Result<Option<ExpediteView>> {
    let rule = rule(pipeline)?;
    let snapshot = store.engine_snapshot(&StageScope::of(pipeline), now)?;
    Ok(snapshot
        .state
        .expedites
        .iter()
        .find(|e| e.release == release)
        .map(|e| of(&snapshot.state, pipeline, rule, e)))
}

/// Every expedite request the ledger holds, oldest release first (for `status`).
pub fn all(store: &dyn Store, pipeline: &Pipeline, now: Timestamp) -> Result<Vec<ExpediteView>> {
    let rule = rule(pipeline)?;
    let snapshot = store.engine_snapshot(&StageScope::of(pipeline), now)?;
    Ok(snapshot
        .state
        .expedites
        .iter()
        .map(|e| of(&snapshot.state, pipeline, rule, e))
        .collect())
}

fn of(
    state: &crate::engine::EngineState,
    pipeline: &Pipeline,
    rule: &crate::config::Expedite,
    e: &crate::engine::ExpediteRecord,
) -> ExpediteView {
    let required = rule.approvers.count;
    ExpediteView {
        release: e.release,
        asked_by: e.actor.clone(),
        reason: e.reason.clone(),
        at: e.at,
        approved_by: e.approved_by.iter().cloned().collect(),
        required,
        missing: required.saturating_sub(e.approved_by.len()),
        expedited: crate::engine::expedited(state, pipeline, e.release),
    }
}

/// `captain release expedite vN --reason TEXT`: asks to expedite a release.
pub fn ask(
    store: &dyn Store,
    pipeline: &Pipeline,
    release: ReleaseNumber,
    actor: &str,
    reason: &str,
    now: Timestamp,
) -> Result<ExpediteView> {
    rule(pipeline)?;
    if reason.trim().is_empty() {
        return Err(Error::usage("expediting a release needs a reason")
            .with_hint("add `--reason TEXT`; it is kept in the audit log"));
    }
    store.record_expedite(ExpediteEvent {
        release,
        approve: false,
        actor: actor.to_string(),
        reason: Some(reason.trim().to_string()),
        at: now,
    })?;
    view(store, pipeline, release, now)?
        .ok_or_else(|| Error::internal(format!("the expedite of {release} was not recorded")))
}

/// `captain release approve vN`: one person's approval of an expedite. Never the one who
/// asked, never the release's author, once per person, only someone `[expedite]` allows.
pub fn approve(
    store: &dyn Store,
    pipeline: &Pipeline,
    release: ReleaseNumber,
    actor: &str,
    reason: Option<String>,
    now: Timestamp,
) -> Result<ExpediteView> {
    let rule = rule(pipeline)?;
    let Some(current) = view(store, pipeline, release, now)? else {
        return Err(
            Error::not_found(format!("nobody asked to expedite {release}")).with_hint(format!(
                "`captain release expedite {release} --reason TEXT` asks"
            )),
        );
    };
    let mut involved = vec![Involved {
        actor: current.asked_by.clone(),
        did: format!("asked to expedite {release}"),
    }];
    if let Some(r) = store.release(release)? {
        involved.push(Involved {
            actor: r.actor.clone(),
            did: format!("created {release}"),
        });
    }
    let approved_by = current.approved_by.iter().cloned().collect();
    may_approve(&rule.approvers, actor, &involved, &approved_by).map_err(|refusal| {
        let message = format!("expediting {release}: {refusal}");
        match refusal {
            ApprovalRefusal::AlreadyApproved { .. } => Error::conflict(message).with_hint(format!(
                "it needs {} distinct approvers; {} more to go",
                rule.approvers.count, current.missing
            )),
            ApprovalRefusal::NoName => {
                Error::usage(message).with_hint("name the approver with --actor or CAPTAIN_ACTOR")
            }
            _ => Error::blocked(message).with_hint(if rule.approvers.allowed.is_empty() {
                "someone else must approve it".to_string()
            } else {
                format!(
                    "one of {} must approve it",
                    rule.approvers.allowed.join(", ")
                )
            }),
        }
    })?;
    store.record_expedite(ExpediteEvent {
        release,
        approve: true,
        actor: actor.to_string(),
        reason,
        at: now,
    })?;
    view(store, pipeline, release, now)?
        .ok_or_else(|| Error::internal(format!("the expedite of {release} vanished")))
}

//! Disabling and enabling promotions into and out of a stage or an environment (locks).
//!
//! This room resolves what a person names into a lock target and hands whole changes to
//! the store, which checks and records them (every change is an audit event). Whether a
//! lock stops a deployment is decided by the store when the deployment starts.

use crate::config::Pipeline;
use crate::error::{Error, Result, suggestion_hint};
use crate::model::*;
use crate::store::{Store, Unlock};

/// What a TARGET names. A name that is both a stage and an environment (a stage with one
/// environment of the same name) is taken as the environment, as rollbacks lock
/// environments; enabling such a name lifts the locks on both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: LockTargetKind,
    pub name: String,
    /// Also a stage of that name.
    pub also_stage: bool,
}

/// Resolves TARGET: an environment or a stage of the pipeline, else `not found` with a
/// did-you-mean over both.
pub fn resolve_target(pipeline: &Pipeline, name: &str) -> Result<Target> {
    let is_stage = pipeline.stage(name).is_some();
    if pipeline.environment(name).is_some() {
        return Ok(Target {
            kind: LockTargetKind::Environment,
            name: name.to_string(),
            also_stage: is_stage,
        });
    }
    if is_stage {
        return Ok(Target {
            kind: LockTargetKind::Stage,
            name: name.to_string(),
            also_stage: false,
        });
    }
    let stages = pipeline.stage_names();
    let environments = pipeline.environment_names();
    let error = Error::not_found(format!(
        "`{name}` is neither a stage nor an environment of pipeline `{}`",
        pipeline.name
    ));
    let names = stages.iter().chain(environments.iter()).map(String::as_str);
    Err(match suggestion_hint(name, names) {
        Some(hint) => error.with_hint(hint),
        None => error.with_hint("`captain plan` lists the stages and environments"),
    })
}

/// Disables promotions into and/or out of `target`. A reason is required.
pub fn disable(
    store: &dyn Store,
    target: &Target,
    direction: LockDirection,
    actor: String,
    reason: &str,
    now: Timestamp,
) -> Result<Lock> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(format!(
            "disabling promotions of {} needs a reason",
            target.name
        ))
        .with_hint(
            "add `--reason TEXT`: it is shown by `captain status` and kept in the audit log",
        ));
    }
    let lock = Lock {
        target_kind: target.kind,
        target: target.name.clone(),
        direction,
        actor,
        reason: reason.to_string(),
        created_at: now,
    };
    store.set_lock(lock.clone())?;
    Ok(lock)
}

/// Enables promotions again; returns whether any lock was lifted (enabling what is not
/// disabled is not an error, so runbooks can repeat it).
pub fn enable(
    store: &dyn Store,
    target: &Target,
    direction: LockDirection,
    actor: String,
    reason: Option<String>,
    now: Timestamp,
) -> Result<bool> {
    let mut kinds = vec![target.kind];
    if target.also_stage {
        kinds.push(LockTargetKind::Stage);
    }
    let mut lifted = false;
    for kind in kinds {
        lifted |= store.remove_lock(Unlock {
            target_kind: kind,
            target: target.name.clone(),
            direction,
            actor: actor.clone(),
            reason: reason.clone(),
            at: now,
        })?;
    }
    Ok(lifted)
}

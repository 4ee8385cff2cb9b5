//! Backend-independent rules behind `start_deployment`'s promotion check (the message for
//! a release the previous stage has not approved, which lock stands in the way) and
//! `start_rollback`'s optimistic check (the environment is as the preview saw it). Backends read the facts inside their transaction and ask this room.

use super::{RollbackTarget, ago, describe_deployment};
use crate::error::{Error, Result};
use crate::model::{Deployment, DeploymentId, Lock, LockTargetKind, NewDeployment, Timestamp};

/// Refuses a promotion the previous stage has not approved: `missing` are its
/// environments without an approved deployment of the release.
pub fn require_approved(new: &NewDeployment, missing: &[&str]) -> Result<()> {
    let Some(check) = &new.promotion_check else {
        return Ok(());
    };
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::blocked(format!(
        "{} has not been approved by stage {}: {} {} not approved it",
        new.release,
        check.previous_stage,
        missing.join(", "),
        if missing.len() == 1 { "has" } else { "have" }
    ))
    .with_hint("deploy it there first, or override with `--force --reason TEXT`"))
}

/// Refuses a deployment that a lock forbids: promotions into its environment or stage, or
/// out of the previous stage or one of its environments.
pub fn require_unlocked(new: &NewDeployment, locks: &[Lock]) -> Result<()> {
    for lock in locks {
        let into = lock.direction.blocks_in()
            && match lock.target_kind {
                LockTargetKind::Environment => lock.target == new.environment,
                LockTargetKind::Stage => lock.target == new.stage,
            };
        let out_of = lock.direction.blocks_out()
            && new
                .promotion_check
                .as_ref()
                .is_some_and(|check| match lock.target_kind {
                    LockTargetKind::Stage => lock.target == check.previous_stage,
                    LockTargetKind::Environment => {
                        check.previous_environments.contains(&lock.target)
                    }
                });
        if into || out_of {
            let way = if into { "into" } else { "out of" };
            let kind = match lock.target_kind {
                LockTargetKind::Stage => "stage",
                LockTargetKind::Environment => "environment",
            };
            return Err(Error::blocked(format!(
                "promotions {way} {kind} {} are disabled by {}: {}",
                lock.target, lock.actor, lock.reason
            ))
            .with_hint(format!(
                "enable them with `captain promotions enable {}`, or override with `--force --reason TEXT`",
                lock.target
            )));
        }
    }
    Ok(())
}

/// A rollback's environment is as its preview saw it (the same deployment in progress and
/// the same current deployment); otherwise a conflict naming the change that came first.
/// `find` looks up the deployment the preview expected in progress, once it is gone.
pub fn require_unchanged<E: From<Error>>(
    target: &RollbackTarget,
    current: Option<&Deployment>,
    running: Option<&Deployment>,
    at: Timestamp,
    find: impl FnOnce(&DeploymentId) -> std::result::Result<Option<Deployment>, E>,
) -> std::result::Result<(), E> {
    let environment = &target.environment;
    let changed = |what: String| -> E {
        Error::conflict(format!(
            "{environment} changed after the rollback preview was made: {what} first"
        ))
        .with_hint("look again with `captain status`, and roll back again if it is still needed")
        .into()
    };
    if running.map(|d| &d.id) != target.expected_in_progress.as_ref() {
        if let Some(running) = running {
            return Err(changed(format!(
                "{} ({}, {}) started",
                running.id,
                describe_deployment(running),
                ago(running.started_at, at)
            )));
        }
        if let Some(id) = &target.expected_in_progress
            && let Some(gone) = find(id)?
        {
            return Err(changed(format!(
                "{} ({}) finished as {} {}",
                gone.id,
                describe_deployment(&gone),
                gone.outcome,
                ago(gone.finished_at.unwrap_or(gone.started_at), at)
            )));
        }
        return Err(changed(format!(
            "the deployment in progress there changed (expected {})",
            target
                .expected_in_progress
                .as_ref()
                .map_or_else(|| "none".to_string(), ToString::to_string)
        )));
    }
    if current.map(|d| &d.id) != target.expected_current.as_ref() {
        return Err(match current {
            Some(current) => changed(format!(
                "{} ({}) finished as {} {}",
                current.id,
                describe_deployment(current),
                current.outcome,
                ago(current.finished_at.unwrap_or(current.started_at), at)
            )),
            None => changed("its current release was removed".to_string()),
        });
    }
    Ok(())
}

/// A second rollback while one runs in the environment is refused, naming the first.
pub fn refuse_second_rollback(environment: &str, running: &Deployment, at: Timestamp) -> Error {
    Error::conflict(format!(
        "{environment} is already being rolled back: {} ({}, {}) started first",
        running.id,
        describe_deployment(running),
        ago(running.started_at, at)
    ))
    .with_hint(format!(
        "wait for it, or finish it with `captain deploy finish {} --outcome …` before rolling back again",
        running.id
    ))
}

//! Backend-independent rules behind `start_deployment`'s promotion check: the message for
//! a release the previous stage has not approved, and which lock (if any) stands in the
//! way. Backends read the facts inside their transaction and ask this room.

use crate::error::{Error, Result};
use crate::model::{Lock, LockTargetKind, NewDeployment};

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

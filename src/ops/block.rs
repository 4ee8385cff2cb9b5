//! Blocking a bad release (`captain release block | unblock`): a block is a lock on the
//! release itself, in force everywhere, which the engine's one rule honours for every
//! driver — the loop, `next`, `gate` and `deploy start` refuse the release, a promotion of
//! it waiting in front of a stage is dropped, and no `--force` gets past it (see
//! [`crate::engine::release_block`]). Both changes are audited (`release.block`,
//! `release.unblock`) and go through the ordinary lock records, so both backends, the
//! team server, export and import carry them.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::{Lock, LockDirection, LockTargetKind, ReleaseNumber, Timestamp};
use crate::server::auth::Role;
use crate::store::{Store, Unlock};

/// Who may block and unblock a release on a team server.
pub const ROLE: Role = Role::Operator;

/// What [`block`] did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Blocked {
    /// The block in force (the earlier one when the release was blocked already).
    pub block: Lock,
    /// False when the release was blocked already (nothing changed).
    pub created: bool,
}

/// Blocks `release` everywhere, with a reason (required). Blocking a blocked release
/// again changes nothing and answers the block in force, so runbooks may repeat it.
pub fn block(
    store: &dyn Store,
    release: ReleaseNumber,
    actor: String,
    reason: &str,
    now: Timestamp,
) -> Result<Blocked> {
    crate::ops::require_role(store, ROLE, "blocking a release")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(format!("blocking {release} needs a reason"))
            .with_hint("add `--reason TEXT`: it is shown wherever the release is refused"));
    }
    if store.release(release)?.is_none() {
        return Err(
            Error::not_found(format!("release {release} does not exist"))
                .with_hint("`captain release list` shows the releases"),
        );
    }
    if let Some(block) = blocks(&store.locks()?).remove(&release) {
        return Ok(Blocked {
            block,
            created: false,
        });
    }
    let block = Lock::release_block(release, actor, reason.to_string(), now);
    store.set_lock(block.clone())?;
    Ok(Blocked {
        block,
        created: true,
    })
}

/// Lifts the block of `release`; false when it was not blocked (not an error).
pub fn unblock(
    store: &dyn Store,
    release: ReleaseNumber,
    actor: String,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    crate::ops::require_role(store, ROLE, "unblocking a release")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(format!("unblocking {release} needs a reason"))
            .with_hint("add `--reason TEXT`: it is kept in the audit log"));
    }
    store.remove_lock(Unlock {
        target_kind: LockTargetKind::Release,
        target: release.to_string(),
        direction: LockDirection::Both,
        actor,
        reason: Some(reason.to_string()),
        at: now,
    })
}

/// The blocks among `locks`, by release.
pub fn blocks(locks: &[Lock]) -> BTreeMap<ReleaseNumber, Lock> {
    locks
        .iter()
        .filter(|l| l.target_kind == LockTargetKind::Release)
        .filter_map(|l| Some((l.target.parse().ok()?, l.clone())))
        .collect()
}

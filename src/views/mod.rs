//! The views — every command's result as plain data that a table renderer and a JSON
//! renderer both take. Nothing here formats text. The JSON field names are one
//! vocabulary across every view (the README's "JSON output"): a release number is
//! `release`, a full sha `commit`, a pair of before and after `from` and `to`, a time `at`
//! or `…_at` (when something happened) or `since` / `until` (when a state began or ends).
//! New fields may be added; none is renamed.

pub mod deploy;
pub mod error;
pub mod freeze;
pub mod history;
pub mod ledger;
pub mod metrics;
pub mod preview;
pub mod promotions;
pub mod release;
pub mod rollback;
pub mod run;
pub mod schema;
pub mod setup;
pub mod status;
pub mod where_commit;

use serde::{Deserialize, Serialize};

use crate::model::{Lock, ReleaseNumber, Timestamp};

/// A release blocked everywhere (`captain release block`): who, when and why.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlockView {
    pub release: ReleaseNumber,
    pub actor: String,
    pub reason: String,
    pub since: Timestamp,
}

impl BlockView {
    /// The block of `release` held as `lock`.
    pub fn of(release: ReleaseNumber, lock: &Lock) -> BlockView {
        BlockView {
            release,
            actor: lock.actor.clone(),
            reason: lock.reason.clone(),
            since: lock.created_at,
        }
    }

    /// The blocks among `locks`, oldest release first.
    pub fn all(locks: &[Lock]) -> Vec<BlockView> {
        crate::ops::block::blocks(locks)
            .into_iter()
            .map(|(release, lock)| BlockView::of(release, &lock))
            .collect()
    }
}

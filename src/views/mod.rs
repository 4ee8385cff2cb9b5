//! The views — status, history, where — as plain data that a table renderer and a JSON
//! renderer both take. Nothing here formats text; the JSON field names are the stable
//! shapes of SPEC §3 (new fields may be added, none renamed).

pub mod history;
pub mod status;
pub mod where_commit;

use serde::Serialize;

use crate::model::{Lock, ReleaseNumber, Timestamp};

/// A release blocked everywhere (`captain release block`): who, when and why.
#[derive(Clone, Debug, Serialize)]
pub struct BlockView {
    pub release: ReleaseNumber,
    pub actor: String,
    pub reason: String,
    pub since: Timestamp,
}

impl BlockView {
    /// The blocks among `locks`, oldest release first.
    pub fn all(locks: &[Lock]) -> Vec<BlockView> {
        crate::ops::block::blocks(locks)
            .into_iter()
            .map(|(release, lock)| BlockView {
                release,
                actor: lock.actor,
                reason: lock.reason,
                since: lock.created_at,
            })
            .collect()
    }
}

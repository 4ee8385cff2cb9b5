//! Emergency freezes as views show them (`captain freeze | unfreeze`, `status`).

use serde::{Deserialize, Serialize};

use crate::model::{Lock, Timestamp};

/// One emergency freeze (`captain freeze`).
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FreezeView {
    /// `pipeline`, or the stage, environment or wave frozen.
    pub target: String,
    pub actor: String,
    pub reason: String,
    pub since: Timestamp,
    /// When it ends by itself; null: when a person lifts it (`captain unfreeze`).
    pub until: Option<Timestamp>,
}

impl From<&Lock> for FreezeView {
    fn from(lock: &Lock) -> Self {
        FreezeView {
            target: crate::ops::freeze::target_words(&lock.target).to_string(),
            actor: lock.actor.clone(),
            reason: lock.reason.clone(),
            since: lock.created_at,
            until: lock.until,
        }
    }
}

/// `captain freeze [TARGET]`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FreezeSet {
    pub freeze: FreezeView,
    /// The freeze of the same target it replaced, if there was one.
    pub replaced: Option<FreezeView>,
    /// The stages it holds, in pipeline order.
    pub stages: Vec<String>,
}

/// `captain unfreeze [TARGET]`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FreezeLifted {
    /// `pipeline`, or the stage, environment or wave.
    pub target: String,
    /// False when it was not frozen (nothing changed).
    pub lifted: bool,
}

//! Locks as every view shows them (`status`, `promotions list | disable | enable`): which
//! target, which way, who, why and `since` when.

use serde::{Deserialize, Serialize};

use crate::config::{Target, TargetKind};
use crate::model::*;

/// One lock ("promotions disabled") on a stage or an environment.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LockView {
    /// `stage` or `environment`.
    pub target_kind: LockTargetKind,
    pub target: String,
    /// `in`, `out` or `both`.
    pub direction: LockDirection,
    pub actor: String,
    pub reason: String,
    /// When promotions were disabled.
    #[serde(alias = "created_at")]
    pub since: Timestamp,
}

impl From<LockView> for Lock {
    fn from(view: LockView) -> Self {
        Lock {
            target_kind: view.target_kind,
            target: view.target,
            direction: view.direction,
            actor: view.actor,
            reason: view.reason,
            created_at: view.since,
            until: None,
        }
    }
}

/// `#[serde(with = "crate::views::promotions::lock_as_view")]`: a [`Lock`] held by a
/// view's type (the engine's status of a stage) in the shape of [`LockView`].
pub mod lock_as_view {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::LockView;
    use crate::model::Lock;

    pub fn serialize<S: Serializer>(lock: &Lock, serializer: S) -> Result<S::Ok, S::Error> {
        LockView::from(lock).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Lock, D::Error> {
        LockView::deserialize(deserializer).map(Lock::from)
    }
}

impl From<&Lock> for LockView {
    fn from(lock: &Lock) -> Self {
        LockView {
            target_kind: lock.target_kind,
            target: lock.target.clone(),
            direction: lock.direction,
            actor: lock.actor.clone(),
            reason: lock.reason.clone(),
            since: lock.created_at,
        }
    }
}

/// The views of many locks.
pub fn locks(locks: &[Lock]) -> Vec<LockView> {
    locks.iter().map(LockView::from).collect()
}

/// `captain promotions list`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PromotionsList {
    pub locks: Vec<LockView>,
}

/// `captain promotions disable TARGET…`: the locks set; the first one's fields also at
/// the top level (the shape of a single target).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PromotionsDisabled {
    #[serde(flatten)]
    pub first: Option<LockView>,
    pub locks: Vec<LockView>,
}

/// `captain promotions enable TARGET…`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PromotionsEnabled {
    /// The first target as given, and its kind.
    pub target: Option<String>,
    pub target_kind: Option<TargetKind>,
    /// The direction asked to enable.
    pub direction: LockDirection,
    /// Was anything lifted?
    pub lifted: bool,
    pub at: Timestamp,
    /// The targets as given, each with what it covers.
    pub targets: Vec<Target>,
    /// The locks lifted, each with `direction` the part lifted.
    pub locks_lifted: Vec<LockView>,
    /// Locks still on what the targets cover (then the command exits 3).
    pub remaining: Vec<LockView>,
}

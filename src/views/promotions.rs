//! Locks as every view shows them (`status`, `promotions list | disable | enable`): which
//! target, which way, who, why and `since` when.

use serde::Serialize;

use crate::config::{Target, TargetKind};
use crate::model::*;

/// One lock ("promotions disabled") on a stage or an environment.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LockView {
    /// `stage` or `environment`.
    pub target_kind: LockTargetKind,
    pub target: String,
    /// `in`, `out` or `both`.
    pub direction: LockDirection,
    pub actor: String,
    pub reason: String,
    /// When promotions were disabled.
    pub since: Timestamp,
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

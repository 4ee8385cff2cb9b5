//! The ledger's own records as views: `captain audit`, `token list` and `pipeline
//! history` (the lists; one record answers as itself).

use serde::Serialize;

use crate::model::{AuditEvent, PipelineVersion};
use crate::server::auth::TokenInfo;

/// `captain audit`: newest first.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AuditView {
    pub events: Vec<AuditEvent>,
}

/// `captain token list` (never the secrets).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

/// `captain pipeline history`: every registered version of the definition, oldest first.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PipelineHistory {
    pub versions: Vec<PipelineVersion>,
}

/// `captain notify status`: each `[[notify]]` target's place in the event log, and the
/// events parked after too many failed deliveries.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct NotifyStatusView {
    pub targets: Vec<NotifyTargetView>,
    pub parked: Vec<crate::store::ParkedEvent>,
}

/// One target of [`NotifyStatusView`].
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct NotifyTargetView {
    pub name: String,
    /// The `seq` of the last event delivered or passed over (not wanted, or parked).
    pub seq: i64,
    /// Events recorded since, that this target still has to consider (at most 1000
    /// counted).
    pub pending: usize,
    /// Failed deliveries of the next event so far.
    pub attempts: u32,
    pub last_error: Option<String>,
}

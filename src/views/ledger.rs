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

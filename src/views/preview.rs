//! `captain diff A B` and `captain next STAGE --preview`: what replacing one release by
//! another changes, in the change-set shape `captain rollback` shows too.

use serde::Serialize;

use crate::ops::gate::NextView;
use crate::ops::preview::PromotionPreview;

/// `captain diff A B`: A (`from`), B (`to`), and what replacing A by B changes.
pub use crate::ops::preview::Diff as DiffView;

/// `captain next STAGE --preview`: the answer of `captain next`, and what the release it
/// names (else the one waiting) would change in the stage's environments.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NextPreviewView {
    #[serde(flatten)]
    pub next: NextView,
    pub preview: PromotionPreview,
}

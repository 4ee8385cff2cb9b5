//! The JSON error shape: what `--output json` prints on stderr when a command fails.

use serde::Serialize;

use crate::error::ErrorKind;

/// `{"error": {"kind", "message", "hint"}}` on stderr, with the documented exit code.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorView {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// `usage` (exit 2), `blocked` (3), `conflict` (4), `not found` (5), `error` or
    /// `internal` (1).
    pub kind: &'static str,
    /// One sentence naming the input that was wrong.
    pub message: String,
    /// What to do next, when captain knows.
    pub hint: Option<String>,
}

impl ErrorView {
    pub fn new(kind: ErrorKind, message: String, hint: Option<String>) -> ErrorView {
        ErrorView {
            error: ErrorBody {
                kind: kind.as_str(),
                message,
                hint,
            },
        }
    }
}

//! One error type for the library: a kind (which decides the exit code), one sentence
//! naming the failing input, and an optional hint saying what to do next.
//!
//! The library never prints; the CLI renders these as a line of text or as the JSON
//! error shape of SPEC §3.

use std::fmt;

/// What went wrong, coarsely: it decides the exit code and the JSON `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is wrong (bad flag value, invalid pipeline.toml, bad revision syntax). Exit 2.
    Usage,
    /// Something named does not exist (environment, release, deployment, revision). Exit 5.
    NotFound,
    /// Not allowed right now: a lock, a closed window, an active blocker, a missing approval. Exit 3.
    Blocked,
    /// Someone else changed the state first, or the request contradicts recorded state. Exit 4.
    Conflict,
    /// Any other failure the user can act on (I/O, a state file that is not captain's). Exit 1.
    Failed,
    /// A bug or an unexpected failure of a dependency. Exit 1.
    Internal,
    /// A dependency is down or busy for now (the database does not answer, the server's
    /// queue is full): trying again later may succeed. Exit 1; a server answers 503.
    Unavailable,
}

impl ErrorKind {
    /// The process exit code documented in the README and `--help`.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Usage => 2,
            ErrorKind::Blocked => 3,
            ErrorKind::Conflict => 4,
            ErrorKind::NotFound => 5,
            ErrorKind::Failed | ErrorKind::Internal | ErrorKind::Unavailable => 1,
        }
    }

    /// The `kind` of the JSON error shape.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::NotFound => "not found",
            ErrorKind::Blocked => "blocked",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Failed => "error",
            ErrorKind::Internal => "internal",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

/// captain's error: a kind, a one-sentence message naming the input, an optional hint.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn blocked(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Blocked, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }
    /// Attach what the user can do next.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The closest of `candidates` to `input`, for "did you mean …?" hints.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(input, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// A "did you mean `x`?" hint, if any candidate is close enough.
pub fn suggestion_hint<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    did_you_mean(input, candidates).map(|name| format!("did you mean `{name}`?"))
}

//! The JSON bodies of the team server's API that are not domain types: the requests of
//! read operations that take more than a path, and the error shape. Shared by the HTTP
//! client store ([`super::http`]) and the server (`crate::server`) so the two cannot
//! drift apart. Nothing here does I/O.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::model::{DeploymentId, Outcome, ReleaseNumber, Timestamp};

/// The header carrying the idempotency key of a mutation.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// `POST …/environment-states`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnvironmentsRequest {
    pub environments: Vec<String>,
}

/// `POST …/locate`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LocateRequest {
    /// A full sha or a prefix of at least 4 hex digits.
    #[schemars(regex(pattern = r"^\s*[0-9A-Fa-f]{4,64}\s*$"))]
    pub commit: String,
    pub environments: Vec<String>,
}

/// `POST …/stage-approved`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageApprovedRequest {
    pub release: ReleaseNumber,
    pub environments: Vec<String>,
}

/// `POST …/stages-approved`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StagesApprovedRequest {
    pub checks: Vec<StageApprovedRequest>,
}

/// A yes/no answer.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Answer {
    pub answer: bool,
}

/// `remove_lock`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Lifted {
    pub lifted: bool,
}

/// `POST …/deployments/{id}/log`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AppendLogRequest {
    pub lines: Vec<crate::store::LogLine>,
}

/// `POST …/engine-snapshot`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EngineSnapshotRequest {
    pub stages: Vec<crate::store::StageScope>,
    pub at: crate::model::Timestamp,
}

/// `POST …/deployments/{id}/process`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordProcessRequest {
    pub runner: crate::store::RunnerId,
    pub process: crate::store::ProcessRecord,
}

/// `POST …/claims`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClaimRequest {
    /// The loop taking them over; null hands them to whoever drives next.
    #[serde(default)]
    pub runner: Option<crate::store::RunnerId>,
    pub claims: Vec<crate::store::Claim>,
}

/// `POST …/stage-records`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageRecordsRequest {
    pub stages: Vec<String>,
    pub limit: usize,
}

/// `POST …/deployment-phases`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeploymentPhasesRequest {
    pub ids: Vec<crate::model::DeploymentId>,
}

/// The error shape of SPEC §3, as the server sends it: `{"error":{kind,message,hint}}`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorDetail {
    /// `usage`, `not found`, `blocked`, `conflict`, `error`, `internal`, `unavailable`,
    /// and on the wire only: `unauthorized`, `forbidden`.
    pub kind: String,
    pub message: String,
    pub hint: Option<String>,
}

impl ErrorBody {
    pub fn from_error(e: &Error) -> Self {
        ErrorBody {
            error: ErrorDetail {
                kind: e.kind.as_str().to_string(),
                message: e.message.clone(),
                hint: e.hint.clone(),
            },
        }
    }

    /// Back into captain's error, so a command exits the same on either backend. The
    /// wire-only kinds (authentication, permission) are plain failures: exit 1.
    pub fn into_error(self) -> Error {
        let kind = match self.error.kind.as_str() {
            "usage" => ErrorKind::Usage,
            "not found" => ErrorKind::NotFound,
            "blocked" => ErrorKind::Blocked,
            "conflict" => ErrorKind::Conflict,
            "internal" => ErrorKind::Internal,
            "unavailable" => ErrorKind::Unavailable,
            _ => ErrorKind::Failed,
        };
        Error {
            kind,
            message: self.error.message,
            hint: self.error.hint,
        }
    }
}

/// The HTTP status of each error kind (documented in the README and `/openapi.json`):
/// usage 400, not found 404, conflict 409, blocked 423 (Locked: a lock, a closed gate or
/// a missing approval stops the change, and retrying later may succeed), failures 500,
/// unavailable 503 (the database does not answer or the server is full: retry later).
pub fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::Usage => 400,
        ErrorKind::NotFound => 404,
        ErrorKind::Conflict => 409,
        ErrorKind::Blocked => 423,
        ErrorKind::Failed | ErrorKind::Internal => 500,
        ErrorKind::Unavailable => 503,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_survive_the_round_trip_with_their_kind() {
        for kind in [
            ErrorKind::Usage,
            ErrorKind::NotFound,
            ErrorKind::Blocked,
            ErrorKind::Conflict,
            ErrorKind::Failed,
            ErrorKind::Internal,
            ErrorKind::Unavailable,
        ] {
            let e = Error::new(kind, "prod-9 is odd").with_hint("look");
            let back = ErrorBody::from_error(&e).into_error();
            assert_eq!(back.kind, kind);
            assert_eq!(back.message, "prod-9 is odd");
            assert_eq!(back.hint.as_deref(), Some("look"));
        }
    }
}

/// `POST …/definition`: pipeline.toml's text, and why it is pushed.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PushRequest {
    pub definition: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// The person a delegating token pushes for.
    #[serde(default)]
    pub actor: Option<String>,
}

/// `GET …/definition/versions`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PipelineVersions {
    pub versions: Vec<crate::model::PipelineVersion>,
}

/// The header a client sends with the digest of the pipeline.toml it read
/// ([`crate::model::pipeline_digest`]).
pub const PIPELINE_DIGEST_HEADER: &str = "captain-pipeline-digest";

/// What `deploy start` was asked to do.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StartRequest {
    pub environment: String,
    pub release: ReleaseNumber,
    pub rollback: bool,
    pub force: bool,
    pub reason: Option<String>,
    pub actor: String,
    pub now: Timestamp,
}

/// `deploy finish ID --outcome …`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FinishRequest {
    pub id: DeploymentId,
    pub outcome: Outcome,
    pub actor: String,
    pub reason: Option<String>,
    /// Record the outcome as it is, skipping the rest of the steps and the bake.
    #[serde(default)]
    pub force: bool,
    pub now: Timestamp,
}

/// `next STAGE` (`record`: first record what is due) and `gate STAGE`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NextRequest {
    pub stage: String,
    pub record: bool,
    pub actor: String,
    pub now: Timestamp,
}

/// `bake STAGE [--release vN]`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BakeRequest {
    pub stage: String,
    pub release: Option<ReleaseNumber>,
    pub actor: String,
    pub now: Timestamp,
}

/// `retry ENV|STAGE [--release vN] --reason TEXT`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RetryCommand {
    pub target: String,
    pub release: Option<ReleaseNumber>,
    pub actor: String,
    pub reason: Option<String>,
    pub now: Timestamp,
}

/// `approve|reject DEPLOYMENT --step NAME`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VerdictRequest {
    pub deployment: DeploymentId,
    pub step: String,
    pub passed: bool,
    pub actor: String,
    pub reason: Option<String>,
    pub now: Timestamp,
}

/// `release expedite vN --reason TEXT` (`approve: false`) and `release approve vN`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpediteCommand {
    pub release: ReleaseNumber,
    pub approve: bool,
    pub actor: String,
    pub reason: Option<String>,
    pub now: Timestamp,
}

/// `override TARGET --reason TEXT --for DURATION`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OverrideRequest {
    pub target: String,
    pub actor: String,
    pub reason: String,
    /// How long it stays in force.
    pub seconds: u64,
    pub now: Timestamp,
}

/// `GET …/notify`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct NotifyStatus {
    pub targets: Vec<super::NotifyState>,
    pub parked: Vec<super::ParkedEvent>,
}

/// `POST …/notify/retry`.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RetryParked {
    /// Only this target's parked events.
    pub target: Option<String>,
    /// Only these events; empty: every parked event.
    #[serde(default)]
    pub seqs: Vec<i64>,
}

/// What a resend did.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RetriedParked {
    pub delivered: Vec<super::ParkedEvent>,
    /// Those that failed again and stay parked.
    pub parked: Vec<super::ParkedEvent>,
}

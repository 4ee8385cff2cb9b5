//! The domain model: releases, deployments, locks and audit events.
//!
//! Plain data shared by every room. Nothing here reads a clock, touches a file or
//! talks to git; the store persists these types and the views arrange them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

pub use jiff::Timestamp;

/// A release number, written `v12`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ReleaseNumber(pub u64);

impl fmt::Display for ReleaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl FromStr for ReleaseNumber {
    type Err = Error;
    /// Accepts `v12`, `V12` and `12`.
    fn from_str(s: &str) -> Result<Self> {
        let digits = s.strip_prefix(['v', 'V']).unwrap_or(s);
        match digits.parse::<u64>() {
            Ok(n) if n > 0 && !digits.starts_with('+') => Ok(ReleaseNumber(n)),
            _ => Err(Error::usage(format!("`{s}` is not a release number"))
                .with_hint("write releases as v1, v2, …")),
        }
    }
}

impl Serialize for ReleaseNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReleaseNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.message))
    }
}

/// Pipeline names become file names (`DIR/<pipeline>.sqlite`) and URL segments
/// (`/v1/pipelines/<pipeline>/…`): 1 to 100 ASCII letters, digits, `.`, `_` and `-`, not
/// starting with `.` (so never `.`, `..` or a hidden file), no separators, no control
/// characters.
pub fn check_pipeline_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(
            Error::usage(format!("`{}` is not a pipeline name", name.escape_debug()))
                .with_hint(PIPELINE_NAME_HINT),
        )
    }
}

/// How to write a pipeline name, for every message that refuses one.
pub const PIPELINE_NAME_HINT: &str = "pipeline names are 1 to 100 letters, digits, `.`, `_` and `-`, not starting with `.`, e.g. name = \"checkout-api\"";

/// A full commit sha as the ledgers keep it: 40 (SHA-1) or 64 (SHA-256) hex digits,
/// lower-cased; `what` names the input in the error ("release commit").
pub fn full_sha(text: &str, what: &str) -> Result<String> {
    let sha = text.trim().to_ascii_lowercase();
    if (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha)
    } else {
        Err(Error::usage(format!(
            "{what} `{text}` is not a full commit sha (40 hex digits)"
        )))
    }
}

/// The first `len` characters of a sha (whole if shorter), as tables (7) and messages
/// (12) show commits.
pub fn short_sha(sha: &str, len: usize) -> &str {
    sha.get(..len).unwrap_or(sha)
}

/// On the wire a release number is a string, `v12` (requests may also write `V12` or `12`).
impl schemars::JsonSchema for ReleaseNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ReleaseNumber".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": RELEASE_NUMBER_PATTERN,
            "description": "A release number, written `v12`.",
            "examples": ["v12"],
        })
    }
}

/// What [`ReleaseNumber::from_str`] accepts: an optional `v`, then a positive number
/// that fits in 64 bits.
pub const RELEASE_NUMBER_PATTERN: &str = "^[vV]?0*[1-9][0-9]{0,18}$";

/// One commit as the ledger remembers it (enough for history, where and previews
/// without a checkout).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommitInfo {
    /// Full 40-hex sha.
    pub sha: String,
    pub author: String,
    pub time: Timestamp,
    /// First line of the message.
    pub subject: String,
    /// Number of parents; more than one is a merge.
    pub parents: u32,
}

impl CommitInfo {
    pub fn is_merge(&self) -> bool {
        self.parents > 1
    }
}

/// One resolved dependency found in a lockfile.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Dependency {
    /// Path of the lockfile inside the repository, e.g. `Cargo.lock` or `web/package-lock.json`.
    pub lockfile: String,
    /// `cargo`, `npm`, `yarn`, `go`, `poetry`, `pip` or `bundler`.
    pub ecosystem: String,
    pub name: String,
    pub version: String,
}

/// The dependency versions of a release, sorted and free of duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct DependencySnapshot(pub Vec<Dependency>);

impl DependencySnapshot {
    pub fn new(mut dependencies: Vec<Dependency>) -> Self {
        dependencies.sort();
        dependencies.dedup();
        DependencySnapshot(dependencies)
    }
}

/// An immutable release: one commit, its artifacts, and what it introduced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Release {
    pub number: ReleaseNumber,
    /// Full sha of the commit the release was built from.
    pub commit: String,
    /// The newest earlier release whose commit is an ancestor of this one (normally the
    /// previous release; for a release after a hotfix branch, the last release on its own
    /// line). `commits` are those reachable from `commit` and not from the base's commit.
    pub base: Option<ReleaseNumber>,
    /// Artifact name → immutable reference (image digest, object key, …).
    pub artifacts: BTreeMap<String, String>,
    pub actor: String,
    pub created_at: Timestamp,
    /// How many commits the release introduced.
    pub commit_count: u64,
    /// The oldest introduced commit (the start of the commit range), if any.
    pub first_commit: Option<String>,
    /// Set for a release of a commit that is not on the pipeline's trunk branch
    /// (`release create --hotfix --reason`); `None` for a trunk release.
    #[serde(default)]
    pub hotfix: Option<Hotfix>,
}

/// Why a release of a commit off the trunk was made, and by whom (the release's actor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hotfix {
    pub reason: String,
    pub actor: String,
}

/// What `release create` hands to the store.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewRelease {
    /// The full sha of the commit the release was built from.
    #[schemars(regex(pattern = r"^\s*([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})\s*$"))]
    pub commit: String,
    pub base: Option<ReleaseNumber>,
    pub artifacts: BTreeMap<String, String>,
    pub actor: String,
    pub created_at: Timestamp,
    /// Introduced commits, newest first (as `git log base..commit`).
    pub commits: Vec<CommitInfo>,
    pub dependencies: DependencySnapshot,
    /// The reason of a hotfix: a release of a commit not on the trunk branch.
    #[serde(default)]
    pub hotfix_reason: Option<String>,
}

/// The answer of `create_release`: the release, and whether this call created it.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CreatedRelease {
    pub release: Release,
    pub created: bool,
}

/// A deployment id, `deploy-` followed by six or more hex digits.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct DeploymentId(pub String);

impl DeploymentId {
    /// Parses `deploy-1d5fb5` (or the bare hex) into an id.
    pub fn parse(text: &str) -> Result<Self> {
        let hex = text.strip_prefix("deploy-").unwrap_or(text);
        if hex.len() >= 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(DeploymentId(format!("deploy-{}", hex.to_ascii_lowercase())))
        } else {
            Err(Error::usage(format!("`{text}` is not a deployment id"))
                .with_hint("deployment ids look like deploy-1d5fb5"))
        }
    }
}

impl fmt::Display for DeploymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeploymentKind {
    Normal,
    Rollback,
}

impl DeploymentKind {
    /// `normal`, `rollback`: as JSON and the ledgers write it.
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentKind::Normal => "normal",
            DeploymentKind::Rollback => "rollback",
        }
    }
}

impl fmt::Display for DeploymentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeploymentKind {
    type Err = Error;
    /// The words of [`DeploymentKind::as_str`].
    fn from_str(s: &str) -> Result<Self> {
        [DeploymentKind::Normal, DeploymentKind::Rollback]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Error::usage(format!("`{s}` is not a deployment kind"))
                    .with_hint("use normal or rollback")
            })
    }
}

/// How a deployment ended (or that it has not yet).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Outcome {
    #[serde(rename = "in progress")]
    InProgress,
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "deploy failed")]
    DeployFailed,
    #[serde(rename = "tests failed")]
    TestsFailed,
    #[serde(rename = "alarm fired")]
    AlarmFired,
    #[serde(rename = "rolled back")]
    RolledBack,
    #[serde(rename = "superseded")]
    Superseded,
    #[serde(rename = "cancelled")]
    Cancelled,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::InProgress,
        Outcome::Approved,
        Outcome::DeployFailed,
        Outcome::TestsFailed,
        Outcome::AlarmFired,
        Outcome::RolledBack,
        Outcome::Superseded,
        Outcome::Cancelled,
    ];

    /// The words of SPEC §3 (`deploy failed`), used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::InProgress => "in progress",
            Outcome::Approved => "approved",
            Outcome::DeployFailed => "deploy failed",
            Outcome::TestsFailed => "tests failed",
            Outcome::AlarmFired => "alarm fired",
            Outcome::RolledBack => "rolled back",
            Outcome::Superseded => "superseded",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Parses either form: `deploy failed` or `deploy-failed`.
    pub fn parse(text: &str) -> Result<Self> {
        let wanted = text.trim().replace(['-', '_'], " ").to_ascii_lowercase();
        Outcome::ALL.into_iter().find(|o| o.as_str() == wanted).ok_or_else(|| {
            Error::usage(format!("`{text}` is not a deployment outcome")).with_hint(
                "use one of approved, deploy-failed, tests-failed, alarm-fired, rolled-back, superseded, cancelled",
            )
        })
    }

    /// Did the release's code reach the environment? Such a deployment sets the
    /// environment's current release (SPEC §1).
    pub fn reached(self) -> bool {
        matches!(
            self,
            Outcome::Approved | Outcome::TestsFailed | Outcome::AlarmFired | Outcome::RolledBack
        )
    }

    pub fn is_finished(self) -> bool {
        self != Outcome::InProgress
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = Error;
    /// See [`Outcome::parse`].
    fn from_str(s: &str) -> Result<Self> {
        Outcome::parse(s)
    }
}

/// One attempt to put one release on one environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Deployment {
    pub id: DeploymentId,
    pub environment: String,
    pub stage: String,
    pub release: ReleaseNumber,
    pub kind: DeploymentKind,
    pub actor: String,
    /// Why it was started by hand (`--force --reason`, a rollback's reason).
    pub reason: Option<String>,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub outcome: Outcome,
}

/// A check the store makes atomically before recording a normal deployment: the
/// previous stage must have approved the release (every one of its environments has an
/// approved deployment of it) and no promotion lock may stand in the way.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PromotionCheck {
    pub previous_stage: String,
    pub previous_environments: Vec<String>,
}

/// What `deploy start` hands to the store.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewDeployment {
    pub environment: String,
    pub stage: String,
    pub release: ReleaseNumber,
    pub kind: DeploymentKind,
    pub actor: String,
    pub reason: Option<String>,
    pub started_at: Timestamp,
    /// `None` for the first stage, for rollbacks and for `--force`.
    pub promotion_check: Option<PromotionCheck>,
    /// `--force`: skip the approval, lock and older-release checks (a reason is required).
    pub force: bool,
}

impl NewDeployment {
    /// The deployment this request starts: `id`, in progress since `started_at` (the
    /// request's time as the store keeps it).
    pub fn starting(&self, id: DeploymentId, started_at: Timestamp) -> Deployment {
        Deployment {
            id,
            environment: self.environment.clone(),
            stage: self.stage.clone(),
            release: self.release,
            kind: self.kind,
            actor: self.actor.clone(),
            reason: self.reason.clone(),
            started_at,
            finished_at: None,
            outcome: Outcome::InProgress,
        }
    }
}

/// What `deploy finish` hands to the store.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FinishDeployment {
    pub id: DeploymentId,
    pub outcome: Outcome,
    pub actor: String,
    pub finished_at: Timestamp,
    pub reason: Option<String>,
}

/// The commits a deployment brought to its environment, as the history table shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommitRange {
    pub count: u64,
    /// Oldest commit of the range.
    pub first: Option<String>,
    /// Newest commit of the range.
    pub last: Option<String>,
}

/// A set of commits as git names it: those of `git rev-list from..to`, or every commit
/// reachable from `to` when `from` is none; and how many there are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RevRange {
    pub count: u64,
    pub from: Option<String>,
    pub to: String,
}

/// One row of `captain history ENV`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HistoryEntry {
    pub deployment: Deployment,
    /// For a normal deployment, the commits it added to the environment (as `added`); for
    /// a rollback, the commits it removed (as `removed`).
    pub commits: CommitRange,
    /// What the deployment brought that the environment's previous release (its current
    /// one when the deployment started) did not have: `previous..this`; everything
    /// reachable from this release's commit for the first deployment there.
    pub added: RevRange,
    /// What the previous release had that this one does not: `this..previous` (empty,
    /// `this..this`, for the first deployment).
    pub removed: RevRange,
}

/// What the ledger knows of one environment right now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnvironmentState {
    pub environment: String,
    /// The latest deployment that reached the environment (sets the current release).
    pub current: Option<Deployment>,
    /// A deployment still in progress, if any.
    pub in_progress: Option<Deployment>,
    /// The latest finished deployment of any outcome (to show a failure).
    pub last_finished: Option<Deployment>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LockTargetKind {
    Stage,
    Environment,
    /// A release blocked everywhere (`captain release block`); the target is `v12`.
    Release,
    /// An emergency freeze (`captain freeze`): nothing is promoted or started in its
    /// target until it is lifted or its `until` passes. The target is a stage, an
    /// environment or a wave name, or `*` for the whole pipeline.
    Freeze,
}

impl LockTargetKind {
    /// "stage", "environment": how messages say it, JSON and the ledgers write it.
    pub fn as_str(self) -> &'static str {
        match self {
            LockTargetKind::Stage => "stage",
            LockTargetKind::Environment => "environment",
            LockTargetKind::Release => "release",
            LockTargetKind::Freeze => "freeze",
        }
    }

    /// The audit action of setting a lock of this kind: `lock.set`, or `release.block`.
    pub fn set_action(self) -> &'static str {
        match self {
            LockTargetKind::Release => "release.block",
            LockTargetKind::Freeze => "freeze.set",
            LockTargetKind::Stage | LockTargetKind::Environment => "lock.set",
        }
    }

    /// The audit action of lifting one: `lock.remove`, or `release.unblock`.
    pub fn lift_action(self) -> &'static str {
        match self {
            LockTargetKind::Release => "release.unblock",
            LockTargetKind::Freeze => "freeze.remove",
            LockTargetKind::Stage | LockTargetKind::Environment => "lock.remove",
        }
    }
}

impl FromStr for LockTargetKind {
    type Err = Error;
    /// The words of [`LockTargetKind::as_str`].
    fn from_str(s: &str) -> Result<Self> {
        [
            LockTargetKind::Stage,
            LockTargetKind::Environment,
            LockTargetKind::Release,
            LockTargetKind::Freeze,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| {
            Error::usage(format!("`{s}` is not a lock target kind"))
                .with_hint("use stage, environment, release or freeze")
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LockDirection {
    In,
    Out,
    Both,
}

impl FromStr for LockDirection {
    type Err = Error;
    /// The words of [`LockDirection::as_str`].
    fn from_str(s: &str) -> Result<Self> {
        [LockDirection::In, LockDirection::Out, LockDirection::Both]
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                Error::usage(format!("`{s}` is not a lock direction"))
                    .with_hint("use in, out or both")
            })
    }
}

impl LockDirection {
    /// `in`, `out`, `both`: as JSON and the ledgers write it.
    pub fn as_str(self) -> &'static str {
        match self {
            LockDirection::In => "in",
            LockDirection::Out => "out",
            LockDirection::Both => "both",
        }
    }

    /// What stays locked of a lock held in this direction once `lifted` is lifted from
    /// it (`None`: nothing).
    pub fn after_lifting(self, lifted: LockDirection) -> Option<LockDirection> {
        match (self, lifted) {
            (_, LockDirection::Both) => None,
            (LockDirection::Both, LockDirection::In) => Some(LockDirection::Out),
            (LockDirection::Both, LockDirection::Out) => Some(LockDirection::In),
            (held, lifted) if held == lifted => None,
            (held, _) => Some(held),
        }
    }

    /// "into", "out of", "into and out of": how messages say it.
    pub fn words(self) -> &'static str {
        match self {
            LockDirection::In => "into",
            LockDirection::Out => "out of",
            LockDirection::Both => "into and out of",
        }
    }

    /// The part of a lock held in this direction that lifting `lifted` takes away
    /// (`None`: none of it).
    pub fn lifted_part(self, lifted: LockDirection) -> Option<LockDirection> {
        match self.after_lifting(lifted) {
            None => Some(self),
            Some(left) if left == self => None,
            Some(LockDirection::Out) => Some(LockDirection::In),
            Some(LockDirection::In) => Some(LockDirection::Out),
            Some(LockDirection::Both) => None,
        }
    }

    pub fn blocks_in(self) -> bool {
        matches!(self, LockDirection::In | LockDirection::Both)
    }
    pub fn blocks_out(self) -> bool {
        matches!(self, LockDirection::Out | LockDirection::Both)
    }
}

/// "Promotions disabled" into and/or out of a stage or an environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Lock {
    pub target_kind: LockTargetKind,
    /// Not blank.
    #[schemars(regex(pattern = r"\S"))]
    pub target: String,
    pub direction: LockDirection,
    pub actor: String,
    /// Why (not blank).
    #[schemars(regex(pattern = r"\S"))]
    pub reason: String,
    pub created_at: Timestamp,
    /// In force until then (an emergency freeze's `--until`); `None` until it is lifted.
    /// Only freezes carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
}

impl Lock {
    /// A block of `release` everywhere (`captain release block`): a lock on the release
    /// in both directions.
    pub fn release_block(
        release: ReleaseNumber,
        actor: String,
        reason: String,
        at: Timestamp,
    ) -> Lock {
        Lock {
            target_kind: LockTargetKind::Release,
            target: release.to_string(),
            direction: LockDirection::Both,
            actor,
            reason,
            created_at: at,
            until: None,
        }
    }

    /// The target of a freeze of the whole pipeline.
    pub const PIPELINE_FREEZE: &'static str = "*";

    /// An emergency freeze of `target` (a stage, environment or wave name, or
    /// [`Lock::PIPELINE_FREEZE`]) in both directions, until `until` or until lifted.
    pub fn freeze(
        target: String,
        actor: String,
        reason: String,
        at: Timestamp,
        until: Option<Timestamp>,
    ) -> Lock {
        Lock {
            target_kind: LockTargetKind::Freeze,
            target,
            direction: LockDirection::Both,
            actor,
            reason,
            created_at: at,
            until,
        }
    }

    /// Is this lock in force at `now`? Only a freeze's `until` ends one by itself.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.until.is_none_or(|until| now < until)
    }

    /// Is this the block of `release`?
    pub fn is_on_release(&self, release: ReleaseNumber) -> bool {
        self.target_kind == LockTargetKind::Release
            && self.target.parse::<ReleaseNumber>().ok() == Some(release)
    }
}

/// One version of a pipeline's definition as a team server holds it (`captain pipeline
/// push`, `serve --pipeline`): pipeline.toml as it was pushed. The server decides every
/// rule from its newest version, never from a client's copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PipelineVersion {
    /// 1, 2, … in the order they were pushed.
    pub version: u32,
    /// The pipeline.toml text.
    pub definition: String,
    /// [`pipeline_digest`] of the text.
    pub digest: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// What `captain pipeline push` hands to the store (validated by the caller).
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewPipelineVersion {
    pub definition: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// The version a push registered, or the newest one when it was the same text
/// (`created: false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PushedPipeline {
    #[serde(flatten)]
    pub version: PipelineVersion,
    pub created: bool,
}

/// The digest a client and a server compare to tell whether they read the same
/// pipeline.toml: `sha256:` and the hex digest of the text's bytes.
pub fn pipeline_digest(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Every change to the ledger, with who, when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    /// e.g. `release.create`, `deployment.start`, `deployment.finish`, `lock.set`.
    pub action: String,
    /// What it acted on: `v12`, `deploy-1d5fb5`, `prod-2`, …
    pub target: String,
    pub reason: Option<String>,
    pub details: serde_json::Value,
}

/// Where a reader of the ledger's event log stands (see [`crate::store::Store::events_after`]).
///
/// Events are read in `(txid, seq)` order. On SQLite every write is serialized, so `txid`
/// is 0 and `seq` alone is commit order. On PostgreSQL writes to different environments
/// commit concurrently and `seq` is handed out at insert, not at commit; `txid` is the
/// writing transaction's id, and a reader only takes events of transactions older than
/// every transaction still running — so no event can later appear before the cursor.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct EventCursor {
    pub txid: i64,
    pub seq: i64,
}

impl EventCursor {
    /// Before every event.
    pub const START: EventCursor = EventCursor { txid: 0, seq: 0 };
}

impl fmt::Display for EventCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.txid, self.seq)
    }
}

impl FromStr for EventCursor {
    type Err = Error;
    fn from_str(s: &str) -> Result<EventCursor> {
        let bad = || {
            Error::usage(format!(
                "`{s}` is not an event cursor: expected TXID.SEQ, as an earlier answer gave"
            ))
        };
        let (txid, seq) = s.split_once('.').ok_or_else(bad)?;
        Ok(EventCursor {
            txid: txid.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

/// One event of the log with its place in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoggedEvent {
    pub cursor: EventCursor,
    pub event: AuditEvent,
}

/// Where a commit is, as the store computes it for `captain where`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommitLocation {
    pub commit: String,
    /// The first release that contains the commit.
    pub release: Option<ReleaseNumber>,
    /// Environments (in the order asked) whose current release contains the commit.
    pub deployed_to: Vec<String>,
    pub not_deployed_to: Vec<String>,
    /// For each environment, the deployment that first brought the commit there.
    pub history: Vec<CommitArrival>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommitArrival {
    pub environment: String,
    pub deployment: DeploymentId,
    pub release: ReleaseNumber,
    pub finished_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_numbers_parse_and_print() {
        assert_eq!("v12".parse::<ReleaseNumber>().map(|r| r.0).ok(), Some(12));
        assert_eq!(
            "7".parse::<ReleaseNumber>().map(|r| r.to_string()).ok(),
            Some("v7".into())
        );
        assert!("v0".parse::<ReleaseNumber>().is_err());
        assert!("vx".parse::<ReleaseNumber>().is_err());
    }

    #[test]
    fn outcomes_parse_in_both_spellings() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()).ok(), Some(outcome));
            assert_eq!(
                Outcome::parse(&outcome.as_str().replace(' ', "-")).ok(),
                Some(outcome)
            );
        }
        assert!(Outcome::parse("fine").is_err());
    }

    /// The words the ledgers write are the serde words, and each reads back.
    #[test]
    fn ledger_words_round_trip_and_match_json() {
        fn json<T: Serialize>(value: T) -> String {
            serde_json::to_value(value)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }
        for kind in [DeploymentKind::Normal, DeploymentKind::Rollback] {
            assert_eq!(kind.as_str().parse::<DeploymentKind>().ok(), Some(kind));
            assert_eq!(json(kind), kind.as_str());
        }
        for kind in [
            LockTargetKind::Stage,
            LockTargetKind::Environment,
            LockTargetKind::Release,
        ] {
            assert_eq!(kind.as_str().parse::<LockTargetKind>().ok(), Some(kind));
            assert_eq!(json(kind), kind.as_str());
        }
        for direction in [LockDirection::In, LockDirection::Out, LockDirection::Both] {
            assert_eq!(
                direction.as_str().parse::<LockDirection>().ok(),
                Some(direction)
            );
            assert_eq!(json(direction), direction.as_str());
        }
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse::<Outcome>().ok(), Some(outcome));
            assert_eq!(json(outcome), outcome.as_str());
        }
        assert!("sideways".parse::<LockDirection>().is_err());
        assert!("canary".parse::<DeploymentKind>().is_err());
        assert!("wave".parse::<LockTargetKind>().is_err());
        let sha = "AB".repeat(20);
        assert_eq!(
            full_sha(&sha, "commit").ok(),
            Some(sha.to_ascii_lowercase())
        );
        assert!(full_sha("abc", "commit").is_err());
        assert_eq!(short_sha(&sha, 7), "ABABABA");
        assert_eq!(short_sha("abc", 7), "abc");
    }

    #[test]
    fn pipeline_names_are_plain() {
        for good in ["app", "checkout-api", "a.b_c-1", &"x".repeat(100)] {
            assert!(check_pipeline_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "x/../app",
            "a/b",
            "a\\b",
            "a b",
            "tab\t",
            "nl\n",
            "é",
            &"x".repeat(101),
        ] {
            assert!(check_pipeline_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lifting_part_of_a_lock_says_which_part_went() {
        use LockDirection::*;
        assert_eq!(Both.lifted_part(In), Some(In));
        assert_eq!(Both.lifted_part(Both), Some(Both));
        assert_eq!(Out.lifted_part(Both), Some(Out));
        assert_eq!(Out.lifted_part(In), None);
        assert_eq!(In.lifted_part(In), Some(In));
    }
}

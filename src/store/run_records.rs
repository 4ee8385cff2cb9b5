//! What `captain run` and the CI commands (`next`, `gate`, `approve`) keep in the ledger
//! besides releases and deployments: each active deployment's phase and the process
//! working on it, what each stage decided about releases, blocker overrides and external
//! approval-step results — and the two whole operations the loop is built on:
//! [`Store::engine_snapshot`](super::Store::engine_snapshot) (everything the engine needs,
//! in one read) and [`Store::apply_decisions`](super::Store::apply_decisions) (a pass's
//! decisions, atomically, refused when they were made on a stale snapshot).
//!
//! Plain data, serialisable, so an HTTP backend can carry it as it is.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::engine::{BlockerOverride, Decision, EngineState, Phase, StageLedger};
use crate::model::{DeploymentId, PromotionCheck, ReleaseNumber, Timestamp};

/// One `captain run` process: the owner of the processes it starts. A restarted loop
/// recognises a dead owner by its pid and start time on the same host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunnerId {
    pub host: String,
    pub pid: u32,
    /// The kernel's start time of the process (guards against pid reuse).
    pub start_time: Option<u64>,
}

/// A child process recorded for a deployment: its pid (also its process group) and start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProcessRecord {
    pub pid: u32,
    pub start_time: Option<u64>,
}

/// A stage and its environments, in pipeline order: what a snapshot covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageScope {
    pub name: String,
    pub environments: Vec<String>,
    /// A release the caller asks about (a CI's `deploy start`): the snapshot covers what
    /// the stage and its environments did with it even when it is older than what the
    /// engine otherwise needs (see [`snapshot_floors`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also: Option<ReleaseNumber>,
}

impl StageScope {
    /// The scopes of every stage of a pipeline, in order.
    pub fn of(pipeline: &crate::config::Pipeline) -> Vec<StageScope> {
        pipeline
            .stages
            .iter()
            .map(|s| StageScope {
                name: s.name.clone(),
                environments: s.environments.iter().map(|e| e.name.clone()).collect(),
                also: None,
            })
            .collect()
    }

    /// The scopes of [`StageScope::of`], the one holding `environment` also covering
    /// `release`.
    pub fn about(
        pipeline: &crate::config::Pipeline,
        environment: &str,
        release: ReleaseNumber,
    ) -> Vec<StageScope> {
        let mut scopes = StageScope::of(pipeline);
        for scope in &mut scopes {
            if scope.environments.iter().any(|e| e == environment) {
                scope.also = Some(release);
            }
        }
        scopes
    }

    /// The promotion check for a normal deployment into `stage`: the stage before it in
    /// `scopes` must have approved the release (none for the first stage).
    pub fn promotion_check(scopes: &[StageScope], stage: &str) -> Option<PromotionCheck> {
        let index = scopes.iter().position(|s| s.name == stage)?;
        let previous = scopes.get(index.checked_sub(1)?)?;
        Some(PromotionCheck {
            previous_stage: previous.name.clone(),
            previous_environments: previous.environments.clone(),
        })
    }
}

/// The reason recorded with a deployment the engine starts: its own, or the blocker
/// override it went through.
pub fn start_reason(
    reason: Option<&String>,
    overridden: Option<&BlockerOverride>,
) -> Option<String> {
    match (reason, overridden) {
        (Some(r), _) => Some(r.clone()),
        (None, Some(o)) => Some(format!("blocker overridden by {}: {}", o.actor, o.reason)),
        (None, None) => None,
    }
}

/// What the ledger knows of one deployment in progress, beyond the engine's view of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActiveRecord {
    pub deployment: DeploymentId,
    pub environment: String,
    pub stage: String,
    pub phase: Phase,
    /// When the current phase began (for a step's duration; a bake's is in the phase).
    pub phase_since: Option<Timestamp>,
    /// The `captain run` that drives it; `None` for one recorded by `captain rollback` or
    /// `deploy start`, which nobody runs yet.
    pub runner: Option<RunnerId>,
    /// The deploy or approval-step process, once started.
    pub process: Option<ProcessRecord>,
    /// While baking: the data points a pass last observed (of the stage's
    /// `min_data_points` query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_points: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StageRecordKind {
    Approved,
    Failed,
    Superseded,
    /// A person retried a release that failed here (`captain retry`): it is deployed
    /// again where it is missing, until the stage approves or fails it anew (which then
    /// replaces this record).
    Retried,
}

impl StageRecordKind {
    /// Reads a stored record (anything else than these counts as superseded).
    pub fn from_stored(text: &str) -> StageRecordKind {
        match text {
            "approved" => StageRecordKind::Approved,
            "failed" => StageRecordKind::Failed,
            "retried" => StageRecordKind::Retried,
            _ => StageRecordKind::Superseded,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StageRecordKind::Approved => "approved",
            StageRecordKind::Failed => "failed",
            StageRecordKind::Superseded => "superseded",
            StageRecordKind::Retried => "retried",
        }
    }

    /// May a record of this kind be replaced by one of `next`? A retry replaces a
    /// failure; what follows a retry replaces the retry. Decisions are never changed.
    pub fn may_become(self, next: StageRecordKind) -> bool {
        matches!(
            (self, next),
            (StageRecordKind::Failed, StageRecordKind::Retried)
                | (StageRecordKind::Retried, StageRecordKind::Approved)
                | (StageRecordKind::Retried, StageRecordKind::Failed)
        )
    }
}

/// What `captain retry` asks the store: deploy `release` again in `stage`, where it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RetryRequest {
    pub stage: String,
    pub release: ReleaseNumber,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// What a stage decided about one release, once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageRecord {
    pub stage: String,
    pub release: ReleaseNumber,
    pub record: StageRecordKind,
    /// For `superseded`: the newer release that replaced it.
    pub by: Option<ReleaseNumber>,
    pub reason: Option<String>,
    pub actor: String,
    pub at: Timestamp,
}

/// The result of an external approval step (`captain approve` / `captain reject`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StepVerdict {
    pub deployment: DeploymentId,
    /// Index into the stage's approval steps.
    pub step: usize,
    pub name: String,
    pub passed: bool,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

impl StepVerdict {
    /// Why an approval of a step is refused by the ledger: the step was rejected, or this
    /// person approved it already (approvals count distinct people).
    pub(crate) fn refusal(
        &self,
        existing: Option<&(bool, String)>,
        same_person: bool,
    ) -> Option<crate::Error> {
        if existing.is_some_and(|(passed, _)| !passed) {
            return Some(crate::Error::conflict(format!(
                "approval step `{}` of {} was already rejected",
                self.name, self.deployment
            )));
        }
        same_person.then(|| {
            crate::Error::conflict(format!(
                "{} approved step `{}` of {} already",
                self.actor, self.name, self.deployment
            ))
            .with_hint("approvals count distinct people: another approver is needed")
        })
    }
}

/// A step of expediting a release: someone asks (`captain release expedite`), or one
/// person approves (`captain release approve`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpediteEvent {
    pub release: ReleaseNumber,
    /// `false`: the request; `true`: an approval of it.
    pub approve: bool,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

impl ExpediteEvent {
    /// Why the ledger refuses this event, given the request recorded (if any) and whether
    /// its actor approved already.
    pub(crate) fn refusal(
        &self,
        asked: Option<&str>,
        approved_already: bool,
    ) -> Option<crate::Error> {
        let release = self.release;
        match (self.approve, asked) {
            (false, Some(by)) => Some(
                crate::Error::conflict(format!("{by} asked to expedite {release} already"))
                    .with_hint(format!("approvers run `captain release approve {release}`")),
            ),
            (false, None) => None,
            (true, None) => Some(
                crate::Error::not_found(format!("nobody asked to expedite {release}")).with_hint(
                    format!("`captain release expedite {release} --reason TEXT` asks"),
                ),
            ),
            (true, Some(_)) if approved_already => Some(
                crate::Error::conflict(format!(
                    "{} approved expediting {release} already",
                    self.actor
                ))
                .with_hint("approvals count distinct people: another approver is needed"),
            ),
            (true, Some(_)) => None,
        }
    }
}

/// Everything the engine needs, read in one consistent snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EngineSnapshot {
    pub state: EngineState,
    /// Every deployment in progress in the covered environments.
    pub active: Vec<ActiveRecord>,
    /// Recorded results of external approval steps of those deployments.
    pub step_results: Vec<StepVerdict>,
    /// What a pass last recorded of each covered stage's blocker: `true` in ALARM (a
    /// stage missing has not been seen in ALARM).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blockers: BTreeMap<String, bool>,
}

/// A stage's blocker as a pass saw it, when that differs from what the ledger last
/// recorded ([`EngineSnapshot::blockers`]): recorded with the pass's decisions, with an
/// audit event `blocker.alarm` or `blocker.ok` (which notifications report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlockerSeen {
    /// In ALARM (else OK; a blocker without data is not recorded).
    pub alarm: bool,
    /// The blocker expression, as pipeline.toml writes it.
    pub expression: String,
    /// The alarms of the expression that are in ALARM.
    pub alarms: Vec<String>,
}

/// Is a blocker seen in ALARM (`alarm`) or OK a change from what the ledger recorded for
/// its stage? A stage with nothing recorded has not been seen in ALARM.
pub fn blocker_changed(recorded: Option<bool>, alarm: bool) -> bool {
    recorded.unwrap_or(false) != alarm
}

/// The audit action of a blocker seen otherwise than recorded.
pub fn blocker_action(seen: &BlockerSeen) -> &'static str {
    if seen.alarm {
        "blocker.alarm"
    } else {
        "blocker.ok"
    }
}

/// The audit details of a blocker seen otherwise than recorded.
pub fn blocker_details(seen: &BlockerSeen) -> serde_json::Value {
    serde_json::json!({"expression": seen.expression, "alarms": seen.alarms})
}

/// One pass's decisions, to apply atomically.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DecisionBatch {
    pub decisions: Vec<Decision>,
    /// The pipeline's stages in order: a normal start is checked against the previous
    /// stage's approval and locks, in the same transaction.
    pub stages: Vec<StageScope>,
    pub actor: String,
    pub at: Timestamp,
    /// The loop that will run what starts; recorded as the owner of new deployments and steps.
    pub runner: Option<RunnerId>,
    /// Why, when a person or a CI asked for the pass (`deploy finish --reason`): recorded
    /// with the deployments the batch finishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The data points the pass observed for baking deployments, recorded with them for
    /// `captain status` (a batch may carry only these).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data_points: BTreeMap<DeploymentId, u64>,
    /// Per stage, its blocker where the pass saw it otherwise than the ledger recorded
    /// (a batch may carry only these).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blockers: BTreeMap<String, BlockerSeen>,
}

/// Take over a deployment whose owner is gone (or that has none) — only if the owner is
/// still `expected`, so two loops never both take it.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Claim {
    pub deployment: DeploymentId,
    pub expected: Option<RunnerId>,
}

/// A blocker override as recorded (for `captain status` and the audit).
pub type OverrideRecord = BlockerOverride;

/// The newest releases a stage touched, which a backend reads first (each is one index
/// lookup) so that a snapshot reads only what a decision needs; see [`snapshot_floors`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageMarks {
    /// The newest release with a normal deployment in the stage or an `approved`,
    /// `failed` or `retried` record of it: every release the stage works on or decided is
    /// at or below it.
    pub deployed: Option<ReleaseNumber>,
    /// The newest release with any record (a superseded one too).
    pub recorded: Option<ReleaseNumber>,
    /// The oldest release of a deployment in progress in the stage's environments.
    pub oldest_active: Option<ReleaseNumber>,
}

impl StageMarks {
    /// The stage's [`StageLedger::high_water`], from the marks alone.
    pub fn high_water(&self) -> Option<ReleaseNumber> {
        self.deployed.max(self.recorded)
    }
}

/// How many of a stage's approved releases below its floor an environment's ledger
/// keeps, given the release blocks in force: enough that the newest one not blocked —
/// the rollback target of a release at or above the floor — is among them.
pub fn approved_below_floor(locks: &[crate::model::Lock]) -> usize {
    1 + locks
        .iter()
        .filter(|l| l.target_kind == crate::model::LockTargetKind::Release)
        .count()
}

/// The oldest release of each stage (in `scopes` order) that an engine snapshot must
/// read; what a stage and its environments did with older releases never changes a
/// decision, so the snapshot of a ledger with years of history reads a few rows per
/// stage. The engine asks a stage's ledger about:
///
/// - its working release and its high-water mark (at or above the newest release it
///   deployed or decided, `deployed`);
/// - its approved releases above the next stage's high-water mark (what it offers there);
/// - the releases of deployments in progress in its environments (`oldest_active`), and
///   the release a caller asks about ([`StageScope::also`]);
/// - per environment, the newest approved release below one of those that is not blocked
///   (a rollback target): the environment's ledger keeps [`approved_below_floor`] more
///   below the floor.
///
/// So the floor is the lowest of those; a stage without a deployment, or before a stage
/// that took nothing yet, reads everything (there is little to read).
pub fn snapshot_floors(scopes: &[StageScope], marks: &[StageMarks]) -> Vec<ReleaseNumber> {
    let none = ReleaseNumber(0);
    scopes
        .iter()
        .enumerate()
        .map(|(i, scope)| {
            let mine = marks.get(i).copied().unwrap_or_default();
            let mut floor = mine.deployed.unwrap_or(none);
            if let Some(next) = marks.get(i + 1) {
                floor = floor.min(next.high_water().unwrap_or(none));
            }
            [mine.oldest_active, scope.also]
                .into_iter()
                .flatten()
                .fold(floor, ReleaseNumber::min)
        })
        .collect()
}

/// A stage's ledger for the engine snapshot: what the loop recorded for it (`records`),
/// and what its normal deployments say (`deployments`: release, outcome, environment;
/// repeats are fine), for an external CI records only deployments. A release every
/// environment of the stage approved is approved; one whose deployments ended otherwise
/// and that the loop recorded nothing for failed; the newest release with deployments
/// that is not decided is the one the stage works on — if it is newer than every release
/// the stage approved or failed (an older one left half-deployed by a CI is left behind,
/// never deployed over a newer one; this also makes the ledger of the releases at and above
/// a [`snapshot_floors`] floor the same as of all of them). A retried release (a `retried`
/// record) is worked on again: only a deployment started since the retry that ended
/// unapproved fails it anew (`failed_since_retry` says, per retried release). Rows come
/// as a backend reads them (the first error ends the reading).
pub fn stage_ledger<O, E, X>(
    scope: &StageScope,
    records: impl IntoIterator<Item = Result<(ReleaseNumber, StageRecordKind), X>>,
    deployments: impl IntoIterator<Item = Result<(ReleaseNumber, O, E), X>>,
    failed_since_retry: &BTreeMap<ReleaseNumber, bool>,
) -> Result<StageLedger, X>
where
    O: AsRef<str>,
    E: Ord + Borrow<str>,
{
    let mut ledger = StageLedger::default();
    let mut recorded = BTreeSet::new();
    let mut retried = BTreeSet::new();
    for record in records {
        let (release, record) = record?;
        recorded.insert(release);
        match record {
            StageRecordKind::Approved => ledger.approved.insert(release),
            StageRecordKind::Failed => ledger.failed.insert(release),
            StageRecordKind::Superseded => ledger.superseded.insert(release),
            StageRecordKind::Retried => retried.insert(release),
        };
    }
    let mut approved_envs: BTreeMap<ReleaseNumber, BTreeSet<E>> = BTreeMap::new();
    let mut open: BTreeSet<ReleaseNumber> = BTreeSet::new();
    let mut ended: BTreeSet<ReleaseNumber> = BTreeSet::new();
    for deployment in deployments {
        let (release, outcome, environment) = deployment?;
        match outcome.as_ref() {
            "approved" => {
                approved_envs
                    .entry(release)
                    .or_default()
                    .insert(environment);
            }
            "in progress" => {
                open.insert(release);
            }
            _ => {
                ended.insert(release);
            }
        }
    }
    for (release, envs) in &approved_envs {
        if !scope.environments.is_empty()
            && scope.environments.iter().all(|e| envs.contains(e.as_str()))
        {
            ledger.approved.insert(*release);
        }
    }
    for release in ended {
        if !ledger.approved.contains(&release) && !recorded.contains(&release) {
            ledger.failed.insert(release);
        }
    }
    for release in &retried {
        if failed_since_retry.get(release).copied().unwrap_or(false)
            && !ledger.approved.contains(release)
        {
            ledger.failed.insert(*release);
        }
    }
    ledger.failed.retain(|r| !ledger.approved.contains(r));
    let decided = |r: &ReleaseNumber| {
        ledger.approved.contains(r) || ledger.failed.contains(r) || ledger.superseded.contains(r)
    };
    // A release with deployments (or retried) that is neither decided: the one the stage
    // works on.
    let mut candidates: BTreeSet<ReleaseNumber> = open;
    candidates.extend(approved_envs.keys().copied());
    candidates.extend(retried.iter().copied());
    let newest_decided = ledger.newest_decided();
    ledger.working = candidates
        .into_iter()
        .filter(|r| !decided(r))
        .max()
        .filter(|r| newest_decided.is_none_or(|d| *r > d));
    ledger.retry = ledger.working.filter(|r| retried.contains(r));
    Ok(ledger)
}

//! The release captain's brain: promotion decisions as a pure function.
//!
//! [`decide`] takes a snapshot of the ledger ([`EngineState`]), the expanded
//! [`Pipeline`], the current time and what the executors observed ([`Signals`]) and
//! returns what should happen now ([`Decision`]s) plus, for every stage, why it is doing
//! what it does ([`StageOutlook`]) — the text behind `captain status`, `captain next STAGE`
//! and `captain gate STAGE`.
//!
//! This room must not read a clock, touch the store, git, files or the network, or keep
//! state between calls: everything comes in through the arguments. That is what lets weeks
//! of pipeline be tested and simulated in milliseconds, and what makes a pass safe to
//! repeat after a crash: the same input always gives the same decisions.
//!
//! # How a pass reads the pipeline
//!
//! Stages are looked at one by one, in pipeline order; each works on its own release, in
//! parallel with the others.
//!
//! 1. **Active deployments move on.** A normal deployment goes `Deploying` →
//!    `Verifying` (the stage's approval steps, in order, one at a time) → `Baking`
//!    (bake time elapsed *and* each environment's data points reached *and* the rollback
//!    alarm known to be OK) → the environment approves the release. On a wave's last
//!    stage the bake time is the stage's own followed by the wave's `wave_bake_time`
//!    ([`Stage::bake_time`]), so the next wave's first stage is offered the release only
//!    once the wave as a whole has baked. A rollback deployment
//!    only deploys: it is mitigation, so it does not wait for tests or bake.
//! 2. **Failure.** A failed deploy, a failed approval step, or the stage's
//!    `rollback_alarm` in ALARM while a normal deployment is deploying, verifying or
//!    baking fails the release in the stage ([`Decision::FailStage`]); a failed release
//!    is never deployed there again. With `auto_rollback`, every environment of the
//!    stage that failed, was cut short, or already got the release is redeployed with the
//!    newest release it had approved before, as a rollback deployment; the other
//!    deployments of that release are ended (`cancelled` while deploying, `rolled back`
//!    once the code is there). Without `auto_rollback`, the other environments carry on
//!    (they may approve individually) and only the stage's approval is lost.
//! 3. **Stage approval.** When every environment of the stage has approved the stage's
//!    release and none is busy, the stage approves it ([`Decision::ApproveStage`]).
//!    Environments still without the release (an external CI deploys a stage one
//!    environment at a time; a retry deploys a failed release again where it is missing)
//!    are started with it, through the same locks, window and blocker as a promotion.
//! 4. **Promotion.** The releases offered to a stage are, for the first stage, every
//!    release, and for the others those the previous stage approved. Only releases newer
//!    than anything the stage already took (approved, failed, working on or superseded)
//!    count, so releases only move forward. The newest one is the candidate; every older
//!    one is recorded as superseded there, once, and never deployed there. A stage that is
//!    busy (a release in progress, or any environment with an active deployment) keeps
//!    the candidate waiting. Otherwise the candidate starts in all the stage's
//!    environments at once, unless:
//!    - a lock stops it: an `in`/`both` lock on the stage or any of its environments (the
//!      stage deploys its environments together, so one locked environment holds the
//!      stage), or an `out`/`both` lock on the previous stage or any of its environments;
//!    - a freeze holds the stage ([`freeze_on`]): one of its `freezes` in pipeline.toml
//!      (pipeline-wide or its own) covers now, or a person froze the pipeline, the stage,
//!      one of its environments or its wave (`captain freeze`, a lock of kind `freeze`,
//!      until it is lifted or its `until` passes). Nothing gets past a freeze, not even
//!      `deploy start --force`; deployments already running carry on;
//!    - the stage's window is closed (the answer carries the next opening, computed in the
//!      window's time zone, so DST and excluded dates are right; with several windows, the
//!      stage is open while any is);
//!    - the stage's `blocker` expression is in ALARM — or unknown, since captain cannot
//!      tell it is safe — and no [`BlockerOverride`] for the stage or one of its
//!      environments is in force. A start under an override carries it, so the reason is
//!      recorded with the deployment.
//!
//! Rollback deployments ignore windows, freezes, blockers and locks: they are how people and the
//! pipeline get back to health, and a manual rollback sets its own locks.
//!
//! An `external` approval step passes once as many distinct people as its `approvers`
//! approved it ([`Signals::approvals`]; one rejection fails it); who may approve is
//! [`may_approve`], checked where the ledger is before an approval is recorded. A release
//! whose expedite request has its approvals ([`expedited`]) bakes by `[expedite]` (scaled,
//! or set per wave) and, without `keep_windows`, is not held by closed windows — that
//! release only; locks, blockers and blocks hold it as any other.
//!
//! # Who drives
//!
//! The same pass serves `captain run` and the commands of an external CI (see
//! [`crate::ops::pass`]). [`Signals::reported`] carries what a CI said of a deployment
//! (`deploy finish`): `approved` stands for the deploy and every approval step but the
//! `external` ones, after which the deployment bakes like any other; another outcome
//! fails it. [`Signals::ci_checked`] marks deployments of stages captain does not deploy,
//! whose checks the CI runs; [`Signals::driven_elsewhere`] the deployments another live
//! loop drives, which a pass leaves alone. [`start_check`] answers a CI's `deploy start`
//! for one environment with the rule of a pass.
//!
//! Each pass moves a stage by one step (an environment advances, or the stage approves,
//! or a promotion starts); the caller applies the decisions in order and calls again
//! until no decision comes back (see [`settle`]). Decisions are applied in order:
//! a `FailDeployment` for an environment comes before the rollback `StartDeployment`
//! that replaces it, so an environment never has two active deployments.
//!
//! [`stage_outlook`] answers `captain next STAGE` (its `waiting` release and status) and
//! `captain gate STAGE` ([`StageOutlook::may_start`]) from the same pass, so the CI mode
//! and `captain run` can never disagree. [`simulate()`] runs the same pass in virtual time.
//!
//! # Building an [`EngineState`] from the ledger
//!
//! - `stages[S].approved`: releases every environment of S has an approved normal
//!   deployment of; `failed`: releases with a normal deployment in S that ended
//!   unapproved (deploy failed, tests failed, alarm fired, rolled back, cancelled) and
//!   that S did not approve; `superseded`: the recorded [`Decision::Supersede`]s;
//!   `working`: the newest release with a normal deployment in S that is neither, if it
//!   is newer than every release S approved or failed.
//! - A store reads each stage from a floor up (see
//!   [`snapshot_floors`](crate::store::run_records::snapshot_floors)): what a stage did
//!   with older releases never changes a decision, so a pass on years of history reads a
//!   few rows per stage. The test harness decides every pass on both and compares.
//! - `environments[E].current`: the current release of SPEC §1; `approved`: releases with
//!   an approved deployment in E; `active`: the deployment in progress, with the phase the
//!   executor last recorded for it.
//!
//! Alarm states are three-valued: ALARM, OK or unknown (no data). Only ALARM fails a
//! release; unknown keeps a bake from approving and keeps a blocker closed.

mod apply;
pub mod approvals;
pub mod simulate;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{AlarmExpr, Pipeline, Stage};
use crate::error::Result;
use crate::model::{DeploymentId, DeploymentKind, Lock, Outcome, ReleaseNumber, Timestamp};

pub use apply::{settle, settle_where};
pub use approvals::{ApprovalProgress, ApprovalRefusal, Involved, may_approve};
pub use simulate::{
    FailureModel, FailureReport, SimulationConfig, SimulationReport, StageKind, simulate,
};

/// What the engine needs from the ledger, as plain data. Missing stages and
/// environments count as empty (nothing deployed yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EngineState {
    /// Every release, in any order (the engine only compares numbers).
    pub releases: Vec<ReleaseNumber>,
    /// Per stage name.
    pub stages: BTreeMap<String, StageLedger>,
    /// Per environment name.
    pub environments: BTreeMap<String, EnvLedger>,
    /// Promotion locks in force.
    pub locks: Vec<Lock>,
    /// Blocker overrides people recorded.
    pub overrides: Vec<BlockerOverride>,
    /// Releases someone asked to expedite (`captain release expedite`), with who approved.
    #[serde(default)]
    pub expedites: Vec<ExpediteRecord>,
}

/// A request to expedite a release, and its approvals so far. Once it has as many as
/// `[expedite]` asks, the release is deployed by the expedited rules ([`expedited`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpediteRecord {
    pub release: ReleaseNumber,
    /// Who asked.
    pub actor: String,
    pub reason: String,
    pub at: Timestamp,
    /// Who approved it, in name order.
    pub approved_by: BTreeSet<String>,
}

/// Is `release` expedited: the pipeline has `[expedite]`, someone asked, and as many
/// distinct people as it asks approved? Only then do its bakes shrink and (unless
/// `keep_windows`) its windows stop holding it — for that release only.
pub fn expedited(state: &EngineState, pipeline: &Pipeline, release: ReleaseNumber) -> bool {
    let Some(rule) = &pipeline.expedite else {
        return false;
    };
    state
        .expedites
        .iter()
        .any(|e| e.release == release && approvals::approved(&rule.approvers, &e.approved_by))
}

/// What a stage did with releases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageLedger {
    /// The release the stage is working on: its deployments started, and the stage has
    /// neither approved nor failed it yet.
    pub working: Option<ReleaseNumber>,
    /// Releases the stage approved (every environment deployed and approved them).
    pub approved: BTreeSet<ReleaseNumber>,
    /// Releases that waited here and were replaced by a newer one; never deployed here.
    pub superseded: BTreeSet<ReleaseNumber>,
    /// Releases that failed here; never deployed here again, unless a person retries one
    /// (`captain retry`).
    pub failed: BTreeSet<ReleaseNumber>,
    /// The working release is a retry of one that failed here: it is deployed again to
    /// every environment of the stage that has not approved it.
    #[serde(default)]
    pub retry: Option<ReleaseNumber>,
}

impl StageLedger {
    /// The newest release the stage approved or failed.
    pub fn newest_decided(&self) -> Option<ReleaseNumber> {
        let approved = self.approved.last().copied();
        approved.max(self.failed.last().copied())
    }

    /// The newest release the stage has taken in any way; nothing at or below it is
    /// ever promoted into the stage again.
    pub fn high_water(&self) -> Option<ReleaseNumber> {
        let newest = |set: &BTreeSet<ReleaseNumber>| set.iter().next_back().copied();
        [
            self.working,
            newest(&self.approved),
            newest(&self.superseded),
            newest(&self.failed),
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

/// What one environment has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnvLedger {
    /// The release running there (SPEC §1's current release).
    pub current: Option<ReleaseNumber>,
    /// Releases deployed and approved there: rollback targets.
    pub approved: BTreeSet<ReleaseNumber>,
    /// The deployment in progress, if any.
    pub active: Option<ActiveDeployment>,
}

/// A deployment in progress and how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActiveDeployment {
    pub id: DeploymentId,
    pub release: ReleaseNumber,
    pub kind: DeploymentKind,
    pub started_at: Timestamp,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// The deploy command runs.
    Deploying,
    /// Approval step `step` (index into the stage's `approvals`); `started` once an
    /// executor was told to run it.
    Verifying { step: usize, started: bool },
    /// Deployed and verified; the rollback alarm is watched since `since`.
    Baking { since: Timestamp },
}

/// A person's "deploy anyway" over a blocker, for a stage or one environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlockerOverride {
    /// A stage name or an environment name.
    pub target: String,
    pub actor: String,
    pub reason: String,
    pub created_at: Timestamp,
    /// In force until then; `None` until a person removes it.
    pub until: Option<Timestamp>,
}

impl BlockerOverride {
    fn in_force(&self, now: Timestamp) -> bool {
        self.created_at <= now && self.until.is_none_or(|until| now < until)
    }
}

/// The state of one named alarm, as observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    Ok,
    Alarm,
    /// No data, or the source could not be asked.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeployResult {
    Succeeded,
    Failed,
    TimedOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepResult {
    Passed,
    Failed,
}

/// What the executors observed since the deployments started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// Alarm name → state; a name missing here is unknown.
    pub alarms: BTreeMap<String, AlarmState>,
    /// Environment → data points of its stage's `min_data_points` query since it began
    /// baking; missing counts as zero.
    pub data_points: BTreeMap<String, u64>,
    /// Finished deploy commands.
    pub deploy_results: BTreeMap<DeploymentId, DeployResult>,
    /// Finished approval steps, by deployment and step index.
    pub step_results: BTreeMap<(DeploymentId, usize), StepResult>,
    /// Who approved each external step so far (`captain approve`), by deployment and step
    /// index: the step passes once as many distinct people as its `approvers` did.
    pub approvals: BTreeMap<(DeploymentId, usize), BTreeSet<String>>,
    /// How an external CI said deployments in progress ended (`captain deploy finish`).
    /// `approved` stands for the deploy and for every approval step but `external` ones
    /// (a person's verdict is still needed for those); the deployment then bakes like any
    /// other. Any other outcome fails the deployment with that outcome.
    pub reported: BTreeMap<DeploymentId, Outcome>,
    /// Deployments an external CI deploys and checks itself (recorded by `deploy start`
    /// into a stage captain does not deploy, driven by no loop): once deployed, their
    /// approval steps other than `external` ones count as passed — the CI ran its checks
    /// before it reported the deployment approved.
    pub ci_checked: BTreeSet<DeploymentId>,
    /// Deployments another driver works on (a live `captain run`): this pass decides
    /// nothing about them unless one is reported, and their stage waits for them.
    pub driven_elsewhere: BTreeSet<DeploymentId>,
}

impl Signals {
    pub fn alarm(&self, name: &str) -> AlarmState {
        self.alarms
            .get(name)
            .copied()
            .unwrap_or(AlarmState::Unknown)
    }
}

/// One thing to do now. Apply in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// `release` waited to enter `stage` and `by` replaced it: record it, never deploy it there.
    Supersede {
        stage: String,
        release: ReleaseNumber,
        by: ReleaseNumber,
    },
    /// Record, then start, a deployment.
    StartDeployment {
        environment: String,
        stage: String,
        release: ReleaseNumber,
        kind: DeploymentKind,
        /// Why (for rollbacks: which failure).
        reason: Option<String>,
        /// The blocker override this start went through, to record with it.
        overridden: Option<BlockerOverride>,
    },
    /// A deployment moves to its next phase (its deploy succeeded, a step passed).
    AdvancePhase {
        deployment: DeploymentId,
        environment: String,
        to: Phase,
    },
    /// Tell an executor to run approval step `step` of the stage for this deployment.
    RunApprovalStep {
        deployment: DeploymentId,
        environment: String,
        step: usize,
        name: String,
    },
    /// Finish a deployment as approved: a normal one passed its steps and bake, or a
    /// rollback finished deploying.
    ApproveEnvironment {
        deployment: DeploymentId,
        environment: String,
        release: ReleaseNumber,
        kind: DeploymentKind,
    },
    /// Finish a deployment unapproved: `deploy failed`, `tests failed`, `alarm fired`,
    /// `rolled back` (the code ran there; a rollback follows) or `cancelled`.
    FailDeployment {
        deployment: DeploymentId,
        environment: String,
        release: ReleaseNumber,
        outcome: Outcome,
    },
    /// Every environment of the stage approved its release.
    ApproveStage {
        stage: String,
        release: ReleaseNumber,
    },
    /// The release failed in the stage; it will not be promoted from or into it again.
    FailStage {
        stage: String,
        release: ReleaseNumber,
        reason: String,
    },
}

/// Why a stage does what it does, as `status`, `next` and `gate` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageOutlook {
    pub stage: String,
    /// The release the stage is working on.
    pub working: Option<ReleaseNumber>,
    /// The newest release offered to the stage and not yet taken.
    pub waiting: Option<ReleaseNumber>,
    pub status: StageStatus,
}

impl StageOutlook {
    /// May a deployment of `waiting` start now? (`captain gate`.)
    pub fn may_start(&self) -> bool {
        matches!(self.status, StageStatus::Starting { .. })
    }
}

/// Data points of one environment during bake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DataPointStatus {
    pub environment: String,
    pub have: u64,
    pub need: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StageStatus {
    /// Deployments of `release` start in this pass, in `environments`.
    Starting {
        release: ReleaseNumber,
        environments: Vec<String>,
        overridden: Option<BlockerOverride>,
    },
    /// This pass finishes something in the stage (an approval, a failure, a phase change).
    Settling { release: Option<ReleaseNumber> },
    Deploying {
        release: ReleaseNumber,
        environments: Vec<String>,
    },
    Verifying {
        release: ReleaseNumber,
        environments: Vec<String>,
        /// The external steps that wait for people: who approved, how many are missing.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        approvals: Vec<ApprovalProgress>,
    },
    Baking {
        release: ReleaseNumber,
        /// When the last environment's bake time ends.
        until: Timestamp,
        /// Environments still short of their data points.
        data_points: Vec<DataPointStatus>,
        /// The rollback alarm's state is unknown, so the bake cannot end.
        alarm_unknown: bool,
    },
    /// Rollback deployments (or other deployments of a failed release) still run.
    Busy { environments: Vec<String> },
    Locked {
        release: ReleaseNumber,
        /// In the shape of every view's locks (`since`, not the ledger's `created_at`).
        #[serde(with = "crate::views::promotions::lock_as_view")]
        #[schemars(with = "crate::views::promotions::LockView")]
        lock: Lock,
    },
    /// A freeze holds the stage (see [`freeze_on`]).
    Frozen {
        release: ReleaseNumber,
        freeze: ActiveFreeze,
    },
    WindowClosed {
        release: ReleaseNumber,
        /// When the window opens next (none within a year).
        #[serde(rename = "opens_at", alias = "next_open")]
        next_open: Option<Timestamp>,
    },
    Blocked {
        release: ReleaseNumber,
        expression: String,
        /// Alarms of the expression in ALARM.
        alarms: Vec<String>,
        /// Alarms of the expression whose state is unknown.
        unknown: Vec<String>,
    },
    /// No release to take.
    Idle,
}

/// A freeze holding a stage now: one of pipeline.toml's `freezes`, or a person's
/// (`captain freeze`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActiveFreeze {
    /// `config` (pipeline.toml) or `command` (`captain freeze`).
    pub source: FreezeSource,
    /// What is frozen: for `captain freeze`, `pipeline` or the stage, environment or wave
    /// named; for pipeline.toml, where the freeze is written (`pipeline`, `[defaults]`, …).
    pub target: String,
    pub reason: String,
    /// Who froze it; none for pipeline.toml's.
    pub by: Option<String>,
    /// When it began.
    pub since: Timestamp,
    /// When it ends; none until a person lifts it (`captain unfreeze`).
    pub until: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FreezeSource {
    Config,
    Command,
}

/// Every freeze holding `stage` at `now`: its `freezes` from pipeline.toml that cover
/// now, and the locks of kind `freeze` in force on the pipeline (`*`), the stage, one of
/// its environments or its wave. The engine's one rule ([`decide`], [`start_check`]) and
/// every view of a freeze read them here.
pub fn freezes_on(locks: &[Lock], stage: &Stage, now: Timestamp) -> Vec<ActiveFreeze> {
    use crate::model::LockTargetKind;
    let config = stage
        .settings
        .freezes
        .iter()
        .filter(|f| f.holds(now))
        .map(|f| ActiveFreeze {
            source: FreezeSource::Config,
            target: f.scope.clone(),
            reason: f.reason.clone(),
            by: None,
            since: f.from,
            until: Some(f.to),
        });
    let commanded = locks
        .iter()
        .filter(|l| l.target_kind == LockTargetKind::Freeze && l.in_force(now))
        .filter(|l| freeze_covers(&l.target, stage))
        .map(|l| ActiveFreeze {
            source: FreezeSource::Command,
            target: if l.target == Lock::PIPELINE_FREEZE {
                "pipeline".to_string()
            } else {
                l.target.clone()
            },
            reason: l.reason.clone(),
            by: Some(l.actor.clone()),
            since: l.created_at,
            until: l.until,
        });
    commanded.chain(config).collect()
}

/// Does a freeze of `target` (`*`, a stage, environment or wave name) hold `stage`?
pub fn freeze_covers(target: &str, stage: &Stage) -> bool {
    target == Lock::PIPELINE_FREEZE
        || target == stage.name
        || stage.wave.as_deref() == Some(target)
        || stage.environments.iter().any(|e| e.name == target)
}

/// The freeze that holds `stage` longest at `now` (one a person must lift first, else
/// the one ending last), if any: what `gate`, `next` and `status` name.
pub fn freeze_on(locks: &[Lock], stage: &Stage, now: Timestamp) -> Option<ActiveFreeze> {
    freezes_on(locks, stage, now)
        .into_iter()
        .max_by_key(|f| f.until.unwrap_or(Timestamp::MAX))
}

/// The result of one pass.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Evaluation {
    pub decisions: Vec<Decision>,
    /// One per stage, in pipeline order.
    pub outlooks: Vec<StageOutlook>,
}

/// One pass of the release captain over a snapshot. Pure: same input, same output.
pub fn decide(
    state: &EngineState,
    pipeline: &Pipeline,
    now: Timestamp,
    signals: &Signals,
) -> Evaluation {
    let mut evaluation = Evaluation::default();
    let empty_stage = StageLedger::default();
    // The environments with a deployment in progress, found once per pass: most have
    // none, and a pass over 160 environments otherwise spends its time comparing names.
    let active: Vec<&str> = state
        .environments
        .iter()
        .filter(|(_, e)| e.active.is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    for (index, stage) in pipeline.stages.iter().enumerate() {
        let ledger = state.stages.get(&stage.name).unwrap_or(&empty_stage);
        let previous = index.checked_sub(1).map(|i| &pipeline.stages[i]);
        let before = evaluation.decisions.len();
        let progress = progress_stage(
            state,
            pipeline,
            stage,
            ledger,
            &active,
            now,
            signals,
            &mut evaluation.decisions,
        );
        let settled = evaluation.decisions.len() > before;
        let outlook = promote(
            state,
            pipeline,
            stage,
            previous,
            ledger,
            now,
            signals,
            progress,
            settled,
            &mut evaluation.decisions,
        );
        evaluation.outlooks.push(outlook);
    }
    evaluation
}

/// The outlook of one stage (`captain next STAGE`, `captain gate STAGE`), or `not found`
/// with a did-you-mean hint.
pub fn stage_outlook(
    state: &EngineState,
    pipeline: &Pipeline,
    now: Timestamp,
    signals: &Signals,
    stage: &str,
) -> Result<StageOutlook> {
    pipeline.require_stage(stage)?;
    let index = pipeline
        .stages
        .iter()
        .position(|s| s.name == stage)
        .unwrap_or_default();
    let evaluation = decide(state, pipeline, now, signals);
    evaluation
        .outlooks
        .into_iter()
        .nth(index)
        .ok_or_else(|| crate::Error::internal(format!("no outlook for stage `{stage}`")))
}

/// Why a normal deployment may not start where an external CI asks (see [`start_check`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum StartRefusal {
    /// Someone blocked the release (`captain release block`): it is never deployed
    /// anywhere, and `--force` does not get past it.
    ReleaseBlocked {
        release: ReleaseNumber,
        lock: Box<Lock>,
    },
    /// A freeze holds the environment's stage: nothing starts there until it ends or is
    /// lifted, and `--force` does not get past it.
    Frozen {
        stage: String,
        release: ReleaseNumber,
        freeze: Box<ActiveFreeze>,
    },
    /// The release failed in the stage; `captain retry` deploys it there again.
    Failed {
        stage: String,
        release: ReleaseNumber,
    },
    /// A newer release replaced it in front of the stage; it is never deployed there.
    Superseded {
        stage: String,
        release: ReleaseNumber,
        by: Option<ReleaseNumber>,
    },
    /// The stage took this release or a newer one already.
    Taken {
        stage: String,
        release: ReleaseNumber,
        newest: ReleaseNumber,
    },
    /// The environment has the release approved already.
    AlreadyThere {
        environment: String,
        release: ReleaseNumber,
    },
    /// The previous stage has not approved it; what that stage is doing about it.
    NotApproved {
        release: ReleaseNumber,
        previous: Box<StageOutlook>,
    },
    /// The stage may not take it now: busy with another release, locked, window closed,
    /// blocker in ALARM.
    Stage(Box<StageOutlook>),
}

/// May a normal deployment of `release` into `environment` start now, as an external CI
/// asks (`captain deploy start`)? The rule of a pass ([`decide`]), applied to one
/// environment: the stage takes the newest release the previous stage approved, when it
/// is not busy with another, through its locks, window and blocker — and an external CI
/// deploys the stage's release one environment at a time, each start checked again.
/// `Ok` carries the blocker override the start goes through.
pub fn start_check(
    state: &EngineState,
    pipeline: &Pipeline,
    now: Timestamp,
    signals: &Signals,
    environment: &str,
    release: ReleaseNumber,
) -> Result<std::result::Result<Option<BlockerOverride>, StartRefusal>> {
    let (stage, _) = pipeline.require_environment(environment)?;
    let index = pipeline
        .stages
        .iter()
        .position(|s| s.name == stage.name)
        .unwrap_or_default();
    let previous = index.checked_sub(1).map(|i| &pipeline.stages[i]);
    let empty = StageLedger::default();
    let ledger = state.stages.get(&stage.name).unwrap_or(&empty);
    let mut outlooks = decide(state, pipeline, now, signals).outlooks;
    let previous_outlook = index.checked_sub(1).map(|i| outlooks[i].clone());
    let outlook = outlooks.swap_remove(index);
    let stage_name = || stage.name.clone();
    if let Some(lock) = release_block(state, release) {
        return Ok(Err(StartRefusal::ReleaseBlocked {
            release,
            lock: Box::new(lock.clone()),
        }));
    }
    if let Some(freeze) = freeze_on(&state.locks, stage, now) {
        return Ok(Err(StartRefusal::Frozen {
            stage: stage_name(),
            release,
            freeze: Box::new(freeze),
        }));
    }
    if ledger.failed.contains(&release) {
        return Ok(Err(StartRefusal::Failed {
            stage: stage_name(),
            release,
        }));
    }
    if ledger.superseded.contains(&release) {
        return Ok(Err(StartRefusal::Superseded {
            stage: stage_name(),
            release,
            by: outlook.waiting.filter(|w| *w > release),
        }));
    }
    if ledger.working == Some(release) {
        let there = state.environments.get(environment);
        if there.is_some_and(|e| e.approved.contains(&release) && e.active.is_none()) {
            return Ok(Err(StartRefusal::AlreadyThere {
                environment: environment.to_string(),
                release,
            }));
        }
        return Ok(
            gate(state, pipeline, stage, previous, now, signals, release).map_err(|status| {
                StartRefusal::Stage(Box::new(StageOutlook {
                    status,
                    ..outlook.clone()
                }))
            }),
        );
    }
    if let Some(newest) = ledger.high_water().filter(|h| release <= *h) {
        return Ok(Err(StartRefusal::Taken {
            stage: stage_name(),
            release,
            newest,
        }));
    }
    let candidates = offered(state, previous, ledger);
    if !candidates.contains(&release) {
        return Ok(match previous_outlook {
            Some(previous) => Err(StartRefusal::NotApproved {
                release,
                previous: Box::new(previous),
            }),
            // The first stage is offered every release: this one is not in the ledger,
            // which the store reports.
            None => Ok(None),
        });
    }
    let newest_unblocked = candidates
        .iter()
        .rev()
        .find(|r| release_block(state, **r).is_none());
    if let Some(newest) = newest_unblocked.filter(|n| **n > release) {
        return Ok(Err(StartRefusal::Superseded {
            stage: stage_name(),
            release,
            by: Some(*newest),
        }));
    }
    Ok(match &outlook.status {
        StageStatus::Starting {
            release: starting,
            overridden,
            ..
        } if *starting == release => Ok(overridden.clone()),
        _ => Err(StartRefusal::Stage(Box::new(outlook))),
    })
}

/// Kleene three-valued evaluation of an alarm expression.
pub fn eval_alarm(expr: &AlarmExpr, signals: &Signals) -> AlarmState {
    use AlarmState::*;
    match expr {
        AlarmExpr::Alarm(name) => signals.alarm(name),
        AlarmExpr::Not(inner) => match eval_alarm(inner, signals) {
            Ok => Alarm,
            Alarm => Ok,
            Unknown => Unknown,
        },
        AlarmExpr::And(a, b) => match (eval_alarm(a, signals), eval_alarm(b, signals)) {
            (Ok, _) | (_, Ok) => Ok,
            (Alarm, Alarm) => Alarm,
            _ => Unknown,
        },
        AlarmExpr::Or(a, b) => match (eval_alarm(a, signals), eval_alarm(b, signals)) {
            (Alarm, _) | (_, Alarm) => Alarm,
            (Ok, Ok) => Ok,
            _ => Unknown,
        },
    }
}

fn add(at: Timestamp, duration: Duration) -> Timestamp {
    // A bake longer than jiff's range never ends rather than panicking.
    at.checked_add(duration).unwrap_or(Timestamp::MAX)
}

/// What the active deployments of a stage look like after step 1 of a pass.
#[derive(Default)]
struct Progress {
    deploying: Vec<String>,
    verifying: Vec<String>,
    /// The external steps of `verifying` deployments that wait for people.
    approvals: Vec<ApprovalProgress>,
    baking: Vec<String>,
    bake_until: Option<Timestamp>,
    short_points: Vec<DataPointStatus>,
    alarm_unknown: bool,
    other: Vec<String>,
    release: Option<ReleaseNumber>,
}

impl Progress {
    fn busy(&self) -> bool {
        !(self.deploying.is_empty()
            && self.verifying.is_empty()
            && self.baking.is_empty()
            && self.other.is_empty())
    }
}

/// Step 1–3 of a pass for one stage: move active deployments on, fail or approve.
/// `active`: the environments with a deployment in progress.
#[allow(clippy::too_many_arguments)]
fn progress_stage(
    state: &EngineState,
    pipeline: &Pipeline,
    stage: &Stage,
    ledger: &StageLedger,
    active: &[&str],
    now: Timestamp,
    signals: &Signals,
    out: &mut Vec<Decision>,
) -> Progress {
    let settings = &stage.settings;
    let alarm = settings
        .rollback_alarm
        .as_ref()
        .map_or(AlarmState::Ok, |e| eval_alarm(e, signals));
    let mut progress = Progress::default();
    // Failures found in this pass: environment → (deployment, release, outcome).
    let mut failures: BTreeMap<&str, (DeploymentId, ReleaseNumber, Outcome)> = BTreeMap::new();

    for env in &stage.environments {
        if !active.contains(&env.name.as_str()) {
            continue;
        }
        let Some(ledger_env) = state.environments.get(&env.name) else {
            continue;
        };
        let Some(active) = &ledger_env.active else {
            continue;
        };
        let id = &active.id;
        let reported = signals.reported.get(id).copied();
        // Another driver decides about its own deployments; a report is for everyone.
        let hands_off = reported.is_none() && signals.driven_elsewhere.contains(id);
        let deployed = signals.deploy_results.get(id).copied().or(match reported {
            Some(Outcome::Approved) => Some(DeployResult::Succeeded),
            Some(Outcome::InProgress) | None => None,
            Some(_) => Some(DeployResult::Failed),
        });
        if active.kind == DeploymentKind::Rollback {
            match deployed {
                _ if hands_off => progress.other.push(env.name.clone()),
                Some(DeployResult::Succeeded) => out.push(Decision::ApproveEnvironment {
                    deployment: id.clone(),
                    environment: env.name.clone(),
                    release: active.release,
                    kind: DeploymentKind::Rollback,
                }),
                Some(DeployResult::Failed | DeployResult::TimedOut) => {
                    out.push(Decision::FailDeployment {
                        deployment: id.clone(),
                        environment: env.name.clone(),
                        release: active.release,
                        outcome: Outcome::DeployFailed,
                    })
                }
                None => progress.other.push(env.name.clone()),
            }
            continue;
        }
        progress.release = Some(active.release);
        if !hands_off
            && let Some(outcome) = reported.filter(|o| *o != Outcome::Approved && o.is_finished())
        {
            failures.insert(&env.name, (id.clone(), active.release, outcome));
            continue;
        }
        if alarm == AlarmState::Alarm && !hands_off {
            failures.insert(&env.name, (id.clone(), active.release, Outcome::AlarmFired));
            continue;
        }
        // The CI ran the checks it reported, or runs them for every deployment it makes.
        let skip = StepSkip {
            ci_checked: reported == Some(Outcome::Approved) || signals.ci_checked.contains(id),
        };
        match active.phase {
            Phase::Deploying => match deployed {
                _ if hands_off => progress.deploying.push(env.name.clone()),
                Some(DeployResult::Succeeded) => out.push(Decision::AdvancePhase {
                    deployment: id.clone(),
                    environment: env.name.clone(),
                    to: after_step(&settings.approvals, 0, now, skip),
                }),
                Some(DeployResult::Failed | DeployResult::TimedOut) => {
                    failures.insert(
                        &env.name,
                        (id.clone(), active.release, Outcome::DeployFailed),
                    );
                }
                None => progress.deploying.push(env.name.clone()),
            },
            Phase::Verifying { step, .. } if hands_off => {
                progress.verifying.push(env.name.clone());
                progress.approvals.extend(waiting_for_people(
                    &settings.approvals,
                    &env.name,
                    id,
                    step,
                    signals,
                ));
            }
            Phase::Verifying { step, started } => {
                if step >= settings.approvals.len() || skip.skips(&settings.approvals[step]) {
                    // The pipeline lost steps since this started, or the CI ran this one.
                    out.push(Decision::AdvancePhase {
                        deployment: id.clone(),
                        environment: env.name.clone(),
                        to: after_step(&settings.approvals, step + 1, now, skip),
                    });
                } else if !started {
                    out.push(Decision::RunApprovalStep {
                        deployment: id.clone(),
                        environment: env.name.clone(),
                        step,
                        name: settings.approvals[step].name.clone(),
                    });
                } else {
                    let key = (id.clone(), step);
                    let result = signals.step_results.get(&key).copied().or_else(|| {
                        let crate::config::ApprovalKind::External(rule) =
                            &settings.approvals[step].kind
                        else {
                            return None;
                        };
                        let people = signals.approvals.get(&key)?;
                        approvals::approved(rule, people).then_some(StepResult::Passed)
                    });
                    match result {
                        Some(StepResult::Passed) => out.push(Decision::AdvancePhase {
                            deployment: id.clone(),
                            environment: env.name.clone(),
                            to: after_step(&settings.approvals, step + 1, now, skip),
                        }),
                        Some(StepResult::Failed) => {
                            failures.insert(
                                &env.name,
                                (id.clone(), active.release, Outcome::TestsFailed),
                            );
                        }
                        None => {
                            progress.verifying.push(env.name.clone());
                            progress.approvals.extend(waiting_for_people(
                                &settings.approvals,
                                &env.name,
                                id,
                                step,
                                signals,
                            ));
                        }
                    }
                }
            }
            Phase::Baking { since } => {
                // On a wave's last stage the wave's own bake follows the stage's.
                // An expedited release bakes by `[expedite]`.
                let expedite = expedited(state, pipeline, active.release);
                let until = add(since, pipeline.bake_time(stage, expedite));
                let need = settings.min_data_points.as_ref().map_or(0, |d| d.count);
                let have = signals.data_points.get(&env.name).copied().unwrap_or(0);
                if !hands_off && now >= until && have >= need && alarm == AlarmState::Ok {
                    out.push(Decision::ApproveEnvironment {
                        deployment: id.clone(),
                        environment: env.name.clone(),
                        release: active.release,
                        kind: DeploymentKind::Normal,
                    });
                } else {
                    progress.baking.push(env.name.clone());
                    progress.bake_until = progress.bake_until.max(Some(until));
                    if have < need {
                        progress.short_points.push(DataPointStatus {
                            environment: env.name.clone(),
                            have,
                            need,
                        });
                    }
                    progress.alarm_unknown |= alarm == AlarmState::Unknown;
                }
            }
        }
    }

    if let Some((_, release, outcome)) = failures.values().next().cloned() {
        fail_stage(state, stage, ledger, release, outcome, &failures, out);
        return progress;
    }

    // Stage approval: every environment approved the working release, none busy.
    if let Some(release) = ledger.working
        && !progress.busy()
        && out.is_empty_for(stage)
    {
        let approved = |env: &crate::config::Environment| {
            state
                .environments
                .get(&env.name)
                .is_some_and(|e| e.approved.contains(&release))
        };
        // An environment still without it is deployed by promotion (an external CI
        // deploys a stage environment by environment; a retry deploys it again where it
        // failed; an environment added to the pipeline gets it too).
        if stage.environments.iter().all(approved) {
            out.push(Decision::ApproveStage {
                stage: stage.name.clone(),
                release,
            });
        }
    }
    progress
}

/// How far the approvals of step `step` are, when it is an external step people approve.
fn waiting_for_people(
    steps: &[crate::config::ApprovalStep],
    environment: &str,
    deployment: &DeploymentId,
    step: usize,
    signals: &Signals,
) -> Option<ApprovalProgress> {
    let approval = steps.get(step)?;
    let crate::config::ApprovalKind::External(rule) = &approval.kind else {
        return None;
    };
    let empty = BTreeSet::new();
    let people = signals
        .approvals
        .get(&(deployment.clone(), step))
        .unwrap_or(&empty);
    Some(ApprovalProgress::new(
        environment,
        deployment,
        &approval.name,
        rule,
        people,
    ))
}

/// Which approval steps a deployment skips.
#[derive(Clone, Copy)]
struct StepSkip {
    /// An external CI ran the checks: only `external` steps (a person's verdict) remain.
    ci_checked: bool,
}

impl StepSkip {
    fn skips(self, step: &crate::config::ApprovalStep) -> bool {
        self.ci_checked && !matches!(step.kind, crate::config::ApprovalKind::External(_))
    }
}

/// The phase after approval step `next` (or the deploy, for `next == 0`): the first step
/// from `next` on that is not skipped, else the bake.
fn after_step(
    steps: &[crate::config::ApprovalStep],
    next: usize,
    now: Timestamp,
    skip: StepSkip,
) -> Phase {
    match (next..steps.len()).find(|&i| !skip.skips(&steps[i])) {
        Some(step) => Phase::Verifying {
            step,
            started: false,
        },
        None => Phase::Baking { since: now },
    }
}

/// Decisions emitted so far this pass that concern `stage`'s environments (used so a
/// stage does one step per pass).
trait StageDecisions {
    fn is_empty_for(&self, stage: &Stage) -> bool;
}

impl StageDecisions for Vec<Decision> {
    fn is_empty_for(&self, stage: &Stage) -> bool {
        !self.iter().any(|d| match d {
            Decision::AdvancePhase { environment, .. }
            | Decision::RunApprovalStep { environment, .. }
            | Decision::ApproveEnvironment { environment, .. }
            | Decision::FailDeployment { environment, .. }
            | Decision::StartDeployment { environment, .. } => {
                stage.environments.iter().any(|e| &e.name == environment)
            }
            Decision::ApproveStage { stage: s, .. }
            | Decision::FailStage { stage: s, .. }
            | Decision::Supersede { stage: s, .. } => s == &stage.name,
        })
    }
}

/// The release failed in the stage: end its deployments and, with auto-rollback, put
/// every environment that failed, was cut short or already got it back on the newest
/// release it had approved before.
fn fail_stage(
    state: &EngineState,
    stage: &Stage,
    ledger: &StageLedger,
    release: ReleaseNumber,
    first_outcome: Outcome,
    failures: &BTreeMap<&str, (DeploymentId, ReleaseNumber, Outcome)>,
    out: &mut Vec<Decision>,
) {
    let auto = stage.settings.auto_rollback;
    let mut rollback: Vec<&str> = Vec::new();
    for env in &stage.environments {
        let Some(ledger_env) = state.environments.get(&env.name) else {
            continue;
        };
        if let Some((id, failed_release, outcome)) = failures.get(env.name.as_str()) {
            out.push(Decision::FailDeployment {
                deployment: id.clone(),
                environment: env.name.clone(),
                release: *failed_release,
                outcome: *outcome,
            });
            rollback.push(&env.name);
            continue;
        }
        match &ledger_env.active {
            Some(active) if active.kind == DeploymentKind::Normal && active.release == release => {
                if auto {
                    let outcome = if active.phase == Phase::Deploying {
                        Outcome::Cancelled
                    } else {
                        Outcome::RolledBack
                    };
                    out.push(Decision::FailDeployment {
                        deployment: active.id.clone(),
                        environment: env.name.clone(),
                        release,
                        outcome,
                    });
                    rollback.push(&env.name);
                }
            }
            Some(_) => {}
            None => {
                if ledger_env.current == Some(release) {
                    rollback.push(&env.name);
                }
            }
        }
    }
    if !ledger.failed.contains(&release) {
        out.push(Decision::FailStage {
            stage: stage.name.clone(),
            release,
            reason: first_outcome.as_str().to_string(),
        });
    }
    if !auto {
        return;
    }
    for name in rollback {
        let Some(ledger_env) = state.environments.get(name) else {
            continue;
        };
        let target = ledger_env
            .approved
            .range(..release)
            .rev()
            .find(|r| release_block(state, **r).is_none())
            .copied();
        if let Some(target) = target {
            out.push(Decision::StartDeployment {
                environment: name.to_string(),
                stage: stage.name.clone(),
                release: target,
                kind: DeploymentKind::Rollback,
                reason: Some(format!(
                    "{release} failed in stage {} ({first_outcome})",
                    stage.name
                )),
                overridden: None,
            });
        }
    }
}

/// The releases offered to `stage` and not taken yet, oldest first: for the first stage
/// every release, for the others those the previous stage approved — only releases newer
/// than anything the stage took, so releases only move forward.
fn offered(
    state: &EngineState,
    previous: Option<&Stage>,
    ledger: &StageLedger,
) -> Vec<ReleaseNumber> {
    let high_water = ledger.high_water();
    // Only releases newer than the high-water mark count; ranges keep a pass cheap when
    // stages have approved thousands of releases.
    let newer = |r: &ReleaseNumber| high_water.is_none_or(|h| *r > h);
    let mut candidates: Vec<ReleaseNumber> = match previous {
        None => state.releases.iter().copied().filter(newer).collect(),
        Some(p) => match (state.stages.get(&p.name), high_water) {
            (None, _) => Vec::new(),
            (Some(l), None) => l.approved.iter().copied().collect(),
            (Some(l), Some(h)) => l
                .approved
                .range((std::ops::Bound::Excluded(h), std::ops::Bound::Unbounded))
                .copied()
                .collect(),
        },
    };
    candidates.sort();
    candidates.dedup();
    candidates
}

/// What may stop a normal deployment of `release` from starting in `stage` now: a lock
/// (into the stage or one of its environments, out of the previous stage or one of
/// its), the window, or the blocker (unless an override is in force). `Ok` carries the
/// override a start goes through.
// The refusal is the stage's status as shown, built once per stage and pass.
#[allow(clippy::result_large_err)]
fn gate(
    state: &EngineState,
    pipeline: &Pipeline,
    stage: &Stage,
    previous: Option<&Stage>,
    now: Timestamp,
    signals: &Signals,
    release: ReleaseNumber,
) -> std::result::Result<Option<BlockerOverride>, StageStatus> {
    if let Some(lock) = release_block(state, release) {
        return Err(StageStatus::Locked {
            release,
            lock: lock.clone(),
        });
    }
    let out_lock = previous.and_then(|p| find_lock(state, p, false));
    if let Some(lock) = find_lock(state, stage, true).or(out_lock) {
        return Err(StageStatus::Locked {
            release,
            lock: lock.clone(),
        });
    }
    if let Some(freeze) = freeze_on(&state.locks, stage, now) {
        return Err(StageStatus::Frozen { release, freeze });
    }
    // An expedited release passes closed windows when `[expedite]` does not keep them.
    let past_windows = pipeline.expedite.as_ref().is_some_and(|e| !e.keep_windows)
        && expedited(state, pipeline, release);
    if let Some(window) = &stage.settings.window
        && !window.allows(now)
        && !past_windows
    {
        return Err(StageStatus::WindowClosed {
            release,
            next_open: window.next_open(now),
        });
    }
    let Some(blocker) = &stage.settings.blocker else {
        return Ok(None);
    };
    if eval_alarm(blocker, signals) == AlarmState::Ok {
        return Ok(None);
    }
    let active_override = state.overrides.iter().find(|o| {
        o.in_force(now)
            && (o.target == stage.name || stage.environments.iter().any(|e| e.name == o.target))
    });
    if let Some(o) = active_override {
        return Ok(Some(o.clone()));
    }
    let names = blocker.names();
    let of = |s: AlarmState| -> Vec<String> {
        names
            .iter()
            .filter(|n| signals.alarm(n) == s)
            .map(|n| n.to_string())
            .collect()
    };
    Err(StageStatus::Blocked {
        release,
        expression: blocker.to_string(),
        alarms: of(AlarmState::Alarm),
        unknown: of(AlarmState::Unknown),
    })
}

/// The environments of `stage` that the working `release` has still to reach: those that
/// have not approved it and have nothing in progress. An external CI deploys a stage one
/// environment at a time; a retry deploys the release again where it failed.
fn missing_environments<'s>(
    state: &EngineState,
    stage: &'s Stage,
    release: ReleaseNumber,
) -> Vec<&'s crate::config::Environment> {
    stage
        .environments
        .iter()
        .filter(|e| {
            state
                .environments
                .get(&e.name)
                .is_none_or(|l| l.active.is_none() && !l.approved.contains(&release))
        })
        .collect()
}

/// Step 4 of a pass for one stage: superseding and promotion, and the stage's outlook.
#[allow(clippy::too_many_arguments)]
fn promote(
    state: &EngineState,
    pipeline: &Pipeline,
    stage: &Stage,
    previous: Option<&Stage>,
    ledger: &StageLedger,
    now: Timestamp,
    signals: &Signals,
    progress: Progress,
    settled: bool,
    out: &mut Vec<Decision>,
) -> StageOutlook {
    let candidates = offered(state, previous, ledger);
    // A blocked release is never promoted: the newest release not blocked waits, and a
    // blocked one waiting in front of the stage is dropped.
    let waiting = candidates
        .iter()
        .rev()
        .find(|r| release_block(state, **r).is_none())
        .copied();
    let blocked_newest = candidates
        .last()
        .filter(|r| Some(**r) != waiting)
        .and_then(|r| release_block(state, *r).map(|lock| (*r, lock)));

    let mut outlook = StageOutlook {
        stage: stage.name.clone(),
        working: ledger.working,
        waiting,
        status: StageStatus::Idle,
    };

    // Offered releases older than the newest are superseded here, unless the previous
    // stage is locked outbound (then nothing is offered yet).
    let out_locked = previous.is_some_and(|p| find_lock(state, p, false).is_some());
    if !out_locked && let Some(newest) = waiting {
        for release in candidates.iter().filter(|r| **r < newest) {
            if !ledger.superseded.contains(release) {
                out.push(Decision::Supersede {
                    stage: stage.name.clone(),
                    release: *release,
                    by: newest,
                });
            }
        }
    }

    // The working release goes to the environments still without it, as a promotion
    // would (see `missing_environments`).
    // A blocked working release goes nowhere more; the stage may take a newer one once
    // its deployments in progress are over.
    let working = ledger
        .working
        .filter(|r| release_block(state, *r).is_none());
    let working_block = ledger
        .working
        .and_then(|r| release_block(state, r).map(|lock| (r, lock)));
    let (release, targets, reason) = match working {
        // The other environments may still deploy, verify or bake it; only rollbacks
        // (or a release another driver works on) hold the stage.
        Some(release) if progress.other.is_empty() && !settled => {
            let targets = missing_environments(state, stage, release);
            if targets.is_empty() {
                outlook.status = busy_status(ledger, progress, settled);
                return outlook;
            }
            let reason = (ledger.retry == Some(release)).then(|| format!("retry of {release}"));
            (release, targets, reason)
        }
        _ => {
            let busy = working.is_some() || progress.busy() || settled;
            if busy {
                outlook.status = busy_status(ledger, progress, settled);
                return outlook;
            }
            let Some(release) = waiting else {
                // Say why nothing moves when a blocked release is what would.
                if let Some((release, lock)) = blocked_newest.or(working_block) {
                    outlook.status = StageStatus::Locked {
                        release,
                        lock: lock.clone(),
                    };
                }
                return outlook;
            };
            (release, stage.environments.iter().collect(), None)
        }
    };
    let overridden = match gate(state, pipeline, stage, previous, now, signals, release) {
        Ok(overridden) => overridden,
        Err(status) => {
            outlook.status = status;
            return outlook;
        }
    };
    let environments = targets.iter().map(|e| e.name.clone()).collect();
    for env in targets {
        out.push(Decision::StartDeployment {
            environment: env.name.clone(),
            stage: stage.name.clone(),
            release,
            kind: DeploymentKind::Normal,
            reason: reason.clone(),
            overridden: overridden.clone(),
        });
    }
    outlook.status = StageStatus::Starting {
        release,
        environments,
        overridden,
    };
    outlook
}

fn busy_status(ledger: &StageLedger, progress: Progress, settled: bool) -> StageStatus {
    let release = ledger.working.or(progress.release);
    if settled {
        return StageStatus::Settling { release };
    }
    match release {
        Some(release) if !progress.deploying.is_empty() => StageStatus::Deploying {
            release,
            environments: progress.deploying,
        },
        Some(release) if !progress.verifying.is_empty() => StageStatus::Verifying {
            release,
            environments: progress.verifying,
            approvals: progress.approvals,
        },
        Some(release) if !progress.baking.is_empty() => StageStatus::Baking {
            release,
            until: progress.bake_until.unwrap_or(Timestamp::MAX),
            data_points: progress.short_points,
            alarm_unknown: progress.alarm_unknown,
        },
        _ => StageStatus::Busy {
            environments: progress.other,
        },
    }
}

/// A lock on `stage` or one of its environments that blocks promotion into it
/// (`inbound`) or out of it.
fn find_lock<'a>(state: &'a EngineState, stage: &Stage, inbound: bool) -> Option<&'a Lock> {
    use crate::model::LockTargetKind;
    state.locks.iter().find(|lock| {
        let blocks = if inbound {
            lock.direction.blocks_in()
        } else {
            lock.direction.blocks_out()
        };
        blocks
            && match lock.target_kind {
                LockTargetKind::Stage => lock.target == stage.name,
                LockTargetKind::Environment => {
                    stage.environments.iter().any(|e| e.name == lock.target)
                }
                LockTargetKind::Release | LockTargetKind::Freeze => false,
            }
    })
}

/// The block on `release` (`captain release block`), if it has one: a lock on the
/// release itself, in force everywhere. Nothing gets past it, not even `--force`.
pub fn release_block(state: &EngineState, release: ReleaseNumber) -> Option<&Lock> {
    use crate::model::LockTargetKind;
    state
        .locks
        .iter()
        .find(|lock| lock.target_kind == LockTargetKind::Release && lock.is_on_release(release))
}

#[cfg(test)]
mod approval_scenarios;
#[cfg(test)]
mod block_scenarios;
#[cfg(test)]
mod ci_scenarios;
#[cfg(test)]
mod expedite_scenarios;
#[cfg(test)]
mod freeze_scenarios;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod scenarios;

//! The ledger behind one trait.
//!
//! [`Store`] speaks in whole operations ("record this release with its commits and
//! dependency snapshot", "start this deployment if the previous stage approved it"), so
//! that an HTTP client makes one request per command and every backend can do each
//! operation in one transaction. Backends: [`sqlite`] (the embedded default) and
//! [`postgres`] (the team server's); the HTTP client comes later. All pass the same test story
//! (`tests/e2e/store_story.rs`).
//!
//! A store is opened for one pipeline. It never reads a clock: callers pass times in.
//! It never talks to git: callers compute commit lists and snapshots.

pub mod checks;
pub mod export;
pub mod http;
pub mod location;
pub mod postgres;
pub mod ranges;
pub mod run_records;
pub mod sqlite;
pub mod wire;

use std::time::Duration;

use crate::error::Result;
use crate::model::*;

pub use export::{ImportMode, ImportSummary, LedgerRecord};
pub use run_records::{
    ActiveRecord, BlockerSeen, Claim, DecisionBatch, EngineSnapshot, ExpediteEvent, ProcessRecord,
    RetryRequest, RunnerId, StageRecord, StageRecordKind, StageScope, StepVerdict,
};

/// Filters for `release list`.
#[derive(Clone, Debug, Default)]
pub struct ReleaseFilter {
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

/// Filters for `history`.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    pub limit: Option<usize>,
    /// Only deployments started at or after this time.
    pub since: Option<Timestamp>,
}

/// Filters for `audit`.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub limit: Option<usize>,
    pub target: Option<String>,
    pub actor: Option<String>,
}

/// What `promotions enable` hands to the store: lift the lock on `target` in `direction`
/// (`Both` lifts every lock on it; `In` on a `Both` lock leaves it locked `Out`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Unlock {
    pub target_kind: LockTargetKind,
    pub target: String,
    pub direction: LockDirection,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// One environment of a rollback (see [`Store::start_rollback`]): what to put back, and
/// what the preview saw there, so a change made since is caught (optimistic concurrency).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RollbackTarget {
    pub environment: String,
    pub stage: String,
    /// The older release to redeploy (its recorded artifacts, exactly).
    pub release: ReleaseNumber,
    /// The deployment that set the environment's current release when the preview was made.
    pub expected_current: Option<DeploymentId>,
    /// The deployment in progress there when the preview was made (it will be cancelled).
    pub expected_in_progress: Option<DeploymentId>,
}

/// What `rollback` hands to the store: every environment at once, all or nothing.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct NewRollback {
    /// At least one.
    #[schemars(length(min = 1))]
    pub environments: Vec<RollbackTarget>,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// A `[[notify]]` target's delivery state (`captain notify status`).
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct NotifyState {
    pub target: String,
    /// The last event delivered (or passed over: not wanted, or parked).
    pub cursor: EventCursor,
    /// Failed deliveries of the next event so far.
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// An event a target gave up on after too many failed deliveries.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ParkedEvent {
    pub target: String,
    pub seq: i64,
    pub cursor: EventCursor,
    pub attempts: u32,
    pub error: String,
    pub parked_at: Timestamp,
}

/// What became of a target's next events (see [`Store::record_delivery`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered, or not wanted: the cursor moves to `to`.
    Passed,
    /// The event after `from` failed once more; the cursor stays.
    Failed { error: String },
    /// The event at `to` failed its last attempt: parked, and the cursor moves past it.
    Parked { error: String, at: Timestamp },
}

/// One change of a target's delivery state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryUpdate {
    pub target: String,
    /// Where the deliverer found the cursor: the change applies only if it is still there.
    pub from: EventCursor,
    pub to: EventCursor,
    pub outcome: Delivery,
}

/// One captured line of a deployment's output (`captain logs`).
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct LogLine {
    pub at: Timestamp,
    /// `stdout`, `stderr`, or `captain` for captain's own notes.
    pub stream: String,
    pub text: String,
}

/// The ledger: releases, the commits each introduced, artifacts, dependency snapshots,
/// deployments, locks and audit events.
pub trait Store: Send + Sync {
    /// A short description of where the ledger lives (a path or a URL), for `captain config`.
    fn location(&self) -> String;

    /// The API token this store acts with, on a team server (its name and role); `None`
    /// for a ledger opened directly, which whoever may open it may change. Lets a command
    /// refuse at once what the server would refuse only at its end (see
    /// [`crate::ops::require_role`]).
    fn token(&self) -> Result<Option<crate::server::auth::TokenInfo>> {
        Ok(None)
    }

    /// Records a release, or returns the existing one for the same commit and artifacts
    /// (`created: false`). A different artifact set for an existing commit is a conflict.
    /// The store assigns the next number atomically. Writes a `release.create` audit event.
    fn create_release(&self, release: NewRelease) -> Result<CreatedRelease>;

    /// One release, or `None`.
    fn release(&self, number: ReleaseNumber) -> Result<Option<Release>>;

    /// The releases of `numbers` that exist, in no particular order: one read where a
    /// loop of [`Store::release`] is a transaction each (a round trip each on PostgreSQL).
    fn releases_numbered(&self, numbers: &[ReleaseNumber]) -> Result<Vec<Release>> {
        let mut found = Vec::with_capacity(numbers.len());
        for number in numbers {
            found.extend(self.release(*number)?);
        }
        Ok(found)
    }

    /// The release built from exactly this commit (full sha), if any.
    fn release_by_commit(&self, commit: &str) -> Result<Option<Release>>;

    /// Releases, newest first.
    fn releases(&self, filter: &ReleaseFilter) -> Result<Vec<Release>>;

    /// The commits a release introduced, newest first.
    fn release_commits(&self, number: ReleaseNumber) -> Result<Vec<CommitInfo>>;

    /// The dependency snapshot recorded with a release.
    fn release_dependencies(&self, number: ReleaseNumber) -> Result<DependencySnapshot>;

    /// Starts a deployment after checking, in the same transaction: the release exists; the
    /// environment has no deployment in progress (conflict); for a normal deployment
    /// without `force`, the promotion check (previous stage approved it; no lock into the
    /// environment or its stage, none out of the previous stage or its environments) and
    /// that the release is not older than the environment's current one. Writes a
    /// `deployment.start` audit event. The store picks the id.
    fn start_deployment(&self, deployment: NewDeployment) -> Result<Deployment>;

    /// Starts a rollback of several environments in one transaction: all or nothing. For
    /// each environment, in order: the deployment that set its current release and the one
    /// in progress must still be those the preview saw (else a conflict naming who changed
    /// what first); a rollback already in progress there is a conflict; a normal deployment
    /// in progress is finished as `cancelled`; promotions into and out of the environment
    /// are disabled (a lock in both directions, with the actor and a reason naming the
    /// rollback — an existing lock in both directions is kept as it is); and a deployment
    /// of kind `rollback` of the older release is started, with no promotion checks.
    /// Writes `deployment.finish`, `lock.set`, `deployment.start` and `rollback.start`
    /// audit events. Returns the started deployments in the order asked.
    fn start_rollback(&self, rollback: NewRollback) -> Result<Vec<Deployment>>;

    /// Finishes a deployment. Finishing it again with the same outcome returns it
    /// unchanged; with another outcome it is a conflict. Writes a `deployment.finish` event.
    fn finish_deployment(&self, finish: FinishDeployment) -> Result<Deployment>;

    /// One deployment by id.
    fn deployment(&self, id: &DeploymentId) -> Result<Option<Deployment>>;

    /// Deployment history of one environment, newest first, with the commits each brought.
    fn history(&self, environment: &str, filter: &HistoryFilter) -> Result<Vec<HistoryEntry>>;

    /// What `captain metrics` reads for the window `[since, until]` (see
    /// [`crate::views::metrics::MetricInputs`]): the deployments started in it, each
    /// environment's current release when it began, and the releases in between with
    /// their commit times.
    fn metric_inputs(
        &self,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<crate::views::metrics::MetricInputs>;

    /// Totals of the whole ledger: deployments by stage, kind and outcome with their
    /// durations, and lock changes (see [`LedgerCounts`]).
    fn ledger_counts(&self) -> Result<LedgerCounts>;

    /// What the ledger knows of each of these environments, in the same order.
    fn environment_states(&self, environments: &[String]) -> Result<Vec<EnvironmentState>>;

    /// Where a commit is. `commit` is a full sha or a unique prefix of a recorded commit;
    /// `environments` are the pipeline's, in pipeline order.
    fn locate_commit(&self, commit: &str, environments: &[String]) -> Result<CommitLocation>;

    /// Has every one of `environments` an approved deployment of `release`?
    fn stage_approved(&self, release: ReleaseNumber, environments: &[String]) -> Result<bool>;

    /// Batch form of `stage_approved`, one answer per check (one request for a remote
    /// store). An empty environment list counts as approved.
    fn stages_approved(&self, checks: &[(ReleaseNumber, Vec<String>)]) -> Result<Vec<bool>> {
        checks
            .iter()
            .map(|(release, environments)| {
                if environments.is_empty() {
                    Ok(true)
                } else {
                    self.stage_approved(*release, environments)
                }
            })
            .collect()
    }

    /// Every lock in force.
    fn locks(&self) -> Result<Vec<Lock>>;

    /// Disables promotions into and/or out of a stage or environment. Setting a lock that
    /// is already there replaces its actor, reason and time. Writes a `lock.set` event.
    fn set_lock(&self, lock: Lock) -> Result<()>;

    /// Lifts a lock (see [`Unlock`]). Returns whether anything was lifted: lifting a lock
    /// that is not there is not an error, so runbooks can repeat it. Writes a
    /// `lock.remove` event when something was lifted.
    fn remove_lock(&self, unlock: Unlock) -> Result<bool>;

    /// Appends captured output to a deployment's log (not found if there is no such
    /// deployment). Not an audit event: output is not a change of state.
    fn append_log(&self, id: &DeploymentId, lines: &[LogLine]) -> Result<()>;

    /// A deployment's captured output, oldest first.
    fn deployment_log(&self, id: &DeploymentId) -> Result<Vec<LogLine>>;

    /// Everything the engine needs for these stages (pipeline order), in one consistent
    /// read (see the engine's module doc for how each field is built): releases; per stage
    /// the approved, failed and superseded releases (recorded by the loop, and derived from
    /// deployments recorded by an external CI) and the one it works on; per environment the
    /// current release, the approved ones and the deployment in progress with its phase;
    /// locks; overrides not expired at `at`; and each active deployment's owner, process
    /// and external step results.
    fn engine_snapshot(&self, stages: &[StageScope], at: Timestamp) -> Result<EngineSnapshot>;

    /// Applies one pass's decisions in one transaction, all or nothing, and returns the
    /// deployments started, in order. Refuses (conflict) a batch made on a stale snapshot:
    /// a start into an environment that meanwhile got a deployment, a normal start of a
    /// release the environment already had started (or anything newer), or that the stage
    /// has failed or superseded; finishing, advancing or running a step of a deployment
    /// that is no longer in progress; running a step that already runs; a stage record
    /// contradicting one already there. Locks are checked as `start_deployment` does.
    /// New deployments and steps are owned by `batch.runner`. Writes audit events.
    /// Answers with the deployments it started and finished, as recorded.
    fn apply_decisions(&self, batch: DecisionBatch) -> Result<Applied>;

    /// Records the process a runner started for a deployment (its deploy command or the
    /// approval step it runs). A conflict if the deployment is not in progress or is owned
    /// by another runner.
    fn record_process(
        &self,
        deployment: &DeploymentId,
        runner: &RunnerId,
        process: ProcessRecord,
    ) -> Result<()>;

    /// Takes over deployments in progress for `runner` — or, with `None`, hands them to
    /// whoever drives next (a `captain run --once` that ends cleanly): each whose owner is
    /// still the expected one. An approval step that was running is marked not started
    /// (it runs again) and the recorded process is forgotten. Returns the ids taken over.
    fn claim_deployments(
        &self,
        runner: Option<&RunnerId>,
        claims: &[Claim],
    ) -> Result<Vec<DeploymentId>>;

    /// Records a blocker override (a person's "deploy anyway", with a reason). Writes a
    /// `blocker.override` audit event.
    fn record_override(&self, record: run_records::OverrideRecord) -> Result<()>;

    /// Records a verdict on an external approval step of a deployment in progress (not
    /// found / conflict otherwise). An approval is one person's (the step passes once as
    /// many distinct people as it needs approved it): a second by the same person, or one
    /// after a rejection, is a conflict. A rejection fails the step; the same again is a
    /// no-op, one after an approval recorded by an older captain a conflict. Writes a
    /// `step.approve` (with the count so far) or `step.reject` audit event.
    fn record_step_result(&self, verdict: StepVerdict) -> Result<()>;

    /// Records a request to expedite a release (refused when the release does not exist
    /// or someone asked already) or one person's approval of it (refused without a
    /// request, or a second time by the same person). Writes a `release.expedite` or
    /// `release.expedite.approve` audit event (with the count so far).
    fn record_expedite(&self, event: ExpediteEvent) -> Result<()>;

    /// Retries a release that failed in a stage (`captain retry`): records it as
    /// `retried` there, in place of its failure, so the engine deploys it again to the
    /// stage's environments that have not approved it. Refused (blocked) unless it failed
    /// there and the stage took nothing newer; a repeat is answered as recorded. Writes
    /// a `stage.retried` audit event.
    fn retry_release(&self, retry: RetryRequest) -> Result<StageRecord>;

    /// The newest `limit` stage records of each of these stages, newest release first.
    fn stage_records(&self, stages: &[String], limit: usize) -> Result<Vec<StageRecord>>;

    /// The recorded phase of deployments in progress (for `status`), in the order asked;
    /// `None` for one that is not in progress or has no recorded phase.
    fn deployment_phases(&self, ids: &[DeploymentId]) -> Result<Vec<Option<ActiveRecord>>>;

    /// Audit events, newest first.
    fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>>;

    /// The event log (the audit events) after `after`, oldest first, at most `limit`: only
    /// events no transaction still running can precede (see [`EventCursor`]), so a
    /// reader that moves its cursor to the last event it got never skips one. With
    /// `min_seq`, only events whose `seq` is above it.
    fn events_after(
        &self,
        after: EventCursor,
        min_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>>;

    /// The delivery state of every `[[notify]]` target that has one.
    fn notify_states(&self) -> Result<Vec<NotifyState>> {
        Err(no_notify_state())
    }

    /// Records what became of a target's next events, if its cursor is still at
    /// `update.from` (else `false`: another deliverer moved it first, and nothing
    /// changes). A failure counts one more attempt; parking records the event and
    /// moves on.
    fn record_delivery(&self, update: DeliveryUpdate) -> Result<bool> {
        let _ = update;
        Err(no_notify_state())
    }

    /// Parked events, oldest first, of one target or of all.
    fn parked_events(&self, target: Option<&str>) -> Result<Vec<ParkedEvent>> {
        let _ = target;
        Err(no_notify_state())
    }

    /// After a resend of a parked event (`captain notify retry`): forgets it once
    /// delivered, else counts the attempt and keeps the error.
    fn resolve_parked(&self, target: &str, seq: i64, error: Option<&str>) -> Result<()> {
        let _ = (target, seq, error);
        Err(no_notify_state())
    }

    /// The pipeline's definition as a team server holds it: `version`, or the newest;
    /// `None` when none is registered.
    fn pipeline_version(&self, version: Option<u32>) -> Result<Option<PipelineVersion>>;

    /// Every registered version of the pipeline's definition, newest first.
    fn pipeline_versions(&self) -> Result<Vec<PipelineVersion>>;

    /// Registers a pipeline definition (validated by the caller) as the next version —
    /// unless it is the newest already, which is then answered unchanged (`created:
    /// false`). Writes a `pipeline.push` audit event.
    fn push_pipeline(&self, push: NewPipelineVersion) -> Result<PushedPipeline>;

    /// Streams the whole ledger, in an order that `import` accepts.
    fn export(&self, sink: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> Result<()>;

    /// Loads records in one transaction: all or nothing. Refuses a non-empty ledger unless
    /// `mode` is `Merge`.
    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<LedgerRecord>>,
        mode: ImportMode,
    ) -> Result<ImportSummary>;

    /// Runs `run`, which only reads this store, with every read of it in one snapshot of the ledger
    /// where the store can (PostgreSQL: one transaction instead of one per read, so a
    /// server's view costs two round trips fewer per read and never mixes two moments).
    /// The default runs it as it is.
    fn read_together(&self, run: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        run()
    }

    /// Runs `run` (one mutation of a team server's request through this store, answered
    /// with a JSON body) in one transaction with the record of its idempotency key and
    /// that answer, so the change and the answer a retry gets commit together or not at
    /// all. `Ok(None)`: nothing of it was kept — this store cannot (the default), the
    /// mutation failed, or the key was seen before (the mutation is then rolled back) —
    /// and the caller claims the key and runs the mutation the ordinary way. `run` is
    /// called at most once.
    fn idempotent(
        &self,
        request: &IdempotentRequest,
        run: &mut dyn FnMut(&dyn Store) -> Result<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>> {
        let _ = (request, run);
        Ok(None)
    }

    /// Records a release's creation or a deployment's start or finish (the team
    /// server's busiest writes) with the claim of `request`'s key and its answer in one
    /// transaction, where the store has a cheaper way than
    /// [`idempotent`](Store::idempotent): the answer (the release or the deployment as
    /// JSON, as the server sends it, [`KeyedChange::record`]'s). `Ok(None)`: nothing was
    /// recorded — the store has no cheaper way (the default), the key was seen before, or
    /// the change would not simply succeed — and the caller takes the `idempotent` or
    /// ordinary way, which answers those cases.
    fn record_with_key(
        &self,
        change: KeyedChange,
        request: &IdempotentRequest,
    ) -> Result<Option<Vec<u8>>> {
        let _ = (change, request);
        Ok(None)
    }

    /// The team server this store talks to, when it is one: the commands whose rules
    /// are decided where the ledger is then ask it (see [`crate::ops::rules`]).
    fn as_http(&self) -> Option<&http::HttpStore> {
        None
    }

    /// The key table [`idempotent`](Store::idempotent) records keys in, when it belongs
    /// to this store (SQLite: one per ledger file) rather than to the team server: the
    /// server then claims and answers keys the ordinary way in it too, so both ways see
    /// every key. `None` (the default): the server's own table (on PostgreSQL it is the
    /// same table).
    fn idempotency_keys(&self) -> Option<&dyn KeyTable> {
        None
    }
}

/// Totals of a whole ledger, for the team server's `/metrics` (Prometheus).
#[derive(Clone, Debug, Default)]
pub struct LedgerCounts {
    /// Per stage, kind and outcome.
    pub deployments: Vec<DeploymentTotals>,
    /// Audit events of lock changes by action (`lock.set`, `lock.remove`,
    /// `release.block`, `release.unblock`).
    pub lock_changes: Vec<(String, u64)>,
}

/// The deployments of one stage, kind and outcome.
#[derive(Clone, Debug)]
pub struct DeploymentTotals {
    pub stage: String,
    pub kind: DeploymentKind,
    pub outcome: Outcome,
    pub count: u64,
    /// The finished ones' durations added up (seconds).
    pub duration_sum_seconds: f64,
    /// How many finished ones took at most each of [`DURATION_BUCKETS`] (cumulative).
    pub duration_buckets: Vec<u64>,
}

/// The upper bounds (seconds) of the deployment duration histogram.
pub const DURATION_BUCKETS: [u64; 9] = [60, 300, 900, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400];

/// The lock-change audit actions [`LedgerCounts::lock_changes`] counts.
pub(crate) const LOCK_ACTIONS: [&str; 4] = [
    "lock.set",
    "lock.remove",
    "release.block",
    "release.unblock",
];

/// The releases [`Store::metric_inputs`] reads: from the oldest of `all` (the window's
/// deployments and each environment's release before it) to the newest of `deployed`.
pub(crate) fn metric_release_range(
    all: impl Iterator<Item = ReleaseNumber>,
    deployed: impl Iterator<Item = ReleaseNumber>,
) -> (ReleaseNumber, ReleaseNumber) {
    let low = all.min().unwrap_or(ReleaseNumber(1));
    let high = deployed.max().unwrap_or(low);
    (low, high)
}

/// A table of idempotency keys, one row per token and key (see [`IdempotentRequest`]).
/// The rules of when a key may be claimed are the same in every table: a key is free
/// if it is new, expired, or claimed without an answer by a server that died.
pub trait KeyTable: Send + Sync {
    /// Claims the key of `request` (with no answer yet) if it is free: `None`. Otherwise
    /// what the table holds for it, unchanged.
    fn claim_key(&self, request: &IdempotentRequest) -> Result<Option<SeenKey>>;

    /// Stores the answer of a claimed key.
    fn answer_key(&self, token: &str, key: &str, status: u16, body: &[u8]) -> Result<()>;

    /// Drops a claim that has no answer (its request failed in a way worth retrying).
    fn release_key(&self, token: &str, key: &str) -> Result<()>;
}

/// What [`Store::apply_decisions`] recorded: the deployments it started (in the order of
/// the decisions) and those it finished, each as the ledger now holds it.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub started: Vec<Deployment>,
    pub finished: Vec<Deployment>,
}

/// A change [`Store::record_with_key`] records.
#[derive(Clone, Debug)]
pub enum KeyedChange {
    Release(NewRelease),
    Start(NewDeployment),
    Finish(FinishDeployment),
}

impl KeyedChange {
    /// Records it the ordinary way, without a key (the store's own checks still apply):
    /// the answer, the created release or the deployment as JSON.
    pub fn record(self, store: &dyn Store) -> Result<Vec<u8>> {
        match self {
            KeyedChange::Release(new) => answer_body(&store.create_release(new)?),
            KeyedChange::Start(new) => answer_body(&store.start_deployment(new)?),
            KeyedChange::Finish(finish) => answer_body(&store.finish_deployment(finish)?),
        }
    }
}

/// What a key table holds for a key that was not free.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenKey {
    /// The digest of the request that first used the key.
    pub request: Vec<u8>,
    /// Its HTTP status and body, once answered; `None` while that request runs.
    pub answer: Option<(u16, Vec<u8>)>,
}

/// The answer a team server sends for a mutation and stores with its idempotency key: the
/// value as JSON. One encoder, so an answer a store records itself
/// ([`Store::record_with_key`]) is byte for byte the one the server would have stored.
pub fn answer_body<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value)
        .map_err(|e| crate::Error::internal(format!("could not encode the answer: {e}")))
}

/// A mutation's idempotency key, as [`Store::idempotent`] claims it (the same rows as
/// the team server's key table: claimed by this token and key, for this request digest).
pub struct IdempotentRequest<'a> {
    pub token: &'a str,
    pub key: &'a str,
    pub request: &'a [u8; 32],
    /// Unix seconds now.
    pub now: i64,
    /// A key claimed before this (unix seconds) has expired and may be claimed anew.
    pub expired_before: i64,
    /// A key claimed at or before this without an answer was abandoned by a dead server.
    pub abandoned_before: i64,
}

fn no_notify_state() -> crate::Error {
    crate::Error::usage("notifications of a team server's pipelines are delivered by the server")
        .with_hint("run `captain notify` where the ledger is (on the server's host, with --state)")
}

/// "rollback to v3 by alice" or "v4 by ci", for conflict messages.
pub(crate) fn describe_deployment(d: &Deployment) -> String {
    match d.kind {
        DeploymentKind::Rollback => format!("rollback to {} by {}", d.release, d.actor),
        DeploymentKind::Normal => format!("{} by {}", d.release, d.actor),
    }
}

/// "2s ago", from the time of the change to the time of the request.
pub(crate) fn ago(then: Timestamp, now: Timestamp) -> String {
    let seconds = now.as_second().saturating_sub(then.as_second());
    if seconds <= 0 {
        return "just now".to_string();
    }
    let seconds = u64::try_from(seconds).unwrap_or(u64::MAX);
    // Whole minutes beyond an hour are enough to say who came first.
    let rounded = if seconds >= 3600 {
        seconds - seconds % 60
    } else {
        seconds
    };
    format!(
        "{} ago",
        humantime::format_duration(Duration::from_secs(rounded))
    )
}

/// `op`'s reads in one snapshot of `store` ([`Store::read_together`]), with its answer.
pub fn in_one_snapshot<T>(
    store: &dyn Store,
    op: impl FnOnce(&dyn Store) -> Result<T>,
) -> Result<T> {
    let mut op = Some(op);
    let mut answer = None;
    store.read_together(&mut || {
        let op = op
            .take()
            .ok_or_else(|| crate::Error::internal("a read ran twice"))?;
        answer = Some(op(store)?);
        Ok(())
    })?;
    answer.ok_or_else(|| crate::Error::internal("a read gave no answer"))
}

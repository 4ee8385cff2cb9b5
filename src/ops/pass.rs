//! The engine's pass for the commands an external CI drives a pipeline with — `deploy
//! start`, `deploy finish`, `approve`, `reject`, `bake`, `retry`, and (without recording)
//! `next`, `gate` and `status` — so that the rules `captain run` keeps hold whoever
//! drives: bake time and data points, the rollback alarm, superseding, automatic
//! rollback, retries.
//!
//! A pass reads one snapshot, observes the world as the loop does
//! ([`crate::runner::signals::observe`]), adds what the command reports (a CI's
//! `deploy finish` outcome), and settles the engine. [`record`] then records the
//! decisions through the store in one batch — everything but the start of a normal
//! deployment, which the CI records itself with `deploy start` — and decides again when
//! another writer came first; [`look`] only tells what the ledger will say once the due
//! decisions are recorded. Deployments a live `captain run` drives are left to it.
//!
//! This room decides nothing itself: the rules are the engine's.

use std::collections::BTreeMap;

use crate::config::Pipeline;
use crate::engine::{self, Decision, DeployResult, EngineState, Signals, StageOutlook, StepResult};
use crate::error::{ErrorKind, Result};
use crate::exec::Probes;
use crate::model::{Deployment, DeploymentId, DeploymentKind, Outcome, Timestamp};
use crate::runner::{signals, this_runner};
use crate::store::{DecisionBatch, EngineSnapshot, RunnerId, StageScope, Store};

/// What a pass found and did.
#[derive(Clone, Debug)]
pub struct Pass {
    /// The engine's view of the ledger once the pass's decisions are recorded.
    pub state: EngineState,
    /// What the pass observed (and was told).
    pub signals: Signals,
    /// The decisions recorded (by [`record`]) or due (by [`look`]), in order.
    pub decisions: Vec<Decision>,
    /// Deployments the recorded decisions started (rollbacks), in order.
    pub started: Vec<Deployment>,
    /// Deployments the recorded decisions finished, as the ledger now holds them.
    pub finished: Vec<Deployment>,
    /// Every stage's outlook after the pass, in pipeline order.
    pub outlooks: Vec<StageOutlook>,
    /// Why each alarm that is not OK is so.
    pub alarm_reasons: BTreeMap<String, String>,
}

impl Pass {
    /// The outlook of one stage.
    pub fn outlook(&self, stage: &str) -> Option<&StageOutlook> {
        self.outlooks.iter().find(|o| o.stage == stage)
    }

    /// The outlook of a stage of the pipeline (every stage has one).
    pub fn stage_outlook(&self, stage: &str) -> Result<StageOutlook> {
        self.outlook(stage)
            .cloned()
            .ok_or_else(|| crate::Error::internal(format!("no outlook for stage `{stage}`")))
    }
}

/// A decision an external driver records: all but the start of a normal deployment (a
/// CI records its own starts with `deploy start`; a rollback the engine starts is
/// recorded, and `captain next` hands it to the CI).
fn recorded_by_ci(decision: &Decision) -> bool {
    !matches!(
        decision,
        Decision::StartDeployment {
            kind: DeploymentKind::Normal,
            ..
        }
    )
}

/// Observes and settles one snapshot; `reported` are outcomes the command was told.
fn settle(
    snapshot: &EngineSnapshot,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
    reported: &BTreeMap<DeploymentId, Outcome>,
) -> (
    EngineState,
    Signals,
    Vec<Decision>,
    BTreeMap<String, String>,
) {
    let (mut signals, why) = signals::observe(pipeline, snapshot, probes, &this_runner(), false);
    signals.reported = reported.clone();
    let mut state = snapshot.state.clone();
    let mut counter = 0u64;
    let decisions = engine::settle_where(
        &mut state,
        pipeline,
        now,
        &signals,
        &mut || {
            counter += 1;
            // Never a real id: the store names deployments when it records them.
            DeploymentId(format!("pending-{counter}"))
        },
        &recorded_by_ci,
    );
    (state, signals, decisions, why)
}

/// The pass without recording anything: what `gate`, `next` and `status` answer with.
pub fn look(
    store: &dyn Store,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
) -> Result<Pass> {
    let snapshot = store.engine_snapshot(&StageScope::of(pipeline), now)?;
    let (state, signals, decisions, alarm_reasons) =
        settle(&snapshot, pipeline, now, probes, &BTreeMap::new());
    let outlooks = engine::decide(&state, pipeline, now, &signals).outlooks;
    Ok(Pass {
        state,
        signals,
        decisions,
        started: Vec::new(),
        finished: Vec::new(),
        outlooks,
        alarm_reasons,
    })
}

/// A pass that records what is due (as `actor`): a bake that ended, a failure and its
/// rollbacks — what any driver would record now.
pub fn record_due(
    store: &dyn Store,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
    actor: &str,
) -> Result<Pass> {
    record(store, pipeline, now, probes, actor, None, &BTreeMap::new())
}

/// [`record_due`] for a CI about to deploy `release` to `environment`: the pass's state
/// also covers what that environment's stage did with the release, however old.
pub fn record_due_about(
    store: &dyn Store,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
    actor: &str,
    (environment, release): (&str, crate::model::ReleaseNumber),
) -> Result<Pass> {
    let scopes = StageScope::about(pipeline, environment, release);
    record_in(
        store,
        pipeline,
        &scopes,
        now,
        probes,
        actor,
        None,
        &BTreeMap::new(),
    )
}

/// A pass that records its decisions (as `actor`, with `reason` in the audit of the
/// deployments it finishes), deciding again from a fresh snapshot when another writer
/// changed the ledger first. `reported`: outcomes a CI reported (`deploy finish`).
pub fn record(
    store: &dyn Store,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
    actor: &str,
    reason: Option<&str>,
    reported: &BTreeMap<DeploymentId, Outcome>,
) -> Result<Pass> {
    let scopes = StageScope::of(pipeline);
    record_in(
        store, pipeline, &scopes, now, probes, actor, reason, reported,
    )
}

#[allow(clippy::too_many_arguments)]
fn record_in(
    store: &dyn Store,
    pipeline: &Pipeline,
    scopes: &[StageScope],
    now: Timestamp,
    probes: &Probes,
    actor: &str,
    reason: Option<&str>,
    reported: &BTreeMap<DeploymentId, Outcome>,
) -> Result<Pass> {
    // Another writer coming first is rare and short; a few rounds always settle it.
    const ROUNDS: usize = 8;
    let mut round = 0;
    loop {
        round += 1;
        let snapshot = store.engine_snapshot(scopes, now)?;
        let (state, signals, decisions, alarm_reasons) =
            settle(&snapshot, pipeline, now, probes, reported);
        let mut applied = crate::store::Applied::default();
        let data_points = signals::new_data_points(&snapshot, &signals);
        let blockers = signals::new_blocker_states(pipeline, &snapshot, &signals);
        if !decisions.is_empty() || !data_points.is_empty() || !blockers.is_empty() {
            let batch = DecisionBatch {
                decisions: decisions.clone(),
                stages: scopes.to_vec(),
                actor: actor.to_string(),
                at: now,
                runner: None,
                reason: reason.map(str::to_string),
                data_points,
                blockers,
            };
            match store.apply_decisions(batch) {
                Ok(recorded) => applied = recorded,
                Err(e)
                    if matches!(e.kind, ErrorKind::Conflict | ErrorKind::Blocked)
                        && round < ROUNDS =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        // The deployments started have the store's ids now.
        let mut state = state;
        for deployment in &applied.started {
            if let Some(active) = state
                .environments
                .get_mut(&deployment.environment)
                .and_then(|e| e.active.as_mut())
            {
                active.id = deployment.id.clone();
            }
        }
        let outlooks = engine::decide(&state, pipeline, now, &signals).outlooks;
        return Ok(Pass {
            state,
            signals,
            decisions,
            started: applied.started,
            finished: applied.finished,
            outlooks,
            alarm_reasons,
        });
    }
}

/// What a `captain run` loop reports for one pass: what its executors observed of the
/// deployments it drives. Where the ledger is (locally, or on the team server), the pass
/// adds its own observations — alarms, data points — and decides with its own pipeline.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct LoopPass {
    pub runner: RunnerId,
    /// The loop holds its pipeline's drive lock (`serve --run`).
    #[serde(default)]
    pub exclusive: bool,
    /// Finished deploy commands.
    pub deploy_results: Vec<(DeploymentId, DeployResult)>,
    /// Finished approval steps: deployment, step index, result.
    pub step_results: Vec<(DeploymentId, usize, StepResult)>,
    pub actor: String,
    pub now: Timestamp,
}

/// What one pass of a loop decided and recorded.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct LoopAnswer {
    /// The decisions recorded, in order (none when `conflict`).
    pub decisions: Vec<Decision>,
    /// The deployments they started, which the loop now runs.
    pub started: Vec<Deployment>,
    /// Another writer came first: nothing was recorded, the next pass decides again.
    pub conflict: Option<String>,
    /// Why each alarm that is not OK is so.
    pub alarm_reasons: BTreeMap<String, String>,
    /// Every stage's outlook after the pass.
    pub outlooks: Vec<StageOutlook>,
    /// The deployments in progress after the pass.
    pub active: Vec<crate::store::ActiveRecord>,
}

/// One pass of a `captain run` loop: observe, settle every decision (the loop starts
/// normal deployments too) and record them, owned by the loop's runner.
pub fn loop_pass(
    store: &dyn Store,
    pipeline: &Pipeline,
    probes: &Probes,
    request: &LoopPass,
) -> Result<LoopAnswer> {
    let scopes = StageScope::of(pipeline);
    let now = request.now;
    let snapshot = store.engine_snapshot(&scopes, now)?;
    let (mut signals, why) = signals::observe(
        pipeline,
        &snapshot,
        probes,
        &request.runner,
        request.exclusive,
    );
    signals
        .deploy_results
        .extend(request.deploy_results.iter().cloned());
    for (id, step, result) in &request.step_results {
        signals
            .step_results
            .entry((id.clone(), *step))
            .or_insert(*result);
    }
    let mut state = snapshot.state.clone();
    let mut counter = 0u64;
    let decisions = engine::settle(&mut state, pipeline, now, &signals, &mut || {
        counter += 1;
        // Never a real id: the store names deployments when it records them.
        DeploymentId(format!("pending-{counter}"))
    });
    let mut answer = LoopAnswer {
        alarm_reasons: why,
        ..LoopAnswer::default()
    };
    let data_points = signals::new_data_points(&snapshot, &signals);
    let blockers = signals::new_blocker_states(pipeline, &snapshot, &signals);
    if !decisions.is_empty() || !data_points.is_empty() || !blockers.is_empty() {
        let batch = DecisionBatch {
            decisions: decisions.clone(),
            stages: scopes.clone(),
            actor: request.actor.clone(),
            at: now,
            runner: Some(request.runner.clone()),
            reason: None,
            data_points,
            blockers,
        };
        match store.apply_decisions(batch) {
            Ok(applied) => {
                answer.decisions = decisions;
                answer.started = applied.started;
            }
            Err(e) if matches!(e.kind, ErrorKind::Conflict | ErrorKind::Blocked) => {
                answer.conflict = Some(e.message);
            }
            Err(e) => return Err(e),
        }
    }
    let after = if answer.decisions.is_empty() {
        snapshot
    } else {
        store.engine_snapshot(&scopes, now)?
    };
    answer.outlooks = engine::decide(&after.state, pipeline, now, &signals).outlooks;
    answer.active = after.active;
    Ok(answer)
}

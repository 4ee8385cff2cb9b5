//! Applying decisions to an [`EngineState`]: what the ledger will look like once the
//! executors and the store have done what a decision says.
//!
//! The `captain run` loop does not need this (it records decisions in the store and
//! reads a fresh snapshot); tests, `simulate` and dry runs use it to move a state
//! forward without a store. Like the rest of the engine it reads no clock: `now` and the
//! new deployment ids come from the caller.

use crate::config::Pipeline;
use crate::model::{DeploymentId, DeploymentKind, Timestamp};

use super::{ActiveDeployment, Decision, EngineState, Phase, Signals, decide};

impl EngineState {
    /// Applies one decision at `now`; `new_id` names a deployment that starts.
    /// Decisions that no longer match the state (a deployment id that is not the active
    /// one) are ignored, so applying a stale decision is harmless.
    pub fn apply(
        &mut self,
        decision: &Decision,
        now: Timestamp,
        new_id: &mut dyn FnMut() -> DeploymentId,
    ) {
        match decision {
            Decision::Supersede { stage, release, .. } => {
                self.stages
                    .entry(stage.clone())
                    .or_default()
                    .superseded
                    .insert(*release);
            }
            Decision::StartDeployment {
                environment,
                stage,
                release,
                kind,
                ..
            } => {
                let env = self.environments.entry(environment.clone()).or_default();
                if env.active.is_some() {
                    return;
                }
                env.active = Some(ActiveDeployment {
                    id: new_id(),
                    release: *release,
                    kind: *kind,
                    started_at: now,
                    phase: Phase::Deploying,
                });
                if *kind == DeploymentKind::Normal {
                    self.stages.entry(stage.clone()).or_default().working = Some(*release);
                }
            }
            Decision::AdvancePhase {
                deployment,
                environment,
                to,
            } => {
                if let Some(active) = self.active_mut(environment, deployment) {
                    active.phase = *to;
                }
            }
            Decision::RunApprovalStep {
                deployment,
                environment,
                step,
                ..
            } => {
                if let Some(active) = self.active_mut(environment, deployment) {
                    active.phase = Phase::Verifying {
                        step: *step,
                        started: true,
                    };
                }
            }
            Decision::ApproveEnvironment {
                deployment,
                environment,
                release,
                ..
            } => {
                if self.active_mut(environment, deployment).is_some()
                    && let Some(env) = self.environments.get_mut(environment)
                {
                    env.active = None;
                    env.current = Some(*release);
                    env.approved.insert(*release);
                }
            }
            Decision::FailDeployment {
                deployment,
                environment,
                release,
                outcome,
            } => {
                if self.active_mut(environment, deployment).is_some()
                    && let Some(env) = self.environments.get_mut(environment)
                {
                    env.active = None;
                    if outcome.reached() {
                        env.current = Some(*release);
                    }
                }
            }
            Decision::ApproveStage { stage, release } => {
                let ledger = self.stages.entry(stage.clone()).or_default();
                ledger.approved.insert(*release);
                if ledger.working == Some(*release) {
                    ledger.working = None;
                }
            }
            Decision::FailStage { stage, release, .. } => {
                let ledger = self.stages.entry(stage.clone()).or_default();
                ledger.failed.insert(*release);
                if ledger.working == Some(*release) {
                    ledger.working = None;
                }
            }
        }
    }

    fn active_mut(
        &mut self,
        environment: &str,
        deployment: &DeploymentId,
    ) -> Option<&mut ActiveDeployment> {
        self.environments
            .get_mut(environment)?
            .active
            .as_mut()
            .filter(|a| &a.id == deployment)
    }
}

/// Runs passes at `now`, applying each pass's decisions, until a pass decides nothing;
/// returns every decision in order. Bounded, so a bug can never loop forever.
pub fn settle(
    state: &mut EngineState,
    pipeline: &Pipeline,
    now: Timestamp,
    signals: &Signals,
    new_id: &mut dyn FnMut() -> DeploymentId,
) -> Vec<Decision> {
    settle_where(state, pipeline, now, signals, new_id, &|_| true)
}

/// [`settle`] for a driver that takes only some decisions (an external CI records its own
/// normal starts): each pass applies and returns the decisions `keep` accepts, and the
/// passes end when one keeps nothing. What a kept decision leads to is decided in the
/// same call, so the state returned is the ledger once these decisions are recorded.
pub fn settle_where(
    state: &mut EngineState,
    pipeline: &Pipeline,
    now: Timestamp,
    signals: &Signals,
    new_id: &mut dyn FnMut() -> DeploymentId,
    keep: &dyn Fn(&Decision) -> bool,
) -> Vec<Decision> {
    let mut all = Vec::new();
    // Each stage moves at most a handful of steps per instant (advance, approve, promote).
    let limit = 8 * pipeline.stages.len() + 16;
    for _ in 0..limit {
        let evaluation = decide(state, pipeline, now, signals);
        let kept: Vec<Decision> = evaluation.decisions.into_iter().filter(keep).collect();
        if kept.is_empty() {
            break;
        }
        for decision in &kept {
            state.apply(decision, now, new_id);
        }
        all.extend(kept);
    }
    all
}

//! Recording deployments that an external CI runs: `deploy start` and `deploy finish`.
//! The pipeline decides which checks apply; the store makes them atomically.

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Store;

pub use crate::store::wire::StartRequest;

/// Finds an environment by name, or fails with exit 5 and a did-you-mean.
pub fn find_environment<'p>(
    pipeline: &'p Pipeline,
    name: &str,
) -> Result<(&'p crate::config::Stage, &'p crate::config::Environment)> {
    pipeline
        .environment(name)
        .ok_or_else(|| unknown_environment(pipeline, name))
}

/// The error for an environment the pipeline does not have.
pub fn unknown_environment(pipeline: &Pipeline, name: &str) -> Error {
    crate::config::unknown_environment(&pipeline.name, &pipeline.environment_names(), name)
}

/// Records the start of a deployment after the pipeline's checks: for a normal one, the
/// engine's rule ([`crate::ops::gate::check_start`], after recording what is due), then
/// the store's own check in the same transaction as the record (previous stage approved,
/// locks, not older than the current release), which two CI jobs racing cannot slip past.
pub fn start(
    store: &dyn Store,
    pipeline: &Pipeline,
    request: StartRequest,
    probes: &crate::exec::Probes,
) -> Result<Deployment> {
    store.start_deployment(decide_start(store, pipeline, request, probes)?)
}

/// The start [`start`] records, decided: the pipeline's checks passed (or overridden by
/// `force`, with its reason), and the store's own checks named in it. The team server
/// records it with the request's idempotency key in the same transaction
/// ([`Store::record_with_key`]).
pub fn decide_start(
    store: &dyn Store,
    pipeline: &Pipeline,
    request: StartRequest,
    probes: &crate::exec::Probes,
) -> Result<NewDeployment> {
    let (stage, environment) = find_environment(pipeline, &request.environment)?;
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if request.force && reason.is_none() {
        return Err(Error::usage(
            "--force needs --reason saying why the checks are skipped",
        ));
    }
    let kind = if request.rollback {
        DeploymentKind::Rollback
    } else {
        DeploymentKind::Normal
    };
    let mut overridden = None;
    if kind == DeploymentKind::Normal {
        overridden = crate::ops::gate::check_start(
            store,
            pipeline,
            &environment.name,
            request.release,
            request.now,
            probes,
            request.force,
            &request.actor,
            reason.as_deref(),
        )?;
    }
    let promotion_check = match (kind, request.force, pipeline.previous_stage(&stage.name)) {
        (DeploymentKind::Normal, false, Some(previous)) => Some(PromotionCheck {
            previous_stage: previous.name.clone(),
            previous_environments: previous
                .environments
                .iter()
                .map(|e| e.name.clone())
                .collect(),
        }),
        _ => None,
    };
    Ok(NewDeployment {
        environment: environment.name.clone(),
        stage: stage.name.clone(),
        release: request.release,
        kind,
        actor: request.actor,
        reason: crate::store::run_records::start_reason(reason.as_ref(), overridden.as_ref()),
        started_at: request.now,
        promotion_check,
        force: request.force,
    })
}

/// What `deploy finish` did: the deployment as it is now, and its stage's outlook.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Finished {
    #[serde(flatten)]
    pub deployment: Deployment,
    /// What happens next in its stage, in words ("gamma is baking v1: 1h left").
    pub next: String,
}

/// Records how a deployment an external CI ran ended, through the engine's pass, so it
/// goes on as under `captain run`: `approved` stands for the deploy and the CI's checks,
/// and the deployment then waits for the stage's external steps and bakes (it is
/// approved when the bake is over: `captain bake STAGE`); any other outcome fails the
/// release in its stage, with automatic rollback where it is on. A repeat of the outcome
/// already recorded is answered as recorded; another outcome is a conflict. `force`
/// (with a reason) records the outcome as it is, now: a person ending a bake or a step
/// by hand.
#[allow(clippy::too_many_arguments)]
pub fn finish(
    store: &dyn Store,
    pipeline: &Pipeline,
    id: DeploymentId,
    outcome: Outcome,
    actor: String,
    reason: Option<String>,
    force: bool,
    now: Timestamp,
    probes: &crate::exec::Probes,
) -> Result<Finished> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if force && reason.is_none() {
        return Err(Error::usage(
            "--force needs --reason saying why the rest of the steps and the bake are skipped",
        ));
    }
    if outcome == Outcome::InProgress {
        return Err(
            Error::usage("a deployment cannot finish `in progress`").with_hint(
                "use one of approved, deploy-failed, tests-failed, alarm-fired, cancelled",
            ),
        );
    }
    // A deployment in progress has its phase recorded (one read); any other is read in
    // full to tell an unknown one from one finished already.
    let in_progress = store
        .deployment_phases(std::slice::from_ref(&id))?
        .into_iter()
        .next()
        .flatten();
    let environment = match &in_progress {
        Some(record) => Some(record.environment.clone()),
        None => {
            let Some(found) = store.deployment(&id)? else {
                return Err(crate::store::checks::unknown_deployment(&id)
                    .with_hint("`captain status` shows the deployments in progress"));
            };
            (found.outcome == Outcome::InProgress).then_some(found.environment)
        }
    };
    let stage = environment
        .as_deref()
        .and_then(|e| pipeline.environment(e))
        .map(|(s, _)| s);
    let Some(stage) = stage.filter(|_| !force) else {
        // Forced, finished already (answered as recorded, or a conflict), or an
        // environment the pipeline no longer has: the store records it as it is told.
        let reason = match (force, reason) {
            (true, Some(r)) => Some(format!("forced: {r}")),
            (_, r) => r,
        };
        let deployment = store.finish_deployment(FinishDeployment {
            id,
            outcome,
            actor,
            finished_at: now,
            reason,
        })?;
        return Ok(Finished {
            next: String::new(),
            deployment,
        });
    };
    let reported_before = outcome == Outcome::Approved
        && in_progress
            .as_ref()
            .is_some_and(|p| p.phase != crate::engine::Phase::Deploying);
    // A repeat of `approved` for a deployment already past its deploy reports nothing new.
    let reported = if reported_before {
        Default::default()
    } else {
        std::collections::BTreeMap::from([(id.clone(), outcome)])
    };
    let pass = crate::ops::pass::record(
        store,
        pipeline,
        now,
        probes,
        &actor,
        reason.as_deref(),
        &reported,
    )?;
    // As the pass finished it, or (still baking, or waiting for a step) as it is now.
    let finished = pass.finished.iter().find(|d| d.id == id).cloned();
    let deployment = match finished {
        Some(deployment) => deployment,
        None => store
            .deployment(&id)?
            .ok_or_else(|| crate::store::checks::unknown_deployment(&id))?,
    };
    let next = pass
        .outlook(&stage.name)
        .map(|o| crate::ops::gate::describe(o, &pass.outlooks, pipeline, now))
        .unwrap_or_default();
    Ok(Finished { deployment, next })
}

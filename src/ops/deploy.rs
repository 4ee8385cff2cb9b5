//! Recording deployments that an external CI runs: `deploy start` and `deploy finish`.
//! The pipeline decides which checks apply; the store makes them atomically.

use crate::config::Pipeline;
use crate::error::{Error, Result, suggestion_hint};
use crate::model::*;
use crate::store::Store;

/// What `deploy start` was asked to do.
#[derive(Clone, Debug)]
pub struct StartRequest {
    pub environment: String,
    pub release: ReleaseNumber,
    pub rollback: bool,
    pub force: bool,
    pub reason: Option<String>,
    pub actor: String,
    pub now: Timestamp,
}

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
    let names = pipeline.environment_names();
    let error = Error::not_found(format!(
        "unknown environment `{name}` in pipeline `{}`",
        pipeline.name
    ));
    match suggestion_hint(name, names.iter().map(String::as_str)) {
        Some(hint) => error.with_hint(hint),
        None => error.with_hint("`captain plan` lists the environments"),
    }
}

/// Records the start of a deployment after the pipeline's checks.
pub fn start(store: &dyn Store, pipeline: &Pipeline, request: StartRequest) -> Result<Deployment> {
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
    store.start_deployment(NewDeployment {
        environment: environment.name.clone(),
        stage: stage.name.clone(),
        release: request.release,
        kind,
        actor: request.actor,
        reason,
        started_at: request.now,
        promotion_check,
        force: request.force,
    })
}

/// Records the end of a deployment.
pub fn finish(
    store: &dyn Store,
    id: DeploymentId,
    outcome: Outcome,
    actor: String,
    reason: Option<String>,
    now: Timestamp,
) -> Result<Deployment> {
    if outcome == Outcome::InProgress {
        return Err(
            Error::usage("a deployment cannot finish `in progress`").with_hint(
                "use one of approved, deploy-failed, tests-failed, alarm-fired, cancelled",
            ),
        );
    }
    store.finish_deployment(FinishDeployment {
        id,
        outcome,
        actor,
        finished_at: now,
        reason,
    })
}

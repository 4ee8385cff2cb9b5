//! What `captain run` and the CI commands' passes ask: the engine snapshot, decision batches, process records, claims, overrides, external steps, retries, stage records and phases.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(&format!("{p}/engine-snapshot"), post(engine_snapshot))
        .route(&format!("{p}/decisions"), post(apply_decisions))
        .route(
            &format!("{p}/deployments/{{id}}/process"),
            post(record_process),
        )
        .route(&format!("{p}/claims"), post(claim_deployments))
        .route(&format!("{p}/overrides"), post(record_override))
        .route(&format!("{p}/step-results"), post(record_step_result))
        .route(&format!("{p}/retries"), post(retry_release))
        .route(&format!("{p}/stage-records"), post(stage_records))
        .route(&format!("{p}/deployment-phases"), post(deployment_phases))
}

async fn engine_snapshot(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "reading the engine snapshot",
        |s, r: EngineSnapshotRequest| s.engine_snapshot(&r.stages, r.at),
    )
    .await
}

async fn stage_records(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "reading stage records",
        |s, r: StageRecordsRequest| s.stage_records(&r.stages, r.limit),
    )
    .await
}

async fn deployment_phases(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "reading deployment phases",
        |s, r: DeploymentPhasesRequest| s.deployment_phases(&r.ids),
    )
    .await
}

/// A mutation route of one pipeline: `$role` for body `$body`, then `$op`.
macro_rules! pipeline_mutation {
    ($name:ident, $what:literal, $body:ty, $role:expr, $op:expr) => {
        async fn $name(
            State(app): State<App>,
            Extension(caller): Extension<Caller>,
            path: P1,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: RawBody,
        ) -> Response {
            let Path(pipeline) = match path {
                Ok(p) => p,
                Err(r) => return bad_path(r),
            };
            let m = Mutation {
                app: &app,
                caller: &caller,
                pipeline,
                method,
                uri,
                headers,
                body,
                what: $what,
            };
            mutate(m, $role, $op).await
        }
    };
}

/// The role a batch of decisions needs (see the comment above `apply_decisions`).
fn batch_role(batch: &crate::store::DecisionBatch) -> Role {
    let starts_normal = batch.decisions.iter().any(|d| {
        matches!(
            d,
            crate::engine::Decision::StartDeployment {
                kind: DeploymentKind::Normal,
                ..
            }
        )
    });
    if batch.runner.is_some() || starts_normal {
        Role::Operator
    } else {
        Role::Deploy
    }
}

// The loop starts and finishes deployments on its own, rollbacks included: an operator's
// power. A CI command's pass (no loop, no normal starts: it records what its own reports
// and the engine's rules decide) is a deploy token's.
pipeline_mutation!(
    apply_decisions,
    "applying the run loop's decisions",
    crate::store::DecisionBatch,
    batch_role,
    |s: &dyn Store, mut batch: crate::store::DecisionBatch, token: &TokenInfo| {
        batch.actor = actor_for(token, &batch.actor);
        s.apply_decisions(batch)
    }
);
pipeline_mutation!(
    claim_deployments,
    "taking over deployments",
    ClaimRequest,
    |_: &ClaimRequest| Role::Operator,
    |s: &dyn Store, r: ClaimRequest, _: &TokenInfo| s
        .claim_deployments(r.runner.as_ref(), &r.claims)
);
pipeline_mutation!(
    record_override,
    "overriding a blocker",
    crate::store::run_records::OverrideRecord,
    |_: &crate::store::run_records::OverrideRecord| Role::Operator,
    |s: &dyn Store, mut r: crate::store::run_records::OverrideRecord, token: &TokenInfo| {
        r.actor = actor_for(token, &r.actor);
        s.record_override(r)
            .map(|()| serde_json::json!({"recorded": true}))
    }
);
pipeline_mutation!(
    record_step_result,
    "approving or rejecting a step",
    crate::store::StepVerdict,
    |_: &crate::store::StepVerdict| Role::Operator,
    |s: &dyn Store, mut v: crate::store::StepVerdict, token: &TokenInfo| {
        v.actor = actor_for(token, &v.actor);
        s.record_step_result(v)
            .map(|()| serde_json::json!({"recorded": true}))
    }
);

// Deploying a failed release again is a person's judgement of its failure.
pipeline_mutation!(
    retry_release,
    "retrying a release",
    crate::store::RetryRequest,
    |_: &crate::store::RetryRequest| Role::Operator,
    |s: &dyn Store, mut r: crate::store::RetryRequest, token: &TokenInfo| {
        r.actor = actor_for(token, &r.actor);
        s.retry_release(r)
    }
);

#[allow(clippy::too_many_arguments)]
async fn record_process(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body,
        what: "recording a process",
    };
    mutate(
        m,
        |_: &RecordProcessRequest| Role::Deploy,
        move |s, r: RecordProcessRequest, _| {
            s.record_process(&id, &r.runner, r.process)
                .map(|()| serde_json::json!({"recorded": true}))
        },
    )
    .await
}

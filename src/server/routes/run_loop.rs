//! What `captain run` asks: the engine snapshot, a pass (decided by the server with its
//! pipeline), process records, claims, stage records and phases; and a person's
//! overrides, external steps' verdicts and retries.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(&format!("{p}/engine-snapshot"), post(engine_snapshot))
        .route(&format!("{p}/passes"), post(loop_pass))
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

pipeline_mutation!(
    claim_deployments,
    "taking over deployments",
    ClaimRequest,
    |_: &ClaimRequest| Role::Operator,
    |s: &dyn Store, r: ClaimRequest, _: &TokenInfo| s
        .claim_deployments(r.runner.as_ref(), &r.claims)
);
// Overriding a blocker, judging an external step, retrying a failed release: a person's
// calls, decided with the server's pipeline.
pipeline_rule!(
    record_override,
    "overriding a blocker",
    OverrideRequest,
    |_: &OverrideRequest| Role::Operator,
    |rules: &Local<'_>, mut r: OverrideRequest, token: &TokenInfo, clock: Clock| {
        r.actor = actor_for(token, &r.actor);
        r.now = clock.now(r.now);
        rules.override_blockers(r)
    }
);
pipeline_rule!(
    record_step_result,
    "approving or rejecting a step",
    VerdictRequest,
    |_: &VerdictRequest| Role::Operator,
    |rules: &Local<'_>, mut r: VerdictRequest, token: &TokenInfo, clock: Clock| {
        r.actor = actor_for(token, &r.actor);
        r.now = clock.now(r.now);
        rules.verdict(r)
    }
);
pipeline_rule!(
    retry_release,
    "retrying a release",
    RetryCommand,
    |_: &RetryCommand| Role::Operator,
    |rules: &Local<'_>, mut r: RetryCommand, token: &TokenInfo, clock: Clock| {
        r.actor = actor_for(token, &r.actor);
        r.now = clock.now(r.now);
        rules.retry(r)
    }
);
// A loop's pass: it reports what its commands did; the server observes, decides with
// its pipeline and records, the starts owned by that loop. An operator's power.
pipeline_rule!(
    loop_pass,
    "a pass of the run loop",
    LoopPass,
    |_: &LoopPass| Role::Operator,
    |rules: &Local<'_>, mut r: LoopPass, token: &TokenInfo, clock: Clock| {
        r.actor = actor_for(token, &r.actor);
        r.now = clock.now(r.now);
        rules.loop_pass(r)
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

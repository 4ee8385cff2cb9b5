//! What `captain run` asks: the engine snapshot, a pass (decided by the server with its
//! pipeline), process records, claims, stage records and phases; and a person's
//! overrides, external steps' verdicts and retries.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/engine-snapshot"),
            post_with(engine_snapshot, |op| {
                op.id("engineSnapshot")
                    .tag("run loop")
                    .summary("What the engine needs to decide the named stages at a time")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/passes"),
            post_with(loop_pass, |op| {
                op.id("loopPass")
                    .tag("run loop")
                    .summary("A pass of `captain run`: what its commands did; the server decides with its pipeline and records")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/deployments/{{id}}/process"),
            post_with(record_process, |op| {
                op.id("recordProcess")
                    .tag("run loop")
                    .summary("Record the process that runs a deployment's steps")
                    .with(needs(Role::Deploy))
            }),
        )
        .api_route(
            &format!("{p}/claims"),
            post_with(claim_deployments, |op| {
                op.id("claimDeployments")
                    .tag("run loop")
                    .summary("Take over deployments whose runner died; the answer lists those taken")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/overrides"),
            post_with(record_override, |op| {
                op.id("overrideBlockers")
                    .tag("run loop")
                    .summary("Override a blocker of a release, audited as an override")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/step-results"),
            post_with(record_step_result, |op| {
                op.id("recordStepResult")
                    .tag("run loop")
                    .summary("Approve or reject an external step")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/expedites"),
            post_with(expedite_release, |op| {
                op.id("expediteRelease")
                    .tag("run loop")
                    .summary("Ask to expedite a release, or approve the request (the approver is the token's name)")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/retries"),
            post_with(retry_release, |op| {
                op.id("retryRelease")
                    .tag("run loop")
                    .summary("Retry a release that failed in a stage")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/stage-records"),
            post_with(stage_records, |op| {
                op.id("stageRecords")
                    .tag("run loop")
                    .summary("The newest records of the named stages")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/deployment-phases"),
            post_with(deployment_phases, |op| {
                op.id("deploymentPhases")
                    .tag("run loop")
                    .summary("Where each named deployment's steps are (`null` for one with no record)")
                    .with(needs(Role::Read))
            }),
        )
}

async fn engine_snapshot(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: JsonBody<EngineSnapshotRequest>,
) -> Reply<EngineSnapshot> {
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
    body: JsonBody<StageRecordsRequest>,
) -> Reply<Vec<StageRecord>> {
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
    body: JsonBody<DeploymentPhasesRequest>,
) -> Reply<Vec<Option<ActiveRecord>>> {
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
    ($name:ident, $what:literal, $body:ty => $answer:ty, $role:expr, $op:expr) => {
        async fn $name(
            State(app): State<App>,
            Extension(caller): Extension<Caller>,
            path: P1,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: JsonBody<$body>,
        ) -> Reply<$answer> {
            let Path(PipelinePath { pipeline }) = match path {
                Ok(p) => p,
                Err(r) => return bad_path(r).into(),
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
    ClaimRequest => Vec<DeploymentId>,
    |_: &ClaimRequest| Role::Operator,
    |s: &dyn Store, r: ClaimRequest, _: &TokenInfo| s
        .claim_deployments(r.runner.as_ref(), &r.claims)
);
// Overriding a blocker, judging an external step, retrying a failed release: a person's
// calls, decided with the server's pipeline.
pipeline_rule!(
    record_override,
    "overriding a blocker",
    OverrideRequest => BlockerOverride,
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
    VerdictRequest => crate::ops::gate::VerdictView,
    |_: &VerdictRequest| Role::Operator,
    |rules: &Local<'_>, mut r: VerdictRequest, token: &TokenInfo, clock: Clock| {
        // Approvals count distinct people: the approver is the token's own name, never
        // one its client claims (not even with a delegating token).
        r.actor = token.name.clone();
        r.now = clock.now(r.now);
        rules.verdict(r)
    }
);
pipeline_rule!(
    expedite_release,
    "expediting a release",
    crate::store::wire::ExpediteCommand => crate::ops::expedite::ExpediteView,
    |_: &crate::store::wire::ExpediteCommand| Role::Operator,
    |rules: &Local<'_>, mut r: crate::store::wire::ExpediteCommand, token: &TokenInfo, clock: Clock| {
        // Who asked and who approved count as distinct people: the token's own name.
        r.actor = token.name.clone();
        r.now = clock.now(r.now);
        rules.expedite(r)
    }
);
pipeline_rule!(
    retry_release,
    "retrying a release",
    RetryCommand => RetryView,
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
    LoopPass => LoopAnswer,
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
    path: PathOf<DeploymentPath>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<RecordProcessRequest>,
) -> Reply<Recorded> {
    let Path(DeploymentPath { pipeline, id }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r.into(),
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
                .map(|()| Recorded { recorded: true })
        },
    )
    .await
}

//! Deployments: start and finish (an external CI's, decided by the server with its
//! pipeline), one deployment, and its log.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/deployments"),
            post_with(start_deployment, |op| {
                op.id("startDeployment")
                    .tag("deployments")
                    .summary("Start a deployment of a release in an environment")
                    .description("The server decides with the pipeline it holds: approval order, bake, windows, blockers, locks. The answer is the deployment as recorded.")
                    .with(needs_escalated(
                        Role::Deploy,
                        Role::Operator,
                        "`force` or `rollback` is set",
                    ))
            }),
        )
        .api_route(
            &format!("{p}/deployments/{{id}}"),
            get_with(deployment, |op| {
                op.id("getDeployment")
                    .tag("deployments")
                    .summary("One deployment")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/deployments/{{id}}/finish"),
            post_with(finish_deployment, |op| {
                op.id("finishDeployment")
                    .tag("deployments")
                    .summary("Finish a deployment: its outcome, decided with the server's pipeline")
                    .with(needs_escalated(Role::Deploy, Role::Operator, "`force` is set"))
            }),
        )
        .api_route(
            &format!("{p}/deployments/{{id}}/log"),
            get_with(deployment_log, |op| {
                op.id("getDeploymentLog")
                    .tag("deployments")
                    .summary("A deployment's log lines")
                    .with(needs(Role::Read))
            })
            .post_with(append_log, |op| {
                op.id("appendDeploymentLog")
                    .tag("deployments")
                    .summary("Append lines to a deployment's log")
                    .with(needs(Role::Deploy))
            }),
        )
}

/// The request as the server decides it: the token's actor, the server's clock.
fn as_decided(mut r: StartRequest, token: &TokenInfo, clock: Clock) -> StartRequest {
    r.actor = actor_for(token, &r.actor);
    r.now = clock.now(r.now);
    r
}

// Recording a rollback, or overriding the checks, is an operator's call. The start is
// decided first and recorded with the request's key (see `decide_keyed`).
pipeline_rule!(
    start_deployment,
    "starting a deployment",
    StartRequest => Deployment,
    |r: &StartRequest| {
        if r.force || r.rollback {
            Role::Operator
        } else {
            Role::Deploy
        }
    },
    |rules: &Local<'_>, r: StartRequest, token: &TokenInfo, clock: Clock| {
        rules.start(as_decided(r, token, clock))
    },
    Some(Box::new(|rules: &Local<'_>, r, token, clock| {
        let r = as_decided(r, token, clock);
        crate::ops::deploy::decide_start(rules.store, rules.pipeline, r, rules.probes)
            .map(KeyedChange::Start)
    }))
);

#[allow(clippy::too_many_arguments)]
async fn finish_deployment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: PathOf<DeploymentPath>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<FinishRequest>,
) -> Reply<Finished> {
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
        what: "finishing a deployment",
    };
    // Ending the rest of the steps and the bake by hand is an operator's call.
    let role = |r: &FinishRequest| {
        if r.force {
            Role::Operator
        } else {
            Role::Deploy
        }
    };
    decide(
        m,
        registered,
        role,
        move |rules: &Local<'_>, mut r: FinishRequest, token, clock| {
            // The body must name the deployment the path names.
            if r.id != id {
                return Err(Error::usage(format!(
                    "the body names deployment {} but the path names {id}",
                    r.id
                )));
            }
            r.actor = actor_for(token, &r.actor);
            r.now = clock.now(r.now);
            rules.finish(r)
        },
    )
    .await
}

async fn deployment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<DeploymentPath>,
) -> Reply<Option<Deployment>> {
    let Path(DeploymentPath { pipeline, id }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r.into(),
    };
    read(&app, &caller, pipeline, "reading a deployment", move |s| {
        s.deployment(&id)
    })
    .await
}

async fn deployment_log(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<DeploymentPath>,
) -> Reply<Vec<LogLine>> {
    let Path(DeploymentPath { pipeline, id }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r.into(),
    };
    read(
        &app,
        &caller,
        pipeline,
        "reading a deployment's log",
        move |s| s.deployment_log(&id),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn append_log(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<DeploymentPath>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<AppendLogRequest>,
) -> Reply<Appended> {
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
        what: "appending to a deployment's log",
    };
    mutate(
        m,
        |_: &AppendLogRequest| Role::Deploy,
        move |s, req: AppendLogRequest, _| {
            s.append_log(&id, &req.lines).map(|()| Appended {
                appended: req.lines.len(),
            })
        },
    )
    .await
}

//! Deployments: start and finish (an external CI's, decided by the server with its
//! pipeline), one deployment, and its log.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(&format!("{p}/deployments"), post(start_deployment))
        .route(&format!("{p}/deployments/{{id}}"), get(deployment))
        .route(
            &format!("{p}/deployments/{{id}}/finish"),
            post(finish_deployment),
        )
        .route(
            &format!("{p}/deployments/{{id}}/log"),
            get(deployment_log).post(append_log),
        )
}

// Recording a rollback, or overriding the checks, is an operator's call.
pipeline_rule!(
    start_deployment,
    "starting a deployment",
    StartRequest,
    |r: &StartRequest| {
        if r.force || r.rollback {
            Role::Operator
        } else {
            Role::Deploy
        }
    },
    |rules: &Local<'_>, mut r: StartRequest, token: &TokenInfo, clock: Clock| {
        r.actor = actor_for(token, &r.actor);
        r.now = clock.now(r.now);
        rules.start(r)
    }
);

#[allow(clippy::too_many_arguments)]
async fn finish_deployment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
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
    path: P2,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    read(&app, &caller, pipeline, "reading a deployment", move |s| {
        s.deployment(&id)
    })
    .await
}

async fn deployment_log(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
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
        what: "appending to a deployment's log",
    };
    mutate(
        m,
        |_: &AppendLogRequest| Role::Deploy,
        move |s, req: AppendLogRequest, _| {
            s.append_log(&id, &req.lines)
                .map(|()| serde_json::json!({"appended": req.lines.len()}))
        },
    )
    .await
}

//! Deployments: start and finish (an external CI's records), one deployment, and its log.

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

#[allow(clippy::too_many_arguments)]
async fn start_deployment(
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
        what: "starting a deployment",
    };
    // Recording a rollback or overriding the promotion checks is an operator's call.
    let role = |d: &NewDeployment| {
        if d.force || d.kind == DeploymentKind::Rollback {
            Role::Operator
        } else {
            Role::Deploy
        }
    };
    let start = |mut new: NewDeployment, token: &TokenInfo| {
        new.actor = actor_for(token, &new.actor);
        new
    };
    mutate_keyed(
        m,
        role,
        move |s, new, token| s.start_deployment(start(new, token)),
        Some(Box::new(move |new, token| {
            Some(KeyedChange::Start(start(new, token)))
        })),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn finish_deployment(
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
        what: "finishing a deployment",
    };
    // The body must name the deployment the path names.
    let finish = move |mut finish: FinishDeployment, token: &TokenInfo| {
        if finish.id != id {
            return Err(Error::usage(format!(
                "the body names deployment {} but the path names {id}",
                finish.id
            )));
        }
        finish.actor = actor_for(token, &finish.actor);
        Ok(finish)
    };
    mutate_keyed(
        m,
        |_: &FinishDeployment| Role::Deploy,
        {
            let finish = finish.clone();
            move |s, body, token| s.finish_deployment(finish(body, token)?)
        },
        Some(Box::new(move |body, token| {
            finish(body, token).ok().map(KeyedChange::Finish)
        })),
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

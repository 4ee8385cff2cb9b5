//! Stages: which release a stage takes next (`captain next`, recording what is due), whether
//! its gate is open (`captain gate`, recording nothing), and its bake (`captain bake`) —
//! each decided by the server with the pipeline it holds.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(&format!("{p}/stages/{{stage}}/next"), post(next))
        .route(&format!("{p}/stages/{{stage}}/gate"), post(gate))
        .route(&format!("{p}/stages/{{stage}}/bake"), post(bake))
}

/// A stage route's body must name the stage its path names.
fn same_stage(path: &str, body: &str) -> Result<()> {
    if path == body {
        return Ok(());
    }
    Err(Error::usage(format!(
        "the body names stage `{body}` but the path names `{path}`"
    )))
}

#[allow(clippy::too_many_arguments)]
async fn next(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P2,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let Path((pipeline, stage)) = match path {
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
        what: "asking which release is next",
    };
    decide(
        m,
        registered,
        |_: &NextRequest| Role::Deploy,
        move |rules: &Local<'_>, mut r: NextRequest, token, clock| {
            same_stage(&stage, &r.stage)?;
            r.actor = actor_for(token, &r.actor);
            r.now = clock.now(r.now);
            r.record = true;
            rules.next(r)
        },
    )
    .await
}

/// A question any token may ask: it records nothing.
async fn gate(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P2,
    body: RawBody,
) -> Response {
    let what = "asking whether the gate is open";
    if let Err(denied) = auth::require(&caller, Role::Read, what) {
        return denied_response(denied);
    }
    let Path((pipeline, stage)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let mut request: NextRequest = match body_bytes(body).and_then(|b| parse_body(&b)) {
        Ok(input) => input,
        Err(response) => return response,
    };
    if let Err(e) = same_stage(&stage, &request.stage) {
        return error_response(&e);
    }
    request.record = false;
    request.now = Clock {
        trust_client: app.trust_client_clock,
    }
    .now(request.now);
    read(&app, &caller, pipeline, what, move |store| {
        let probes = crate::exec::Probes::default();
        Local {
            store,
            pipeline: &registered.pipeline,
            probes: &probes,
        }
        .next(request)
    })
    .await
}

#[allow(clippy::too_many_arguments)]
async fn bake(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P2,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let Path((pipeline, stage)) = match path {
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
        what: "baking a stage",
    };
    decide(
        m,
        registered,
        |_: &BakeRequest| Role::Deploy,
        move |rules: &Local<'_>, mut r: BakeRequest, token, clock| {
            same_stage(&stage, &r.stage)?;
            r.actor = actor_for(token, &r.actor);
            r.now = clock.now(r.now);
            rules.bake(r)
        },
    )
    .await
}

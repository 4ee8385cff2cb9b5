//! Stages: which release a stage takes next (`captain next`, recording what is due), whether
//! its gate is open (`captain gate`, recording nothing), and its bake (`captain bake`) —
//! each decided by the server with the pipeline it holds.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/stages/{{stage}}/next"),
            post_with(next, |op| {
                op.id("stageNext")
                    .tag("stages")
                    .summary("Which release the stage takes next, recording what is due (decided with the server's pipeline)")
                    .with(needs(Role::Deploy))
            }),
        )
        .api_route(
            &format!("{p}/stages/{{stage}}/gate"),
            post_with(gate, |op| {
                op.id("stageGate")
                    .tag("stages")
                    .summary("Whether the stage's gate is open for a release; records nothing")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/stages/{{stage}}/bake"),
            post_with(bake, |op| {
                op.id("stageBake")
                    .tag("stages")
                    .summary("The stage's bake: whether it is over, recording its end when it is")
                    .with(needs(Role::Deploy))
            }),
        )
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
    path: PathOf<StagePath>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<NextRequest>,
) -> Reply<NextView> {
    let Path(StagePath { pipeline, stage }) = match path {
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
    path: PathOf<StagePath>,
    body: JsonBody<NextRequest>,
) -> Reply<NextView> {
    let what = "asking whether the gate is open";
    if let Err(denied) = auth::require(&caller, Role::Read, what) {
        return denied_response(denied).into();
    }
    let Path(StagePath { pipeline, stage }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let mut request: NextRequest = match body_bytes(body.raw).and_then(|b| parse_body(&b)) {
        Ok(input) => input,
        Err(response) => return response.into(),
    };
    if let Err(e) = same_stage(&stage, &request.stage) {
        return failed(&e);
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
    path: PathOf<StagePath>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<BakeRequest>,
) -> Reply<BakeView> {
    let Path(StagePath { pipeline, stage }) = match path {
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

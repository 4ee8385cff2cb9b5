//! The pipelines a server holds: the list, and each pipeline's definition — push a new
//! version (an operator's), read the newest or any version, list the versions.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route("/v1/pipelines", get(pipelines))
        .route(
            &format!("{p}/definition"),
            get(definition).post(push_definition),
        )
        .route(
            &format!("{p}/definition/versions"),
            get(definition_versions),
        )
        .route(
            &format!("{p}/definition/versions/{{version}}"),
            get(definition_version),
        )
}

async fn pipelines(State(app): State<App>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(denied) = auth::require(&caller, Role::Read, "listing pipelines") {
        return denied_response(denied);
    }
    let registry = app.registry.clone();
    let stores = app.stores.clone();
    match app.blocking(move || registry.list(&stores)).await {
        Ok(mut list) => {
            // A token limited to some pipelines sees only those.
            if let Caller::Token(token) = &caller {
                list.retain(|p| token.may_reach(&p.pipeline));
            }
            ok_json(&serde_json::json!({ "pipelines": list }))
        }
        Err(e) => error_response(&e),
    }
}

async fn definition(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> Response {
    let Path(pipeline) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    read(
        &app,
        &caller,
        pipeline,
        "reading the pipeline's definition",
        |s| s.pipeline_version(None),
    )
    .await
}

async fn definition_versions(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> Response {
    let Path(pipeline) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    read(
        &app,
        &caller,
        pipeline,
        "listing the pipeline's definitions",
        |s| {
            s.pipeline_versions()
                .map(|versions| PipelineVersions { versions })
        },
    )
    .await
}

async fn definition_version(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, version)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let version: u32 = match version.trim_start_matches('v').parse() {
        Ok(v) => v,
        Err(_) => {
            return error_response(&Error::usage(format!(
                "`{version}` is not a version number"
            )));
        }
    };
    read(
        &app,
        &caller,
        pipeline.clone(),
        "reading a pipeline definition",
        move |s| {
            s.pipeline_version(Some(version))?.ok_or_else(|| {
                Error::not_found(format!(
                    "pipeline `{pipeline}` has no version {version} of its definition"
                ))
                .with_hint("`captain pipeline history` lists the versions")
            })
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn push_definition(
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
    let registry = app.registry.clone();
    let stores = app.stores.clone();
    let name = pipeline.clone();
    let name_check = pipeline.clone();
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body,
        what: "registering the pipeline's definition",
    };
    // Checked before the ledger is opened: an invalid push creates nothing.
    let validate = |bytes: &Bytes| -> std::result::Result<PushRequest, Response> {
        let push: PushRequest = parse_body(bytes)?;
        let parsed =
            crate::config::validate_text(&push.definition, std::path::Path::new("pipeline.toml"))
                .map_err(|problems| {
                error_response(&crate::server::registry::invalid_definition(
                    &name_check,
                    &problems,
                ))
            })?;
        match crate::server::registry::require_named(&name_check, &parsed) {
            Ok(()) => Ok(push),
            Err(e) => Err(error_response(&e)),
        }
    };
    mutate_parsed(
        m,
        validate,
        |_: &PushRequest| Role::Operator,
        move |_, push: PushRequest, token| {
            let actor = actor_for(token, push.actor.as_deref().unwrap_or(""));
            registry.push(
                &name,
                NewPipelineVersion {
                    definition: push.definition,
                    actor,
                    reason: push.reason,
                    at: Timestamp::now(),
                },
                &stores,
            )
        },
        None,
    )
    .await
}

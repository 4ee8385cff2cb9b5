//! The pipelines a server holds: the list, and each pipeline's definition — push a new
//! version (an operator's), read the newest or any version, list the versions.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            "/v1/pipelines",
            get_with(pipelines, |op| {
                op.id("listPipelines")
                    .tag("pipelines")
                    .summary("The pipelines this server holds, with their newest versions")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/definition"),
            get_with(definition, |op| {
                op.id("getDefinition")
                    .tag("pipelines")
                    .summary("The newest version of the pipeline's definition (its pipeline.toml)")
                    .with(needs(Role::Read))
            })
            .post_with(push_definition, |op| {
                op.id("pushDefinition")
                    .tag("pipelines")
                    .summary("Register a version of the pipeline's definition, validated here (a new version only when the text changed)")
                    .description("The only route that may name a pipeline the server does not hold yet.")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/definition/versions"),
            get_with(definition_versions, |op| {
                op.id("listDefinitionVersions")
                    .tag("pipelines")
                    .summary("Every version of the pipeline's definition, oldest first")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/definition/versions/{{version}}"),
            get_with(definition_version, |op| {
                op.id("getDefinitionVersion")
                    .tag("pipelines")
                    .summary("One version of the pipeline's definition")
                    .with(needs(Role::Read))
            }),
        )
}

async fn pipelines(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<PipelineList> {
    if let Err(denied) = auth::require(&caller, Role::Read, "listing pipelines") {
        return denied_response(denied).into();
    }
    let registry = app.registry.clone();
    let stores = app.stores.clone();
    match app.blocking(move || registry.list(&stores)).await {
        Ok(mut list) => {
            // A token limited to some pipelines sees only those.
            if let Caller::Token(token) = &caller {
                list.retain(|p| token.may_reach(&p.pipeline));
            }
            ok_json(&PipelineList { pipelines: list })
        }
        Err(e) => failed(&e),
    }
}

async fn definition(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> Reply<Option<PipelineVersion>> {
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
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
) -> Reply<PipelineVersions> {
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
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
    path: PathOf<VersionPath>,
) -> Reply<PipelineVersion> {
    let Path(VersionPath { pipeline, version }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    // `3` or `v3`, as the path parameter's pattern says.
    let digits = version.strip_prefix(['v', 'V']).unwrap_or(&version);
    let parsed = match digits.bytes().all(|b| b.is_ascii_digit()) {
        true => digits.parse::<u32>().ok(),
        false => None,
    };
    let Some(version) = parsed else {
        return failed(&Error::usage(format!(
            "`{version}` is not a version number"
        )));
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
    body: JsonBody<PushRequest>,
) -> Reply<PushedPipeline> {
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
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

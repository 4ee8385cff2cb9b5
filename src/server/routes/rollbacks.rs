//! Rollbacks of several environments at once (an operator's).

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new().api_route(
        &format!("{p}/rollbacks"),
        post_with(start_rollback, |op| {
            op.id("startRollback")
                .tag("deployments")
                .summary("Roll several environments back at once; the answer lists the deployments started")
                .with(needs(Role::Operator))
        }),
    )
}

#[allow(clippy::too_many_arguments)]
async fn start_rollback(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<NewRollback>,
) -> Reply<Vec<Deployment>> {
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
        what: "a rollback",
    };
    mutate(
        m,
        |_: &NewRollback| Role::Operator,
        |s, mut rollback: NewRollback, token| {
            rollback.actor = actor_for(token, &rollback.actor);
            s.start_rollback(rollback)
        },
    )
    .await
}

//! Promotion locks: list, disable, enable (an operator's).

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(&format!("{p}/locks"), get(locks).post(set_lock))
        .route(&format!("{p}/locks/remove"), post(remove_lock))
}

async fn locks(State(app): State<App>, Extension(caller): Extension<Caller>, path: P1) -> Response {
    let Path(pipeline) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    read(&app, &caller, pipeline, "listing locks", |s| s.locks()).await
}

#[allow(clippy::too_many_arguments)]
async fn set_lock(
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
        what: "disabling promotions",
    };
    mutate(
        m,
        |_: &Lock| Role::Operator,
        |s, mut lock: Lock, token| {
            lock.actor = actor_for(token, &lock.actor);
            s.set_lock(lock.clone()).map(|()| lock)
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn remove_lock(
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
        what: "enabling promotions",
    };
    mutate(
        m,
        |_: &Unlock| Role::Operator,
        |s, mut unlock: Unlock, token| {
            unlock.actor = actor_for(token, &unlock.actor);
            s.remove_lock(unlock).map(|lifted| Lifted { lifted })
        },
    )
    .await
}

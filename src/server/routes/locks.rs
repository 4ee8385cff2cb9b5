//! Promotion locks: list, disable, enable (an operator's).

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/locks"),
            get_with(locks, |op| {
                op.id("listLocks")
                    .tag("locks")
                    .summary("The promotion locks in force")
                    .with(needs(Role::Read))
            })
            .post_with(set_lock, |op| {
                op.id("setLock")
                    .tag("locks")
                    .summary("Disable promotions into or out of a target")
                    .with(needs(Role::Operator))
            }),
        )
        .api_route(
            &format!("{p}/locks/remove"),
            post_with(remove_lock, |op| {
                op.id("removeLock")
                    .tag("locks")
                    .summary("Enable promotions again; `lifted` says whether a lock was there")
                    .with(needs(Role::Operator))
            }),
        )
}

async fn locks(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> Reply<Vec<Lock>> {
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    read(&app, &caller, pipeline, "listing locks", |s| s.locks()).await
}

#[allow(clippy::too_many_arguments)]
async fn set_lock(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P1,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<Lock>,
) -> Reply<Lock> {
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
        what: "disabling promotions",
    };
    mutate(
        m,
        |_: &Lock| Role::Operator,
        move |s, mut lock: Lock, token| {
            // The server's definition decides what a name means, not the client's copy.
            crate::ops::promotions::check_lock_target(&registered.pipeline, &lock)?;
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
    body: JsonBody<Unlock>,
) -> Reply<Lifted> {
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

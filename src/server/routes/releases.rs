//! Releases: create (CI, after a build), list, show, their commits and dependency snapshots, and the release of a commit.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(
            &format!("{p}/releases"),
            get(releases)
                .post(create_release)
                .layer(DefaultBodyLimit::max(RELEASE_BODY_LIMIT)),
        )
        .route(&format!("{p}/releases/{{number}}"), get(release))
        .route(
            &format!("{p}/releases/{{number}}/commits"),
            get(release_commits),
        )
        .route(
            &format!("{p}/releases/{{number}}/dependencies"),
            get(release_dependencies),
        )
        .route(
            &format!("{p}/commits/{{sha}}/release"),
            get(release_by_commit),
        )
}

#[derive(serde::Deserialize)]
struct LimitQuery {
    limit: Option<usize>,
}

async fn releases(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: std::result::Result<Query<LimitQuery>, QueryRejection>,
) -> Response {
    let (Path(pipeline), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r),
        (_, Err(r)) => return bad_query(r),
    };
    let filter = ReleaseFilter { limit: q.limit };
    read(&app, &caller, pipeline, "listing releases", move |s| {
        s.releases(&filter)
    })
    .await
}

#[allow(clippy::too_many_arguments)]
async fn create_release(
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
        what: "creating a release",
    };
    mutate(
        m,
        |_: &NewRelease| Role::Deploy,
        |s, mut new: NewRelease, token| {
            new.actor = actor_for(token, &new.actor);
            s.create_release(new)
        },
    )
    .await
}

async fn release(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, number)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(r) => return r,
    };
    read(&app, &caller, pipeline, "reading a release", move |s| {
        s.release(number)
    })
    .await
}

async fn release_commits(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, number)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(r) => return r,
    };
    read(
        &app,
        &caller,
        pipeline,
        "reading a release's commits",
        move |s| s.release_commits(number),
    )
    .await
}

async fn release_dependencies(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, number)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(r) => return r,
    };
    read(
        &app,
        &caller,
        pipeline,
        "reading a release's dependencies",
        move |s| s.release_dependencies(number),
    )
    .await
}

async fn release_by_commit(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, sha)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    read(
        &app,
        &caller,
        pipeline,
        "finding a commit's release",
        move |s| s.release_by_commit(&sha),
    )
    .await
}

//! Releases: create (CI, after a build), list, show, their commits and dependency snapshots, and the release of a commit.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/releases"),
            get_with(releases, |op| {
                op.id("listReleases")
                    .tag("releases")
                    .summary("Releases, newest first")
                    .with(needs(Role::Read))
            })
            .post_with(create_release, |op| {
                op.id("createRelease")
                    .tag("releases")
                    .summary(
                        "Record a release: its commit, artifacts and the commits it introduced",
                    )
                    .with(needs(Role::Deploy))
            })
            .layer(DefaultBodyLimit::max(RELEASE_BODY_LIMIT)),
        )
        .api_route(
            &format!("{p}/releases/{{number}}"),
            get_with(release, |op| {
                op.id("getRelease")
                    .tag("releases")
                    .summary("One release (`null` when there is none of that number)")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/releases/{{number}}/commits"),
            get_with(release_commits, |op| {
                op.id("getReleaseCommits")
                    .tag("releases")
                    .summary("The commits a release introduced")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/releases/{{number}}/dependencies"),
            get_with(release_dependencies, |op| {
                op.id("getReleaseDependencies")
                    .tag("releases")
                    .summary("A release's dependency snapshot (from its lockfiles)")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/commits/{{sha}}/release"),
            get_with(release_by_commit, |op| {
                op.id("getReleaseOfCommit")
                    .tag("releases")
                    .summary("The release built from a commit (`null` when none was)")
                    .with(needs(Role::Read))
            }),
        )
}

#[derive(serde::Deserialize, JsonSchema)]
struct LimitQuery {
    limit: Option<usize>,
}

async fn releases(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: QueryOf<LimitQuery>,
) -> Reply<Vec<Release>> {
    let (Path(PipelinePath { pipeline }), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
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
    body: JsonBody<NewRelease>,
) -> Reply<CreatedRelease> {
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
        what: "creating a release",
    };
    // With a key, a store that can records the release and the key's answer in one call.
    let as_created = |mut new: NewRelease, token: &TokenInfo| {
        new.actor = actor_for(token, &new.actor);
        new
    };
    mutate_keyed(
        m,
        |_: &NewRelease| Role::Deploy,
        move |s, new: NewRelease, token| s.create_release(as_created(new, token)),
        Some(Box::new(move |_, new, token| {
            Ok(KeyedChange::Release(as_created(new, token)))
        })),
    )
    .await
}

async fn release(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<ReleasePath>,
) -> Reply<Option<Release>> {
    let Path(ReleasePath { pipeline, number }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(r) => return r.into(),
    };
    read(&app, &caller, pipeline, "reading a release", move |s| {
        s.release(number)
    })
    .await
}

async fn release_commits(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<ReleasePath>,
) -> Reply<Vec<CommitInfo>> {
    let Path(ReleasePath { pipeline, number }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(r) => return r.into(),
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
    path: PathOf<ReleasePath>,
) -> Reply<DependencySnapshot> {
    let Path(ReleasePath { pipeline, number }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(r) => return r.into(),
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
    path: PathOf<CommitPath>,
) -> Reply<Option<Release>> {
    let Path(CommitPath { pipeline, sha }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let sha = match full_sha(&sha) {
        Ok(sha) => sha,
        Err(r) => return r.into(),
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

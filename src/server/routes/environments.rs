//! Views over environments: history, current states, where a commit is, and whether stages approved releases.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> Router<App> {
    Router::new()
        .route(
            &format!("{p}/environments/{{environment}}/history"),
            get(history),
        )
        .route(&format!("{p}/environment-states"), post(environment_states))
        .route(&format!("{p}/locate"), post(locate_commit))
        .route(&format!("{p}/stage-approved"), post(stage_approved))
        .route(&format!("{p}/stages-approved"), post(stages_approved))
}

#[derive(serde::Deserialize)]
struct HistoryQuery {
    limit: Option<usize>,
    since: Option<Timestamp>,
}

async fn history(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
    query: std::result::Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    let (Path((pipeline, environment)), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r),
        (_, Err(r)) => return bad_query(r),
    };
    let filter = HistoryFilter {
        limit: q.limit,
        since: q.since,
    };
    read(&app, &caller, pipeline, "reading history", move |s| {
        s.history(&environment, &filter)
    })
    .await
}

async fn environment_states(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "reading environment states",
        |s, r: EnvironmentsRequest| s.environment_states(&r.environments),
    )
    .await
}

async fn locate_commit(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "locating a commit",
        |s, r: LocateRequest| s.locate_commit(&r.commit, &r.environments),
    )
    .await
}

async fn stage_approved(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "checking an approval",
        |s, r: StageApprovedRequest| {
            s.stage_approved(r.release, &r.environments)
                .map(|answer| Answer { answer })
        },
    )
    .await
}

async fn stages_approved(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: RawBody,
) -> Response {
    read_with(
        &app,
        &caller,
        path,
        body,
        "checking approvals",
        |s, r: StagesApprovedRequest| {
            let checks: Vec<(ReleaseNumber, Vec<String>)> = r
                .checks
                .into_iter()
                .map(|c| (c.release, c.environments))
                .collect();
            s.stages_approved(&checks)
        },
    )
    .await
}

//! Views over environments: history, current states, where a commit is, and whether stages approved releases.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/environments/{{environment}}/history"),
            get_with(history, |op| {
                op.id("environmentHistory")
                    .tag("environments")
                    .summary("An environment's deployments, newest first")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/environment-states"),
            post_with(environment_states, |op| {
                op.id("environmentStates")
                    .tag("environments")
                    .summary("What runs in each named environment now")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/locate"),
            post_with(locate_commit, |op| {
                op.id("locateCommit")
                    .tag("environments")
                    .summary("Where a commit is: its release and the environments that run it")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/stage-approved"),
            post_with(stage_approved, |op| {
                op.id("stageApproved")
                    .tag("environments")
                    .summary("Whether every named environment approved a release")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/stages-approved"),
            post_with(stages_approved, |op| {
                op.id("stagesApproved")
                    .tag("environments")
                    .summary("Several approval checks at once, answered in order")
                    .with(needs(Role::Read))
            }),
        )
}

#[derive(serde::Deserialize, JsonSchema)]
struct HistoryQuery {
    limit: Option<usize>,
    since: Option<Timestamp>,
}

async fn history(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<EnvironmentPath>,
    query: QueryOf<HistoryQuery>,
) -> Reply<Vec<HistoryEntry>> {
    let (
        Path(EnvironmentPath {
            pipeline,
            environment,
        }),
        Query(q),
    ) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
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
    body: JsonBody<EnvironmentsRequest>,
) -> Reply<Vec<EnvironmentState>> {
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
    body: JsonBody<LocateRequest>,
) -> Reply<CommitLocation> {
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
    body: JsonBody<StageApprovedRequest>,
) -> Reply<Answer> {
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
    body: JsonBody<StagesApprovedRequest>,
) -> Reply<Vec<bool>> {
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

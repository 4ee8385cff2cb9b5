//! The CLI's views, computed by the server: what `captain status`, `history`, `where`,
//! `release show` and `gate` print with `--output json`, answered from the pipeline the
//! server holds and its own clock — so a script can ask for them without the CLI, and the
//! web pages ([`crate::server::web`]) show the very same values (each view is built by
//! one function, here and in the CLI alike).

#![allow(clippy::result_large_err)]

use super::*;
use crate::views::deploy::GateView;
use crate::views::history::HistoryView;
use crate::views::release::ReleaseShow;
use crate::views::status::StatusView;
use crate::views::where_commit::WhereView;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/views/status"),
            get_with(status, |op| {
                op.id("viewStatus")
                    .tag("views")
                    .summary("`captain status`: per stage and environment, the release, its state, what waits, locks")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/views/gates"),
            get_with(gates, |op| {
                op.id("viewGates")
                    .tag("views")
                    .summary("`captain gate STAGE` of every stage: may a deployment start, and why not (windows, blockers, locks)")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/views/history/{{environment}}"),
            get_with(history, |op| {
                op.id("viewHistory")
                    .tag("views")
                    .summary("`captain history ENV`: an environment's deployments with the commits each added and removed")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/views/where/{{rev}}"),
            get_with(where_commit, |op| {
                op.id("viewWhere")
                    .tag("views")
                    .summary("`captain where SHA`: a commit's first release, its arrivals, where it is and is not deployed")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/views/releases/{{number}}"),
            get_with(release, |op| {
                op.id("viewRelease")
                    .tag("views")
                    .summary("`captain release show vN`: a release with its commits, artifacts and dependencies")
                    .with(needs(Role::Read))
            }),
        )
}

/// `…/views/where/{rev}`
#[derive(Deserialize, JsonSchema)]
struct RevPath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// A full commit sha or a unique prefix of one the ledger recorded (4 hex digits at least).
    #[schemars(regex(pattern = r"^[0-9A-Fa-f]{4,64}$"))]
    rev: String,
}

/// `?limit=&since=` of the history view.
#[derive(Deserialize, JsonSchema)]
struct HistoryQuery {
    /// At most this many deployments (default 20, as the CLI's).
    limit: Option<usize>,
    /// Only deployments started at or after this time.
    since: Option<Timestamp>,
}

/// `?now=` of the status view.
#[derive(Deserialize, JsonSchema)]
struct StatusQuery {
    /// The client's time: used only by a server started with `--trust-client-clock`
    /// (tests pin the clock); any other decides with its own.
    now: Option<Timestamp>,
}

/// The history a page or route shows when it names no limit, as `captain history`.
pub(crate) const HISTORY_LIMIT: usize = 20;

async fn status(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P1,
    query: QueryOf<StatusQuery>,
) -> Reply<StatusView> {
    let (Path(PipelinePath { pipeline }), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
    };
    let now = match q.now {
        Some(client) => Clock {
            trust_client: app.trust_client_clock,
        }
        .now(client),
        None => Timestamp::now(),
    };
    let definition = registered.pipeline.clone();
    read_view(&app, &caller, pipeline, "reading the status", move |s| {
        crate::views::status::build(&definition, s, now)
    })
    .await
}

async fn gates(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P1,
) -> Reply<Vec<GateView>> {
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let definition = registered.pipeline.clone();
    read(&app, &caller, pipeline, "reading the gates", move |s| {
        crate::ops::gate::gates(
            s,
            &definition,
            Timestamp::now(),
            &crate::exec::Probes::default(),
        )
    })
    .await
}

async fn history(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: PathOf<EnvironmentPath>,
    query: QueryOf<HistoryQuery>,
) -> Reply<HistoryView> {
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
        limit: Some(q.limit.unwrap_or(HISTORY_LIMIT)),
        since: q.since,
    };
    let definition = registered.pipeline.clone();
    read_view(&app, &caller, pipeline, "reading history", move |s| {
        crate::views::history::build(&definition.outline(), s, &environment, &filter)
    })
    .await
}

async fn where_commit(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: PathOf<RevPath>,
) -> Reply<WhereView> {
    let Path(RevPath { pipeline, rev }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let definition = registered.pipeline.clone();
    read_view(&app, &caller, pipeline, "locating a commit", move |s| {
        crate::views::where_commit::build(&definition.outline(), s, None, &rev)
    })
    .await
}

async fn release(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<ReleasePath>,
) -> Reply<ReleaseShow> {
    let Path(ReleasePath { pipeline, number }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let number = match release_number(&number) {
        Ok(n) => n,
        Err(response) => return response.into(),
    };
    read_view(&app, &caller, pipeline, "reading a release", move |s| {
        ReleaseShow::build(s, None, number)
    })
    .await
}

//! `captain metrics`: the delivery metrics of a window, computed here with the pipeline
//! the server holds (so every client sees the same numbers, whatever its pipeline.toml).

#![allow(clippy::result_large_err)]

use super::*;

use crate::views::metrics::{MetricsQuery, MetricsView};

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new().api_route(
        &format!("{p}/metrics"),
        post_with(metrics, |op| {
            op.id("metrics")
                .tag("environments")
                .summary("Delivery metrics (M1–M12, the DORA keys) of a window, computed with the server's pipeline")
                .with(needs(Role::Read))
        }),
    )
}

async fn metrics(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Extension(registered): Extension<Arc<Registered>>,
    path: P1,
    body: JsonBody<MetricsQuery>,
) -> Reply<MetricsView> {
    read_with(
        &app,
        &caller,
        path,
        body,
        "computing metrics",
        move |s, query: MetricsQuery| crate::views::metrics::build(&registered.pipeline, s, &query),
    )
    .await
}

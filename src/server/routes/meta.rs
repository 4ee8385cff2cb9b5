//! Service routes: liveness, readiness, the API document, and who the caller is.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(_p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            "/healthz",
            get_with(healthz, |op| {
                op.id("healthz")
                    .tag("service")
                    .summary("Liveness: the server answers")
                    .with(public)
            }),
        )
        .api_route(
            "/readyz",
            get_with(readyz, |op| {
                op.id("readyz")
                    .tag("service")
                    .summary("Readiness: the database answers (503 with Retry-After while it does not)")
                    .with(public)
            }),
        )
        .api_route(
            "/openapi.json",
            get_with(openapi, |op| {
                op.id("openapi")
                    .tag("service")
                    .summary("This document, generated from the server's routes")
                    .with(public)
            }),
        )
        .api_route(
            "/metrics",
            get_with(metrics, |op| {
                op.id("prometheusMetrics")
                    .tag("service")
                    .summary("The server and every pipeline it holds, in the Prometheus text format (OpenMetrics); scrape with a read token")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            "/v1/whoami",
            get_with(whoami, |op| {
                op.id("whoami")
                    .tag("service")
                    .summary("The token making the request: its name and role, so a client refuses what the role does not allow before it starts")
                    .with(needs(Role::Read))
            }),
        )
}

async fn healthz() -> Reply<Health> {
    ok_json(&Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Whether the server is ready.
#[derive(Serialize, schemars::JsonSchema)]
struct Ready {
    /// `ready`.
    status: &'static str,
}

/// Ready when the database answers: 503 (`unavailable`, with `Retry-After`) while it
/// does not. `/healthz` only says the process lives.
async fn readyz(State(app): State<App>) -> Reply<Ready> {
    match app.ready().await {
        Ok(()) => ok_json(&Ready { status: "ready" }),
        Err(e) => failed(&e),
    }
}

/// The document the router was built with (see [`crate::server::openapi::Contract`]).
async fn openapi(
    Extension(contract): Extension<Arc<crate::server::openapi::Contract>>,
) -> Reply<serde_json::Value> {
    json_response(StatusCode::OK, contract.json().to_vec()).into()
}

/// `GET /metrics` (see [`crate::server::prometheus`]): the pipelines the caller's token
/// may reach.
async fn metrics(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> crate::server::openapi::MetricsReply {
    if let Err(denied) = auth::require(&caller, Role::Read, "reading metrics") {
        return denied_response(denied).into();
    }
    let registry = app.registry.clone();
    let stores = app.stores.clone();
    let sampled = app
        .blocking(move || {
            let now = crate::server::prometheus::scrape_time();
            let mut samples = Vec::new();
            for listed in registry.list(&stores)? {
                if auth::require_pipeline(&caller, &listed.pipeline).is_err() {
                    continue;
                }
                let registered = registry.get(&listed.pipeline, &stores)?;
                let store = stores.get(&listed.pipeline)?;
                samples.push(crate::server::prometheus::sample(
                    &registered.pipeline,
                    store.as_ref(),
                    now,
                )?);
            }
            Ok(samples)
        })
        .await;
    let in_use = app
        .store_call_limit
        .saturating_sub(app.store_calls.available_permits());
    let text = sampled.and_then(|samples| {
        crate::server::prometheus::render(
            &app.metrics,
            samples,
            Some((in_use, app.store_call_limit)),
        )
    });
    match text {
        Ok(text) => {
            let mut response = Response::new(Body::from(text));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(crate::server::prometheus::CONTENT_TYPE),
            );
            response.into()
        }
        Err(e) => axum::response::IntoResponse::into_response(failed::<String>(&e)).into(),
    }
}

/// The caller's own token: what it may do, so a client can refuse an operation before
/// doing the work that leads to it.
async fn whoami(Extension(caller): Extension<Caller>) -> Reply<TokenInfo> {
    match auth::require(&caller, Role::Read, "whoami") {
        Ok(token) => ok_json(&token),
        Err(denied) => denied_response(denied).into(),
    }
}

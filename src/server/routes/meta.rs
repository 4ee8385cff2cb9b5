//! Service routes: liveness, readiness, the API document, and who the caller is.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(_p: &str) -> Router<App> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi))
        .route("/v1/whoami", get(whoami))
}

async fn healthz() -> Response {
    ok_json(&serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// Ready when the database answers: 503 (`unavailable`, with `Retry-After`) while it
/// does not. `/healthz` only says the process lives.
async fn readyz(State(app): State<App>) -> Response {
    match app.ready().await {
        Ok(()) => ok_json(&serde_json::json!({"status": "ready"})),
        Err(e) => error_response(&e),
    }
}

async fn openapi() -> Response {
    ok_json(&crate::server::openapi::document())
}

/// The caller's own token: what it may do, so a client can refuse an operation before
/// doing the work that leads to it.
async fn whoami(Extension(caller): Extension<Caller>) -> Response {
    match auth::require(&caller, Role::Read, "whoami") {
        Ok(token) => ok_json(&token),
        Err(denied) => denied_response(denied),
    }
}

//! API tokens (admin) and the server's own audit events (token changes).

#![allow(clippy::result_large_err)]

use super::ledger::AuditQuery;
use super::*;
use crate::server::auth::Denied;

pub(super) fn routes(_p: &str) -> Router<App> {
    Router::new()
        .route("/v1/tokens", get(list_tokens).post(create_token))
        .route("/v1/tokens/{name}", delete(revoke_token))
        .route("/v1/audit", get(server_audit_events))
}

async fn list_tokens(State(app): State<App>, Extension(caller): Extension<Caller>) -> Response {
    let admin = match auth::require(&caller, Role::Admin, "listing tokens") {
        Ok(admin) => admin,
        Err(denied) => return denied_response(denied),
    };
    let db = app.db.clone();
    match app.blocking(move || db.tokens()).await {
        Ok(mut tokens) => {
            // An admin limited to some pipelines sees the tokens limited within them.
            tokens.retain(|t| admin.covers(&t.pipelines));
            ok_json(&serde_json::json!({ "tokens": tokens }))
        }
        Err(e) => error_response(&e),
    }
}

async fn create_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let admin = match auth::require(&caller, Role::Admin, "creating tokens") {
        Ok(admin) => admin,
        Err(denied) => return denied_response(denied),
    };
    let new: NewToken = match body_bytes(body).and_then(|b| parse_body(&b)) {
        Ok(new) => new,
        Err(response) => return response,
    };
    // An admin limited to some pipelines hands out only tokens limited within them.
    if !admin.covers(&new.pipelines) {
        return denied_response(Denied::Forbidden(format!(
            "token `{}` is limited to some pipelines and may only create tokens limited to them",
            admin.name
        )));
    }
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let db = app.db.clone();
    match app
        .blocking(move || {
            db.create_token_keyed(&new, &admin.name, Timestamp::now(), key.as_deref())
        })
        .await
    {
        Ok((created, replayed)) => {
            if !replayed {
                tracing::info!(token = %created.token.name, role = %created.token.role, by = %admin_name(&caller), "token created");
            }
            let mut response = ok_json(&created);
            if replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            response
        }
        Err(e) => error_response(&e),
    }
}

fn admin_name(caller: &Caller) -> String {
    caller.log_name().to_string()
}

#[derive(serde::Deserialize)]
struct ReasonQuery {
    reason: Option<String>,
}

async fn revoke_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: std::result::Result<Query<ReasonQuery>, QueryRejection>,
) -> Response {
    let admin = match auth::require(&caller, Role::Admin, "revoking tokens") {
        Ok(admin) => admin,
        Err(denied) => return denied_response(denied),
    };
    let (Path(name), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r),
        (_, Err(r)) => return bad_query(r),
    };
    // An admin limited to some pipelines revokes only tokens limited within them.
    if !admin.pipelines.is_empty() {
        let db = app.db.clone();
        let tokens = match app.blocking(move || db.tokens()).await {
            Ok(tokens) => tokens,
            Err(e) => return error_response(&e),
        };
        if tokens
            .iter()
            .find(|t| t.name == name)
            .is_some_and(|t| !admin.covers(&t.pipelines))
        {
            return denied_response(Denied::Forbidden(format!(
                "token `{}` is limited to some pipelines and may only revoke tokens limited to them",
                admin.name
            )));
        }
    }
    let db = app.db.clone();
    let by = admin.name.clone();
    match app
        .blocking(move || db.revoke_token(&name, &by, q.reason.as_deref(), Timestamp::now()))
        .await
    {
        Ok(token) => {
            tracing::info!(token = %token.name, by = %admin_name(&caller), "token revoked");
            // Answer once no replica accepts the token any more.
            tokio::time::sleep(crate::server::db::REVOCATION_SETTLES).await;
            ok_json(&token)
        }
        Err(e) => error_response(&e),
    }
}

/// The server's own audit events (token changes), which belong to no pipeline.
async fn server_audit_events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    match auth::require(&caller, Role::Read, "reading audit events") {
        Err(denied) => return denied_response(denied),
        // Token changes span every pipeline: not for a token limited to some.
        Ok(token) if !token.pipelines.is_empty() => {
            return denied_response(Denied::Forbidden(format!(
                "token `{}` is limited to some pipelines and the server's audit events are of every pipeline",
                token.name
            )));
        }
        Ok(_) => {}
    }
    let Query(q) = match query {
        Ok(q) => q,
        Err(r) => return bad_query(r),
    };
    let filter = AuditFilter {
        limit: q.limit,
        target: q.target,
        actor: q.actor,
    };
    let db = app.db.clone();
    match app.blocking(move || db.audit_events(&filter)).await {
        Ok(events) => ok_json(&events),
        Err(e) => error_response(&e),
    }
}

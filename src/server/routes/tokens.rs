//! API tokens (admin) and the server's own audit events (token changes).

#![allow(clippy::result_large_err)]

use super::ledger::AuditQuery;
use super::*;
use crate::server::auth::Denied;

pub(super) fn routes(_p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            "/v1/tokens",
            get_with(list_tokens, |op| {
                op.id("listTokens")
                    .tag("tokens")
                    .summary("The API tokens, live and revoked (never their secrets)")
                    .with(needs(Role::Admin))
            })
            .post_with(create_token, |op| {
                op.id("createToken")
                    .tag("tokens")
                    .summary("Create a token; the answer carries its secret, shown this once")
                    .with(needs(Role::Admin))
            }),
        )
        .api_route(
            "/v1/tokens/{name}",
            delete_with(revoke_token, |op| {
                op.id("revokeToken")
                    .tag("tokens")
                    .summary("Revoke a token (`?reason=` is recorded with the audit event)")
                    .with(needs(Role::Admin))
            }),
        )
        .api_route(
            "/v1/audit",
            get_with(server_audit_events, |op| {
                op.id("serverAuditEvents")
                    .tag("tokens")
                    .summary("The server's own audit events: token changes")
                    .with(needs(Role::Read))
            }),
        )
}

async fn list_tokens(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<TokenList> {
    let admin = match auth::require(&caller, Role::Admin, "listing tokens") {
        Ok(admin) => admin,
        Err(denied) => return denied_response(denied).into(),
    };
    let db = app.db.clone();
    match app.blocking(move || db.tokens()).await {
        Ok(mut tokens) => {
            // An admin limited to some pipelines sees the tokens limited within them.
            tokens.retain(|t| admin.covers(&t.pipelines));
            ok_json(&TokenList { tokens })
        }
        Err(e) => failed(&e),
    }
}

async fn create_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: JsonBody<NewToken>,
) -> Reply<CreatedToken> {
    let admin = match auth::require(&caller, Role::Admin, "creating tokens") {
        Ok(admin) => admin,
        Err(denied) => return denied_response(denied).into(),
    };
    let new: NewToken = match body_bytes(body.raw).and_then(|b| parse_body(&b)) {
        Ok(new) => new,
        Err(response) => return response.into(),
    };
    // An admin limited to some pipelines hands out only tokens limited within them.
    if !admin.covers(&new.pipelines) {
        return denied_response(Denied::Forbidden(format!(
            "token `{}` is limited to some pipelines and may only create tokens limited to them",
            admin.name
        )))
        .into();
    }
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(response) => return response.into(),
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
            let mut response = axum::response::IntoResponse::into_response(ok_json(&created));
            if replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            response.into()
        }
        Err(e) => failed(&e),
    }
}

fn admin_name(caller: &Caller) -> String {
    caller.log_name().to_string()
}

#[derive(serde::Deserialize, JsonSchema)]
struct ReasonQuery {
    reason: Option<String>,
}

async fn revoke_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: PathOf<TokenPath>,
    query: QueryOf<ReasonQuery>,
) -> Reply<TokenInfo> {
    let admin = match auth::require(&caller, Role::Admin, "revoking tokens") {
        Ok(admin) => admin,
        Err(denied) => return denied_response(denied).into(),
    };
    let (Path(TokenPath { name }), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
    };
    // An admin limited to some pipelines revokes only tokens limited within them.
    if !admin.pipelines.is_empty() {
        let db = app.db.clone();
        let tokens = match app.blocking(move || db.tokens()).await {
            Ok(tokens) => tokens,
            Err(e) => return error_response(&e).into(),
        };
        if tokens
            .iter()
            .find(|t| t.name == name)
            .is_some_and(|t| !admin.covers(&t.pipelines))
        {
            return denied_response(Denied::Forbidden(format!(
                "token `{}` is limited to some pipelines and may only revoke tokens limited to them",
                admin.name
            )))
            .into();
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
        Err(e) => failed(&e),
    }
}

/// The server's own audit events (token changes), which belong to no pipeline.
async fn server_audit_events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    query: QueryOf<AuditQuery>,
) -> Reply<Vec<AuditEvent>> {
    match auth::require(&caller, Role::Read, "reading audit events") {
        Err(denied) => return denied_response(denied).into(),
        // Token changes span every pipeline: not for a token limited to some.
        Ok(token) if !token.pipelines.is_empty() => {
            return denied_response(Denied::Forbidden(format!(
                "token `{}` is limited to some pipelines and the server's audit events are of every pipeline",
                token.name
            )))
            .into();
        }
        Ok(_) => {}
    }
    let Query(q) = match query {
        Ok(q) => q,
        Err(r) => return bad_query(r).into(),
    };
    let filter = AuditFilter {
        limit: q.limit,
        target: q.target,
        actor: q.actor,
    };
    let db = app.db.clone();
    match app.blocking(move || db.audit_events(&filter)).await {
        Ok(events) => ok_json(&events),
        Err(e) => failed(&e),
    }
}

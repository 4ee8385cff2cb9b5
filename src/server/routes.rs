//! The routes: one per store operation, plus tokens, `/v1/whoami`, `/healthz` and
//! `/openapi.json`.
//! Each handler checks the role, parses its input by hand (so every bad input gets the
//! JSON error shape, never axum's plain-text rejection) and runs the store call on a
//! blocking thread.

// A handler's early exit is its response; boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use std::io::BufRead;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::auth::{self, Caller, NewToken, Role, TokenInfo};
use super::db::{Claim, key_request};
use super::{
    App, BODY_LIMIT, IMPORT_BODY_LIMIT, RELEASE_BODY_LIMIT, denied_response, error_response,
    json_response, wire_error,
};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::wire::*;
use crate::store::{
    AuditFilter, HistoryFilter, ImportMode, KeyedChange, LedgerRecord, NewRollback, ReleaseFilter,
    Store, Unlock, answer_body,
};

type RawBody = std::result::Result<Bytes, BytesRejection>;
type P1 = std::result::Result<Path<String>, PathRejection>;
type P2 = std::result::Result<Path<(String, String)>, PathRejection>;

pub(super) fn routes() -> Router<App> {
    let p = "/v1/pipelines/{pipeline}";
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .route("/v1/whoami", get(whoami))
        .route("/v1/tokens", get(list_tokens).post(create_token))
        .route("/v1/tokens/{name}", delete(revoke_token))
        .route("/v1/audit", get(server_audit_events))
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
        .route(&format!("{p}/deployments"), post(start_deployment))
        .route(&format!("{p}/deployments/{{id}}"), get(deployment))
        .route(
            &format!("{p}/deployments/{{id}}/finish"),
            post(finish_deployment),
        )
        .route(
            &format!("{p}/deployments/{{id}}/log"),
            get(deployment_log).post(append_log),
        )
        .route(&format!("{p}/rollbacks"), post(start_rollback))
        .route(
            &format!("{p}/environments/{{environment}}/history"),
            get(history),
        )
        .route(&format!("{p}/environment-states"), post(environment_states))
        .route(&format!("{p}/locate"), post(locate_commit))
        .route(&format!("{p}/stage-approved"), post(stage_approved))
        .route(&format!("{p}/stages-approved"), post(stages_approved))
        .route(&format!("{p}/locks"), get(locks).post(set_lock))
        .route(&format!("{p}/locks/remove"), post(remove_lock))
        .route(&format!("{p}/engine-snapshot"), post(engine_snapshot))
        .route(&format!("{p}/decisions"), post(apply_decisions))
        .route(
            &format!("{p}/deployments/{{id}}/process"),
            post(record_process),
        )
        .route(&format!("{p}/claims"), post(claim_deployments))
        .route(&format!("{p}/overrides"), post(record_override))
        .route(&format!("{p}/step-results"), post(record_step_result))
        .route(&format!("{p}/retries"), post(retry_release))
        .route(&format!("{p}/stage-records"), post(stage_records))
        .route(&format!("{p}/deployment-phases"), post(deployment_phases))
        .route(&format!("{p}/audit"), get(audit_events))
        .route(&format!("{p}/export"), get(export))
        .route(
            &format!("{p}/import"),
            post(import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

// ---- plumbing --------------------------------------------------------------------

fn ok_json<T: Serialize>(value: &T) -> Response {
    match answer_body(value) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => error_response(&e),
    }
}

fn bad_path(rejection: PathRejection) -> Response {
    wire_error(
        StatusCode::BAD_REQUEST,
        "usage",
        format!("the request path is not valid: {}", rejection.body_text()),
        None,
    )
}

fn bad_query(rejection: QueryRejection) -> Response {
    wire_error(
        StatusCode::BAD_REQUEST,
        "usage",
        format!("the query string is not valid: {}", rejection.body_text()),
        Some("`GET /openapi.json` lists each route's parameters".into()),
    )
}

fn body_bytes(body: RawBody) -> std::result::Result<Bytes, Response> {
    body.map_err(|rejection| {
        let status = rejection.status();
        let kind = if status.is_server_error() {
            "internal"
        } else {
            "usage"
        };
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the request body is larger than this route accepts".to_string()
        } else {
            format!("could not read the request body: {}", rejection.body_text())
        };
        wire_error(status, kind, message, None)
    })
}

fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> std::result::Result<T, Response> {
    serde_json::from_slice(bytes).map_err(|e| {
        wire_error(
            StatusCode::BAD_REQUEST,
            "usage",
            format!("the request body is not the JSON this route takes: {e}"),
            Some("`GET /openapi.json` describes each route's body".into()),
        )
    })
}

fn release_number(text: &str) -> std::result::Result<ReleaseNumber, Response> {
    text.parse().map_err(|e: Error| error_response(&e))
}

fn deployment_id(text: &str) -> std::result::Result<DeploymentId, Response> {
    DeploymentId::parse(text).map_err(|e| error_response(&e))
}

/// A read: needs role `read`.
async fn read<T: Serialize + Send + 'static>(
    app: &App,
    caller: &Caller,
    pipeline: String,
    what: &str,
    op: impl FnOnce(&dyn Store) -> Result<T> + Send + 'static,
) -> Response {
    if let Err(denied) = auth::require(caller, Role::Read, what) {
        return denied_response(denied);
    }
    let stores = app.stores.clone();
    match app
        .blocking(move || op(stores.get(&pipeline)?.as_ref()))
        .await
    {
        Ok(value) => ok_json(&value),
        Err(e) => error_response(&e),
    }
}

/// The actor to record: the token's name, or the actor the client names when the token
/// may delegate (a CI token passing the person who merged).
fn actor_for(token: &TokenInfo, claimed: &str) -> String {
    if token.delegate && !claimed.trim().is_empty() {
        claimed.to_string()
    } else {
        token.name.clone()
    }
}

/// Everything a mutation needs besides its own body.
struct Mutation<'a> {
    app: &'a App,
    caller: &'a Caller,
    pipeline: String,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
    what: &'static str,
}

/// A mutation: authenticates, parses the body as `B`, checks the role `B` needs, and runs
/// `op` at most once per idempotency key (a retry gets the first response again).
///
/// With a key, a store that can (PostgreSQL) runs the claim, the mutation and its stored
/// answer in one transaction: a server killed after the commit has the answer stored,
/// and one killed before it left nothing. Otherwise (SQLite, a key seen before, a failed
/// mutation) the key is claimed before and answered after, each its own transaction.
async fn mutate<B, T>(
    m: Mutation<'_>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
) -> Response
where
    B: DeserializeOwned + Clone + Send + 'static,
    T: Serialize,
{
    mutate_keyed(m, role, op, None).await
}

/// How a route's mutation turns into a [`KeyedChange`] for [`Store::record_with_key`]
/// (recording a deployment's start or finish: the busiest writes); `None` when this
/// request is not one (e.g. it is malformed: the ordinary way refuses it).
type Keyed<B> = Box<dyn Fn(B, &TokenInfo) -> Option<KeyedChange> + Send + 'static>;

/// [`mutate`], trying [`Store::record_with_key`] first when the request has a key.
async fn mutate_keyed<B, T>(
    m: Mutation<'_>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
    keyed: Option<Keyed<B>>,
) -> Response
where
    B: DeserializeOwned + Clone + Send + 'static,
    T: Serialize,
{
    mutate_parsed(m, |bytes| parse_body(bytes), role, op, keyed).await
}

/// [`mutate_keyed`] with a body that `parse` reads (not every body is one JSON value).
async fn mutate_parsed<B, T>(
    m: Mutation<'_>,
    parse: impl FnOnce(&Bytes) -> std::result::Result<B, Response>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
    keyed: Option<Keyed<B>>,
) -> Response
where
    B: Clone + Send + 'static,
    T: Serialize,
{
    // Authenticate before reading anything else.
    if let Err(denied) = auth::require(m.caller, Role::Read, m.what) {
        return denied_response(denied);
    }
    let bytes = match body_bytes(m.body) {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let input: B = match parse(&bytes) {
        Ok(input) => input,
        Err(response) => return response,
    };
    let token = match auth::require(m.caller, role(&input), m.what) {
        Ok(token) => token,
        Err(denied) => return denied_response(denied),
    };
    let key = match idempotency_key(&m.headers) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let request_digest: [u8; 32] = {
        let mut hash = Sha256::new();
        hash.update(m.method.as_str());
        hash.update(b" ");
        hash.update(m.uri.path());
        hash.update(b"\n");
        hash.update(&bytes);
        hash.finalize().into()
    };
    let stores = m.app.stores.clone();
    let db = m.app.db.clone();
    let pipeline = m.pipeline;
    let outcome = m
        .app
        .blocking(move || {
            let store = stores.get(&pipeline);
            // A SQLite ledger keeps its pipeline's keys itself: both ways below use them.
            let ledger = store.as_ref().ok().and_then(|s| s.idempotency_keys());
            if let Some(key) = &key {
                let now = Timestamp::now().as_second();
                let request = key_request(&token.name, key, &request_digest, now);
                if let Ok(store) = &store {
                    if let Some(change) = keyed.as_ref().and_then(|k| k(input.clone(), &token)) {
                        if let Some(deployment) = store.record_with_key(change, &request)? {
                            return Ok((200, answer_body(&deployment)?, false));
                        }
                    }
                    let answered = store.idempotent(&request, &mut |s| {
                        answer_body(&op(s, input.clone(), &token)?)
                    })?;
                    if let Some(body) = answered {
                        return Ok((200, body, false));
                    }
                }
                if let Claim::Replay { status, body } = db.claim(ledger, &request)? {
                    return Ok((status, body, true));
                }
            }
            let result = match &store {
                Ok(store) => op(store.as_ref(), input, &token),
                Err(e) => Err(e.clone()),
            };
            let (status, body) = match result {
                Ok(value) => (200, answer_body(&value)?),
                Err(e) => (
                    super::error_status(&e).as_u16(),
                    serde_json::to_vec(&ErrorBody::from_error(&e)).unwrap_or_default(),
                ),
            };
            if let Some(key) = &key {
                // A server-side failure may go away: let a retry run the operation again.
                if status >= 500 {
                    db.release(ledger, &token.name, key)?;
                } else {
                    db.complete(ledger, &token.name, key, status, &body)?;
                }
            }
            Ok((status, body, false))
        })
        .await;
    match outcome {
        Ok((status, body, replayed)) => {
            let mut response = json_response(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                body,
            );
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

fn idempotency_key(headers: &HeaderMap) -> std::result::Result<Option<String>, Response> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(wire_error(
            StatusCode::BAD_REQUEST,
            "usage",
            "the Idempotency-Key header must be 1 to 200 printable ASCII characters".into(),
            None,
        ));
    }
    Ok(Some(key.to_string()))
}

// ---- service routes --------------------------------------------------------------

async fn healthz() -> Response {
    ok_json(&serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn openapi() -> Response {
    ok_json(&super::openapi::document())
}

/// The caller's own token: what it may do, so a client can refuse an operation before
/// doing the work that leads to it.
async fn whoami(Extension(caller): Extension<Caller>) -> Response {
    match auth::require(&caller, Role::Read, "whoami") {
        Ok(token) => ok_json(&token),
        Err(denied) => denied_response(denied),
    }
}

// ---- tokens (admin) --------------------------------------------------------------

async fn list_tokens(State(app): State<App>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(denied) = auth::require(&caller, Role::Admin, "listing tokens") {
        return denied_response(denied);
    }
    let db = app.db.clone();
    match app.blocking(move || db.tokens()).await {
        Ok(tokens) => ok_json(&serde_json::json!({ "tokens": tokens })),
        Err(e) => error_response(&e),
    }
}

async fn create_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
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
    let db = app.db.clone();
    match app
        .blocking(move || db.create_token(&new, &admin.name, Timestamp::now()))
        .await
    {
        Ok(created) => {
            tracing::info!(token = %created.token.name, role = %created.token.role, by = %admin_name(&caller), "token created");
            ok_json(&created)
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
    let db = app.db.clone();
    let by = admin.name.clone();
    match app
        .blocking(move || db.revoke_token(&name, &by, q.reason.as_deref(), Timestamp::now()))
        .await
    {
        Ok(token) => {
            tracing::info!(token = %token.name, by = %admin_name(&caller), "token revoked");
            ok_json(&token)
        }
        Err(e) => error_response(&e),
    }
}

// ---- releases --------------------------------------------------------------------

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

// ---- deployments -----------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
async fn start_deployment(
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
        what: "starting a deployment",
    };
    // Recording a rollback or overriding the promotion checks is an operator's call.
    let role = |d: &NewDeployment| {
        if d.force || d.kind == DeploymentKind::Rollback {
            Role::Operator
        } else {
            Role::Deploy
        }
    };
    let start = |mut new: NewDeployment, token: &TokenInfo| {
        new.actor = actor_for(token, &new.actor);
        new
    };
    mutate_keyed(
        m,
        role,
        move |s, new, token| s.start_deployment(start(new, token)),
        Some(Box::new(move |new, token| {
            Some(KeyedChange::Start(start(new, token)))
        })),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn finish_deployment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body,
        what: "finishing a deployment",
    };
    // The body must name the deployment the path names.
    let finish = move |mut finish: FinishDeployment, token: &TokenInfo| {
        if finish.id != id {
            return Err(Error::usage(format!(
                "the body names deployment {} but the path names {id}",
                finish.id
            )));
        }
        finish.actor = actor_for(token, &finish.actor);
        Ok(finish)
    };
    mutate_keyed(
        m,
        |_: &FinishDeployment| Role::Deploy,
        {
            let finish = finish.clone();
            move |s, body, token| s.finish_deployment(finish(body, token)?)
        },
        Some(Box::new(move |body, token| {
            finish(body, token).ok().map(KeyedChange::Finish)
        })),
    )
    .await
}

async fn deployment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    read(&app, &caller, pipeline, "reading a deployment", move |s| {
        s.deployment(&id)
    })
    .await
}

async fn deployment_log(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    read(
        &app,
        &caller,
        pipeline,
        "reading a deployment's log",
        move |s| s.deployment_log(&id),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn append_log(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body,
        what: "appending to a deployment's log",
    };
    mutate(
        m,
        |_: &AppendLogRequest| Role::Deploy,
        move |s, req: AppendLogRequest, _| {
            s.append_log(&id, &req.lines)
                .map(|()| serde_json::json!({"appended": req.lines.len()}))
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn start_rollback(
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
        what: "a rollback",
    };
    mutate(
        m,
        |_: &NewRollback| Role::Operator,
        |s, mut rollback: NewRollback, token| {
            rollback.actor = actor_for(token, &rollback.actor);
            s.start_rollback(rollback)
        },
    )
    .await
}

// ---- views -----------------------------------------------------------------------

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

/// A read whose input is a JSON body.
async fn read_with<B, T>(
    app: &App,
    caller: &Caller,
    path: P1,
    body: RawBody,
    what: &'static str,
    op: impl FnOnce(&dyn Store, B) -> Result<T> + Send + 'static,
) -> Response
where
    B: DeserializeOwned + Send + 'static,
    T: Serialize + Send + 'static,
{
    if let Err(denied) = auth::require(caller, Role::Read, what) {
        return denied_response(denied);
    }
    let Path(pipeline) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let input: B = match body_bytes(body).and_then(|b| parse_body(&b)) {
        Ok(input) => input,
        Err(response) => return response,
    };
    read(app, caller, pipeline, what, move |s| op(s, input)).await
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

// ---- locks -----------------------------------------------------------------------

async fn locks(State(app): State<App>, Extension(caller): Extension<Caller>, path: P1) -> Response {
    let Path(pipeline) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    read(&app, &caller, pipeline, "listing locks", |s| s.locks()).await
}

#[allow(clippy::too_many_arguments)]
async fn set_lock(
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
        what: "disabling promotions",
    };
    mutate(
        m,
        |_: &Lock| Role::Operator,
        |s, mut lock: Lock, token| {
            lock.actor = actor_for(token, &lock.actor);
            s.set_lock(lock.clone()).map(|()| lock)
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn remove_lock(
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
        what: "enabling promotions",
    };
    mutate(
        m,
        |_: &Unlock| Role::Operator,
        |s, mut unlock: Unlock, token| {
            unlock.actor = actor_for(token, &unlock.actor);
            s.remove_lock(unlock).map(|lifted| Lifted { lifted })
        },
    )
    .await
}

// ---- the run loop's operations ----------------------------------------------------

async fn engine_snapshot(
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
        "reading the engine snapshot",
        |s, r: EngineSnapshotRequest| s.engine_snapshot(&r.stages, r.at),
    )
    .await
}

async fn stage_records(
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
        "reading stage records",
        |s, r: StageRecordsRequest| s.stage_records(&r.stages, r.limit),
    )
    .await
}

async fn deployment_phases(
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
        "reading deployment phases",
        |s, r: DeploymentPhasesRequest| s.deployment_phases(&r.ids),
    )
    .await
}

/// A mutation route of one pipeline: `$role` for body `$body`, then `$op`.
macro_rules! pipeline_mutation {
    ($name:ident, $what:literal, $body:ty, $role:expr, $op:expr) => {
        async fn $name(
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
                what: $what,
            };
            mutate(m, $role, $op).await
        }
    };
}

/// The role a batch of decisions needs (see the comment above `apply_decisions`).
fn batch_role(batch: &crate::store::DecisionBatch) -> Role {
    let starts_normal = batch.decisions.iter().any(|d| {
        matches!(
            d,
            crate::engine::Decision::StartDeployment {
                kind: DeploymentKind::Normal,
                ..
            }
        )
    });
    if batch.runner.is_some() || starts_normal {
        Role::Operator
    } else {
        Role::Deploy
    }
}

// The loop starts and finishes deployments on its own, rollbacks included: an operator's
// power. A CI command's pass (no loop, no normal starts: it records what its own reports
// and the engine's rules decide) is a deploy token's.
pipeline_mutation!(
    apply_decisions,
    "applying the run loop's decisions",
    crate::store::DecisionBatch,
    batch_role,
    |s: &dyn Store, mut batch: crate::store::DecisionBatch, token: &TokenInfo| {
        batch.actor = actor_for(token, &batch.actor);
        s.apply_decisions(batch)
    }
);
pipeline_mutation!(
    claim_deployments,
    "taking over deployments",
    ClaimRequest,
    |_: &ClaimRequest| Role::Operator,
    |s: &dyn Store, r: ClaimRequest, _: &TokenInfo| s
        .claim_deployments(r.runner.as_ref(), &r.claims)
);
pipeline_mutation!(
    record_override,
    "overriding a blocker",
    crate::store::run_records::OverrideRecord,
    |_: &crate::store::run_records::OverrideRecord| Role::Operator,
    |s: &dyn Store, mut r: crate::store::run_records::OverrideRecord, token: &TokenInfo| {
        r.actor = actor_for(token, &r.actor);
        s.record_override(r)
            .map(|()| serde_json::json!({"recorded": true}))
    }
);
pipeline_mutation!(
    record_step_result,
    "approving or rejecting a step",
    crate::store::StepVerdict,
    |_: &crate::store::StepVerdict| Role::Operator,
    |s: &dyn Store, mut v: crate::store::StepVerdict, token: &TokenInfo| {
        v.actor = actor_for(token, &v.actor);
        s.record_step_result(v)
            .map(|()| serde_json::json!({"recorded": true}))
    }
);

// Deploying a failed release again is a person's judgement of its failure.
pipeline_mutation!(
    retry_release,
    "retrying a release",
    crate::store::RetryRequest,
    |_: &crate::store::RetryRequest| Role::Operator,
    |s: &dyn Store, mut r: crate::store::RetryRequest, token: &TokenInfo| {
        r.actor = actor_for(token, &r.actor);
        s.retry_release(r)
    }
);

#[allow(clippy::too_many_arguments)]
async fn record_process(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P2,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let Path((pipeline, id)) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    let id = match deployment_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body,
        what: "recording a process",
    };
    mutate(
        m,
        |_: &RecordProcessRequest| Role::Deploy,
        move |s, r: RecordProcessRequest, _| {
            s.record_process(&id, &r.runner, r.process)
                .map(|()| serde_json::json!({"recorded": true}))
        },
    )
    .await
}

// ---- audit, export, import -------------------------------------------------------

#[derive(serde::Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
    target: Option<String>,
    actor: Option<String>,
}

async fn audit_events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: std::result::Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    let (Path(pipeline), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r),
        (_, Err(r)) => return bad_query(r),
    };
    let filter = AuditFilter {
        limit: q.limit,
        target: q.target,
        actor: q.actor,
    };
    read(&app, &caller, pipeline, "reading audit events", move |s| {
        s.audit_events(&filter)
    })
    .await
}

/// The server's own audit events (token changes), which belong to no pipeline.
async fn server_audit_events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    if let Err(denied) = auth::require(&caller, Role::Read, "reading audit events") {
        return denied_response(denied);
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

async fn export(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> Response {
    if let Err(denied) = auth::require(&caller, Role::Read, "exporting the ledger") {
        return denied_response(denied);
    }
    let Path(pipeline) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r),
    };
    // The lines go out as the store reads them, a chunk at a time, so a big ledger is
    // never in memory whole. What fails before the first chunk is answered as an error;
    // what fails after it cuts the answer off (the client then says at which line).
    let (chunks, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    let (started, first) = tokio::sync::oneshot::channel::<Result<()>>();
    let stores = app.stores.clone();
    let producer = app.clone();
    tokio::spawn(async move {
        let mut started = Some(started);
        let outcome = producer
            .blocking(move || {
                let mut buffer = Vec::with_capacity(EXPORT_CHUNK);
                let mut send = |buffer: &mut Vec<u8>| -> Result<()> {
                    if let Some(started) = started.take() {
                        let _ = started.send(Ok(()));
                    }
                    chunks
                        .blocking_send(Ok(Bytes::from(std::mem::take(buffer))))
                        .map_err(|_| Error::failed("the client stopped reading the export"))
                };
                let exported = stores.get(&pipeline).and_then(|store| {
                    store.export(&mut |record| {
                        serde_json::to_writer(&mut buffer, &record).map_err(|e| {
                            Error::internal(format!("could not encode the export: {e}"))
                        })?;
                        buffer.push(b'\n');
                        if buffer.len() >= EXPORT_CHUNK {
                            send(&mut buffer)?;
                        }
                        Ok(())
                    })
                });
                match exported {
                    Ok(()) => send(&mut buffer),
                    Err(e) => match started.take() {
                        Some(started) => {
                            let _ = started.send(Err(e));
                            Ok(())
                        }
                        None => {
                            let cut = std::io::Error::other(e.message.clone());
                            let _ = chunks.blocking_send(Err(cut));
                            Err(e)
                        }
                    },
                }
            })
            .await;
        if let Err(e) = outcome {
            tracing::warn!(error = %e.message, "the export was cut off");
        }
    });
    match first.await {
        Ok(Ok(())) => {
            let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
                receiver.recv().await.map(|chunk| (chunk, receiver))
            });
            let mut response = Response::new(Body::from_stream(stream));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-ndjson"),
            );
            response
        }
        Ok(Err(e)) => error_response(&e),
        Err(_) => error_response(&Error::internal("the export stopped before it began")),
    }
}

/// How many bytes of an export's lines go out at a time.
const EXPORT_CHUNK: usize = 64 * 1024;

#[derive(serde::Deserialize)]
struct ImportQuery {
    merge: Option<bool>,
}

#[allow(clippy::too_many_arguments)]
async fn import(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: std::result::Result<Query<ImportQuery>, QueryRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: RawBody,
) -> Response {
    let (Path(pipeline), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r),
        (_, Err(r)) => return bad_query(r),
    };
    let mode = if q.merge.unwrap_or(false) {
        ImportMode::Merge
    } else {
        ImportMode::EmptyOnly
    };
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body,
        what: "importing a ledger",
    };
    // The body is JSON Lines, not one JSON value: the records are read from it line by
    // line as the store takes them (`Bytes` is shared, not copied, for each attempt).
    mutate_parsed(
        m,
        |bytes| Ok(bytes.clone()),
        |_| Role::Admin,
        move |s, lines: Bytes, _| {
            let mut records = lines[..].lines().enumerate().map(|(i, line)| {
                let line =
                    line.map_err(|e| Error::usage(format!("line {}: could not read: {e}", i + 1)))?;
                serde_json::from_str::<LedgerRecord>(&line)
                    .map_err(|e| Error::usage(format!("line {}: not a ledger record: {e}", i + 1)))
            });
            s.import(&mut records, mode)
        },
        None,
    )
    .await
}

//! The routes of `captain serve`, one file per resource, each registering its own routes:
//! [`meta`] (`/healthz`, `/openapi.json`, `/v1/whoami`), [`tokens`] (and the server's
//! own audit), [`releases`], [`deployments`], [`rollbacks`], [`environments`] (history,
//! states, where a commit is) and stage approvals, [`locks`], [`run_loop`] (what `captain
//! run` and the CI commands' passes ask), [`ledger`] (audit, export, import), and
//! [`views`] (the CLI's views, computed here).
//!
//! Each route file registers a route and its documentation in one call (see
//! [`crate::server::openapi`]): the handler's types are the schemas — the path struct,
//! [`JsonBody<B>`], [`Reply<T>`] — and `needs(role)` is both the documented and the
//! enforced least role, checked before the handler reads anything.
//!
//! This file holds what every handler shares: each parses its input by hand (so every
//! bad input gets the JSON error shape, never axum's plain-text rejection), checks a
//! role the body may raise, and runs the store call on a blocking thread ([`read`],
//! [`mutate`]).

// A handler's early exit is its response; boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use aide::axum::ApiRouter;
use aide::axum::routing::{delete_with, get_with, post_with};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::{self, Caller, CreatedToken, NewToken, Role, TokenInfo};
use super::db::{Claim, key_request};
use super::openapi::{
    JsonBody, JsonLinesBody, JsonLinesReply, Reply, needs, needs_escalated, public,
};
use super::{
    App, BODY_LIMIT, IMPORT_BODY_LIMIT, RELEASE_BODY_LIMIT, denied_response, error_response,
    json_response, wire_error,
};
use std::sync::Arc;

use crate::engine::BlockerOverride;
use crate::error::{Error, Result};
use crate::model::*;
use crate::ops::deploy::Finished;
use crate::ops::deploy::StartRequest;
use crate::ops::gate::{BakeView, NextView, RetryView};
use crate::ops::pass::{LoopAnswer, LoopPass};
use crate::ops::rules::{
    BakeRequest, FinishRequest, Local, NextRequest, OverrideRequest, RetryCommand, Rules,
    VerdictRequest,
};
use crate::server::registry::Registered;
use crate::store::run_records::{ActiveRecord, EngineSnapshot, StageRecord};
use crate::store::wire::*;
use crate::store::{
    AuditFilter, HistoryFilter, ImportMode, ImportSummary, KeyedChange, LedgerRecord, LogLine,
    NewRollback, ReleaseFilter, Store, Unlock, answer_body,
};

type RawBody = std::result::Result<Bytes, BytesRejection>;
/// A route's path parameters, the struct `T`; the handler answers a bad one itself.
type PathOf<T> = std::result::Result<Path<T>, PathRejection>;
type P1 = PathOf<PipelinePath>;
/// A route's query parameters, the struct `T`.
type QueryOf<T> = std::result::Result<Query<T>, QueryRejection>;

/// The regular expression of a pipeline name (see [`super::check_pipeline_name`]).
const PIPELINE_PATTERN: &str = r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$";
/// The regular expression of a deployment id ([`DeploymentId::parse`]).
const DEPLOYMENT_ID_PATTERN: &str = r"^(deploy-)?[0-9A-Fa-f]{6,}$";

/// A full commit sha, as [`full_sha`] takes it.
const FULL_SHA_PATTERN: &str = r"^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$";

/// A full commit sha from a path, lower-cased; anything else is a usage error.
fn full_sha(text: &str) -> std::result::Result<String, Response> {
    if (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(error_response(
            &Error::usage(format!("`{text}` is not a full commit sha"))
                .with_hint("give the commit's 40 hex digits"),
        ))
    }
}

/// `/v1/pipelines/{pipeline}/…`
#[derive(Deserialize, JsonSchema)]
struct PipelinePath {
    /// The pipeline's name, as in its pipeline.toml.
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
}

/// `…/deployments/{id}…`
#[derive(Deserialize, JsonSchema)]
struct DeploymentPath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// A deployment id, `deploy-1d5fb5` (or its bare hex).
    #[schemars(regex(pattern = DEPLOYMENT_ID_PATTERN))]
    id: String,
}

/// `…/releases/{number}…`
#[derive(Deserialize, JsonSchema)]
struct ReleasePath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// A release number, `v12` (or `12`).
    #[schemars(regex(pattern = crate::model::RELEASE_NUMBER_PATTERN))]
    number: String,
}

/// `…/stages/{stage}/…`
#[derive(Deserialize, JsonSchema)]
struct StagePath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// A stage of the pipeline.
    stage: String,
}

/// `…/environments/{environment}/…`
#[derive(Deserialize, JsonSchema)]
struct EnvironmentPath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// An environment of the pipeline.
    environment: String,
}

/// `…/commits/{sha}/…`
#[derive(Deserialize, JsonSchema)]
struct CommitPath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// A commit's full sha: 40 hex digits (64 in a SHA-256 repository).
    #[schemars(regex(pattern = FULL_SHA_PATTERN))]
    sha: String,
}

/// `…/definition/versions/{version}`
#[derive(Deserialize, JsonSchema)]
struct VersionPath {
    #[schemars(regex(pattern = PIPELINE_PATTERN), length(max = 100))]
    pipeline: String,
    /// A version of the pipeline's definition, `3` or `v3`.
    #[schemars(regex(pattern = r"^[vV]?[0-9]{1,9}$"))]
    version: String,
}

/// `/v1/tokens/{name}`
#[derive(Deserialize, JsonSchema)]
struct TokenPath {
    /// The token's name.
    #[schemars(regex(pattern = r"^[A-Za-z0-9._@-]{1,64}$"))]
    name: String,
}

/// A route of one pipeline whose rule the server decides ([`decide`]): `$role` for body
/// `$body`, then `$op` with the server's rules.
macro_rules! pipeline_rule {
    ($name:ident, $what:literal, $body:ty => $answer:ty, $role:expr, $op:expr) => {
        pipeline_rule!($name, $what, $body => $answer, $role, $op, None);
    };
    // `keyed`: an `Option<KeyedRule<_>>` (see `decide_keyed`).
    ($name:ident, $what:literal, $body:ty => $answer:ty, $role:expr, $op:expr, $keyed:expr) => {
        #[allow(clippy::too_many_arguments)]
        async fn $name(
            State(app): State<App>,
            Extension(caller): Extension<Caller>,
            Extension(registered): Extension<Arc<Registered>>,
            path: P1,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: JsonBody<$body>,
        ) -> Reply<$answer> {
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
                what: $what,
            };
            decide_keyed(m, registered, $role, $op, $keyed).await
        }
    };
}

mod deployments;
mod environments;
mod ledger;
mod locks;
mod meta;
mod metrics;
mod notify;
mod pipelines;
mod releases;
mod rollbacks;
mod run_loop;
mod stages;
mod tokens;
mod views;

pub(super) fn routes() -> ApiRouter<App> {
    let p = "/v1/pipelines/{pipeline}";
    ApiRouter::new()
        .merge(meta::routes(p))
        .merge(tokens::routes(p))
        .merge(pipelines::routes(p))
        .merge(releases::routes(p))
        .merge(deployments::routes(p))
        .merge(rollbacks::routes(p))
        .merge(environments::routes(p))
        .merge(metrics::routes(p))
        .merge(locks::routes(p))
        .merge(run_loop::routes(p))
        .merge(stages::routes(p))
        .merge(ledger::routes(p))
        .merge(notify::routes(p))
        .merge(views::routes(p))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The answer of appending to a log.
#[derive(Serialize, JsonSchema)]
struct Appended {
    /// How many lines were appended.
    appended: usize,
}

/// The answer of recording a process.
#[derive(Serialize, JsonSchema)]
struct Recorded {
    recorded: bool,
}

/// The tokens, live and revoked.
#[derive(Serialize, JsonSchema)]
struct TokenList {
    tokens: Vec<TokenInfo>,
}

/// The pipelines a server holds.
#[derive(Serialize, JsonSchema)]
struct PipelineList {
    pipelines: Vec<crate::server::registry::RegisteredPipeline>,
}

/// What `/healthz` answers.
#[derive(Serialize, JsonSchema)]
struct Health {
    /// Always `ok`.
    status: &'static str,
    /// The server's version.
    version: &'static str,
}

fn ok_json<T: Serialize>(value: &T) -> Reply<T> {
    match answer_body(value) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => error_response(&e),
    }
    .into()
}

/// An error as a [`Reply`] of any type.
fn failed<T>(e: &Error) -> Reply<T> {
    error_response(e).into()
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
    // Every route's body is a JSON object; serde would also read a struct from an array
    // of its fields in order (`[null]` passed as `{}`), which no schema allows.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(wire_error(
            StatusCode::BAD_REQUEST,
            "usage",
            "the request body must be a JSON object".to_string(),
            Some("`GET /openapi.json` describes each route's body".into()),
        ));
    }
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
) -> Reply<T> {
    if let Err(denied) = auth::require(caller, Role::Read, what) {
        return denied_response(denied).into();
    }
    let stores = app.stores.clone();
    match app
        .blocking(move || op(stores.get(&pipeline)?.as_ref()))
        .await
    {
        Ok(value) => ok_json(&value),
        Err(e) => failed(&e),
    }
}

/// A view: a [`read`] whose reads all see one snapshot of the ledger (one transaction on
/// PostgreSQL, not one per read). Not for a read that asks the network (gates probe
/// alarm sources): it would hold a pooled connection meanwhile.
async fn read_view<T: Serialize + Send + 'static>(
    app: &App,
    caller: &Caller,
    pipeline: String,
    what: &str,
    op: impl FnOnce(&dyn Store) -> Result<T> + Send + 'static,
) -> Reply<T> {
    read(app, caller, pipeline, what, move |s| {
        crate::store::in_one_snapshot(s, op)
    })
    .await
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

/// Everything a mutation needs; its body is the `B` its handler documents.
struct Mutation<'a, B> {
    app: &'a App,
    caller: &'a Caller,
    pipeline: String,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<B>,
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
    m: Mutation<'_, B>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
) -> Reply<T>
where
    B: DeserializeOwned + Clone + Send + 'static,
    T: Serialize,
{
    mutate_keyed(m, role, op, None).await
}

/// How a route's mutation decides the [`KeyedChange`] it records (a deployment's start,
/// one of the busiest writes: the rule is decided first, with no transaction open), so a
/// store that can records it with the request's key in one transaction
/// ([`Store::record_with_key`]): no claim before and no answer after. Where it cannot (a
/// key seen before, SQLite) the key is claimed and the change decided here is recorded
/// the ordinary way, not decided again. The answer is the deployment.
type Keyed<B> = Box<dyn Fn(&dyn Store, B, &TokenInfo) -> Result<KeyedChange> + Send + 'static>;

/// [`mutate`], trying [`Store::record_with_key`] first when the request has a key.
async fn mutate_keyed<B, T>(
    m: Mutation<'_, B>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
    keyed: Option<Keyed<B>>,
) -> Reply<T>
where
    B: DeserializeOwned + Clone + Send + 'static,
    T: Serialize,
{
    mutate_parsed(m, |bytes| parse_body(bytes), role, op, keyed).await
}

/// [`mutate_keyed`] with a body that `parse` reads (not every body is one JSON value).
async fn mutate_parsed<D, B, T>(
    m: Mutation<'_, D>,
    parse: impl FnOnce(&Bytes) -> std::result::Result<B, Response>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
    keyed: Option<Keyed<B>>,
) -> Reply<T>
where
    B: Clone + Send + 'static,
    T: Serialize,
{
    mutate_with(m, parse, role, op, keyed, true).await
}

/// What time it is for a rule the server decides: its own clock, unless it was started
/// to trust the time its clients send (`serve --trust-client-clock`, for tests only).
#[derive(Clone, Copy)]
struct Clock {
    trust_client: bool,
}

impl Clock {
    fn now(self, client: Timestamp) -> Timestamp {
        if self.trust_client {
            client
        } else {
            Timestamp::now()
        }
    }
}

/// A command whose rule the server decides (see [`crate::ops::rules`]): authenticates,
/// parses `B`, checks the role it needs, then runs `op` with the pipeline the server
/// holds, its own probes and clock (see [`decision_time`]) — once per idempotency key,
/// the key claimed before and answered after (not one transaction: a rule may ask alarm
/// sources over the network, which must not happen while the ledger is locked). A start
/// records its key with the change instead (see [`decide_keyed`]).
async fn decide<B, T>(
    m: Mutation<'_, B>,
    registered: Arc<Registered>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&Local<'_>, B, &TokenInfo, Clock) -> Result<T> + Send + 'static,
) -> Reply<T>
where
    B: DeserializeOwned + Clone + Send + 'static,
    T: Serialize,
{
    decide_keyed(m, registered, role, op, None).await
}

/// How a rule's route decides the [`KeyedChange`] it records (see [`Keyed`]).
type KeyedRule<B> = Box<dyn Fn(&Local<'_>, B, &TokenInfo, Clock) -> Result<KeyedChange> + Send>;

/// [`decide`], where `keyed` decides the change `op` would record, so that a store that
/// can records it with the request's idempotency key in one transaction.
async fn decide_keyed<B, T>(
    m: Mutation<'_, B>,
    registered: Arc<Registered>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&Local<'_>, B, &TokenInfo, Clock) -> Result<T> + Send + 'static,
    keyed: Option<KeyedRule<B>>,
) -> Reply<T>
where
    B: DeserializeOwned + Clone + Send + 'static,
    T: Serialize,
{
    let clock = Clock {
        trust_client: m.app.trust_client_clock,
    };
    let keyed = keyed.map(|keyed| -> Keyed<B> {
        let registered = registered.clone();
        Box::new(move |store: &dyn Store, input: B, token: &TokenInfo| {
            let probes = crate::exec::Probes::default();
            let local = Local {
                store,
                pipeline: &registered.pipeline,
                probes: &probes,
            };
            keyed(&local, input, token, clock)
        })
    });
    let op = move |store: &dyn Store, input: B, token: &TokenInfo| {
        let probes = crate::exec::Probes::default();
        let local = Local {
            store,
            pipeline: &registered.pipeline,
            probes: &probes,
        };
        op(&local, input, token, clock)
    };
    mutate_with(m, |bytes| parse_body(bytes), role, op, keyed, false).await
}

/// The mutation plumbing; `transactional`: the store may run `op` in one transaction
/// with the key's claim and answer.
async fn mutate_with<D, B, T>(
    m: Mutation<'_, D>,
    parse: impl FnOnce(&Bytes) -> std::result::Result<B, Response>,
    role: impl FnOnce(&B) -> Role,
    op: impl Fn(&dyn Store, B, &TokenInfo) -> Result<T> + Send + 'static,
    keyed: Option<Keyed<B>>,
    transactional: bool,
) -> Reply<T>
where
    B: Clone + Send + 'static,
    T: Serialize,
{
    // Authenticate before reading anything else.
    if let Err(denied) = auth::require(m.caller, Role::Read, m.what) {
        return denied_response(denied).into();
    }
    let bytes = match body_bytes(m.body.raw) {
        Ok(bytes) => bytes,
        Err(response) => return response.into(),
    };
    let input: B = match parse(&bytes) {
        Ok(input) => input,
        Err(response) => return response.into(),
    };
    let token = match auth::require(m.caller, role(&input), m.what) {
        Ok(token) => token,
        Err(denied) => return denied_response(denied).into(),
    };
    let key = match idempotency_key(&m.headers) {
        Ok(key) => key,
        Err(response) => return response.into(),
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
            // The change `keyed` decided, when the key could not be recorded with it.
            let mut decided = None;
            if let Some(key) = &key {
                let now = Timestamp::now().as_second();
                let request = key_request(&token.name, key, &request_digest, now);
                if let Ok(store) = &store {
                    if let Some(keyed) = &keyed {
                        let change = keyed(store.as_ref(), input.clone(), &token);
                        if let Ok(change) = &change
                            && let Some(answer) = store.record_with_key(change.clone(), &request)?
                        {
                            return Ok((200, answer, false));
                        }
                        // A rule's change is not decided again; a plain mutation takes
                        // the transactional way below.
                        if !transactional {
                            decided = Some(change);
                        }
                    }
                    if transactional {
                        let answered = store.idempotent(&request, &mut |s| {
                            answer_body(&op(s, input.clone(), &token)?)
                        })?;
                        if let Some(body) = answered {
                            return Ok((200, body, false));
                        }
                    }
                }
                if let Claim::Replay { status, body } = db.claim(ledger, &request)? {
                    return Ok((status, body, true));
                }
            }
            let result = match (&store, decided) {
                (Ok(store), Some(change)) => {
                    change.and_then(|change| change.record(store.as_ref()))
                }
                (Ok(store), None) => {
                    op(store.as_ref(), input, &token).and_then(|value| answer_body(&value))
                }
                (Err(e), _) => Err(e.clone()),
            };
            let (status, body) = match result {
                Ok(body) => (200, body),
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
            response.into()
        }
        Err(e) => failed(&e),
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

/// A read whose input is a JSON body.
async fn read_with<B, T>(
    app: &App,
    caller: &Caller,
    path: P1,
    body: JsonBody<B>,
    what: &'static str,
    op: impl FnOnce(&dyn Store, B) -> Result<T> + Send + 'static,
) -> Reply<T>
where
    B: DeserializeOwned + Send + 'static,
    T: Serialize + Send + 'static,
{
    if let Err(denied) = auth::require(caller, Role::Read, what) {
        return denied_response(denied).into();
    }
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let input: B = match body_bytes(body.raw).and_then(|b| parse_body(&b)) {
        Ok(input) => input,
        Err(response) => return response.into(),
    };
    read(app, caller, pipeline, what, move |s| op(s, input)).await
}

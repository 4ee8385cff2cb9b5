//! The web view of the pipeline: read-only, server-rendered pages served by `captain
//! serve` at `/` (beside the API) and by `captain ui` on the local ledger.
//!
//! The pages show the CLI's own views — [`crate::views::status`], `history`,
//! `where_commit`, `release` and [`crate::ops::gate::gates`] — built by the same
//! functions the CLI and the JSON view routes (`/v1/pipelines/{p}/views/…`) call; this
//! room only lays them out ([`pages`], compile-checked maud templates). Every asset is
//! embedded ([`assets`]); the one script polls the page it is on and swaps the parts
//! marked `data-live` when the ledger changed, and stops while the tab is hidden.
//!
//! On a server every page needs a token of role `read` or higher: the sign-in page
//! exchanges it for a session cookie ([`session`]), and the token's pipelines limit what
//! it shows. Nothing here writes to a ledger: the only forms are the searches (GET) and
//! signing in and out.

mod assets;
mod pages;
pub(crate) mod session;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use maud::Markup;
use serde::Deserialize;

use crate::config::Pipeline;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{ReleaseNumber, Timestamp};
use crate::server::App;
use crate::server::auth::{self, Caller, Role, TokenInfo};
use crate::store::{AuditFilter, HistoryFilter, Store};

/// Where the pages' data comes from.
pub(crate) enum Source {
    /// `captain serve`: every registered pipeline; sign-in with a token.
    Server(App),
    /// `captain ui`: one pipeline and its ledger, on loopback, no sign-in.
    Local {
        pipeline: Arc<Pipeline>,
        store: Arc<dyn Store>,
        /// The clock of the pages (`CAPTAIN_NOW` when the CLI pins it).
        clock: fn() -> Timestamp,
    },
}

/// The pages' state.
#[derive(Clone)]
pub(crate) struct Web {
    source: Arc<Source>,
    sessions: Arc<session::Sessions>,
    /// Cookies get `Secure` (the server serves TLS).
    secure: bool,
    request_timeout: Duration,
}

/// A pipeline's pages' data: its definition and ledger.
struct Opened {
    pipeline: Arc<Pipeline>,
    store: Arc<dyn Store>,
}

/// Who is looking: a token on a server, anyone on `captain ui`.
#[derive(Clone)]
pub(crate) enum Viewer {
    Local,
    Token(TokenInfo),
}

impl Viewer {
    fn name(&self) -> Option<&str> {
        match self {
            Viewer::Local => None,
            Viewer::Token(t) => Some(&t.name),
        }
    }
}

/// The largest form a page takes (sign-in).
const FORM_LIMIT: usize = 16 << 10;

impl Web {
    fn new(source: Source, secure: bool, request_timeout: Duration) -> Web {
        Web {
            source: Arc::new(source),
            sessions: Arc::new(session::Sessions::new(session::SESSION_TTL)),
            secure,
            request_timeout,
        }
    }

    /// The pages of `captain serve`.
    pub(crate) fn for_server(app: App, secure: bool) -> Web {
        let timeout = app.limits.request_timeout;
        Web::new(Source::Server(app), secure, timeout)
    }

    /// The pages of `captain ui`.
    pub(crate) fn local(
        pipeline: Arc<Pipeline>,
        store: Arc<dyn Store>,
        clock: fn() -> Timestamp,
    ) -> Web {
        Web::new(
            Source::Local {
                pipeline,
                store,
                clock,
            },
            false,
            Duration::from_secs(30),
        )
    }

    fn now(&self) -> Timestamp {
        match &*self.source {
            Source::Server(_) => Timestamp::now(),
            Source::Local { clock, .. } => clock(),
        }
    }

    /// Runs a store call off the async threads (on a server, in its turn with the API's).
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        match &*self.source {
            Source::Server(app) => app.blocking(f).await,
            Source::Local { .. } => tokio::task::spawn_blocking(f)
                .await
                .unwrap_or_else(|_| Err(Error::internal("a store call failed unexpectedly"))),
        }
    }

    /// [`blocking`](Self::blocking) for a read whose cost grows with the ledger (history,
    /// audit): on a server it takes the heavy reads' lane, as the API's scans do.
    async fn blocking_heavy<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        match &*self.source {
            Source::Server(app) => app.blocking_heavy(f).await,
            Source::Local { .. } => self.blocking(f).await,
        }
    }

    /// The viewer of a request, or the sign-in page's redirect.
    async fn viewer(
        &self,
        headers: &HeaderMap,
        path: &str,
    ) -> std::result::Result<Viewer, Response> {
        let app = match &*self.source {
            Source::Local { .. } => return Ok(Viewer::Local),
            Source::Server(app) => app,
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|v| v.trim().to_string());
        let cookie = session::cookie_of(headers);
        let secret = match (&bearer, &cookie) {
            (Some(secret), _) => secret.clone(),
            (None, Some(id)) => match self.sessions.secret(id) {
                Some(secret) => secret,
                // Signed out, expired, revoked or from before a restart.
                None => return Err(to_sign_in(path, Some("expired"), self.secure)),
            },
            (None, None) => return Err(to_sign_in(path, None, self.secure)),
        };
        match verify(app, secret).await {
            Ok(Some(token)) => {
                let caller = Caller::Token(token.clone());
                match auth::require(&caller, Role::Read, "reading the pages") {
                    Ok(_) => Ok(Viewer::Token(token)),
                    Err(_) => Err(to_sign_in(path, Some("forbidden"), self.secure)),
                }
            }
            Ok(None) => {
                if let Some(id) = &cookie {
                    self.sessions.end(id);
                }
                Err(to_sign_in(path, Some("expired"), self.secure))
            }
            Err(e) => Err(self.error_page(None, &e)),
        }
    }

    /// A pipeline the viewer may see, with its ledger.
    async fn open(&self, viewer: &Viewer, name: &str) -> Result<Opened> {
        if let Viewer::Token(token) = viewer
            && let Err(auth::Denied::Forbidden(message) | auth::Denied::Unauthenticated(message)) =
                auth::require_pipeline(&Caller::Token(token.clone()), name)
        {
            return Err(Error::not_found(message)
                .with_hint("sign in with a token that may read this pipeline"));
        }
        match &*self.source {
            Source::Local {
                pipeline, store, ..
            } => {
                if pipeline.name == name {
                    Ok(Opened {
                        pipeline: pipeline.clone(),
                        store: store.clone(),
                    })
                } else {
                    Err(Error::not_found(format!(
                        "this page shows pipeline `{}`, not `{name}`",
                        pipeline.name
                    ))
                    .with_hint(
                        "start `captain ui` in that pipeline's repository, or give --pipeline",
                    ))
                }
            }
            Source::Server(app) => {
                let registry = app.registry.clone();
                let stores = app.stores.clone();
                let name = name.to_string();
                app.blocking(move || {
                    let registered = registry.get(&name, &stores)?;
                    Ok(Opened {
                        pipeline: registered.pipeline.clone(),
                        store: stores.get(&name)?,
                    })
                })
                .await
            }
        }
    }

    /// The pipelines the viewer may see: name, version and who pushed it when.
    async fn pipelines(&self, viewer: &Viewer) -> Result<Vec<pages::PipelineRow>> {
        match &*self.source {
            Source::Local { pipeline, .. } => Ok(vec![pages::PipelineRow {
                name: pipeline.name.clone(),
                version: None,
            }]),
            Source::Server(app) => {
                let registry = app.registry.clone();
                let stores = app.stores.clone();
                let listed = app.blocking(move || registry.list(&stores)).await?;
                Ok(listed
                    .into_iter()
                    .filter(|p| match viewer {
                        Viewer::Token(token) => token.may_reach(&p.pipeline),
                        Viewer::Local => true,
                    })
                    .map(|p| pages::PipelineRow {
                        name: p.pipeline.clone(),
                        version: Some(p),
                    })
                    .collect())
            }
        }
    }

    fn error_page(&self, viewer: Option<&Viewer>, e: &Error) -> Response {
        let status = crate::server::error_status(e);
        // A server's own failures are not told to a page (the log has them).
        let shown = if status.is_server_error() && e.kind != ErrorKind::Unavailable {
            Error::internal("the server failed to answer this page; its log says why")
        } else {
            e.clone()
        };
        html(
            status,
            pages::error(
                &pages::Frame::new(viewer.and_then(Viewer::name), None),
                &shown,
            ),
        )
    }
}

async fn verify(app: &App, secret: String) -> Result<Option<TokenInfo>> {
    if let Some(known) = app.db.verify_cached(&secret) {
        return Ok(known);
    }
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || db.verify(&secret))
        .await
        .unwrap_or_else(|_| Err(Error::internal("the token check failed")))
}

/// The routes of the pages, with their state.
pub(crate) fn router(web: Web) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", get(sign_in_page).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/assets/{file}", get(assets::serve))
        .route("/pipelines/{pipeline}", get(pipeline_page))
        .route(
            "/pipelines/{pipeline}/environments/{environment}",
            get(history_page),
        )
        .route("/pipelines/{pipeline}/releases/{number}", get(release_page))
        .route("/pipelines/{pipeline}/commits", get(commit_page))
        .route("/pipelines/{pipeline}/audit", get(audit_page))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::from_fn_with_state(web.clone(), guard))
        .layer(axum::middleware::from_fn(
            crate::server::limits::catch_panic,
        ))
        .with_state(web)
}

/// Every page: within the request timeout, never cached, framed by no other site, and
/// one log line.
async fn guard(State(web): State<Web>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    // An open tab asks every second: its requests log at debug, not info.
    let live = request.headers().contains_key("x-captain-live");
    let mut response = match tokio::time::timeout(web.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => web.error_page(
            None,
            &Error::unavailable("the page did not render in time; try again shortly"),
        ),
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if live {
        tracing::debug!(method = %method, path = %path, status, latency_ms, "page update");
    } else {
        tracing::info!(method = %method, path = %path, status, latency_ms, "page");
    }
    response
}

fn html(status: StatusCode, markup: Markup) -> Response {
    let mut response = Response::new(Body::from(markup.into_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn redirect(to: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// To the sign-in page, coming back to `path` after; a session that ended loses its
/// cookie.
fn to_sign_in(path: &str, why: Option<&str>, secure: bool) -> Response {
    let mut to = format!("/login?next={}", pages::url_escape(path));
    if let Some(why) = why {
        to.push_str(&format!("&why={why}"));
    }
    let mut response = redirect(&to);
    if why == Some("expired")
        && let Ok(cookie) = HeaderValue::from_str(&session::clear_cookie(secure))
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// A local path to return to after signing in (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Runs a page: the viewer, then `render` (an error becomes the error page).
async fn page<F, Fut>(web: Web, headers: HeaderMap, path: String, render: F) -> Response
where
    F: FnOnce(Web, Viewer) -> Fut,
    Fut: std::future::Future<Output = Result<Markup>>,
{
    let viewer = match web.viewer(&headers, &path).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    match render(web.clone(), viewer.clone()).await {
        Ok(markup) => html(StatusCode::OK, markup),
        Err(e) => web.error_page(Some(&viewer), &e),
    }
}

async fn index(State(web): State<Web>, headers: HeaderMap) -> Response {
    page(web, headers, "/".into(), |web, viewer| async move {
        let rows = web.pipelines(&viewer).await?;
        let frame = pages::Frame::new(viewer.name(), None);
        Ok(pages::index(&frame, &rows, matches!(viewer, Viewer::Local)))
    })
    .await
}

#[derive(Deserialize)]
struct SignInQuery {
    next: Option<String>,
    why: Option<String>,
}

async fn sign_in_page(State(web): State<Web>, Query(q): Query<SignInQuery>) -> Response {
    if matches!(&*web.source, Source::Local { .. }) {
        return redirect("/");
    }
    let message = match q.why.as_deref() {
        Some("expired") => Some(
            "Your session ended (signed out, expired, or its token was revoked). Sign in again.",
        ),
        Some("forbidden") => Some("That token may not read this server's pipelines."),
        _ => None,
    };
    html(
        StatusCode::OK,
        pages::sign_in(&safe_next(q.next.as_deref()), message),
    )
}

#[derive(Deserialize)]
struct SignInForm {
    token: String,
    next: Option<String>,
}

async fn sign_in(State(web): State<Web>, body: Bytes) -> Response {
    let Source::Server(app) = &*web.source else {
        return redirect("/");
    };
    let form: SignInForm = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            return html(
                StatusCode::BAD_REQUEST,
                pages::sign_in(
                    "/",
                    Some("The sign-in form was not filled in: paste a token."),
                ),
            );
        }
    };
    let next = safe_next(form.next.as_deref());
    let secret = form.token.trim().to_string();
    let refused = |message: &str| {
        html(
            StatusCode::UNAUTHORIZED,
            pages::sign_in(&next, Some(message)),
        )
    };
    if secret.is_empty() {
        return refused("Paste a token: `captain token create NAME --role read` makes one.");
    }
    match verify(app, secret.clone()).await {
        Ok(Some(token)) => {
            if auth::require(&Caller::Token(token), Role::Read, "reading the pages").is_err() {
                return refused("That token may not read pipelines.");
            }
            let id = web.sessions.create(&secret);
            let mut response = redirect(&next);
            if let Ok(cookie) =
                HeaderValue::from_str(&session::set_cookie(&id, web.sessions.ttl(), web.secure))
            {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Ok(None) => refused("That token is unknown or revoked."),
        Err(e) => web.error_page(None, &e),
    }
}

async fn sign_out(State(web): State<Web>, headers: HeaderMap) -> Response {
    if let Some(id) = session::cookie_of(&headers) {
        web.sessions.end(&id);
    }
    let mut response = redirect("/login");
    if let Ok(cookie) = HeaderValue::from_str(&session::clear_cookie(web.secure)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn pipeline_page(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let path = format!("/pipelines/{name}");
    page(web, headers, path, |web, viewer| async move {
        let opened = web.open(&viewer, &name).await?;
        let now = web.now();
        let (status, gates) = web
            .blocking(move || {
                let store = opened.store.as_ref();
                let status = crate::views::status::build(&opened.pipeline, store, now)?;
                let gates = crate::ops::gate::gates(
                    store,
                    &opened.pipeline,
                    now,
                    &crate::exec::Probes::default(),
                )?;
                Ok((status, gates))
            })
            .await?;
        let frame = pages::Frame::new(viewer.name(), Some(&name));
        Ok(pages::pipeline(&frame, &status, &gates))
    })
    .await
}

#[derive(Deserialize)]
struct HistoryQuery {
    limit: Option<String>,
}

async fn history_page(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((name, environment)): Path<(String, String)>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let path = format!("/pipelines/{name}/environments/{environment}");
    page(web, headers, path, |web, viewer| async move {
        let limit = parse_limit(q.limit.as_deref(), 20, 1000)?;
        let opened = web.open(&viewer, &name).await?;
        let now = web.now();
        let view = web
            .blocking_heavy(move || {
                crate::views::history::build(
                    &opened.pipeline.outline(),
                    opened.store.as_ref(),
                    &environment,
                    &HistoryFilter {
                        limit: Some(limit),
                        since: None,
                    },
                )
            })
            .await?;
        let frame = pages::Frame::new(viewer.name(), Some(&name));
        Ok(pages::history(&frame, &view, limit, now))
    })
    .await
}

fn parse_limit(text: Option<&str>, default: usize, max: usize) -> Result<usize> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(
                Error::usage(format!("limit `{t}` is not a number from 1 to {max}"))
                    .with_hint(format!("e.g. ?limit={default}")),
            ),
        },
    }
}

async fn release_page(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((name, number)): Path<(String, String)>,
) -> Response {
    let path = format!("/pipelines/{name}/releases/{number}");
    page(web, headers, path, |web, viewer| async move {
        let number: ReleaseNumber = number.parse()?;
        let opened = web.open(&viewer, &name).await?;
        let now = web.now();
        let (show, status) = web
            .blocking(move || {
                let store = opened.store.as_ref();
                let show = crate::views::release::ReleaseShow::build(store, None, number)?;
                let status = crate::views::status::build(&opened.pipeline, store, now)?;
                Ok((show, status))
            })
            .await?;
        let frame = pages::Frame::new(viewer.name(), Some(&name));
        Ok(pages::release(&frame, &show, &status))
    })
    .await
}

#[derive(Deserialize)]
struct CommitQuery {
    rev: Option<String>,
}

async fn commit_page(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<CommitQuery>,
) -> Response {
    let path = format!("/pipelines/{name}/commits");
    page(web, headers, path, |web, viewer| async move {
        let opened = web.open(&viewer, &name).await?;
        let now = web.now();
        let rev = q
            .rev
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        let found = match rev.clone() {
            None => None,
            Some(rev) => Some(
                web.blocking(move || {
                    crate::views::where_commit::build(
                        &opened.pipeline.outline(),
                        opened.store.as_ref(),
                        None,
                        &rev,
                    )
                })
                .await,
            ),
        };
        let frame = pages::Frame::new(viewer.name(), Some(&name));
        Ok(pages::commit_search(
            &frame,
            rev.as_deref(),
            found.as_ref(),
            now,
        ))
    })
    .await
}

#[derive(Deserialize)]
struct AuditQuery {
    environment: Option<String>,
    actor: Option<String>,
    limit: Option<String>,
}

async fn audit_page(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Response {
    let path = format!("/pipelines/{name}/audit");
    page(web, headers, path, |web, viewer| async move {
        let limit = parse_limit(q.limit.as_deref(), 50, 1000)?;
        let environment = q.environment.filter(|e| !e.trim().is_empty());
        let actor = q
            .actor
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty());
        let opened = web.open(&viewer, &name).await?;
        let environments = opened.pipeline.environment_names();
        if let Some(environment) = &environment {
            crate::ops::deploy::find_environment(&opened.pipeline, environment)?;
        }
        let now = web.now();
        let server_db = match &*web.source {
            Source::Server(app) => Some(app.db.clone()),
            Source::Local { .. } => None,
        };
        let filters = pages::AuditFilters {
            environment: environment.clone(),
            actor: actor.clone(),
            limit,
        };
        let events = web
            .blocking_heavy(move || {
                let mut events = crate::ops::audit::events(
                    opened.store.as_ref(),
                    environment.as_deref(),
                    actor.as_deref(),
                    limit,
                )?;
                // As `captain audit`: on a server, token changes too (they concern no
                // environment).
                if let (Some(db), None) = (server_db, &environment) {
                    let tokens = db.audit_events(&AuditFilter {
                        limit: Some(limit),
                        target: None,
                        actor: actor.clone(),
                    })?;
                    events = crate::ops::audit::merge(events, tokens, limit);
                }
                Ok(crate::views::ledger::AuditView { events })
            })
            .await?;
        let frame = pages::Frame::new(viewer.name(), Some(&name));
        Ok(pages::audit(&frame, &events, &filters, &environments, now))
    })
    .await
}

/// `captain ui`: serves the pages of one pipeline until SIGINT or SIGTERM; `ready` gets
/// the bound address.
pub fn serve_local(
    pipeline: Pipeline,
    store: Box<dyn Store>,
    listen: &str,
    clock: fn() -> Timestamp,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<()> {
    let store: Arc<dyn Store> = Arc::from(store);
    let web = Web::local(Arc::new(pipeline), store, clock);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("could not start the web server: {e}")))?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
            Error::failed(format!("could not listen on {listen}: {e}"))
                .with_hint("pick a free address, e.g. --listen 127.0.0.1:8710")
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::failed(format!("could not read the bound address: {e}")))?;
        ready(addr);
        axum::serve(listener, router(web))
            .with_graceful_shutdown(async {
                let terminate = async {
                    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    {
                        Ok(mut signal) => {
                            signal.recv().await;
                        }
                        Err(_) => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate => {}
                }
            })
            .await
            .map_err(|e| Error::failed(format!("the web server on {addr} failed: {e}")))
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    served
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn sign_in_returns_only_to_a_page_of_this_server() {
        assert_eq!(safe_next(Some("/pipelines/app")), "/pipelines/app");
        assert_eq!(safe_next(Some("/pipelines/app?x=1")), "/pipelines/app?x=1");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(elsewhere)), "/", "{elsewhere}");
        }
        assert_eq!(safe_next(None), "/");
        let back = to_sign_in("/pipelines/a b", None, false);
        assert_eq!(
            back.headers()[header::LOCATION],
            "/login?next=/pipelines/a%20b"
        );
    }

    #[test]
    fn limits_are_numbers_in_range_or_a_usage_error() {
        assert_eq!(parse_limit(None, 20, 1000).unwrap(), 20);
        assert_eq!(parse_limit(Some(" "), 20, 1000).unwrap(), 20);
        assert_eq!(parse_limit(Some("50"), 20, 1000).unwrap(), 50);
        for bad in ["0", "1001", "-1", "many"] {
            let e = parse_limit(Some(bad), 20, 1000).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Usage, "{bad}");
            assert!(e.message.contains(bad), "{}", e.message);
        }
    }

    #[test]
    fn the_pages_escape_what_they_show() {
        let frame = pages::Frame::new(Some("<b>me</b>"), Some("app"));
        let page =
            pages::error(&frame, &Error::not_found("no <script>alert(1)</script>")).into_string();
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("<b>me</b>"), "{page}");
        assert_eq!(pages::url_escape("a b/c?d"), "a%20b/c%3Fd");
    }
}

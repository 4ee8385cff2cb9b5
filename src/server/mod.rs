//! `captain serve`: the team backend, an HTTP/JSON skin (axum) over the same operations
//! the CLI runs locally, the pipeline in the path (`/v1/pipelines/{pipeline}/…`).
//!
//! The server trusts no client: it holds each pipeline's definition ([`registry`]), and
//! the commands whose answers are the engine's rule (starts, finishes, next, gate, bake,
//! retries, verdicts, overrides, the loop's passes) are decided here, with that
//! definition, the server's own alarm observations and its own clock
//! ([`crate::ops::rules::Local`]). The room parses requests, checks the caller's token and
//! role ([`auth`]), replays idempotent retries ([`db`]), runs the work on a blocking
//! thread (the store is synchronous) and maps captain's error kinds to HTTP statuses. It
//! never touches git: the CLI computes commit lists and snapshots. Every resource a client
//! can make it spend is bounded, and its faults are told without internals ([`limits`]).
//! With PostgreSQL every pipeline and the server's own tables share one pool.

pub mod auth;
pub mod db;
pub mod drive;
pub(crate) mod files;
pub mod limits;
mod notify;
pub mod openapi;
pub mod prometheus;
pub(crate) mod registry;
mod routes;
pub mod web;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::store::Store;
use crate::store::sqlite::SqliteStore;
use crate::store::wire::{ErrorBody, ErrorDetail, status_of};
use auth::{Caller, Denied, NewToken, Role};
use db::ServerDb;

/// Where the ledgers live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// `sqlite:DIR`: one ledger file per pipeline (`DIR/<pipeline>.sqlite`) and the
    /// server's own tables in `DIR/server.sqlite`.
    Sqlite(PathBuf),
    /// `postgres://…`: every pipeline in one PostgreSQL database.
    Postgres(String),
}

impl Database {
    pub fn parse(text: &str) -> Result<Database> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Database::Postgres(text.to_string()));
        }
        match text.strip_prefix("sqlite:") {
            Some(dir) if !dir.is_empty() => Ok(Database::Sqlite(PathBuf::from(dir))),
            _ => Err(Error::usage(format!(
                "--database `{text}` is neither sqlite:DIR nor a postgres:// URL"
            ))
            .with_hint("e.g. --database sqlite:/var/lib/captain or --database postgres://captain@db/captain")),
        }
    }

    /// The SQLite file of the server's own tables (tokens, idempotency keys): `auth_db`,
    /// or `DIR/server.sqlite`. With PostgreSQL and no `auth_db` they live in the database
    /// (see [`ServerDb::open_for`]).
    pub fn server_db_path(&self, auth_db: Option<&Path>) -> Result<PathBuf> {
        if let Some(path) = auth_db {
            return Ok(path.to_path_buf());
        }
        match self {
            Database::Sqlite(dir) => Ok(dir.join("server.sqlite")),
            Database::Postgres(_) => Err(Error::internal(
                "with PostgreSQL the server tables live in the database, not in a file",
            )),
        }
    }
}

/// `captain serve`'s settings.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub database: Database,
    pub listen: String,
    pub tls: Option<TlsFiles>,
    /// A SQLite file for tokens and idempotency keys instead of the database's default
    /// (`DIR/server.sqlite`, or the PostgreSQL database itself).
    pub auth_db: Option<PathBuf>,
    /// When no token exists yet, create an `admin` token and write its secret here.
    pub bootstrap_token_file: Option<PathBuf>,
    /// Request logs as JSON lines instead of text.
    pub json_logs: bool,
    /// Store calls running at once (None: [`default_concurrency`]).
    pub concurrency: Option<usize>,
    /// `--run`: drive these pipelines' `captain run` loops (see [`drive`]).
    pub drive: Option<drive::DriveOptions>,
    /// Pipeline definitions to register at start-up (name, pipeline.toml's text), as a
    /// push by `serve` would: a new version only when the text changed.
    pub register: Vec<(String, String)>,
    /// Decide the rules with the time each client sends (`--trust-client-clock`): for
    /// tests that pin the clock, never in production (a client could end a bake early).
    pub trust_client_clock: bool,
    /// Connections, timeouts, the database pool and the heavy-read lane.
    pub limits: limits::Limits,
}

#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Everything a request handler needs.
#[derive(Clone)]
pub(crate) struct App {
    stores: Arc<Stores>,
    /// The pipelines this server holds (see [`registry`]).
    registry: Arc<registry::Registry>,
    /// Decide with the time clients send instead of the server's clock (tests only).
    trust_client_clock: bool,
    db: Arc<ServerDb>,
    /// Store calls running at once; the rest queue first come, first served (a fair
    /// semaphore), so under load every request waits about as long as the others.
    store_calls: Arc<tokio::sync::Semaphore>,
    /// The heavy reads' own lane (see [`limits`]): they never take `store_calls`.
    heavy_calls: Arc<tokio::sync::Semaphore>,
    /// Event streams (`…/events?follow=true`) open at once (see [`limits`]).
    event_streams: Arc<tokio::sync::Semaphore>,
    limits: Arc<limits::Limits>,
    /// The server's own request metrics (see [`prometheus`]).
    metrics: Arc<prometheus::ServerMetrics>,
    /// How many store calls may run at once (the size of `store_calls`).
    store_call_limit: usize,
}

impl App {
    /// Runs a blocking store call on the blocking pool once its turn comes — in the
    /// heavy lane when the request is a heavy read ([`limits::lane`]).
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if limits::in_heavy_lane() {
            return self.blocking_heavy(f).await;
        }
        let turn = self
            .store_calls
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("the server is shutting down"))?;
        Self::run_blocking(turn, f).await
    }

    /// [`blocking`](Self::blocking) in the heavy lane: exports and scans, whose turn
    /// waits at most `--acquire-timeout`.
    pub(crate) async fn blocking_heavy<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let turn = limits::heavy_turn(self).await?;
        Self::run_blocking(turn, f).await
    }

    /// The turn goes with the call: a request that timed out does not free it while its
    /// call still runs.
    pub(crate) async fn run_blocking<T: Send + 'static>(
        turn: tokio::sync::OwnedSemaphorePermit,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            f()
        })
        .await
        .unwrap_or_else(|_| Err(Error::internal("a store call failed unexpectedly")))
    }

    /// Does the database answer? For `/readyz`: not queued behind the store calls, and
    /// at most a few seconds.
    pub(crate) async fn ready(&self) -> Result<()> {
        let db = self.db.clone();
        let stores = self.stores.clone();
        let check = tokio::task::spawn_blocking(move || {
            db.ping()?;
            stores.ping()
        });
        match tokio::time::timeout(READY_TIMEOUT, check).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(Error::unavailable(e.message)),
            Ok(Err(_)) => Err(Error::unavailable("the readiness check failed")),
            Err(_) => Err(Error::unavailable(format!(
                "the database did not answer within {}",
                humantime::format_duration(READY_TIMEOUT)
            ))),
        }
    }
}

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// The open ledgers, one per pipeline, opened on first use (only for registered
/// pipelines and pushes: see [`registry`]). With PostgreSQL they share one pool.
pub(crate) struct Stores {
    database: Database,
    /// PostgreSQL: the connections every pipeline (and the server's tables) share.
    pool: Option<Arc<crate::store::postgres::Connections>>,
    open: Mutex<HashMap<String, Arc<dyn Store>>>,
}

impl Stores {
    fn get(&self, pipeline: &str) -> Result<Arc<dyn Store>> {
        check_pipeline_name(pipeline)?;
        let lock = || {
            self.open
                .lock()
                .map_err(|_| Error::internal("the store registry was poisoned"))
        };
        let mut open = lock()?;
        if let Some(store) = open.get(pipeline) {
            return Ok(store.clone());
        }
        let store: Arc<dyn Store> = match (&self.database, &self.pool) {
            (Database::Sqlite(dir), _) => {
                let file = dir.join(format!("{pipeline}.sqlite"));
                files::create_private_file(&file).map_err(|e| {
                    Error::failed(format!("could not create the ledger of `{pipeline}`: {e}"))
                })?;
                Arc::new(SqliteStore::open(&file, pipeline)?)
            }
            (Database::Postgres(_), Some(pool)) => {
                // Outside the lock: this asks the database, which may be slow or down,
                // and the other pipelines' ledgers must not wait for it.
                drop(open);
                let store = Arc::new(crate::store::postgres::PostgresStore::on(
                    pool.clone(),
                    pipeline,
                )?);
                open = lock()?;
                if let Some(first) = open.get(pipeline) {
                    return Ok(first.clone());
                }
                store
            }
            (Database::Postgres(_), None) => {
                return Err(Error::internal("no PostgreSQL pool for the ledgers"));
            }
        };
        open.insert(pipeline.to_string(), store.clone());
        Ok(store)
    }

    /// Does the ledgers' database answer?
    fn ping(&self) -> Result<()> {
        match (&self.database, &self.pool) {
            (Database::Sqlite(dir), _) if dir.is_dir() => Ok(()),
            (Database::Sqlite(dir), _) => Err(Error::unavailable(format!(
                "the ledger directory {} is gone",
                dir.display()
            ))),
            (Database::Postgres(_), Some(pool)) => pool.ping(),
            (Database::Postgres(_), None) => Ok(()),
        }
    }
}

/// Pipeline names become file names and URL segments: keep them plain (the rule is
/// [`crate::model::check_pipeline_name`], the one `captain validate` applies).
fn check_pipeline_name(name: &str) -> Result<()> {
    crate::model::check_pipeline_name(name)
}

/// Largest request body in general; release creation and imports get more (a first
/// release records every ancestor commit).
pub const BODY_LIMIT: usize = 4 << 20;
pub const RELEASE_BODY_LIMIT: usize = 256 << 20;
pub const IMPORT_BODY_LIMIT: usize = 1 << 30;

/// Runs the server until SIGINT or SIGTERM, then drains requests in flight (up to 10 s).
/// `ready` gets the bound address once the server listens.
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr, bool)) -> Result<()> {
    init_logging(options.json_logs);
    options.limits.check()?;
    // Before the runtime: the PostgreSQL client is blocking, and refuses to run on it.
    // One pool for everything the server keeps in PostgreSQL, migrated once here.
    let pool = match (&options.database, &options.auth_db) {
        (Database::Postgres(url), None) => {
            let pool = crate::store::postgres::Connections::with_limits(url, options.limits.db())?;
            pool.migrate(None)?;
            Some(Arc::new(pool))
        }
        _ => None,
    };
    let db = Arc::new(match &pool {
        Some(pool) => ServerDb::on_postgres(pool.clone())?,
        None => ServerDb::open_for(&options.database, options.auth_db.as_deref())?,
    });
    if let Some(file) = &options.bootstrap_token_file {
        bootstrap_token(&db, file)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("could not start the server runtime: {e}")))?;
    if let Database::Sqlite(dir) = &options.database {
        files::create_private_dir(dir)
            .map_err(|e| Error::failed(format!("could not create {}: {e}", dir.display())))?;
    }
    let stores = Arc::new(Stores {
        database: options.database.clone(),
        pool: pool.clone(),
        open: Mutex::new(HashMap::new()),
    });
    let registry = Arc::new(registry::Registry::new(&options.database, pool.clone())?);
    for (name, text) in &options.register {
        let pushed = registry.push(
            name,
            crate::model::NewPipelineVersion {
                definition: text.clone(),
                actor: "serve".to_string(),
                reason: Some("loaded by `captain serve --pipeline`".to_string()),
                at: Timestamp::now(),
            },
            &stores,
        )?;
        tracing::info!(pipeline = %name, version = pushed.version.version, created = pushed.created, "pipeline registered");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let drivers = match &options.drive {
        Some(drive) => drive::start(
            &options.database,
            stores.clone(),
            drive.clone(),
            stop.clone(),
        ),
        None => Vec::new(),
    };
    let notifications = notify::start(
        &options.database,
        stores.clone(),
        registry.clone(),
        stop.clone(),
    );
    let served = runtime.block_on(serve_async(
        options,
        db.clone(),
        stores.clone(),
        registry.clone(),
        stop.clone(),
        ready,
    ));
    // The loops stop too (their commands are cancelled; what is in progress stays
    // recorded for the next driver).
    stop.store(true, Ordering::Relaxed);
    for driver in drivers {
        let _ = driver.join();
    }
    let _ = notifications.join();
    // The runtime goes first, with every task that still holds a ledger: the last
    // PostgreSQL connections then close here, outside it (a blocking client closed on
    // the runtime panics: "Cannot start a runtime from within a runtime").
    runtime.shutdown_timeout(Duration::from_secs(10));
    drop((registry, stores, db, pool));
    served
}

async fn serve_async(
    options: ServeOptions,
    db: Arc<ServerDb>,
    stores: Arc<Stores>,
    registry: Arc<registry::Registry>,
    stop: Arc<AtomicBool>,
    ready: impl FnOnce(SocketAddr, bool),
) -> Result<()> {
    let limits = Arc::new(options.limits.clone());
    let store_call_limit = options
        .concurrency
        .unwrap_or_else(default_concurrency)
        .max(1);
    let app = App {
        registry,
        trust_client_clock: options.trust_client_clock,
        stores,
        db,
        store_calls: Arc::new(tokio::sync::Semaphore::new(store_call_limit)),
        metrics: Arc::new(prometheus::ServerMetrics::new()),
        store_call_limit,
        heavy_calls: Arc::new(tokio::sync::Semaphore::new(limits.heavy_reads.max(1))),
        event_streams: Arc::new(tokio::sync::Semaphore::new(limits::event_stream_cap(
            limits.connection_cap(),
        ))),
        limits: limits.clone(),
    };
    let router = router(app, options.tls.is_some());
    let cap = limits.connection_cap();
    tracing::info!(
        max_connections = cap,
        header_timeout_s = limits.header_timeout.as_secs_f64(),
        body_timeout_s = limits.body_timeout.as_secs_f64(),
        request_timeout_s = limits.request_timeout.as_secs_f64(),
        idle_timeout_s = limits.idle_timeout.as_secs_f64(),
        heavy_reads = limits.heavy_reads,
        "bounds"
    );
    let acceptor = limits::CapAcceptor::new(cap, limits.idle_timeout, limits.header_timeout);
    let http =
        |builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>| {
            builder
                .http1()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
        };

    let listener = std::net::TcpListener::bind(&options.listen).map_err(|e| {
        Error::failed(format!("could not listen on {}: {e}", options.listen))
            .with_hint("pick a free address, e.g. --listen 127.0.0.1:8700")
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::failed(format!("could not listen on {}: {e}", options.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::failed(format!("could not read the bound address: {e}")))?;

    let handle = axum_server::Handle::new();
    tokio::spawn(shutdown_on_signal(handle.clone(), stop));
    let service = router.into_make_service();
    let served = match &options.tls {
        Some(tls) => {
            // Both rustls backends may be linked (reqwest brings ring); name one.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .map_err(|e| {
                    Error::usage(format!(
                        "could not load the TLS certificate {} and key {}: {e}",
                        tls.cert.display(),
                        tls.key.display()
                    ))
                    .with_hint("give PEM files: the certificate chain and its private key")
                })?;
            let tls = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .handshake_timeout(limits.header_timeout)
                .acceptor(acceptor);
            let mut server = axum_server::from_tcp(listener)
                .map_err(|e| Error::failed(format!("could not serve on {addr}: {e}")))?
                .acceptor(tls);
            http(server.http_builder());
            ready(addr, true);
            server.handle(handle).serve(service).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(|e| Error::failed(format!("could not serve on {addr}: {e}")))?
                .acceptor(acceptor);
            http(server.http_builder());
            ready(addr, false);
            server.handle(handle).serve(service).await
        }
    };
    served.map_err(|e| Error::failed(format!("the server on {addr} failed: {e}")))?;
    tracing::info!("server stopped");
    Ok(())
}

/// Store calls running at once by default: twice the CPUs, at least 4. More only add
/// contention for the CPUs and the database's locks (measured with `serve_load` on two
/// CPUs: 4 had a shorter latency tail than 8, 16 or 64), fewer leave the CPUs idle while
/// a call waits on the database.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).max(4))
}

/// Creates the first admin token when there is none, writing its secret to `file`
/// (mode 0600). With tokens already present it does nothing, so restarts are harmless.
fn bootstrap_token(db: &ServerDb, file: &Path) -> Result<()> {
    if db.has_tokens()? {
        return Ok(());
    }
    let created = db.create_token(
        &NewToken {
            name: "admin".into(),
            role: Role::Admin,
            delegate: true,
            reason: Some(
                "the first admin token, made by `captain serve --bootstrap-token-file`".into(),
            ),
            pipelines: Vec::new(),
        },
        "bootstrap",
        Timestamp::now(),
    )?;
    write_secret(file, &created.secret)?;
    tracing::info!(file = %file.display(), "created the first admin token `admin`");
    Ok(())
}

/// Writes a secret to a file only its owner can read.
pub fn write_secret(file: &Path, secret: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)
        .map_err(|e| {
            Error::failed(format!(
                "could not write the token file {}: {e}",
                file.display()
            ))
        })?;
    writeln!(out, "{secret}").map_err(|e| {
        Error::failed(format!(
            "could not write the token file {}: {e}",
            file.display()
        ))
    })
}

async fn shutdown_on_signal(handle: axum_server::Handle<SocketAddr>, stop: Arc<AtomicBool>) {
    let interrupt = tokio::signal::ctrl_c();
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
    stop.store(true, Ordering::Relaxed);
    handle.graceful_shutdown(Some(Duration::from_secs(10)));
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CAPTAIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .with_target(false);
    // A second serve in one process (tests) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The routes inside their layers, innermost first: the heavy-read lane, the request
/// timeout, admission (token and least role, then the body within its limits), the
/// registry gate, the panic catcher, the request log (which resolves the token), and
/// outermost the scrubbing of 5xx answers. The web pages ([`web`]) sit beside the API
/// with their own sign-in (`secure`: their cookies need TLS).
pub(crate) fn router(app: App, secure: bool) -> Router {
    // The routes and their document come from one registration; the document's roles
    // are checked before any route runs (see [`openapi::Contract::authorize`]).
    let (routes, contract) = openapi::Contract::build(routes::routes);
    let pages = web::router(web::Web::for_server(app.clone(), secure));
    let api = routes
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(limits::lane))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            limits::request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            limits::admission,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            registry_gate,
        ))
        .layer(axum::middleware::from_fn(limits::catch_panic))
        .layer(axum::middleware::from_fn_with_state(
            contract.clone(),
            openapi::Contract::authorize,
        ))
        .layer(axum::middleware::from_fn_with_state(app.clone(), observe))
        .layer(axum::middleware::from_fn(limits::scrub))
        .layer(axum::Extension(contract))
        .with_state(app);
    pages.merge(api)
}

/// Resolves the caller's token and writes one log line per request.
async fn observe(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or("").trim().to_string());
    let caller = match bearer {
        None => Caller::Anonymous,
        Some(secret) if secret.is_empty() => Caller::Invalid,
        Some(secret) => match app.db.verify_cached(&secret) {
            Some(Some(token)) => Caller::Token(token),
            Some(None) => Caller::Invalid,
            None => {
                let db = app.db.clone();
                match tokio::task::spawn_blocking(move || db.verify(&secret)).await {
                    Ok(Ok(Some(token))) => Caller::Token(token),
                    Ok(Ok(None)) => Caller::Invalid,
                    Ok(Err(e)) => return error_response(&e),
                    Err(_) => return error_response(&Error::internal("token check failed")),
                }
            }
        },
    };
    let token_name = caller.log_name().to_string();
    request.extensions_mut().insert(caller);
    let response = next.run(request).await;
    app.metrics.observe(
        method.as_str(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    tracing::info!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        token = %token_name,
        "request"
    );
    response
}

/// Before any route of a pipeline: the caller must hold a token, the pipeline must be
/// registered (else `not found`, and nothing is opened or created for the name), and a
/// client that says which pipeline.toml it read must have read the server's. Only the
/// push of a definition may name a pipeline not registered yet.
async fn registry_gate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let Some(rest) = path.strip_prefix("/v1/pipelines/") else {
        return next.run(request).await;
    };
    let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let name = name.to_string();
    // A token limited to other pipelines goes no further, whether this one exists or not.
    if let Some(caller) = request.extensions().get::<Caller>()
        && let Err(denied) = auth::require_pipeline(caller, &name)
    {
        return denied_response(denied);
    }
    let definition_route = tail == "definition" || tail.starts_with("definition/");
    if definition_route && request.method() == axum::http::Method::POST {
        return next.run(request).await;
    }
    let caller = request.extensions().get::<Caller>().cloned();
    if let Some(caller) = &caller
        && let Err(denied) = auth::require(caller, Role::Read, "reading a pipeline")
    {
        return denied_response(denied);
    }
    let client_digest = request
        .headers()
        .get(crate::store::wire::PIPELINE_DIGEST_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let registry = app.registry.clone();
    let stores = app.stores.clone();
    let lookup = {
        let name = name.clone();
        app.blocking(move || registry.get(&name, &stores)).await
    };
    let registered = match lookup {
        Ok(registered) => registered,
        Err(e) => return error_response(&e),
    };
    if let Some(digest) = client_digest
        && !definition_route
        && digest != registered.digest
    {
        return error_response(&differs(&name, &registered));
    }
    request.extensions_mut().insert(registered);
    next.run(request).await
}

/// A client's pipeline.toml is not the server's newest version.
fn differs(name: &str, registered: &registry::Registered) -> Error {
    Error::conflict(format!(
        "your pipeline.toml differs from version {} of pipeline `{name}` on the server (pushed by {} at {})",
        registered.version, registered.actor, registered.at
    ))
    .with_hint("`captain pipeline diff` shows the difference; `captain pipeline push` registers yours (an operator's)")
}

async fn unknown_route(request: Request) -> Response {
    wire_error(
        StatusCode::NOT_FOUND,
        "not found",
        format!("no API route {} {}", request.method(), request.uri().path()),
        Some("`GET /openapi.json` lists the routes".into()),
    )
}

async fn method_not_allowed(request: Request) -> Response {
    wire_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "usage",
        format!(
            "{} is not allowed on {}",
            request.method(),
            request.uri().path()
        ),
        Some("`GET /openapi.json` lists the methods of each route".into()),
    )
}

/// A JSON response with a status.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub(crate) fn wire_error(
    status: StatusCode,
    kind: &str,
    message: String,
    hint: Option<String>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            kind: kind.to_string(),
            message,
            hint,
        },
    };
    json_response(status, serde_json::to_vec(&body).unwrap_or_default())
}

pub(crate) fn error_status(e: &Error) -> StatusCode {
    StatusCode::from_u16(status_of(e.kind)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(crate) fn error_response(e: &Error) -> Response {
    json_response(
        error_status(e),
        serde_json::to_vec(&ErrorBody::from_error(e)).unwrap_or_default(),
    )
}

pub(crate) fn denied_response(denied: Denied) -> Response {
    match denied {
        Denied::Unauthenticated(message) => {
            let mut response = wire_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                message,
                Some("set CAPTAIN_TOKEN to a token from `captain token create`".into()),
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
        Denied::Forbidden(message) => wire_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            message,
            Some(auth::FORBIDDEN_HINT.into()),
        ),
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_parse() {
        assert_eq!(
            Database::parse("sqlite:/tmp/x").ok(),
            Some(Database::Sqlite(PathBuf::from("/tmp/x")))
        );
        assert!(matches!(
            Database::parse("postgres://u@h/db"),
            Ok(Database::Postgres(_))
        ));
        assert!(Database::parse("/tmp/x").is_err());
        assert!(Database::parse("sqlite:").is_err());
    }

    #[test]
    fn pipeline_names_stay_plain() {
        assert!(check_pipeline_name("app-1.web_x").is_ok());
        for bad in ["", "..", ".hidden", "a/b", "a b", "é"] {
            assert!(check_pipeline_name(bad).is_err(), "{bad}");
        }
    }
}

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
//! never touches git: the CLI computes commit lists and snapshots.

pub mod auth;
pub mod db;
pub mod drive;
pub mod openapi;
pub(crate) mod registry;
mod routes;

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

/// Opens a pipeline's ledger in PostgreSQL (migrating the database on first use).
pub fn open_postgres(url: &str, pipeline: &str) -> Result<Box<dyn Store>> {
    Ok(Box::new(crate::store::postgres::PostgresStore::open(
        url, pipeline,
    )?))
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
}

impl App {
    /// Runs a blocking store call on the blocking pool once its turn comes.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _turn = self
            .store_calls
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("the server is shutting down"))?;
        tokio::task::spawn_blocking(f)
            .await
            .unwrap_or_else(|_| Err(Error::internal("a store call failed unexpectedly")))
    }
}

/// The open ledgers, one per pipeline, opened on first use.
pub(crate) struct Stores {
    database: Database,
    open: Mutex<HashMap<String, Arc<dyn Store>>>,
}

impl Stores {
    fn get(&self, pipeline: &str) -> Result<Arc<dyn Store>> {
        check_pipeline_name(pipeline)?;
        let mut open = self
            .open
            .lock()
            .map_err(|_| Error::internal("the store registry was poisoned"))?;
        if let Some(store) = open.get(pipeline) {
            return Ok(store.clone());
        }
        let store: Arc<dyn Store> = match &self.database {
            Database::Sqlite(dir) => Arc::new(SqliteStore::open(
                &dir.join(format!("{pipeline}.sqlite")),
                pipeline,
            )?),
            Database::Postgres(url) => Arc::from(open_postgres(url, pipeline)?),
        };
        open.insert(pipeline.to_string(), store.clone());
        Ok(store)
    }
}

/// Pipeline names become file names and URL segments: keep them plain.
fn check_pipeline_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("`{name}` is not a pipeline name"))
            .with_hint("pipeline names are letters, digits, `.`, `_` and `-`, as in pipeline.toml"))
    }
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
    // Before the runtime: the PostgreSQL client is blocking, and refuses to run on it.
    let db = Arc::new(ServerDb::open_for(
        &options.database,
        options.auth_db.as_deref(),
    )?);
    if let Some(file) = &options.bootstrap_token_file {
        bootstrap_token(&db, file)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("could not start the server runtime: {e}")))?;
    if let Database::Sqlite(dir) = &options.database {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::failed(format!("could not create {}: {e}", dir.display())))?;
    }
    let stores = Arc::new(Stores {
        database: options.database.clone(),
        open: Mutex::new(HashMap::new()),
    });
    let registry = Arc::new(registry::Registry::new(&options.database)?);
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
    let served = runtime.block_on(serve_async(
        options,
        db,
        stores,
        registry,
        stop.clone(),
        ready,
    ));
    // The loops stop too (their commands are cancelled; what is in progress stays
    // recorded for the next driver).
    stop.store(true, Ordering::Relaxed);
    for driver in drivers {
        let _ = driver.join();
    }
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
    let app = App {
        registry,
        trust_client_clock: options.trust_client_clock,
        stores,
        db,
        store_calls: Arc::new(tokio::sync::Semaphore::new(
            options
                .concurrency
                .unwrap_or_else(default_concurrency)
                .max(1),
        )),
    };
    let router = router(app);

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
            let server = axum_server::from_tcp_rustls(listener, config)
                .map_err(|e| Error::failed(format!("could not serve on {addr}: {e}")))?;
            ready(addr, true);
            server.handle(handle).serve(service).await
        }
        None => {
            let server = axum_server::from_tcp(listener)
                .map_err(|e| Error::failed(format!("could not serve on {addr}: {e}")))?;
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

pub(crate) fn router(app: App) -> Router {
    // The routes and their document come from one registration; the document's roles
    // are checked before any route runs (see [`openapi::Contract::authorize`]).
    let (routes, contract) = openapi::Contract::build(routes::routes);
    routes
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            registry_gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            contract.clone(),
            openapi::Contract::authorize,
        ))
        .layer(axum::middleware::from_fn_with_state(app.clone(), observe))
        .layer(axum::Extension(contract))
        .with_state(app)
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

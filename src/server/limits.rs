//! The bounds of `captain serve`: every resource a client can make the server spend has
//! a limit, and each limit answers with the JSON error shape.
//!
//! - Connections: at most [`Limits::connection_cap`] open at once (from `--max-connections`,
//!   by default a share of the file-descriptor limit); one more is closed as it is
//!   accepted ([`CapAcceptor`]). A connection on which nothing moves for `--idle-timeout`
//!   is closed ([`Guarded`]); one that does not send a request's headers within
//!   `--header-timeout` (counted from when it opened or answered its last request) too.
//! - Requests ([`admission`]): the caller's token and the least role the route needs are
//!   checked before a byte of the body is read; a body larger than its route accepts is
//!   refused from its `Content-Length` (413), and one that does not arrive within
//!   `--body-timeout` is 408. A body's buffer grows with what arrives, never with what
//!   its header promises; routes outside `/v1/` (answered without a token) take 64 KiB.
//!   A handler has `--request-timeout` to answer ([`request_timeout`], then 503 with
//!   `Retry-After`).
//! - Heavy reads (exports, history and audit scans) run in their own lane
//!   ([`lane`], `--heavy-reads` at once), so a crowd of them cannot starve the writes; a
//!   heavy read that waited `--acquire-timeout` for its turn is 503 with `Retry-After`.
//! - Event streams (`…/events?follow=true`) hold their connection open: at most
//!   [`event_stream_cap`] at once (one more is 503 with `Retry-After`), each polls the
//!   ledger with short reads in the ordinary lane (never holding the heavy lane), sends a
//!   heartbeat so `--idle-timeout` does not close it, and ends after
//!   [`EVENT_STREAM_LIFETIME`] (the client resumes with `?after=` its last cursor).
//! - Faults are told without internals ([`scrub`]): a 5xx answer carries a generic
//!   message and an incident number; the detail (a database address, a path) goes to
//!   the server's log under that number. A handler that panics answers 500 and the
//!   server lives on ([`catch_panic`]).

use std::io;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use super::auth::{self, Caller, Role};
use super::{App, BODY_LIMIT, IMPORT_BODY_LIMIT, RELEASE_BODY_LIMIT, denied_response, wire_error};
use crate::error::{Error, Result};
use crate::store::wire::ErrorBody;

/// Every bound of the server, from `serve`'s flags (defaults in [`Limits::default`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once (None: [`default_connection_cap`]).
    pub max_connections: Option<usize>,
    /// A request's headers must arrive within this, counted from when the connection
    /// opened or answered its previous request (so an idle keep-alive connection closes).
    pub header_timeout: Duration,
    /// A request's body must arrive within this.
    pub body_timeout: Duration,
    /// A handler must answer (its status and headers) within this.
    pub request_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed.
    pub idle_timeout: Duration,
    /// PostgreSQL: connections of the one pool every pipeline shares.
    pub db_pool_size: usize,
    /// How long a request waits for a database connection, or a heavy read for its
    /// turn, before it is 503.
    pub acquire_timeout: Duration,
    /// PostgreSQL: how long opening a connection may take.
    pub db_connect_timeout: Duration,
    /// PostgreSQL: the longest a statement may run (`statement_timeout`).
    pub db_statement_timeout: Duration,
    /// Heavy reads (exports, history and audit scans) running at once.
    pub heavy_reads: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: None,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(120),
            db_pool_size: 16,
            acquire_timeout: Duration::from_secs(5),
            db_connect_timeout: Duration::from_secs(5),
            db_statement_timeout: Duration::from_secs(60),
            heavy_reads: 2,
        }
    }
}

impl Limits {
    /// Bounds that contradict each other are a usage error naming the flags.
    pub fn check(&self) -> Result<()> {
        if self.idle_timeout <= self.request_timeout {
            return Err(Error::usage(format!(
                "--idle-timeout ({}) must be longer than --request-timeout ({})",
                humantime::format_duration(self.idle_timeout),
                humantime::format_duration(self.request_timeout)
            ))
            .with_hint(
                "a connection must not be closed while its request is still being answered",
            ));
        }
        for (flag, value) in [
            ("--header-timeout", self.header_timeout),
            ("--body-timeout", self.body_timeout),
            ("--request-timeout", self.request_timeout),
            ("--acquire-timeout", self.acquire_timeout),
            ("--db-connect-timeout", self.db_connect_timeout),
            ("--db-statement-timeout", self.db_statement_timeout),
        ] {
            if value.is_zero() {
                return Err(Error::usage(format!("{flag} must be longer than 0 s")));
            }
        }
        Ok(())
    }

    /// Connections open at once: `--max-connections`, or [`default_connection_cap`].
    pub fn connection_cap(&self) -> usize {
        self.max_connections
            .unwrap_or_else(default_connection_cap)
            .max(1)
    }

    /// The PostgreSQL pool's bounds.
    pub fn db(&self) -> crate::store::postgres::DbLimits {
        crate::store::postgres::DbLimits {
            max_connections: self.db_pool_size.max(1),
            acquire_timeout: Some(self.acquire_timeout),
            connect_timeout: self.db_connect_timeout,
            statement_timeout: Some(self.db_statement_timeout),
        }
    }
}

/// Connections by default: three quarters of the soft file-descriptor limit (a quarter,
/// at least 64, stays for ledgers, database connections and logs), between 16 and 10,000.
/// So a crowd of connections meets this cap, never the process's limit.
pub fn default_connection_cap() -> usize {
    let soft = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map(|(soft, _)| usize::try_from(soft).unwrap_or(usize::MAX))
        .unwrap_or(1024);
    let reserve = (soft / 4).max(64);
    soft.saturating_sub(reserve).clamp(16, 10_000)
}

// ---- connections -----------------------------------------------------------------

/// Accepts a connection while fewer than the cap are open; closes it otherwise.
#[derive(Clone)]
pub(crate) struct CapAcceptor {
    slots: Arc<Semaphore>,
    idle: Duration,
    first_byte: Duration,
}

impl CapAcceptor {
    /// At most `cap` connections; each closed after `idle` with nothing moving, or
    /// after `first_byte` if it never sent one.
    pub(crate) fn new(cap: usize, idle: Duration, first_byte: Duration) -> CapAcceptor {
        CapAcceptor {
            slots: Arc::new(Semaphore::new(cap)),
            idle,
            first_byte,
        }
    }
}

impl<S> axum_server::accept::Accept<TcpStream, S> for CapAcceptor {
    type Stream = Guarded<TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Guarded<TcpStream>, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        match self.slots.clone().try_acquire_owned() {
            Ok(permit) => {
                let _ = stream.set_nodelay(true);
                let guarded = Guarded::new(stream, permit, self.idle, self.first_byte);
                std::future::ready(Ok((guarded, service)))
            }
            Err(_) => {
                tracing::debug!("connection refused: the connection cap is reached");
                std::future::ready(Err(io::Error::other("the connection cap is reached")))
            }
        }
    }
}

/// A connection holding its place under the cap, closed when idle too long — sooner
/// when it never sent a byte (the server reads the first bytes to tell the protocol
/// before the header timeout of HTTP/1 begins).
pub(crate) struct Guarded<S> {
    inner: S,
    _slot: OwnedSemaphorePermit,
    idle: Duration,
    /// The idle limit until the first byte arrives.
    first_byte: Duration,
    /// Has a byte arrived?
    spoke: bool,
    /// When a byte last moved.
    last: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<S> Guarded<S> {
    fn new(
        inner: S,
        slot: OwnedSemaphorePermit,
        idle: Duration,
        first_byte: Duration,
    ) -> Guarded<S> {
        let now = Instant::now();
        let first_byte = first_byte.min(idle);
        Guarded {
            inner,
            _slot: slot,
            idle,
            first_byte,
            spoke: false,
            last: now,
            timer: Box::pin(tokio::time::sleep_until(now + first_byte)),
        }
    }

    /// Ready with an error once nothing moved for the idle timeout; else arms the timer.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            let limit = if self.spoke {
                self.idle
            } else {
                self.first_byte
            };
            let deadline = self.last + limit;
            if Instant::now() >= deadline {
                return Poll::Ready(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection was idle too long",
                ));
            }
            if self.timer.deadline() != deadline {
                self.timer.as_mut().reset(deadline);
            }
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.last = Instant::now();
                    this.spoke = true;
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    this.last = Instant::now();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    this.last = Instant::now();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

// ---- requests --------------------------------------------------------------------

/// The least role any request to this route needs, known before its body is read (a
/// route's handler may then ask more, e.g. an operator's for a forced start). None: the
/// route answers without a token.
pub(crate) fn minimum_role(method: &Method, path: &str) -> Option<Role> {
    if !path.starts_with("/v1/") {
        return None;
    }
    if path == "/v1/tokens" || path.starts_with("/v1/tokens/") {
        return Some(Role::Admin);
    }
    let Some(rest) = path.strip_prefix("/v1/pipelines/") else {
        return Some(Role::Read);
    };
    if method != Method::POST {
        return Some(Role::Read);
    }
    let tail: Vec<&str> = rest.split('/').skip(1).collect();
    let role = match tail.as_slice() {
        ["import"] => Role::Admin,
        ["definition"]
        | ["rollbacks"]
        | ["locks"]
        | ["locks", "remove"]
        | ["claims"]
        | ["overrides"]
        | ["step-results"]
        | ["expedites"]
        | ["retries"]
        | ["notify", "retry"]
        | ["passes"] => Role::Operator,
        ["releases"]
        | ["deployments"]
        | ["deployments", _, "finish" | "log" | "process"]
        | ["stages", _, "next" | "bake"] => Role::Deploy,
        _ => Role::Read,
    };
    Some(role)
}

/// The buffer a body starts with, at most.
const FIRST_BODY_BUFFER: usize = 64 * 1024;

/// The largest body a route outside `/v1/` takes (none reads one; they answer without a
/// token, so an anonymous caller gets no more than this).
pub(crate) const PUBLIC_BODY_LIMIT: usize = 64 * 1024;

/// The largest body this route takes (the same limits its handler's extractor applies).
pub(crate) fn body_limit(method: &Method, path: &str) -> usize {
    if !path.starts_with("/v1/") {
        return PUBLIC_BODY_LIMIT;
    }
    if method == Method::POST && path.starts_with("/v1/pipelines/") {
        if path.ends_with("/import") {
            return IMPORT_BODY_LIMIT;
        }
        if path.ends_with("/releases") {
            return RELEASE_BODY_LIMIT;
        }
    }
    BODY_LIMIT
}

/// Exports, history and audit scans, release lists: the reads whose cost grows with
/// the ledger.
pub(crate) fn is_heavy(method: &Method, path: &str) -> bool {
    let tail = |path: &str| -> Option<Vec<String>> {
        let rest = path.strip_prefix("/v1/pipelines/")?;
        Some(rest.split('/').skip(1).map(str::to_string).collect())
    };
    // `captain metrics` (a window of the ledger) is a read that takes a body.
    if method == Method::POST {
        return tail(path).is_some_and(|t| t == ["metrics"]);
    }
    if method != Method::GET {
        return false;
    }
    // The Prometheus scrape reads every pipeline's totals.
    if path == "/v1/audit" || path == "/metrics" {
        return true;
    }
    let Some(tail) = tail(path) else {
        return false;
    };
    let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
    matches!(
        tail.as_slice(),
        ["export"]
            | ["audit"]
            | ["releases"]
            | ["releases", _, "commits"]
            | ["environments", _, "history"]
            | ["views", "history", _]
    )
}

/// Before a route runs: the token and the least role its route needs, then the body,
/// read within its size limit and `--body-timeout`.
pub(crate) async fn admission(State(app): State<App>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    if let Some(role) = minimum_role(&method, &path) {
        let caller = request
            .extensions()
            .get::<Caller>()
            .cloned()
            .unwrap_or(Caller::Anonymous);
        let what = format!("{method} {path}");
        if let Err(denied) = auth::require(&caller, role, &what) {
            linger(request.into_body());
            return close(denied_response(denied));
        }
    }
    let limit = body_limit(&method, &path);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        linger(request.into_body());
        return close(too_large(limit));
    }
    let (parts, body) = request.into_parts();
    // Memory grows with what arrives, never with what a header promises.
    let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
    let read = tokio::time::timeout(
        app.limits.body_timeout,
        read_body(body, limit, capacity.min(FIRST_BODY_BUFFER)),
    )
    .await;
    let bytes = match read {
        Err(_) => {
            return close(wire_error(
                StatusCode::REQUEST_TIMEOUT,
                "usage",
                format!(
                    "the request body did not arrive within {}",
                    humantime::format_duration(app.limits.body_timeout)
                ),
                Some("send the whole body at once; the server's --body-timeout sets how long it waits".into()),
            ));
        }
        Ok(Err(BodyError::TooLarge)) => return close(too_large(limit)),
        Ok(Err(BodyError::Broken)) => {
            return close(wire_error(
                StatusCode::BAD_REQUEST,
                "usage",
                "the request body was cut off".into(),
                None,
            ));
        }
        Ok(Ok(bytes)) => bytes,
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// How much of a refused request's body is read and dropped, at most, and for how long.
const LINGER_BYTES: usize = 8 << 20;
const LINGER_TIME: Duration = Duration::from_secs(2);

/// Reads and drops what a refused request still sends, a little while (as a web server's
/// lingering close): its client then reads the refusal instead of a reset connection.
/// Nothing is kept, so memory stays flat.
fn linger(body: Body) {
    tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut seen = 0;
        let _ = tokio::time::timeout(LINGER_TIME, async {
            while let Some(Ok(chunk)) = stream.next().await {
                seen += chunk.len();
                if seen > LINGER_BYTES {
                    break;
                }
            }
        })
        .await;
    });
}

enum BodyError {
    TooLarge,
    Broken,
}

async fn read_body(
    body: Body,
    limit: usize,
    capacity: usize,
) -> std::result::Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::with_capacity(capacity);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        if out.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(out))
}

fn too_large(limit: usize) -> Response {
    wire_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "usage",
        format!("the request body is larger than this route accepts ({limit} bytes at most)"),
        None,
    )
}

/// A refusal before the body was read: the connection cannot carry another request.
fn close(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A handler that does not answer within `--request-timeout` is 503 (its work may
/// still finish: a retry with the same idempotency key gets its answer).
pub(crate) async fn request_timeout(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Response {
    let limit = app.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = unavailable(format!(
                "the server did not answer within {}",
                humantime::format_duration(limit)
            ));
            response.extensions_mut().insert(Public);
            response
        }
    }
}

tokio::task_local! {
    /// Set while a heavy read's handler runs: its store calls take the heavy lane.
    static HEAVY: bool;
}

/// Is this task a heavy read's ([`lane`])?
pub(crate) fn in_heavy_lane() -> bool {
    HEAVY.try_with(|heavy| *heavy).unwrap_or(false)
}

/// Puts the heavy reads in their own lane (see [`App::blocking`]).
pub(crate) async fn lane(request: Request, next: Next) -> Response {
    if is_heavy(request.method(), request.uri().path()) {
        HEAVY.scope(true, next.run(request)).await
    } else {
        next.run(request).await
    }
}

/// Event streams open at once: a quarter of the connection cap, at most 64.
pub(crate) fn event_stream_cap(connection_cap: usize) -> usize {
    (connection_cap / 4).clamp(1, 64)
}

/// How long one event stream lasts before the server ends it.
pub(crate) const EVENT_STREAM_LIFETIME: Duration = Duration::from_secs(3600);

/// Waits for a heavy read's turn, at most `--acquire-timeout`.
pub(crate) async fn heavy_turn(app: &App) -> Result<OwnedSemaphorePermit> {
    let waited = app.limits.acquire_timeout;
    match tokio::time::timeout(waited, app.heavy_calls.clone().acquire_owned()).await {
        Ok(Ok(turn)) => Ok(turn),
        Ok(Err(_)) => Err(Error::internal("the server is shutting down")),
        Err(_) => Err(Error::unavailable(format!(
            "{} heavy reads (exports, history scans) are running and this one waited {} for its turn",
            app.limits.heavy_reads,
            humantime::format_duration(waited)
        ))
        .with_hint("try again shortly")),
    }
}

/// A response whose 5xx message is the server's own words, safe to show.
#[derive(Clone, Copy)]
pub(crate) struct Public;

/// 503 with `Retry-After`.
pub(crate) fn unavailable(message: String) -> Response {
    let mut response = wire_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        message,
        Some("try again shortly; captain's CLI retries this by itself".into()),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// How much of a failed answer's body the log keeps.
const DETAIL_LIMIT: usize = 16 * 1024;

/// Rewrites every 5xx answer (but the server's own [`Public`] words) to a generic
/// message with an incident number, logging the original under that number: no
/// database address, path or internal message reaches a client.
pub(crate) async fn scrub(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    if !status.is_server_error() || response.extensions().get::<Public>().is_some() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, DETAIL_LIMIT)
        .await
        .unwrap_or_default();
    let incident = format!("{:08x}", rand::random::<u32>());
    let said = serde_json::from_slice::<ErrorBody>(&detail).ok();
    tracing::error!(
        incident = %incident,
        method = %method,
        path = %path,
        status = status.as_u16(),
        detail = %String::from_utf8_lossy(&detail),
        "request failed"
    );
    let mut scrubbed = if status == StatusCode::SERVICE_UNAVAILABLE {
        unavailable(format!(
            "the server cannot answer right now: its database does not answer or it is busy (incident {incident})"
        ))
    } else {
        let kind = said
            .map(|said| said.error.kind)
            .filter(|kind| kind == "error")
            .unwrap_or_else(|| "internal".into());
        wire_error(
            status,
            &kind,
            format!("the server failed to answer this request (incident {incident})"),
            Some("the server's log says what happened under that incident number".into()),
        )
    };
    if let Some(retry) = parts.headers.get(header::RETRY_AFTER) {
        scrubbed
            .headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    scrubbed
}

/// A handler that panics answers 500 in the JSON error shape; the server lives on.
pub(crate) async fn catch_panic(request: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            tracing::error!(panic = %what, "a request handler panicked");
            wire_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("a request handler panicked: {what}"),
                None,
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)] // a failing test should stop loudly
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn get_raw(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_error_shape_and_the_server_lives_on() {
        async fn boom() -> &'static str {
            panic!("the handler fell over")
        }
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(catch_panic))
            .layer(axum::middleware::from_fn(scrub));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        for _ in 0..3 {
            let answer = get_raw(addr, "/boom").await;
            assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
            let body = answer.split("\r\n\r\n").nth(1).unwrap();
            let error: ErrorBody = serde_json::from_str(body).unwrap();
            assert_eq!(error.error.kind, "internal");
            assert!(error.error.message.contains("incident"), "{body}");
            assert!(
                !body.contains("fell over"),
                "the panic's words reached the client: {body}"
            );
        }
        let answer = get_raw(addr, "/fine").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    #[test]
    fn the_least_roles_are_known_before_the_body() {
        let post = Method::POST;
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/import"),
            Some(Role::Admin)
        );
        assert_eq!(minimum_role(&post, "/v1/tokens"), Some(Role::Admin));
        assert_eq!(
            minimum_role(&Method::DELETE, "/v1/tokens/ci"),
            Some(Role::Admin)
        );
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/definition"),
            Some(Role::Operator)
        );
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/rollbacks"),
            Some(Role::Operator)
        );
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/releases"),
            Some(Role::Deploy)
        );
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/deployments/d-1/finish"),
            Some(Role::Deploy)
        );
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/stages/s/gate"),
            Some(Role::Read)
        );
        assert_eq!(
            minimum_role(&post, "/v1/pipelines/app/locate"),
            Some(Role::Read)
        );
        assert_eq!(
            minimum_role(&Method::GET, "/v1/pipelines/app/export"),
            Some(Role::Read)
        );
        assert_eq!(minimum_role(&Method::GET, "/healthz"), None);
        assert_eq!(minimum_role(&Method::GET, "/readyz"), None);
    }

    #[test]
    fn bodies_have_their_routes_limits_and_heavy_reads_are_told_apart() {
        assert_eq!(
            body_limit(&Method::POST, "/v1/pipelines/app/import"),
            IMPORT_BODY_LIMIT
        );
        assert_eq!(
            body_limit(&Method::POST, "/v1/pipelines/app/releases"),
            RELEASE_BODY_LIMIT
        );
        assert_eq!(
            body_limit(&Method::POST, "/v1/pipelines/app/deployments"),
            BODY_LIMIT
        );
        assert_eq!(body_limit(&Method::POST, "/healthz"), PUBLIC_BODY_LIMIT);
        assert!(is_heavy(&Method::GET, "/v1/pipelines/app/export"));
        assert!(is_heavy(
            &Method::GET,
            "/v1/pipelines/app/environments/prod/history"
        ));
        assert!(!is_heavy(&Method::POST, "/v1/pipelines/app/deployments"));
        assert!(!is_heavy(&Method::GET, "/v1/pipelines/app/locks"));
    }

    #[test]
    fn contradicting_bounds_are_refused() {
        assert!(Limits::default().check().is_ok());
        let short_idle = Limits {
            idle_timeout: Duration::from_secs(5),
            ..Limits::default()
        };
        assert!(short_idle.check().is_err());
        assert!(default_connection_cap() >= 16);
    }
}

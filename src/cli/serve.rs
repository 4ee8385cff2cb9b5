//! `captain serve`: run the team server.

use std::path::PathBuf;

use std::time::Duration;

use captain::config::Pipeline;
use captain::server::drive::DriveOptions;
use captain::server::{self, Database, ServeOptions, TlsFiles};

use super::Context;
use super::ui::Ui;

/// Run the team server: the ledger of every pipeline as an HTTP/JSON API for the CLI, CI
/// jobs and runbooks (`--state https://…` on the client side).
///
/// Every request needs an API token (`captain token create`); roles are read, deploy,
/// operator and admin. The first admin token comes from --bootstrap-token-file, or from
/// `captain token create NAME --role admin --database …` run on the server's database.
/// `/openapi.json` describes the API; `/healthz` (the process lives) and `/readyz` (its
/// database answers, else 503) answer without a token. Stops gracefully on SIGINT or
/// SIGTERM. Request logs go to stderr (CAPTAIN_LOG sets the level).
///
/// Every resource is bounded (the flags below): connections, the time to send headers
/// and bodies, a handler's time to answer, the PostgreSQL pool every pipeline shares,
/// and a lane of its own for heavy reads (exports, history and audit scans). A database
/// that does not answer, a full pool or a handler that ran out of time is 503 with
/// Retry-After, which the CLI retries; no error shows a client internal details (they go
/// to the log under an incident number).
///
/// The server holds each pipeline's definition and decides every rule from it: a pipeline
/// exists on the server once registered, with `captain pipeline push` or with --pipeline
/// PATH here (registered at start-up as its next version when it changed).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the ledgers live: sqlite:DIR (one file per pipeline in DIR) or postgres://….
    #[arg(long, env = "CAPTAIN_DATABASE", value_name = "URL")]
    pub database: String,
    /// The address to listen on (port 0 picks a free port, printed on start).
    #[arg(long, default_value = "127.0.0.1:8700", value_name = "ADDR")]
    pub listen: String,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// When no token exists yet, create the admin token `admin` and write its secret here
    /// (mode 0600).
    #[arg(long, value_name = "PATH")]
    pub bootstrap_token_file: Option<PathBuf>,
    /// With sqlite:DIR: keep tokens in this SQLite file (default: DIR/server.sqlite).
    /// With postgres://… they live in the database itself, and this is refused.
    #[arg(long, value_name = "PATH")]
    pub auth_db: Option<PathBuf>,
    /// Store calls that run at once; more requests wait their turn in the order they
    /// came, so under load each waits about as long as the others (default: twice the
    /// CPUs, at least 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: Option<u32>,
    /// Request logs as JSON lines.
    #[arg(long)]
    pub log_json: bool,
    /// Also drive the `captain run` loop of each pipeline given with --pipeline (repeat
    /// it per pipeline). With PostgreSQL, replicas sharing the database take turns: one
    /// drives a pipeline at a time (a PostgreSQL advisory lock), another takes over when
    /// it dies.
    #[arg(long)]
    pub run: bool,
    /// For tests only: decide bakes, windows and freezes with the time each client sends
    /// (CAPTAIN_NOW) instead of the server's clock. Never in production: a client could
    /// then end a bake early.
    #[arg(long)]
    pub trust_client_clock: bool,
    /// With --run: seconds between passes while nothing moves (fractions allowed).
    #[arg(long, default_value_t = 10.0, value_name = "SECS", requires = "run")]
    pub interval: f64,
    /// Connections open at once; one more is closed as it arrives (default: three
    /// quarters of the open-files limit, between 16 and 10000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: Option<u32>,
    /// Seconds a connection has to send a request's headers, from when it opened or
    /// answered its last request (an idle keep-alive connection is closed after it).
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = seconds)]
    pub header_timeout: Duration,
    /// Seconds a request has to send its whole body (else 408).
    #[arg(long, default_value = "60", value_name = "SECS", value_parser = seconds)]
    pub body_timeout: Duration,
    /// Seconds a request's handler has to answer (else 503 with Retry-After).
    #[arg(long, default_value = "60", value_name = "SECS", value_parser = seconds)]
    pub request_timeout: Duration,
    /// Seconds a connection may stay with no byte moving either way before it is closed
    /// (longer than --request-timeout).
    #[arg(long, default_value = "120", value_name = "SECS", value_parser = seconds)]
    pub idle_timeout: Duration,
    /// With PostgreSQL: connections of the one pool all pipelines and the server's own
    /// tables share.
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub db_pool_size: u32,
    /// Seconds a request waits for a database connection, or a heavy read for its turn,
    /// before it is 503 with Retry-After.
    #[arg(long, default_value = "5", value_name = "SECS", value_parser = seconds)]
    pub acquire_timeout: Duration,
    /// With PostgreSQL: seconds opening a connection may take (unless the URL sets
    /// connect_timeout). Connections use TCP keepalive (first probe after 30 s idle).
    #[arg(long, default_value = "5", value_name = "SECS", value_parser = seconds)]
    pub db_connect_timeout: Duration,
    /// With PostgreSQL: seconds a statement may run (its statement_timeout).
    #[arg(long, default_value = "60", value_name = "SECS", value_parser = seconds)]
    pub db_statement_timeout: Duration,
    /// Heavy reads (exports, history and audit scans, release lists) running at once, in
    /// a lane of their own: however many wait, writes keep their turns.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub heavy_reads: u32,
}

/// A number of seconds (fractions allowed), more than 0.
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(value.is_finite() && value > 0.0 && value < 1e9) {
        return Err(format!("`{text}` is not a number of seconds above 0"));
    }
    Ok(Duration::from_secs_f64(value))
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    // Registered at start-up: pipeline.toml's text, validated.
    let register = ctx
        .global
        .pipeline
        .iter()
        .map(|path| {
            let pipeline = Pipeline::load(path)?;
            let text = captain::config::read_pipeline_text(path)?;
            Ok((pipeline.name, text))
        })
        .collect::<captain::Result<Vec<_>>>()?;
    let drive = if args.run {
        if !(args.interval.is_finite() && args.interval >= 0.0) {
            return Err(captain::Error::usage(format!(
                "--interval {} is not a number of seconds",
                args.interval
            ))
            .into());
        }
        if ctx.global.pipeline.is_empty() {
            return Err(
                captain::Error::usage("`serve --run` needs the pipelines to drive")
                    .with_hint("add --pipeline PATH/pipeline.toml, once per pipeline")
                    .into(),
            );
        }
        let pipelines = ctx
            .global
            .pipeline
            .iter()
            .map(|path| Pipeline::load(path))
            .collect::<captain::Result<Vec<_>>>()?;
        super::start_reaper(ui);
        Some(DriveOptions {
            pipelines,
            interval: Duration::from_secs_f64(args.interval),
        })
    } else {
        None
    };
    let options = ServeOptions {
        database: Database::parse(&args.database)?,
        listen: args.listen,
        tls: match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            _ => None,
        },
        auth_db: args.auth_db,
        bootstrap_token_file: args.bootstrap_token_file,
        json_logs: args.log_json,
        concurrency: args.concurrency.map(|n| n as usize),
        drive,
        register,
        trust_client_clock: args.trust_client_clock,
        limits: server::limits::Limits {
            max_connections: args.max_connections.map(|n| n as usize),
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            request_timeout: args.request_timeout,
            idle_timeout: args.idle_timeout,
            db_pool_size: args.db_pool_size as usize,
            acquire_timeout: args.acquire_timeout,
            db_connect_timeout: args.db_connect_timeout,
            db_statement_timeout: args.db_statement_timeout,
            heavy_reads: args.heavy_reads as usize,
        },
    };
    server::serve(options, |addr, tls| {
        let scheme = if tls { "https" } else { "http" };
        // On stdout, so a supervisor or a test can read the bound address.
        let _ = ui.out(&format!("captain serve: listening on {scheme}://{addr}"));
    })?;
    Ok(())
}

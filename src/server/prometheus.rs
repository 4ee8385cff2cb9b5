//! `GET /metrics`: the team server in the Prometheus text format (OpenMetrics, with
//! prometheus-client).
//!
//! Per pipeline and environment: its current release and commit (an info metric), and
//! whether it is deploying, locked (promotions into or out of it or its stage disabled)
//! or running a blocked release (gauges). Per pipeline: deployments by stage, kind and
//! outcome, rollbacks and lock changes (counters, totals of the ledger, so they survive
//! a restart of the server and agree with every other server on the same database), and
//! the deployment duration (a histogram). The server's own: requests by method and
//! status, their latency, and the store calls in use.
//!
//! Every ledger value is read at scrape time; nothing here writes.

use std::collections::HashMap;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::model::{DeploymentKind, LockTargetKind};
use crate::store::{DURATION_BUCKETS, LedgerCounts, Store};

/// The content type of the answer.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: String,
}

/// The server's own metrics, kept while it runs.
pub(crate) struct ServerMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<MethodLabels, Histogram>,
}

impl std::fmt::Debug for ServerMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerMetrics")
    }
}

/// Request latency buckets, seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

impl ServerMetrics {
    pub(crate) fn new() -> ServerMetrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<MethodLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(LATENCY_BUCKETS)) as fn() -> Histogram,
        );
        registry.register(
            "captain_http_requests",
            "Requests the server answered, by method and status",
            requests.clone(),
        );
        registry.register(
            "captain_http_request_duration_seconds",
            "How long the server took to answer, by method",
            latency.clone(),
        );
        ServerMetrics {
            registry,
            requests,
            latency,
        }
    }

    /// Counts one answered request.
    pub(crate) fn observe(&self, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&MethodLabels {
                method: method.to_string(),
            })
            .observe(seconds);
    }
}

/// What a scrape read of one pipeline.
#[derive(Debug)]
pub(crate) struct PipelineSample {
    pipeline: String,
    environments: Vec<EnvironmentSample>,
    counts: LedgerCounts,
    windows: Vec<WindowSample>,
}

/// The metrics view's numbers over one window ending at the scrape (the production
/// stages, as `captain metrics` reads them by default).
#[derive(Debug)]
struct WindowSample {
    window: &'static str,
    attempts: u64,
    approved: u64,
    failed: u64,
    lead_time_sum: i64,
    /// (upper bound, how many in this bucket alone); the last one unbounded.
    lead_time_buckets: Vec<(f64, u64)>,
}

/// The windows `/metrics` shows the metrics view over.
const WINDOWS: [(&str, i64); 2] = [("30d", 30), ("90d", 90)];

#[derive(Debug)]
struct EnvironmentSample {
    environment: String,
    stage: String,
    wave: String,
    release: Option<String>,
    commit: Option<String>,
    deploying: bool,
    locked: bool,
    blocked: bool,
    /// The environment's latest deployment (in progress, else the last finished one).
    latest: Option<crate::model::Deployment>,
}

/// Reads what `/metrics` shows of `pipeline` from its ledger; the windows end at `now`.
pub(crate) fn sample(
    pipeline: &Pipeline,
    store: &dyn Store,
    now: crate::model::Timestamp,
) -> Result<PipelineSample> {
    let names = pipeline.environment_names();
    let states = store.environment_states(&names)?;
    let locks = store.locks()?;
    let blocks = crate::ops::block::blocks(&locks);
    let mut commits: HashMap<crate::model::ReleaseNumber, Option<String>> = HashMap::new();
    let mut environments = Vec::with_capacity(names.len());
    for state in states {
        let Some((stage, _)) = pipeline.environment(&state.environment) else {
            continue;
        };
        let release = state.current.as_ref().map(|d| d.release);
        let commit = match release {
            Some(number) => match commits.get(&number) {
                Some(commit) => commit.clone(),
                None => {
                    let commit = store.release(number)?.map(|r| r.commit);
                    commits.insert(number, commit.clone());
                    commit
                }
            },
            None => None,
        };
        let locked = locks.iter().any(|l| match l.target_kind {
            LockTargetKind::Environment => l.target == state.environment,
            LockTargetKind::Stage => l.target == stage.name,
            // A release block has its own gauge; a freeze holds promotions, not the environment.
            LockTargetKind::Release | LockTargetKind::Freeze => false,
        });
        environments.push(EnvironmentSample {
            environment: state.environment.clone(),
            stage: stage.name.clone(),
            wave: stage.wave.clone().unwrap_or_default(),
            release: release.map(|r| r.to_string()),
            commit,
            deploying: state.in_progress.is_some(),
            locked,
            blocked: release.is_some_and(|r| blocks.contains_key(&r)),
            latest: state
                .in_progress
                .clone()
                .or_else(|| state.last_finished.clone()),
        });
    }
    let mut windows = Vec::with_capacity(WINDOWS.len());
    for (window, days) in WINDOWS {
        let since = crate::model::Timestamp::from_second(now.as_second() - days * 86_400)
            .map_err(|e| Error::internal(format!("a {window} window before {now}: {e}")))?;
        let view = crate::views::metrics::build(
            pipeline,
            store,
            &crate::views::metrics::MetricsQuery {
                since,
                until: now,
                scope: None,
            },
        )?;
        let lead = &view.lead_time;
        windows.push(WindowSample {
            window,
            attempts: view.success_rate.attempts,
            approved: view.success_rate.approved,
            failed: view.change_failure_rate.failed,
            lead_time_sum: lead.first_sum_seconds,
            lead_time_buckets: lead
                .first_histogram
                .iter()
                .map(|b| (b.to_seconds.map_or(f64::INFINITY, |s| s as f64), b.count))
                .collect(),
        });
    }
    Ok(PipelineSample {
        pipeline: pipeline.name.clone(),
        environments,
        counts: store.ledger_counts()?,
        windows,
    })
}

/// The time the windows end at: `CAPTAIN_NOW` when pinned (tests, the demo), else the
/// clock.
pub(crate) fn scrape_time() -> crate::model::Timestamp {
    std::env::var("CAPTAIN_NOW")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(crate::model::Timestamp::now)
}

/// The whole answer: the server's own metrics, then each pipeline's (`store_calls`: the
/// team server's pool, none for `captain run`).
pub(crate) fn render(
    server: &ServerMetrics,
    samples: Vec<PipelineSample>,
    store_calls: Option<(usize, usize)>,
) -> Result<String> {
    let mut ledger = Registry::default();
    ledger.register_collector(Box::new(Ledger {
        samples,
        store_calls,
    }));
    let mut out = String::new();
    let failed = |e: std::fmt::Error| Error::internal(format!("could not encode the metrics: {e}"));
    prometheus_client::encoding::text::encode_registry(&mut out, &server.registry)
        .map_err(failed)?;
    prometheus_client::encoding::text::encode_registry(&mut out, &ledger).map_err(failed)?;
    prometheus_client::encoding::text::encode_eof(&mut out).map_err(failed)?;
    Ok(out)
}

/// The values read at scrape time, encoded as they are.
#[derive(Debug)]
struct Ledger {
    samples: Vec<PipelineSample>,
    /// Store calls in use and the most that may run at once (a team server's).
    store_calls: Option<(usize, usize)>,
}

/// A histogram whose buckets the ledger counted.
#[derive(Debug)]
struct CountedHistogram {
    sum: f64,
    count: u64,
    /// (upper bound, how many in this bucket alone).
    buckets: Vec<(f64, u64)>,
}

impl EncodeMetric for CountedHistogram {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::MetricEncoder,
    ) -> std::result::Result<(), std::fmt::Error> {
        encoder.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
            self.sum,
            self.count,
            &self.buckets,
            None,
        )
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

type Labels = Vec<(&'static str, String)>;

/// Did a deployment that ended so fail (the environment needs someone's look)?
fn is_failure(outcome: crate::model::Outcome) -> bool {
    use crate::model::Outcome;
    matches!(
        outcome,
        Outcome::DeployFailed | Outcome::TestsFailed | Outcome::AlarmFired | Outcome::RolledBack
    )
}

impl Ledger {
    /// The metrics view over each window: M1, M3 and M2's histogram, per pipeline.
    fn encode_windows(
        &self,
        encoder: &mut DescriptorEncoder,
    ) -> std::result::Result<(), std::fmt::Error> {
        let mut success = Vec::new();
        let mut failure = Vec::new();
        let mut attempts = Vec::new();
        let mut failures = Vec::new();
        let mut lead = Vec::new();
        for p in &self.samples {
            for w in &p.windows {
                let labels: Labels = vec![
                    ("pipeline", p.pipeline.clone()),
                    ("window", w.window.to_string()),
                ];
                if w.attempts > 0 {
                    let of = |n: u64| n as f64 / w.attempts as f64;
                    success.push((labels.clone(), ConstGauge::new(of(w.approved))));
                    failure.push((labels.clone(), ConstGauge::new(of(w.failed))));
                }
                attempts.push((labels.clone(), ConstGauge::new(w.attempts as i64)));
                failures.push((labels.clone(), ConstGauge::new(w.failed as i64)));
                lead.push((
                    labels,
                    CountedHistogram {
                        sum: w.lead_time_sum as f64,
                        count: w.lead_time_buckets.iter().map(|(_, n)| n).sum(),
                        buckets: w.lead_time_buckets.clone(),
                    },
                ));
            }
        }
        Self::family(
            encoder,
            "captain_deployment_success_ratio",
            "M1 over the window: the share of change deployments to production approved",
            MetricType::Gauge,
            success,
        )?;
        Self::family(
            encoder,
            "captain_change_failure_ratio",
            "M3 over the window: the share of change deployments to production that failed (an alarm or a rollback)",
            MetricType::Gauge,
            failure,
        )?;
        Self::family(
            encoder,
            "captain_change_deployments",
            "Change deployments to production started in the window (M1's and M3's denominator)",
            MetricType::Gauge,
            attempts,
        )?;
        Self::family(
            encoder,
            "captain_change_failures",
            "Change deployments to production started in the window that failed (M3)",
            MetricType::Gauge,
            failures,
        )?;
        Self::family(
            encoder,
            "captain_lead_time_seconds",
            "M2 over the window: per commit, from its commit time to reaching production's first environment",
            MetricType::Histogram,
            lead,
        )
    }

    fn family<M: EncodeMetric>(
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        kind: MetricType,
        rows: Vec<(Labels, M)>,
    ) -> std::result::Result<(), std::fmt::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
        for (labels, value) in rows {
            let family = metric.encode_family(&labels)?;
            value.encode(family)?;
        }
        Ok(())
    }
}

impl Collector for Ledger {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::result::Result<(), std::fmt::Error> {
        if let Some((in_use, limit)) = self.store_calls {
            Self::family(
                &mut encoder,
                "captain_store_calls_in_use",
                "Store calls running now (the database pool's work)",
                MetricType::Gauge,
                vec![(Vec::new(), ConstGauge::new(in_use as i64))],
            )?;
            Self::family(
                &mut encoder,
                "captain_store_calls_limit",
                "The most store calls that run at once (--concurrency)",
                MetricType::Gauge,
                vec![(Vec::new(), ConstGauge::new(limit as i64))],
            )?;
        }
        let env_labels = |p: &PipelineSample, e: &EnvironmentSample| -> Labels {
            vec![
                ("pipeline", p.pipeline.clone()),
                ("environment", e.environment.clone()),
                ("stage", e.stage.clone()),
                ("wave", e.wave.clone()),
            ]
        };
        let mut info = Vec::new();
        let mut deploying = Vec::new();
        let mut locked = Vec::new();
        let mut blocked = Vec::new();
        let mut latest = Vec::new();
        let mut started = Vec::new();
        let mut rolling_back = Vec::new();
        let mut failed = Vec::new();
        for p in &self.samples {
            for e in &p.environments {
                let mut labels = env_labels(p, e);
                deploying.push((labels.clone(), ConstGauge::new(i64::from(e.deploying))));
                locked.push((labels.clone(), ConstGauge::new(i64::from(e.locked))));
                blocked.push((labels.clone(), ConstGauge::new(i64::from(e.blocked))));
                let d = e.latest.as_ref();
                rolling_back.push((
                    labels.clone(),
                    ConstGauge::new(i64::from(d.is_some_and(|d| {
                        d.kind == DeploymentKind::Rollback && !d.outcome.is_finished()
                    }))),
                ));
                failed.push((
                    labels.clone(),
                    ConstGauge::new(i64::from(d.is_some_and(|d| is_failure(d.outcome)))),
                ));
                if let Some(d) = d {
                    started.push((labels.clone(), ConstGauge::new(d.started_at.as_second())));
                    let mut labels = labels.clone();
                    labels.extend([
                        ("id", d.id.to_string()),
                        ("release", d.release.to_string()),
                        ("kind", d.kind.as_str().to_string()),
                        ("outcome", d.outcome.as_str().to_string()),
                        ("actor", d.actor.clone()),
                    ]);
                    latest.push((labels, ConstGauge::new(1)));
                }
                if let (Some(release), Some(commit)) = (&e.release, &e.commit) {
                    labels.push(("release", release.clone()));
                    labels.push(("commit", commit.clone()));
                    info.push((labels, ConstGauge::new(1)));
                }
            }
        }
        Self::family(
            &mut encoder,
            "captain_environment_release_info",
            "The release and commit an environment runs (always 1)",
            MetricType::Gauge,
            info,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_deploying",
            "1 while a deployment to the environment is in progress",
            MetricType::Gauge,
            deploying,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_locked",
            "1 while promotions into or out of the environment or its stage are disabled",
            MetricType::Gauge,
            locked,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_blocked",
            "1 while the environment runs a release blocked everywhere",
            MetricType::Gauge,
            blocked,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_deployment_info",
            "The environment's latest deployment (in progress, else the last finished): id, release, kind, outcome and who started it (always 1)",
            MetricType::Gauge,
            latest,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_deployment_started_timestamp_seconds",
            "When the environment's latest deployment started (Unix seconds)",
            MetricType::Gauge,
            started,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_rolling_back",
            "1 while a rollback of the environment is in progress",
            MetricType::Gauge,
            rolling_back,
        )?;
        Self::family(
            &mut encoder,
            "captain_environment_failed",
            "1 while the environment's latest deployment failed (deploy failed, tests failed, alarm fired, rolled back)",
            MetricType::Gauge,
            failed,
        )?;
        self.encode_windows(&mut encoder)?;

        let mut deployments = Vec::new();
        let mut rollbacks: Vec<(Labels, ConstCounter)> = Vec::new();
        let mut durations = Vec::new();
        let mut locks = Vec::new();
        for p in &self.samples {
            let mut by_stage: HashMap<&str, u64> = HashMap::new();
            let mut histograms: HashMap<&str, (f64, Vec<u64>)> = HashMap::new();
            for t in &p.counts.deployments {
                deployments.push((
                    vec![
                        ("pipeline", p.pipeline.clone()),
                        ("stage", t.stage.clone()),
                        ("kind", t.kind.as_str().to_string()),
                        ("outcome", t.outcome.as_str().to_string()),
                    ],
                    ConstCounter::new(t.count),
                ));
                if t.kind == DeploymentKind::Rollback {
                    *by_stage.entry(&t.stage).or_default() += t.count;
                }
                let h = histograms
                    .entry(&t.stage)
                    .or_insert_with(|| (0.0, vec![0; DURATION_BUCKETS.len()]));
                h.0 += t.duration_sum_seconds;
                for (total, n) in h.1.iter_mut().zip(&t.duration_buckets) {
                    *total += n;
                }
            }
            let mut finished: HashMap<&str, u64> = HashMap::new();
            for t in &p.counts.deployments {
                if t.outcome.is_finished() {
                    *finished.entry(&t.stage).or_default() += t.count;
                }
            }
            let mut stages: Vec<&&str> = by_stage.keys().collect();
            stages.sort();
            for stage in stages {
                rollbacks.push((
                    vec![
                        ("pipeline", p.pipeline.clone()),
                        ("stage", stage.to_string()),
                    ],
                    ConstCounter::new(by_stage[*stage]),
                ));
            }
            let mut stages: Vec<(&str, (f64, Vec<u64>))> = histograms.into_iter().collect();
            stages.sort_by(|a, b| a.0.cmp(b.0));
            for (stage, (sum, cumulative)) in stages {
                // The finished ones above the last bound fall in +Inf.
                let count = finished.get(stage).copied().unwrap_or(0);
                let mut buckets = Vec::with_capacity(cumulative.len() + 1);
                let mut below = 0;
                for (bound, total) in DURATION_BUCKETS.iter().zip(&cumulative) {
                    buckets.push((*bound as f64, total.saturating_sub(below)));
                    below = *total;
                }
                buckets.push((f64::INFINITY, count.saturating_sub(below)));
                durations.push((
                    vec![
                        ("pipeline", p.pipeline.clone()),
                        ("stage", stage.to_string()),
                    ],
                    CountedHistogram {
                        sum,
                        count,
                        buckets,
                    },
                ));
            }
            for (action, n) in &p.counts.lock_changes {
                locks.push((
                    vec![("pipeline", p.pipeline.clone()), ("action", action.clone())],
                    ConstCounter::new(*n),
                ));
            }
        }
        Self::family(
            &mut encoder,
            "captain_deployments",
            "Deployments recorded in the ledger, by stage, kind and outcome",
            MetricType::Counter,
            deployments,
        )?;
        Self::family(
            &mut encoder,
            "captain_rollbacks",
            "Rollback deployments recorded in the ledger, by stage",
            MetricType::Counter,
            rollbacks,
        )?;
        Self::family(
            &mut encoder,
            "captain_lock_changes",
            "Promotion locks and release blocks set and lifted, by action",
            MetricType::Counter,
            locks,
        )?;
        Self::family(
            &mut encoder,
            "captain_deployment_duration_seconds",
            "How long finished deployments took, from start to finish, by stage",
            MetricType::Histogram,
            durations,
        )?;
        Ok(())
    }
}

/// The environment variable holding the bearer token `captain run --metrics-listen`
/// asks for on an address other than loopback.
pub const METRICS_TOKEN_ENV: &str = "CAPTAIN_METRICS_TOKEN";

/// `captain run --metrics-listen ADDR`: `GET /metrics` for one pipeline's loop without a
/// team server, on a thread of its own (the same answer as `captain serve`'s, without the
/// server's pool). On loopback it asks for no token; elsewhere only with the bearer token
/// in [`METRICS_TOKEN_ENV`]. Binds before returning, so a taken address is an error now;
/// returns the address bound (a port 0 picks one).
pub fn spawn_listener(
    listen: &str,
    pipeline: Pipeline,
    store: std::sync::Arc<dyn Store>,
    clock: fn() -> crate::model::Timestamp,
) -> Result<std::net::SocketAddr> {
    let address = parse_listen(listen)?;
    let token = std::env::var(METRICS_TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty());
    if !address.ip().is_loopback() && token.is_none() {
        return Err(Error::usage(format!(
            "--metrics-listen {listen} is not a loopback address, and /metrics there would answer anyone"
        ))
        .with_hint(format!(
            "listen on 127.0.0.1:PORT, or set {METRICS_TOKEN_ENV} to a token Prometheus sends (authorization: credentials)"
        )));
    }
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        Error::usage(format!(
            "--metrics-listen {listen}: cannot listen there: {e}"
        ))
        .with_hint("pick a free port, e.g. 127.0.0.1:9464")
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("the metrics listener's address: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::internal(format!("the metrics listener: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("the metrics listener's runtime: {e}")))?;
    let state = LoopMetrics {
        pipeline: std::sync::Arc::new(pipeline),
        store,
        clock,
        token: token.map(std::sync::Arc::from),
        server: std::sync::Arc::new(ServerMetrics::new()),
    };
    std::thread::Builder::new()
        .name("captain-metrics".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let app = axum::Router::new()
                    .route("/metrics", axum::routing::get(loop_metrics))
                    .with_state(state);
                let _ = axum::serve(listener, app).await;
            });
        })
        .map_err(|e| Error::internal(format!("the metrics listener's thread: {e}")))?;
    Ok(bound)
}

/// `HOST:PORT`, `[V6]:PORT`, or a bare port (on loopback).
fn parse_listen(listen: &str) -> Result<std::net::SocketAddr> {
    let text = listen.trim();
    if let Ok(port) = text.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse().map_err(|_| {
        Error::usage(format!("--metrics-listen `{listen}` is not an address"))
            .with_hint("give HOST:PORT (an IP address), e.g. 127.0.0.1:9464, or a port")
    })
}

#[derive(Clone)]
struct LoopMetrics {
    pipeline: std::sync::Arc<Pipeline>,
    store: std::sync::Arc<dyn Store>,
    clock: fn() -> crate::model::Timestamp,
    token: Option<std::sync::Arc<str>>,
    server: std::sync::Arc<ServerMetrics>,
}

async fn loop_metrics(
    axum::extract::State(state): axum::extract::State<LoopMetrics>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let started = std::time::Instant::now();
    if let Some(token) = &state.token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let matches = sent.is_some_and(|s| {
            use subtle::ConstantTimeEq;
            bool::from(s.as_bytes().ct_eq(token.as_bytes()))
        });
        if !matches {
            state
                .server
                .observe("GET", 401, started.elapsed().as_secs_f64());
            return (
                StatusCode::UNAUTHORIZED,
                format!("send the token of {METRICS_TOKEN_ENV} as a bearer token\n"),
            )
                .into_response();
        }
    }
    let sampled = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            let sample = sample(&state.pipeline, state.store.as_ref(), (state.clock)())?;
            render(&state.server, vec![sample], None)
        })
        .await
    };
    let (status, body, content_type) = match sampled {
        Ok(Ok(text)) => (StatusCode::OK, text, CONTENT_TYPE),
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{e}\n"),
            "text/plain; charset=utf-8",
        ),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the metrics could not be read: {e}\n"),
            "text/plain; charset=utf-8",
        ),
    };
    state
        .server
        .observe("GET", status.as_u16(), started.elapsed().as_secs_f64());
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

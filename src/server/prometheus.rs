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
}

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
}

/// Reads what `/metrics` shows of `pipeline` from its ledger.
pub(crate) fn sample(pipeline: &Pipeline, store: &dyn Store) -> Result<PipelineSample> {
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
        });
    }
    Ok(PipelineSample {
        pipeline: pipeline.name.clone(),
        environments,
        counts: store.ledger_counts()?,
    })
}

/// The whole answer: the server's own metrics, then each pipeline's.
pub(crate) fn render(
    server: &ServerMetrics,
    samples: Vec<PipelineSample>,
    store_calls: (usize, usize),
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
    /// Store calls in use and the most that may run at once.
    store_calls: (usize, usize),
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

impl Ledger {
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
        let (in_use, limit) = self.store_calls;
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
        for p in &self.samples {
            for e in &p.environments {
                let mut labels = env_labels(p, e);
                deploying.push((labels.clone(), ConstGauge::new(i64::from(e.deploying))));
                locked.push((labels.clone(), ConstGauge::new(i64::from(e.locked))));
                blocked.push((labels.clone(), ConstGauge::new(i64::from(e.blocked))));
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

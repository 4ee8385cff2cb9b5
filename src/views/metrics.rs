//! `captain metrics`: how the pipeline delivers, from the ledger alone — the glossary's
//! M1 (deployment success rate), M2 (lead time for changes), M3 (change failure rate),
//! M4 (time to recovery), M5 (time to detect), M7 (promotion time between stages), M8
//! (pipeline duration), M10 (rollbacks per 100 deployments) and M12 (audit
//! completeness), and the four DORA keys with their performance band.
//!
//! [`compute`] is a pure function of the rows a store reads for the window
//! ([`MetricInputs`]), the pipeline and the scope; [`build`] asks the store (or, for a
//! team server, lets the server compute the view with the definition it holds).
//!
//! The definitions, over the deployments *started* in the window to the scope's
//! environments (the README's "Metrics" says the same for users):
//!
//! - a *change deployment* is a finished normal deployment that was neither superseded
//!   nor cancelled; M1 is the share of them approved;
//! - a *change failure* is a change deployment whose outcome is `alarm fired` or `rolled
//!   back`, or which the next deployment to its environment rolled back; M3 is their
//!   share. Its *failure time* is when it finished with that outcome, or (approved, then
//!   rolled back) when the rollback started. M5 is from its start to its failure time;
//!   M4 from its failure time to the next approved deployment there (one still without
//!   one is counted as open);
//! - a commit *reaches* an environment when a deployment whose outcome reached it
//!   (approved, tests failed, alarm fired, rolled back) finishes with a release that
//!   contains it and the environment did not have it yet (the releases on the base chain
//!   above the environment's previous release). M2 is per commit, from its commit time to
//!   reaching the scope's first environment, and to reaching every one of them; M8 is per
//!   release, from its creation to reaching every environment of the scope. A commit or
//!   release counts in the window in which that happened;
//! - M7 is, per pair of consecutive stages, from the time every environment of the
//!   first approved a release to the first deployment of it in the next;
//! - M10 is rollback deployments per 100 normal deployments; M12 the share of
//!   deployments with full audit metadata: a known actor, artifacts on the release, and
//!   a reason on a rollback.
//!
//! Medians and p90s are nearest-rank: always a value that occurred.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Store;

/// The rows [`compute`] needs, read by [`Store::metric_inputs`] for one window.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricInputs {
    /// Every deployment started in the window, in start order.
    pub deployments: Vec<Deployment>,
    /// Each environment's current release when the window began (the release of its
    /// last deployment started before the window whose outcome reached it).
    pub prior: BTreeMap<String, ReleaseNumber>,
    /// The releases the window can touch: every release from the oldest of `prior` and
    /// of the window's deployments to the newest of the window's deployments.
    pub releases: Vec<MetricRelease>,
}

/// What the metrics need of one release.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricRelease {
    pub number: ReleaseNumber,
    pub base: Option<ReleaseNumber>,
    pub created_at: Timestamp,
    /// The release records at least one artifact.
    pub has_artifacts: bool,
    /// The commit times of the commits it introduced.
    pub commit_times: Vec<Timestamp>,
}

/// The window asked for.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricsQuery {
    pub since: Timestamp,
    pub until: Timestamp,
    /// The scope; `None` is the production stages (every stage when there are no waves).
    #[serde(default)]
    pub scope: Option<Scope>,
}

/// Which environments the metrics cover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Scope {
    Stage(String),
    Wave(String),
    Environment(String),
}

/// The whole view (`captain metrics --output json`). Durations are whole seconds.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricsView {
    pub since: Timestamp,
    pub until: Timestamp,
    /// `production`, `stage`, `wave` or `environment`.
    pub scope: String,
    /// The stage, wave or environment named; `None` for `production`.
    pub scope_name: Option<String>,
    /// The environments covered, in pipeline order.
    pub environments: Vec<String>,
    pub deployments: DeploymentCounts,
    /// M1.
    pub success_rate: SuccessRate,
    /// M2.
    pub lead_time: LeadTime,
    /// M3.
    pub change_failure_rate: ChangeFailureRate,
    /// M4.
    pub time_to_recovery: Recovery,
    /// M5.
    pub time_to_detect: Distribution,
    /// M7.
    pub promotion_time: PromotionTime,
    /// M8.
    pub pipeline_duration: Distribution,
    /// M10.
    pub rollbacks: Rollbacks,
    /// M12.
    pub audit_completeness: AuditCompleteness,
    pub dora: Dora,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeploymentCounts {
    /// Every deployment started in the window to the scope.
    pub total: u64,
    pub normal: u64,
    pub rollback: u64,
    pub in_progress: u64,
}

/// A set of durations: how many, their median, p90, shortest and longest (seconds).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Distribution {
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub min_seconds: Option<i64>,
    pub max_seconds: Option<i64>,
}

impl Distribution {
    /// The distribution of `values` (seconds, in any order).
    pub fn of(mut values: Vec<i64>) -> Distribution {
        values.sort_unstable();
        Distribution {
            count: values.len() as u64,
            median_seconds: nearest_rank(&values, 50),
            p90_seconds: nearest_rank(&values, 90),
            min_seconds: values.first().copied(),
            max_seconds: values.last().copied(),
        }
    }
}

/// The `percent`-th percentile of sorted `values`, nearest-rank.
fn nearest_rank(values: &[i64], percent: usize) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = (percent * values.len()).div_ceil(100).max(1);
    values.get(rank - 1).copied()
}

/// M1.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SuccessRate {
    /// Change deployments: finished normal deployments, neither superseded nor cancelled.
    pub attempts: u64,
    pub approved: u64,
    /// `approved / attempts`; `None` without attempts.
    pub rate: Option<f64>,
}

/// M2: per commit, from its commit time.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadTime {
    /// To reaching the scope's first environment.
    pub first: Distribution,
    pub first_histogram: Vec<Bucket>,
    /// The sum of the lead times to the first environment (for Prometheus' histogram).
    #[serde(default)]
    pub first_sum_seconds: i64,
    /// To reaching every environment of the scope.
    pub every: Distribution,
    pub every_histogram: Vec<Bucket>,
}

/// One bar of a histogram: durations at least `from_seconds` and below `to_seconds`
/// (`None`: no upper bound).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bucket {
    pub label: String,
    pub from_seconds: i64,
    pub to_seconds: Option<i64>,
    pub count: u64,
}

const HOUR: i64 = 3_600;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// The lead time histogram's bars.
const BUCKETS: [(&str, i64); 10] = [
    ("< 1h", 0),
    ("1h–4h", HOUR),
    ("4h–12h", 4 * HOUR),
    ("12h–1d", 12 * HOUR),
    ("1d–2d", DAY),
    ("2d–4d", 2 * DAY),
    ("4d–1w", 4 * DAY),
    ("1w–2w", WEEK),
    ("2w–4w", 2 * WEEK),
    ("≥ 4w", 4 * WEEK),
];

fn histogram(values: &[i64]) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (label, from))| Bucket {
            label: (*label).to_string(),
            from_seconds: *from,
            to_seconds: BUCKETS.get(i + 1).map(|(_, to)| *to),
            count: 0,
        })
        .collect();
    for &value in values {
        let index = BUCKETS
            .iter()
            .rposition(|(_, from)| value >= *from)
            .unwrap_or(0);
        buckets[index].count += 1;
    }
    buckets
}

/// M3.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChangeFailureRate {
    /// Change deployments (as M1's attempts).
    pub deployments: u64,
    /// Those that ended in an alarm or a rollback.
    pub failed: u64,
    pub rate: Option<f64>,
}

/// M4.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Recovery {
    #[serde(flatten)]
    pub recovered: Distribution,
    /// Failures whose environment has had no approved deployment since.
    pub open: u64,
}

/// M7.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PromotionTime {
    /// Every promotion of the scope together.
    pub overall: Distribution,
    pub stages: Vec<Promotion>,
}

/// The promotions from one stage into the next.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Promotion {
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub time: Distribution,
}

/// M10.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rollbacks {
    pub rollbacks: u64,
    /// Normal deployments started in the window.
    pub deployments: u64,
    pub per_100: Option<f64>,
}

/// M12.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditCompleteness {
    pub deployments: u64,
    pub complete: u64,
    pub share: Option<f64>,
    /// Up to five deployments missing something, with what they miss.
    pub incomplete: Vec<Incomplete>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Incomplete {
    pub id: DeploymentId,
    pub missing: Vec<String>,
}

/// The four DORA keys, each with its band (`elite`, `high`, `medium`, `low`; `None`
/// without data). Bands after the DORA State of DevOps 2023 report, made contiguous.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dora {
    pub deployment_frequency: Frequency,
    pub lead_time: Key,
    pub change_failure_rate: Key,
    pub time_to_restore: Key,
}

/// Deployment frequency: releases reaching the scope's first environment, per day.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Frequency {
    pub releases: u64,
    pub days: f64,
    pub per_day: f64,
    pub band: Band,
}

/// One key: its value (seconds for a time, a fraction for a rate) and band.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Key {
    pub value: Option<f64>,
    pub band: Option<Band>,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Elite,
    High,
    Medium,
    #[default]
    Low,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Elite => "elite",
            Band::High => "high",
            Band::Medium => "medium",
            Band::Low => "low",
        }
    }

    /// Deployment frequency: at least daily, weekly, monthly.
    pub fn of_frequency(per_day: f64) -> Band {
        if per_day >= 1.0 {
            Band::Elite
        } else if per_day >= 1.0 / 7.0 {
            Band::High
        } else if per_day >= 1.0 / 30.0 {
            Band::Medium
        } else {
            Band::Low
        }
    }

    /// Lead time: under a day, a week, a month.
    pub fn of_lead_time(seconds: i64) -> Band {
        Band::below(seconds, [DAY, WEEK, 30 * DAY])
    }

    /// Time to restore: under an hour, a day, a week.
    pub fn of_restore(seconds: i64) -> Band {
        Band::below(seconds, [HOUR, DAY, WEEK])
    }

    /// Change failure rate: at most 5 %, 10 %, 15 %.
    pub fn of_failure_rate(rate: f64) -> Band {
        if rate <= 0.05 {
            Band::Elite
        } else if rate <= 0.10 {
            Band::High
        } else if rate <= 0.15 {
            Band::Medium
        } else {
            Band::Low
        }
    }

    fn below(seconds: i64, limits: [i64; 3]) -> Band {
        if seconds < limits[0] {
            Band::Elite
        } else if seconds < limits[1] {
            Band::High
        } else if seconds < limits[2] {
            Band::Medium
        } else {
            Band::Low
        }
    }
}

/// The metrics of `query`: computed here from the store's rows, or by the team server
/// with the definition it holds.
pub fn build(pipeline: &Pipeline, store: &dyn Store, query: &MetricsQuery) -> Result<MetricsView> {
    if let Some(http) = store.as_http() {
        return http.metrics(query);
    }
    scope_environments(pipeline, query.scope.as_ref())?;
    if query.until < query.since {
        return Err(Error::usage(format!(
            "the window begins at {} after it ends at {}",
            query.since, query.until
        ))
        .with_hint("give --since a time before --now"));
    }
    let inputs = store.metric_inputs(query.since, query.until)?;
    compute(pipeline, &inputs, query)
}

/// The scope's label and environments, in pipeline order (not found, with a
/// did-you-mean, for an unknown name).
fn scope_environments(
    pipeline: &Pipeline,
    scope: Option<&Scope>,
) -> Result<(String, Option<String>, Vec<String>)> {
    let names = |stages: &mut dyn Iterator<Item = &crate::config::Stage>| -> Vec<String> {
        stages
            .flat_map(|s| s.environments.iter().map(|e| e.name.clone()))
            .collect()
    };
    Ok(match scope {
        None => {
            let production = pipeline.stages.iter().any(|s| s.is_production());
            let envs = names(
                &mut pipeline
                    .stages
                    .iter()
                    .filter(|s| !production || s.is_production()),
            );
            ("production".into(), None, envs)
        }
        Some(Scope::Stage(name)) => {
            let stage = pipeline.require_stage(name)?;
            (
                "stage".into(),
                Some(stage.name.clone()),
                names(&mut std::iter::once(stage)),
            )
        }
        Some(Scope::Wave(name)) => {
            if !pipeline.waves.iter().any(|w| &w.name == name) {
                let error = Error::not_found(format!(
                    "unknown wave `{name}` in pipeline `{}`",
                    pipeline.name
                ));
                let hint = crate::error::suggestion_hint(
                    name,
                    pipeline.waves.iter().map(|w| w.name.as_str()),
                );
                return Err(match hint {
                    Some(hint) => error.with_hint(hint),
                    None => error,
                });
            }
            let envs = names(
                &mut pipeline
                    .stages
                    .iter()
                    .filter(|s| s.wave.as_deref() == Some(name)),
            );
            ("wave".into(), Some(name.clone()), envs)
        }
        Some(Scope::Environment(name)) => {
            let (_, env) = crate::ops::deploy::find_environment(pipeline, name)?;
            (
                "environment".into(),
                Some(env.name.clone()),
                vec![env.name.clone()],
            )
        }
    })
}

fn seconds(from: Timestamp, to: Timestamp) -> i64 {
    to.as_second() - from.as_second()
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The metrics of `query` over `inputs` (see the module doc for each definition).
pub fn compute(
    pipeline: &Pipeline,
    inputs: &MetricInputs,
    query: &MetricsQuery,
) -> Result<MetricsView> {
    let (scope, scope_name, environments) = scope_environments(pipeline, query.scope.as_ref())?;
    let in_scope: HashSet<&str> = environments.iter().map(String::as_str).collect();
    let window = |d: &&Deployment| d.started_at >= query.since && d.started_at <= query.until;

    // Each environment's deployments of the window, in start order.
    let mut by_env: HashMap<&str, Vec<&Deployment>> = HashMap::new();
    for d in inputs.deployments.iter().filter(window) {
        by_env.entry(d.environment.as_str()).or_default().push(d);
    }
    let scoped = || {
        environments
            .iter()
            .filter_map(|e| by_env.get(e.as_str()).map(|ds| (e.as_str(), ds)))
    };

    let mut counts = DeploymentCounts::default();
    let mut attempts = 0u64;
    let mut approved = 0u64;
    let mut failures = 0u64;
    let mut detect = Vec::new();
    let mut recover = Vec::new();
    let mut open = 0u64;
    for (_, ds) in scoped() {
        for (i, d) in ds.iter().enumerate() {
            counts.total += 1;
            match d.kind {
                DeploymentKind::Normal => counts.normal += 1,
                DeploymentKind::Rollback => counts.rollback += 1,
            }
            if d.outcome == Outcome::InProgress {
                counts.in_progress += 1;
            }
            let change = d.kind == DeploymentKind::Normal
                && !matches!(
                    d.outcome,
                    Outcome::InProgress | Outcome::Superseded | Outcome::Cancelled
                );
            if !change {
                continue;
            }
            attempts += 1;
            if d.outcome == Outcome::Approved {
                approved += 1;
            }
            let next = ds.get(i + 1);
            let rolled_back_by = next.filter(|n| n.kind == DeploymentKind::Rollback);
            let failed_at = match d.outcome {
                Outcome::AlarmFired | Outcome::RolledBack => d.finished_at,
                _ => rolled_back_by.map(|n| match d.finished_at {
                    Some(f) if d.outcome != Outcome::Approved => f,
                    _ => n.started_at,
                }),
            };
            let Some(failed_at) = failed_at else {
                continue;
            };
            failures += 1;
            detect.push(seconds(d.started_at, failed_at).max(0));
            let recovered = ds[i + 1..]
                .iter()
                .filter(|n| n.outcome == Outcome::Approved)
                .find_map(|n| n.finished_at);
            match recovered {
                Some(at) => recover.push(seconds(failed_at, at).max(0)),
                None => open += 1,
            }
        }
    }

    let reach = Reach::of(inputs, &by_env);
    let releases: HashMap<ReleaseNumber, &MetricRelease> =
        inputs.releases.iter().map(|r| (r.number, r)).collect();
    let prior_max = environments
        .iter()
        .filter_map(|e| inputs.prior.get(e))
        .max()
        .copied();
    let mut first_leads = Vec::new();
    let mut every_leads = Vec::new();
    let mut durations = Vec::new();
    let mut first_releases = 0u64;
    let mut candidates: Vec<ReleaseNumber> = reach
        .times
        .iter()
        .filter(|((env, _), _)| in_scope.contains(env.as_str()))
        .map(|((_, release), _)| *release)
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    for number in candidates {
        let Some(release) = releases.get(&number) else {
            continue;
        };
        let times: Vec<Option<Timestamp>> = environments
            .iter()
            .map(|e| reach.times.get(&(e.clone(), number)).copied())
            .collect();
        let first = times.iter().flatten().min().copied();
        if let Some(first) = first
            && prior_max.is_none_or(|p| number > p)
        {
            first_releases += 1;
            first_leads.extend(
                release
                    .commit_times
                    .iter()
                    .map(|c| seconds(*c, first).max(0)),
            );
        }
        // Everywhere: each environment reached it in the window or had it before.
        let every =
            environments
                .iter()
                .zip(&times)
                .try_fold(None::<Timestamp>, |latest, (env, time)| match time {
                    Some(t) => Some(Some(latest.map_or(*t, |l| l.max(*t)))),
                    None if inputs.prior.get(env).is_some_and(|p| *p >= number) => Some(latest),
                    None => None,
                });
        if let Some(Some(every)) = every {
            every_leads.extend(
                release
                    .commit_times
                    .iter()
                    .map(|c| seconds(*c, every).max(0)),
            );
            durations.push(seconds(release.created_at, every).max(0));
        }
    }

    let promotion_time = promotions(pipeline, &environments, &by_env);

    let mut rollbacks = Rollbacks::default();
    let mut audit = AuditCompleteness::default();
    for (_, ds) in scoped() {
        for d in ds {
            match d.kind {
                DeploymentKind::Normal => rollbacks.deployments += 1,
                DeploymentKind::Rollback => rollbacks.rollbacks += 1,
            }
            audit.deployments += 1;
            let missing = missing_audit(d, releases.get(&d.release).copied());
            if missing.is_empty() {
                audit.complete += 1;
            } else if audit.incomplete.len() < 5 {
                audit.incomplete.push(Incomplete {
                    id: d.id.clone(),
                    missing,
                });
            }
        }
    }
    rollbacks.per_100 = ratio(rollbacks.rollbacks * 100, rollbacks.deployments);
    audit.share = ratio(audit.complete, audit.deployments);

    let lead_time = LeadTime {
        first_histogram: histogram(&first_leads),
        first_sum_seconds: first_leads.iter().sum(),
        every_histogram: histogram(&every_leads),
        first: Distribution::of(first_leads),
        every: Distribution::of(every_leads),
    };
    let change_failure_rate = ChangeFailureRate {
        deployments: attempts,
        failed: failures,
        rate: ratio(failures, attempts),
    };
    let time_to_recovery = Recovery {
        recovered: Distribution::of(recover),
        open,
    };
    let days = (seconds(query.since, query.until) as f64 / DAY as f64).max(1.0 / 24.0);
    let per_day = first_releases as f64 / days;
    let dora = Dora {
        deployment_frequency: Frequency {
            releases: first_releases,
            days,
            per_day,
            band: Band::of_frequency(per_day),
        },
        lead_time: Key {
            value: lead_time.first.median_seconds.map(|s| s as f64),
            band: lead_time.first.median_seconds.map(Band::of_lead_time),
        },
        change_failure_rate: Key {
            value: change_failure_rate.rate,
            band: change_failure_rate.rate.map(Band::of_failure_rate),
        },
        time_to_restore: Key {
            value: time_to_recovery.recovered.median_seconds.map(|s| s as f64),
            band: time_to_recovery
                .recovered
                .median_seconds
                .map(Band::of_restore),
        },
    };
    Ok(MetricsView {
        since: query.since,
        until: query.until,
        scope,
        scope_name,
        environments,
        deployments: counts,
        success_rate: SuccessRate {
            attempts,
            approved,
            rate: ratio(approved, attempts),
        },
        lead_time,
        change_failure_rate,
        time_to_recovery,
        time_to_detect: Distribution::of(detect),
        promotion_time,
        pipeline_duration: Distribution::of(durations),
        rollbacks,
        audit_completeness: audit,
        dora,
    })
}

/// What a deployment's audit record lacks (empty: complete).
fn missing_audit(d: &Deployment, release: Option<&MetricRelease>) -> Vec<String> {
    let mut missing = Vec::new();
    let actor = d.actor.trim();
    if actor.is_empty() || actor == "unknown" {
        missing.push("actor".to_string());
    }
    if d.outcome.is_finished() && d.finished_at.is_none() {
        missing.push("finish time".to_string());
    }
    if d.kind == DeploymentKind::Rollback && d.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        missing.push("reason".to_string());
    }
    if !release.is_some_and(|r| r.has_artifacts) {
        missing.push("artifacts".to_string());
    }
    missing
}

/// When each release first reached each environment in the window.
struct Reach {
    times: HashMap<(String, ReleaseNumber), Timestamp>,
}

impl Reach {
    /// Walks each environment's deployments in start order from its release before the
    /// window: a deployment that reached the environment brings the releases on its
    /// release's base chain above the environment's previous release.
    fn of(inputs: &MetricInputs, by_env: &HashMap<&str, Vec<&Deployment>>) -> Reach {
        let bases: HashMap<ReleaseNumber, Option<ReleaseNumber>> =
            inputs.releases.iter().map(|r| (r.number, r.base)).collect();
        let mut times = HashMap::new();
        for (env, ds) in by_env {
            let mut current = inputs.prior.get(*env).copied();
            for d in ds {
                if !d.outcome.reached() {
                    continue;
                }
                let Some(at) = d.finished_at else {
                    continue;
                };
                let mut next = Some(d.release);
                while let Some(number) = next {
                    if current.is_some_and(|c| number <= c) {
                        break;
                    }
                    let Some(base) = bases.get(&number) else {
                        break;
                    };
                    times.entry((env.to_string(), number)).or_insert(at);
                    next = *base;
                }
                current = Some(d.release);
            }
        }
        Reach { times }
    }
}

/// M7: per pair of consecutive stages whose second is in the scope.
fn promotions(
    pipeline: &Pipeline,
    environments: &[String],
    by_env: &HashMap<&str, Vec<&Deployment>>,
) -> PromotionTime {
    let in_scope: HashSet<&str> = environments.iter().map(String::as_str).collect();
    let mut all = Vec::new();
    let mut stages = Vec::new();
    for pair in pipeline.stages.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        if !to
            .environments
            .iter()
            .any(|e| in_scope.contains(e.name.as_str()))
        {
            continue;
        }
        // When every environment of `from` approved each release.
        let mut approved: HashMap<ReleaseNumber, (usize, Timestamp)> = HashMap::new();
        for env in &from.environments {
            let mut seen = HashSet::new();
            for d in by_env.get(env.name.as_str()).into_iter().flatten() {
                if d.kind != DeploymentKind::Normal || d.outcome != Outcome::Approved {
                    continue;
                }
                let Some(at) = d.finished_at else { continue };
                if seen.insert(d.release) {
                    let entry = approved.entry(d.release).or_insert((0, at));
                    entry.0 += 1;
                    entry.1 = entry.1.max(at);
                }
            }
        }
        // The first deployment of each release into `to`.
        let mut entered: HashMap<ReleaseNumber, Timestamp> = HashMap::new();
        for env in &to.environments {
            for d in by_env.get(env.name.as_str()).into_iter().flatten() {
                if d.kind == DeploymentKind::Normal {
                    let at = entered.entry(d.release).or_insert(d.started_at);
                    *at = (*at).min(d.started_at);
                }
            }
        }
        let times: Vec<i64> = entered
            .iter()
            .filter_map(|(release, start)| {
                let (count, done) = approved.get(release)?;
                (*count == from.environments.len() && *start >= *done)
                    .then(|| seconds(*done, *start))
            })
            .collect();
        all.extend(&times);
        stages.push(Promotion {
            from: from.name.clone(),
            to: to.name.clone(),
            time: Distribution::of(times),
        });
    }
    PromotionTime {
        overall: Distribution::of(all),
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = r#"
name = "shop"
[[stages]]
name = "beta"
environments = ["beta"]
[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1a", "prod-1b"] }]
[[waves]]
name = "wave-2"
stages = [{ name = "prod-2", environments = ["prod-2"] }]
"#;

    const T0: &str = "2026-11-02T00:00:00Z";
    const MIN: i64 = 60;

    fn pipeline() -> Pipeline {
        crate::config::validate_text(PIPELINE, std::path::Path::new("pipeline.toml"))
            .unwrap_or_else(|d| panic!("test pipeline is invalid: {d:?}"))
    }

    /// `T0` plus `seconds`.
    fn at(seconds: i64) -> Timestamp {
        let t0: Timestamp = T0.parse().unwrap_or_else(|e| panic!("{e}"));
        Timestamp::from_second(t0.as_second() + seconds).unwrap_or_else(|e| panic!("{e}"))
    }

    fn release(n: u64, created: i64, commits: &[i64], artifacts: bool) -> MetricRelease {
        MetricRelease {
            number: ReleaseNumber(n),
            base: n.checked_sub(1).filter(|b| *b > 0).map(ReleaseNumber),
            created_at: at(created),
            has_artifacts: artifacts,
            commit_times: commits.iter().map(|c| at(*c)).collect(),
        }
    }

    struct Ledger {
        inputs: MetricInputs,
    }

    impl Ledger {
        fn deploy(
            &mut self,
            env: &str,
            release: u64,
            kind: DeploymentKind,
            started: i64,
            finished: Option<i64>,
            outcome: Outcome,
        ) -> &mut Deployment {
            let stage = match env {
                "beta" => "beta",
                "prod-2" => "prod-2",
                _ => "prod-1",
            };
            let n = self.inputs.deployments.len();
            self.inputs.deployments.push(Deployment {
                id: DeploymentId(format!("deploy-{n:06x}")),
                environment: env.into(),
                stage: stage.into(),
                release: ReleaseNumber(release),
                kind,
                actor: "ci".into(),
                reason: (kind == DeploymentKind::Rollback).then(|| "alarm fired".into()),
                started_at: at(started),
                finished_at: finished.map(at),
                outcome,
            });
            let last = self.inputs.deployments.len() - 1;
            &mut self.inputs.deployments[last]
        }
    }

    /// A week of a three-stage pipeline: v2 goes everywhere; v3 fires an alarm in
    /// prod-1a, which is rolled back; v4 (released without artifacts) goes everywhere,
    /// then a person rolls prod-2 back (without a reason).
    fn week() -> MetricInputs {
        use DeploymentKind::{Normal, Rollback};
        use Outcome::{AlarmFired, Approved};
        let h = 60 * MIN;
        let d = 24 * h;
        let mut l = Ledger {
            inputs: MetricInputs {
                deployments: Vec::new(),
                prior: ["beta", "prod-1a", "prod-1b", "prod-2"]
                    .into_iter()
                    .map(|e| (e.to_string(), ReleaseNumber(1)))
                    .collect(),
                releases: vec![
                    release(1, -d, &[-2 * d], true),
                    release(2, h, &[0, 30 * MIN], true),
                    release(3, d, &[23 * h], true),
                    release(4, 2 * d, &[2 * d - h], false),
                ],
            },
        };
        l.deploy("beta", 2, Normal, 2 * h, Some(3 * h), Approved);
        l.deploy("prod-1a", 2, Normal, 4 * h, Some(5 * h), Approved);
        l.deploy("prod-1b", 2, Normal, 4 * h, Some(6 * h), Approved);
        l.deploy("prod-2", 2, Normal, 7 * h, Some(8 * h), Approved);
        l.deploy("beta", 3, Normal, d + h, Some(d + 2 * h), Approved);
        l.deploy("prod-1a", 3, Normal, d + 3 * h, Some(d + 4 * h), AlarmFired);
        l.deploy(
            "prod-1a",
            2,
            Rollback,
            d + 4 * h,
            Some(d + 4 * h + 30 * MIN),
            Approved,
        );
        l.deploy("beta", 4, Normal, 2 * d + h, Some(2 * d + 2 * h), Approved);
        l.deploy(
            "prod-1a",
            4,
            Normal,
            2 * d + 3 * h,
            Some(2 * d + 4 * h),
            Approved,
        );
        l.deploy(
            "prod-1b",
            4,
            Normal,
            2 * d + 3 * h,
            Some(2 * d + 5 * h),
            Approved,
        );
        l.deploy(
            "prod-2",
            4,
            Normal,
            2 * d + 6 * h,
            Some(2 * d + 6 * h + 30 * MIN),
            Approved,
        );
        l.deploy(
            "prod-2",
            2,
            Rollback,
            3 * d,
            Some(3 * d + 10 * MIN),
            Approved,
        )
        .reason = None;
        l.inputs
    }

    fn query(scope: Option<Scope>) -> MetricsQuery {
        MetricsQuery {
            since: at(0),
            until: at(7 * 24 * 60 * MIN),
            scope,
        }
    }

    fn view(scope: Option<Scope>) -> MetricsView {
        compute(&pipeline(), &week(), &query(scope)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn dist(count: u64, median: i64, p90: i64, min: i64, max: i64) -> Distribution {
        Distribution {
            count,
            median_seconds: Some(median),
            p90_seconds: Some(p90),
            min_seconds: Some(min),
            max_seconds: Some(max),
        }
    }

    #[test]
    fn production_scope_covers_the_wave_environments() {
        let v = view(None);
        assert_eq!(v.scope, "production");
        assert_eq!(v.environments, ["prod-1a", "prod-1b", "prod-2"]);
        assert_eq!(
            (
                v.deployments.total,
                v.deployments.normal,
                v.deployments.rollback
            ),
            (9, 7, 2)
        );
    }

    #[test]
    fn m1_counts_approved_change_deployments() {
        let m1 = view(None).success_rate;
        assert_eq!((m1.approved, m1.attempts), (6, 7));
        assert_eq!(m1.rate, Some(6.0 / 7.0));
    }

    #[test]
    fn m2_lead_time_is_per_commit_to_the_first_and_every_environment() {
        let m2 = view(None).lead_time;
        // v2's commits reach prod-1a 5h and 4h30m after they were made; v3's and v4's 5h.
        assert_eq!(
            m2.first,
            dist(4, 300 * MIN, 300 * MIN, 270 * MIN, 300 * MIN)
        );
        // Everywhere: v2 at 8h, v3 at day 2 6h30m (23h after its commit: 31h30m), v4 7h30m.
        assert_eq!(
            m2.every,
            dist(4, 450 * MIN, 1_890 * MIN, 450 * MIN, 1_890 * MIN)
        );
        let counts: Vec<u64> = m2.first_histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, [0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(m2.first_histogram[2].label, "4h–12h");
        let counts: Vec<u64> = m2.every_histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, [0, 0, 3, 0, 1, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn m3_m4_m5_alarm_and_a_rollback_by_hand_are_change_failures() {
        let v = view(None);
        let m3 = v.change_failure_rate;
        assert_eq!((m3.failed, m3.deployments), (2, 7));
        // Detected 1h after v3 started in prod-1a; 18h after v4 started in prod-2.
        assert_eq!(
            v.time_to_detect,
            dist(2, 60 * MIN, 1_080 * MIN, 60 * MIN, 1_080 * MIN)
        );
        // Recovered by the rollbacks' approvals: 30m and 10m later.
        assert_eq!(
            v.time_to_recovery.recovered,
            dist(2, 10 * MIN, 30 * MIN, 10 * MIN, 30 * MIN)
        );
        assert_eq!(v.time_to_recovery.open, 0);
    }

    #[test]
    fn m7_promotion_time_runs_from_a_stage_approving_to_the_next_starting() {
        let m7 = view(None).promotion_time;
        let pairs: Vec<(&str, &str, u64)> = m7
            .stages
            .iter()
            .map(|p| (p.from.as_str(), p.to.as_str(), p.time.count))
            .collect();
        // v3 never passed prod-1 (its alarm), so prod-1 → prod-2 promoted only v2 and v4.
        assert_eq!(pairs, [("beta", "prod-1", 3), ("prod-1", "prod-2", 2)]);
        assert_eq!(m7.overall, dist(5, 60 * MIN, 60 * MIN, 60 * MIN, 60 * MIN));
    }

    #[test]
    fn m8_pipeline_duration_runs_from_release_to_everywhere() {
        let m8 = view(None).pipeline_duration;
        // v2: created 1h, everywhere 8h; v3: 1d → 2d 6h30m; v4: 2d → 2d 6h30m.
        assert_eq!(m8, dist(3, 420 * MIN, 1_830 * MIN, 390 * MIN, 1_830 * MIN));
    }

    #[test]
    fn m10_and_m12_count_rollbacks_and_missing_audit_metadata() {
        let v = view(None);
        assert_eq!((v.rollbacks.rollbacks, v.rollbacks.deployments), (2, 7));
        assert_eq!(v.rollbacks.per_100, Some(200.0 / 7.0));
        let m12 = v.audit_completeness;
        assert_eq!((m12.complete, m12.deployments), (5, 9));
        let missing: Vec<Vec<String>> = m12.incomplete.iter().map(|i| i.missing.clone()).collect();
        assert_eq!(
            missing,
            [
                vec!["artifacts"],
                vec!["artifacts"],
                vec!["artifacts"],
                vec!["reason"]
            ]
        );
    }

    #[test]
    fn dora_keys_get_their_bands() {
        let dora = view(None).dora;
        assert_eq!(dora.deployment_frequency.releases, 3);
        assert_eq!(dora.deployment_frequency.per_day, 3.0 / 7.0);
        assert_eq!(dora.deployment_frequency.band, Band::High);
        assert_eq!(dora.lead_time.value, Some(18_000.0));
        assert_eq!(dora.lead_time.band, Some(Band::Elite));
        assert_eq!(dora.change_failure_rate.band, Some(Band::Low));
        assert_eq!(dora.time_to_restore.value, Some(600.0));
        assert_eq!(dora.time_to_restore.band, Some(Band::Elite));
    }

    #[test]
    fn bands_follow_the_thresholds() {
        assert_eq!(Band::of_frequency(1.0), Band::Elite);
        assert_eq!(Band::of_frequency(0.2), Band::High);
        assert_eq!(Band::of_frequency(0.05), Band::Medium);
        assert_eq!(Band::of_frequency(0.01), Band::Low);
        assert_eq!(Band::of_lead_time(DAY - 1), Band::Elite);
        assert_eq!(Band::of_lead_time(DAY), Band::High);
        assert_eq!(Band::of_lead_time(WEEK), Band::Medium);
        assert_eq!(Band::of_lead_time(30 * DAY), Band::Low);
        assert_eq!(Band::of_restore(HOUR - 1), Band::Elite);
        assert_eq!(Band::of_restore(2 * DAY), Band::Medium);
        assert_eq!(Band::of_failure_rate(0.05), Band::Elite);
        assert_eq!(Band::of_failure_rate(0.10), Band::High);
        assert_eq!(Band::of_failure_rate(0.15), Band::Medium);
        assert_eq!(Band::of_failure_rate(0.16), Band::Low);
    }

    #[test]
    fn an_environment_scope_sees_only_its_own_deployments() {
        let v = view(Some(Scope::Environment("prod-2".into())));
        assert_eq!(v.environments, ["prod-2"]);
        assert_eq!(v.deployments.total, 3);
        assert_eq!(
            (
                v.change_failure_rate.failed,
                v.change_failure_rate.deployments
            ),
            (1, 2)
        );
        // v2's commits reached prod-2 at 8h; v3 and v4 came with v4 at 2d 6h30m.
        assert_eq!(v.lead_time.first.count, 4);
        assert_eq!(v.lead_time.first, v.lead_time.every);
        assert_eq!(v.lead_time.first.min_seconds, Some(450 * MIN));
        // Only prod-1 → prod-2 leads into it.
        assert_eq!(v.promotion_time.stages.len(), 1);
    }

    #[test]
    fn a_wave_scope_and_a_stage_scope_name_their_environments() {
        let wave = view(Some(Scope::Wave("wave-1".into())));
        assert_eq!(wave.environments, ["prod-1a", "prod-1b"]);
        let stage = view(Some(Scope::Stage("beta".into())));
        assert_eq!(stage.environments, ["beta"]);
        assert_eq!(stage.success_rate.approved, 3);
        // Nothing failed in beta; the other keys have no data.
        assert_eq!(stage.change_failure_rate.rate, Some(0.0));
        assert_eq!(stage.time_to_recovery.recovered.median_seconds, None);
        assert_eq!(stage.dora.time_to_restore.band, None);
    }

    #[test]
    fn unknown_scopes_are_not_found_with_a_suggestion() {
        let err = compute(
            &pipeline(),
            &week(),
            &query(Some(Scope::Wave("wave-3".into()))),
        )
        .err()
        .unwrap_or_else(|| panic!("an unknown wave was accepted"));
        assert_eq!(err.kind, crate::error::ErrorKind::NotFound);
        assert!(
            err.message.contains("unknown wave `wave-3`"),
            "{}",
            err.message
        );
        assert!(err.hint.is_some_and(|h| h.contains("wave-")));
        let err = compute(
            &pipeline(),
            &week(),
            &query(Some(Scope::Stage("prod".into()))),
        )
        .err()
        .unwrap_or_else(|| panic!("an unknown stage was accepted"));
        assert_eq!(err.kind, crate::error::ErrorKind::NotFound);
    }

    #[test]
    fn deployments_outside_the_window_and_releases_reached_before_it_do_not_count() {
        let mut inputs = week();
        // When the window begins, v2 is everywhere, and prod-1b already had v3 (say, a
        // forced deployment): v3's first reach of production is not in the window.
        for env in ["beta", "prod-1a", "prod-2"] {
            inputs.prior.insert(env.into(), ReleaseNumber(2));
        }
        inputs.prior.insert("prod-1b".into(), ReleaseNumber(3));
        let mut q = query(None);
        // A window that starts after v2 went everywhere.
        q.since = at(24 * 60 * MIN);
        let v = compute(&pipeline(), &inputs, &q).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.deployments.total, 6);
        // Only v4's commit reached production first in the window.
        assert_eq!(v.lead_time.first.count, 1);
        assert_eq!(v.dora.deployment_frequency.releases, 1);
        // v3 and v4 reached every environment in it (prod-1b counts from before).
        assert_eq!(v.pipeline_duration.count, 2);
    }

    #[test]
    fn an_empty_window_has_no_values() {
        let v = compute(&pipeline(), &MetricInputs::default(), &query(None))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.success_rate.rate, None);
        assert_eq!(v.lead_time.first.median_seconds, None);
        assert_eq!(v.dora.deployment_frequency.band, Band::Low);
        assert_eq!(v.dora.lead_time.band, None);
        assert_eq!(v.audit_completeness.share, None);
    }

    #[test]
    fn nearest_rank_percentiles_pick_values_that_occurred() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), Some(9));
        assert_eq!(
            nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90),
            Some(10)
        );
    }
}

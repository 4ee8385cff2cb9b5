//! `captain simulate`: the pipeline in virtual time, driven by the same [`decide`] as
//! `captain run`, with synthetic releases, deploy and step durations and injected
//! failures. It reports how long a commit takes to reach each wave and environment
//! (median, p90) and where releases queue or are superseded, so a team can tune waves,
//! bake times and windows before waiting days to find out.
//!
//! Time moves from event to event (a release merged, a deploy or step finishing, a bake
//! ending, a window opening), not tick by tick, so months of a 160-environment pipeline
//! take well under a second in a release build. Like the rest of the engine it reads no
//! clock and does no I/O; randomness comes from a seeded generator, so a run is
//! reproducible.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::model::{DeploymentId, DeploymentKind, ReleaseNumber, Timestamp};

use super::{
    AlarmState, Decision, DeployResult, EngineState, Phase, Signals, StageStatus, StepResult, add,
    decide,
};

/// What to simulate.
#[derive(Clone, Debug)]
pub struct SimulationConfig {
    pub start: Timestamp,
    /// How much virtual time to simulate.
    pub duration: Duration,
    /// Merges to main (releases) per day, spread evenly with a little jitter.
    pub merges_per_day: f64,
    /// How long a deploy command takes.
    pub deploy_time: Duration,
    /// How long one approval step takes.
    pub step_time: Duration,
    /// Probability that a normal deployment's deploy fails.
    pub deploy_failure_rate: f64,
    /// Probability that one approval step fails.
    pub step_failure_rate: f64,
    /// Bake data points gathered per hour in each environment.
    pub data_points_per_hour: u64,
    pub seed: u64,
}

impl SimulationConfig {
    /// Ten merges a day for `days` days, 10-minute deploys and steps, 2% deploy and 2%
    /// step failures.
    pub fn typical(start: Timestamp, days: u64) -> SimulationConfig {
        SimulationConfig {
            start,
            duration: Duration::from_secs(days * 86_400),
            merges_per_day: 10.0,
            deploy_time: Duration::from_secs(600),
            step_time: Duration::from_secs(600),
            deploy_failure_rate: 0.02,
            step_failure_rate: 0.02,
            data_points_per_hour: 1_000,
            seed: 1,
        }
    }
}

/// How long commits took to reach something (a wave, an environment), in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Reach {
    pub name: String,
    /// Releases whose commits got there within the simulated time.
    pub reached: u64,
    pub median_secs: Option<u64>,
    pub p90_secs: Option<u64>,
}

/// What happened to releases at one stage.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StageFlow {
    pub stage: String,
    pub started: u64,
    pub approved: u64,
    pub failed: u64,
    pub superseded: u64,
    pub rollbacks: u64,
    /// From being offered to the stage (approved by the previous one, or merged, for the
    /// first) to starting there: where releases queue.
    pub wait_median_secs: Option<u64>,
    pub wait_p90_secs: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SimulationReport {
    pub releases: u64,
    pub simulated_secs: u64,
    pub waves: Vec<Reach>,
    pub environments: Vec<Reach>,
    pub stages: Vec<StageFlow>,
    /// Engine passes run (a measure of the work done).
    pub passes: u64,
    pub decisions: u64,
}

struct Sim<'a> {
    pipeline: &'a Pipeline,
    config: &'a SimulationConfig,
    state: EngineState,
    rng: StdRng,
    now: Timestamp,
    next_id: u64,
    /// Deployment → when its deploy ends and whether it fails.
    deploy_end: HashMap<DeploymentId, (Timestamp, bool)>,
    step_end: HashMap<(DeploymentId, usize), (Timestamp, bool)>,
    alarms: BTreeMap<String, AlarmState>,
    created: Vec<Timestamp>,
    env_index: HashMap<String, usize>,
    stage_index: HashMap<String, usize>,
    /// Per environment: the newest release whose commits reached it (approved there).
    reached_upto: Vec<u64>,
    /// Per environment, per release (index = number - 1): seconds to reach.
    reach: Vec<Vec<Option<u64>>>,
    offered_at: Vec<HashMap<u64, Timestamp>>,
    waits: Vec<Vec<u64>>,
    flows: Vec<StageFlow>,
    passes: u64,
    decisions: u64,
}

/// Runs `pipeline` in virtual time under `config`.
pub fn simulate(pipeline: &Pipeline, config: &SimulationConfig) -> Result<SimulationReport> {
    if !(config.merges_per_day > 0.0 && config.merges_per_day <= 10_000.0) {
        return Err(Error::usage(format!(
            "merges per day must be between 0 and 10000, not {}",
            config.merges_per_day
        )));
    }
    for (what, rate) in [
        ("deploy failure rate", config.deploy_failure_rate),
        ("step failure rate", config.step_failure_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(Error::usage(format!(
                "the {what} must be between 0 and 1, not {rate}"
            )));
        }
    }
    let end = add(config.start, config.duration);
    let mut sim = Sim::new(pipeline, config);
    let interval = 86_400.0 / config.merges_per_day;
    let mut next_merge = config.start;
    loop {
        // Merges due now become releases.
        while next_merge <= sim.now {
            sim.created.push(next_merge);
            let number = ReleaseNumber(sim.created.len() as u64);
            sim.state.releases.push(number);
            sim.offered_at[0].insert(number.0, next_merge);
            for per_env in &mut sim.reach {
                per_env.push(None);
            }
            let jitter = sim.rng.random_range(0.5..1.5);
            next_merge = add(next_merge, Duration::from_secs_f64(interval * jitter));
        }
        let wake = sim.settle();
        let next = wake.map_or(next_merge, |w| w.min(next_merge));
        if next > end {
            break;
        }
        // Never stand still: an event due "now" was handled by settle.
        sim.now = next.max(add(sim.now, Duration::from_secs(1)));
    }
    Ok(sim.report())
}

fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(rank.min(sorted.len() - 1)).copied()
}

fn secs_between(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.duration_since(from).as_secs()).unwrap_or(0)
}

impl<'a> Sim<'a> {
    fn new(pipeline: &'a Pipeline, config: &'a SimulationConfig) -> Sim<'a> {
        let env_names = pipeline.environment_names();
        let env_index = env_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let stage_index = pipeline
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        let flows = pipeline
            .stages
            .iter()
            .map(|s| StageFlow {
                stage: s.name.clone(),
                started: 0,
                approved: 0,
                failed: 0,
                superseded: 0,
                rollbacks: 0,
                wait_median_secs: None,
                wait_p90_secs: None,
            })
            .collect();
        Sim {
            pipeline,
            config,
            state: EngineState::default(),
            rng: StdRng::seed_from_u64(config.seed),
            now: config.start,
            next_id: 0,
            deploy_end: HashMap::new(),
            step_end: HashMap::new(),
            // The simulated world is healthy: failures come from the injected rates.
            alarms: pipeline
                .alarms
                .keys()
                .map(|n| (n.clone(), AlarmState::Ok))
                .collect(),
            created: Vec::new(),
            env_index,
            stage_index,
            reached_upto: vec![0; env_names.len()],
            reach: vec![Vec::new(); env_names.len()],
            offered_at: vec![HashMap::new(); pipeline.stages.len()],
            waits: vec![Vec::new(); pipeline.stages.len()],
            flows,
            passes: 0,
            decisions: 0,
        }
    }

    fn signals(&self) -> Signals {
        let mut signals = Signals {
            alarms: self.alarms.clone(),
            ..Signals::default()
        };
        for (name, env) in &self.state.environments {
            let Some(active) = &env.active else { continue };
            match active.phase {
                Phase::Deploying => {
                    if let Some((at, fails)) = self.deploy_end.get(&active.id)
                        && *at <= self.now
                    {
                        let result = if *fails {
                            DeployResult::Failed
                        } else {
                            DeployResult::Succeeded
                        };
                        signals.deploy_results.insert(active.id.clone(), result);
                    }
                }
                Phase::Verifying {
                    step,
                    started: true,
                } => {
                    let key = (active.id.clone(), step);
                    if let Some((at, fails)) = self.step_end.get(&key)
                        && *at <= self.now
                    {
                        let result = if *fails {
                            StepResult::Failed
                        } else {
                            StepResult::Passed
                        };
                        signals.step_results.insert(key, result);
                    }
                }
                Phase::Baking { since } => {
                    let points =
                        self.config.data_points_per_hour * secs_between(since, self.now) / 3600;
                    signals.data_points.insert(name.clone(), points);
                }
                Phase::Verifying { .. } => {}
            }
        }
        signals
    }

    /// Passes at `now` until quiet; returns the next time something is due.
    fn settle(&mut self) -> Option<Timestamp> {
        let limit = 8 * self.pipeline.stages.len() + 16;
        let mut wake = None;
        for _ in 0..limit {
            let signals = self.signals();
            let evaluation = decide(&self.state, self.pipeline, self.now, &signals);
            self.passes += 1;
            if evaluation.decisions.is_empty() {
                for outlook in &evaluation.outlooks {
                    if let StageStatus::WindowClosed {
                        next_open: Some(at),
                        ..
                    } = outlook.status
                    {
                        wake = earliest(wake, at);
                    }
                }
                break;
            }
            for decision in &evaluation.decisions {
                self.record(decision);
                let next_id = &mut self.next_id;
                let mut new_id = || {
                    *next_id += 1;
                    DeploymentId(format!("deploy-{:06x}", *next_id))
                };
                self.state.apply(decision, self.now, &mut new_id);
                self.after_apply(decision);
            }
            self.decisions += evaluation.decisions.len() as u64;
        }
        // Deploys, steps and bakes in progress.
        for (name, env) in &self.state.environments {
            let Some(active) = &env.active else { continue };
            let due = match active.phase {
                Phase::Deploying => self.deploy_end.get(&active.id).map(|(at, _)| *at),
                Phase::Verifying { step, .. } => self
                    .step_end
                    .get(&(active.id.clone(), step))
                    .map(|(at, _)| *at),
                Phase::Baking { since } => self.bake_due(name, since),
            };
            if let Some(due) = due {
                wake = earliest(wake, due);
            }
        }
        wake
    }

    fn bake_due(&self, environment: &str, since: Timestamp) -> Option<Timestamp> {
        let (stage, _) = self.pipeline.environment(environment)?;
        let mut due = add(since, stage.settings.bake_time);
        if let Some(points) = &stage.settings.min_data_points {
            let rate = self.config.data_points_per_hour.max(1);
            // Whole seconds, rounded up, until `count` points are in.
            let secs = (points.count * 3600).div_ceil(rate);
            due = due.max(add(since, Duration::from_secs(secs)));
        }
        Some(due)
    }

    /// Book-keeping before a decision is applied.
    fn record(&mut self, decision: &Decision) {
        match decision {
            Decision::Supersede { stage, .. } => {
                if let Some(&i) = self.stage_index.get(stage) {
                    self.flows[i].superseded += 1;
                }
            }
            Decision::StartDeployment {
                stage,
                release,
                kind,
                environment,
                ..
            } => {
                let Some(&i) = self.stage_index.get(stage) else {
                    return;
                };
                if *kind == DeploymentKind::Rollback {
                    self.flows[i].rollbacks += 1;
                    return;
                }
                // Count a stage start once, at its first environment.
                let first = self.pipeline.stages[i]
                    .environments
                    .first()
                    .is_some_and(|e| &e.name == environment);
                if first {
                    self.flows[i].started += 1;
                    if let Some(at) = self.offered_at[i].remove(&release.0) {
                        self.waits[i].push(secs_between(at, self.now));
                    }
                }
            }
            Decision::ApproveStage { stage, release } => {
                if let Some(&i) = self.stage_index.get(stage) {
                    self.flows[i].approved += 1;
                    if i + 1 < self.offered_at.len() {
                        self.offered_at[i + 1].insert(release.0, self.now);
                    }
                }
            }
            Decision::FailStage { stage, .. } => {
                if let Some(&i) = self.stage_index.get(stage) {
                    self.flows[i].failed += 1;
                }
            }
            Decision::ApproveEnvironment {
                environment,
                release,
                kind: DeploymentKind::Normal,
                ..
            } => {
                let Some(&e) = self.env_index.get(environment) else {
                    return;
                };
                // Every commit up to this release is now there.
                let from = self.reached_upto[e];
                for number in from + 1..=release.0 {
                    let index = (number - 1) as usize;
                    if let (Some(created), Some(slot)) =
                        (self.created.get(index), self.reach[e].get_mut(index))
                    {
                        *slot = Some(secs_between(*created, self.now));
                    }
                }
                self.reached_upto[e] = from.max(release.0);
            }
            _ => {}
        }
    }

    /// Schedules the world's answers to deployments and steps that just started.
    fn after_apply(&mut self, decision: &Decision) {
        match decision {
            Decision::StartDeployment {
                environment, kind, ..
            } => {
                let Some(active) = self
                    .state
                    .environments
                    .get(environment)
                    .and_then(|e| e.active.as_ref())
                else {
                    return;
                };
                let fails = *kind == DeploymentKind::Normal
                    && self.rng.random_bool(self.config.deploy_failure_rate);
                self.deploy_end.insert(
                    active.id.clone(),
                    (add(self.now, self.config.deploy_time), fails),
                );
            }
            Decision::RunApprovalStep {
                deployment, step, ..
            } => {
                let fails = self.rng.random_bool(self.config.step_failure_rate);
                self.step_end.insert(
                    (deployment.clone(), *step),
                    (add(self.now, self.config.step_time), fails),
                );
            }
            Decision::ApproveEnvironment { deployment, .. }
            | Decision::FailDeployment { deployment, .. } => {
                self.deploy_end.remove(deployment);
                self.step_end.retain(|(id, _), _| id != deployment);
            }
            _ => {}
        }
    }

    fn reach_of(&self, name: &str, envs: &[usize]) -> Reach {
        let mut times: Vec<u64> = (0..self.created.len())
            .filter_map(|r| {
                envs.iter()
                    .map(|&e| self.reach[e].get(r).copied().flatten())
                    .try_fold(0u64, |acc, t| t.map(|t| acc.max(t)))
            })
            .collect();
        times.sort_unstable();
        Reach {
            name: name.to_string(),
            reached: times.len() as u64,
            median_secs: percentile(&times, 0.5),
            p90_secs: percentile(&times, 0.9),
        }
    }

    fn report(mut self) -> SimulationReport {
        let env_of = |name: &str| self.env_index.get(name).copied();
        let mut waves = Vec::new();
        let pre: Vec<usize> = self
            .pipeline
            .stages
            .iter()
            .filter(|s| s.wave.is_none())
            .flat_map(|s| s.environments.iter().filter_map(|e| env_of(&e.name)))
            .collect();
        if !pre.is_empty() {
            waves.push(self.reach_of("pre-production", &pre));
        }
        for wave in &self.pipeline.waves {
            let envs: Vec<usize> = self
                .pipeline
                .stages
                .iter()
                .filter(|s| s.wave.as_deref() == Some(wave.name.as_str()))
                .flat_map(|s| s.environments.iter().filter_map(|e| env_of(&e.name)))
                .collect();
            waves.push(self.reach_of(&wave.name, &envs));
        }
        let environments = self
            .pipeline
            .environment_names()
            .iter()
            .filter_map(|name| env_of(name).map(|e| self.reach_of(name, &[e])))
            .collect();
        for (flow, waits) in self.flows.iter_mut().zip(self.waits.iter_mut()) {
            waits.sort_unstable();
            flow.wait_median_secs = percentile(waits, 0.5);
            flow.wait_p90_secs = percentile(waits, 0.9);
        }
        SimulationReport {
            releases: self.created.len() as u64,
            simulated_secs: self.config.duration.as_secs(),
            waves,
            environments,
            stages: self.flows,
            passes: self.passes,
            decisions: self.decisions,
        }
    }
}

fn earliest(a: Option<Timestamp>, b: Timestamp) -> Option<Timestamp> {
    Some(a.map_or(b, |a| a.min(b)))
}

#[cfg(test)]
mod tests {
    use super::super::harness::{pipeline, ts};
    use super::*;

    const SMALL: &str = r#"
name = "small"
[[stages]]
name = "beta"
environments = ["beta"]
[[waves]]
name = "wave-1"
bake_time = "2h"
stages = [{ name = "prod", environments = ["prod-1", "prod-2"] }]
"#;

    #[test]
    fn a_quiet_pipeline_reaches_everything_in_deploy_plus_bake() {
        let p = pipeline(SMALL);
        let mut config = SimulationConfig::typical(ts("2026-03-02T00:00:00Z"), 3);
        config.merges_per_day = 2.0;
        config.deploy_failure_rate = 0.0;
        config.step_failure_rate = 0.0;
        let report = simulate(&p, &config).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(report.releases >= 5);
        let beta = &report.environments[0];
        // No approval steps, no bake in beta: a commit is there after one 10-minute deploy.
        assert_eq!(beta.median_secs, Some(600));
        // prod: beta's 10 min, then 10 min deploy and 2 h bake.
        let wave = &report.waves[1];
        assert_eq!(wave.name, "wave-1");
        assert_eq!(wave.median_secs, Some(600 + 600 + 7200));
        assert!(
            report
                .stages
                .iter()
                .all(|s| s.failed == 0 && s.rollbacks == 0)
        );
    }

    #[test]
    fn many_merges_queue_and_supersede_before_a_slow_stage() {
        let p = pipeline(SMALL);
        let mut config = SimulationConfig::typical(ts("2026-03-02T00:00:00Z"), 7);
        config.merges_per_day = 24.0;
        let report = simulate(&p, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let prod = &report.stages[1];
        // A 2h10m stage cannot take 24 releases a day: most are superseded.
        assert!(prod.superseded > prod.started, "{prod:?}");
        assert!(prod.wait_median_secs.is_some_and(|w| w > 0));
        // Deterministic for a seed.
        assert_eq!(simulate(&p, &config).ok(), Some(report));
    }

    #[test]
    fn the_example_pipeline_simulates_months() {
        let text = include_str!("../../pipeline.example.toml");
        let p = pipeline(text);
        let config = SimulationConfig::typical(ts("2026-03-02T00:00:00Z"), 90);
        let started = std::time::Instant::now();
        let report = simulate(&p, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let took = started.elapsed();
        assert_eq!(report.environments.len(), p.environment_names().len());
        let last = report.waves.last().unwrap_or_else(|| panic!("no waves"));
        assert_eq!(last.name, "wave-5");
        assert!(last.reached > 0, "{last:?}");
        eprintln!(
            "simulated 90 days of {} environments, {} releases: {} passes in {took:?}",
            report.environments.len(),
            report.releases,
            report.passes
        );
        for wave in &report.waves {
            eprintln!("{wave:?}");
        }
        for stage in report.stages.iter().take(8) {
            eprintln!("{stage:?}");
        }
    }

    #[test]
    fn bad_rates_are_usage_errors() {
        let p = pipeline(SMALL);
        let mut config = SimulationConfig::typical(ts("2026-03-02T00:00:00Z"), 1);
        config.deploy_failure_rate = 1.5;
        let err = simulate(&p, &config).err().map(|e| e.kind);
        assert_eq!(err, Some(crate::ErrorKind::Usage));
    }
}

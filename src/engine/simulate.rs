//! `captain simulate`: the pipeline in virtual time, driven by the same [`decide`] as
//! `captain run`, with synthetic releases, deploy and step durations and injected
//! failures. It reports how long a commit takes to reach each wave and environment
//! (median, p90) and where releases queue or are superseded, so a team can tune waves,
//! bake times and windows before waiting days to find out.
//!
//! # The failure model
//!
//! Failures belong to the release, as the articles describe them ([`FailureModel`]): a
//! share of releases carries a bad change, and a bad release is caught by the first stage
//! whose traffic exercises it — each stage it reaches catches it with a chance set per
//! kind of stage ([`StageKind`]: pre-production, one-box, zonal) — and never goes further.
//! Where it is caught is drawn once, when it is merged: a stage with approval steps fails
//! its first step (the tests find it), one without fails the deploy. Apart from that,
//! every deployment may flake (a deploy or a step failing for a reason of its own) at a
//! small, independent rate; the next release carries the commits on. Merge times and bad
//! releases come from one seeded generator and flakes from another, so the same seed gives
//! the same report, and a changed pipeline (`captain simulate --set`) meets the same
//! releases.
//!
//! Time moves from event to event (a release merged, a deploy or step finishing, a bake
//! ending, a window opening), not tick by tick, so months of a 160-environment pipeline
//! take well under a second in a release build. Like the rest of the engine it reads no
//! clock and does no I/O; randomness comes from a seeded generator, so a run is
//! reproducible.

use std::collections::{BTreeMap, HashMap, HashSet};
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

/// How releases go wrong (see the module documentation). Every field is a probability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailureModel {
    /// Share of releases that carry a bad change (default 5%).
    pub bad_releases: f64,
    /// Chance that a pre-production stage catches a bad release that reaches it (50%).
    pub catch_pre_production: f64,
    /// Chance that a one-box stage catches it (30%): a small share of production
    /// traffic, watched by its own alarm.
    pub catch_one_box: f64,
    /// Chance that a zonal (or any other production) stage catches it (10%).
    pub catch_zonal: f64,
    /// Chance that one deployment fails for a reason of its own, independent of its
    /// release and of every other deployment (0.1%).
    pub flakes: f64,
}

impl Default for FailureModel {
    fn default() -> FailureModel {
        FailureModel {
            bad_releases: 0.05,
            catch_pre_production: 0.5,
            catch_one_box: 0.3,
            catch_zonal: 0.1,
            flakes: 0.001,
        }
    }
}

impl FailureModel {
    /// No failures at all.
    pub fn none() -> FailureModel {
        FailureModel {
            bad_releases: 0.0,
            flakes: 0.0,
            ..FailureModel::default()
        }
    }

    fn catch(&self, kind: StageKind) -> f64 {
        match kind {
            StageKind::PreProduction => self.catch_pre_production,
            StageKind::OneBox => self.catch_one_box,
            StageKind::Zonal => self.catch_zonal,
        }
    }

    fn check(&self) -> Result<()> {
        for (what, rate) in [
            ("share of bad releases", self.bad_releases),
            ("pre-production catch rate", self.catch_pre_production),
            ("one-box catch rate", self.catch_one_box),
            ("zonal catch rate", self.catch_zonal),
            ("flake rate", self.flakes),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::usage(format!(
                    "the {what} must be between 0 and 1, not {rate}"
                )));
            }
        }
        Ok(())
    }
}

/// What kind of traffic a stage sees, for the failure model: stages before the waves are
/// pre-production; a production stage whose name (or every environment's name) says
/// `onebox` / `one-box` is a one-box stage; the other production stages are zonal.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum StageKind {
    PreProduction,
    OneBox,
    Zonal,
}

impl StageKind {
    pub fn of(stage: &crate::config::Stage) -> StageKind {
        let one_box = |name: &str| {
            let name = name.to_ascii_lowercase();
            name.contains("onebox") || name.contains("one-box") || name.contains("one_box")
        };
        if !stage.is_production() {
            StageKind::PreProduction
        } else if one_box(&stage.name)
            || (!stage.environments.is_empty()
                && stage.environments.iter().all(|e| one_box(&e.name)))
        {
            StageKind::OneBox
        } else {
            StageKind::Zonal
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::PreProduction => "pre-production",
            StageKind::OneBox => "one-box",
            StageKind::Zonal => "zonal",
        }
    }
}

/// What to simulate.
#[derive(Clone, Debug)]
pub struct SimulationConfig {
    pub start: Timestamp,
    /// How much virtual time to simulate.
    pub duration: Duration,
    /// Merges to main (releases) per day, spread evenly with a little jitter over the
    /// hours of `merge_window`.
    pub merges_per_day: f64,
    /// When people merge (working hours, say); `None`: around the clock, every day.
    pub merge_window: Option<crate::config::Window>,
    /// How long a deploy command takes.
    pub deploy_time: Duration,
    /// How long one approval step takes.
    pub step_time: Duration,
    /// How releases and deployments fail.
    pub failures: FailureModel,
    /// Bake data points gathered per hour in each environment.
    pub data_points_per_hour: u64,
    pub seed: u64,
    /// Every release expedited, with its approvals in (`captain simulate --expedite`):
    /// the time to every region by the pipeline's `[expedite]` rules.
    pub expedite: bool,
}

impl SimulationConfig {
    /// Ten merges a day for `days` days, 10-minute deploys and steps, the default
    /// [`FailureModel`].
    pub fn typical(start: Timestamp, days: u64) -> SimulationConfig {
        SimulationConfig {
            start,
            duration: Duration::from_secs(days * 86_400),
            merges_per_day: 10.0,
            merge_window: None,
            deploy_time: Duration::from_secs(600),
            step_time: Duration::from_secs(600),
            failures: FailureModel::default(),
            data_points_per_hour: 1_000,
            seed: 1,
            expedite: false,
        }
    }
}

/// How long commits took to reach something (a wave, an environment), in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Reach {
    pub name: String,
    /// Commits that got there within the simulated time (each merge is one commit and
    /// one release; a commit gets there with its release or any newer one).
    pub reached: u64,
    /// `reached` over every commit merged.
    pub share: f64,
    pub median_secs: Option<u64>,
    pub p90_secs: Option<u64>,
    /// For waves: the median in business days — Saturdays and Sundays (in the pipeline's
    /// time zone) do not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_business_days: Option<f64>,
    /// For waves: where the commits that got there spent the time since the previous
    /// wave (or, for pre-production, since their merge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_spent: Option<TimeSpent>,
    /// Seconds each of those commits took, sorted (for `--plot`).
    #[serde(skip)]
    pub secs: Vec<u64>,
}

/// Where a commit's time went, in mean seconds per commit, in one wave's stages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TimeSpent {
    /// Its release's deploy commands ran.
    pub deploying_secs: u64,
    /// Its release's approval steps ran.
    pub approval_steps_secs: u64,
    /// Its release baked.
    pub baking_secs: u64,
    /// Its release waited for a stage's window to open.
    pub window_secs: u64,
    /// It waited behind a busy stage: an older release was deploying, verifying or baking
    /// there (the commit's own release waits, or is superseded by the one that carries it
    /// on), or a lock or blocker held the stage.
    pub queued_secs: u64,
    /// Its release failed (the time spent on it, rollbacks, and the wait for a newer
    /// release to carry the commit on).
    pub failure_secs: u64,
}

impl TimeSpent {
    pub fn total_secs(&self) -> u64 {
        self.deploying_secs
            + self.approval_steps_secs
            + self.baking_secs
            + self.window_secs
            + self.queued_secs
            + self.failure_secs
    }
}

/// What a stage was doing, between two events, for the time breakdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Doing {
    Deploying(ReleaseNumber),
    Verifying(ReleaseNumber),
    Baking(ReleaseNumber),
    /// Rollback deployments run.
    RollingBack,
    /// A release waits for the window (or for a freeze in pipeline.toml to end).
    WindowClosed,
    /// A lock or the blocker holds the stage.
    Held,
    /// Nothing offered: after a failure, until a newer release comes.
    Idle,
}

impl Doing {
    fn of(status: &StageStatus) -> Doing {
        match status {
            StageStatus::Deploying { release, .. } => Doing::Deploying(*release),
            StageStatus::Verifying { release, .. } => Doing::Verifying(*release),
            StageStatus::Baking { release, .. } => Doing::Baking(*release),
            StageStatus::Busy { .. } => Doing::RollingBack,
            StageStatus::WindowClosed { .. } | StageStatus::Frozen { .. } => Doing::WindowClosed,
            StageStatus::Locked { .. } | StageStatus::Blocked { .. } => Doing::Held,
            StageStatus::Starting { .. } | StageStatus::Settling { .. } | StageStatus::Idle => {
                Doing::Idle
            }
        }
    }
}

/// What happened to releases at one stage.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StageFlow {
    pub stage: String,
    pub kind: StageKind,
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
    pub failures: FailureReport,
    /// Engine passes run (a measure of the work done).
    pub passes: u64,
    pub decisions: u64,
    /// Every release was expedited (`--expedite`).
    #[serde(default)]
    pub expedited: bool,
}

/// What the failure model did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FailureReport {
    /// Releases drawn bad.
    pub bad_releases: u64,
    /// Bad releases failed by the stage that caught them, per kind of stage.
    pub caught: BTreeMap<StageKind, u64>,
    /// Normal deployments started, and those that flaked.
    pub deployments: u64,
    pub flaky_deployments: u64,
}

struct Sim<'a> {
    pipeline: &'a Pipeline,
    config: &'a SimulationConfig,
    state: EngineState,
    /// Merge times.
    releases_rng: StdRng,
    /// Flakes.
    flakes_rng: StdRng,
    /// Per release (index = number - 1): the stage that catches it, if it is bad.
    caught_at: Vec<Option<usize>>,
    kinds: Vec<StageKind>,
    /// Deployments whose first approval step finds the bad change.
    fails_first_step: HashSet<DeploymentId>,
    failures: FailureReport,
    now: Timestamp,
    next_id: u64,
    /// Deployment → when its deploy ends and whether it fails.
    deploy_end: HashMap<DeploymentId, (Timestamp, bool)>,
    step_end: HashMap<(DeploymentId, usize), (Timestamp, bool)>,
    alarms: BTreeMap<String, AlarmState>,
    created: Vec<Timestamp>,
    env_index: HashMap<String, usize>,
    stage_index: HashMap<String, usize>,
    /// Environment name → the index of its stage (for bakes, looked up every step).
    env_stage: HashMap<String, usize>,
    /// Per environment: the newest release whose commits reached it (approved there).
    reached_upto: Vec<u64>,
    /// Per environment, per release (index = number - 1): seconds to reach.
    reach: Vec<Vec<Option<u64>>>,
    offered_at: Vec<HashMap<u64, Timestamp>>,
    waits: Vec<Vec<u64>>,
    flows: Vec<StageFlow>,
    /// Per stage: what it was doing since when (a new entry on each change).
    timeline: Vec<Vec<(Timestamp, Doing)>>,
    /// Per stage: the releases it approved, and when, in order.
    stage_approvals: Vec<Vec<(ReleaseNumber, Timestamp)>>,
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
    config.failures.check()?;
    if config.expedite && pipeline.expedite.is_none() {
        return Err(Error::usage(format!(
            "pipeline `{}` has no [expedite] section to simulate",
            pipeline.name
        ))
        .with_hint("add [expedite] to pipeline.toml, or leave out --expedite"));
    }
    let end = add(config.start, config.duration);
    let mut sim = Sim::new(pipeline, config);
    let open_per_day = config.merge_window.as_ref().map_or(86_400.0, |w| {
        let end = w.end.map_or(86_400, |t| {
            i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60
        });
        let start = i64::from(w.start.hour()) * 3600 + i64::from(w.start.minute()) * 60;
        (end - start).max(60) as f64
    });
    let interval = open_per_day / config.merges_per_day;
    let mut next_merge = config.start;
    loop {
        // Merges due now become releases.
        while next_merge <= sim.now {
            sim.created.push(next_merge);
            let number = ReleaseNumber(sim.created.len() as u64);
            sim.state.releases.push(number);
            if config.expedite
                && let Some(rule) = &pipeline.expedite
            {
                // Asked and approved at once: the engine's own rule makes it expedited.
                sim.state.expedites.push(super::ExpediteRecord {
                    release: number,
                    actor: "simulation".into(),
                    reason: "--expedite".into(),
                    at: next_merge,
                    approved_by: (1..=rule.approvers.count)
                        .map(|n| format!("approver-{n}"))
                        .collect(),
                });
            }
            sim.offered_at[0].insert(number.0, next_merge);
            for per_env in &mut sim.reach {
                per_env.push(None);
            }
            sim.draw_failure();
            let jitter = sim.releases_rng.random_range(0.5..1.5);
            next_merge = add(next_merge, Duration::from_secs_f64(interval * jitter));
            if let Some(window) = &config.merge_window
                && !window.allows(next_merge)
            {
                next_merge = window.next_open(next_merge).unwrap_or(Timestamp::MAX);
            }
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
        let env_stage = pipeline
            .stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.environments.iter().map(move |e| (e.name.clone(), i)))
            .rev() // the first stage naming an environment wins, as in `Pipeline::environment`
            .collect();
        let kinds: Vec<StageKind> = pipeline.stages.iter().map(StageKind::of).collect();
        let flows = pipeline
            .stages
            .iter()
            .zip(&kinds)
            .map(|(s, kind)| StageFlow {
                stage: s.name.clone(),
                kind: *kind,
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
            releases_rng: StdRng::seed_from_u64(config.seed),
            // A second stream, so flakes never shift which releases are bad.
            flakes_rng: StdRng::seed_from_u64(config.seed ^ 0x5eed_f1a4_e5ee_df1a),
            caught_at: Vec::new(),
            kinds,
            fails_first_step: HashSet::new(),
            failures: FailureReport::default(),
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
            env_stage,
            reached_upto: vec![0; env_names.len()],
            reach: vec![Vec::new(); env_names.len()],
            offered_at: vec![HashMap::new(); pipeline.stages.len()],
            waits: vec![Vec::new(); pipeline.stages.len()],
            flows,
            timeline: vec![Vec::new(); pipeline.stages.len()],
            stage_approvals: vec![Vec::new(); pipeline.stages.len()],
            passes: 0,
            decisions: 0,
        }
    }

    /// Whether the newest release is bad, and which stage will catch it.
    /// Drawn from the seed and the release's number alone, so a changed pipeline meets
    /// the same bad releases.
    fn draw_failure(&mut self) {
        let model = &self.config.failures;
        let number = self.caught_at.len() as u64 + 1;
        let mut rng = StdRng::seed_from_u64(
            self.config
                .seed
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .wrapping_add(number),
        );
        let mut caught = None;
        if rng.random_bool(model.bad_releases) {
            self.failures.bad_releases += 1;
            caught = self
                .kinds
                .iter()
                .position(|kind| rng.random_bool(model.catch(*kind)));
        }
        self.caught_at.push(caught);
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
                for (timeline, outlook) in self.timeline.iter_mut().zip(&evaluation.outlooks) {
                    let doing = Doing::of(&outlook.status);
                    if timeline.last().is_none_or(|(_, last)| *last != doing) {
                        timeline.push((self.now, doing));
                    }
                }
                for outlook in &evaluation.outlooks {
                    match &outlook.status {
                        StageStatus::WindowClosed {
                            next_open: Some(at),
                            ..
                        } => wake = earliest(wake, *at),
                        StageStatus::Frozen { freeze, .. } => {
                            if let Some(at) = freeze.until {
                                wake = earliest(wake, at);
                            }
                        }
                        _ => {}
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
        let stage = &self.pipeline.stages[*self.env_stage.get(environment)?];
        let expedite = self
            .state
            .environments
            .get(environment)
            .and_then(|e| e.active.as_ref())
            .is_some_and(|a| super::expedited(&self.state, self.pipeline, a.release));
        let mut due = add(since, self.pipeline.bake_time(stage, expedite));
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
                    self.stage_approvals[i].push((*release, self.now));
                    if i + 1 < self.offered_at.len() {
                        self.offered_at[i + 1].insert(release.0, self.now);
                    }
                }
            }
            Decision::FailStage { stage, release, .. } => {
                if let Some(&i) = self.stage_index.get(stage) {
                    self.flows[i].failed += 1;
                    let index = (release.0 - 1) as usize;
                    if self.caught_at.get(index).copied().flatten() == Some(i) {
                        *self.failures.caught.entry(self.kinds[i]).or_default() += 1;
                    }
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
                environment,
                stage,
                release,
                kind,
                ..
            } => {
                let Some(active) = self
                    .state
                    .environments
                    .get(environment)
                    .and_then(|e| e.active.as_ref())
                else {
                    return;
                };
                let id = active.id.clone();
                let mut fails = false;
                if *kind == DeploymentKind::Normal {
                    self.failures.deployments += 1;
                    let stage = self.stage_index.get(stage).copied();
                    let index = (release.0 - 1) as usize;
                    let bad_here =
                        stage.is_some() && self.caught_at.get(index).copied().flatten() == stage;
                    let has_steps = stage
                        .is_some_and(|i| !self.pipeline.stages[i].settings.approvals.is_empty());
                    if bad_here && has_steps {
                        self.fails_first_step.insert(id.clone());
                    } else if bad_here {
                        fails = true;
                    } else if self.flakes_rng.random_bool(self.config.failures.flakes) {
                        self.failures.flaky_deployments += 1;
                        // A flake fails the deploy or, as often, the first approval step.
                        if has_steps && self.flakes_rng.random_bool(0.5) {
                            self.fails_first_step.insert(id.clone());
                        } else {
                            fails = true;
                        }
                    }
                }
                self.deploy_end
                    .insert(id, (add(self.now, self.config.deploy_time), fails));
            }
            Decision::RunApprovalStep {
                deployment, step, ..
            } => {
                let fails = self.fails_first_step.remove(deployment);
                self.step_end.insert(
                    (deployment.clone(), *step),
                    (add(self.now, self.config.step_time), fails),
                );
            }
            Decision::ApproveEnvironment { deployment, .. }
            | Decision::FailDeployment { deployment, .. } => {
                self.deploy_end.remove(deployment);
                self.fails_first_step.remove(deployment);
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
            share: times.len() as f64 / self.created.len().max(1) as f64,
            median_secs: percentile(&times, 0.5),
            p90_secs: percentile(&times, 0.9),
            median_business_days: None,
            time_spent: None,
            secs: times,
        }
    }

    /// A wave's reach, with business days and where the time went. `stages` are the
    /// wave's stage indexes, in order.
    fn wave_reach(&self, name: &str, envs: &[usize], stages: &[usize]) -> Reach {
        let mut reach = self.reach_of(name, envs);
        let mut business: Vec<u64> = (0..self.created.len())
            .filter_map(|r| {
                let at = envs
                    .iter()
                    .map(|&e| self.reach[e].get(r).copied().flatten())
                    .try_fold(0u64, |acc, t| t.map(|t| acc.max(t)))?;
                let from = self.created[r];
                Some(business_secs(
                    &self.pipeline.tz,
                    from,
                    add(from, Duration::from_secs(at)),
                ))
            })
            .collect();
        business.sort_unstable();
        reach.median_business_days = percentile(&business, 0.5).map(|s| s as f64 / 86_400.0);
        reach.time_spent = Some(self.time_spent(stages));
        reach
    }

    /// The mean time spent, per kind, by the commits that reached the last of `stages`,
    /// from reaching the stage before the first of them (or their merge).
    fn time_spent(&self, stages: &[usize]) -> TimeSpent {
        let (Some(&first), Some(&last)) = (stages.first(), stages.last()) else {
            return TimeSpent::default();
        };
        let mut total = [0u64; 6];
        let mut commits = 0u64;
        for (index, created) in self.created.iter().enumerate() {
            let commit = ReleaseNumber(index as u64 + 1);
            let mut from = match first.checked_sub(1) {
                None => *created,
                Some(previous) => match self.approved_at(previous, commit) {
                    Some(at) => at,
                    None => break,
                },
            };
            let mut spent = [0u64; 6];
            let mut arrived = true;
            for s in first..=last {
                let Some(to) = self.approved_at(s, commit) else {
                    arrived = false;
                    break;
                };
                self.attribute(s, commit, from, to, &mut spent);
                from = to;
            }
            if !arrived {
                // A stage that approved no release carrying this commit approved none
                // carrying a newer one either.
                break;
            }
            commits += 1;
            for (t, s) in total.iter_mut().zip(spent) {
                *t += s;
            }
        }
        let mean = |i: usize| total[i] / commits.max(1);
        TimeSpent {
            deploying_secs: mean(0),
            approval_steps_secs: mean(1),
            baking_secs: mean(2),
            window_secs: mean(3),
            queued_secs: mean(4),
            failure_secs: mean(5),
        }
    }

    /// When stage `s` first approved a release that carries `commit`.
    fn approved_at(&self, s: usize, commit: ReleaseNumber) -> Option<Timestamp> {
        let approvals = &self.stage_approvals[s];
        let i = approvals.partition_point(|(r, _)| *r < commit);
        approvals.get(i).map(|(_, at)| *at)
    }

    /// Adds to `spent` what stage `s` did between `from` and `to`, as seen by `commit`.
    fn attribute(
        &self,
        s: usize,
        commit: ReleaseNumber,
        from: Timestamp,
        to: Timestamp,
        spent: &mut [u64; 6],
    ) {
        let timeline = &self.timeline[s];
        let failed = self
            .state
            .stages
            .get(&self.pipeline.stages[s].name)
            .map(|l| &l.failed);
        let start = timeline
            .partition_point(|(at, _)| *at <= from)
            .saturating_sub(1);
        for (i, (at, doing)) in timeline.iter().enumerate().skip(start) {
            if *at >= to {
                break;
            }
            let end = timeline.get(i + 1).map_or(to, |(next, _)| (*next).min(to));
            let secs = secs_between((*at).max(from), end);
            let working = |r: &ReleaseNumber, kind: usize| {
                if *r < commit {
                    4
                } else if failed.is_some_and(|f| f.contains(r)) {
                    5
                } else {
                    kind
                }
            };
            let kind = match doing {
                Doing::Deploying(r) => working(r, 0),
                Doing::Verifying(r) => working(r, 1),
                Doing::Baking(r) => working(r, 2),
                Doing::WindowClosed => 3,
                Doing::Held => 4,
                Doing::RollingBack | Doing::Idle => 5,
            };
            spent[kind] += secs;
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
        let stages_of = |wave: Option<&str>| -> Vec<usize> {
            (0..self.pipeline.stages.len())
                .filter(|&i| self.pipeline.stages[i].wave.as_deref() == wave)
                .collect()
        };
        if !pre.is_empty() {
            waves.push(self.wave_reach("pre-production", &pre, &stages_of(None)));
        }
        for wave in &self.pipeline.waves {
            let envs: Vec<usize> = self
                .pipeline
                .stages
                .iter()
                .filter(|s| s.wave.as_deref() == Some(wave.name.as_str()))
                .flat_map(|s| s.environments.iter().filter_map(|e| env_of(&e.name)))
                .collect();
            waves.push(self.wave_reach(&wave.name, &envs, &stages_of(Some(&wave.name))));
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
            failures: self.failures,
            passes: self.passes,
            expedited: self.config.expedite,
            decisions: self.decisions,
        }
    }
}

/// Seconds from `from` to `to` that fall on a weekday (Monday to Friday) in `tz`.
fn business_secs(tz: &jiff::tz::TimeZone, from: Timestamp, to: Timestamp) -> u64 {
    use jiff::civil::Weekday;
    let mut total = 0;
    let mut cursor = from;
    while cursor < to {
        let zoned = cursor.to_zoned(tz.clone());
        let next_day = zoned
            .date()
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(tz.clone()).ok())
            .map_or(to, |z| z.timestamp());
        let end = next_day.min(to).max(add(cursor, Duration::from_secs(1)));
        if !matches!(zoned.weekday(), Weekday::Saturday | Weekday::Sunday) {
            total += secs_between(cursor, end.min(to));
        }
        cursor = end;
    }
    total
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
        config.failures = FailureModel::none();
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
    fn the_example_pipeline_delivers_in_the_articles_four_to_five_business_days() {
        let text = include_str!("../../pipeline.example.toml");
        let p = pipeline(text);
        // As `captain simulate` runs by default: ten merges a working day, Monday to
        // Friday 09:00-17:00 in the pipeline's zone, the default failure model, seed 1.
        let mut config = SimulationConfig::typical(ts("2026-03-02T08:00:00Z"), 90);
        config.merge_window = Some(
            crate::config::Window::parse("mon-fri", "09:00-17:00", &p.timezone, &[])
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let started = std::time::Instant::now();
        let report = simulate(&p, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let took = started.elapsed();
        assert_eq!(report.environments.len(), p.environment_names().len());
        let last = report.waves.last().unwrap_or_else(|| panic!("no waves"));
        assert_eq!(last.name, "wave-5");
        let business_days = last.median_business_days.unwrap_or(f64::MAX);
        assert!(
            (4.0..=5.5).contains(&business_days),
            "median to every region: {business_days} business days"
        );
        // Most commits reach every wave (those merged in the last week cannot).
        for wave in &report.waves {
            assert!(wave.share > 0.85, "{wave:?}");
            let spent = wave.time_spent.unwrap_or_default();
            assert!(spent.total_secs() > 0, "{wave:?}");
        }
        // Wave 1 bakes 12 hours as a whole: every commit that got there spent at least
        // that, plus three one-box hours, baking in it.
        let wave_1 = report.waves.iter().find(|w| w.name == "wave-1");
        let baked = wave_1
            .and_then(|w| w.time_spent)
            .map_or(0, |t| t.baking_secs);
        assert!(baked >= 15 * 3600 + 3 * 1800, "{wave_1:?}");
        // Bad releases mostly stop before production.
        let caught = &report.failures.caught;
        let pre = caught.get(&StageKind::PreProduction).copied().unwrap_or(0);
        assert!(pre * 10 >= caught.values().sum::<u64>() * 7, "{caught:?}");
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
        config.failures.bad_releases = 1.5;
        let err = simulate(&p, &config).err().map(|e| e.kind);
        assert_eq!(err, Some(crate::ErrorKind::Usage));
        config.failures = FailureModel {
            flakes: -0.1,
            ..FailureModel::default()
        };
        let err = simulate(&p, &config).err().map(|e| e.kind);
        assert_eq!(err, Some(crate::ErrorKind::Usage));
    }

    /// Three pre-production stages (gamma runs tests), a one-box stage and a zonal one.
    const KINDS: &str = r#"
name = "kinds"
[[stages]]
name = "alpha"
environments = ["alpha"]
[[stages]]
name = "beta"
environments = ["beta"]
[[stages]]
name = "gamma"
environments = ["gamma"]
approvals = [{ kind = "command", argv = ["./tests"] }]
[[waves]]
name = "wave-1"
bake_time = "1h"
stages = [
  { name = "wave-1-onebox", environments = ["prod-onebox"] },
  { name = "wave-1-zonal", environments = ["prod-a", "prod-b"] },
]
"#;

    fn flow<'r>(report: &'r SimulationReport, stage: &str) -> &'r StageFlow {
        report
            .stages
            .iter()
            .find(|s| s.stage == stage)
            .unwrap_or_else(|| panic!("no stage {stage}"))
    }

    #[test]
    fn stages_have_a_kind() {
        let p = pipeline(KINDS);
        let kinds: Vec<StageKind> = p.stages.iter().map(StageKind::of).collect();
        use StageKind::*;
        assert_eq!(
            kinds,
            [PreProduction, PreProduction, PreProduction, OneBox, Zonal]
        );
    }

    #[test]
    fn a_bad_release_fails_in_the_first_stage_that_catches_it_and_goes_no_further() {
        let p = pipeline(KINDS);
        let mut config = SimulationConfig::typical(ts("2026-03-02T00:00:00Z"), 60);
        // Every release is bad; half are caught by each pre-production stage, half of the
        // rest by the one-box, all the others by the zonal stage. Nothing flakes.
        config.merges_per_day = 4.0;
        config.failures = FailureModel {
            bad_releases: 1.0,
            catch_pre_production: 0.5,
            catch_one_box: 0.5,
            catch_zonal: 1.0,
            flakes: 0.0,
        };
        let report = simulate(&p, &config).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(report.failures.bad_releases, report.releases);
        assert_eq!(report.failures.flaky_deployments, 0);
        // No bad release escapes, and no commit reaches production's last stage.
        assert_eq!(flow(&report, "wave-1-zonal").approved, 0);
        assert_eq!(report.waves.last().map(|w| w.reached), Some(0));
        // Every failure is a catch, and a release fails once: where it was caught.
        let failed: u64 = report.stages.iter().map(|s| s.failed).sum();
        let caught: u64 = report.failures.caught.values().sum();
        assert_eq!(failed, caught);
        // A stage only sees what the one before let through.
        for pair in report.stages.windows(2) {
            assert!(pair[1].started <= pair[0].approved, "{pair:?}");
        }
        // Pre-production catches 1 - 0.5³ = 87.5% of the releases it deploys.
        let pre = report.failures.caught[&StageKind::PreProduction] as f64;
        let share = pre / caught as f64;
        assert!((0.78..=0.95).contains(&share), "{share} of {caught}");
        // gamma has tests: its catches fail the first step, after the deploy succeeded.
        assert!(flow(&report, "gamma").failed > 0);
        // The same seed gives the same report; another seed another.
        assert_eq!(simulate(&p, &config).ok().as_ref(), Some(&report));
        config.seed = 2;
        assert_ne!(simulate(&p, &config).ok().as_ref(), Some(&report));
    }

    #[test]
    fn flakes_strike_deployments_independently_of_their_release() {
        let p = pipeline(KINDS);
        let mut config = SimulationConfig::typical(ts("2026-03-02T00:00:00Z"), 90);
        config.merges_per_day = 4.0;
        config.failures = FailureModel {
            bad_releases: 0.0,
            flakes: 0.05,
            ..FailureModel::default()
        };
        let report = simulate(&p, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let failures = &report.failures;
        assert!(failures.caught.is_empty(), "{failures:?}");
        assert!(failures.deployments > 1_000, "{failures:?}");
        let rate = failures.flaky_deployments as f64 / failures.deployments as f64;
        assert!((0.035..=0.065).contains(&rate), "{rate}: {failures:?}");
        // Flakes strike pre-production and production alike, and the commits go on with
        // the next release: most of them reach production.
        assert!(report.stages.iter().filter(|s| s.failed > 0).count() >= 4);
        let last = report.waves.last().map_or(0, |w| w.reached);
        assert!(
            last * 10 > report.releases * 8,
            "{last} of {}",
            report.releases
        );
    }
}

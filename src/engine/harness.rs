//! A tiny world for engine tests: virtual time, deploy and step durations, injected
//! failures, alarms and data points. It turns the world into [`Signals`], applies the
//! engine's decisions, and checks SPEC §1's invariants (and the engine's determinism)
//! before every decision it applies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use crate::config::{Pipeline, validate_text};
use crate::model::{
    DeploymentId, DeploymentKind, Lock, LockDirection, LockTargetKind, Outcome, ReleaseNumber,
    Timestamp,
};

use super::*;

pub fn ts(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("bad test timestamp {text}: {e}"))
}

pub fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

pub fn v(n: u64) -> ReleaseNumber {
    ReleaseNumber(n)
}

pub fn pipeline(text: &str) -> Pipeline {
    validate_text(text, Path::new("test-pipeline.toml")).unwrap_or_else(|diagnostics| {
        let lines: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        panic!("test pipeline is invalid:\n{}", lines.join("\n"))
    })
}

pub struct Harness {
    pub pipeline: Pipeline,
    pub state: EngineState,
    pub now: Timestamp,
    /// Every decision applied, with when.
    pub log: Vec<(Timestamp, Decision)>,
    /// The outlooks of the last pass of the last tick.
    pub outlooks: Vec<StageOutlook>,
    pub tick: Duration,
    pub default_deploy: Duration,
    pub deploy_time: BTreeMap<String, Duration>,
    pub default_step: Duration,
    /// Step name → how long it takes.
    pub step_time: BTreeMap<String, Duration>,
    pub fail_deploy: BTreeSet<(String, ReleaseNumber)>,
    /// (environment, release, step index) that fail.
    pub fail_step: BTreeSet<(String, ReleaseNumber, usize)>,
    pub alarms: BTreeMap<String, AlarmState>,
    /// Data points per hour of bake, per environment (default for all: `data_rate`).
    pub data_rate: u64,
    step_started: BTreeMap<(DeploymentId, usize), Timestamp>,
    next_id: u64,
}

impl Harness {
    pub fn new(toml: &str, start: &str) -> Harness {
        let pipeline = pipeline(toml);
        // Every alarm starts OK, so only what a test sets is in ALARM.
        let alarms = pipeline
            .alarms
            .keys()
            .map(|name| (name.clone(), AlarmState::Ok))
            .collect();
        Harness {
            pipeline,
            state: EngineState::default(),
            now: ts(start),
            log: Vec::new(),
            outlooks: Vec::new(),
            tick: mins(1),
            default_deploy: mins(10),
            deploy_time: BTreeMap::new(),
            default_step: mins(10),
            step_time: BTreeMap::new(),
            fail_deploy: BTreeSet::new(),
            fail_step: BTreeSet::new(),
            alarms,
            data_rate: 1_000,
            step_started: BTreeMap::new(),
            next_id: 0,
        }
    }

    /// Releases `releases` as already approved by every stage and current everywhere.
    pub fn preset_everywhere(&mut self, releases: &[u64]) {
        for &n in releases {
            self.state.releases.push(v(n));
            for stage in &self.pipeline.stages {
                let ledger = self.state.stages.entry(stage.name.clone()).or_default();
                ledger.approved.insert(v(n));
                for env in &stage.environments {
                    let env = self.state.environments.entry(env.name.clone()).or_default();
                    env.approved.insert(v(n));
                    env.current = Some(v(n));
                }
            }
        }
    }

    pub fn release(&mut self, n: u64) {
        self.state.releases.push(v(n));
    }

    pub fn outlook(&self, stage: &str) -> &StageOutlook {
        self.outlooks
            .iter()
            .find(|o| o.stage == stage)
            .unwrap_or_else(|| panic!("no stage {stage}"))
    }

    pub fn env(&self, name: &str) -> &EnvLedger {
        self.state
            .environments
            .get(name)
            .unwrap_or_else(|| panic!("no environment {name} in the state"))
    }

    pub fn current(&self, name: &str) -> Option<ReleaseNumber> {
        self.state.environments.get(name).and_then(|e| e.current)
    }

    pub fn stage_ledger(&self, name: &str) -> StageLedger {
        self.state.stages.get(name).cloned().unwrap_or_default()
    }

    pub fn lock(&mut self, target: &str, direction: LockDirection, reason: &str) {
        let target_kind = if self.pipeline.stage(target).is_some() {
            LockTargetKind::Stage
        } else {
            LockTargetKind::Environment
        };
        self.state.locks.push(Lock {
            target_kind,
            target: target.to_string(),
            direction,
            actor: "oncall".into(),
            reason: reason.into(),
            created_at: self.now,
            until: None,
        });
    }

    /// `captain freeze [TARGET] --reason R [--until WHEN]` (`*` for the pipeline).
    pub fn freeze(&mut self, target: &str, reason: &str, until: Option<&str>) {
        self.state.locks.push(Lock::freeze(
            target.to_string(),
            "oncall".into(),
            reason.into(),
            self.now,
            until.map(ts),
        ));
    }

    /// `captain unfreeze [TARGET]`.
    pub fn unfreeze(&mut self, target: &str) {
        self.state
            .locks
            .retain(|l| !(l.target_kind == LockTargetKind::Freeze && l.target == target));
    }

    /// `captain release block vN`.
    pub fn block(&mut self, release: u64, reason: &str) {
        self.state.locks.push(Lock::release_block(
            v(release),
            "oncall".into(),
            reason.into(),
            self.now,
        ));
    }

    /// `captain release unblock vN`.
    pub fn unblock(&mut self, release: u64) {
        self.state.locks.retain(|l| !l.is_on_release(v(release)));
    }

    /// `captain promotions enable TARGET --direction D`: a `both` lock loses `D` and
    /// keeps the other direction.
    pub fn enable(&mut self, target: &str, direction: LockDirection) {
        let mut kept = Vec::new();
        for mut lock in std::mem::take(&mut self.state.locks) {
            if lock.target == target {
                match lock.direction.after_lifting(direction) {
                    Some(remaining) => lock.direction = remaining,
                    None => continue,
                }
            }
            kept.push(lock);
        }
        self.state.locks = kept;
    }

    /// Moves the clock without passes in between (nothing must be waiting on time).
    pub fn jump_to(&mut self, at: &str) {
        self.now = ts(at);
        self.settle();
    }

    fn new_id(next_id: &mut u64) -> DeploymentId {
        *next_id += 1;
        DeploymentId(format!("deploy-{:06x}", *next_id))
    }

    /// What `captain rollback ENV --to vN` does to the ledger, outside the engine: ends a
    /// deployment in progress there (the code ran there: rolled back), fails that release
    /// in the stage, starts a rollback deployment and locks the environment both ways.
    pub fn manual_rollback(&mut self, environment: &str, to: u64, reason: &str) {
        let (stage, _) = self
            .pipeline
            .environment(environment)
            .unwrap_or_else(|| panic!("no environment {environment}"));
        let stage = stage.name.clone();
        let env = self
            .state
            .environments
            .entry(environment.into())
            .or_default();
        assert!(
            env.approved.contains(&v(to)),
            "{environment} never approved v{to}"
        );
        if let Some(active) = env.active.take() {
            if active.kind == DeploymentKind::Normal && active.phase != Phase::Deploying {
                env.current = Some(active.release);
            }
            self.log.push((
                self.now,
                Decision::FailDeployment {
                    deployment: active.id.clone(),
                    environment: environment.into(),
                    release: active.release,
                    outcome: Outcome::RolledBack,
                },
            ));
            let ledger = self.state.stages.entry(stage.clone()).or_default();
            if ledger.working == Some(active.release) {
                ledger.working = None;
                ledger.failed.insert(active.release);
            }
        }
        let id = Self::new_id(&mut self.next_id);
        let env = self
            .state
            .environments
            .entry(environment.into())
            .or_default();
        env.active = Some(ActiveDeployment {
            id,
            release: v(to),
            kind: DeploymentKind::Rollback,
            started_at: self.now,
            phase: Phase::Deploying,
        });
        self.log.push((
            self.now,
            Decision::StartDeployment {
                environment: environment.into(),
                stage,
                release: v(to),
                kind: DeploymentKind::Rollback,
                reason: Some(reason.into()),
                overridden: None,
            },
        ));
        self.lock(environment, LockDirection::Both, reason);
    }

    pub fn signals(&self) -> Signals {
        let mut signals = Signals {
            alarms: self.alarms.clone(),
            ..Signals::default()
        };
        for (name, env) in &self.state.environments {
            let Some(active) = &env.active else { continue };
            let deploy = self
                .deploy_time
                .get(name)
                .copied()
                .unwrap_or(self.default_deploy);
            if self.now >= add(active.started_at, deploy) {
                let failed = active.kind == DeploymentKind::Normal
                    && self.fail_deploy.contains(&(name.clone(), active.release));
                signals.deploy_results.insert(
                    active.id.clone(),
                    if failed {
                        DeployResult::Failed
                    } else {
                        DeployResult::Succeeded
                    },
                );
            }
            match active.phase {
                Phase::Verifying {
                    step,
                    started: true,
                } => {
                    let (_, stage) = self.stage_of(name);
                    let step_name = &stage.settings.approvals[step].name;
                    let took = self
                        .step_time
                        .get(step_name)
                        .copied()
                        .unwrap_or(self.default_step);
                    if let Some(started) = self.step_started.get(&(active.id.clone(), step))
                        && self.now >= add(*started, took)
                    {
                        let failed = self
                            .fail_step
                            .contains(&(name.clone(), active.release, step));
                        signals.step_results.insert(
                            (active.id.clone(), step),
                            if failed {
                                StepResult::Failed
                            } else {
                                StepResult::Passed
                            },
                        );
                    }
                }
                Phase::Baking { since } => {
                    let seconds = self.now.duration_since(since).as_secs().max(0) as u64;
                    signals
                        .data_points
                        .insert(name.clone(), self.data_rate * seconds / 3600);
                }
                _ => {}
            }
        }
        signals
    }

    fn stage_of(&self, environment: &str) -> (usize, &crate::config::Stage) {
        self.pipeline
            .stages
            .iter()
            .enumerate()
            .find(|(_, s)| s.environments.iter().any(|e| e.name == environment))
            .unwrap_or_else(|| panic!("no stage holds {environment}"))
    }

    /// Passes at the current instant until nothing is decided.
    pub fn settle(&mut self) {
        for _ in 0..200 {
            let signals = self.signals();
            let evaluation = decide(&self.state, &self.pipeline, self.now, &signals);
            let again = decide(&self.state, &self.pipeline, self.now, &signals);
            assert_eq!(evaluation, again, "the engine is not deterministic");
            let bounded = bounded_state(&self.state, &self.pipeline);
            let on_bounded = decide(&bounded, &self.pipeline, self.now, &signals);
            assert_eq!(
                evaluation, on_bounded,
                "{}: the engine decides otherwise on the part of the ledger a store's snapshot reads",
                self.now
            );
            self.outlooks = evaluation.outlooks.clone();
            if evaluation.decisions.is_empty() {
                return;
            }
            for decision in evaluation.decisions {
                self.check(&decision, &signals);
                if let Decision::RunApprovalStep {
                    deployment, step, ..
                } = &decision
                {
                    self.step_started
                        .insert((deployment.clone(), *step), self.now);
                }
                let next_id = &mut self.next_id;
                self.state
                    .apply(&decision, self.now, &mut || Self::new_id(next_id));
                self.log.push((self.now, decision));
            }
        }
        panic!("the engine did not settle at {}", self.now);
    }

    /// Advances virtual time by `duration`, a tick at a time, settling at every tick.
    pub fn run_for(&mut self, duration: Duration) {
        let end = add(self.now, duration);
        self.settle();
        while self.now < end {
            self.now = add(self.now, self.tick).min(end);
            self.settle();
        }
    }

    pub fn run_until(&mut self, at: &str) {
        let end = ts(at);
        let left = end.duration_since(self.now);
        self.run_for(Duration::try_from(left).unwrap_or_default());
    }

    /// Runs until `done` holds, at most `limit`; returns whether it did.
    pub fn run_while_not(&mut self, limit: Duration, done: impl Fn(&Harness) -> bool) -> bool {
        let end = add(self.now, limit);
        self.settle();
        while !done(self) {
            if self.now >= end {
                return false;
            }
            self.now = add(self.now, self.tick);
            self.settle();
        }
        true
    }

    /// SPEC §1's invariants and the engine's promises, checked before applying `decision`.
    fn check(&self, decision: &Decision, signals: &Signals) {
        match decision {
            Decision::StartDeployment {
                environment,
                stage,
                release,
                kind,
                overridden,
                ..
            } => {
                assert!(
                    release_block(&self.state, *release).is_none(),
                    "{}: {release} is blocked, yet it was deployed to {environment}",
                    self.now
                );
                let env = self.state.environments.get(environment);
                assert!(
                    env.and_then(|e| e.active.as_ref()).is_none(),
                    "{}: a second deployment started in {environment}",
                    self.now
                );
                let current = env.and_then(|e| e.current);
                let (index, stage_config) = self.stage_of(environment);
                assert_eq!(&stage_config.name, stage);
                if *kind == DeploymentKind::Rollback {
                    let approved = env.map(|e| e.approved.contains(release)).unwrap_or(false);
                    assert!(
                        approved,
                        "rollback of {environment} to {release}, never approved there"
                    );
                    assert!(current.is_none_or(|c| *release <= c));
                    return;
                }
                assert!(
                    current.is_none_or(|c| *release >= c),
                    "{}: {environment} would go back from {current:?} to {release} without a rollback",
                    self.now
                );
                let ledger = self.stage_ledger(stage);
                let mut older = ledger.approved.clone();
                older.extend(ledger.failed.iter().copied());
                older.extend(ledger.superseded.iter().copied());
                if let Some(w) = ledger.working
                    && w != *release
                {
                    older.insert(w);
                }
                assert!(
                    older.iter().all(|r| r < release),
                    "{}: stage {stage} took {release} after {older:?}",
                    self.now
                );
                if index > 0 {
                    let previous = &self.pipeline.stages[index - 1];
                    assert!(
                        self.stage_ledger(&previous.name).approved.contains(release),
                        "{release} entered {stage} before {} approved it",
                        previous.name
                    );
                    for lock in &self.state.locks {
                        let on_previous = lock.target == previous.name
                            || previous.environments.iter().any(|e| e.name == lock.target);
                        assert!(
                            !(on_previous && lock.direction.blocks_out()),
                            "promoted out of locked {}",
                            lock.target
                        );
                    }
                }
                for lock in &self.state.locks {
                    let on_this = lock.target == *stage
                        || stage_config
                            .environments
                            .iter()
                            .any(|e| e.name == lock.target);
                    assert!(
                        !(on_this && lock.direction.blocks_in()),
                        "promoted into locked {}",
                        lock.target
                    );
                }
                // Only an expedited release whose [expedite] drops windows passes one.
                let past_windows = self
                    .pipeline
                    .expedite
                    .as_ref()
                    .is_some_and(|e| !e.keep_windows)
                    && expedited(&self.state, &self.pipeline, *release);
                if let Some(window) = &stage_config.settings.window
                    && !past_windows
                {
                    assert!(window.allows(self.now), "started outside the window");
                }
                if let Some(freeze) = freeze_on(&self.state.locks, stage_config, self.now) {
                    panic!("started {release} in {environment} during a freeze: {freeze:?}");
                }
                if let Some(blocker) = &stage_config.settings.blocker
                    && eval_alarm(blocker, signals) != AlarmState::Ok
                {
                    assert!(overridden.is_some(), "started through an active blocker");
                }
            }
            Decision::ApproveStage { stage, release } => {
                let stage_config = self
                    .pipeline
                    .stage(stage)
                    .unwrap_or_else(|| panic!("no stage {stage}"));
                for env in &stage_config.environments {
                    assert!(
                        self.env(&env.name).approved.contains(release),
                        "{stage} approved {release} without {}",
                        env.name
                    );
                }
            }
            _ => {}
        }
    }

    // --- Reading the log -------------------------------------------------------------

    /// Normal starts in `environment`: (when, release).
    pub fn starts(&self, environment: &str) -> Vec<(Timestamp, ReleaseNumber)> {
        self.starts_of(environment, DeploymentKind::Normal)
    }

    pub fn rollbacks(&self, environment: &str) -> Vec<(Timestamp, ReleaseNumber)> {
        self.starts_of(environment, DeploymentKind::Rollback)
    }

    fn starts_of(
        &self,
        environment: &str,
        wanted: DeploymentKind,
    ) -> Vec<(Timestamp, ReleaseNumber)> {
        self.log
            .iter()
            .filter_map(|(at, d)| match d {
                Decision::StartDeployment {
                    environment: e,
                    release,
                    kind,
                    ..
                } if e == environment && *kind == wanted => Some((*at, *release)),
                _ => None,
            })
            .collect()
    }

    /// When the first decision matching `wanted` was applied.
    pub fn when(&self, wanted: impl Fn(&Decision) -> bool) -> Option<Timestamp> {
        self.log.iter().find(|(_, d)| wanted(d)).map(|(at, _)| *at)
    }

    pub fn stage_approved_at(&self, stage: &str, release: u64) -> Option<Timestamp> {
        self.when(|d| matches!(d, Decision::ApproveStage { stage: s, release: r } if s == stage && *r == v(release)))
    }

    pub fn superseded(&self, stage: &str) -> Vec<(ReleaseNumber, ReleaseNumber)> {
        self.log
            .iter()
            .filter_map(|(_, d)| match d {
                Decision::Supersede {
                    stage: s,
                    release,
                    by,
                } if s == stage => Some((*release, *by)),
                _ => None,
            })
            .collect()
    }

    pub fn outcomes(&self, environment: &str) -> Vec<(ReleaseNumber, Outcome)> {
        self.log
            .iter()
            .filter_map(|(_, d)| match d {
                Decision::FailDeployment {
                    environment: e,
                    release,
                    outcome,
                    ..
                } if e == environment => Some((*release, *outcome)),
                Decision::ApproveEnvironment {
                    environment: e,
                    release,
                    ..
                } if e == environment => Some((*release, Outcome::Approved)),
                _ => None,
            })
            .collect()
    }
}

/// What a store's engine snapshot holds of `state`: each stage's releases from its
/// [`snapshot_floors`](crate::store::run_records::snapshot_floors) floor up, each environment's
/// approved ones from its stage's floor and the few below. Every pass of the harness
/// decides on both and checks that they agree.
fn bounded_state(state: &EngineState, pipeline: &Pipeline) -> EngineState {
    use crate::store::run_records::{
        StageMarks, StageScope, approved_below_floor, snapshot_floors,
    };
    let scopes = StageScope::of(pipeline);
    let newest = |set: &std::collections::BTreeSet<ReleaseNumber>| set.iter().next_back().copied();
    let marks: Vec<StageMarks> = pipeline
        .stages
        .iter()
        .map(|stage| {
            let ledger = state.stages.get(&stage.name).cloned().unwrap_or_default();
            StageMarks {
                deployed: ledger
                    .working
                    .max(newest(&ledger.approved))
                    .max(newest(&ledger.failed)),
                recorded: newest(&ledger.approved)
                    .max(newest(&ledger.failed))
                    .max(newest(&ledger.superseded)),
                oldest_active: stage
                    .environments
                    .iter()
                    .filter_map(|e| state.environments.get(&e.name)?.active.as_ref())
                    .map(|a| a.release)
                    .min(),
            }
        })
        .collect();
    let floors = snapshot_floors(&scopes, &marks);
    let below = approved_below_floor(&state.locks);
    let mut bounded = state.clone();
    if let Some(first) = floors.first() {
        bounded.releases.retain(|r| r >= first);
    }
    for (stage, floor) in pipeline.stages.iter().zip(&floors) {
        if let Some(ledger) = bounded.stages.get_mut(&stage.name) {
            ledger.approved.retain(|r| r >= floor);
            ledger.failed.retain(|r| r >= floor);
            ledger.superseded.retain(|r| r >= floor);
        }
        for env in &stage.environments {
            if let Some(ledger) = bounded.environments.get_mut(&env.name) {
                let older: Vec<ReleaseNumber> = ledger
                    .approved
                    .range(..*floor)
                    .rev()
                    .take(below)
                    .copied()
                    .collect();
                ledger.approved.retain(|r| r >= floor);
                ledger.approved.extend(older);
            }
        }
    }
    bounded
}

//! `captain run`: the release captain's loop. Each pass reads one snapshot of the ledger
//! ([`Store::engine_snapshot`]), takes over work a dead loop left behind, polls the
//! executors it owns, observes alarms and data points, asks the engine
//! ([`crate::engine::settle`]), applies the decisions through the store in one
//! transaction ([`Store::apply_decisions`]), and then starts what was decided: deploy
//! commands (with the `CAPTAIN_*` variables; `CAPTAIN_ROLLBACK=1` for rollbacks) and
//! approval steps. Output goes to the deployments' logs in the store.
//!
//! # Safe to SIGKILL
//!
//! A deployment is recorded (in progress, owned by this loop) before its command is
//! spawned, and the command's pid and start time right after. A loop that starts finds
//! deployments whose owner is gone (same host, process not alive): one that was
//! deploying is finished as `deploy failed` (its leftover process tree killed, a log line
//! saying the runner was interrupted; a command whose pid the dead loop never recorded is
//! found by the `CAPTAIN_SPAWN_MARK` it was started with) — the engine then fails or
//! rolls back the release as for any failed deploy, so nothing is started twice and no
//! stage waits forever; one that was verifying or baking is taken over and re-checked from its recorded phase (a
//! step that was running runs again). Two loops on one ledger cannot both start a
//! deployment: decisions made on a stale snapshot are refused by the store.
//!
//! This room drives executors and the store; the decisions are the engine's, the drawing
//! is the CLI's (through [`RunObserver`]).

mod jobs;
pub mod signals;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::config::{ApprovalKind, Pipeline};
use crate::engine::{Decision, DeployResult, Phase, StageOutlook, StepResult};
use crate::error::Result;
use crate::exec::{self, CaptainVars, Probes, Running, StepContext};
use crate::model::{Deployment, DeploymentId, DeploymentKind, Outcome, Timestamp};
use crate::store::{ActiveRecord, Claim, LogLine, ProcessRecord, RunnerId, StageScope, Store};

use jobs::{DeployJob, StepJob, StepPoll};

/// Something worth showing while the loop runs.
#[derive(Clone, Debug)]
pub enum RunEvent {
    /// A decision the store accepted.
    Decision(Decision),
    /// A deployment started (recorded and, if the stage has a deploy command, spawned).
    Started(Deployment),
    /// A note about a deployment (or the loop): takeovers, conflicts, failures to start.
    Note {
        deployment: Option<DeploymentId>,
        text: String,
    },
    /// A line a deploy or step command printed.
    Output {
        deployment: DeploymentId,
        line: LogLine,
    },
    /// The end of a pass: every stage's outlook and what is in progress.
    Pass {
        outlooks: Vec<StageOutlook>,
        active: Vec<ActiveRecord>,
        at: Timestamp,
    },
}

/// Receives [`RunEvent`]s (the CLI draws bars or prints lines).
pub trait RunObserver {
    fn event(&mut self, event: RunEvent);
}

/// Ignores every event.
pub struct Quiet;

impl RunObserver for Quiet {
    fn event(&mut self, _event: RunEvent) {}
}

/// How the loop runs commands.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Recorded as the actor of the loop's decisions.
    pub actor: String,
    /// Working directory of deploy and step commands (the repository root).
    pub cwd: Option<PathBuf>,
    pub probes: Probes,
}

/// What one pass did.
#[derive(Clone, Debug, Default)]
pub struct PassReport {
    /// Decisions applied.
    pub decisions: usize,
    /// The store refused the pass's decisions (another writer came first); the next pass
    /// decides again.
    pub conflict: bool,
    /// Deployments in progress after the pass.
    pub active: usize,
    /// Commands this loop is running (deploys and steps).
    pub running: usize,
    /// Deployments that failed in this pass: their deploy, an approval step, or the
    /// rollback alarm (`captain run --once` exits non-zero for them).
    pub failed: usize,
}

/// This process, as the owner of what it starts: read once (the host's name and the
/// process's start time cost five system calls, and every pass asks).
pub fn this_runner() -> RunnerId {
    static THIS: std::sync::OnceLock<RunnerId> = std::sync::OnceLock::new();
    THIS.get_or_init(|| {
        let pid = std::process::id();
        RunnerId {
            host: host_name(),
            pid,
            start_time: exec::process_start_time(pid),
        }
    })
    .clone()
}

fn host_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// What marks the deploy command a loop starts for a deployment (see
/// [`exec::kill_marked_groups`]): [`spawn_mark_prefix`], then the pipeline (one loop of
/// `serve --run` drives several) and the deployment.
fn spawn_mark(runner: &RunnerId, pipeline: &str, deployment: &DeploymentId) -> String {
    format!("{}{pipeline}/{deployment}", spawn_mark_prefix(runner))
}

/// The start of the marks of every deploy command `runner` starts: its pid and start
/// time, which name it for good on its host (its reaper looks for these).
pub fn spawn_mark_prefix(runner: &RunnerId) -> String {
    let start = runner
        .start_time
        .map_or_else(String::new, |t| t.to_string());
    format!("{}.{start}/", runner.pid)
}

/// Is the owner of some work gone for good? Only a loop on this host can be checked;
/// one elsewhere is assumed alive.
pub fn runner_dead(runner: &RunnerId, me: &RunnerId) -> bool {
    runner.host == me.host && runner != me && !exec::process_alive(runner.pid, runner.start_time)
}

/// The loop's state between passes: the commands it runs and what they reported.
pub struct Runner<'a> {
    store: &'a dyn Store,
    pipeline: &'a Pipeline,
    scopes: Vec<StageScope>,
    me: RunnerId,
    options: RunOptions,
    deploys: BTreeMap<DeploymentId, DeployJob>,
    steps: BTreeMap<DeploymentId, StepJob>,
    deploy_results: BTreeMap<DeploymentId, DeployResult>,
    step_results: BTreeMap<(DeploymentId, usize), StepResult>,
    logs: BTreeMap<DeploymentId, Vec<LogLine>>,
    /// This loop holds the pipeline's drive lock (`captain serve --run`): any other owner
    /// of work has stopped driving, whatever host it is on.
    exclusive: bool,
    /// The deployments in progress after the last pass (the next one starts from them).
    last_active: Option<Vec<ActiveRecord>>,
}

impl<'a> Runner<'a> {
    pub fn new(store: &'a dyn Store, pipeline: &'a Pipeline, options: RunOptions) -> Runner<'a> {
        Runner {
            store,
            pipeline,
            scopes: StageScope::of(pipeline),
            me: this_runner(),
            options,
            deploys: BTreeMap::new(),
            steps: BTreeMap::new(),
            deploy_results: BTreeMap::new(),
            step_results: BTreeMap::new(),
            logs: BTreeMap::new(),
            exclusive: false,
            last_active: None,
        }
    }

    /// Marks this loop as the only one driving its pipeline (it holds the drive lock of
    /// `captain serve --run`): work owned by any other loop is taken over as a dead
    /// loop's, even from another host (whose leftover processes it cannot kill).
    pub fn exclusive(mut self) -> Self {
        self.exclusive = true;
        self
    }

    pub fn runner_id(&self) -> &RunnerId {
        &self.me
    }

    /// Commands still running that a caller should wait for before exiting (deploys and
    /// command or HTTP steps; alarm watches and external steps do not count).
    pub fn running(&self) -> usize {
        self.deploys.len() + self.steps.values().filter(|s| s.is_process()).count()
    }

    /// One pass at `now`: take over work a dead loop left, poll this loop's commands,
    /// then ask the rules where the ledger is (this process, or the team server) to
    /// decide and record with what the commands reported, and run what was started.
    pub fn pass(&mut self, now: Timestamp, observer: &mut dyn RunObserver) -> Result<PassReport> {
        // The deployments in progress as the last pass left them (read the first time).
        let active = match self.last_active.take() {
            Some(active) => active,
            None => self.store.engine_snapshot(&self.scopes, now)?.active,
        };
        let active = if self.reconcile(&active, observer)? {
            self.store.engine_snapshot(&self.scopes, now)?.active
        } else {
            active
        };
        let active_ids: BTreeSet<DeploymentId> =
            active.iter().map(|a| a.deployment.clone()).collect();
        self.poll_jobs(&active, &active_ids, now, observer);

        let request = crate::ops::pass::LoopPass {
            runner: self.me.clone(),
            exclusive: self.exclusive,
            deploy_results: self
                .deploy_results
                .iter()
                .map(|(id, r)| (id.clone(), *r))
                .collect(),
            step_results: self
                .step_results
                .iter()
                .map(|((id, step), r)| (id.clone(), *step, *r))
                .collect(),
            actor: self.options.actor.clone(),
            now,
        };
        let answer = crate::ops::rules::of(self.store, self.pipeline, &self.options.probes)
            .loop_pass(request)?;
        let mut report = PassReport::default();
        if let Some(why) = &answer.conflict {
            report.conflict = true;
            observer.event(RunEvent::Note {
                deployment: None,
                text: format!("decisions not applied, deciding again: {why}"),
            });
        }
        report.decisions = answer.decisions.len();
        report.failed = answer
            .decisions
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Decision::FailDeployment {
                        outcome: Outcome::DeployFailed | Outcome::TestsFailed | Outcome::AlarmFired,
                        ..
                    }
                )
            })
            .count();
        self.after_apply(
            &answer.decisions,
            answer.started,
            &answer.alarm_reasons,
            now,
            observer,
        );
        self.flush_logs(observer);
        report.active = answer.active.len();
        report.running = self.running();
        observer.event(RunEvent::Pass {
            outlooks: answer.outlooks,
            active: answer.active.clone(),
            at: now,
        });
        self.last_active = Some(answer.active);
        Ok(report)
    }

    /// Hands the deployments this loop owns and runs no command for — baking, or waiting
    /// for an approval step that only watches (an alarm, a person) — to whoever drives
    /// next, so a `captain run --once` that ends cleanly leaves nothing the next pass
    /// would take for an interrupted loop's. A step that watches is cancelled here and
    /// runs again for the next driver. Returns how many were handed off.
    pub fn hand_off(&mut self, now: Timestamp) -> Result<usize> {
        let snapshot = self.store.engine_snapshot(&self.scopes, now)?;
        let mine: Vec<Claim> = snapshot
            .active
            .iter()
            .filter(|a| {
                a.runner.as_ref() == Some(&self.me) && !self.deploys.contains_key(&a.deployment)
            })
            .map(|a| Claim {
                deployment: a.deployment.clone(),
                expected: Some(self.me.clone()),
            })
            .collect();
        if mine.is_empty() {
            return Ok(0);
        }
        for claim in &mine {
            if let Some(job) = self.steps.remove(&claim.deployment) {
                job.cancel();
            }
        }
        Ok(self.store.claim_deployments(None, &mine)?.len())
    }

    /// Cancels every command this loop runs (on an orderly shutdown the deployments stay
    /// in progress; the next loop finds their owner gone and reconciles).
    pub fn cancel_all(&mut self) {
        for job in self.deploys.values() {
            job.running.cancel();
        }
        for job in self.steps.values() {
            job.cancel();
        }
    }

    /// Takes over work whose owner is gone and adopts deployments recorded without a
    /// process (a rollback started by `captain rollback`). Returns whether the ledger
    /// changed (then the snapshot is read again).
    fn reconcile(
        &mut self,
        active: &[ActiveRecord],
        observer: &mut dyn RunObserver,
    ) -> Result<bool> {
        let mut claims = Vec::new();
        let mut interrupted = Vec::new();
        let mut adopt = Vec::new();
        for record in active {
            let Some(stage) = self.pipeline.stage(&record.stage) else {
                continue;
            };
            match &record.runner {
                Some(owner) if owner == &self.me => continue,
                Some(owner) if !self.exclusive && !runner_dead(owner, &self.me) => continue,
                Some(owner) => {
                    let mut unrecorded_killed = false;
                    if owner.host == self.me.host {
                        if let Some(process) = record.process {
                            exec::kill_process_tree(process.pid, process.start_time);
                        } else if record.phase == Phase::Deploying {
                            // The owner died after spawning, before recording the pid.
                            let mark = spawn_mark(owner, &self.pipeline.name, &record.deployment);
                            unrecorded_killed = exec::kill_marked_groups(&mark) > 0;
                        }
                    }
                    let what = match record.phase {
                        Phase::Deploying => {
                            interrupted.push(record.deployment.clone());
                            if unrecorded_killed {
                                "its deploy, started but not yet recorded, was stopped and is counted as failed"
                            } else {
                                "its deploy is counted as failed"
                            }
                            .to_string()
                        }
                        Phase::Verifying { step, .. } => {
                            format!("approval step {} runs again", step + 1)
                        }
                        Phase::Baking { .. } => "the bake goes on".to_string(),
                    };
                    self.note(
                        &record.deployment,
                        format!(
                            "the runner was interrupted: `captain run` (pid {} on {}) that drove this deployment is gone; {what}",
                            owner.pid, owner.host
                        ),
                        observer,
                    );
                    claims.push(Claim {
                        deployment: record.deployment.clone(),
                        expected: Some(owner.clone()),
                    });
                }
                None => {
                    // Recorded without a process: run it if captain deploys this stage.
                    if record.phase == Phase::Deploying && stage.settings.deploy.is_some() {
                        claims.push(Claim {
                            deployment: record.deployment.clone(),
                            expected: None,
                        });
                        adopt.push(record.deployment.clone());
                    } else if record.phase != Phase::Deploying {
                        claims.push(Claim {
                            deployment: record.deployment.clone(),
                            expected: None,
                        });
                    }
                }
            }
        }
        if claims.is_empty() {
            return Ok(false);
        }
        let taken: BTreeSet<DeploymentId> = self
            .store
            .claim_deployments(Some(&self.me), &claims)?
            .into_iter()
            .collect();
        for id in interrupted.iter().filter(|id| taken.contains(*id)) {
            self.deploy_results.insert(id.clone(), DeployResult::Failed);
        }
        for id in adopt.iter().filter(|id| taken.contains(*id)) {
            if let Some(deployment) = self.store.deployment(id)? {
                self.note(
                    id,
                    format!(
                        "taking over {} of {} to {}, recorded without a process",
                        deployment.kind.as_str(),
                        deployment.release,
                        deployment.environment
                    ),
                    observer,
                );
                self.spawn_deploy(&deployment, observer);
            }
        }
        self.flush_logs(observer);
        Ok(!taken.is_empty())
    }

    fn poll_jobs(
        &mut self,
        active: &[ActiveRecord],
        active_ids: &BTreeSet<DeploymentId>,
        now: Timestamp,
        observer: &mut dyn RunObserver,
    ) {
        // Work for deployments that ended elsewhere (a person's rollback cancelled it,
        // an external CI finished it) stops.
        let gone: Vec<DeploymentId> = self
            .deploys
            .keys()
            .chain(self.steps.keys())
            .filter(|id| !active_ids.contains(*id))
            .cloned()
            .collect();
        for id in gone {
            if let Some(job) = self.deploys.remove(&id) {
                job.running.cancel();
            }
            if let Some(job) = self.steps.remove(&id) {
                job.cancel();
            }
        }
        self.deploy_results.retain(|id, _| active_ids.contains(id));
        self.step_results
            .retain(|(id, _), _| active_ids.contains(id));

        let mut finished = Vec::new();
        for (id, job) in &mut self.deploys {
            let mut lines = Vec::new();
            let outcome = job.running.poll(&mut |line| lines.push(line));
            shown(id, &lines, observer);
            self.logs.entry(id.clone()).or_default().extend(lines);
            if let Some(outcome) = outcome {
                finished.push((id.clone(), outcome));
            }
        }
        for (id, outcome) in finished {
            self.deploys.remove(&id);
            let result = match &outcome {
                exec::RunOutcome::Succeeded => DeployResult::Succeeded,
                exec::RunOutcome::TimedOut { .. } => DeployResult::TimedOut,
                _ => DeployResult::Failed,
            };
            self.note(
                &id,
                format!("the deploy command {}", outcome.describe()),
                observer,
            );
            self.deploy_results.insert(id, result);
        }

        let phases: BTreeMap<&DeploymentId, &ActiveRecord> =
            active.iter().map(|a| (&a.deployment, a)).collect();
        let mut done = Vec::new();
        for (id, job) in &mut self.steps {
            let Some(record) = phases.get(id) else {
                continue;
            };
            let Some((stage, env)) = self.pipeline.environment(&record.environment) else {
                continue;
            };
            let ctx = StepContext {
                environment: Some(env),
                vars: None,
                alarms: &self.pipeline.alarms,
                probes: &self.options.probes,
            };
            let mut lines = Vec::new();
            let polled = job.poll(stage, &ctx, now, &mut |line| lines.push(line));
            shown(id, &lines, observer);
            self.logs.entry(id.clone()).or_default().extend(lines);
            if let StepPoll::Done { step, result, text } = polled {
                done.push((id.clone(), step, result, text));
            }
        }
        for (id, step, result, text) in done {
            self.steps.remove(&id);
            self.note(&id, text, observer);
            self.step_results.insert((id, step), result);
        }
    }

    fn after_apply(
        &mut self,
        decisions: &[Decision],
        started: Vec<Deployment>,
        why: &BTreeMap<String, String>,
        now: Timestamp,
        observer: &mut dyn RunObserver,
    ) {
        for decision in decisions {
            observer.event(RunEvent::Decision(decision.clone()));
            match decision {
                Decision::AdvancePhase { deployment, to, .. } => {
                    let text = match to {
                        Phase::Deploying => "deploying".to_string(),
                        Phase::Verifying { step, .. } => {
                            format!("deployed; verifying (approval step {})", step + 1)
                        }
                        Phase::Baking { since } => format!("verified; baking since {since}"),
                    };
                    self.note(deployment, text, observer);
                }
                Decision::RunApprovalStep {
                    deployment,
                    environment,
                    step,
                    name,
                } => {
                    self.note(
                        deployment,
                        format!("running approval step `{name}`"),
                        observer,
                    );
                    self.start_step(deployment, environment, *step, now, observer);
                }
                Decision::ApproveEnvironment {
                    deployment,
                    environment,
                    release,
                    kind,
                } => {
                    let what = match kind {
                        DeploymentKind::Rollback => "rolled back to",
                        DeploymentKind::Normal => "approved",
                    };
                    self.note(
                        deployment,
                        format!("{environment}: {what} {release}"),
                        observer,
                    );
                }
                Decision::FailDeployment {
                    deployment,
                    environment,
                    release,
                    outcome,
                } => {
                    if let Some(job) = self.deploys.remove(deployment) {
                        job.running.cancel();
                    }
                    if let Some(job) = self.steps.remove(deployment) {
                        job.cancel();
                    }
                    let mut text = format!("{environment}: {release} {outcome}");
                    if *outcome == crate::model::Outcome::AlarmFired && !why.is_empty() {
                        let reasons: Vec<String> =
                            why.iter().map(|(n, w)| format!("{n}: {w}")).collect();
                        text.push_str(&format!(" ({})", reasons.join("; ")));
                    }
                    self.note(deployment, text, observer);
                }
                _ => {}
            }
        }
        for deployment in started {
            let text = match (&deployment.kind, &deployment.reason) {
                (DeploymentKind::Rollback, Some(reason)) => format!(
                    "rollback of {} to {}: {reason}",
                    deployment.environment, deployment.release
                ),
                (kind, _) => format!(
                    "{} of {} to {} started",
                    kind.as_str(),
                    deployment.release,
                    deployment.environment
                ),
            };
            self.note(&deployment.id, text, observer);
            observer.event(RunEvent::Started(deployment.clone()));
            self.spawn_deploy(&deployment, observer);
        }
    }

    /// Spawns the stage's deploy command for a recorded deployment and records its pid.
    fn spawn_deploy(&mut self, deployment: &Deployment, observer: &mut dyn RunObserver) {
        let Some((stage, env)) = self.pipeline.environment(&deployment.environment) else {
            return;
        };
        let Some(command) = &stage.settings.deploy else {
            // An external CI deploys this stage: the deployment waits for `deploy finish`.
            return;
        };
        let vars = match self.store.release(deployment.release) {
            Ok(Some(release)) => CaptainVars {
                release: deployment.release,
                commit: release.commit,
                environment: deployment.environment.clone(),
                stage: deployment.stage.clone(),
                deployment_id: Some(deployment.id.clone()),
                rollback: deployment.kind == DeploymentKind::Rollback,
                artifacts: release.artifacts,
            },
            Ok(None) | Err(_) => {
                self.note(
                    &deployment.id,
                    format!("release {} could not be read", deployment.release),
                    observer,
                );
                self.deploy_results
                    .insert(deployment.id.clone(), DeployResult::Failed);
                return;
            }
        };
        let mut spec = exec::deploy_spec(command, env, &vars, self.options.cwd.clone());
        spec.env.insert(
            exec::SPAWN_MARK_VAR.to_string(),
            spawn_mark(&self.me, &self.pipeline.name, &deployment.id),
        );
        match Running::spawn(&spec) {
            Ok(running) => {
                let process = ProcessRecord {
                    pid: running.pid(),
                    start_time: running.start_time(),
                };
                if let Err(e) = self.store.record_process(&deployment.id, &self.me, process) {
                    // Someone else owns it now: this copy must not run.
                    running.cancel();
                    self.note(
                        &deployment.id,
                        format!("stopped the deploy: {}", e.message),
                        observer,
                    );
                    return;
                }
                self.deploys
                    .insert(deployment.id.clone(), DeployJob { running });
            }
            Err(e) => {
                self.note(
                    &deployment.id,
                    format!("the deploy command could not start: {}", e.message),
                    observer,
                );
                self.deploy_results
                    .insert(deployment.id.clone(), DeployResult::Failed);
            }
        }
    }

    fn start_step(
        &mut self,
        deployment: &DeploymentId,
        environment: &str,
        step: usize,
        now: Timestamp,
        observer: &mut dyn RunObserver,
    ) {
        let Some((stage, env)) = self.pipeline.environment(environment) else {
            return;
        };
        let Some(approval) = stage.settings.approvals.get(step) else {
            return;
        };
        let vars = self
            .store
            .deployment(deployment)
            .ok()
            .flatten()
            .and_then(|d| {
                let release = self.store.release(d.release).ok().flatten()?;
                Some(CaptainVars {
                    release: d.release,
                    commit: release.commit,
                    environment: d.environment.clone(),
                    stage: d.stage.clone(),
                    deployment_id: Some(d.id.clone()),
                    rollback: false,
                    artifacts: release.artifacts,
                })
            });
        let ctx = StepContext {
            environment: Some(env),
            vars: vars.as_ref(),
            alarms: &self.pipeline.alarms,
            probes: &self.options.probes,
        };
        let job = StepJob::start(step, approval, &ctx, now);
        match job {
            Ok(job) => {
                if let Some(process) = job.process() {
                    let _ = self.store.record_process(deployment, &self.me, process);
                }
                self.steps.insert(deployment.clone(), job);
            }
            Err(why) => {
                self.note(
                    deployment,
                    format!("approval step `{}` could not start: {why}", approval.name),
                    observer,
                );
                self.step_results
                    .insert((deployment.clone(), step), StepResult::Failed);
            }
        }
        if matches!(approval.kind, ApprovalKind::External(_)) {
            self.note(
                deployment,
                format!(
                    "approval step `{}` waits for `captain approve {deployment} --step {}`",
                    approval.name, approval.name
                ),
                observer,
            );
        }
    }

    /// A `captain:` line in the deployment's log, and an event.
    fn note(&mut self, deployment: &DeploymentId, text: String, observer: &mut dyn RunObserver) {
        self.logs
            .entry(deployment.clone())
            .or_default()
            .push(LogLine {
                at: Timestamp::now(),
                stream: "captain".to_string(),
                text: format!("captain: {text}"),
            });
        observer.event(RunEvent::Note {
            deployment: Some(deployment.clone()),
            text,
        });
    }

    fn flush_logs(&mut self, observer: &mut dyn RunObserver) {
        for (id, lines) in std::mem::take(&mut self.logs) {
            if lines.is_empty() {
                continue;
            }
            // Output is not state: a failure to store it must not stop the loop.
            if let Err(e) = self.store.append_log(&id, &lines) {
                observer.event(RunEvent::Note {
                    deployment: Some(id.clone()),
                    text: format!("could not store output: {}", e.message),
                });
            }
        }
    }
}

/// A command's output, to the observer as soon as it is read: before the note of the
/// command's exit read in the same poll (printed at the flush, the lines came after it
/// whenever the command wrote and exited between two polls).
fn shown(deployment: &DeploymentId, lines: &[LogLine], observer: &mut dyn RunObserver) {
    for line in lines {
        observer.event(RunEvent::Output {
            deployment: deployment.clone(),
            line: line.clone(),
        });
    }
}

impl Drop for Runner<'_> {
    fn drop(&mut self) {
        self.flush_logs(&mut Quiet);
    }
}

//! `captain status`: per wave, stage and environment — the current release, its state, a
//! deployment in progress (and whether the loop driving it still runs), the release
//! waiting to be promoted, and locks.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::config::{Pipeline, Target};
use crate::error::Result;
use crate::model::*;
use crate::store::{ReleaseFilter, Store};
pub use crate::views::promotions::LockView;

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusView {
    pub pipeline: String,
    pub generated_at: Timestamp,
    /// The newest release recorded.
    pub latest_release: Option<ReleaseNumber>,
    /// Releases currently deployed or deploying somewhere, oldest first.
    pub in_flight: Vec<ReleaseNumber>,
    /// Releases blocked everywhere (`captain release block`), oldest first: never
    /// promoted or deployed again, and never shown waiting.
    pub blocked: Vec<BlockView>,
    /// Releases someone asked to expedite (`captain release expedite`), oldest first:
    /// who asked, who approved, and whether the expedited rules hold for it yet.
    pub expedites: Vec<crate::ops::expedite::ExpediteView>,
    /// Emergency freezes in force (`captain freeze`), by target.
    pub freezes: Vec<crate::views::freeze::FreezeView>,
    pub stages: Vec<StageStatus>,
}

pub use super::BlockView;

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageStatus {
    pub name: String,
    pub wave: Option<String>,
    /// The newest release approved by the previous stage (or, for the first stage, the
    /// newest release) that this stage has not taken yet.
    pub waiting: Option<ReleaseNumber>,
    pub locks: Vec<LockView>,
    /// The freeze holding the stage now (pipeline.toml's or a person's; the one holding
    /// longest): nothing is promoted into it or started in it. Null when none holds.
    pub frozen: Option<crate::engine::ActiveFreeze>,
    /// Releases recently superseded here (newest first): they waited and were replaced.
    pub superseded: Vec<SupersededView>,
    pub environments: Vec<EnvironmentStatus>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SupersededView {
    pub release: ReleaseNumber,
    pub by: Option<ReleaseNumber>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnvironmentStatus {
    pub name: String,
    /// The current release (SPEC §1).
    pub release: Option<ReleaseNumber>,
    /// The full sha of the current release's commit.
    pub commit: Option<String>,
    /// `never deployed`, `deploying`, `verifying`, `baking`, `approved`, `deploy failed`, `tests failed`,
    /// `alarm fired`, `rolled back`, `cancelled`, `superseded`.
    pub state: String,
    /// The release of a deployment in progress.
    pub deploying: Option<ReleaseNumber>,
    /// The deployment in progress.
    pub deployment: Option<DeploymentId>,
    /// When the state began.
    pub since: Option<Timestamp>,
    /// For a deployment in progress driven by `captain run`: the approval step being
    /// verified (its name).
    pub step: Option<String>,
    /// For a deployment at an external step people approve: who approved it so far and
    /// how many approvals are missing.
    pub approvals: Option<crate::engine::ApprovalProgress>,
    /// For a baking deployment: when its bake time ends.
    pub bake_until: Option<Timestamp>,
    /// For a baking deployment of a stage with `min_data_points`: the data points it
    /// needs, and those a pass last observed (null before the first look).
    pub data_points: Option<DataPointsView>,
    /// For a deployment in progress driven by `captain run`: that loop's process.
    pub runner: Option<RunnerView>,
    pub locks: Vec<LockView>,
}

/// The `captain run` process that drives a deployment in progress.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunnerView {
    pub host: String,
    pub pid: u32,
    /// Whether the process still runs; `null` when it is on another host, where it cannot
    /// be checked. `false`: the deployment is left as it was when the loop died, until a
    /// loop starts again and takes it over.
    pub alive: Option<bool>,
    /// When the process started (clock ticks since boot, as its host counts them): with
    /// the pid, it names the process for good (a pid may be reused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DataPointsView {
    pub have: Option<u64>,
    pub need: u64,
}

/// The status view: from a team server, its own (one request instead of a dozen, built
/// there by [`build`] with the definition it holds); else built here.
pub fn build_or_ask(pipeline: &Pipeline, store: &dyn Store, now: Timestamp) -> Result<StatusView> {
    let Some(server) = store.as_http() else {
        return build(pipeline, store, now);
    };
    let mut view = server.status_view(now)?;
    // The server checks the loops on its own host; those on this one are checked here
    // (who this process is, read only when a deployment names a loop, as `build` does).
    let mut me = None;
    let runners = view
        .stages
        .iter_mut()
        .flat_map(|s| s.environments.iter_mut())
        .filter_map(|e| e.runner.as_mut());
    for runner in runners {
        let me = me.get_or_insert_with(crate::runner::this_runner);
        if runner.host == me.host {
            let id = crate::store::RunnerId {
                host: runner.host.clone(),
                pid: runner.pid,
                start_time: runner.start_time,
            };
            runner.alive = Some(!crate::runner::runner_dead(&id, me));
        }
    }
    Ok(view)
}

/// Builds the status view with a handful of whole store operations.
pub fn build(pipeline: &Pipeline, store: &dyn Store, now: Timestamp) -> Result<StatusView> {
    let names = pipeline.environment_names();
    let states = store.environment_states(&names)?;
    let locks = store.locks()?;
    let latest_release = store
        .releases(&ReleaseFilter { limit: Some(1) })?
        .first()
        .map(|r| r.number);

    let mut states = states.into_iter();
    let mut stages = Vec::with_capacity(pipeline.stages.len());
    for stage in &pipeline.stages {
        let environments: Vec<EnvironmentStatus> = stage
            .environments
            .iter()
            .zip(states.by_ref())
            .map(|(env, state)| environment_status(&env.name, &state, &locks))
            .collect();
        stages.push(StageStatus {
            name: stage.name.clone(),
            wave: stage.wave.clone(),
            waiting: None,
            locks: locks_on(&locks, LockTargetKind::Stage, &stage.name),
            frozen: crate::engine::freeze_on(&locks, stage, now),
            superseded: Vec::new(),
            environments,
        });
    }
    fill_waiting(pipeline, store, &mut stages, latest_release)?;
    let expedites = match &pipeline.expedite {
        Some(_) => crate::ops::expedite::all(store, pipeline, now)?,
        None => Vec::new(),
    };
    fill_phases(pipeline, store, &mut stages, now, &expedites)?;
    fill_records(pipeline, store, &mut stages)?;
    fill_commits(store, &mut stages)?;
    let blocks = crate::ops::block::blocks(&locks);
    for stage in &mut stages {
        stage.waiting = stage.waiting.filter(|r| !blocks.contains_key(r));
    }

    Ok(StatusView {
        pipeline: pipeline.name.clone(),
        generated_at: now,
        latest_release,
        in_flight: in_flight(&stages),
        blocked: BlockView::all(&locks),
        expedites,
        freezes: crate::ops::freeze::freezes(&locks, now)
            .iter()
            .map(crate::views::freeze::FreezeView::from)
            .collect(),
        stages,
    })
}

fn environment_status(name: &str, state: &EnvironmentState, locks: &[Lock]) -> EnvironmentStatus {
    let release = state.current.as_ref().map(|d| d.release);
    let (label, since) = match (&state.in_progress, &state.last_finished) {
        (Some(deploying), _) => ("deploying".to_string(), Some(deploying.started_at)),
        (None, Some(last))
            if last.kind == DeploymentKind::Rollback && last.outcome == Outcome::Approved =>
        {
            ("rolled back".to_string(), last.finished_at)
        }
        (None, Some(last)) => (last.outcome.as_str().to_string(), last.finished_at),
        (None, None) => ("never deployed".to_string(), None),
    };
    EnvironmentStatus {
        name: name.to_string(),
        release,
        commit: None,
        state: label,
        deploying: state.in_progress.as_ref().map(|d| d.release),
        deployment: state.in_progress.as_ref().map(|d| d.id.clone()),
        since,
        step: None,
        approvals: None,
        bake_until: None,
        data_points: None,
        runner: None,
        locks: locks_on(locks, LockTargetKind::Environment, name),
    }
}

/// The commit of each environment's current release: the distinct releases in one read.
fn fill_commits(store: &dyn Store, stages: &mut [StageStatus]) -> Result<()> {
    let current: BTreeSet<ReleaseNumber> = stages
        .iter()
        .flat_map(|s| s.environments.iter())
        .filter_map(|e| e.release)
        .collect();
    if current.is_empty() {
        return Ok(());
    }
    let numbers: Vec<ReleaseNumber> = current.into_iter().collect();
    let commits: std::collections::BTreeMap<ReleaseNumber, String> = store
        .releases_numbered(&numbers)?
        .into_iter()
        .map(|r| (r.number, r.commit))
        .collect();
    for env in stages.iter_mut().flat_map(|s| s.environments.iter_mut()) {
        env.commit = env.release.and_then(|r| commits.get(&r).cloned());
    }
    Ok(())
}

/// The phase `captain run` recorded for each deployment in progress: deploying,
/// verifying (which step) or baking (until when).
fn fill_phases(
    pipeline: &Pipeline,
    store: &dyn Store,
    stages: &mut [StageStatus],
    now: Timestamp,
    expedites: &[crate::ops::expedite::ExpediteView],
) -> Result<()> {
    let ids: Vec<DeploymentId> = stages
        .iter()
        .flat_map(|s| s.environments.iter())
        .filter_map(|e| e.deployment.clone())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let phases: std::collections::BTreeMap<DeploymentId, crate::store::ActiveRecord> = store
        .deployment_phases(&ids)?
        .into_iter()
        .flatten()
        .map(|p| (p.deployment.clone(), p))
        .collect();
    let me = phases
        .values()
        .any(|p| p.runner.is_some())
        .then(crate::runner::this_runner);
    let approvals = approvals_of(pipeline, store, &phases, now)?;
    for (stage, config) in stages.iter_mut().zip(&pipeline.stages) {
        for env in &mut stage.environments {
            let Some(record) = env.deployment.as_ref().and_then(|id| phases.get(id)) else {
                continue;
            };
            if let (Some(runner), Some(me)) = (&record.runner, &me) {
                env.runner = Some(RunnerView {
                    host: runner.host.clone(),
                    pid: runner.pid,
                    alive: (runner.host == me.host)
                        .then(|| !crate::runner::runner_dead(runner, me)),
                    start_time: runner.start_time,
                });
            }
            match record.phase {
                crate::engine::Phase::Deploying => {}
                crate::engine::Phase::Verifying { step, .. } => {
                    env.state = "verifying".to_string();
                    env.step = config.settings.approvals.get(step).map(|s| s.name.clone());
                    if let Some(crate::config::ApprovalKind::External(rule)) =
                        config.settings.approvals.get(step).map(|s| &s.kind)
                    {
                        let empty = BTreeSet::new();
                        let people = approvals
                            .get(&(record.deployment.clone(), step))
                            .unwrap_or(&empty);
                        env.approvals = Some(crate::engine::ApprovalProgress::new(
                            &env.name,
                            &record.deployment,
                            env.step.as_deref().unwrap_or_default(),
                            rule,
                            people,
                        ));
                    }
                    env.since = record.phase_since.or(env.since);
                }
                crate::engine::Phase::Baking { since } => {
                    env.state = "baking".to_string();
                    env.since = Some(since);
                    let expedited = expedites
                        .iter()
                        .any(|e| e.expedited && Some(e.release) == env.deploying);
                    env.bake_until = since
                        .checked_add(pipeline.bake_time(config, expedited))
                        .ok();
                    env.data_points =
                        config
                            .settings
                            .min_data_points
                            .as_ref()
                            .map(|wanted| DataPointsView {
                                have: record.data_points,
                                need: wanted.count,
                            });
                }
            }
        }
    }
    Ok(())
}

/// Who approved the external steps deployments in progress wait at, read only when one
/// does.
fn approvals_of(
    pipeline: &Pipeline,
    store: &dyn Store,
    phases: &std::collections::BTreeMap<DeploymentId, crate::store::ActiveRecord>,
    now: Timestamp,
) -> Result<std::collections::BTreeMap<(DeploymentId, usize), BTreeSet<String>>> {
    let mut out = std::collections::BTreeMap::new();
    let waiting = phases.values().any(|record| match record.phase {
        crate::engine::Phase::Verifying { step, .. } => pipeline
            .stage(&record.stage)
            .and_then(|s| s.settings.approvals.get(step))
            .is_some_and(|s| matches!(s.kind, crate::config::ApprovalKind::External(_))),
        _ => false,
    });
    if !waiting {
        return Ok(out);
    }
    let snapshot = store.engine_snapshot(&crate::store::StageScope::of(pipeline), now)?;
    for verdict in snapshot.step_results.iter().filter(|v| v.passed) {
        out.entry((verdict.deployment.clone(), verdict.step))
            .or_insert_with(BTreeSet::new)
            .insert(verdict.actor.clone());
    }
    Ok(out)
}

/// What the loop recorded about each stage: superseded releases, and releases it decided
/// (which are no longer waiting).
fn fill_records(pipeline: &Pipeline, store: &dyn Store, stages: &mut [StageStatus]) -> Result<()> {
    let records = store.stage_records(&pipeline.stage_names(), 8)?;
    for stage in stages.iter_mut() {
        let mine = records.iter().filter(|r| r.stage == stage.name);
        for record in mine {
            if stage.waiting == Some(record.release) {
                stage.waiting = None;
            }
            if record.record == crate::store::StageRecordKind::Superseded {
                stage.superseded.push(SupersededView {
                    release: record.release,
                    by: record.by,
                    at: record.at,
                });
            }
        }
    }
    // A release the previous stage approved (as recorded by the loop) and this stage has
    // not taken waits here too.
    for index in 1..stages.len() {
        let previous = &stages[index - 1].name;
        let approved = records
            .iter()
            .filter(|r| &r.stage == previous && r.record == crate::store::StageRecordKind::Approved)
            .map(|r| r.release)
            .max();
        let taken = |release: ReleaseNumber, stage: &StageStatus| {
            records
                .iter()
                .any(|r| r.stage == stage.name && r.release >= release)
                || !newer_than_stage(stage, release)
        };
        if let Some(release) = approved
            && !taken(release, &stages[index])
            && stages[index].waiting.is_none_or(|w| w < release)
        {
            stages[index].waiting = Some(release);
        }
    }
    Ok(())
}

/// Keeps only what `targets` cover (`captain status TARGET…`): the stages with an
/// environment covered, each with only the environments covered, in pipeline order; the
/// releases in flight are those of what is kept. No targets keeps everything.
pub fn select(view: &mut StatusView, targets: &[Target]) {
    if targets.is_empty() {
        return;
    }
    let covered: BTreeSet<&str> = targets
        .iter()
        .flat_map(|t| t.environments.iter().map(String::as_str))
        .collect();
    for stage in &mut view.stages {
        stage
            .environments
            .retain(|e| covered.contains(e.name.as_str()));
    }
    view.stages.retain(|s| !s.environments.is_empty());
    view.in_flight = in_flight(&view.stages);
}

/// Releases currently deployed or deploying in these stages, oldest first.
fn in_flight(stages: &[StageStatus]) -> Vec<ReleaseNumber> {
    let mut releases: Vec<ReleaseNumber> = stages
        .iter()
        .flat_map(|s| s.environments.iter())
        .flat_map(|e| e.release.into_iter().chain(e.deploying))
        .collect();
    releases.sort();
    releases.dedup();
    releases
}

fn locks_on(locks: &[Lock], kind: LockTargetKind, target: &str) -> Vec<LockView> {
    locks
        .iter()
        .filter(|l| l.target_kind == kind && l.target == target)
        .map(LockView::from)
        .collect()
}

/// The newest release a stage could take next: for the first stage the newest release;
/// for the others the release every environment of the previous stage has approved.
fn fill_waiting(
    pipeline: &Pipeline,
    store: &dyn Store,
    stages: &mut [StageStatus],
    latest: Option<ReleaseNumber>,
) -> Result<()> {
    let mut checks = Vec::new();
    for index in 0..stages.len() {
        let candidate = match index {
            0 => latest,
            _ => approved_everywhere(&stages[index - 1]),
        };
        if let Some(candidate) = candidate.filter(|c| newer_than_stage(&stages[index], *c)) {
            checks.push((index, candidate, previous_environments(pipeline, index)));
        }
    }
    let queries: Vec<(ReleaseNumber, Vec<String>)> = checks
        .iter()
        .map(|(_, r, envs)| (*r, envs.clone()))
        .collect();
    let answers = store.stages_approved(&queries)?;
    for ((index, candidate, _), approved) in checks.into_iter().zip(answers) {
        if approved {
            stages[index].waiting = Some(candidate);
        }
    }
    Ok(())
}

/// The lowest release that every environment of the stage currently has and approved.
fn approved_everywhere(stage: &StageStatus) -> Option<ReleaseNumber> {
    stage
        .environments
        .iter()
        .map(|e| e.release)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .min()
}

fn newer_than_stage(stage: &StageStatus, candidate: ReleaseNumber) -> bool {
    stage.environments.iter().all(|e| {
        e.release.is_none_or(|r| r < candidate) && e.deploying.is_none_or(|r| r < candidate)
    })
}

fn previous_environments(pipeline: &Pipeline, index: usize) -> Vec<String> {
    match index.checked_sub(1) {
        Some(previous) => pipeline.stages[previous]
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failing test should panic with the error it got

    use std::path::Path;

    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[test]
    fn targets_keep_what_they_cover_in_pipeline_order() {
        let pipeline = crate::config::validate_text(
            r#"
name = "app"
[[stages]]
name = "beta"
environments = ["beta"]
[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1a", "prod-1b"] }]
[[waves]]
name = "wave-2"
stages = [{ name = "prod-2", environments = ["prod-2a", "prod-2b"] }]
"#,
            Path::new("pipeline.toml"),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("state.sqlite"), "app").unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let view = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let mut view = build(&pipeline, &store, now).unwrap();
            select(&mut view, &pipeline.targets(&names).unwrap());
            view.stages
                .iter()
                .map(|s| {
                    let envs: Vec<&str> = s.environments.iter().map(|e| e.name.as_str()).collect();
                    format!("{}: {}", s.name, envs.join(" "))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            view(&[]),
            [
                "beta: beta",
                "prod-1: prod-1a prod-1b",
                "prod-2: prod-2a prod-2b"
            ]
        );
        assert_eq!(
            view(&["prod-2b", "wave-1", "prod-1a"]),
            ["prod-1: prod-1a prod-1b", "prod-2: prod-2b"]
        );
        assert_eq!(view(&["beta"]), ["beta: beta"]);
    }
}

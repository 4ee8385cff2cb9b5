//! Rollbacks: which older release to go back to, what going back changes, and starting it.
//!
//! Three steps, so a person (or a runbook) sees everything before anything happens:
//! [`gather`] reads what the ledger knows of the environments once; [`candidates`] lists
//! the releases one could go back to (the pick list of a latent change) and [`preview`]
//! computes, as plain serializable data, the commits that will be removed, the files,
//! dependency versions and artifacts that will change, and the warnings; [`start`] hands
//! the preview's view of each environment to the store, which starts every rollback in
//! one transaction and refuses (a conflict) if anything changed since the preview.
//!
//! Commits come from the ledger (each release's recorded commits, along the releases'
//! bases), so a preview works without a checkout; only the file summary needs the
//! repository, and says so when there is none. The change sets are built by
//! [`crate::ops::preview`], which `captain diff`, `next --preview` and `release show`
//! share. Nothing here draws, prompts or reads the clock: the CLI offers the pick list and
//! the confirmation, and passes the time in.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::{Pipeline, Target, TargetKind, environments_of};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::model::*;
use crate::ops::deploy::find_environment;
pub use crate::ops::preview::{ArtifactChange, ChangeSet, CommitLine, FilesPreview};
use crate::ops::preview::{Releases, change_sets};
use crate::store::{HistoryFilter, NewRollback, RollbackTarget, Store, ago, describe_deployment};

/// How far back in an environment's history the pick list and the default target look.
pub const HISTORY_DEPTH: usize = 1000;

/// At most this many releases in the pick list.
pub const MAX_CANDIDATES: usize = 30;

/// A target older than this is worth a warning: it removes that much work.
const OLD_TARGET_SECONDS: i64 = 7 * 86_400;

/// What the ledger knows of the environments to roll back, read once.
#[derive(Clone, Debug)]
pub struct Situation {
    /// The targets as given (environments, stages, waves), each with what it covers.
    pub targets: Vec<Target>,
    /// The environments the targets cover that have a release, target by target.
    pub environments: Vec<EnvironmentFacts>,
    /// Environments covered through a stage or a wave that nothing has reached yet: there
    /// is nothing to roll back there, so they are left as they are.
    pub not_deployed: Vec<String>,
}

/// One environment: its current release, a deployment in progress, its recent history.
#[derive(Clone, Debug)]
pub struct EnvironmentFacts {
    pub environment: String,
    pub stage: String,
    /// The deployment that set the current release.
    pub current: Option<Deployment>,
    pub in_progress: Option<Deployment>,
    /// Newest first, at most [`HISTORY_DEPTH`] deployments.
    pub history: Vec<Deployment>,
    /// Releases blocked everywhere (`captain release block`): never a rollback target.
    pub blocked: BTreeMap<ReleaseNumber, Lock>,
}

impl EnvironmentFacts {
    pub fn current_release(&self) -> Option<ReleaseNumber> {
        self.current.as_ref().map(|d| d.release)
    }

    /// A normal deployment of a newer release in progress: going back to the current
    /// release itself then makes sense (it undoes the half-done deployment).
    fn newer_in_progress(&self) -> bool {
        match (&self.in_progress, self.current_release()) {
            (Some(running), Some(current)) => {
                running.kind == DeploymentKind::Normal && running.release > current
            }
            _ => false,
        }
    }

    /// Can `release` be this environment's rollback target?
    fn accepts(&self, release: ReleaseNumber) -> bool {
        match self.current_release() {
            Some(current) => release < current || (release == current && self.newer_in_progress()),
            None => false,
        }
    }

    /// The release of the latest approved deployment before the current release: the
    /// last known-good state. Releases that failed approval there are passed over.
    pub fn default_target(&self) -> Option<ReleaseNumber> {
        let current = self.current_release()?;
        self.history
            .iter()
            .find(|d| {
                d.release < current
                    && d.outcome == Outcome::Approved
                    && !self.blocked.contains_key(&d.release)
            })
            .map(|d| d.release)
    }

    fn approved_here(&self, release: ReleaseNumber) -> bool {
        self.history
            .iter()
            .any(|d| d.release == release && d.outcome == Outcome::Approved)
    }

    /// A rollback in progress, if any.
    fn rollback_in_progress(&self) -> Option<&Deployment> {
        self.in_progress
            .as_ref()
            .filter(|d| d.kind == DeploymentKind::Rollback)
    }
}

/// Reads the state and recent history of the environments `names` cover: each an
/// environment, a stage (its environments) or a wave (its stages' environments), each
/// environment once. Unknown names are `not found` with a did-you-mean, and so are
/// targets that nothing has reached. An environment reached through a stage or a wave
/// that has no release is left out (see [`Situation::not_deployed`]); one named directly
/// stays, and [`preview`] says it has nothing to roll back.
pub fn gather(store: &dyn Store, pipeline: &Pipeline, names: &[String]) -> Result<Situation> {
    if names.is_empty() {
        return Err(
            Error::usage("name at least one environment, stage or wave to roll back")
                .with_hint("e.g. `captain rollback prod-2`; `captain status` lists them"),
        );
    }
    let targets = pipeline.targets(names)?;
    let environments = environments_of(&targets);
    let named: BTreeSet<&str> = targets
        .iter()
        .filter(|t| t.kind == TargetKind::Environment)
        .map(|t| t.name.as_str())
        .collect();
    let states = store.environment_states(&environments)?;
    let blocked = crate::ops::block::blocks(&store.locks()?);
    let mut facts = Vec::with_capacity(environments.len());
    let mut not_deployed = Vec::new();
    for (name, state) in environments.into_iter().zip(states) {
        if state.current.is_none() && !named.contains(name.as_str()) {
            not_deployed.push(name);
            continue;
        }
        let stage = find_environment(pipeline, &name)?.0.name.clone();
        let history = store
            .history(
                &name,
                &HistoryFilter {
                    limit: Some(HISTORY_DEPTH),
                    since: None,
                },
            )?
            .into_iter()
            .map(|entry| entry.deployment)
            .collect();
        facts.push(EnvironmentFacts {
            environment: name,
            stage,
            current: state.current,
            in_progress: state.in_progress,
            history,
            blocked: blocked.clone(),
        });
    }
    if facts.is_empty() {
        let names: Vec<String> = targets
            .iter()
            .map(|t| format!("{} {}", t.kind.as_str(), t.name))
            .collect();
        return Err(Error::not_found(format!(
            "nothing has reached {} yet, so there is nothing to roll back",
            names.join(", ")
        ))
        .with_hint("`captain status` shows what runs where"));
    }
    Ok(Situation {
        targets,
        environments: facts,
        not_deployed,
    })
}

impl Situation {
    /// Each environment's default target (`None`: nothing to go back to).
    pub fn default_targets(&self) -> Vec<(String, Option<ReleaseNumber>)> {
        self.environments
            .iter()
            .map(|e| (e.environment.clone(), e.default_target()))
            .collect()
    }

    /// The one default target of every environment, if they agree.
    pub fn common_default(&self) -> Option<ReleaseNumber> {
        let mut targets = self.environments.iter().map(|e| e.default_target());
        let first = targets.next()??;
        targets.all(|t| t == Some(first)).then_some(first)
    }

    /// Do the environments' default targets differ (so a person must choose)?
    pub fn targets_differ(&self) -> bool {
        let targets: BTreeSet<_> = self
            .environments
            .iter()
            .filter_map(|e| e.default_target())
            .collect();
        targets.len() > 1
    }
}

/// One release of the pick list.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub release: ReleaseNumber,
    pub created_at: Timestamp,
    /// How many commits the release introduced.
    pub commits: u64,
    /// Is it the default target of every environment?
    pub default: bool,
    /// How it went in each environment it was deployed to.
    pub environments: Vec<CandidateEnvironment>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CandidateEnvironment {
    pub environment: String,
    /// When it last reached the environment (or was last attempted there).
    pub deployed_at: Timestamp,
    /// `approved` if any deployment of it was approved there, else the latest outcome.
    pub outcome: Outcome,
    pub approved: bool,
}

/// The earlier releases of these environments, newest first: each with when it was
/// deployed there, its number of commits and its approval outcome. At most
/// [`MAX_CANDIDATES`].
pub fn candidates(store: &dyn Store, situation: &Situation) -> Result<Vec<Candidate>> {
    let mut releases: BTreeSet<ReleaseNumber> = BTreeSet::new();
    for facts in &situation.environments {
        for d in &facts.history {
            if d.outcome != Outcome::InProgress && facts.accepts(d.release) {
                releases.insert(d.release);
            }
        }
    }
    let default = situation.common_default();
    let mut list = Vec::new();
    for number in releases.into_iter().rev().take(MAX_CANDIDATES) {
        let Some(release) = store.release(number)? else {
            continue;
        };
        let environments = situation
            .environments
            .iter()
            .filter_map(|facts| {
                // Newest first, so the first deployment found is the latest.
                let latest = facts
                    .history
                    .iter()
                    .find(|d| d.release == number && d.outcome != Outcome::InProgress)?;
                let approved = facts.approved_here(number);
                Some(CandidateEnvironment {
                    environment: facts.environment.clone(),
                    deployed_at: latest.finished_at.unwrap_or(latest.started_at),
                    outcome: if approved {
                        Outcome::Approved
                    } else {
                        latest.outcome
                    },
                    approved,
                })
            })
            .collect();
        list.push(Candidate {
            release: number,
            created_at: release.created_at,
            commits: release.commit_count,
            default: default == Some(number),
            environments,
        });
    }
    Ok(list)
}

/// What the preview is asked for.
#[derive(Clone, Debug)]
pub struct PreviewRequest {
    /// `--to`; otherwise each environment's default target (which must agree).
    pub to: Option<ReleaseNumber>,
    /// Allow a target that was never approved in an environment.
    pub force: bool,
    pub now: Timestamp,
}

/// Everything a rollback will do, before it does it. The JSON shape is stable (new fields
/// may be added, none renamed).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RollbackPreview {
    /// The release every environment goes back to.
    pub target: ReleaseNumber,
    pub target_commit: String,
    pub target_created_at: Timestamp,
    /// The target's recorded artifacts: exactly what is redeployed.
    pub artifacts: BTreeMap<String, String>,
    /// The targets as given, each with the environments it covers.
    pub targets: Vec<Target>,
    /// The environments that will be rolled back.
    pub environments: Vec<EnvironmentPlan>,
    /// Environments covered that already run the target.
    pub unchanged: Vec<String>,
    /// Environments covered through a stage or a wave that nothing has reached yet.
    pub not_deployed: Vec<String>,
    /// What changes, once per distinct current release.
    pub changes: Vec<ChangeSet>,
    pub warnings: Vec<Warning>,
}

/// One environment of a rollback.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct EnvironmentPlan {
    pub environment: String,
    pub stage: String,
    /// The current release, which the rollback replaces.
    pub current: ReleaseNumber,
    /// The deployment that made it current.
    pub current_deployment: DeploymentId,
    pub target: ReleaseNumber,
    /// Was the target approved there before?
    pub target_approved: bool,
    /// A normal deployment in progress, which the rollback cancels.
    pub cancels: Option<DeploymentId>,
    /// Releases deployed there between the target and the current one, newest first.
    pub skipped: Vec<ReleaseNumber>,
}

/// Something a person should weigh before confirming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// The target is older than a week.
    OldTarget,
    /// Releases deployed between the target and the current one are skipped.
    SkipsReleases,
    /// A skipped release was never approved in the environment.
    SkippedNeverApproved,
    /// The environments run different releases now.
    DifferentCurrentReleases,
    /// A deployment in progress will be cancelled.
    CancelsDeployment,
    /// The target was never approved in an environment (allowed by `--force`).
    TargetNeverApproved,
    /// An environment already runs the target.
    AlreadyThere,
}

fn warning(kind: WarningKind, message: String) -> Warning {
    Warning { kind, message }
}

/// Computes the preview: the target, per environment what happens there, what changes,
/// and the warnings. Errors: an environment with nothing deployed or nothing to go back to
/// (not found); default targets that differ, or a target not older than the current
/// release (usage); a target never approved there without `force` (blocked); another
/// rollback in progress there (conflict).
pub fn preview(
    store: &dyn Store,
    repo: Option<&Repo>,
    situation: &Situation,
    request: &PreviewRequest,
) -> Result<RollbackPreview> {
    for facts in &situation.environments {
        if facts.current.is_none() {
            return Err(Error::not_found(format!(
                "{} has no release to roll back: nothing has reached it yet",
                facts.environment
            ))
            .with_hint(format!(
                "`captain history {}` shows its deployments",
                facts.environment
            )));
        }
    }
    let target = match request.to {
        Some(to) => to,
        None => default_target(situation)?,
    };
    let mut releases = Releases::new(store);
    let target_release = releases.get(target)?.clone();

    let mut warnings = Vec::new();
    let mut plans = Vec::new();
    let mut unchanged = Vec::new();
    for facts in &situation.environments {
        let (Some(current), Some(current_release)) = (&facts.current, facts.current_release())
        else {
            continue;
        };
        let env = &facts.environment;
        if let Some(running) = facts.rollback_in_progress() {
            // Even to the same release: two people rolling back one environment at once
            // should hear of each other (exit 4), not both believe they did it.
            return Err(Error::conflict(format!(
                "{env} is already being rolled back: {} ({}, {}) started first",
                running.id,
                describe_deployment(running),
                ago(running.started_at, request.now)
            ))
            .with_hint(format!(
                "wait for it, or finish it with `captain deploy finish {} --outcome …` before rolling back again",
                running.id
            )));
        }
        if target == current_release && !facts.newer_in_progress() {
            warnings.push(warning(
                WarningKind::AlreadyThere,
                format!("{env} already runs {target}; it is left as it is"),
            ));
            unchanged.push(env.clone());
            continue;
        }
        if let Some(block) = facts.blocked.get(&target) {
            return Err(Error::blocked(format!(
                "no rollback goes to {}",
                crate::ops::gate::describe_block(target, block, request.now)
            ))
            .with_hint("choose another release with `--to vN`, or lift the block first (`captain release unblock`)"));
        }
        if !facts.accepts(target) {
            return Err(Error::usage(format!(
                "{target} is not older than {current_release}, the current release of {env}"
            ))
            .with_hint(
                "a rollback goes back to an older release; `captain rollback --pick` lists them",
            ));
        }
        let target_approved = facts.approved_here(target)
            || store.stage_approved(target, std::slice::from_ref(env))?;
        if !target_approved {
            if !request.force {
                return Err(Error::blocked(format!(
                    "{target} was never approved in {env}, so it is not a known-good state there"
                ))
                .with_hint(format!(
                    "roll back to it anyway with `--force`, or pick an approved release (`captain history {env}`)"
                )));
            }
            warnings.push(warning(
                WarningKind::TargetNeverApproved,
                format!("{target} was never approved in {env} (--force)"),
            ));
        }
        let skipped = skipped_releases(facts, target, current_release);
        if !skipped.is_empty() {
            warnings.push(warning(
                WarningKind::SkipsReleases,
                format!(
                    "rolling {env} back from {current_release} to {target} skips {} {} deployed there: {}",
                    skipped.len(),
                    if skipped.len() == 1 { "release" } else { "releases" },
                    list(&skipped)
                ),
            ));
            let never: Vec<ReleaseNumber> = skipped
                .iter()
                .copied()
                .filter(|r| !facts.approved_here(*r))
                .collect();
            if !never.is_empty() {
                warnings.push(warning(
                    WarningKind::SkippedNeverApproved,
                    format!(
                        "{} {} never approved in {env}",
                        list(&never),
                        if never.len() == 1 { "was" } else { "were" }
                    ),
                ));
            }
        }
        let cancels = facts
            .in_progress
            .as_ref()
            .filter(|d| d.kind == DeploymentKind::Normal);
        if let Some(running) = cancels {
            warnings.push(warning(
                WarningKind::CancelsDeployment,
                format!(
                    "{} of {} to {env}, in progress, will be cancelled",
                    running.id, running.release
                ),
            ));
        }
        plans.push(EnvironmentPlan {
            environment: env.clone(),
            stage: facts.stage.clone(),
            current: current_release,
            current_deployment: current.id.clone(),
            target,
            target_approved,
            cancels: cancels.map(|d| d.id.clone()),
            skipped,
        });
    }

    let currents: BTreeSet<ReleaseNumber> = plans.iter().map(|p| p.current).collect();
    if currents.len() > 1 {
        let each: Vec<String> = plans
            .iter()
            .map(|p| format!("{} {}", p.environment, p.current))
            .collect();
        warnings.push(warning(
            WarningKind::DifferentCurrentReleases,
            format!(
                "the environments run different releases now: {}",
                each.join(", ")
            ),
        ));
    }
    if !plans.is_empty() {
        let age = request.now.as_second() - target_release.created_at.as_second();
        if age > OLD_TARGET_SECONDS {
            warnings.push(warning(
                WarningKind::OldTarget,
                format!(
                    "{target} is {} days old: everything released since goes too",
                    age / 86_400
                ),
            ));
        }
    }

    let running: Vec<(String, ReleaseNumber)> = plans
        .iter()
        .map(|p| (p.environment.clone(), p.current))
        .collect();
    let changes = change_sets(store, repo, &mut releases, &running, target)?;

    Ok(RollbackPreview {
        target,
        target_commit: target_release.commit.clone(),
        target_created_at: target_release.created_at,
        artifacts: target_release.artifacts.clone(),
        targets: situation.targets.clone(),
        environments: plans,
        unchanged,
        not_deployed: situation.not_deployed.clone(),
        changes,
        warnings,
    })
}

/// The environments' common default target, or why there is none.
fn default_target(situation: &Situation) -> Result<ReleaseNumber> {
    for facts in &situation.environments {
        if facts.default_target().is_none() {
            let current = facts
                .current_release()
                .map_or_else(String::new, |c| format!(" before {c}"));
            return Err(Error::not_found(format!(
                "{} has no approved release{current} to roll back to",
                facts.environment
            ))
            .with_hint(format!(
                "choose one with `--to vN --force` (see `captain history {}`)",
                facts.environment
            )));
        }
    }
    if situation.targets_differ() {
        let each: Vec<String> = situation
            .default_targets()
            .into_iter()
            .filter_map(|(env, target)| Some(format!("{env} to {}", target?)))
            .collect();
        return Err(Error::usage(format!(
            "the environments would roll back to different releases: {}",
            each.join(", ")
        ))
        .with_hint(
            "choose one release for all with `--to vN` (or `--pick` in a terminal), or roll them back one at a time",
        ));
    }
    situation
        .common_default()
        .ok_or_else(|| Error::internal("the environments have no common default target"))
}

/// Releases that reached the environment after the target and before the current one.
fn skipped_releases(
    facts: &EnvironmentFacts,
    target: ReleaseNumber,
    current: ReleaseNumber,
) -> Vec<ReleaseNumber> {
    let set: BTreeSet<ReleaseNumber> = facts
        .history
        .iter()
        .filter(|d| d.outcome.reached() && d.release > target && d.release < current)
        .map(|d| d.release)
        .collect();
    set.into_iter().rev().collect()
}

fn list(releases: &[ReleaseNumber]) -> String {
    releases
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Starts the rollbacks the preview describes, in one store transaction: every
/// environment or none. A change since the preview is a conflict naming who changed what.
pub fn start(
    store: &dyn Store,
    preview: &RollbackPreview,
    actor: String,
    reason: Option<String>,
    now: Timestamp,
) -> Result<Vec<Deployment>> {
    if preview.environments.is_empty() {
        return Ok(Vec::new());
    }
    store.start_rollback(NewRollback {
        environments: preview
            .environments
            .iter()
            .map(|plan| RollbackTarget {
                environment: plan.environment.clone(),
                stage: plan.stage.clone(),
                release: plan.target,
                expected_current: Some(plan.current_deployment.clone()),
                expected_in_progress: plan.cancels.clone(),
            })
            .collect(),
        actor,
        reason: reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
        at: now,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failing test should panic with the error it got

    use std::path::Path;

    use super::*;
    use crate::ErrorKind;
    use crate::store::sqlite::SqliteStore;

    const PIPELINE: &str = r#"
name = "app"
trunk = "main"
timezone = "UTC"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "prod"
environments = ["prod-1", "prod-2"]
"#;

    fn t(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn sha(name: &str) -> String {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(name.as_bytes()))[..40].to_string()
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        store: SqliteStore,
        pipeline: Pipeline,
        clock: i64,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("state.sqlite"), "app").unwrap();
            let pipeline =
                crate::config::validate_text(PIPELINE, Path::new("pipeline.toml")).unwrap();
            Fixture {
                _dir: dir,
                store,
                pipeline,
                clock: 0,
            }
        }

        /// A release of commit `name` on `base`, introducing `commits` (newest first).
        fn release(&mut self, name: &str, base: Option<u64>, commits: &[&str], dep: &str) {
            self.clock += 3600;
            let infos = commits
                .iter()
                .map(|c| CommitInfo {
                    sha: sha(c),
                    author: "Ana".into(),
                    time: t(self.clock),
                    subject: format!("change {c}"),
                    parents: if c.starts_with("merge") { 2 } else { 1 },
                })
                .collect();
            self.store
                .create_release(NewRelease {
                    commit: sha(commits[0]),
                    base: base.map(ReleaseNumber),
                    artifacts: BTreeMap::from([("image".into(), format!("app@{name}"))]),
                    actor: "ci".into(),
                    created_at: t(self.clock),
                    commits: infos,
                    dependencies: DependencySnapshot::new(vec![Dependency {
                        lockfile: "Cargo.lock".into(),
                        ecosystem: "cargo".into(),
                        name: "serde".into(),
                        version: dep.into(),
                    }]),
                    hotfix_reason: None,
                })
                .unwrap();
        }

        fn deploy(&mut self, env: &str, release: u64, outcome: Outcome) -> Deployment {
            self.clock += 60;
            let started = self
                .store
                .start_deployment(NewDeployment {
                    environment: env.into(),
                    stage: "prod".into(),
                    release: ReleaseNumber(release),
                    kind: DeploymentKind::Normal,
                    actor: "ci".into(),
                    reason: Some("test".into()),
                    started_at: t(self.clock),
                    promotion_check: None,
                    force: true,
                })
                .unwrap();
            if outcome == Outcome::InProgress {
                return started;
            }
            self.store
                .finish_deployment(FinishDeployment {
                    id: started.id,
                    outcome,
                    actor: "ci".into(),
                    finished_at: t(self.clock + 30),
                    reason: None,
                })
                .unwrap()
        }

        fn situation(&self, envs: &[&str]) -> Situation {
            let names: Vec<String> = envs.iter().map(|e| e.to_string()).collect();
            gather(&self.store, &self.pipeline, &names).unwrap()
        }

        fn preview(&self, envs: &[&str], to: Option<u64>, force: bool) -> Result<RollbackPreview> {
            preview(
                &self.store,
                None,
                &self.situation(envs),
                &PreviewRequest {
                    to: to.map(ReleaseNumber),
                    force,
                    now: t(self.clock + 100),
                },
            )
        }
    }

    /// v1 (a1 a2), v2 (b1 merge-b), v3 (c1), v4 (d1 d2): a straight line.
    fn four(f: &mut Fixture) {
        f.release("v1", None, &["a2", "a1"], "1.0.0");
        f.release("v2", Some(1), &["merge-b", "b1"], "1.0.1");
        f.release("v3", Some(2), &["c1"], "1.0.2");
        f.release("v4", Some(3), &["d2", "d1"], "1.0.3");
    }

    fn kinds(preview: &RollbackPreview) -> Vec<WarningKind> {
        preview.warnings.iter().map(|w| w.kind).collect()
    }

    #[test]
    fn default_target_passes_over_releases_that_failed_approval() {
        let mut f = Fixture::new();
        four(&mut f);
        f.deploy("prod-1", 1, Outcome::Approved);
        f.deploy("prod-1", 2, Outcome::Approved);
        f.deploy("prod-1", 3, Outcome::TestsFailed);
        f.deploy("prod-1", 4, Outcome::Approved);

        let preview = f.preview(&["prod-1"], None, false).unwrap();
        assert_eq!(preview.target, ReleaseNumber(2));
        assert_eq!(preview.artifacts["image"], "app@v2");
        let plan = &preview.environments[0];
        assert_eq!(plan.current, ReleaseNumber(4));
        assert_eq!(plan.skipped, vec![ReleaseNumber(3)]);
        assert!(plan.target_approved);
        assert_eq!(
            kinds(&preview),
            vec![
                WarningKind::SkipsReleases,
                WarningKind::SkippedNeverApproved
            ]
        );
        assert!(preview.warnings[1].message.contains("v3"));

        let change = &preview.changes[0];
        let removed: Vec<(String, ReleaseNumber)> = change
            .commits_removed
            .iter()
            .map(|c| (c.subject.clone(), c.release))
            .collect();
        assert_eq!(
            removed,
            vec![
                ("change d2".to_string(), ReleaseNumber(4)),
                ("change d1".to_string(), ReleaseNumber(4)),
                ("change c1".to_string(), ReleaseNumber(3)),
            ]
        );
        assert!(change.commits_added.is_empty());
        assert_eq!(
            change.artifacts,
            vec![ArtifactChange {
                name: "image".into(),
                from: Some("app@v4".into()),
                to: Some("app@v2".into()),
            }]
        );
        assert_eq!(change.dependencies.len(), 1);
        assert_eq!(
            change.dependencies[0].change(),
            crate::git::lockfiles::Change::Changed {
                from: "1.0.3".into(),
                to: "1.0.1".into()
            }
        );
        // Without a checkout the preview says what it cannot show.
        assert!(!change.files.available);
        assert!(change.files.note.as_deref().unwrap().contains("repository"));
    }

    #[test]
    fn a_merge_is_listed_once_and_latent_changes_reach_far_back() {
        let mut f = Fixture::new();
        four(&mut f);
        for r in 1..=4 {
            f.deploy("prod-1", r, Outcome::Approved);
        }
        let preview = f.preview(&["prod-1"], Some(1), false).unwrap();
        let shas: Vec<&str> = preview.changes[0]
            .commits_removed
            .iter()
            .map(|c| c.subject.as_str())
            .collect();
        assert_eq!(
            shas,
            vec![
                "change d2",
                "change d1",
                "change c1",
                "change merge-b",
                "change b1"
            ]
        );
        let merges: Vec<bool> = preview.changes[0]
            .commits_removed
            .iter()
            .map(|c| c.merge)
            .collect();
        assert_eq!(merges, vec![false, false, false, true, false]);
        assert_eq!(
            preview.environments[0].skipped,
            vec![ReleaseNumber(3), ReleaseNumber(2)]
        );
    }

    #[test]
    fn environments_with_different_targets_must_choose() {
        let mut f = Fixture::new();
        four(&mut f);
        f.deploy("prod-1", 2, Outcome::Approved);
        f.deploy("prod-1", 4, Outcome::Approved);
        f.deploy("prod-2", 1, Outcome::Approved);
        f.deploy("prod-2", 3, Outcome::Approved);
        assert!(f.situation(&["prod-1", "prod-2"]).targets_differ());
        let error = f.preview(&["prod-1", "prod-2"], None, false).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Usage);
        assert!(error.message.contains("prod-1 to v2"), "{}", error.message);
        assert!(error.message.contains("prod-2 to v1"), "{}", error.message);
        assert!(error.hint.unwrap().contains("--to"));

        // v2 was never approved in prod-2: --to v2 needs --force there.
        let error = f
            .preview(&["prod-1", "prod-2"], Some(2), false)
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Blocked);
        assert!(error.message.contains("prod-2"));
        let forced = f.preview(&["prod-1", "prod-2"], Some(2), true).unwrap();
        assert!(kinds(&forced).contains(&WarningKind::TargetNeverApproved));
        assert!(kinds(&forced).contains(&WarningKind::DifferentCurrentReleases));
        // One change set per current release, newest first.
        let froms: Vec<ReleaseNumber> = forced.changes.iter().map(|c| c.from).collect();
        assert_eq!(froms, vec![ReleaseNumber(4), ReleaseNumber(3)]);
        assert_eq!(forced.changes[1].environments, vec!["prod-2".to_string()]);

        // The pick list has both environments' releases, each with how it went where.
        let list = candidates(&f.store, &f.situation(&["prod-1", "prod-2"])).unwrap();
        let numbers: Vec<u64> = list.iter().map(|c| c.release.0).collect();
        // v3 is prod-2's current release and was never in prod-1: not a candidate.
        assert_eq!(numbers, vec![2, 1]);
        assert_eq!(list[0].environments.len(), 1);
        assert_eq!(list[0].environments[0].environment, "prod-1");
        assert!(list[0].environments[0].approved);
        assert_eq!(list[0].commits, 2);
        assert_eq!(list[1].environments.len(), 1);
        assert_eq!(list[1].environments[0].environment, "prod-2");
        assert!(!list[0].default && !list[1].default);
    }

    #[test]
    fn a_target_must_be_older_and_a_second_rollback_is_refused_while_the_first_runs() {
        let mut f = Fixture::new();
        four(&mut f);
        f.deploy("prod-1", 1, Outcome::Approved);
        f.deploy("prod-1", 3, Outcome::Approved);
        assert_eq!(
            f.preview(&["prod-1"], Some(4), false).unwrap_err().kind,
            ErrorKind::Usage
        );
        assert_eq!(
            f.preview(&["prod-1"], Some(9), false).unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert_eq!(
            f.preview(&["beta"], None, false).unwrap_err().kind,
            ErrorKind::NotFound
        );
        let running = f.deploy("prod-1", 4, Outcome::InProgress);

        let preview = f.preview(&["prod-1"], None, false).unwrap();
        assert_eq!(preview.environments[0].cancels, Some(running.id.clone()));
        assert!(kinds(&preview).contains(&WarningKind::CancelsDeployment));
        let started = start(
            &f.store,
            &preview,
            "alice".into(),
            Some("errors".into()),
            t(f.clock + 100),
        )
        .unwrap();
        assert_eq!(started[0].kind, DeploymentKind::Rollback);
        assert_eq!(started[0].release, ReleaseNumber(1));
        // The same preview again: someone (we) changed prod-1 first.
        let error = start(&f.store, &preview, "bob".into(), None, t(f.clock + 102)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Conflict);
        assert!(
            error.message.contains("rollback to v1 by alice"),
            "{}",
            error.message
        );

        // While it runs, another rollback of prod-1 is refused, naming it.
        let error = f.preview(&["prod-1"], Some(1), false).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Conflict);
        assert!(
            error.message.contains(&started[0].id.0),
            "{}",
            error.message
        );
        // Once it is done, asking for the same release again changes nothing.
        f.store
            .finish_deployment(FinishDeployment {
                id: started[0].id.clone(),
                outcome: Outcome::Approved,
                actor: "ci".into(),
                finished_at: t(f.clock + 200),
                reason: None,
            })
            .unwrap();
        let again = f.preview(&["prod-1"], Some(1), false).unwrap();
        assert!(again.environments.is_empty());
        assert_eq!(again.unchanged, vec!["prod-1".to_string()]);
        assert!(
            start(&f.store, &again, "bob".into(), None, t(f.clock + 300))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_target_on_another_branch_adds_its_own_commits_back() {
        let mut f = Fixture::new();
        f.release("v1", None, &["a1"], "1.0.0");
        f.release("v2", Some(1), &["b1"], "1.0.0");
        // v3: a hotfix built on v1, v4: trunk again on v2.
        f.release("v3", Some(1), &["h1"], "1.0.0");
        f.release("v4", Some(2), &["c1"], "1.0.0");
        f.deploy("prod-1", 3, Outcome::Approved);
        f.deploy("prod-1", 4, Outcome::Approved);
        let preview = f.preview(&["prod-1"], None, false).unwrap();
        assert_eq!(preview.target, ReleaseNumber(3));
        let change = &preview.changes[0];
        let removed: Vec<&str> = change
            .commits_removed
            .iter()
            .map(|c| c.subject.as_str())
            .collect();
        let added: Vec<&str> = change
            .commits_added
            .iter()
            .map(|c| c.subject.as_str())
            .collect();
        assert_eq!(removed, vec!["change c1", "change b1"]);
        assert_eq!(added, vec!["change h1"]);
        assert!(change.dependencies.is_empty());
    }

    #[test]
    fn a_stage_covers_its_environments_and_leaves_out_those_never_deployed() {
        let mut f = Fixture::new();
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        four(&mut f);
        let error = gather(&f.store, &f.pipeline, &names(&["prod"])).unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert!(error.message.contains("stage prod"), "{}", error.message);

        f.deploy("prod-1", 1, Outcome::Approved);
        f.deploy("prod-1", 2, Outcome::Approved);
        let situation = gather(&f.store, &f.pipeline, &names(&["prod", "prod-1"])).unwrap();
        let covered: Vec<&str> = situation
            .environments
            .iter()
            .map(|e| e.environment.as_str())
            .collect();
        assert_eq!(covered, ["prod-1"]);
        assert_eq!(situation.not_deployed, ["prod-2"]);
        let preview = preview_of(&f, &situation).unwrap();
        assert_eq!(preview.target, ReleaseNumber(1));
        assert_eq!(preview.targets.len(), 2);
        assert_eq!(preview.targets[0].environments, ["prod-1", "prod-2"]);
        assert_eq!(preview.not_deployed, ["prod-2"]);
        // Named by itself, an environment must have something to roll back.
        let named = gather(&f.store, &f.pipeline, &names(&["prod-2"])).unwrap();
        assert_eq!(
            preview_of(&f, &named).unwrap_err().kind,
            ErrorKind::NotFound
        );
    }

    fn preview_of(f: &Fixture, situation: &Situation) -> Result<RollbackPreview> {
        preview(
            &f.store,
            None,
            situation,
            &PreviewRequest {
                to: None,
                force: false,
                now: t(f.clock + 100),
            },
        )
    }

    #[test]
    fn old_targets_are_flagged() {
        let mut f = Fixture::new();
        four(&mut f);
        f.deploy("prod-1", 1, Outcome::Approved);
        f.deploy("prod-1", 4, Outcome::Approved);
        f.clock += 8 * 86_400;
        let preview = f.preview(&["prod-1"], None, false).unwrap();
        assert!(kinds(&preview).contains(&WarningKind::OldTarget));
    }
}

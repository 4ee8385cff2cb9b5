//! What replacing one release by another changes, as plain serializable data: the one
//! preview builder behind `captain rollback` (going back), `captain diff A B` (any two
//! releases or environments), `captain next STAGE --preview` (what the waiting release
//! brings into the stage's environments) and `captain release show vN` (against the
//! release it was built on).
//!
//! Commits come from the ledger (each release's recorded commits, along the releases'
//! bases), so a preview works without a checkout; only the file summary needs the
//! repository, and says so when there is none. Dependency changes come from the
//! lockfile snapshots recorded with each release, artifact changes from the releases'
//! recorded artifacts. Nothing here draws or reads the clock.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::config::Pipeline;
use crate::error::{Error, Result, suggestion_hint};
use crate::git::lockfiles::{DependencyChange, diff_snapshots};
use crate::git::{FileChange, Repo};
use crate::model::*;
use crate::store::Store;

/// What replacing release `from` by release `to` changes: going back (a rollback) or
/// forward (a promotion), or between any two releases (`captain diff`).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ChangeSet {
    pub from: ReleaseNumber,
    pub to: ReleaseNumber,
    /// The environments now running `from` (empty when `from` was named as a release).
    pub environments: Vec<String>,
    /// Commits in `from` and not in `to`, newest first, each once.
    pub commits_removed: Vec<CommitLine>,
    /// Commits in `to` and not in `from`, newest first, each once (going back: only when
    /// `to` was built on another branch).
    pub commits_added: Vec<CommitLine>,
    pub files: FilesPreview,
    /// From `from`'s dependency versions to `to`'s.
    pub dependencies: Vec<DependencyChange>,
    pub artifacts: Vec<ArtifactChange>,
}

/// One commit of a preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CommitLine {
    /// Full sha.
    pub commit: String,
    pub author: String,
    pub subject: String,
    /// The author date, as `git log` shows it.
    pub authored_at: Timestamp,
    pub merge: bool,
    /// The release that introduced it.
    pub release: ReleaseNumber,
}

impl CommitLine {
    /// A commit as the ledger recorded it, introduced by `release`.
    pub fn of(commit: CommitInfo, release: ReleaseNumber) -> CommitLine {
        CommitLine {
            merge: commit.is_merge(),
            commit: commit.sha,
            author: commit.author,
            subject: commit.subject,
            authored_at: commit.time,
            release,
        }
    }
}

/// The files changed between the two releases' commits, from the repository.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct FilesPreview {
    /// False without a checkout (or when the commits are missing from it).
    pub available: bool,
    /// Why the summary is missing.
    pub note: Option<String>,
    pub files_changed: usize,
    pub insertions: usize,
    pub deletions: usize,
    /// Sorted by path.
    pub files: Vec<FileChange>,
}

/// An artifact whose reference differs between the two releases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ArtifactChange {
    pub name: String,
    /// The reference in `from` (`None`: that release has no such artifact).
    pub from: Option<String>,
    /// The reference in `to`, what a deployment of it deploys (`None`: it has no such
    /// artifact).
    pub to: Option<String>,
}

/// Releases read once per preview.
pub struct Releases<'s> {
    store: &'s dyn Store,
    cache: HashMap<ReleaseNumber, Release>,
}

impl<'s> Releases<'s> {
    pub fn new(store: &'s dyn Store) -> Releases<'s> {
        Releases {
            store,
            cache: HashMap::new(),
        }
    }

    /// A release, or `not found` naming it.
    pub fn get(&mut self, number: ReleaseNumber) -> Result<&Release> {
        if !self.cache.contains_key(&number) {
            let release = self.store.release(number)?.ok_or_else(|| {
                Error::not_found(format!("release {number} does not exist"))
                    .with_hint("list releases with `captain release list`")
            })?;
            self.cache.insert(number, release);
        }
        self.cache
            .get(&number)
            .ok_or_else(|| Error::internal(format!("release {number} vanished from the cache")))
    }

    /// The releases on `from`'s base chain and not on `to`'s (removed), and on `to`'s and
    /// not on `from`'s (added), newest first. Bases are always older releases, so walking
    /// both chains downwards side by side stops at their first common release.
    fn chain_difference(
        &mut self,
        from: ReleaseNumber,
        to: ReleaseNumber,
    ) -> Result<(Vec<ReleaseNumber>, Vec<ReleaseNumber>)> {
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        let (mut a, mut b) = (Some(from), Some(to));
        loop {
            match (a, b) {
                (Some(x), Some(y)) if x == y => break,
                (Some(x), Some(y)) if x > y => {
                    removed.push(x);
                    a = self.base_below(x)?;
                }
                (Some(x), None) => {
                    removed.push(x);
                    a = self.base_below(x)?;
                }
                (_, Some(y)) => {
                    added.push(y);
                    b = self.base_below(y)?;
                }
                (None, None) => break,
            }
        }
        Ok((removed, added))
    }

    /// A release's base, if it is older (anything else would be a corrupt ledger; stopping
    /// there keeps the walk finite).
    fn base_below(&mut self, number: ReleaseNumber) -> Result<Option<ReleaseNumber>> {
        Ok(self.get(number)?.base.filter(|b| *b < number))
    }

    fn commits(&self, releases: &[ReleaseNumber]) -> Result<Vec<CommitLine>> {
        let mut seen = BTreeSet::new();
        let mut lines = Vec::new();
        for number in releases {
            for commit in self.store.release_commits(*number)? {
                if seen.insert(commit.sha.clone()) {
                    lines.push(CommitLine::of(commit, *number));
                }
            }
        }
        Ok(lines)
    }
}

/// What replacing `from` by `to` changes, with `environments` the ones now running `from`.
pub fn change_set(
    store: &dyn Store,
    repo: Option<&Repo>,
    releases: &mut Releases<'_>,
    from: ReleaseNumber,
    to: ReleaseNumber,
    environments: Vec<String>,
) -> Result<ChangeSet> {
    let current = releases.get(from)?.clone();
    let target = &releases.get(to)?.clone();
    let (removed, added) = releases.chain_difference(from, target.number)?;
    let mut commits_removed = releases.commits(&removed)?;
    let mut commits_added = releases.commits(&added)?;
    // A commit introduced on both sides (a hotfix merged back) stays where it is.
    let removed_shas: BTreeSet<String> = commits_removed.iter().map(|c| c.commit.clone()).collect();
    let added_shas: BTreeSet<String> = commits_added.iter().map(|c| c.commit.clone()).collect();
    commits_removed.retain(|c| !added_shas.contains(&c.commit));
    commits_added.retain(|c| !removed_shas.contains(&c.commit));

    let dependencies = diff_snapshots(
        &store.release_dependencies(from)?,
        &store.release_dependencies(target.number)?,
    );
    Ok(ChangeSet {
        from,
        to: target.number,
        environments,
        commits_removed,
        commits_added,
        files: files_preview(repo, &current, target),
        dependencies,
        artifacts: artifact_changes(&current.artifacts, &target.artifacts),
    })
}

fn files_preview(repo: Option<&Repo>, from: &Release, to: &Release) -> FilesPreview {
    let Some(repo) = repo else {
        return FilesPreview {
            note: Some(format!(
                "the files changed from {} to {} need the repository: run captain in a checkout (or pass --repo)",
                from.number, to.number
            )),
            ..FilesPreview::default()
        };
    };
    if from.commit == to.commit {
        return FilesPreview {
            available: true,
            ..FilesPreview::default()
        };
    }
    match repo.diff_summary(&from.commit, &to.commit) {
        Ok(summary) => FilesPreview {
            available: true,
            note: None,
            files_changed: summary.files_changed,
            insertions: summary.insertions,
            deletions: summary.deletions,
            files: summary.files,
        },
        Err(e) => FilesPreview {
            note: Some(format!(
                "the files changed from {} to {} could not be read from the repository: {}",
                from.number, to.number, e.message
            )),
            ..FilesPreview::default()
        },
    }
}

fn artifact_changes(
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> Vec<ArtifactChange> {
    let names: BTreeSet<&String> = from.keys().chain(to.keys()).collect();
    names
        .into_iter()
        .filter(|name| from.get(*name) != to.get(*name))
        .map(|name| ArtifactChange {
            name: name.clone(),
            from: from.get(name).cloned(),
            to: to.get(name).cloned(),
        })
        .collect()
}

/// One change set per distinct release running in `running` (environment, its release),
/// newest release first, each replacing that release by `to`.
pub fn change_sets(
    store: &dyn Store,
    repo: Option<&Repo>,
    releases: &mut Releases<'_>,
    running: &[(String, ReleaseNumber)],
    to: ReleaseNumber,
) -> Result<Vec<ChangeSet>> {
    let currents: BTreeSet<ReleaseNumber> = running.iter().map(|(_, r)| *r).collect();
    let mut changes = Vec::with_capacity(currents.len());
    for from in currents.into_iter().rev() {
        let environments = running
            .iter()
            .filter(|(_, r)| *r == from)
            .map(|(e, _)| e.clone())
            .collect();
        changes.push(change_set(store, repo, releases, from, to, environments)?);
    }
    Ok(changes)
}

/// How a side of `captain diff` was named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SideKind {
    Release,
    Environment,
}

/// One side of `captain diff`: a release, or the release an environment runs.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DiffSide {
    /// As given on the command line.
    pub name: String,
    pub kind: SideKind,
    /// The release named, or the one the environment runs now.
    pub release: ReleaseNumber,
    /// Full sha of the release's commit.
    pub commit: String,
    pub created_at: Timestamp,
    /// For an environment: the release of a deployment in progress there (not compared:
    /// the environment runs `release` until it is done).
    pub in_progress: Option<ReleaseNumber>,
}

/// `captain diff A B`: what replacing A by B changes — for an environment A, what
/// promoting B's release into it would bring (`commits_added`) and take away
/// (`commits_removed`).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Diff {
    pub from: DiffSide,
    pub to: DiffSide,
    pub changes: ChangeSet,
}

/// Compares `a` and `b`, each a release (`v12`) or an environment (its current release).
/// Errors: an unknown name (not found, with a did-you-mean over the environments), a
/// stage or a wave (usage: they may run several releases), an environment nothing was
/// deployed to (not found), a release that does not exist (not found).
pub fn diff(
    store: &dyn Store,
    repo: Option<&Repo>,
    pipeline: &Pipeline,
    a: &str,
    b: &str,
) -> Result<Diff> {
    let mut releases = Releases::new(store);
    let from = side(store, pipeline, &mut releases, a)?;
    let to = side(store, pipeline, &mut releases, b)?;
    let environments = match from.kind {
        SideKind::Environment => vec![from.name.clone()],
        SideKind::Release => Vec::new(),
    };
    let changes = change_set(
        store,
        repo,
        &mut releases,
        from.release,
        to.release,
        environments,
    )?;
    Ok(Diff { from, to, changes })
}

fn side(
    store: &dyn Store,
    pipeline: &Pipeline,
    releases: &mut Releases<'_>,
    name: &str,
) -> Result<DiffSide> {
    if let Some((_, environment)) = pipeline.environment(name) {
        let state = store
            .environment_states(std::slice::from_ref(&environment.name))?
            .into_iter()
            .next();
        let in_progress = state
            .as_ref()
            .and_then(|s| s.in_progress.as_ref())
            .map(|d| d.release);
        let Some(current) = state.and_then(|s| s.current) else {
            let mut message =
                format!("{name} has nothing deployed yet, so there is nothing to compare");
            if let Some(running) = in_progress {
                message.push_str(&format!(
                    " (its first deployment, of {running}, is in progress)"
                ));
            }
            return Err(Error::not_found(message).with_hint(
                "`captain status` shows what runs where; compare releases with `captain diff vN vM`",
            ));
        };
        let release = releases.get(current.release)?;
        return Ok(DiffSide {
            name: name.to_string(),
            kind: SideKind::Environment,
            release: release.number,
            commit: release.commit.clone(),
            created_at: release.created_at,
            in_progress,
        });
    }
    if let Ok(number) = name.parse::<ReleaseNumber>() {
        let release = releases.get(number)?;
        return Ok(DiffSide {
            name: name.to_string(),
            kind: SideKind::Release,
            release: release.number,
            commit: release.commit.clone(),
            created_at: release.created_at,
            in_progress: None,
        });
    }
    if let Ok(target) = pipeline.target(name) {
        return Err(Error::usage(format!(
            "`{name}` is a {}, whose environments may run different releases",
            target.kind.as_str()
        ))
        .with_hint(format!(
            "compare one of its environments ({}) or a release (vN)",
            target.environments.join(", ")
        )));
    }
    let environments = pipeline.environment_names();
    let error = Error::not_found(format!(
        "`{name}` is neither a release (vN) nor an environment of pipeline `{}`",
        pipeline.name
    ));
    Err(
        match suggestion_hint(name, environments.iter().map(String::as_str)) {
            Some(hint) => error.with_hint(hint),
            None => error.with_hint(
                "`captain status` lists the environments, `captain release list` the releases",
            ),
        },
    )
}

/// What deploying a release into some environments would change there (`captain next
/// STAGE --preview`).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PromotionPreview {
    /// The release that would be deployed; `null` when none waits.
    pub release: Option<ReleaseNumber>,
    /// The environments it would be deployed to.
    pub environments: Vec<String>,
    /// Of those, the ones that run it already.
    pub unchanged: Vec<String>,
    /// Of those, the ones nothing was deployed to yet: all of the release is new there.
    pub not_deployed: Vec<String>,
    /// What changes, once per distinct release running there now, newest first.
    pub changes: Vec<ChangeSet>,
}

/// What deploying `release` (if any) into `environments` changes, against what each runs.
pub fn promotion(
    store: &dyn Store,
    repo: Option<&Repo>,
    release: Option<ReleaseNumber>,
    environments: &[String],
) -> Result<PromotionPreview> {
    let mut preview = PromotionPreview {
        release,
        environments: environments.to_vec(),
        unchanged: Vec::new(),
        not_deployed: Vec::new(),
        changes: Vec::new(),
    };
    let Some(release) = release else {
        return Ok(preview);
    };
    let mut running = Vec::new();
    for state in store.environment_states(environments)? {
        match state.current.map(|d| d.release) {
            None => preview.not_deployed.push(state.environment),
            Some(current) if current == release => preview.unchanged.push(state.environment),
            Some(current) => running.push((state.environment, current)),
        }
    }
    let mut releases = Releases::new(store);
    preview.changes = change_sets(store, repo, &mut releases, &running, release)?;
    Ok(preview)
}

/// What `release` changed against the release it was built on (its base: for a trunk
/// release, the one before it); `None` for a first release.
pub fn since_base(
    store: &dyn Store,
    repo: Option<&Repo>,
    release: &Release,
) -> Result<Option<ChangeSet>> {
    let Some(base) = release.base.filter(|b| *b < release.number) else {
        return Ok(None);
    };
    let mut releases = Releases::new(store);
    change_set(store, repo, &mut releases, base, release.number, Vec::new()).map(Some)
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
        /// v1 (a1), v2 (b2 b1) on v1, v3 (c1) on v2, v4 (h1): a hotfix on v1.
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("state.sqlite"), "app").unwrap();
            let pipeline =
                crate::config::validate_text(PIPELINE, Path::new("pipeline.toml")).unwrap();
            let mut f = Fixture {
                _dir: dir,
                store,
                pipeline,
                clock: 0,
            };
            f.release(None, &["a1"], "1.0.0");
            f.release(Some(1), &["b2", "b1"], "1.0.1");
            f.release(Some(2), &["c1"], "1.0.2");
            f.release(Some(1), &["h1"], "1.0.0");
            f
        }

        fn release(&mut self, base: Option<u64>, commits: &[&str], dep: &str) {
            self.clock += 3600;
            let number = self.store.releases(&Default::default()).unwrap().len() + 1;
            self.store
                .create_release(NewRelease {
                    commit: sha(commits[0]),
                    base: base.map(ReleaseNumber),
                    artifacts: BTreeMap::from([("image".into(), format!("app@v{number}"))]),
                    actor: "ci".into(),
                    created_at: t(self.clock),
                    commits: commits
                        .iter()
                        .map(|c| CommitInfo {
                            sha: sha(c),
                            author: "Ana".into(),
                            time: t(self.clock),
                            subject: format!("feat: {c}"),
                            parents: 1,
                        })
                        .collect(),
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

        fn deploy(&mut self, env: &str, release: u64) {
            self.clock += 60;
            let started = self
                .store
                .start_deployment(NewDeployment {
                    environment: env.into(),
                    stage: if env == "beta" { "beta" } else { "prod" }.into(),
                    release: ReleaseNumber(release),
                    kind: DeploymentKind::Normal,
                    actor: "ci".into(),
                    reason: Some("test".into()),
                    started_at: t(self.clock),
                    promotion_check: None,
                    force: true,
                })
                .unwrap();
            self.store
                .finish_deployment(FinishDeployment {
                    id: started.id,
                    outcome: Outcome::Approved,
                    actor: "ci".into(),
                    finished_at: t(self.clock + 30),
                    reason: None,
                })
                .unwrap();
        }

        fn diff(&self, a: &str, b: &str) -> Result<Diff> {
            diff(&self.store, None, &self.pipeline, a, b)
        }
    }

    fn subjects(commits: &[CommitLine]) -> Vec<&str> {
        commits.iter().map(|c| c.subject.as_str()).collect()
    }

    #[test]
    fn a_diff_adds_going_forward_and_removes_going_back() {
        let f = Fixture::new();
        let forward = f.diff("v1", "v3").unwrap();
        assert_eq!(
            subjects(&forward.changes.commits_added),
            ["feat: c1", "feat: b2", "feat: b1"]
        );
        assert!(forward.changes.commits_removed.is_empty());
        assert_eq!(forward.changes.dependencies.len(), 1);
        assert_eq!(
            forward.changes.artifacts,
            vec![ArtifactChange {
                name: "image".into(),
                from: Some("app@v1".into()),
                to: Some("app@v3".into()),
            }]
        );
        assert!(!forward.changes.files.available);

        let back = f.diff("v3", "v1").unwrap();
        assert_eq!(back.changes.commits_removed, forward.changes.commits_added);
        assert!(back.changes.commits_added.is_empty());

        // The hotfix on v1 against trunk's v3: each side has its own.
        let across = f.diff("v3", "v4").unwrap();
        assert_eq!(subjects(&across.changes.commits_added), ["feat: h1"]);
        assert_eq!(
            subjects(&across.changes.commits_removed),
            ["feat: c1", "feat: b2", "feat: b1"]
        );
        // The same release twice changes nothing.
        let same = f.diff("v2", "V2").unwrap();
        assert!(same.changes.commits_added.is_empty() && same.changes.commits_removed.is_empty());
        assert!(same.changes.dependencies.is_empty() && same.changes.artifacts.is_empty());
    }

    #[test]
    fn environments_stand_for_what_they_run_and_bad_names_say_why() {
        let mut f = Fixture::new();
        f.deploy("prod-1", 1);
        f.deploy("prod-2", 3);
        let diff = f.diff("prod-1", "prod-2").unwrap();
        assert_eq!(diff.from.kind, SideKind::Environment);
        assert_eq!(diff.from.release, ReleaseNumber(1));
        assert_eq!(diff.to.release, ReleaseNumber(3));
        assert_eq!(diff.changes.environments, ["prod-1"]);
        assert_eq!(diff.changes.commits_added.len(), 3);

        let error = f.diff("beta", "v1").unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert!(
            error.message.contains("beta has nothing deployed"),
            "{}",
            error.message
        );
        let error = f.diff("prod-3", "v1").unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert!(error.hint.unwrap().contains("did you mean"));
        let error = f.diff("prod", "v1").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Usage);
        assert!(error.hint.unwrap().contains("prod-1, prod-2"));
        assert_eq!(f.diff("v1", "v9").unwrap_err().kind, ErrorKind::NotFound);
    }

    #[test]
    fn a_promotion_is_one_change_set_per_running_release() {
        let mut f = Fixture::new();
        f.deploy("prod-1", 1);
        let envs = [
            "prod-1".to_string(),
            "prod-2".to_string(),
            "beta".to_string(),
        ];
        let preview = promotion(&f.store, None, Some(ReleaseNumber(3)), &envs).unwrap();
        assert_eq!(preview.not_deployed, ["prod-2", "beta"]);
        assert_eq!(preview.changes.len(), 1);
        assert_eq!(preview.changes[0].from, ReleaseNumber(1));
        assert_eq!(preview.changes[0].environments, ["prod-1"]);

        f.deploy("prod-2", 2);
        f.deploy("beta", 3);
        let preview = promotion(&f.store, None, Some(ReleaseNumber(3)), &envs).unwrap();
        let froms: Vec<ReleaseNumber> = preview.changes.iter().map(|c| c.from).collect();
        assert_eq!(froms, [ReleaseNumber(2), ReleaseNumber(1)], "newest first");
        assert_eq!(subjects(&preview.changes[0].commits_added), ["feat: c1"]);
        assert_eq!(preview.unchanged, ["beta"]);
        let nothing = promotion(&f.store, None, None, &envs).unwrap();
        assert!(nothing.changes.is_empty() && nothing.release.is_none());
    }

    #[test]
    fn a_release_is_compared_with_its_base() {
        let f = Fixture::new();
        let release = |n| f.store.release(ReleaseNumber(n)).unwrap().unwrap();
        assert!(since_base(&f.store, None, &release(1)).unwrap().is_none());
        let hotfix = since_base(&f.store, None, &release(4)).unwrap().unwrap();
        assert_eq!(hotfix.from, ReleaseNumber(1));
        assert_eq!(subjects(&hotfix.commits_added), ["feat: h1"]);
        assert!(hotfix.commits_removed.is_empty());
    }
}

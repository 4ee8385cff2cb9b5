//! `release create`: turn a commit into an immutable release — the commits it introduces
//! (from its base release, the newest earlier release that is its ancestor) and the
//! dependency snapshot of its lockfiles — and record it.
//!
//! The rules, in order: the same commit again is the same release (with the same
//! artifacts); a commit some release already contains is refused, whichever release that
//! is (the ledger's commit lists answer it, no walk over the releases); a commit that is
//! not on the pipeline's trunk branch needs `--hotfix --reason`; and a shallow clone whose
//! history stops inside the new commits is refused, since their list would be cut short.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};
use crate::git::{Repo, short_sha};
use crate::model::{CommitInfo, CreatedRelease, NewRelease, Release, ReleaseNumber, Timestamp};
use crate::store::{ReleaseFilter, Store, checks};

/// How many recent releases are checked for the base before the whole list is read.
const RECENT_RELEASES: usize = 64;

/// What `release create` was asked to do.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// A revision git resolves (a sha, a tag, `HEAD`).
    pub rev: String,
    pub artifacts: BTreeMap<String, String>,
    /// The pipeline's trunk branch: releases are made of its commits.
    pub trunk: String,
    /// `--hotfix --reason`: why a commit that is not on the trunk is released anyway.
    pub hotfix_reason: Option<String>,
    pub actor: String,
    pub now: Timestamp,
}

/// The release, whether it was new, and lockfiles that could not be read.
#[derive(Clone, Debug)]
pub struct CreateOutcome {
    pub created: CreatedRelease,
    pub warnings: Vec<String>,
}

/// Parses `NAME=REF` artifact arguments, refusing duplicates and empty parts.
pub fn parse_artifacts(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    let mut artifacts = BTreeMap::new();
    for pair in pairs {
        let (name, reference) = pair.split_once('=').ok_or_else(|| {
            Error::usage(format!("artifact `{pair}` is not NAME=REF"))
                .with_hint("e.g. --artifact image=registry.example.com/app@sha256:…")
        })?;
        let (name, reference) = (name.trim(), reference.trim());
        if name.is_empty() || reference.is_empty() {
            return Err(Error::usage(format!(
                "artifact `{pair}` needs both a name and a reference"
            )));
        }
        if artifacts
            .insert(name.to_string(), reference.to_string())
            .is_some()
        {
            return Err(Error::usage(format!("artifact `{name}` is given twice")));
        }
    }
    Ok(artifacts)
}

/// Creates (or finds) the release of `request.rev`.
pub fn create(store: &dyn Store, repo: &Repo, request: CreateRequest) -> Result<CreateOutcome> {
    let commit = repo.resolve(&request.rev)?;
    let hotfix_reason = checks::hotfix_reason(request.hotfix_reason.as_deref(), &commit)?;
    if let Some(existing) = store.release_by_commit(&commit)? {
        return same_release(existing, &request.artifacts);
    }
    // The store refuses this too, in its transaction; asking first spares the walks below.
    if let Some(containing) = release_containing(store, &commit)? {
        return Err(checks::contained_already(&commit, containing));
    }
    require_trunk_or_hotfix(repo, &commit, &request.trunk, hotfix_reason.is_some())?;
    let base = find_base(store, repo, &commit)?;
    let commits = repo.commits_between(base.as_ref().map(|r| r.commit.as_str()), &commit)?;
    require_whole_history(repo, &commit, base.as_ref(), &commits)?;
    let scan = repo.scan_dependencies(&commit)?;
    let created = store.create_release(NewRelease {
        commit,
        base: base.map(|r| r.number),
        artifacts: request.artifacts,
        actor: request.actor,
        created_at: request.now,
        commits,
        dependencies: scan.snapshot,
        hotfix_reason,
    })?;
    Ok(CreateOutcome {
        created,
        warnings: scan.warnings,
    })
}

/// An existing release of the same commit: fine with the same artifacts, a conflict otherwise.
fn same_release(existing: Release, artifacts: &BTreeMap<String, String>) -> Result<CreateOutcome> {
    if &existing.artifacts == artifacts {
        return Ok(CreateOutcome {
            created: CreatedRelease {
                release: existing,
                created: false,
            },
            warnings: Vec::new(),
        });
    }
    Err(Error::conflict(format!(
        "release {} of commit {} already exists with artifacts {}; artifacts of a release never change",
        existing.number,
        &existing.commit[..existing.commit.len().min(12)],
        describe_artifacts(&existing.artifacts)
    ))
    .with_hint("build a new commit to release new artifacts"))
}

fn describe_artifacts(artifacts: &BTreeMap<String, String>) -> String {
    if artifacts.is_empty() {
        return "(none)".to_string();
    }
    artifacts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first release that contains `commit`, as `captain where` finds it: from the
/// commits each release introduced, one indexed lookup whatever the ledger's size. A
/// commit the ledger has never seen is in no release.
fn release_containing(store: &dyn Store, commit: &str) -> Result<Option<ReleaseNumber>> {
    match store.locate_commit(commit, &[]) {
        Ok(location) => Ok(location.release),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Releases are made of the trunk's commits; one off it is a hotfix and says so.
fn require_trunk_or_hotfix(repo: &Repo, commit: &str, trunk: &str, hotfix: bool) -> Result<()> {
    let on_trunk = repo.is_on_branch(commit, trunk)?;
    match (on_trunk, hotfix) {
        (false, false) => Err(Error::blocked(format!(
            "commit {} is not on the trunk branch `{trunk}` (neither `{trunk}` nor `origin/{trunk}` contains it)",
            short_sha(commit)
        ))
        .with_hint(format!(
            "release it as a hotfix with `--hotfix --reason TEXT`, or merge it into `{trunk}` first"
        ))),
        (true, true) => Err(Error::usage(format!(
            "commit {} is on the trunk branch `{trunk}`; --hotfix is for commits that are not",
            short_sha(commit)
        ))
        .with_hint("release it without --hotfix and --reason")),
        _ => Ok(()),
    }
}

/// Refuses a release whose commit list a shallow clone cuts short: the walk from the
/// commit (to its base, or its whole history without one) reached where the clone's
/// history stops. With the base's commit in the clone and the new work above the cut,
/// a shallow clone is fine.
fn require_whole_history(
    repo: &Repo,
    commit: &str,
    base: Option<&Release>,
    commits: &[CommitInfo],
) -> Result<()> {
    let Some(cut) = repo.shallow_cut_in(commits)? else {
        return Ok(());
    };
    let why = match base {
        Some(base) => format!(
            "the commits between {} ({}) and {} go beyond where its history stops (at {})",
            base.number,
            short_sha(&base.commit),
            short_sha(commit),
            short_sha(&cut)
        ),
        None => format!(
            "no recorded release is in its history, so this release would list every commit of {}, and the history stops at {}",
            short_sha(commit),
            short_sha(&cut)
        ),
    };
    Err(Error::failed(format!(
        "the repository at {} is a shallow clone: {why}",
        repo.root().display()
    ))
    .with_hint(
        "fetch the whole history first: git fetch --unshallow (in CI: `fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in GitLab)",
    ))
}

/// The newest release whose commit is an ancestor of `commit`. A release whose commit
/// the repository does not have (a hotfix branch deleted since) is not an ancestor: in a
/// complete clone an ancestor is always there, and in a shallow one a base found past
/// such a release leaves the walk reaching the cut, which [`require_whole_history`]
/// refuses.
fn find_base(store: &dyn Store, repo: &Repo, commit: &str) -> Result<Option<Release>> {
    let recent = store.releases(&ReleaseFilter {
        limit: Some(RECENT_RELEASES),
    })?;
    let exhausted = recent.len() < RECENT_RELEASES;
    if let Some(base) = first_ancestor(repo, recent, commit)? {
        return Ok(Some(base));
    }
    if exhausted {
        return Ok(None);
    }
    let all = store.releases(&ReleaseFilter { limit: None })?;
    first_ancestor(repo, all, commit)
}

fn first_ancestor(
    repo: &Repo,
    newest_first: Vec<Release>,
    commit: &str,
) -> Result<Option<Release>> {
    for release in newest_first {
        if repo.has_commit(&release.commit) && repo.is_ancestor(&release.commit, commit)? {
            return Ok(Some(release));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failing test should panic with the error it got

    use super::*;
    use crate::git::sandbox::Sandbox;
    use crate::store::sqlite::SqliteStore;

    struct Fixture {
        dir: tempfile::TempDir,
        sandbox: Sandbox,
        store: SqliteStore,
        clock: i64,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let sandbox = Sandbox::init(&dir.path().join("repo"), "main").unwrap();
            let store = SqliteStore::open(&dir.path().join("state.sqlite"), "app").unwrap();
            Fixture {
                dir,
                sandbox,
                store,
                clock: 1_800_000_000,
            }
        }

        fn at(&mut self) -> Timestamp {
            self.clock += 60;
            Timestamp::from_second(self.clock).unwrap()
        }

        fn on_main(&mut self, name: &str) -> String {
            let at = self.at();
            self.sandbox
                .commit(&[(name, name)], name, "Ana", at)
                .unwrap()
        }

        fn on_branch(&mut self, branch: &str, parent: &str, name: &str) -> String {
            let at = self.at();
            self.sandbox
                .commit_with_parents(
                    &[(name, name)],
                    name,
                    "Ana",
                    at,
                    &[parent.to_string()],
                    Some(&format!("refs/heads/{branch}")),
                )
                .unwrap()
        }

        fn create(&mut self, rev: &str, hotfix: Option<&str>) -> Result<CreatedRelease> {
            let repo = Repo::discover(&self.dir.path().join("repo"))?;
            let now = self.at();
            create(
                &self.store,
                &repo,
                CreateRequest {
                    rev: rev.to_string(),
                    artifacts: BTreeMap::new(),
                    trunk: "main".into(),
                    hotfix_reason: hotfix.map(str::to_string),
                    actor: "ci".into(),
                    now,
                },
            )
            .map(|outcome| outcome.created)
        }
    }

    /// The case: v1 = a, v2 = c, v3 = p from a side branch, then b.
    #[test]
    fn a_commit_an_older_release_contains_is_refused_whichever_is_newest() {
        let mut f = Fixture::new();
        let a = f.on_main("a");
        let b = f.on_main("b");
        let c = f.on_main("c");
        let p = f.on_branch("hotfix", &a, "p");
        assert_eq!(f.create(&a, None).unwrap().release.number, ReleaseNumber(1));
        assert_eq!(f.create(&c, None).unwrap().release.number, ReleaseNumber(2));
        let hotfix = f.create(&p, Some("payments")).unwrap().release;
        assert_eq!(
            (hotfix.number, hotfix.base),
            (ReleaseNumber(3), Some(ReleaseNumber(1)))
        );
        let e = f.create(&b, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert!(e.message.contains("release v2"), "{}", e.message);
        assert!(
            !f.create(&c, None).unwrap().created,
            "the same release again"
        );
        assert!(!f.create(&p, None).unwrap().created, "a hotfix again, too");
        let q = f.on_branch("hotfix", &p, "q");
        let e = f.create(&q, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Blocked, "{}", e.message);
    }

    /// A release's commit that this clone lacks (a hotfix branch deleted before the clone
    /// was made) is passed over when looking for the base, instead of failing the release.
    #[test]
    fn a_release_commit_missing_from_the_clone_is_not_a_base() {
        let mut f = Fixture::new();
        let a = f.on_main("a");
        assert_eq!(f.create(&a, None).unwrap().release.number, ReleaseNumber(1));
        let gone = "f".repeat(40);
        let at = f.at();
        f.store
            .create_release(NewRelease {
                commit: gone.clone(),
                base: Some(ReleaseNumber(1)),
                artifacts: BTreeMap::new(),
                actor: "ci".into(),
                created_at: at,
                commits: vec![CommitInfo {
                    sha: gone,
                    author: "Ana".into(),
                    time: at,
                    subject: "hotfix".into(),
                    parents: 1,
                }],
                dependencies: Default::default(),
                hotfix_reason: Some("outage".into()),
            })
            .unwrap();
        let b = f.on_main("b");
        let created = f.create(&b, None).unwrap().release;
        assert_eq!(
            (created.number, created.base, created.commit_count),
            (ReleaseNumber(3), Some(ReleaseNumber(1)), 1)
        );
    }

    #[test]
    fn artifacts_parse_and_refuse_nonsense() {
        let parsed = parse_artifacts(&[
            "image=reg/app@sha256:abc".to_string(),
            "chart = s3://b/c.tgz".to_string(),
        ]);
        assert_eq!(parsed.ok().map(|a| a.len()), Some(2));
        assert!(parse_artifacts(&["image".to_string()]).is_err());
        assert!(parse_artifacts(&["=x".to_string()]).is_err());
        assert!(parse_artifacts(&["a=1".to_string(), "a=2".to_string()]).is_err());
    }
}

//! `captain release create | list | show`: a release as every view shows it — its number
//! as `release`, its commit as `commit`, its commits in the shape of every other view.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::model::*;
use crate::ops::preview::{ChangeSet, CommitLine};
use crate::store::Store;
use crate::views::BlockView;

/// One release.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseView {
    pub release: ReleaseNumber,
    /// Full sha of the commit the release was built from.
    pub commit: String,
    /// The newest earlier release whose commit is an ancestor of this one.
    pub base: Option<ReleaseNumber>,
    /// Artifact name → immutable reference (image digest, object key, …).
    pub artifacts: BTreeMap<String, String>,
    pub actor: String,
    pub created_at: Timestamp,
    /// How many commits the release introduced.
    pub commit_count: u64,
    /// The oldest introduced commit, if any.
    pub first_commit: Option<String>,
    /// Set for a release of a commit off the trunk (`release create --hotfix --reason`).
    pub hotfix: Option<Hotfix>,
    /// The block on it (`captain release block`), if any.
    pub block: Option<BlockView>,
}

impl ReleaseView {
    /// The view with the release's block, `lock`, if it has one.
    pub fn blocked(mut self, lock: Option<&Lock>) -> ReleaseView {
        self.block = lock.map(|lock| BlockView::of(self.release, lock));
        self
    }
}

impl From<&Release> for ReleaseView {
    fn from(r: &Release) -> Self {
        ReleaseView {
            release: r.number,
            commit: r.commit.clone(),
            base: r.base,
            artifacts: r.artifacts.clone(),
            actor: r.actor.clone(),
            created_at: r.created_at,
            commit_count: r.commit_count,
            first_commit: r.first_commit.clone(),
            hotfix: r.hotfix.clone(),
            block: None,
        }
    }
}

/// `captain release create`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseCreated {
    pub release: ReleaseNumber,
    pub commit: String,
    /// False when the release already existed (the same commit and artifacts).
    pub created: bool,
    /// How many commits the release introduced.
    pub commits: u64,
    pub artifacts: BTreeMap<String, String>,
    pub hotfix: Option<Hotfix>,
}

impl ReleaseCreated {
    pub fn new(created: &CreatedRelease) -> ReleaseCreated {
        let r = &created.release;
        ReleaseCreated {
            release: r.number,
            commit: r.commit.clone(),
            created: created.created,
            commits: r.commit_count,
            artifacts: r.artifacts.clone(),
            hotfix: r.hotfix.clone(),
        }
    }
}

/// `captain release list`: newest first.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseList {
    pub releases: Vec<ReleaseView>,
}

/// `captain release show vN`: the release, the commits it introduced (newest first), the
/// dependency versions of its lockfiles, and what it changed against the release it was
/// built on.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseShow {
    #[serde(flatten)]
    pub release: ReleaseView,
    pub commits: Vec<CommitLine>,
    pub dependencies: Vec<Dependency>,
    /// From its base to it, as `captain diff BASE vN` shows it; `null` for a first release.
    pub changes: Option<ChangeSet>,
}

impl ReleaseShow {
    /// `captain release show vN` and the web's release page: the release from the ledger
    /// (exit 5 naming an unknown one), its commits, dependencies, block and changes since
    /// its base (the files only with a checkout, `repo`).
    pub fn build(
        store: &dyn Store,
        repo: Option<&Repo>,
        number: ReleaseNumber,
    ) -> Result<ReleaseShow> {
        let release = store.release(number)?.ok_or_else(|| {
            Error::not_found(format!("release {number} does not exist"))
                .with_hint("`captain release list` shows the releases")
        })?;
        let commits = store.release_commits(number)?;
        let dependencies = store.release_dependencies(number)?;
        let block = crate::ops::block::blocks(&store.locks()?).remove(&number);
        let changes = crate::ops::preview::since_base(store, repo, &release)?;
        Ok(ReleaseShow::new(
            &release,
            block.as_ref(),
            commits,
            dependencies,
            changes,
        ))
    }

    pub fn new(
        release: &Release,
        block: Option<&Lock>,
        commits: Vec<CommitInfo>,
        dependencies: DependencySnapshot,
        changes: Option<ChangeSet>,
    ) -> ReleaseShow {
        ReleaseShow {
            release: ReleaseView::from(release).blocked(block),
            commits: commits
                .into_iter()
                .map(|c| CommitLine::of(c, release.number))
                .collect(),
            dependencies: dependencies.0,
            changes,
        }
    }
}

/// `captain release block vN`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseBlocked {
    pub release: ReleaseNumber,
    /// False when it was blocked already (nothing changed).
    pub created: bool,
    pub block: BlockView,
    /// The environments running it (what `--rollback` rolls back).
    pub running: Vec<String>,
}

/// `captain release unblock vN`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseUnblocked {
    pub release: ReleaseNumber,
    /// False when it was not blocked (nothing changed).
    pub lifted: bool,
}

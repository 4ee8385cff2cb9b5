//! captain's view of a git repository. git2 types never leak out of this room; errors
//! name the revision or path that failed. captain never shells out to `git`.

pub mod lockfiles;
pub mod sandbox;

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{CommitInfo, DependencySnapshot};

/// A git repository opened by captain.
pub struct Repo {
    repo: git2::Repository,
}

impl Repo {
    /// Opens the repository containing `path` (searching upwards).
    pub fn discover(path: &Path) -> Result<Repo> {
        git2::Repository::discover(path)
            .map(|repo| Repo { repo })
            .map_err(|e| {
                Error::failed(format!(
                    "no git repository at {}: {}",
                    path.display(),
                    e.message()
                ))
            })
    }

    /// The working directory (or the git dir of a bare repository).
    pub fn root(&self) -> &Path {
        self.repo.workdir().unwrap_or_else(|| self.repo.path())
    }

    /// Resolves any revision git understands to a full commit sha.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        let _ = rev;
        Err(Error::internal("not written yet"))
    }

    /// Is `ancestor` reachable from `descendant` (or the same commit)?
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let _ = (ancestor, descendant);
        Err(Error::internal("not written yet"))
    }

    /// The commits reachable from `to` and not from `from` (`git log from..to`), newest first.
    pub fn commits_between(&self, from: Option<&str>, to: &str) -> Result<Vec<CommitInfo>> {
        let _ = (from, to);
        Err(Error::internal("not written yet"))
    }

    /// The dependency versions found in the lockfiles of the tree at `commit`.
    pub fn dependency_snapshot(&self, commit: &str) -> Result<SnapshotReport> {
        let _ = commit;
        Err(Error::internal("not written yet"))
    }
}

/// A dependency snapshot and the lockfiles that could not be read.
#[derive(Clone, Debug, Default)]
pub struct SnapshotReport {
    pub dependencies: DependencySnapshot,
    pub warnings: Vec<String>,
}

impl Repo {
    /// Returns `None` when `path` is in no repository.
    pub fn open_if_any(path: &Path) -> Result<Option<Repo>> {
        Ok(git2::Repository::discover(path)
            .ok()
            .map(|repo| Repo { repo }))
    }

    /// One commit's details.
    pub fn commit_info(&self, sha: &str) -> Result<CommitInfo> {
        let _ = sha;
        Err(Error::internal("not written yet"))
    }
}

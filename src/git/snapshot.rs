//! Dependency snapshots: the lockfiles in a commit's tree, parsed.
//!
//! The walk reads tree objects only, and only the blobs whose names are lockfiles; it
//! skips directories that hold other people's lockfiles (node_modules, vendor, target,
//! hidden directories, test data) and stops at a fixed depth, so its cost follows the
//! shape of the project's top directories, not the size of the repository.

use git2::{ObjectType, Oid};
use serde::{Deserialize, Serialize};

use super::{Repo, git_failed, lockfiles};
use crate::error::{Error, Result};
use crate::model::{Dependency, DependencySnapshot};

/// Lockfiles deeper than this many directories below the root are not read.
pub const MAX_DEPTH: usize = 6;

/// Lockfiles larger than this are skipped with a warning rather than parsed.
const MAX_LOCKFILE_BYTES: usize = 64 * 1024 * 1024;

/// Directories whose lockfiles are not the project's own: installed or vendored
/// dependencies, build output, virtual environments and test fixtures.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "vendor",
    "target",
    "dist",
    "build",
    "out",
    "venv",
    "site-packages",
    "__pycache__",
    "testdata",
    "fixtures",
    "__fixtures__",
];

fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

/// A snapshot and the lockfiles that were skipped because they could not be read.
///
/// A malformed lockfile never fails a release: it is left out of the snapshot and
/// described in `warnings` (one sentence each, naming the file) for the caller to show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyScan {
    pub snapshot: DependencySnapshot,
    /// Paths of the lockfiles that were read, sorted.
    pub lockfiles: Vec<String>,
    pub warnings: Vec<String>,
}

impl Repo {
    /// The dependency versions found in the lockfiles of the tree at `commit`, with a
    /// warning for every lockfile that was skipped. Prefer this over
    /// [`Repo::dependency_snapshot`] wherever the warnings can be shown.
    pub fn scan_dependencies(&self, commit: &str) -> Result<DependencyScan> {
        let oid = self.commit_oid(commit)?;
        let tree = self.tree_of(oid, commit)?;
        let mut found = Vec::new();
        self.collect_lockfiles(&tree, "", 0, commit, &mut found)?;
        found.sort();
        let mut scan = DependencyScan::default();
        let mut dependencies = Vec::new();
        for (path, blob) in found {
            match self.parse_lockfile_blob(blob, &path) {
                Ok(mut deps) => {
                    dependencies.append(&mut deps);
                    scan.lockfiles.push(path);
                }
                Err(e) => scan
                    .warnings
                    .push(format!("skipped {}: {}", path, e.message)),
            }
        }
        scan.snapshot = DependencySnapshot::new(dependencies);
        Ok(scan)
    }

    /// The dependency versions found in the lockfiles of the tree at `commit`. Lockfiles
    /// that cannot be read are left out silently; use [`Repo::scan_dependencies`] to learn
    /// which.
    pub fn dependency_snapshot(&self, commit: &str) -> Result<DependencySnapshot> {
        self.scan_dependencies(commit).map(|scan| scan.snapshot)
    }

    fn collect_lockfiles(
        &self,
        tree: &git2::Tree<'_>,
        prefix: &str,
        depth: usize,
        rev: &str,
        found: &mut Vec<(String, Oid)>,
    ) -> Result<()> {
        for entry in tree.iter() {
            // A name that is not UTF-8 is neither a lockfile nor a directory we look into.
            let Ok(name) = entry.name() else { continue };
            let kind = entry.kind();
            if kind == Some(ObjectType::Blob) {
                // 0o120000 is a symbolic link: its blob is a path, not a lockfile.
                if entry.filemode() != 0o120000 && lockfiles::is_lockfile(name) {
                    found.push((format!("{prefix}{name}"), entry.id()));
                }
            } else if kind == Some(ObjectType::Tree) && depth < MAX_DEPTH && !skip_dir(name) {
                let path = format!("{prefix}{name}/");
                let subtree = self.repo.find_tree(entry.id()).map_err(|e| {
                    git_failed(format!("directory {path} at `{rev}` could not be read"), &e)
                })?;
                self.collect_lockfiles(&subtree, &path, depth + 1, rev, found)?;
            }
        }
        Ok(())
    }

    fn parse_lockfile_blob(&self, blob_id: Oid, path: &str) -> Result<Vec<Dependency>> {
        let key = (blob_id, path.to_string());
        if let Some(cached) = self.lockfile_cache.borrow().get(&key) {
            return cached.clone();
        }
        let parsed = self.read_and_parse(blob_id, path);
        self.lockfile_cache.borrow_mut().insert(key, parsed.clone());
        parsed
    }

    fn read_and_parse(&self, blob_id: Oid, path: &str) -> Result<Vec<Dependency>> {
        let blob = self
            .repo
            .find_blob(blob_id)
            .map_err(|e| git_failed(format!("{path} could not be read"), &e))?;
        if blob.size() > MAX_LOCKFILE_BYTES {
            return Err(Error::failed(format!(
                "{path} is {} MiB, more than captain reads",
                blob.size() / (1024 * 1024)
            )));
        }
        lockfiles::parse(path, blob.content())
            .unwrap_or_else(|| Err(Error::internal(format!("{path} is not a lockfile"))))
    }
}

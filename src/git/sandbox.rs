//! Writing small repositories: the demo's sandbox and the tests' fixtures. Commits are
//! made with git2 at given times and authors, so histories are reproducible.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::Timestamp;

/// A repository captain writes to (never a user's own checkout).
pub struct Sandbox {
    repo: git2::Repository,
}

fn git_error(what: &str, e: git2::Error) -> Error {
    Error::failed(format!("{what}: {}", e.message()))
}

impl Sandbox {
    /// Creates a new repository at `path` with `branch` as its initial branch.
    pub fn init(path: &Path, branch: &str) -> Result<Sandbox> {
        let mut options = git2::RepositoryInitOptions::new();
        options.initial_head(branch);
        let repo = git2::Repository::init_opts(path, &options).map_err(|e| {
            git_error(
                &format!("cannot create a repository at {}", path.display()),
                e,
            )
        })?;
        Ok(Sandbox { repo })
    }

    pub fn path(&self) -> PathBuf {
        self.repo
            .workdir()
            .unwrap_or_else(|| self.repo.path())
            .to_path_buf()
    }

    /// Writes `files` (path → content) into the work tree and commits them on HEAD's
    /// branch with the given parents (default: HEAD). Returns the new commit's sha.
    pub fn commit(
        &self,
        files: &[(&str, &str)],
        message: &str,
        author: &str,
        at: Timestamp,
    ) -> Result<String> {
        let head = self.repo.head().ok().and_then(|h| h.target());
        let parents: Vec<String> = head.map(|oid| oid.to_string()).into_iter().collect();
        self.commit_with_parents(files, message, author, at, &parents, Some("HEAD"))
    }

    /// Like [`Sandbox::commit`], with explicit parents, updating `reference` if given
    /// (e.g. `refs/heads/hotfix`). A second parent makes a merge commit.
    pub fn commit_with_parents(
        &self,
        files: &[(&str, &str)],
        message: &str,
        author: &str,
        at: Timestamp,
        parents: &[String],
        reference: Option<&str>,
    ) -> Result<String> {
        let first_parent = match parents.first() {
            Some(sha) => Some(self.find_commit(sha)?),
            None => None,
        };
        let mut index = git2::Index::new().map_err(|e| git_error("cannot create an index", e))?;
        if let Some(parent) = &first_parent {
            let tree = parent
                .tree()
                .map_err(|e| git_error("cannot read a tree", e))?;
            index
                .read_tree(&tree)
                .map_err(|e| git_error("cannot read a tree", e))?;
        }
        let workdir = self.path();
        // The work tree is the checked-out branch's: a commit elsewhere (a hotfix branch)
        // leaves it alone.
        let checked_out = reference == Some("HEAD");
        for (file, content) in files {
            let full = workdir.join(file);
            if checked_out {
                if let Some(dir) = full.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        Error::failed(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                std::fs::write(&full, content)
                    .map_err(|e| Error::failed(format!("cannot write {}: {e}", full.display())))?;
            }
            let blob = self
                .repo
                .blob(content.as_bytes())
                .map_err(|e| git_error("cannot write a blob", e))?;
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: u32::try_from(content.len()).unwrap_or(u32::MAX),
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: file.as_bytes().to_vec(),
            };
            index
                .add(&entry)
                .map_err(|e| git_error(&format!("cannot stage {file}"), e))?;
        }
        let tree_id = index
            .write_tree_to(&self.repo)
            .map_err(|e| git_error("cannot write a tree", e))?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .map_err(|e| git_error("cannot read a tree", e))?;
        let time = git2::Time::new(at.as_second(), 0);
        let email = format!("{}@example.com", author.to_lowercase().replace(' ', "."));
        let signature =
            git2::Signature::new(author, &email, &time).map_err(|e| git_error("bad author", e))?;
        let mut parent_commits = Vec::new();
        for sha in parents {
            parent_commits.push(self.find_commit(sha)?);
        }
        let parent_refs: Vec<&git2::Commit<'_>> = parent_commits.iter().collect();
        let oid = self
            .repo
            .commit(
                reference,
                &signature,
                &signature,
                message,
                &tree,
                &parent_refs,
            )
            .map_err(|e| git_error("cannot commit", e))?;
        // The checked-out branch moved: its index follows, so that `git status` in the
        // sandbox (the demo's `--keep`) shows a clean tree, not every file deleted.
        if reference == Some("HEAD") {
            let mut on_disk = self
                .repo
                .index()
                .map_err(|e| git_error("cannot open the index", e))?;
            on_disk
                .read_tree(&tree)
                .and_then(|()| on_disk.write())
                .map_err(|e| git_error("cannot write the index", e))?;
        }
        Ok(oid.to_string())
    }

    /// Points a branch at a commit (creating it if needed).
    pub fn set_branch(&self, name: &str, sha: &str) -> Result<()> {
        let commit = self.find_commit(sha)?;
        self.repo
            .branch(name, &commit, true)
            .map_err(|e| git_error(&format!("cannot set branch {name}"), e))?;
        Ok(())
    }

    /// Tags a commit (lightweight).
    pub fn tag(&self, name: &str, sha: &str) -> Result<()> {
        let commit = self.find_commit(sha)?;
        self.repo
            .tag_lightweight(name, commit.as_object(), true)
            .map_err(|e| git_error(&format!("cannot tag {name}"), e))?;
        Ok(())
    }

    fn find_commit(&self, sha: &str) -> Result<git2::Commit<'_>> {
        let oid = git2::Oid::from_str(sha).map_err(|e| git_error(&format!("bad sha {sha}"), e))?;
        self.repo
            .find_commit(oid)
            .map_err(|e| git_error(&format!("no commit {sha}"), e))
    }
}

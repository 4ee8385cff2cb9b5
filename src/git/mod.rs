//! captain's view of a git repository: revisions, ancestry, the commits a release
//! introduces, dependency snapshots and diff summaries.
//!
//! git2 types never leak out of this room; every error names the revision or path that
//! failed. captain never shells out to `git`. Work is incremental: nothing here walks the
//! whole history or the whole tree unless the question asks for it (SPEC §4).
//!
//! - [`lockfiles`]: parsers for the lockfile formats, and snapshot comparison.
//! - `snapshot`: finding the lockfiles of a commit's tree ([`Repo::scan_dependencies`]).
//! - `diff`: files changed between two commits ([`Repo::diff_summary`]).

mod diff;
pub mod lockfiles;
pub mod sandbox;
mod snapshot;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ErrorCode, Oid, Sort};

use crate::error::{Error, Result, suggestion_hint};
use crate::model::{CommitInfo, Dependency, Timestamp};

pub use diff::{DiffSummary, FileChange, FileStatus};
pub use snapshot::DependencyScan;

/// A git repository opened by captain.
pub struct Repo {
    repo: git2::Repository,
    /// Parsed lockfiles by (blob id, path): two snapshots in one process (a release and
    /// its base, a rollback preview) mostly share unchanged lockfiles.
    lockfile_cache: RefCell<LockfileCache>,
}

/// Parsed lockfiles (or why they could not be read) by blob id and path in the tree.
type LockfileCache = HashMap<(Oid, String), Result<Vec<Dependency>>>;

/// The first seven characters of a sha, as tables show commits.
pub fn short_sha(sha: &str) -> String {
    sha.chars().take(7).collect()
}

impl Repo {
    fn wrap(repo: git2::Repository) -> Repo {
        Repo {
            repo,
            lockfile_cache: RefCell::new(HashMap::new()),
        }
    }

    /// Opens the repository containing `path` (searching upwards).
    pub fn discover(path: &Path) -> Result<Repo> {
        match Self::open_if_any(path)? {
            Some(repo) => Ok(repo),
            None => Err(Error::not_found(format!(
                "there is no git repository at or above {}",
                path.display()
            ))
            .with_hint("run captain inside a git checkout, or pass the commit explicitly")),
        }
    }

    /// Like [`Repo::discover`], but `None` when there is no repository at all, for commands
    /// that work without a checkout (the ledger alone answers them). A repository that
    /// exists but cannot be opened is still an error.
    pub fn open_if_any(path: &Path) -> Result<Option<Repo>> {
        // Searches upwards and opens in one pass, as `Repository::discover` does in two
        // (it found the directory, then opened it again: a dozen system calls more).
        let search = git2::Repository::open_ext(
            path,
            git2::RepositoryOpenFlags::CROSS_FS,
            std::iter::empty::<&std::ffi::OsStr>(),
        );
        match search {
            Ok(repo) => Ok(Some(Self::wrap(repo))),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) if e.code() == ErrorCode::Owner => Err(Error::failed(format!(
                "the git repository at {} belongs to another user, so git refuses to open it",
                path.display()
            ))
            .with_hint(format!(
                "if you trust it: git config --global --add safe.directory {}",
                path.display()
            ))),
            Err(e) => Err(git_failed(
                format!(
                    "the git repository at {} could not be opened",
                    path.display()
                ),
                &e,
            )),
        }
    }

    /// The working directory (or the git dir of a bare repository).
    pub fn root(&self) -> &Path {
        self.repo.workdir().unwrap_or_else(|| self.repo.path())
    }

    /// Resolves any revision git understands (full or short sha, tag, branch, `HEAD~3`,
    /// `main^2`) to the full 40-hex sha of a commit; annotated tags are peeled.
    ///
    /// Errors: an unknown revision is `NotFound` (with a did-you-mean over branch and tag
    /// names, or a hint to fetch); an ambiguous short sha or malformed syntax is `Usage`.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        self.commit_oid(rev).map(|oid| oid.to_string())
    }

    fn commit_oid(&self, rev: &str) -> Result<Oid> {
        let wanted = rev.trim();
        if wanted.is_empty() {
            return Err(Error::usage("the revision is empty")
                .with_hint("give a sha, a tag, a branch or HEAD~N"));
        }
        let object = self
            .repo
            .revparse_single(wanted)
            .map_err(|e| self.revision_error(rev, &e))?;
        match object.peel_to_commit() {
            Ok(commit) => Ok(commit.id()),
            Err(_) => {
                let kind = object.kind().map(|k| k.str()).unwrap_or("object");
                Err(Error::usage(format!(
                    "revision `{rev}` names a {kind}, not a commit"
                )))
            }
        }
    }

    fn revision_error(&self, rev: &str, e: &git2::Error) -> Error {
        match e.code() {
            ErrorCode::Ambiguous => Error::usage(format!(
                "revision `{rev}` is ambiguous: more than one object in the repository at {} starts with it",
                self.root().display()
            ))
            .with_hint("give more characters of the sha"),
            ErrorCode::InvalidSpec => Error::usage(format!("`{rev}` is not a valid revision"))
                .with_hint("give a sha, a tag, a branch or HEAD~N"),
            ErrorCode::NotFound | ErrorCode::UnbornBranch => {
                let error = Error::not_found(format!(
                    "revision `{rev}` is not in the repository at {}",
                    self.root().display()
                ));
                let names = self.ref_names();
                if let Some(hint) = suggestion_hint(rev, names.iter().map(String::as_str)) {
                    error.with_hint(hint)
                } else if rev.len() >= 4 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
                    error.with_hint("if the commit is on a remote or beyond a shallow clone, fetch it first (git fetch --unshallow)")
                } else {
                    error.with_hint("give a sha, a tag, a branch or HEAD~N")
                }
            }
            _ => git_failed(format!("revision `{rev}` could not be read"), e),
        }
    }

    /// Short names of branches, remote branches and tags, for did-you-mean hints (only on
    /// the error path, so listing them all is fine).
    fn ref_names(&self) -> Vec<String> {
        let Ok(references) = self.repo.references() else {
            return Vec::new();
        };
        references
            .flatten()
            .filter_map(|r| r.shorthand().ok().map(str::to_string))
            .collect()
    }

    /// Is `ancestor` reachable from `descendant`, or the same commit? Exactly
    /// `git merge-base --is-ancestor ancestor descendant`.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let ancestor_oid = self.commit_oid(ancestor)?;
        let descendant_oid = self.commit_oid(descendant)?;
        if ancestor_oid == descendant_oid {
            return Ok(true);
        }
        self.repo
            .graph_descendant_of(descendant_oid, ancestor_oid)
            .map_err(|e| {
                git_failed(
                    format!("could not tell whether `{ancestor}` is an ancestor of `{descendant}`"),
                    &e,
                )
            })
    }

    /// The commits reachable from `to` and not from `from` (`git log from..to`), merges
    /// included, newest first in topological order (a commit always before its parents).
    /// `from = None` gives the whole history of `to`.
    ///
    /// The walk hides `from`'s history, so it costs what the new commits cost, not the
    /// size of the repository. libgit2's walk stops on commit dates, which commits dated
    /// before their parents can fool into listing old commits; the result is therefore
    /// checked exactly (see [`Repo::drop_ancestors_of`]), which is cheap when nothing
    /// is wrong.
    pub fn commits_between(&self, from: Option<&str>, to: &str) -> Result<Vec<CommitInfo>> {
        let to_oid = self.commit_oid(to)?;
        let from_oid = from.map(|rev| self.commit_oid(rev)).transpose()?;
        let range = match from {
            Some(from) => format!("{from}..{to}"),
            None => to.to_string(),
        };
        let walk_failed = |e: git2::Error| {
            git_failed(format!("the commits of `{range}` could not be listed"), &e)
        };
        let mut walk = self.repo.revwalk().map_err(walk_failed)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .map_err(walk_failed)?;
        walk.push(to_oid).map_err(walk_failed)?;
        if let Some(from_oid) = from_oid {
            walk.hide(from_oid).map_err(walk_failed)?;
        }
        let mut commits = Vec::new();
        for oid in walk {
            let oid = oid.map_err(walk_failed)?;
            let (info, parents) = self.read_commit(oid)?;
            commits.push((oid, info, parents));
        }
        if let Some(from_oid) = from_oid {
            self.drop_ancestors_of(from_oid, &mut commits)
                .map_err(walk_failed)?;
        }
        Ok(commits.into_iter().map(|(_, info, _)| info).collect())
    }

    /// Removes from `commits` (a walk's answer, newest first, with parents) those that are
    /// ancestors of `from` after all.
    ///
    /// Ancestors of `from` are closed under "parent of": a commit with a parent that is
    /// new work is new work too. So only commits none of whose parents is new work need a
    /// check, with libgit2's merge-base test, which is exact whatever the dates; normally
    /// those are the handful of commits where branches of new work begin, and all pass.
    /// If one fails, dates fooled the walk: then every ancestor of `from` is listed once
    /// and removed (costing the history of `from`, but only for such histories).
    fn drop_ancestors_of(
        &self,
        from: Oid,
        commits: &mut Vec<(Oid, CommitInfo, Vec<Oid>)>,
    ) -> std::result::Result<(), git2::Error> {
        let mut new_work: HashSet<Oid> = HashSet::with_capacity(commits.len());
        // Oldest first, so parents are decided before their children. A parent that is not
        // listed is an ancestor of `from` (the walk never leaves out new work).
        for (oid, _, parents) in commits.iter().rev() {
            if parents.iter().any(|p| new_work.contains(p)) {
                new_work.insert(*oid);
            } else if *oid == from || self.repo.graph_descendant_of(from, *oid)? {
                let mut walk = self.repo.revwalk()?;
                walk.push(from)?;
                let mut old = HashSet::new();
                for ancestor in walk {
                    old.insert(ancestor?);
                }
                commits.retain(|(oid, _, _)| !old.contains(oid));
                return Ok(());
            } else {
                new_work.insert(*oid);
            }
        }
        Ok(())
    }

    /// The commit `rev` names, as the ledger records commits.
    pub fn commit_info(&self, rev: &str) -> Result<CommitInfo> {
        let oid = self.commit_oid(rev)?;
        self.read_commit(oid).map(|(info, _)| info)
    }

    /// One commit as the ledger records it, and its parents' ids.
    fn read_commit(&self, oid: Oid) -> Result<(CommitInfo, Vec<Oid>)> {
        let commit = self
            .repo
            .find_commit(oid)
            .map_err(|e| git_failed(format!("commit {oid} could not be read"), &e))?;
        let author = commit.author();
        // The author date, as `git log` shows it.
        let seconds = author.when().seconds();
        let time = Timestamp::from_second(seconds).map_err(|_| {
            Error::failed(format!(
                "commit {oid} has an impossible date ({seconds} seconds after 1970)"
            ))
        })?;
        let info = CommitInfo {
            sha: oid.to_string(),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            time,
            // The first paragraph with line breaks folded, like `git log --format=%s`.
            subject: commit
                .summary_bytes()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default(),
            parents: u32::try_from(commit.parent_count()).unwrap_or(u32::MAX),
        };
        Ok((info, commit.parent_ids().collect()))
    }

    /// The full sha of the commit HEAD points at.
    pub fn head_commit(&self) -> Result<String> {
        let head = self.repo.head().map_err(|e| match e.code() {
            ErrorCode::UnbornBranch | ErrorCode::NotFound => Error::not_found(format!(
                "the repository at {} has no commits yet",
                self.root().display()
            ))
            .with_hint("commit something first, or pass the commit explicitly"),
            _ => git_failed(
                format!(
                    "HEAD of the repository at {} could not be read",
                    self.root().display()
                ),
                &e,
            ),
        })?;
        head.peel_to_commit()
            .map(|c| c.id().to_string())
            .map_err(|e| {
                git_failed(
                    format!(
                        "HEAD of the repository at {} is not a commit",
                        self.root().display()
                    ),
                    &e,
                )
            })
    }

    /// The branch HEAD is on, or `None` when HEAD is detached (as in most CI checkouts).
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if !head.is_branch() {
            return None;
        }
        head.shorthand().ok().map(str::to_string)
    }

    /// Is `commit` on the trunk `branch`: reachable from the local branch or from
    /// `origin/<branch>` (CI checkouts often have only the remote-tracking one)? Not found
    /// when the repository has neither.
    pub fn is_on_branch(&self, commit: &str, branch: &str) -> Result<bool> {
        let oid = self.commit_oid(commit)?;
        let tips = self.branch_tips(branch)?;
        if tips.is_empty() {
            return Err(Error::not_found(format!(
                "the trunk branch `{branch}` is not in the repository at {} (neither `{branch}` nor `origin/{branch}`)",
                self.root().display()
            ))
            .with_hint(format!(
                "fetch it (git fetch origin {branch}), or set `trunk` in pipeline.toml to the branch releases come from"
            )));
        }
        // Releasing the trunk's tip is the usual case, and costs no walk.
        if tips.contains(&oid) {
            return Ok(true);
        }
        for tip in tips {
            let below = self.repo.graph_descendant_of(tip, oid).map_err(|e| {
                git_failed(
                    format!("could not tell whether `{commit}` is on `{branch}`"),
                    &e,
                )
            })?;
            if below {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Does `branch` name a branch here: a local one, `origin/<branch>`, or the branch a
    /// repository without commits is about to make?
    pub fn has_branch(&self, branch: &str) -> Result<bool> {
        Ok(
            !self.branch_tips(branch)?.is_empty()
                || self.unborn_branch().as_deref() == Some(branch),
        )
    }

    /// The commits `refs/heads/<branch>` and `refs/remotes/origin/<branch>` point at, of
    /// those that exist.
    fn branch_tips(&self, branch: &str) -> Result<Vec<Oid>> {
        let mut tips = Vec::new();
        for name in [
            format!("refs/heads/{branch}"),
            format!("refs/remotes/origin/{branch}"),
        ] {
            let reference = match self.repo.find_reference(&name) {
                Ok(reference) => reference,
                Err(e) if e.code() == ErrorCode::NotFound => continue,
                Err(e) if e.code() == ErrorCode::InvalidSpec => {
                    return Err(Error::usage(format!(
                        "`{branch}` is not a valid branch name"
                    )));
                }
                Err(e) => {
                    return Err(git_failed(
                        format!("branch `{branch}` could not be read"),
                        &e,
                    ));
                }
            };
            let tip = reference.peel_to_commit().map_err(|e| {
                git_failed(format!("branch `{branch}` does not point at a commit"), &e)
            })?;
            tips.push(tip.id());
        }
        Ok(tips)
    }

    /// The names of the local branches and of the remote-tracking ones (`origin/main`),
    /// sorted, for did-you-mean hints.
    pub fn branch_names(&self) -> Vec<String> {
        let Ok(branches) = self.repo.branches(None) else {
            return Vec::new();
        };
        let mut names: Vec<String> = branches
            .flatten()
            .filter_map(|(branch, _)| branch.name().ok().flatten().map(str::to_string))
            .filter(|name| !name.ends_with("/HEAD"))
            .collect();
        names.extend(self.unborn_branch());
        names.sort();
        names.dedup();
        names
    }

    /// The repository's default branch: what `origin/HEAD` points at when the clone has
    /// it, else the branch HEAD is on (even one without commits yet); `None` when HEAD is
    /// detached and there is no `origin/HEAD`.
    pub fn default_branch(&self) -> Option<String> {
        let remote_head = self
            .repo
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string));
        if let Some(branch) =
            remote_head.and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_string))
        {
            return Some(branch);
        }
        self.current_branch().or_else(|| self.unborn_branch())
    }

    /// The branch HEAD names in a repository without commits yet.
    fn unborn_branch(&self) -> Option<String> {
        if self.repo.head().is_ok() {
            return None;
        }
        let head = self.repo.find_reference("HEAD").ok()?;
        head.symbolic_target()
            .ok()
            .flatten()?
            .strip_prefix("refs/heads/")
            .map(str::to_string)
    }

    /// Where a shallow clone's history stops, if `commits` (a walk's answer) reach it:
    /// the first of them whose parents the clone does not have. `None` in a complete
    /// clone, or when the walk stayed inside what the clone has.
    pub fn shallow_cut_in(&self, commits: &[CommitInfo]) -> Result<Option<String>> {
        if !self.repo.is_shallow() {
            return Ok(None);
        }
        // git lists a shallow clone's boundary commits, one sha a line, in `shallow`.
        let path = self.repo.commondir().join("shallow");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::failed(format!(
                    "could not read {}: {e}",
                    path.display()
                )));
            }
        };
        let boundary: HashSet<&str> = text.lines().map(str::trim).collect();
        Ok(commits
            .iter()
            .find(|c| boundary.contains(c.sha.as_str()))
            .map(|c| c.sha.clone()))
    }

    /// Does the repository have this commit (a full sha)? A release's commit can be
    /// missing from a clone: a hotfix branch deleted after its release, say.
    pub fn has_commit(&self, sha: &str) -> bool {
        Oid::from_str(sha.trim()).is_ok_and(|oid| self.repo.find_commit(oid).is_ok())
    }

    fn tree_of(&self, oid: Oid, rev: &str) -> Result<git2::Tree<'_>> {
        self.repo
            .find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(|e| git_failed(format!("the tree of `{rev}` could not be read"), &e))
    }
}

/// A git2 failure that is not the user's input: the context sentence plus libgit2's words.
fn git_failed(context: String, e: &git2::Error) -> Error {
    Error::failed(format!("{context}: {}", e.message()))
}

#[cfg(test)]
mod tests;

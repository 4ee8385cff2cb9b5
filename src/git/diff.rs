//! Diff summaries: the files changed between two commits, with line counts, for the
//! rollback preview ("the files changed between the two releases").
//!
//! Plain data out; summarising for a terminal (top N files, totals) is the view's job.

use git2::{Delta, DiffFindOptions, DiffOptions, Patch};
use serde::{Deserialize, Serialize};

use super::{Repo, git_failed};
use crate::error::Result;

/// How one file changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Deleted,
    Modified,
    Renamed,
    Copied,
    /// A file became a symlink or a submodule, or the other way round.
    TypeChanged,
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FileChange {
    /// The path after the change (for a deletion, the path that was deleted).
    pub path: String,
    /// The path before, for renames and copies.
    pub old_path: Option<String>,
    pub status: FileStatus,
    pub insertions: usize,
    pub deletions: usize,
    /// Binary files have no line counts.
    pub binary: bool,
}

/// The files changed from one commit to another, and the totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSummary {
    /// Sorted by path.
    pub files: Vec<FileChange>,
    pub files_changed: usize,
    pub insertions: usize,
    pub deletions: usize,
}

impl Repo {
    /// The files changed from `from` to `to` (both any revision), as `git diff --stat -M
    /// from to`: renames are detected, line counts are per file.
    pub fn diff_summary(&self, from: &str, to: &str) -> Result<DiffSummary> {
        let old_tree = self.tree_of(self.commit_oid(from)?, from)?;
        let new_tree = self.tree_of(self.commit_oid(to)?, to)?;
        let failed = |e: git2::Error| {
            git_failed(
                format!("the changes from `{from}` to `{to}` could not be computed"),
                &e,
            )
        };
        let mut options = DiffOptions::new();
        options.include_typechange(true);
        let mut diff = self
            .repo
            .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut options))
            .map_err(failed)?;
        let mut find = DiffFindOptions::new();
        find.renames(true);
        diff.find_similar(Some(&mut find)).map_err(failed)?;

        let mut summary = DiffSummary::default();
        for index in 0..diff.deltas().len() {
            let Some(delta) = diff.get_delta(index) else {
                continue;
            };
            let status = match delta.status() {
                Delta::Added => FileStatus::Added,
                Delta::Deleted => FileStatus::Deleted,
                Delta::Renamed => FileStatus::Renamed,
                Delta::Copied => FileStatus::Copied,
                Delta::Typechange => FileStatus::TypeChanged,
                Delta::Modified => FileStatus::Modified,
                // Unmodified, ignored, untracked and unreadable never come out of a
                // tree-to-tree diff without asking for them.
                _ => continue,
            };
            let path_of =
                |file: git2::DiffFile<'_>| file.path().map(|p| p.to_string_lossy().into_owned());
            let new_path = path_of(delta.new_file());
            let old_path = path_of(delta.old_file());
            let path = match status {
                FileStatus::Deleted => old_path.clone(),
                _ => new_path.clone(),
            }
            .unwrap_or_default();
            let moved = matches!(status, FileStatus::Renamed | FileStatus::Copied);
            let patch = Patch::from_diff(&diff, index).map_err(failed)?;
            let (insertions, deletions) = match &patch {
                Some(patch) => {
                    let (_, insertions, deletions) = patch.line_stats().map_err(failed)?;
                    (insertions, deletions)
                }
                None => (0, 0),
            };
            // Loading the patch is what tells libgit2 whether a side is binary, so the flags
            // are read again after it.
            let binary = diff.get_delta(index).is_some_and(|d| d.flags().is_binary());
            summary.insertions += insertions;
            summary.deletions += deletions;
            summary.files.push(FileChange {
                path,
                old_path: if moved { old_path } else { None },
                status,
                insertions,
                deletions,
                binary,
            });
        }
        summary.files.sort_by(|a, b| a.path.cmp(&b.path));
        summary.files_changed = summary.files.len();
        Ok(summary)
    }
}

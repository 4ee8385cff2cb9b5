//! `release create`: turn a commit into an immutable release — the commits it introduces
//! (from its base release, the newest earlier release that is its ancestor) and the
//! dependency snapshot of its lockfiles — and record it.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::model::{CreatedRelease, NewRelease, Release, Timestamp};
use crate::store::{ReleaseFilter, Store};

/// How many recent releases are checked for the base before the whole list is read.
const RECENT_RELEASES: usize = 64;

/// What `release create` was asked to do.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// A revision git resolves (a sha, a tag, `HEAD`).
    pub rev: String,
    pub artifacts: BTreeMap<String, String>,
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
    if let Some(existing) = store.release_by_commit(&commit)? {
        return same_release(existing, &request.artifacts);
    }
    let base = find_base(store, repo, &commit)?;
    let commits = repo.commits_between(base.as_ref().map(|r| r.commit.as_str()), &commit)?;
    let scan = repo.scan_dependencies(&commit)?;
    let created = store.create_release(NewRelease {
        commit,
        base: base.map(|r| r.number),
        artifacts: request.artifacts,
        actor: request.actor,
        created_at: request.now,
        commits,
        dependencies: scan.snapshot,
        hotfix_reason: None,
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

/// The newest release whose commit is an ancestor of `commit`. Refuses a commit that an
/// existing release already contains: releases only move forward.
fn find_base(store: &dyn Store, repo: &Repo, commit: &str) -> Result<Option<Release>> {
    let recent = store.releases(&ReleaseFilter {
        limit: Some(RECENT_RELEASES),
    })?;
    if let Some(latest) = recent.first()
        && repo.is_ancestor(commit, &latest.commit)?
    {
        return Err(Error::usage(format!(
            "commit {} is already contained in release {}; releases only move forward",
            &commit[..commit.len().min(12)],
            latest.number
        ))
        .with_hint("to put an older release back, use `captain rollback`"));
    }
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
        if repo.is_ancestor(&release.commit, commit)? {
            return Ok(Some(release));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

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

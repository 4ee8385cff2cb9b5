//! `captain where REV`: the article's "Deployment History for Source Code Commit c22183" —
//! the first release containing the commit, the deployment that first brought it to each
//! environment, and where it is and is not deployed now.
//!
//! Containment is exact (a release contains a commit iff the commit is an ancestor of the
//! release's commit) and is answered from the ledger alone, so it works without a checkout
//! and stays right after rollbacks, for merges and for hotfix branches.

use serde::{Deserialize, Serialize};

use crate::config::Outline;
use crate::error::{ErrorKind, Result};
use crate::git::Repo;
use crate::model::*;
use crate::store::Store;

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WhereView {
    pub commit: String,
    /// The commit's subject and author, when a checkout is at hand.
    pub subject: Option<String>,
    pub author: Option<String>,
    pub release: Option<ReleaseNumber>,
    pub deployed_to: Vec<String>,
    pub not_deployed_to: Vec<String>,
    pub history: Vec<CommitArrival>,
    /// The blocks of the releases named here (`captain release block`).
    pub blocked: Vec<super::BlockView>,
}

/// Resolves `rev` (with git when there is a checkout, else as a sha prefix in the ledger)
/// and locates it. From a team server the view is the server's own, built there by this
/// function with the definition it holds (one request); the checkout here still resolves
/// `rev` and names the commit's subject and author.
pub fn build(
    pipeline: &Outline,
    store: &dyn Store,
    repo: Option<&Repo>,
    rev: &str,
) -> Result<WhereView> {
    let environments = &pipeline.environments;
    let locate = |sha: &str| -> Result<WhereView> {
        if let Some(server) = store.as_http() {
            return server.where_view(sha);
        }
        let mut view = view(store.locate_commit(sha, environments)?);
        let named = |r: &ReleaseNumber| {
            view.release == Some(*r) || view.history.iter().any(|a| a.release == *r)
        };
        if view.release.is_some() {
            view.blocked = super::BlockView::all(&store.locks()?)
                .into_iter()
                .filter(|b| named(&b.release))
                .collect();
        }
        Ok(view)
    };
    let Some(repo) = repo else {
        return locate(rev);
    };
    // From a team server, a full sha is asked for while git reads the commit here (the
    // two took one after the other about as long as each other).
    let given = crate::model::full_sha(rev, "commit").ok();
    let (sha, details, asked) = match (store.as_http(), &given) {
        (Some(server), Some(given)) => std::thread::scope(|scope| {
            let remote = scope.spawn(|| server.where_view(given));
            let local = repo.resolve(rev);
            let details = local
                .as_ref()
                .ok()
                .and_then(|sha| repo.commit_info(sha).ok());
            let asked = remote.join().unwrap_or_else(|_| {
                Err(crate::Error::internal("the request to the server panicked"))
            });
            local.map(|sha| (sha, details, Some(asked)))
        })?,
        _ => {
            let sha = repo.resolve(rev)?;
            let details = repo.commit_info(&sha).ok();
            (sha, details, None)
        }
    };
    let answer = match asked {
        Some(answer) if given.as_deref() == Some(sha.as_str()) => answer,
        _ => locate(&sha),
    };
    let mut found = match answer {
        Ok(found) => found,
        // Every ancestor of every release is recorded, so a commit the ledger has never
        // seen is in no release yet.
        Err(e) if e.kind == ErrorKind::NotFound => view(CommitLocation {
            commit: sha,
            release: None,
            deployed_to: Vec::new(),
            not_deployed_to: environments.clone(),
            history: Vec::new(),
        }),
        Err(e) => return Err(e),
    };
    if let Some(details) = details {
        found.subject = Some(details.subject);
        found.author = Some(details.author);
    }
    Ok(found)
}

/// The view of a location, without the commit's subject and author (a checkout names them).
fn view(location: CommitLocation) -> WhereView {
    WhereView {
        commit: location.commit,
        subject: None,
        author: None,
        release: location.release,
        deployed_to: location.deployed_to,
        not_deployed_to: location.not_deployed_to,
        history: location.history,
        blocked: Vec::new(),
    }
}

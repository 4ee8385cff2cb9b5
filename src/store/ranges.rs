//! Backend-independent reasoning behind `history`'s commit ranges: what a deployment
//! brought to its environment (a normal one) or removed from it (a rollback), given the
//! environment's current release before it. Backends supply one release lookup (a query)
//! and this room caches it and walks the release base chain.

use std::collections::HashMap;

use super::location;
use crate::error::Error;
use crate::model::{CommitRange, Deployment, DeploymentKind, ReleaseNumber};

/// Everything `history` needs of a release to compute commit ranges.
#[derive(Clone, Debug)]
pub struct RangeInfo {
    pub base: Option<ReleaseNumber>,
    pub commit: String,
    pub commit_count: u64,
    pub first_commit: Option<String>,
}

/// Commit ranges over a release lookup, each release read at most once.
pub struct CommitRanges<F> {
    lookup: F,
    releases: HashMap<ReleaseNumber, RangeInfo>,
}

impl<E: From<Error>, F: FnMut(ReleaseNumber) -> Result<RangeInfo, E>> CommitRanges<F> {
    /// `lookup` reads one release; a release missing from the ledger is its error to give.
    pub fn new(lookup: F) -> Self {
        CommitRanges {
            lookup,
            releases: HashMap::new(),
        }
    }

    fn get(&mut self, number: ReleaseNumber) -> Result<&RangeInfo, E> {
        if !self.releases.contains_key(&number) {
            let info = (self.lookup)(number)?;
            self.releases.insert(number, info);
        }
        self.releases
            .get(&number)
            .ok_or_else(|| E::from(Error::internal("release cache")))
    }

    /// The release's own introduced commits.
    fn own(&mut self, number: ReleaseNumber) -> Result<CommitRange, E> {
        let info = self.get(number)?;
        Ok(CommitRange {
            count: info.commit_count,
            first: info.first_commit.clone(),
            last: (info.commit_count > 0).then(|| info.commit.clone()),
        })
    }

    /// The commits of `newer` not in `older`, when `older` is on `newer`'s base chain.
    fn between(
        &mut self,
        older: ReleaseNumber,
        newer: ReleaseNumber,
    ) -> Result<Option<CommitRange>, E> {
        let Some(chain) =
            location::chain_after(older, newer, |r| self.get(r).map(|info| info.base))?
        else {
            return Ok(None);
        };
        let mut range = CommitRange {
            count: 0,
            first: None,
            last: None,
        };
        for number in &chain {
            let info = self.get(*number)?;
            range.count += info.commit_count;
            if range.first.is_none() {
                range.first = info.first_commit.clone();
            }
        }
        if !chain.is_empty() {
            range.last = Some(self.get(newer)?.commit.clone());
        }
        Ok(Some(range))
    }

    /// What a deployment brought (normal) or removed (rollback), given the environment's
    /// current release before it.
    pub fn range(
        &mut self,
        deployment: &Deployment,
        previous: Option<ReleaseNumber>,
    ) -> Result<CommitRange, E> {
        let empty = CommitRange {
            count: 0,
            first: None,
            last: None,
        };
        let release = deployment.release;
        match (deployment.kind, previous) {
            (_, Some(previous)) if previous == release => Ok(empty),
            (DeploymentKind::Normal, None) => self.own(release),
            (DeploymentKind::Normal, Some(previous)) => match self.between(previous, release)? {
                Some(range) => Ok(range),
                None => self.own(release),
            },
            (DeploymentKind::Rollback, None) => Ok(empty),
            (DeploymentKind::Rollback, Some(previous)) => match self.between(release, previous)? {
                Some(range) => Ok(range),
                None => self.own(previous),
            },
        }
    }
}

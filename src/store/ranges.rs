//! Backend-independent reasoning behind `history`'s commit counts: what a deployment
//! changed in its environment, given the release the environment had before it — the
//! commits it added (`git rev-list previous..this`) and those it removed
//! (`git rev-list this..previous`). Backends supply two lookups ([`ReleaseFacts`]); this
//! room caches them and walks the release base tree. Nothing here touches git.
//!
//! Why the ledger is enough: the commits of a release, every ancestor of its commit, are
//! the commits introduced along its base chain, in disjoint sets (a release introduced
//! `base..commit`; the first of a chain, everything reachable). Two releases' chains
//! share everything below their newest common release ([`location::fork`]), so only the
//! releases above it differ:
//!
//! - when the previous release is on this one's chain (the usual step forward), the
//!   deployment added what the releases after it introduced and removed nothing — a sum
//!   of counts, no commit read; a step back along one chain is the mirror image;
//! - otherwise (a release built from a hotfix branch, or a rollback across one) each
//!   side's introduced commits are read and compared as sets: a commit can be introduced
//!   on both sides, when a hotfix branch is merged back into main later.

use std::collections::{HashMap, HashSet};

use super::location;
use crate::error::Error;
use crate::model::{
    CommitRange, Deployment, DeploymentKind, HistoryEntry, ReleaseNumber, RevRange,
};

/// Everything `history` needs of a release to count commits.
#[derive(Clone, Debug)]
pub struct RangeInfo {
    pub number: ReleaseNumber,
    pub base: Option<ReleaseNumber>,
    pub commit: String,
    pub commit_count: u64,
    pub first_commit: Option<String>,
}

/// What a backend answers about its releases, each in one query.
pub trait ReleaseFacts {
    type Error: From<Error>;

    /// The releases numbered from `low` to `high`, both included, in any order. A walk
    /// down a base chain reads a stretch of numbers at once: a base is always older, so
    /// the chain from `high` down to `low` lies in it.
    fn releases(
        &mut self,
        low: ReleaseNumber,
        high: ReleaseNumber,
    ) -> Result<Vec<RangeInfo>, Self::Error>;

    /// The commits these releases introduced, as (release, sha) pairs: each release's
    /// newest first.
    fn introduced(
        &mut self,
        numbers: &[ReleaseNumber],
    ) -> Result<Vec<(ReleaseNumber, String)>, Self::Error>;
}

/// How far below the walk's floor the first lookup reads ahead, in release numbers
/// (doubling with each further one): where two chains part below the older release, it
/// is usually near (a hotfix branch cut a few releases back).
const READ_AHEAD: u64 = 64;

/// The widest stretch of release numbers [`CommitRanges::read_span`] reads in one query.
const WIDEST_SPAN: u64 = 1024;

/// What a deployment from `previous` to a release changed: the commits added and
/// removed, each with its oldest and newest commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub added: CommitRange,
    pub removed: CommitRange,
}

fn nothing() -> CommitRange {
    CommitRange {
        count: 0,
        first: None,
        last: None,
    }
}

/// Commit counts over a backend's [`ReleaseFacts`], each release and each commit list
/// read at most once, and a walk down a chain read in one query.
pub struct CommitRanges<F> {
    facts: F,
    releases: HashMap<ReleaseNumber, RangeInfo>,
    introduced: HashMap<ReleaseNumber, Vec<String>>,
    /// The current walk reads every release down to here at once (the older of the two
    /// releases, or the first release for a first deployment)…
    floor: ReleaseNumber,
    /// … and below it, this many more numbers per lookup.
    ahead: u64,
}

impl<F: ReleaseFacts> CommitRanges<F> {
    pub fn new(facts: F) -> Self {
        CommitRanges {
            facts,
            releases: HashMap::new(),
            introduced: HashMap::new(),
            floor: ReleaseNumber(0),
            ahead: READ_AHEAD,
        }
    }

    /// Reads every release from the lowest to the highest of `numbers` in one query, when
    /// they lie within [`WIDEST_SPAN`] numbers of each other: a history's rows step from
    /// release to release among them, and each step would otherwise read its own stretch
    /// (on a team server, fifty rows were fifty round trips to its database).
    pub fn read_span(
        &mut self,
        numbers: impl IntoIterator<Item = ReleaseNumber>,
    ) -> Result<(), F::Error> {
        let mut numbers = numbers.into_iter();
        let Some(first) = numbers.next() else {
            return Ok(());
        };
        let (low, high) = numbers.fold((first, first), |(low, high), n| (low.min(n), high.max(n)));
        if high.0 - low.0 >= WIDEST_SPAN {
            return Ok(());
        }
        for info in self.facts.releases(low, high)? {
            self.releases.entry(info.number).or_insert(info);
        }
        Ok(())
    }

    fn info(&mut self, number: ReleaseNumber) -> Result<&RangeInfo, F::Error> {
        if !self.releases.contains_key(&number) {
            let low = if number > self.floor {
                self.floor
            } else {
                let low = ReleaseNumber(number.0.saturating_sub(self.ahead));
                self.ahead = self.ahead.saturating_mul(2);
                low
            };
            for info in self.facts.releases(low, number)? {
                self.releases.entry(info.number).or_insert(info);
            }
        }
        self.releases.get(&number).ok_or_else(|| {
            F::Error::from(Error::internal(format!(
                "release {number} is missing from the ledger"
            )))
        })
    }

    fn commit(&mut self, number: ReleaseNumber) -> Result<String, F::Error> {
        Ok(self.info(number)?.commit.clone())
    }

    /// The history row of `deployment`, given the environment's current release when it
    /// started (`None` for the first deployment there).
    pub fn entry(
        &mut self,
        deployment: Deployment,
        previous: Option<ReleaseNumber>,
    ) -> Result<HistoryEntry, F::Error> {
        let change = self.change(deployment.release, previous)?;
        let this = self.commit(deployment.release)?;
        let before = previous.map(|p| self.commit(p)).transpose()?;
        let added = RevRange {
            count: change.added.count,
            from: before.clone(),
            to: this.clone(),
        };
        let removed = RevRange {
            count: change.removed.count,
            to: before.unwrap_or_else(|| this.clone()),
            from: Some(this),
        };
        let commits = match deployment.kind {
            DeploymentKind::Normal => change.added,
            DeploymentKind::Rollback => change.removed,
        };
        Ok(HistoryEntry {
            deployment,
            commits,
            added,
            removed,
        })
    }

    /// The commits a deployment of `release` over `previous` added and removed.
    pub fn change(
        &mut self,
        release: ReleaseNumber,
        previous: Option<ReleaseNumber>,
    ) -> Result<Change, F::Error> {
        // A step along one chain is read down to the older release in one query; a first
        // deployment reads every release up to this one.
        self.floor = previous.map_or(ReleaseNumber(0), |p| p.min(release));
        self.ahead = READ_AHEAD;
        let fork = location::fork(release, previous, |r| self.info(r).map(|info| info.base))?;
        match (fork.ours.is_empty(), fork.theirs.is_empty()) {
            (_, true) => Ok(Change {
                added: self.along(&fork.ours)?,
                removed: nothing(),
            }),
            (true, false) => Ok(Change {
                added: nothing(),
                removed: self.along(&fork.theirs)?,
            }),
            (false, false) => {
                self.read_introduced(fork.ours.iter().chain(&fork.theirs))?;
                Ok(Change {
                    added: self.difference(&fork.ours, &fork.theirs)?,
                    removed: self.difference(&fork.theirs, &fork.ours)?,
                })
            }
        }
    }

    /// What the releases of one chain segment (newest first) introduced: disjoint sets,
    /// so counts add up.
    fn along(&mut self, chain: &[ReleaseNumber]) -> Result<CommitRange, F::Error> {
        let mut range = nothing();
        for &number in chain.iter().rev() {
            let info = self.info(number)?;
            range.count += info.commit_count;
            if range.first.is_none() {
                range.first.clone_from(&info.first_commit);
            }
        }
        if range.count > 0
            && let Some(&newest) = chain.first()
        {
            range.last = Some(self.commit(newest)?);
        }
        Ok(range)
    }

    fn read_introduced<'a>(
        &mut self,
        numbers: impl Iterator<Item = &'a ReleaseNumber>,
    ) -> Result<(), F::Error> {
        let missing: Vec<ReleaseNumber> = numbers
            .filter(|number| !self.introduced.contains_key(number))
            .copied()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        for number in &missing {
            self.introduced.insert(*number, Vec::new());
        }
        for (number, sha) in self.facts.introduced(&missing)? {
            self.introduced.entry(number).or_default().push(sha);
        }
        Ok(())
    }

    /// The commits introduced on side `ours` and not on side `theirs` (both newest first,
    /// their commit lists read).
    fn difference(
        &self,
        ours: &[ReleaseNumber],
        theirs: &[ReleaseNumber],
    ) -> Result<CommitRange, F::Error> {
        let listed = |number: &ReleaseNumber| {
            self.introduced
                .get(number)
                .ok_or_else(|| F::Error::from(Error::internal("commit list cache")))
        };
        let mut excluded: HashSet<&str> = HashSet::new();
        for number in theirs {
            excluded.extend(listed(number)?.iter().map(String::as_str));
        }
        let mut range = nothing();
        for number in ours {
            for sha in listed(number)? {
                // Inserting also keeps a commit listed twice on one side from counting twice.
                if excluded.insert(sha) {
                    range.count += 1;
                    if range.last.is_none() {
                        range.last = Some(sha.clone());
                    }
                    range.first = Some(sha.clone());
                }
            }
        }
        Ok(range)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{DeploymentId, Outcome, Timestamp};

    /// A ledger in memory: release → (base, introduced commits newest first; the first
    /// one is the release's commit).
    struct Ledger {
        releases: BTreeMap<u64, (Option<u64>, Vec<String>)>,
        lists_read: Vec<u64>,
        reads: usize,
    }

    impl ReleaseFacts for &mut Ledger {
        type Error = Error;

        fn releases(
            &mut self,
            low: ReleaseNumber,
            high: ReleaseNumber,
        ) -> Result<Vec<RangeInfo>, Error> {
            self.reads += 1;
            Ok(self
                .releases
                .range(low.0..=high.0)
                .map(|(&number, (base, commits))| RangeInfo {
                    number: ReleaseNumber(number),
                    base: base.map(ReleaseNumber),
                    commit: commits[0].clone(),
                    commit_count: commits.len() as u64,
                    first_commit: commits.last().cloned(),
                })
                .collect())
        }

        fn introduced(
            &mut self,
            numbers: &[ReleaseNumber],
        ) -> Result<Vec<(ReleaseNumber, String)>, Error> {
            let mut pairs = Vec::new();
            for number in numbers {
                self.lists_read.push(number.0);
                let (_, commits) = &self.releases[&number.0];
                pairs.extend(commits.iter().map(|sha| (*number, sha.clone())));
            }
            Ok(pairs)
        }
    }

    /// Main: v1 (a1 a2 a3, with everything older), v2 (b1 b2), v3 (c1); hotfix v4 on a
    /// branch cut at v2 (h1 h2); v5 on main after the hotfix was merged back (e1, m1 the
    /// merge), whose base is v4, the newest release it contains, so it introduces v3's c1
    /// again; a second hotfix v6 cut at v3 (x1).
    fn ledger() -> Ledger {
        let mut ledger = Ledger {
            releases: BTreeMap::new(),
            lists_read: Vec::new(),
            reads: 0,
        };
        ledger.add(1, None, &["a3", "a2", "a1"]);
        ledger.add(2, Some(1), &["b2", "b1"]);
        ledger.add(3, Some(2), &["c1"]);
        ledger.add(4, Some(2), &["h2", "h1"]);
        ledger.add(5, Some(4), &["m1", "e1", "c1"]);
        ledger.add(6, Some(3), &["x1"]);
        ledger
    }

    impl Ledger {
        fn add(&mut self, number: u64, base: Option<u64>, commits: &[&str]) {
            let commits = commits.iter().map(|c| c.to_string()).collect();
            self.releases.insert(number, (base, commits));
        }
    }

    fn range(count: u64, first: Option<&str>, last: Option<&str>) -> CommitRange {
        CommitRange {
            count,
            first: first.map(str::to_string),
            last: last.map(str::to_string),
        }
    }

    fn change(ledger: &mut Ledger, release: u64, previous: Option<u64>) -> Change {
        CommitRanges::new(ledger)
            .change(ReleaseNumber(release), previous.map(ReleaseNumber))
            .unwrap()
    }

    #[test]
    fn a_first_deployment_brings_every_commit_of_the_release() {
        let mut ledger = ledger();
        assert_eq!(
            change(&mut ledger, 3, None),
            Change {
                added: range(6, Some("a1"), Some("c1")),
                removed: nothing(),
            }
        );
        // The hotfix v4 has v1, v2 and its own: not v3's c1.
        assert_eq!(
            change(&mut ledger, 4, None).added,
            range(7, Some("a1"), Some("h2"))
        );
        assert!(ledger.lists_read.is_empty(), "counts only");
        assert_eq!(ledger.reads, 2, "one query per walk");
    }

    #[test]
    fn a_history_read_as_one_span_reads_its_releases_once() {
        let mut ledger = ledger();
        let mut ranges = CommitRanges::new(&mut ledger);
        // The steps of a history: v1 to v2, v2 to v3, v3 to v5 (across the hotfix), back to v3.
        let steps = [(2, Some(1)), (3, Some(2)), (5, Some(3)), (3, Some(5))];
        ranges
            .read_span(
                steps
                    .iter()
                    .flat_map(|&(r, p)| [r].into_iter().chain(p))
                    .map(ReleaseNumber),
            )
            .unwrap();
        let changes: Vec<Change> = steps
            .iter()
            .map(|&(r, p)| {
                ranges
                    .change(ReleaseNumber(r), p.map(ReleaseNumber))
                    .unwrap()
            })
            .collect();
        assert_eq!(changes[0].added, range(2, Some("b1"), Some("b2")));
        assert_eq!(changes[2].removed.count, 0, "v5 contains v3's c1");
        drop(ranges);
        assert_eq!(
            ledger.reads, 1,
            "the whole span in one query, no read per step"
        );
        // The same steps without it read once per step.
        let mut again = self::ledger();
        let mut ranges = CommitRanges::new(&mut again);
        for &(r, p) in &steps {
            ranges
                .change(ReleaseNumber(r), p.map(ReleaseNumber))
                .unwrap();
        }
        drop(ranges);
        assert!(again.reads > 1);
    }

    #[test]
    fn a_span_too_wide_is_left_to_the_steps() {
        let mut ledger = ledger();
        let mut ranges = CommitRanges::new(&mut ledger);
        ranges
            .read_span([ReleaseNumber(1), ReleaseNumber(1 + WIDEST_SPAN)])
            .unwrap();
        drop(ranges);
        assert_eq!(ledger.reads, 0);
    }

    #[test]
    fn a_step_along_one_chain_counts_without_reading_commits() {
        let mut ledger = ledger();
        assert_eq!(
            change(&mut ledger, 3, Some(1)).added,
            range(3, Some("b1"), Some("c1"))
        );
        assert_eq!(
            change(&mut ledger, 1, Some(3)),
            Change {
                added: nothing(),
                removed: range(3, Some("b1"), Some("c1")),
            }
        );
        assert_eq!(
            change(&mut ledger, 2, Some(2)),
            Change {
                added: nothing(),
                removed: nothing(),
            }
        );
        assert!(ledger.lists_read.is_empty(), "counts only");
    }

    #[test]
    fn a_long_walk_is_one_query() {
        let mut ledger = ledger();
        for n in 7..=300 {
            ledger.add(n, Some(n - 1), &[&format!("t{n}")]);
        }
        ledger.add(6, Some(5), &["t6"]);
        let mut ranges = CommitRanges::new(&mut ledger);
        let step = ranges
            .change(ReleaseNumber(300), Some(ReleaseNumber(100)))
            .unwrap();
        assert_eq!(step.added.count, 200);
        let back = ranges
            .change(ReleaseNumber(250), Some(ReleaseNumber(290)))
            .unwrap();
        assert_eq!(back.removed.count, 40);
        let first = ranges.change(ReleaseNumber(299), None).unwrap();
        // One each from v299 down to v6, then v5, v4, v2 and v1 (ten).
        assert_eq!(first.added.count, 3 + 2 + 2 + 3 + 294);
        assert_eq!(ledger.reads, 2, "down to v100, then the rest");

        // A hotfix cut at v10 over v300: below v300, reads ahead in doubling stretches.
        ledger.add(301, Some(10), &["y1"]);
        ledger.reads = 0;
        let change = CommitRanges::new(&mut ledger)
            .change(ReleaseNumber(301), Some(ReleaseNumber(300)))
            .unwrap();
        assert_eq!(change.added, range(1, Some("y1"), Some("y1")));
        assert_eq!(change.removed, range(290, Some("t11"), Some("t300")));
        // v300..v301, then 64, 128 and 256 numbers further down.
        assert_eq!(ledger.reads, 4);
    }

    #[test]
    fn across_a_hotfix_branch_both_sides_count() {
        let mut ledger = ledger();
        // v3 → hotfix v4: h1 h2 added, c1 removed.
        assert_eq!(
            change(&mut ledger, 4, Some(3)),
            Change {
                added: range(2, Some("h1"), Some("h2")),
                removed: range(1, Some("c1"), Some("c1")),
            }
        );
        // hotfix v4 → v3, a rollback across the branch: the mirror image.
        assert_eq!(
            change(&mut ledger, 3, Some(4)),
            Change {
                added: range(1, Some("c1"), Some("c1")),
                removed: range(2, Some("h1"), Some("h2")),
            }
        );
        // v3 → v5 (on the hotfix's chain, with the hotfix merged): c1 was introduced on
        // both sides, so only m1, e1 and the hotfix commits are new, and nothing goes.
        assert_eq!(
            change(&mut ledger, 5, Some(3)),
            Change {
                added: range(4, Some("h1"), Some("m1")),
                removed: nothing(),
            }
        );
        // Second hotfix v6 (cut at v3) over v5: x1 comes; m1, e1, h1, h2 go.
        assert_eq!(
            change(&mut ledger, 6, Some(5)),
            Change {
                added: range(1, Some("x1"), Some("x1")),
                removed: range(4, Some("h1"), Some("m1")),
            }
        );
        // Only the releases above the fork are read.
        let mut read = ledger.lists_read.clone();
        read.sort_unstable();
        read.dedup();
        assert_eq!(read, vec![3, 4, 5, 6]);
    }

    #[test]
    fn chains_that_never_meet_compare_everything() {
        let mut ledger = ledger();
        // v7 built from an old commit no release is an ancestor of: it lists its own
        // history, a1 a2 included.
        ledger.add(7, None, &["o1", "a2", "a1"]);
        assert_eq!(
            change(&mut ledger, 7, Some(2)),
            Change {
                added: range(1, Some("o1"), Some("o1")),
                removed: range(3, Some("a3"), Some("b2")),
            }
        );
    }

    #[test]
    fn a_row_names_its_ranges_as_git_does() {
        let mut ledger = ledger();
        let deployment = |release: u64, kind: DeploymentKind| Deployment {
            id: DeploymentId("deploy-000001".into()),
            environment: "prod-2".into(),
            stage: "prod".into(),
            release: ReleaseNumber(release),
            kind,
            actor: "ci".into(),
            reason: None,
            started_at: Timestamp::UNIX_EPOCH,
            finished_at: None,
            outcome: Outcome::Approved,
        };
        let mut ranges = CommitRanges::new(&mut ledger);
        let first = ranges
            .entry(deployment(2, DeploymentKind::Normal), None)
            .unwrap();
        assert_eq!(
            (first.added, first.removed),
            (
                RevRange {
                    count: 5,
                    from: None,
                    to: "b2".into()
                },
                RevRange {
                    count: 0,
                    from: Some("b2".into()),
                    to: "b2".into()
                }
            )
        );
        assert_eq!(first.commits, range(5, Some("a1"), Some("b2")));
        // A rollback from the hotfix to v3: `commits` is what it removed.
        let back = ranges
            .entry(
                deployment(3, DeploymentKind::Rollback),
                Some(ReleaseNumber(4)),
            )
            .unwrap();
        assert_eq!(
            (back.added, back.removed),
            (
                RevRange {
                    count: 1,
                    from: Some("h2".into()),
                    to: "c1".into()
                },
                RevRange {
                    count: 2,
                    from: Some("c1".into()),
                    to: "h2".into()
                }
            )
        );
        assert_eq!(back.commits, range(2, Some("h1"), Some("h2")));
    }

    #[test]
    fn a_missing_release_is_the_backends_error() {
        let mut ledger = ledger();
        let error = CommitRanges::new(&mut ledger)
            .change(ReleaseNumber(9), Some(ReleaseNumber(1)))
            .unwrap_err();
        assert!(error.to_string().contains("v9"), "{error}");
    }
}

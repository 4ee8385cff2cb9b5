//! Backend-independent reasoning behind `locate_commit` and `history`: which releases
//! contain a commit, and which commits lie between two releases, given only each
//! release's base (the ledger's picture of the git graph).
//!
//! Every backend loads `(number, base)` pairs and calls these pure functions, so SQLite,
//! PostgreSQL and the HTTP server agree by construction. Nothing here touches a store
//! or git.
//!
//! Why the ledger alone is enough: a release R built from commit R.c records the commits
//! reachable from R.c and not from its base's commit (`git log base..R`). Following
//! bases from R (R, base(R), base(base(R)), …) therefore covers exactly the ancestors of
//! R.c, the first release having recorded every ancestor of its commit. So R contains a
//! commit c (c is an ancestor-or-self of R.c) iff some release that introduced c lies on
//! R's base chain. A commit can be introduced by several releases — a hotfix release
//! introduces it on its branch, and the next trunk release introduces it again when the
//! hotfix is merged back — which is why the introducing releases form a set.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::ReleaseNumber;

/// Each release's base, as recorded. A base is always an older release (a smaller
/// number), which is what lets one pass in number order answer "contains".
pub type Bases = BTreeMap<ReleaseNumber, Option<ReleaseNumber>>;

/// The releases from the first one that introduced a commit on, as a backend reads them
/// for [`containing_releases`]: on a trunk nearly every release's base is the release
/// just before it, so only the others are listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReleaseGraph {
    /// The newest release.
    pub last: Option<ReleaseNumber>,
    /// When `dense` (every number from the first introducer to `last` is a release):
    /// the releases whose base is not the one just before (the first release, a hotfix,
    /// a release built on an older one), with their base; every other release's base is
    /// the one before it. Otherwise every release, with its base.
    pub listed: Bases,
    pub dense: bool,
}

impl ReleaseGraph {
    /// Every release listed (nothing assumed): what a ledger with gaps in its numbers
    /// gives, and the tests' graphs.
    pub fn of(bases: Bases) -> ReleaseGraph {
        ReleaseGraph {
            last: bases.keys().next_back().copied(),
            listed: bases,
            dense: false,
        }
    }
}

/// A set of releases as ranges of numbers (a trunk commit is in thousands of releases,
/// one range), in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Containing {
    /// Inclusive, ascending, apart.
    ranges: Vec<(u64, u64)>,
}

impl Containing {
    pub fn contains(&self, release: &ReleaseNumber) -> bool {
        let n = release.0;
        let at = self.ranges.partition_point(|(_, end)| *end < n);
        self.ranges.get(at).is_some_and(|(start, _)| *start <= n)
    }

    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|(a, b)| b - a + 1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The smallest: "the first release that contains it".
    pub fn first(&self) -> Option<ReleaseNumber> {
        self.ranges.first().map(|(a, _)| ReleaseNumber(*a))
    }

    /// The largest.
    pub fn last(&self) -> Option<ReleaseNumber> {
        self.ranges.last().map(|(_, b)| ReleaseNumber(*b))
    }

    pub fn iter(&self) -> impl Iterator<Item = ReleaseNumber> + '_ {
        self.ranges
            .iter()
            .flat_map(|(a, b)| (*a..=*b).map(ReleaseNumber))
    }

    /// Adds `n`, larger than everything in the set.
    fn push(&mut self, n: u64) {
        match self.ranges.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => self.ranges.push((n, n)),
        }
    }

    /// Extends the last range up to `n` (the releases after it follow it).
    fn extend_to(&mut self, n: u64) {
        if let Some((_, end)) = self.ranges.last_mut() {
            *end = (*end).max(n);
        }
    }
}

/// The releases that contain a commit, given the releases that introduced it.
///
/// In number order: R contains c iff R introduced c or R's base contains c. Between the
/// releases listed or introducing, a dense graph's releases follow the one before them,
/// so a trunk commit costs the hotfixes after it, not every release. Releases missing
/// from the graph are ignored.
pub fn containing_releases(
    graph: &ReleaseGraph,
    introduced_by: &BTreeSet<ReleaseNumber>,
) -> Containing {
    let mut containing = Containing::default();
    let (Some(first), Some(last)) = (introduced_by.iter().next().copied(), graph.last) else {
        return containing;
    };
    let exists = |r: &ReleaseNumber| *r <= last && (graph.dense || graph.listed.contains_key(r));
    let events: BTreeSet<ReleaseNumber> = introduced_by
        .iter()
        .copied()
        .filter(exists)
        .chain(graph.listed.range(first..).map(|(r, _)| *r))
        .collect();
    let mut previous: Option<(u64, bool)> = None;
    for release in events {
        let n = release.0;
        if graph.dense
            && let Some((p, true)) = previous
            && n > p + 1
        {
            containing.extend_to(n - 1);
        }
        let contains = introduced_by.contains(&release)
            || match graph.listed.get(&release) {
                Some(base) => base.is_some_and(|b| b < release && containing.contains(&b)),
                // Its base is the release before, which follows the previous event.
                None => previous.is_some_and(|(_, c)| c),
            };
        if contains {
            containing.push(n);
        }
        previous = Some((n, contains));
    }
    if graph.dense
        && let Some((p, true)) = previous
        && last.0 > p
    {
        containing.extend_to(last.0);
    }
    containing
}

/// The releases on `release`'s base chain strictly after `ancestor`, oldest first, if
/// `ancestor` is on that chain (`None` otherwise, including when they are equal: then
/// the answer is the empty list).
///
/// `base_of` looks one release up; backends pass a closure over a cache or a query so
/// a short walk costs only the releases it visits. A lookup error stops the walk.
pub fn chain_after<E>(
    ancestor: ReleaseNumber,
    release: ReleaseNumber,
    mut base_of: impl FnMut(ReleaseNumber) -> Result<Option<ReleaseNumber>, E>,
) -> Result<Option<Vec<ReleaseNumber>>, E> {
    let mut chain = Vec::new();
    let mut at = release;
    loop {
        if at == ancestor {
            chain.reverse();
            return Ok(Some(chain));
        }
        if at < ancestor {
            return Ok(None);
        }
        chain.push(at);
        match base_of(at)? {
            // A base is always older; anything else is a corrupt ledger, not a loop.
            Some(base) if base < at => at = base,
            _ => return Ok(None),
        }
    }
}

/// Where two releases' base chains part: the releases above their newest common release
/// on each side, newest first. The commits of `ours` are those its side introduced plus
/// the common release's; so are `theirs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fork {
    pub ours: Vec<ReleaseNumber>,
    pub theirs: Vec<ReleaseNumber>,
    /// The newest release on both chains; `None` when they never meet (a release built
    /// from a commit no earlier release is an ancestor of starts a chain of its own).
    pub common: Option<ReleaseNumber>,
}

/// The fork between `ours` and `theirs` (`None`: no release, so `ours`'s whole chain).
///
/// Walks the newer of the two down until they meet, so it costs the releases above the
/// common one and no more: when `theirs` is on `ours`'s chain, `fork.theirs` is empty and
/// `fork.ours` the chain after it; the other way round for a step back. A base that is
/// not older than its release (a corrupt ledger) ends its chain rather than looping.
pub fn fork<E>(
    ours: ReleaseNumber,
    theirs: Option<ReleaseNumber>,
    mut base_of: impl FnMut(ReleaseNumber) -> Result<Option<ReleaseNumber>, E>,
) -> Result<Fork, E> {
    let mut older = |at: ReleaseNumber| -> Result<Option<ReleaseNumber>, E> {
        Ok(base_of(at)?.filter(|base| *base < at))
    };
    let mut fork = Fork {
        ours: Vec::new(),
        theirs: Vec::new(),
        common: None,
    };
    let (mut a, mut b) = (Some(ours), theirs);
    loop {
        match (a, b) {
            (Some(x), Some(y)) if x == y => {
                fork.common = Some(x);
                return Ok(fork);
            }
            (Some(x), Some(y)) if x > y => {
                fork.ours.push(x);
                a = older(x)?;
            }
            (Some(x), None) => {
                fork.ours.push(x);
                a = older(x)?;
            }
            (_, Some(y)) => {
                fork.theirs.push(y);
                b = older(y)?;
            }
            (None, None) => return Ok(fork),
        }
    }
}

/// Is `ancestor` on `release`'s base chain (or the same release)?
pub fn is_on_chain(bases: &Bases, ancestor: ReleaseNumber, release: ReleaseNumber) -> bool {
    matches!(
        chain_after(ancestor, release, |r| Ok::<_, ()>(
            bases.get(&r).copied().flatten()
        )),
        Ok(Some(_))
    )
}

/// The smallest release containing the commit: "the first release that contains it".
pub fn first_containing(containing: &Containing) -> Option<ReleaseNumber> {
    containing.first()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u64) -> ReleaseNumber {
        ReleaseNumber(n)
    }

    fn bases(pairs: &[(u64, Option<u64>)]) -> Bases {
        pairs.iter().map(|&(n, b)| (v(n), b.map(v))).collect()
    }

    fn set(ns: &[u64]) -> BTreeSet<ReleaseNumber> {
        ns.iter().map(|&n| v(n)).collect()
    }

    /// The definition, release by release over every release: R contains c iff R
    /// introduced c or R's base contains c.
    fn reference(bases: &Bases, introduced: &BTreeSet<ReleaseNumber>) -> BTreeSet<ReleaseNumber> {
        let mut out = BTreeSet::new();
        for (&n, &base) in bases {
            if introduced.contains(&n) || base.is_some_and(|b| b < n && out.contains(&b)) {
                out.insert(n);
            }
        }
        out
    }

    /// [`containing_releases`] on the graph with every release listed, and (when the
    /// numbers are dense) as a backend reads it, listing only the releases whose base is
    /// not the one before; both must say what [`reference`] says.
    fn containing(bases: &Bases, introduced: &BTreeSet<ReleaseNumber>) -> BTreeSet<ReleaseNumber> {
        let expected = reference(bases, introduced);
        let all = containing_releases(&ReleaseGraph::of(bases.clone()), introduced);
        assert_eq!(all.iter().collect::<BTreeSet<_>>(), expected, "all listed");
        assert_eq!(all.len(), expected.len() as u64);
        assert_eq!(first_containing(&all), expected.iter().next().copied());
        for n in 0..=bases.len() as u64 + 2 {
            assert_eq!(
                all.contains(&v(n)),
                expected.contains(&v(n)),
                "contains v{n}"
            );
        }
        if let (Some(first), Some(last)) = (introduced.iter().next(), bases.keys().next_back())
            && bases.range(*first..).count() as u64 == last.0.saturating_sub(first.0) + 1
        {
            let sparse = ReleaseGraph {
                last: Some(*last),
                listed: bases
                    .range(*first..)
                    .filter(|(n, b)| **b != Some(v(n.0 - 1)))
                    .map(|(n, b)| (*n, *b))
                    .collect(),
                dense: true,
            };
            let got = containing_releases(&sparse, introduced);
            assert_eq!(got, all, "sparse {sparse:?}");
        }
        expected
    }

    #[test]
    fn listing_only_irregular_releases_gives_the_same_answer_as_listing_all() {
        // A small deterministic generator: trunks with hotfixes, releases built on older
        // ones, a second root.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..300 {
            let count = 1 + next(40);
            let mut bases = Bases::new();
            for n in 1..=count {
                let base = match next(10) {
                    _ if n == 1 => None,
                    0 => None,
                    1 | 2 => Some(v(1 + next(n - 1))),
                    _ => Some(v(n - 1)),
                };
                bases.insert(v(n), base);
            }
            let introduced: BTreeSet<ReleaseNumber> =
                (0..1 + next(3)).map(|_| v(1 + next(count))).collect();
            containing(&bases, &introduced);
        }
    }

    /// Trunk v1 → v2 → v3 → v5 → v6, and a hotfix v4 built on v2 (branch from v2's commit).
    /// v5 was built before the hotfix was merged back (base v3); v6 after (base v5, and
    /// it introduces the hotfix commit again).
    fn hotfix_graph() -> Bases {
        bases(&[
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(2)),
            (5, Some(3)),
            (6, Some(5)),
        ])
    }

    #[test]
    fn a_trunk_commit_is_in_its_release_and_every_later_trunk_release() {
        let graph = hotfix_graph();
        // Introduced by v2: v4 (hotfix on v2) contains it too.
        assert_eq!(containing(&graph, &set(&[2])), set(&[2, 3, 4, 5, 6]));
        // Introduced by v3: not in the hotfix v4, which branched from v2.
        assert_eq!(containing(&graph, &set(&[3])), set(&[3, 5, 6]));
    }

    #[test]
    fn a_hotfix_commit_is_only_in_the_hotfix_until_merged_back() {
        let graph = hotfix_graph();
        // Only v4 introduced it: not in trunk releases.
        assert_eq!(containing(&graph, &set(&[4])), set(&[4]));
        // Merged back: v6 introduced it again, so v6 contains it, v5 still does not.
        let containing = containing(&graph, &set(&[4, 6]));
        assert_eq!(containing, set(&[4, 6]));
        assert_eq!(containing.iter().next(), Some(&v(4)));
    }

    #[test]
    fn commits_older_than_the_first_release_are_in_every_release() {
        // The first release records all ancestors of its commit.
        let graph = hotfix_graph();
        assert_eq!(containing(&graph, &set(&[1])), set(&[1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn unknown_or_empty_introducers_contain_nothing() {
        let graph = hotfix_graph();
        assert!(containing(&graph, &set(&[])).is_empty());
        assert!(containing(&graph, &set(&[99])).is_empty());
    }

    #[test]
    fn chains_follow_bases() {
        let graph = hotfix_graph();
        let base_of = |r: ReleaseNumber| Ok::<_, ()>(graph.get(&r).copied().flatten());
        assert_eq!(
            chain_after(v(2), v(6), base_of),
            Ok(Some(vec![v(3), v(5), v(6)]))
        );
        assert_eq!(chain_after(v(6), v(6), base_of), Ok(Some(vec![])));
        // v4 is a hotfix off v2: v3 is not on its chain.
        assert_eq!(chain_after(v(3), v(4), base_of), Ok(None));
        assert_eq!(chain_after(v(2), v(4), base_of), Ok(Some(vec![v(4)])));
        // Newer "ancestor": never on the chain.
        assert_eq!(chain_after(v(5), v(3), base_of), Ok(None));
        assert!(is_on_chain(&graph, v(1), v(6)));
        assert!(!is_on_chain(&graph, v(4), v(6)));
    }

    #[test]
    fn forks_part_at_the_newest_common_release() {
        let graph = hotfix_graph();
        let fork_of = |ours: u64, theirs: Option<u64>| {
            fork(v(ours), theirs.map(v), |r| {
                Ok::<_, ()>(graph.get(&r).copied().flatten())
            })
            .map(|f| {
                let numbers = |side: Vec<ReleaseNumber>| side.into_iter().map(|r| r.0).collect();
                (numbers(f.ours), numbers(f.theirs), f.common.map(|r| r.0))
            })
        };
        // A step forward on one chain: only our side.
        assert_eq!(fork_of(6, Some(2)), Ok((vec![6, 5, 3], vec![], Some(2))));
        // A step back: only their side.
        assert_eq!(fork_of(2, Some(6)), Ok((vec![], vec![6, 5, 3], Some(2))));
        // The hotfix v4 and trunk v5 part at v2.
        assert_eq!(fork_of(4, Some(5)), Ok((vec![4], vec![5, 3], Some(2))));
        assert_eq!(fork_of(6, Some(4)), Ok((vec![6, 5, 3], vec![4], Some(2))));
        assert_eq!(fork_of(3, Some(3)), Ok((vec![], vec![], Some(3))));
        // Nothing before: the whole chain.
        assert_eq!(fork_of(4, None), Ok((vec![4, 2, 1], vec![], None)));
        // Two chains that never meet.
        let apart = bases(&[(1, None), (2, Some(1)), (3, None)]);
        let f = fork(v(3), Some(v(2)), |r| {
            Ok::<_, ()>(apart.get(&r).copied().flatten())
        });
        assert_eq!(
            f,
            Ok(Fork {
                ours: vec![v(3)],
                theirs: vec![v(2), v(1)],
                common: None
            })
        );
        // A lookup error stops the walk.
        assert_eq!(fork(v(3), Some(v(1)), |_| Err("gone")), Err("gone"));
    }

    #[test]
    fn a_corrupt_base_does_not_loop() {
        let graph = bases(&[(1, None), (2, Some(2)), (3, Some(5))]);
        let base_of = |r: ReleaseNumber| Ok::<_, ()>(graph.get(&r).copied().flatten());
        assert_eq!(fork(v(2), Some(v(1)), base_of).map(|f| f.common), Ok(None));
        assert_eq!(fork(v(3), Some(v(1)), base_of).map(|f| f.common), Ok(None));
    }

    #[test]
    fn a_corrupt_base_does_not_loop_on_chains() {
        let graph = bases(&[(1, None), (2, Some(2)), (3, Some(5))]);
        assert!(!is_on_chain(&graph, v(1), v(2)));
        assert!(!is_on_chain(&graph, v(1), v(3)));
        assert_eq!(containing(&graph, &set(&[1])), set(&[1]));
    }
}

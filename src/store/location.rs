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

/// The releases that contain a commit, given the releases that introduced it.
///
/// One pass in number order: R contains c iff R introduced c or R's base contains c.
/// Releases missing from `bases` are ignored.
pub fn containing_releases(
    bases: &Bases,
    introduced_by: &BTreeSet<ReleaseNumber>,
) -> BTreeSet<ReleaseNumber> {
    let mut containing = BTreeSet::new();
    let Some(first) = introduced_by.iter().next() else {
        return containing;
    };
    // Releases older than the first introducer cannot contain the commit.
    for (&number, &base) in bases.range(*first..) {
        let via_base = base.is_some_and(|b| b < number && containing.contains(&b));
        if introduced_by.contains(&number) || via_base {
            containing.insert(number);
        }
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
pub fn first_containing(containing: &BTreeSet<ReleaseNumber>) -> Option<ReleaseNumber> {
    containing.iter().next().copied()
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
        assert_eq!(
            containing_releases(&graph, &set(&[2])),
            set(&[2, 3, 4, 5, 6])
        );
        // Introduced by v3: not in the hotfix v4, which branched from v2.
        assert_eq!(containing_releases(&graph, &set(&[3])), set(&[3, 5, 6]));
    }

    #[test]
    fn a_hotfix_commit_is_only_in_the_hotfix_until_merged_back() {
        let graph = hotfix_graph();
        // Only v4 introduced it: not in trunk releases.
        assert_eq!(containing_releases(&graph, &set(&[4])), set(&[4]));
        // Merged back: v6 introduced it again, so v6 contains it, v5 still does not.
        let containing = containing_releases(&graph, &set(&[4, 6]));
        assert_eq!(containing, set(&[4, 6]));
        assert_eq!(first_containing(&containing), Some(v(4)));
    }

    #[test]
    fn commits_older_than_the_first_release_are_in_every_release() {
        // The first release records all ancestors of its commit.
        let graph = hotfix_graph();
        assert_eq!(
            containing_releases(&graph, &set(&[1])),
            set(&[1, 2, 3, 4, 5, 6])
        );
    }

    #[test]
    fn unknown_or_empty_introducers_contain_nothing() {
        let graph = hotfix_graph();
        assert!(containing_releases(&graph, &set(&[])).is_empty());
        assert!(containing_releases(&graph, &set(&[99])).is_empty());
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
        assert_eq!(containing_releases(&graph, &set(&[1])), set(&[1]));
    }
}

//! Tests of the git room against real repositories built in temporary directories.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use git2::{Oid, Signature, Time};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::lockfiles::{Change, diff_snapshots};
use super::*;
use crate::error::ErrorKind;

/// A repository in a temp dir whose commits are built directly as objects (no checkout).
struct Fixture {
    dir: tempfile::TempDir,
    repo: git2::Repository,
    clock: i64,
    /// When set, commit dates wander back and forth, as after rebases and skewed clocks.
    skew: Option<StdRng>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = git2::Repository::init(dir.path()).expect("git init");
        Fixture {
            dir,
            repo,
            clock: 1_700_000_000,
            skew: None,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn open(&self) -> Repo {
        Repo::discover(self.path()).expect("captain opens the fixture")
    }

    /// Builds a tree holding exactly `files` (paths with `/`), nested as needed.
    fn tree(&self, files: &BTreeMap<String, String>) -> Oid {
        let mut here: BTreeMap<&str, &str> = BTreeMap::new();
        let mut below: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
        for (path, content) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    below
                        .entry(dir)
                        .or_default()
                        .insert(rest.to_string(), content.clone());
                }
                None => {
                    here.insert(path, content);
                }
            }
        }
        let mut builder = self.repo.treebuilder(None).expect("treebuilder");
        for (name, content) in here {
            let blob = self.repo.blob(content.as_bytes()).expect("blob");
            builder.insert(name, blob, 0o100644).expect("insert blob");
        }
        for (name, sub) in below {
            let subtree = self.tree(&sub);
            builder
                .insert(name, subtree, 0o040000)
                .expect("insert tree");
        }
        builder.write().expect("write tree")
    }

    /// Commits `files` with `parents`, moving `branch` (if given) to the new commit.
    fn commit(
        &mut self,
        branch: Option<&str>,
        files: &[(&str, &str)],
        parents: &[Oid],
        message: &str,
    ) -> Oid {
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        self.commit_files(branch, &files, parents, message)
    }

    fn commit_files(
        &mut self,
        branch: Option<&str>,
        files: &BTreeMap<String, String>,
        parents: &[Oid],
        message: &str,
    ) -> Oid {
        self.clock += match &mut self.skew {
            // One commit in twenty is dated up to a week before its predecessor.
            Some(rng) => match rng.random_range(0..20) {
                0 => -rng.random_range(0..7 * 86_400),
                _ => 60,
            },
            None => 60,
        };
        let tree = self.repo.find_tree(self.tree(files)).expect("tree");
        let who = Signature::new("Ada Lovelace", "ada@example.com", &Time::new(self.clock, 0))
            .expect("signature");
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).expect("parent"))
            .collect();
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let oid = self
            .repo
            .commit(None, &who, &who, message, &tree, &parent_refs)
            .expect("commit");
        if let Some(branch) = branch {
            self.repo
                .reference(&format!("refs/heads/{branch}"), oid, true, "test")
                .expect("branch ref");
        }
        oid
    }

    fn checkout_branch(&self, branch: &str) {
        self.repo
            .set_head(&format!("refs/heads/{branch}"))
            .expect("set HEAD");
    }
}

fn kind_of<T: std::fmt::Debug>(result: Result<T>) -> ErrorKind {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(e) => e.kind,
    }
}

#[test]
fn opens_only_real_repositories() {
    let empty = tempfile::tempdir().expect("temp dir");
    assert!(
        Repo::open_if_any(empty.path())
            .expect("no error without a repo")
            .is_none()
    );
    assert_eq!(
        kind_of(Repo::discover(empty.path()).map(|_| ())),
        ErrorKind::NotFound
    );

    let fixture = Fixture::new();
    let nested = fixture.path().join("a/b");
    std::fs::create_dir_all(&nested).expect("mkdir");
    let repo = Repo::open_if_any(&nested)
        .expect("opens")
        .expect("found upwards");
    assert_eq!(
        repo.root().canonicalize().expect("root"),
        fixture.path().canonicalize().expect("fixture path")
    );
    // No commit yet: HEAD is unborn.
    assert_eq!(kind_of(repo.head_commit()), ErrorKind::NotFound);
}

#[test]
fn resolves_shas_tags_branches_and_ancestry_syntax() {
    let mut f = Fixture::new();
    let a = f.commit(Some("main"), &[("README", "a")], &[], "first\n\nbody");
    let b = f.commit(Some("main"), &[("README", "b")], &[a], "second");
    let side = f.commit(
        Some("feature"),
        &[("README", "b"), ("side", "x")],
        &[b],
        "side work",
    );
    let m = f.commit(
        Some("main"),
        &[("README", "c"), ("side", "x")],
        &[b, side],
        "Merge feature",
    );
    f.checkout_branch("main");
    let tagger = Signature::new("T", "t@example.com", &Time::new(1_700_000_000, 0)).expect("sig");
    let a_obj = f.repo.find_object(a, None).expect("obj");
    f.repo
        .tag("v1.0", &a_obj, &tagger, "annotated", false)
        .expect("tag");
    f.repo
        .tag_lightweight("light", &f.repo.find_object(b, None).expect("obj"), false)
        .expect("tag");
    let repo = f.open();

    let full = |oid: Oid| oid.to_string();
    assert_eq!(repo.resolve(&full(m)).ok(), Some(full(m)));
    assert_eq!(repo.resolve(&full(m)[..8]).ok(), Some(full(m)));
    assert_eq!(repo.resolve("HEAD").ok(), Some(full(m)));
    assert_eq!(repo.resolve("main").ok(), Some(full(m)));
    assert_eq!(repo.resolve("feature").ok(), Some(full(side)));
    assert_eq!(repo.resolve("HEAD~1").ok(), Some(full(b)));
    assert_eq!(repo.resolve("HEAD~2").ok(), Some(full(a)));
    assert_eq!(repo.resolve("main^2").ok(), Some(full(side)));
    assert_eq!(
        repo.resolve("v1.0").ok(),
        Some(full(a)),
        "annotated tags peel to their commit"
    );
    assert_eq!(repo.resolve("light").ok(), Some(full(b)));
    assert_eq!(repo.resolve(" main ").ok(), Some(full(m)));

    assert_eq!(repo.head_commit().ok(), Some(full(m)));
    assert_eq!(repo.current_branch().as_deref(), Some("main"));

    let missing = repo.resolve("nope").expect_err("unknown revision fails");
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert!(missing.message.contains("`nope`"), "{}", missing.message);
    assert!(
        missing.message.contains(&f.path().display().to_string())
            || missing.message.contains("repository at")
    );
    let misspelt = repo.resolve("featur").expect_err("misspelt branch fails");
    assert_eq!(misspelt.hint.as_deref(), Some("did you mean `feature`?"));
    let beyond = repo.resolve("HEAD~10").expect_err("beyond the root");
    assert_eq!(beyond.kind, ErrorKind::NotFound);
    assert_eq!(kind_of(repo.resolve("deadbeef")), ErrorKind::NotFound);
    assert_eq!(kind_of(repo.resolve("")), ErrorKind::Usage);
    assert_eq!(
        kind_of(repo.resolve("HEAD:README")),
        ErrorKind::Usage,
        "a blob is not a commit"
    );

    // Detached HEAD, as in CI.
    f.repo.set_head_detached(b).expect("detach");
    let repo = f.open();
    assert_eq!(repo.current_branch(), None);
    assert_eq!(repo.head_commit().ok(), Some(full(b)));

    let info = repo.commit_info("main").expect("commit info");
    assert_eq!(info.subject, "Merge feature");
    assert_eq!(info.parents, 2);
    assert!(info.is_merge());
    assert_eq!(info.author, "Ada Lovelace");
    assert_eq!(repo.commit_info(&full(a)).expect("info").subject, "first");
}

#[test]
fn ambiguous_short_sha_is_a_usage_error_naming_it() {
    let f = Fixture::new();
    // Write blobs until two ids share their first four hex digits (quick: birthday bound).
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut prefix = None;
    // Hash without writing, then store only the colliding pair.
    for i in 0..20_000 {
        let content = format!("blob {i}");
        let oid = Oid::hash_object(git2::ObjectType::Blob, content.as_bytes()).expect("hash");
        let key = oid.to_string()[..4].to_string();
        if let Some(earlier) = seen.insert(key.clone(), i) {
            for n in [earlier, i] {
                f.repo.blob(format!("blob {n}").as_bytes()).expect("blob");
            }
            prefix = Some(key);
            break;
        }
    }
    let prefix = prefix.expect("a shared prefix among 20,000 blobs");
    let repo = f.open();
    let error = repo.resolve(&prefix).expect_err("ambiguous prefix fails");
    assert_eq!(error.kind, ErrorKind::Usage, "{}", error.message);
    assert!(
        error.message.contains(&format!("`{prefix}`")) && error.message.contains("ambiguous"),
        "{}",
        error.message
    );
}

/// A random history with branches and merges: (commits in creation order, parents of each).
#[test]
fn trunk_membership_counts_the_local_branch_and_origins() {
    let mut f = Fixture::new();
    let root = f.commit(Some("main"), &[("a", "1")], &[], "root");
    let trunk = f.commit(Some("main"), &[("a", "2")], &[root], "on main");
    let side = f.commit(Some("hotfix"), &[("a", "3")], &[root], "hotfix");
    f.checkout_branch("main");
    let repo = f.open();
    let (root_s, trunk_s, side_s) = (root.to_string(), trunk.to_string(), side.to_string());
    assert_eq!(repo.is_on_branch(&trunk_s, "main").ok(), Some(true));
    assert_eq!(repo.is_on_branch(&root_s, "main").ok(), Some(true));
    assert_eq!(repo.is_on_branch(&side_s, "main").ok(), Some(false));
    assert_eq!(
        kind_of(repo.is_on_branch(&trunk_s, "develop")),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind_of(repo.is_on_branch(&trunk_s, "a..b")),
        ErrorKind::Usage
    );

    // A CI checkout: detached, with only the remote-tracking trunk, which a stale local
    // branch does not hide.
    f.repo
        .reference("refs/remotes/origin/main", trunk, true, "test")
        .expect("remote ref");
    f.repo
        .reference("refs/heads/main", root, true, "test")
        .expect("stale main");
    f.repo.set_head_detached(trunk).expect("detach");
    let repo = f.open();
    assert_eq!(repo.is_on_branch(&trunk_s, "main").ok(), Some(true));
    f.repo
        .find_reference("refs/heads/main")
        .and_then(|mut r| r.delete())
        .expect("delete main");
    let repo = f.open();
    assert_eq!(repo.is_on_branch(&trunk_s, "main").ok(), Some(true));
    assert_eq!(repo.is_on_branch(&side_s, "main").ok(), Some(false));
    assert_eq!(repo.has_branch("main").ok(), Some(true));
    assert_eq!(repo.has_branch("hotfix").ok(), Some(true));
    assert_eq!(repo.has_branch("mian").ok(), Some(false));
    assert_eq!(repo.branch_names(), vec!["hotfix", "origin/main"]);
    assert!(repo.has_commit(&side_s));
    assert!(!repo.has_commit(&"0".repeat(40)));
    assert!(!repo.has_commit("not a sha"));
}

#[test]
fn the_default_branch_is_origin_head_then_the_current_branch() {
    let mut f = Fixture::new();
    f.checkout_branch("trunk");
    // No commits yet: the branch HEAD is about to make.
    assert_eq!(f.open().default_branch().as_deref(), Some("trunk"));
    assert_eq!(f.open().has_branch("trunk").ok(), Some(true));
    assert_eq!(f.open().branch_names(), vec!["trunk"]);
    let root = f.commit(Some("trunk"), &[("a", "1")], &[], "root");
    f.commit(Some("feature"), &[("a", "2")], &[root], "feature");
    f.checkout_branch("feature");
    assert_eq!(f.open().default_branch().as_deref(), Some("feature"));
    f.repo
        .reference("refs/remotes/origin/trunk", root, true, "test")
        .expect("remote ref");
    f.repo
        .reference_symbolic(
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/trunk",
            true,
            "test",
        )
        .expect("origin/HEAD");
    assert_eq!(f.open().default_branch().as_deref(), Some("trunk"));
    assert!(!f.open().branch_names().iter().any(|n| n.ends_with("HEAD")));
}

#[test]
fn a_shallow_clone_shows_where_its_history_stops() {
    let mut f = Fixture::new();
    let root = f.commit(Some("main"), &[("a", "1")], &[], "root");
    let middle = f.commit(Some("main"), &[("a", "2")], &[root], "middle");
    let tip = f.commit(Some("main"), &[("a", "3")], &[middle], "tip");
    f.checkout_branch("main");
    let repo = f.open();
    let everything = repo.commits_between(None, &tip.to_string()).expect("walk");
    assert_eq!(
        repo.shallow_cut_in(&everything).ok(),
        Some(None),
        "complete"
    );

    // How git marks a shallow clone: the commits whose parents it lacks, in `shallow`.
    std::fs::write(f.repo.path().join("shallow"), format!("{middle}\n")).expect("shallow");
    let repo = f.open();
    let walked = repo.commits_between(None, &tip.to_string()).expect("walk");
    assert_eq!(
        walked.iter().map(|c| c.sha.clone()).collect::<Vec<_>>(),
        vec![tip.to_string(), middle.to_string()],
        "the walk stops at the cut"
    );
    assert_eq!(
        repo.shallow_cut_in(&walked).ok(),
        Some(Some(middle.to_string()))
    );
    let above = repo
        .commits_between(Some(&middle.to_string()), &tip.to_string())
        .expect("walk");
    assert_eq!(
        repo.shallow_cut_in(&above).ok(),
        Some(None),
        "above the cut"
    );
}

fn random_history(
    f: &mut Fixture,
    seed: u64,
    commits: usize,
) -> (Vec<Oid>, HashMap<Oid, Vec<Oid>>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order = Vec::new();
    let mut parents_of: HashMap<Oid, Vec<Oid>> = HashMap::new();
    let root = f.commit(Some("main"), &[("n", "0")], &[], "root");
    order.push(root);
    parents_of.insert(root, vec![]);
    let mut heads: Vec<Oid> = vec![root];
    for i in 1..commits {
        let roll = rng.random_range(0..10);
        let parents = if roll < 2 && heads.len() > 1 {
            // Merge two different branch heads.
            let x = rng.random_range(0..heads.len());
            let mut y = rng.random_range(0..heads.len());
            if y == x {
                y = (x + 1) % heads.len();
            }
            vec![heads[x], heads[y]]
        } else {
            vec![heads[rng.random_range(0..heads.len())]]
        };
        let content = i.to_string();
        let oid = f.commit(None, &[("n", &content)], &parents, &format!("commit {i}"));
        // Replace the first parent's head, or start a new branch now and then.
        if roll == 9 || heads.len() < 2 {
            heads.push(oid);
        } else if let Some(slot) = heads.iter().position(|h| *h == parents[0]) {
            heads[slot] = oid;
            if parents.len() == 2 && heads.len() > 2 {
                heads.retain(|h| *h != parents[1]);
            }
        } else {
            heads.push(oid);
        }
        order.push(oid);
        parents_of.insert(oid, parents);
    }
    (order, parents_of)
}

fn ancestors(of: Oid, parents_of: &HashMap<Oid, Vec<Oid>>) -> HashSet<Oid> {
    let mut seen = HashSet::new();
    let mut stack = vec![of];
    while let Some(c) = stack.pop() {
        if seen.insert(c) {
            stack.extend(parents_of.get(&c).into_iter().flatten().copied());
        }
    }
    seen
}

#[test]
fn commits_between_and_is_ancestor_match_brute_force_on_merges() {
    check_against_brute_force(Fixture::new());
}

#[test]
fn commits_between_is_exact_even_when_commit_dates_go_backwards() {
    let mut f = Fixture::new();
    f.skew = Some(StdRng::seed_from_u64(4));
    check_against_brute_force(f);
}

fn check_against_brute_force(mut f: Fixture) {
    let (order, parents_of) = random_history(&mut f, 7, 200);
    let repo = f.open();
    let merges = parents_of.values().filter(|p| p.len() > 1).count();
    assert!(merges > 10, "the generated history has merges ({merges})");
    let ancestry: HashMap<Oid, HashSet<Oid>> = order
        .iter()
        .map(|c| (*c, ancestors(*c, &parents_of)))
        .collect();

    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..150 {
        let from = order[rng.random_range(0..order.len())];
        let to = order[rng.random_range(0..order.len())];
        let (from_s, to_s) = (from.to_string(), to.to_string());

        let listed = repo
            .commits_between(Some(&from_s), &to_s)
            .expect("commits between");
        let want: HashSet<Oid> = ancestry[&to]
            .difference(&ancestry[&from])
            .copied()
            .collect();
        let got: Vec<Oid> = listed
            .iter()
            .map(|c| Oid::from_str(&c.sha).expect("sha"))
            .collect();
        assert_eq!(
            got.len(),
            want.len(),
            "{from}..{to}: no duplicates, nothing missing"
        );
        assert_eq!(
            got.iter().copied().collect::<HashSet<_>>(),
            want,
            "{from}..{to}"
        );
        // Newest first in topological order: every commit before its parents.
        let position: HashMap<Oid, usize> = got.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        for c in &got {
            for p in &parents_of[c] {
                if let Some(pp) = position.get(p) {
                    assert!(position[c] < *pp, "{c} is listed after its parent {p}");
                }
            }
        }
        for info in &listed {
            let oid = Oid::from_str(&info.sha).expect("sha");
            assert_eq!(info.parents as usize, parents_of[&oid].len());
        }

        assert_eq!(
            repo.is_ancestor(&from_s, &to_s).ok(),
            Some(ancestry[&to].contains(&from)),
            "{from} -> {to}"
        );
        assert_eq!(
            repo.is_ancestor(&to_s, &from_s).ok(),
            Some(ancestry[&from].contains(&to)),
            "{to} -> {from}"
        );
    }

    let tip = order[order.len() - 1];
    let whole = repo
        .commits_between(None, &tip.to_string())
        .expect("whole history");
    assert_eq!(whole.len(), ancestry[&tip].len());
    assert_eq!(whole[0].sha, tip.to_string(), "newest first");
    assert_eq!(
        repo.is_ancestor(&tip.to_string(), &tip.to_string()).ok(),
        Some(true)
    );
    assert!(
        repo.commits_between(Some(&tip.to_string()), &tip.to_string())
            .expect("empty range")
            .is_empty()
    );
    assert_eq!(
        kind_of(repo.commits_between(Some("nope"), "HEAD")),
        ErrorKind::NotFound
    );
}

const CARGO_V1: &str = r#"version = 4

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "svc"
version = "0.1.0"
dependencies = ["serde"]
"#;

const NPM_V1: &str = r#"{"name":"web","lockfileVersion":3,"packages":{
  "":{"name":"web"},
  "node_modules/react":{"version":"18.2.0"},
  "node_modules/left-pad":{"version":"1.3.0"}}}"#;

const NPM_V2: &str = r#"{"name":"web","lockfileVersion":3,"packages":{
  "":{"name":"web"},
  "node_modules/react":{"version":"18.3.1"}}}"#;

const GO_V1: &str =
    "github.com/google/uuid v1.3.0 h1:t6Ji=\ngithub.com/google/uuid v1.3.0/go.mod h1:TIyP=\n";
const GO_V2: &str = "github.com/google/uuid v1.3.0 h1:t6Ji=\ngithub.com/google/uuid v1.3.0/go.mod h1:TIyP=\ngolang.org/x/sys v0.12.0 h1:CM0H=\n";

#[test]
fn snapshots_read_every_lockfile_and_diff_between_commits() {
    let mut f = Fixture::new();
    let noise = r#"{"lockfileVersion":3,"packages":{"node_modules/evil":{"version":"6.6.6"}}}"#;
    let first = f.commit(
        Some("main"),
        &[
            ("Cargo.lock", CARGO_V1),
            ("Cargo.toml", "[package]\nname = \"svc\"\n"),
            ("web/package-lock.json", NPM_V1),
            ("services/api/go.sum", GO_V1),
            ("requirements.txt", "flask==2.3.3\n"),
            // Not the project's own lockfiles: installed, vendored, hidden, test data.
            ("web/node_modules/dep/package-lock.json", noise),
            ("vendor/x/package-lock.json", noise),
            (".github/package-lock.json", noise),
            ("a/b/c/d/e/f/g/package-lock.json", noise),
            // Broken: skipped with a warning, never fatal.
            ("ruby/Gemfile.lock", "    broken (\n"),
        ],
        &[],
        "first release",
    );
    let cargo_v2 = CARGO_V1.replace("1.0.200", "1.0.201");
    let second = f.commit(
        Some("main"),
        &[
            ("Cargo.lock", &cargo_v2),
            ("Cargo.toml", "[package]\nname = \"svc\"\n"),
            ("web/package-lock.json", NPM_V2),
            ("services/api/go.sum", GO_V2),
            ("requirements.txt", "flask==2.3.3\n"),
            (
                "ruby/Gemfile.lock",
                "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8)\n",
            ),
        ],
        &[first],
        "second release",
    );
    let repo = f.open();

    let scan = repo
        .scan_dependencies(&first.to_string())
        .expect("scan first");
    assert_eq!(
        scan.lockfiles,
        vec![
            "Cargo.lock",
            "requirements.txt",
            "services/api/go.sum",
            "web/package-lock.json"
        ]
    );
    assert_eq!(scan.warnings.len(), 1, "{:?}", scan.warnings);
    assert!(
        scan.warnings[0].contains("ruby/Gemfile.lock"),
        "{}",
        scan.warnings[0]
    );
    assert!(
        !scan.snapshot.0.iter().any(|d| d.name == "evil"),
        "skipped directories are not read"
    );
    let names: Vec<(&str, &str, &str)> = scan
        .snapshot
        .0
        .iter()
        .map(|d| (d.lockfile.as_str(), d.name.as_str(), d.version.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Cargo.lock", "serde", "1.0.200"),
            ("Cargo.lock", "svc", "0.1.0"),
            ("requirements.txt", "flask", "2.3.3"),
            ("services/api/go.sum", "github.com/google/uuid", "v1.3.0"),
            ("web/package-lock.json", "left-pad", "1.3.0"),
            ("web/package-lock.json", "react", "18.2.0"),
        ]
    );

    let old = repo
        .dependency_snapshot(&first.to_string())
        .expect("first snapshot");
    let new = repo.dependency_snapshot("main").expect("second snapshot");
    assert_eq!(old, scan.snapshot);
    let changes: Vec<(String, String, Change)> = diff_snapshots(&old, &new)
        .into_iter()
        .map(|c| {
            let change = c.change();
            (c.lockfile, c.name, change)
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                "Cargo.lock".into(),
                "serde".into(),
                Change::Changed {
                    from: "1.0.200".into(),
                    to: "1.0.201".into()
                }
            ),
            (
                "ruby/Gemfile.lock".into(),
                "rack".into(),
                Change::Added {
                    version: "2.2.8".into()
                }
            ),
            (
                "services/api/go.sum".into(),
                "golang.org/x/sys".into(),
                Change::Added {
                    version: "v0.12.0".into()
                }
            ),
            (
                "web/package-lock.json".into(),
                "left-pad".into(),
                Change::Removed {
                    version: "1.3.0".into()
                }
            ),
            (
                "web/package-lock.json".into(),
                "react".into(),
                Change::Changed {
                    from: "18.2.0".into(),
                    to: "18.3.1".into()
                }
            ),
        ]
    );
    // A rollback goes the other way.
    let back = diff_snapshots(&new, &old);
    assert!(back.iter().any(|c| c.name == "left-pad"
        && c.change()
            == Change::Added {
                version: "1.3.0".into()
            }));
    let _ = second;
}

#[test]
fn diff_summary_counts_lines_and_detects_renames() {
    let mut f = Fixture::new();
    let long: String = (0..40)
        .map(|i| format!("line {i} of a file that is long enough to be recognised when moved\n"))
        .collect();
    let a = f.commit(
        Some("main"),
        &[
            ("src/lib.rs", "one\ntwo\nthree\n"),
            ("old_name.txt", &long),
            ("gone.txt", "bye\nbye\n"),
        ],
        &[],
        "a",
    );
    let b = f.commit(
        Some("main"),
        &[
            ("src/lib.rs", "one\n2\nthree\nfour\n"),
            ("new_name.txt", &long),
            ("added.md", "hello\n"),
        ],
        &[a],
        "b",
    );
    let repo = f.open();
    let summary = repo
        .diff_summary(&a.to_string(), &b.to_string())
        .expect("diff summary");
    let files: Vec<(&str, FileStatus, usize, usize)> = summary
        .files
        .iter()
        .map(|c| (c.path.as_str(), c.status, c.insertions, c.deletions))
        .collect();
    assert_eq!(
        files,
        vec![
            ("added.md", FileStatus::Added, 1, 0),
            ("gone.txt", FileStatus::Deleted, 0, 2),
            ("new_name.txt", FileStatus::Renamed, 0, 0),
            ("src/lib.rs", FileStatus::Modified, 2, 1),
        ]
    );
    let renamed = &summary.files[2];
    assert_eq!(renamed.old_path.as_deref(), Some("old_name.txt"));
    assert!(!renamed.binary);
    assert_eq!(
        (summary.files_changed, summary.insertions, summary.deletions),
        (4, 3, 3)
    );
    assert!(
        repo.diff_summary("main", "main")
            .expect("no change")
            .files
            .is_empty()
    );
    assert_eq!(
        kind_of(repo.diff_summary("nope", "main")),
        ErrorKind::NotFound
    );
    assert_eq!(short_sha(&b.to_string()), b.to_string()[..7]);
}

/// Not a pass/fail test: how long `commits_between` takes for 100 new commits on top of a
/// long history. Run with `cargo test --release --lib git::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_commits_between_100_new_on_a_long_history() {
    let mut f = Fixture::new();
    let total = 30_000;
    let started = std::time::Instant::now();
    let mut parent: Option<Oid> = None;
    let mut side: Option<Oid> = None;
    let mut base = None;
    for i in 0..total {
        let content = (i % 97).to_string();
        let parents: Vec<Oid> = match (parent, side) {
            (Some(p), Some(s)) if i % 50 == 0 => vec![p, s],
            (Some(p), _) => vec![p],
            _ => vec![],
        };
        let oid = f.commit(None, &[("n", &content)], &parents, "c");
        if i % 50 == 25 {
            side = Some(oid);
        }
        if i % 50 != 25 || parent.is_none() {
            parent = Some(oid);
        }
        if i == total - 101 {
            base = parent;
        }
    }
    let (Some(tip), Some(base)) = (parent, base) else {
        return;
    };
    eprintln!("built {total} commits in {:?}", started.elapsed());
    let repo = f.open();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let commits = repo
            .commits_between(Some(&base.to_string()), &tip.to_string())
            .expect("walk");
        eprintln!(
            "commits_between: {} commits in {:?}",
            commits.len(),
            started.elapsed()
        );
    }
    let started = std::time::Instant::now();
    let scan = repo.scan_dependencies(&tip.to_string()).expect("scan");
    eprintln!(
        "scan_dependencies: {} lockfiles in {:?}",
        scan.lockfiles.len(),
        started.elapsed()
    );
}

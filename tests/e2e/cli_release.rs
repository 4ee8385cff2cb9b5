//! `release create` guards the trunk: a commit that any release already contains is
//! refused, one that is not on the trunk needs `--hotfix --reason` (recorded, audited,
//! shown, exported and carried over HTTP), a CI clone with only `origin/<trunk>` counts,
//! and a shallow clone cannot cut a release's commits short.

use std::path::{Path, PathBuf};

use captain::git::sandbox::Sandbox;

use super::common::{Run, SMALL_PIPELINE, TestEnv, hours_ago};

/// main: first (pipeline.toml) → a → b → c; the branch `hotfix`: p, on a.
struct History {
    env: TestEnv,
    sandbox: Sandbox,
    first: String,
    a: String,
    b: String,
    c: String,
    p: String,
}

fn history() -> History {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let first = head(&env, &env.repo_path());
    let on_main = |name: &str, hours: i64| {
        sandbox
            .commit(
                &[(&format!("src/{name}.txt"), name)],
                &format!("Change {name}"),
                "Ana Lima",
                hours_ago(hours),
            )
            .expect("commit")
    };
    let a = on_main("a", 40);
    let b = on_main("b", 30);
    let c = on_main("c", 20);
    let p = sandbox
        .commit_with_parents(
            &[("src/p.txt", "urgent\n")],
            "Urgent fix",
            "Dana Cruz",
            hours_ago(10),
            std::slice::from_ref(&a),
            Some("refs/heads/hotfix"),
        )
        .expect("hotfix commit");
    History {
        env,
        sandbox,
        first,
        a,
        b,
        c,
        p,
    }
}

fn head(env: &TestEnv, repo: &Path) -> String {
    git(env, repo, &["rev-parse", "HEAD"]).trim().to_string()
}

/// Runs git (its real command line) in `dir`, with the test's clean environment.
fn git(env: &TestEnv, dir: &Path, args: &[&str]) -> String {
    let output = env
        .program("git")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A clone of the test repository (`git clone file://…`, so `--depth` is honoured).
fn clone(env: &TestEnv, name: &str, extra: &[&str]) -> PathBuf {
    let target = env.path().join(name);
    let url = format!("file://{}", env.repo_path().display());
    let target_text = target.display().to_string();
    let mut args = vec!["clone", "--quiet"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&url, &target_text]);
    git(env, env.path(), &args);
    target
}

fn release(env: &TestEnv, args: &[&str]) -> Run {
    let mut all = vec!["release", "create", "--json"];
    all.extend_from_slice(args);
    env.run(&all)
}

fn released(run: Run) -> String {
    run.ok().json()["release"]
        .as_str()
        .expect("release")
        .to_string()
}

/// The error of a failed run with `--json` (on stderr).
fn error_of(run: &Run) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&run.stderr)
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", run.stderr))["error"]
        .clone()
}

fn release_count(env: &TestEnv, extra: &[&str]) -> usize {
    let mut args = vec!["release", "list", "--json"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json()["releases"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The issue's case: v1 = a, v2 = c, v3 = p from a side branch; then b, which v2 already
/// contains, was accepted as v4 because only the newest release was checked.
fn a_commit_any_release_contains_is_refused() {
    let h = history();
    let env = &h.env;
    assert_eq!(released(release(env, &["--commit", &h.a])), "v1");
    assert_eq!(released(release(env, &["--commit", &h.c])), "v2");
    assert_eq!(
        released(release(
            env,
            &["--commit", &h.p, "--hotfix", "--reason", "payments fail"]
        )),
        "v3"
    );

    let run = release(env, &["--commit", &h.b]).code(4);
    let error = error_of(&run);
    assert_eq!(error["kind"], "conflict");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&h.b[..12]) && message.contains("already contained in release v2"),
        "{message}"
    );
    assert!(
        error["hint"]
            .as_str()
            .is_some_and(|h| h.contains("captain rollback")),
        "{error}"
    );
    // Older than the first release: v1 contains it. As a hotfix too: no flag moves back.
    let run = release(env, &["--commit", &h.first]).code(4);
    assert!(run.stderr.contains("release v1"), "{}", run.stderr);
    release(env, &["--commit", &h.first, "--hotfix", "--reason", "back"]).code(4);
    assert_eq!(release_count(env, &[]), 3, "nothing was recorded");

    // The same commit again is the same release.
    let again = release(env, &["--commit", &h.c]).ok().json();
    assert_eq!(again["release"], "v2");
    assert_eq!(again["created"], false);
    let again = release(
        env,
        &["--commit", &h.p, "--hotfix", "--reason", "payments fail"],
    )
    .ok()
    .json();
    assert_eq!(
        (&again["release"], &again["created"]),
        (&"v3".into(), &false.into())
    );

    // Newer work on the trunk is released as usual, on v2.
    let d = h
        .sandbox
        .commit(&[("src/d.txt", "d")], "Change d", "Ana Lima", hours_ago(5))
        .expect("commit");
    let v4 = release(env, &["--commit", &d]).ok().json();
    assert_eq!((&v4["release"], &v4["commits"]), (&"v4".into(), &1.into()));
    let shown = env.run(&["release", "show", "v4", "--json"]).ok().json();
    assert_eq!(shown["base"], "v2");
}

fn a_commit_off_the_trunk_needs_a_hotfix_reason_which_is_recorded() {
    let h = history();
    let env = &h.env;
    assert_eq!(released(release(env, &["--commit", &h.a])), "v1");

    let run = release(env, &["--commit", &h.p]).code(3);
    let error = error_of(&run);
    assert_eq!(error["kind"], "blocked");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("not on the trunk branch `main`")),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .is_some_and(|h| h.contains("--hotfix --reason")),
        "{error}"
    );
    // Each flag needs the other; an empty reason is no reason.
    release(env, &["--commit", &h.p, "--hotfix"]).code(2);
    release(env, &["--commit", &h.p, "--reason", "x"]).code(2);
    let run = release(env, &["--commit", &h.p, "--hotfix", "--reason", " "]).code(2);
    assert!(run.stderr.contains("needs a reason"), "{}", run.stderr);
    // A trunk commit is no hotfix.
    let run = release(env, &["--commit", &h.b, "--hotfix", "--reason", "x"]).code(2);
    assert!(
        run.stderr.contains("is on the trunk branch"),
        "{}",
        run.stderr
    );
    assert_eq!(release_count(env, &[]), 1);

    let created = release(
        env,
        &[
            "--commit",
            &h.p,
            "--hotfix",
            "--reason",
            "card payments fail",
        ],
    )
    .ok()
    .json();
    assert_eq!(created["release"], "v2");
    let hotfix = serde_json::json!({"reason": "card payments fail", "actor": "tester"});
    assert_eq!(created["hotfix"], hotfix);
    assert_eq!(
        env.run(&["release", "show", "v2", "--json"]).ok().json()["hotfix"],
        hotfix
    );
    assert_eq!(
        env.run(&["release", "show", "v1", "--json"]).ok().json()["hotfix"],
        serde_json::Value::Null
    );
    let table = env.run(&["release", "show", "v2"]).ok().stdout;
    assert!(
        table.contains("hotfix    card payments fail (by tester; not on the trunk)"),
        "{table}"
    );
    let listed = env.run(&["release", "list", "--json"]).ok().json();
    assert_eq!(listed["releases"][0]["hotfix"], hotfix);
    let table = env.run(&["release", "list"]).ok().stdout;
    assert!(
        table.contains("v2 (hotfix)") && !table.contains("v1 (hotfix)"),
        "{table}"
    );

    let audit = env.run(&["audit", "--json"]).ok().json();
    let event = audit["events"]
        .as_array()
        .and_then(|events| {
            events
                .iter()
                .find(|e| e["action"] == "release.create" && e["target"] == "v2")
        })
        .cloned()
        .expect("the hotfix's audit event");
    assert_eq!(event["reason"], "card payments fail");
    assert_eq!(event["details"]["hotfix"], true);

    // Exported, and imported into another ledger with it.
    let exported = env.run(&["state", "export"]).ok().stdout;
    assert!(
        exported.contains(r#""hotfix":{"reason":"card payments fail","actor":"tester"}"#),
        "{exported}"
    );
    let copy = env.path().join("copy.sqlite");
    let mut child = env
        .command()
        .env("CAPTAIN_STATE", &copy)
        .args(["state", "import"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn import");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), exported.as_bytes())
        .expect("write");
    Run::from(child.wait_with_output().expect("import")).ok();
    let from_copy: Run = env
        .command()
        .env("CAPTAIN_STATE", &copy)
        .args(["release", "show", "v2", "--json"])
        .output()
        .expect("show")
        .into();
    assert_eq!(from_copy.ok().json()["hotfix"], hotfix);
}

/// CI checkouts are often detached with only `origin/main`; a trunk the repository does
/// not have at all is named, with the fetch that brings it.
fn a_clone_with_only_the_remote_trunk_counts_and_a_missing_trunk_is_named() {
    let h = history();
    let env = &h.env;
    let ci = clone(env, "ci", &[]);
    git(env, &ci, &["checkout", "--quiet", "--detach"]);
    git(env, &ci, &["branch", "-D", "main"]);
    let ci_repo = ci.display().to_string();
    let created = release(env, &["--repo", &ci_repo, "--commit", &h.c])
        .ok()
        .json();
    assert_eq!(created["hotfix"], serde_json::Value::Null);
    let run = release(env, &["--repo", &ci_repo, "--commit", &h.p]).code(3);
    assert!(run.stderr.contains("origin/main"), "{}", run.stderr);

    let other = env.path().join("develop.toml");
    std::fs::write(
        &other,
        SMALL_PIPELINE.replace("trunk = \"main\"", "trunk = \"develop\""),
    )
    .expect("write pipeline");
    // A team server must hold this definition too for the command to be asked there.
    env.manual_registration();
    env.register(&std::fs::read_to_string(&other).expect("read pipeline"));
    let other = other.display().to_string();
    let d = h
        .sandbox
        .commit(&[("src/d.txt", "d")], "Change d", "Ana Lima", hours_ago(5))
        .expect("commit");
    let run = release(env, &["--pipeline", &other, "--commit", &d]).code(5);
    let error = error_of(&run);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("trunk branch `develop`")),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .is_some_and(|h| h.contains("git fetch origin develop")),
        "{error}"
    );
    env.auto_registration();
    assert_eq!(release_count(env, &[]), 1);
}

/// A shallow clone lists only part of a release's commits: refused with the fix, unless
/// the previous release's commit is in the clone and the new commits above the cut.
fn a_shallow_clone_cannot_cut_a_release_short() {
    let h = history();
    let env = &h.env;
    let shallow = clone(env, "shallow", &["--depth", "1"]);
    let repo = shallow.display().to_string();
    let run = release(env, &["--repo", &repo]).code(1);
    let error = error_of(&run);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("is a shallow clone")),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .is_some_and(|h| h.contains("git fetch --unshallow")),
        "{error}"
    );
    assert_eq!(release_count(env, &[]), 0, "no one-commit v1");

    // With v1 = b recorded from a full clone, a clone of depth 2 (c, b) releases c.
    assert_eq!(released(release(env, &["--commit", &h.b])), "v1");
    let two = clone(env, "two", &["--depth", "2"]);
    let created = release(env, &["--repo", &two.display().to_string()])
        .ok()
        .json();
    assert_eq!(
        (&created["release"], &created["commits"]),
        (&"v2".into(), &1.into())
    );

    // A clone that does not reach v2's commit cannot say what v3 introduces.
    for name in ["d", "e"] {
        h.sandbox
            .commit(
                &[(&format!("src/{name}.txt"), name)],
                &format!("Change {name}"),
                "Ana Lima",
                hours_ago(3),
            )
            .expect("commit");
    }
    let one = clone(env, "one", &["--depth", "1"]);
    let run = release(env, &["--repo", &one.display().to_string()]).code(1);
    assert!(
        run.stderr.contains("git fetch --unshallow"),
        "{}",
        run.stderr
    );
    assert_eq!(release_count(env, &[]), 2);
}

crate::on_both_backends!(
    a_commit_any_release_contains_is_refused,
    a_commit_off_the_trunk_needs_a_hotfix_reason_which_is_recorded,
    a_clone_with_only_the_remote_trunk_counts_and_a_missing_trunk_is_named,
    a_shallow_clone_cannot_cut_a_release_short,
);

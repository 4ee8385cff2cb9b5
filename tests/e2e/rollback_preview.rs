//! `captain rollback` through the real binary: the preview of a repository whose releases
//! change Cargo.lock, package-lock.json and go.sum; the default target; `--dry-run`;
//! `--yes --output json`; and the refusal without a terminal.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::common::{Run, TestEnv, hours_ago};

/// beta, then one production stage of two environments.
pub const PIPELINE: &str = r#"
name = "checkout"
trunk = "main"
timezone = "UTC"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "prod"
environments = ["prod-1", "prod-2"]
"#;

fn cargo_lock(packages: &[(&str, &str)]) -> String {
    let mut text = "version = 3\n".to_string();
    for (name, version) in packages {
        text.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"
        ));
    }
    text
}

fn package_lock(packages: &[(&str, &str)]) -> String {
    let mut entries = serde_json::Map::new();
    entries.insert("".into(), json!({"name": "web", "version": "1.0.0"}));
    for (name, version) in packages {
        entries.insert(
            format!("node_modules/{name}"),
            json!({"version": version, "resolved": format!("https://registry.npmjs.org/{name}/-/{name}-{version}.tgz")}),
        );
    }
    serde_json::to_string_pretty(
        &json!({"name": "web", "version": "1.0.0", "lockfileVersion": 3, "packages": entries}),
    )
    .expect("json")
}

fn go_sum(modules: &[(&str, &str)]) -> String {
    modules
        .iter()
        .map(|(module, version)| {
            format!(
                "{module} {version} h1:abc{version}=\n{module} {version}/go.mod h1:def{version}=\n"
            )
        })
        .collect()
}

/// The shas of the scenario's commits, by name.
pub struct Scenario {
    pub env: TestEnv,
    pub v4_commits: Vec<String>,
    pub v3_commits: Vec<String>,
    pub merge: String,
}

/// Four releases and their deployments:
///
/// - v1: the app with Cargo.lock (serde 1.0.0, rand 0.8.5), package-lock.json (left-pad
///   1.0.0, lodash 4.17.20), go.sum (github.com/pkg/errors v0.9.0) and src/app.rs;
/// - v2: serde 1.0.1 ("Bump serde"), docs.md ("Write the docs");
/// - v3: a branch adding chalk 5.0.0, lodash 4.17.21 and dropping left-pad, merged after
///   a trunk commit that updates go.sum (errors v0.9.1, golang.org/x/text v0.3.0);
/// - v4: serde 1.0.2 without rand, src/app.rs changed, src/cache.rs added.
///
/// prod-1 got v1, v2 (approved), v3 (tests failed), v4 (approved, current);
/// prod-2 got v1 and v2 (approved, current).
pub fn scenario() -> Scenario {
    scenario_in(TestEnv::new())
}

/// [`scenario`] in a given environment (e.g. one whose server runs on PostgreSQL).
pub fn scenario_in(env: TestEnv) -> Scenario {
    let repo = env.init_repo(PIPELINE);
    let release = |at: i64, artifact: &str| {
        env.run_at(
            hours_ago(at),
            &["release", "create", "--artifact", artifact, "-q"],
        )
        .ok();
    };

    repo.commit(
        &[
            (
                "Cargo.lock",
                &cargo_lock(&[("rand", "0.8.5"), ("serde", "1.0.0")]),
            ),
            (
                "web/package-lock.json",
                &package_lock(&[("left-pad", "1.0.0"), ("lodash", "4.17.20")]),
            ),
            ("go.sum", &go_sum(&[("github.com/pkg/errors", "v0.9.0")])),
            ("src/app.rs", "fn main() {}\n"),
        ],
        "Start the app",
        "Ana Lima",
        hours_ago(101),
    )
    .expect("v1 commit");
    release(100, "image=registry.example.com/app@sha256:1111");

    repo.commit(
        &[(
            "Cargo.lock",
            &cargo_lock(&[("rand", "0.8.5"), ("serde", "1.0.1")]),
        )],
        "Bump serde",
        "Bo Chen",
        hours_ago(92),
    )
    .expect("v2 commit");
    let v2 = repo
        .commit(
            &[("docs.md", "# Checkout\n")],
            "Write the docs",
            "Ana Lima",
            hours_ago(91),
        )
        .expect("v2 commit");
    release(90, "image=registry.example.com/app@sha256:2222");

    let side = repo
        .commit_with_parents(
            &[(
                "web/package-lock.json",
                &package_lock(&[("chalk", "5.0.0"), ("lodash", "4.17.21")]),
            )],
            "Add chalk",
            "Cy Diaz",
            hours_ago(84),
            std::slice::from_ref(&v2),
            Some("refs/heads/chalk"),
        )
        .expect("side commit");
    let trunk = repo
        .commit(
            &[(
                "go.sum",
                &go_sum(&[
                    ("github.com/pkg/errors", "v0.9.1"),
                    ("golang.org/x/text", "v0.3.0"),
                ]),
            )],
            "Update go modules",
            "Bo Chen",
            hours_ago(83),
        )
        .expect("trunk commit");
    let merge = repo
        .commit_with_parents(
            &[(
                "web/package-lock.json",
                &package_lock(&[("chalk", "5.0.0"), ("lodash", "4.17.21")]),
            )],
            "Merge branch 'chalk'",
            "Ana Lima",
            hours_ago(82),
            &[trunk.clone(), side.clone()],
            Some("HEAD"),
        )
        .expect("merge commit");
    release(80, "image=registry.example.com/app@sha256:3333");

    let v4 = repo
        .commit(
            &[
                ("Cargo.lock", &cargo_lock(&[("serde", "1.0.2")])),
                ("src/app.rs", "fn main() {\n    cache::warm();\n}\n"),
                ("src/cache.rs", "pub fn warm() {}\n"),
            ],
            "Speed up checkout",
            "Ana Lima",
            hours_ago(72),
        )
        .expect("v4 commit");
    release(70, "image=registry.example.com/app@sha256:4444");

    let mut clock = 69;
    for (environment, release, outcome) in [
        ("prod-1", "v1", "approved"),
        ("prod-2", "v1", "approved"),
        ("prod-1", "v2", "approved"),
        ("prod-2", "v2", "approved"),
        ("prod-1", "v3", "tests-failed"),
        ("prod-1", "v4", "approved"),
    ] {
        deploy(&env, clock, environment, release, outcome);
        clock -= 2;
    }
    Scenario {
        env,
        v4_commits: vec![v4],
        v3_commits: vec![merge.clone(), trunk, side],
        merge,
    }
}

/// Records a finished deployment `hours` ago.
pub fn deploy(env: &TestEnv, hours: i64, environment: &str, release: &str, outcome: &str) {
    let id = env
        .run_at(
            hours_ago(hours),
            &[
                "deploy",
                "start",
                environment,
                "--release",
                release,
                "--force",
                "--reason",
                "setting the scene",
                "-q",
            ],
        )
        .ok()
        .stdout;
    env.run_at(
        hours_ago(hours - 1),
        &["deploy", "finish", id.trim(), "--outcome", outcome, "-q"],
    )
    .ok();
}

/// The whole ledger, to prove that nothing changed.
pub fn ledger(env: &TestEnv) -> String {
    env.run(&["state", "export"]).ok().stdout
}

fn shas(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("a list of commits")
        .iter()
        .map(|c| c["commit"].as_str().expect("commit").to_string())
        .collect()
}

fn dependency_changes(change: &Value) -> Vec<Value> {
    change["dependencies"]
        .as_array()
        .expect("dependencies")
        .clone()
}

fn the_preview_lists_exactly_the_commits_files_and_dependency_changes() {
    let s = scenario();
    let before = ledger(&s.env);
    let run = s
        .env
        .run(&["rollback", "prod-1", "--dry-run", "--output", "json"])
        .ok();
    let out = run.json();
    assert_eq!(out["result"], Value::Null);
    let preview = &out["preview"];

    // The default target passes over v3, which failed its tests in prod-1.
    assert_eq!(preview["target"], "v2");
    assert_eq!(
        preview["artifacts"],
        json!({"image": "registry.example.com/app@sha256:2222"})
    );
    let plan = &preview["environments"][0];
    assert_eq!(plan["environment"], "prod-1");
    assert_eq!(plan["current"], "v4");
    assert_eq!(plan["skipped"], json!(["v3"]));
    let warnings: Vec<&str> = preview["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(warnings, vec!["skips-releases", "skipped-never-approved"]);

    let change = &preview["changes"][0];
    assert_eq!(
        (change["from"].clone(), change["to"].clone()),
        (json!("v4"), json!("v2"))
    );
    let removed = &change["commits_removed"];
    let expected: BTreeSet<String> = s.v4_commits.iter().chain(&s.v3_commits).cloned().collect();
    assert_eq!(shas(removed), expected);
    assert_eq!(
        removed.as_array().map(Vec::len),
        Some(4),
        "each commit once"
    );
    let merges: Vec<&str> = removed
        .as_array()
        .expect("commits")
        .iter()
        .filter(|c| c["merge"] == true)
        .map(|c| c["commit"].as_str().expect("commit"))
        .collect();
    assert_eq!(merges, vec![s.merge.as_str()]);
    let first = &removed[0];
    assert_eq!(first["author"], "Ana Lima");
    assert_eq!(first["subject"], "Speed up checkout");
    assert_eq!(first["release"], "v4");
    assert_eq!(change["commits_added"], json!([]));

    let files: Vec<(String, String)> = change["files"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["status"].as_str().expect("status").to_string(),
            )
        })
        .collect();
    let expected_files: Vec<(String, String)> = [
        ("Cargo.lock", "modified"),
        ("go.sum", "modified"),
        ("src/app.rs", "modified"),
        ("src/cache.rs", "deleted"),
        ("web/package-lock.json", "modified"),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), s.to_string()))
    .collect();
    assert_eq!(files, expected_files);
    assert_eq!(change["files"]["available"], true);
    assert_eq!(change["files"]["files_changed"], 5);

    assert_eq!(
        dependency_changes(change),
        vec![
            json!({"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "rand", "from": null, "to": "0.8.5"}),
            json!({"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "serde", "from": "1.0.2", "to": "1.0.1"}),
            json!({"lockfile": "go.sum", "ecosystem": "go", "name": "github.com/pkg/errors", "from": "v0.9.1", "to": "v0.9.0"}),
            json!({"lockfile": "go.sum", "ecosystem": "go", "name": "golang.org/x/text", "from": "v0.3.0", "to": null}),
            json!({"lockfile": "web/package-lock.json", "ecosystem": "npm", "name": "chalk", "from": "5.0.0", "to": null}),
            json!({"lockfile": "web/package-lock.json", "ecosystem": "npm", "name": "left-pad", "from": null, "to": "1.0.0"}),
            json!({"lockfile": "web/package-lock.json", "ecosystem": "npm", "name": "lodash", "from": "4.17.21", "to": "4.17.20"}),
        ]
    );
    assert_eq!(
        change["artifacts"],
        json!([{"name": "image", "from": "registry.example.com/app@sha256:4444",
                "to": "registry.example.com/app@sha256:2222"}])
    );

    // --dry-run changed nothing.
    assert_eq!(ledger(&s.env), before);
}

fn the_table_preview_reads_as_a_summary() {
    let s = scenario();
    let run = s.env.run(&["rollback", "prod-1", "--dry-run"]).ok();
    let text = &run.stdout;
    for expected in [
        "Rollback to v2",
        "Commits removed (4):",
        "Speed up checkout",
        "Merge branch 'chalk' (merge)",
        "Files (5 changed",
        "src/cache.rs",
        "Dependencies (7 changes):",
        "1.0.2 → 1.0.1",
        "added 1.0.0",
        "removed v0.3.0",
        "image: registry.example.com/app@sha256:4444 → registry.example.com/app@sha256:2222",
        "v3 was never approved in prod-1",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    assert!(run.stderr.contains("nothing changed"), "{}", run.stderr);
}

fn without_a_checkout_the_preview_still_has_what_the_ledger_holds() {
    let s = scenario();
    let pipeline = s.env.repo_path().join("pipeline.toml");
    let outside = s.env.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("dir");
    let run: Run = s
        .env
        .command()
        .current_dir(&outside)
        .args(["--pipeline", pipeline.to_str().expect("utf-8")])
        .args(["rollback", "prod-1", "--dry-run", "--json"])
        .output()
        .expect("run")
        .into();
    let out = run.ok().json();
    let change = &out["preview"]["changes"][0];
    assert_eq!(change["files"]["available"], false);
    assert!(
        change["files"]["note"]
            .as_str()
            .is_some_and(|n| n.contains("need the repository")),
        "{}",
        change["files"]
    );
    assert_eq!(change["commits_removed"].as_array().map(Vec::len), Some(4));
    assert_eq!(dependency_changes(change).len(), 7);
}

fn a_script_confirms_with_yes_and_gets_the_preview_and_the_result() {
    let s = scenario();
    let out = s
        .env
        .run(&[
            "rollback",
            "prod-1",
            "--yes",
            "--output",
            "json",
            "--reason",
            "checkout errors",
        ])
        .ok()
        .json();
    assert_eq!(out["preview"]["target"], "v2");
    let started = &out["result"]["deployments"][0];
    assert_eq!(started["environment"], "prod-1");
    assert_eq!(started["release"], "v2");
    assert_eq!(started["kind"], "rollback");
    assert_eq!(out["result"]["locked"], json!(["prod-1"]));
    let id = started["deployment"].as_str().expect("id").to_string();

    // In progress until whoever runs it says how it went; promotions are disabled.
    let history = s.env.run(&["history", "prod-1", "--json"]).ok().json();
    assert_eq!(history["deployments"][0]["id"], id.as_str());
    assert_eq!(history["deployments"][0]["outcome"], "in progress");
    assert_eq!(history["deployments"][0]["reason"], "checkout errors");
    let locks = s.env.run(&["promotions", "list", "--json"]).ok().json();
    assert_eq!(locks["locks"][0]["target"], "prod-1");
    assert_eq!(locks["locks"][0]["direction"], "both");
    assert_eq!(locks["locks"][0]["actor"], "tester");
    assert!(
        locks["locks"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("v2") && r.contains("checkout errors"))
    );

    s.env
        .run(&["deploy", "finish", &id, "--outcome", "approved"])
        .ok();
    let status = s.env.run(&["status", "--json"]).ok().json();
    let prod = &status["stages"][1]["environments"][0];
    assert_eq!(prod["name"], "prod-1");
    assert_eq!(prod["release"], "v2");
    assert_eq!(prod["state"], "rolled back");
    assert_eq!(prod["locks"][0]["direction"], "both");
    // The commits of v3 and v4 are no longer in prod-1.
    let location = s.env.run(&["where", &s.merge, "--json"]).ok().json();
    assert!(
        location["not_deployed_to"]
            .as_array()
            .expect("list")
            .contains(&json!("prod-1"))
    );
}

fn without_a_terminal_and_without_yes_it_refuses_and_changes_nothing() {
    let s = scenario();
    let before = ledger(&s.env);
    let run = s.env.run(&["rollback", "prod-1"]).code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let run = s.env.run(&["rollback", "prod-1", "--json"]).code(2);
    let error: Value = serde_json::from_str(run.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["kind"], "usage");
    assert!(
        error["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("--yes"))
    );
    let run = s.env.run(&["rollback", "prod-1", "--pick"]).code(2);
    assert!(run.stderr.contains("--to"), "{}", run.stderr);
    assert_eq!(ledger(&s.env), before);
}

fn latent_changes_unapproved_targets_and_unknown_names() {
    let s = scenario();
    // Going back further than the default: v1, skipping v3 and v2.
    let out = s
        .env
        .run(&["rollback", "prod-1", "--to", "v1", "--dry-run", "--json"])
        .ok()
        .json();
    assert_eq!(
        out["preview"]["environments"][0]["skipped"],
        json!(["v3", "v2"])
    );
    assert_eq!(
        out["preview"]["changes"][0]["commits_removed"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    // v3 failed its tests in prod-1: only with --force.
    let run = s
        .env
        .run(&["rollback", "prod-1", "--to", "v3", "--dry-run"])
        .code(3);
    assert!(run.stderr.contains("never approved"), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    s.env
        .run(&["rollback", "prod-1", "--to", "v3", "--dry-run", "--force"])
        .ok();
    // Not older than the current release.
    s.env
        .run(&["rollback", "prod-2", "--to", "v4", "--dry-run"])
        .code(2);
    // prod-1 would go to v2 and prod-2 to v1: choose.
    let run = s
        .env
        .run(&["rollback", "prod-1", "prod-2", "--dry-run"])
        .code(2);
    assert!(run.stderr.contains("prod-1 to v2"), "{}", run.stderr);
    assert!(run.stderr.contains("prod-2 to v1"), "{}", run.stderr);
    assert!(run.stderr.contains("--to"), "{}", run.stderr);
    let out = s
        .env
        .run(&[
            "rollback",
            "prod-1",
            "prod-2",
            "--to",
            "v1",
            "--dry-run",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["preview"]["changes"].as_array().map(Vec::len), Some(2));
    let run = s.env.run(&["rollback", "prod-11", "--dry-run"]).code(5);
    assert!(run.stderr.contains("prod-1"), "{}", run.stderr);
    // Nothing deployed in beta.
    s.env.run(&["rollback", "beta", "--dry-run"]).code(5);
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    the_preview_lists_exactly_the_commits_files_and_dependency_changes,
    the_table_preview_reads_as_a_summary,
    without_a_checkout_the_preview_still_has_what_the_ledger_holds,
    a_script_confirms_with_yes_and_gets_the_preview_and_the_result,
    without_a_terminal_and_without_yes_it_refuses_and_changes_nothing,
    latent_changes_unapproved_targets_and_unknown_names,
);

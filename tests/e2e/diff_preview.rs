//! `captain diff A B`, `captain next STAGE --preview` and `captain release show vN` through
//! the real binary: the one preview builder `captain rollback` uses, between releases and
//! environments either way round, with and without a checkout, and as Markdown release
//! notes grouped by Conventional Commits type.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::common::{Run, TestEnv, hours_ago};
use super::pg_harness::fresh_database;
use super::rollback_preview::{deploy, ledger, scenario, scenario_in};
use super::server_harness::Server;

fn shas(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("a list of commits")
        .iter()
        .map(|c| c["commit"].as_str().expect("commit").to_string())
        .collect()
}

fn count(list: &Value) -> usize {
    list.as_array().map_or(0, Vec::len)
}

fn a_release_against_a_release_either_way_round() {
    let s = scenario();
    let before = ledger(&s.env);
    let out = s.env.run(&["diff", "v2", "v4", "--json"]).ok().json();
    assert_eq!(out["from"]["kind"], "release");
    assert_eq!(out["from"]["release"], "v2");
    assert_eq!(out["to"]["release"], "v4");
    let changes = &out["changes"];
    assert_eq!(
        (&changes["from"], &changes["to"]),
        (&json!("v2"), &json!("v4"))
    );
    let expected: BTreeSet<String> = s.v4_commits.iter().chain(&s.v3_commits).cloned().collect();
    assert_eq!(shas(&changes["commits_added"]), expected);
    assert_eq!(count(&changes["commits_added"]), 4, "each commit once");
    assert_eq!(changes["commits_added"][0]["subject"], "Speed up checkout");
    assert_eq!(changes["commits_added"][0]["release"], "v4");
    assert_eq!(changes["commits_removed"], json!([]));
    assert_eq!(changes["environments"], json!([]));
    assert_eq!(changes["files"]["available"], true);
    let files: Vec<(&str, &str)> = changes["files"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path"),
                f["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        files,
        vec![
            ("Cargo.lock", "modified"),
            ("go.sum", "modified"),
            ("src/app.rs", "modified"),
            ("src/cache.rs", "added"),
            ("web/package-lock.json", "modified"),
        ]
    );
    assert_eq!(
        changes["dependencies"][1],
        json!({"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "serde", "from": "1.0.1", "to": "1.0.2"})
    );
    assert_eq!(count(&changes["dependencies"]), 7);
    assert_eq!(
        changes["artifacts"],
        json!([{"name": "image", "from": "registry.example.com/app@sha256:2222",
                "to": "registry.example.com/app@sha256:4444"}])
    );

    // The other way round: the same commits, removed; the dependency changes reversed.
    let back = s.env.run(&["diff", "v4", "v2", "--json"]).ok().json();
    let changes = &back["changes"];
    assert_eq!(shas(&changes["commits_removed"]), expected);
    assert_eq!(changes["commits_added"], json!([]));
    assert_eq!(
        changes["dependencies"][1],
        json!({"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "serde", "from": "1.0.2", "to": "1.0.1"})
    );
    let cache = changes["files"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "src/cache.rs")
        .cloned();
    assert_eq!(cache.map(|f| f["status"].clone()), Some(json!("deleted")));

    let text = s.env.run(&["diff", "v2", "v4"]).ok().stdout;
    for expected in [
        "from  v2 (commit",
        "to    v4 (commit",
        "From v2 to v4:",
        "Commits added (4):",
        "Merge branch 'chalk' (merge)",
        "Files (5 changed",
        "Dependencies (7 changes):",
        "1.0.1 → 1.0.2",
        "image: registry.example.com/app@sha256:2222 → registry.example.com/app@sha256:4444",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    assert!(!text.contains("Commits removed"), "{text}");
    // A diff only reads.
    assert_eq!(ledger(&s.env), before);
}

fn environments_against_environments_and_releases() {
    let s = scenario();
    // prod-1 runs v4, prod-2 v2: promoting prod-1's release into prod-2.
    let out = s
        .env
        .run(&["diff", "prod-2", "prod-1", "--json"])
        .ok()
        .json();
    assert_eq!(out["from"]["kind"], "environment");
    assert_eq!(out["from"]["name"], "prod-2");
    assert_eq!(out["from"]["release"], "v2");
    assert_eq!(out["to"]["name"], "prod-1");
    assert_eq!(out["to"]["release"], "v4");
    assert_eq!(out["changes"]["environments"], json!(["prod-2"]));
    assert_eq!(count(&out["changes"]["commits_added"]), 4);
    // The same as between their releases.
    let releases = s.env.run(&["diff", "v2", "v4", "--json"]).ok().json();
    assert_eq!(
        out["changes"]["commits_added"],
        releases["changes"]["commits_added"]
    );
    assert_eq!(out["changes"]["files"], releases["changes"]["files"]);

    // An environment against a release, and back: v3 only brings its own three commits.
    let out = s.env.run(&["diff", "prod-2", "v3", "--json"]).ok().json();
    assert_eq!(
        shas(&out["changes"]["commits_added"]),
        s.v3_commits.iter().cloned().collect()
    );
    let out = s.env.run(&["diff", "v3", "prod-2", "--json"]).ok().json();
    assert_eq!(
        shas(&out["changes"]["commits_removed"]),
        s.v3_commits.iter().cloned().collect()
    );
    assert_eq!(out["to"]["kind"], "environment");

    // prod-1 already runs v4: nothing changes.
    let out = s.env.run(&["diff", "prod-1", "v4", "--json"]).ok().json();
    assert_eq!(out["changes"]["commits_added"], json!([]));
    assert_eq!(out["changes"]["commits_removed"], json!([]));
    assert_eq!(out["changes"]["dependencies"], json!([]));
    let text = s.env.run(&["diff", "prod-1", "v4"]).ok().stdout;
    assert!(text.contains("Both are v4: nothing changes."), "{text}");
}

fn unknown_names_empty_environments_and_stages_are_refused() {
    let s = scenario();
    // Nothing was ever deployed to beta.
    let run = s.env.run(&["diff", "beta", "v2"]).code(5);
    assert!(
        run.stderr.contains("beta has nothing deployed yet"),
        "{}",
        run.stderr
    );
    let run = s.env.run(&["diff", "prod-3", "v2"]).code(5);
    assert!(
        run.stderr.contains("`prod-3` is neither a release"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
    let run = s.env.run(&["diff", "v2", "v9"]).code(5);
    assert!(
        run.stderr.contains("release v9 does not exist"),
        "{}",
        run.stderr
    );
    // A stage's environments may run different releases.
    let run = s.env.run(&["diff", "prod", "v2"]).code(2);
    assert!(run.stderr.contains("prod-1, prod-2"), "{}", run.stderr);
    let run = s.env.run(&["diff", "v1", "v2", "--json"]).ok();
    assert!(run.stdout.starts_with('{'));
    // Markdown is for what a change brings, not for every command.
    let run = s.env.run(&["status", "--output", "markdown"]).code(2);
    assert!(run.stderr.contains("--output markdown"), "{}", run.stderr);
}

fn without_a_checkout_the_files_are_missing_and_the_rest_is_there() {
    let s = scenario();
    let pipeline = s.env.repo_path().join("pipeline.toml");
    let outside = s.env.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("dir");
    let run: Run = s
        .env
        .command()
        .current_dir(&outside)
        .args(["--pipeline", pipeline.to_str().expect("utf-8")])
        .args(["diff", "prod-2", "prod-1", "--json"])
        .output()
        .expect("run")
        .into();
    let out = run.ok().json();
    let changes = &out["changes"];
    assert_eq!(changes["files"]["available"], false);
    assert!(
        changes["files"]["note"]
            .as_str()
            .is_some_and(|n| n.contains("need the repository")),
        "{}",
        changes["files"]
    );
    assert_eq!(count(&changes["commits_added"]), 4);
    assert_eq!(count(&changes["dependencies"]), 7);
    assert_eq!(count(&changes["artifacts"]), 1);
}

/// beta, gamma, then production; bake time zero so a release approved in beta waits for
/// gamma at once.
const NOTES_PIPELINE: &str = r#"
name = "shop"
trunk = "main"
timezone = "UTC"

[defaults]
bake_time = "0s"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma"]

[[stages]]
name = "prod"
environments = ["prod-1", "prod-2"]
"#;

/// v1 everywhere up to gamma; v2, of Conventional Commits subjects and one that is not,
/// approved in beta.
fn notes_scenario() -> TestEnv {
    notes_scenario_in(TestEnv::new())
}

fn notes_scenario_in(env: TestEnv) -> TestEnv {
    let repo = env.init_repo(NOTES_PIPELINE);
    repo.commit(
        &[(
            "Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\n",
        )],
        "Start the shop",
        "Ana Lima",
        hours_ago(50),
    )
    .expect("commit");
    env.run_at(
        hours_ago(49),
        &["release", "create", "--artifact", "image=shop@1", "-q"],
    )
    .ok();
    deploy(&env, 48, "beta", "v1", "approved");
    deploy(&env, 46, "gamma", "v1", "approved");
    for (at, subject, author, file) in [
        (30, "feat(cart): add the cart", "Bo Chen", "src/cart.rs"),
        (29, "fix: refuse empty carts", "Cy Diaz", "src/cart.rs"),
        (28, "feat!: drop the v1 API", "Ana Lima", "src/api.rs"),
        (27, "docs: explain *checkout*", "Bo Chen", "README.md"),
        (26, "Tidy up", "Cy Diaz", "src/lib.rs"),
    ] {
        repo.commit(&[(file, subject)], subject, author, hours_ago(at))
            .expect("commit");
    }
    repo.commit(
        &[(
            "Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.1\"\n",
        )],
        "chore(deps): bump serde",
        "Bo Chen",
        hours_ago(25),
    )
    .expect("commit");
    env.run_at(
        hours_ago(24),
        &["release", "create", "--artifact", "image=shop@2", "-q"],
    )
    .ok();
    deploy(&env, 20, "beta", "v2", "approved");
    env
}

fn markdown_release_notes_group_conventional_subjects() {
    let env = notes_scenario();
    let md = env
        .run(&["diff", "gamma", "beta", "--output", "markdown"])
        .ok()
        .stdout;
    let expected = [
        "## gamma (v1) → beta (v2)",
        "**6 commits added** · 5 files changed (+5 −1) · 1 dependency change",
        "### Breaking changes",
        "- Drop the v1 API (`",
        "### Features",
        "- **cart:** Add the cart (`",
        ", Bo Chen)",
        "### Fixes",
        "- Refuse empty carts (`",
        "### Documentation",
        "- Explain \\*checkout\\* (`",
        "### Chores",
        "- **deps:** Bump serde",
        "### Other",
        "- Tidy up (`",
        "### Files",
        "### Dependencies",
        "| Cargo.lock | serde | `1.0.0` | `1.0.1` |",
        "### Artifacts",
        "- image: `shop@1` → `shop@2`",
    ];
    let mut at = 0;
    for line in expected {
        let found = md[at..]
            .find(line)
            .unwrap_or_else(|| panic!("no {line:?} after byte {at} in:\n{md}"));
        at += found + line.len();
    }
    assert!(!md.contains("Commits removed"), "{md}");
    // Reversed, the notes are of what goes away.
    let md = env
        .run(&["diff", "v2", "v1", "--output", "markdown"])
        .ok()
        .stdout;
    assert!(
        md.contains("**6 commits removed** · 5 files changed (+1 −5)"),
        "{md}"
    );
    assert!(
        md.contains("### Removed: Breaking changes\n\n- Drop the v1 API (`"),
        "{md}"
    );
    assert!(md.contains("- D `src/cart.rs` (+0 −1)"), "{md}");

    // The same notes for a release against its base, and for a rollback's preview.
    let md = env
        .run(&["release", "show", "v2", "--output", "markdown"])
        .ok()
        .stdout;
    assert!(md.contains("## v2 (since v1)"), "{md}");
    assert!(md.contains("### Breaking changes"), "{md}");
    let md = env
        .run(&["rollback", "beta", "--dry-run", "--output", "markdown"])
        .ok()
        .stdout;
    assert!(md.starts_with("# Rollback of beta to v1"), "{md}");
    assert!(md.contains("### Removed: Features"), "{md}");
    assert!(md.contains("- **cart:** Add the cart"), "{md}");
}

fn next_previews_what_the_waiting_release_brings() {
    let env = notes_scenario();
    let out = env
        .run(&["next", "gamma", "--preview", "--json"])
        .ok()
        .json();
    assert_eq!(out["stage"], "gamma");
    assert_eq!(out["release"], "v2", "{out}");
    let preview = &out["preview"];
    assert_eq!(preview["release"], "v2");
    assert_eq!(preview["environments"], json!(["gamma"]));
    assert_eq!(preview["changes"][0]["from"], "v1");
    assert_eq!(preview["changes"][0]["to"], "v2");
    assert_eq!(preview["changes"][0]["environments"], json!(["gamma"]));
    assert_eq!(count(&preview["changes"][0]["commits_added"]), 6);
    // Without --preview, `next` is as it was.
    let plain = env.run(&["next", "gamma", "--json"]).ok().json();
    assert!(plain.get("preview").is_none(), "{plain}");

    let text = env.run(&["next", "gamma", "--preview"]).ok().stdout;
    for expected in [
        "v2 (normal) to gamma",
        "v2 into gamma (now v1):",
        "Commits added (6):",
        "feat!: drop the v1 API",
        "Dependencies (1 change):",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    let md = env
        .run(&["next", "gamma", "--preview", "--output", "markdown"])
        .ok()
        .stdout;
    assert!(md.starts_with("# v2 into gamma"), "{md}");
    assert!(md.contains("## gamma: v1 → v2"), "{md}");
    assert!(md.contains("### Fixes"), "{md}");
    // Markdown needs the preview.
    env.run(&["next", "gamma", "--output", "markdown"]).code(2);

    // Nothing was deployed to production yet: all of v1 (approved in gamma) is new there.
    let out = env
        .run(&["next", "prod", "--preview", "--json"])
        .ok()
        .json();
    assert_eq!(out["preview"]["release"], "v1", "{out}");
    assert_eq!(out["preview"]["environments"], json!(["prod-1", "prod-2"]));
    assert_eq!(out["preview"]["not_deployed"], json!(["prod-1", "prod-2"]));
    assert_eq!(out["preview"]["changes"], json!([]));
    let text = env.run(&["next", "prod", "--preview"]).ok().stdout;
    assert!(
        text.contains("Nothing was deployed to prod-1, prod-2 yet: all of v1 is new there."),
        "{text}"
    );
}

fn release_show_compares_with_the_release_it_was_built_on() {
    let s = scenario();
    let out = s.env.run(&["release", "show", "v4", "--json"]).ok().json();
    let changes = &out["changes"];
    assert_eq!(
        (&changes["from"], &changes["to"]),
        (&json!("v3"), &json!("v4"))
    );
    assert_eq!(
        shas(&changes["commits_added"]),
        s.v4_commits.iter().cloned().collect()
    );
    assert_eq!(changes["commits_removed"], json!([]));
    assert_eq!(
        changes["dependencies"],
        json!([
            {"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "rand", "from": "0.8.5", "to": null},
            {"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "serde", "from": "1.0.1", "to": "1.0.2"},
        ])
    );
    assert_eq!(changes["files"]["files_changed"], 3);
    // The first release has nothing before it.
    let first = s.env.run(&["release", "show", "v1", "--json"]).ok().json();
    assert_eq!(first["changes"], Value::Null);

    let text = s.env.run(&["release", "show", "v4"]).ok().stdout;
    for expected in [
        "commits (1)",
        "changes from v3 to v4",
        "Files (3 changed",
        "src/cache.rs",
        "removed 0.8.5",
        "image: registry.example.com/app@sha256:3333 → registry.example.com/app@sha256:4444",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    let md = s
        .env
        .run(&["release", "show", "v1", "--output", "markdown"])
        .ok()
        .stdout;
    assert!(md.contains("The first release: **2 commits**"), "{md}");
    assert!(md.contains("### Other\n\n- Start the app (`"), "{md}");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    a_release_against_a_release_either_way_round,
    environments_against_environments_and_releases,
    unknown_names_empty_environments_and_stages_are_refused,
    without_a_checkout_the_files_are_missing_and_the_rest_is_there,
    markdown_release_notes_group_conventional_subjects,
    next_previews_what_the_waiting_release_brings,
    release_show_compares_with_the_release_it_was_built_on,
);

/// A test environment whose ledger is `captain serve` on a fresh PostgreSQL database.
fn on_postgres() -> TestEnv {
    let mut env = TestEnv::local();
    let database = fresh_database();
    env.server = Some(Server::start_on(
        &env.path().join("server"),
        &database,
        &[],
        None,
    ));
    env
}

#[test]
fn diff_next_preview_and_release_show_over_postgres() {
    let s = scenario_in(on_postgres());
    let out = s
        .env
        .run(&["diff", "prod-2", "prod-1", "--json"])
        .ok()
        .json();
    assert_eq!(out["from"]["release"], "v2");
    assert_eq!(out["to"]["release"], "v4");
    let expected: BTreeSet<String> = s.v4_commits.iter().chain(&s.v3_commits).cloned().collect();
    assert_eq!(shas(&out["changes"]["commits_added"]), expected);
    assert_eq!(count(&out["changes"]["dependencies"]), 7);
    assert_eq!(out["changes"]["files"]["files_changed"], 5);
    let back = s.env.run(&["diff", "v4", "prod-2", "--json"]).ok().json();
    assert_eq!(shas(&back["changes"]["commits_removed"]), expected);
    let shown = s.env.run(&["release", "show", "v4", "--json"]).ok().json();
    assert_eq!(shown["changes"]["from"], "v3");
    assert_eq!(count(&shown["changes"]["dependencies"]), 2);
    s.env.run(&["diff", "beta", "v1"]).code(5);

    let env = notes_scenario_in(on_postgres());
    let out = env
        .run(&["next", "gamma", "--preview", "--json"])
        .ok()
        .json();
    assert_eq!(out["preview"]["changes"][0]["from"], "v1");
    assert_eq!(count(&out["preview"]["changes"][0]["commits_added"]), 6);
    let md = env
        .run(&["diff", "gamma", "beta", "--output", "markdown"])
        .ok()
        .stdout;
    assert!(
        md.contains("### Breaking changes\n\n- Drop the v1 API"),
        "{md}"
    );
}

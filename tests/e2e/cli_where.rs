//! `captain where` against the truth of `git merge-base --is-ancestor`, on a generated
//! history with merges, commits older than the first release, a hotfix branch and a
//! rollback that removes commits from an environment.

use std::process::Command;

use captain::git::sandbox::Sandbox;

use super::common::{SMALL_PIPELINE, TestEnv, hours_ago};
use super::scenario::{Record, Rng, Scenario, head};

fn is_ancestor(repo: &std::path::Path, ancestor: &str, descendant: &str) -> bool {
    let status = Command::new("git")
        .args(["merge-base", "--is-ancestor", ancestor, descendant])
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("git runs");
    match status.code() {
        Some(0) => true,
        Some(1) => false,
        other => panic!("git merge-base failed: {other:?}"),
    }
}

fn where_agrees_with_git_merge_base_on_a_history_with_merges_and_a_hotfix() {
    let env = TestEnv::new();
    let sandbox: Sandbox = env.init_repo(SMALL_PIPELINE);
    let repo = env.repo_path();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut scenario = Scenario::new(env, 24 * 20);
    let mut n = 0;
    let mut file = |rng: &mut Rng| {
        n += 1;
        (
            format!("src/file{}.txt", rng.below(5)),
            format!("change {n}\n"),
        )
    };

    // History older than the first release.
    for i in 0..6 {
        let (path, content) = file(&mut rng);
        sandbox
            .commit(
                &[(&path, &content)],
                &format!("old work {i}"),
                "Ana Lima",
                hours_ago(24 * 25 - i),
            )
            .expect("commit");
    }
    let mut hotfix_base = None;
    for round in 0..8 {
        for i in 0..=rng.below(3) {
            let (path, content) = file(&mut rng);
            sandbox
                .commit(
                    &[(&path, &content)],
                    &format!("round {round} change {i}"),
                    "Ben Okafor",
                    hours_ago(24 * 19 - round * 3),
                )
                .expect("commit");
        }
        if rng.below(2) == 0 {
            // A side branch merged back with a merge commit.
            let tip = head(&repo);
            let mut side = tip.clone();
            for i in 0..=rng.below(2) {
                let (path, content) = file(&mut rng);
                side = sandbox
                    .commit_with_parents(
                        &[(&path, &content)],
                        &format!("feature {round}.{i}"),
                        "Chen Wei",
                        hours_ago(24 * 19 - round * 3),
                        &[side],
                        None,
                    )
                    .expect("side commit");
            }
            sandbox
                .commit_with_parents(
                    &[],
                    &format!("Merge feature {round}"),
                    "Chen Wei",
                    hours_ago(24 * 19 - round * 3),
                    &[tip, side],
                    Some("HEAD"),
                )
                .expect("merge");
        }
        let number = scenario.release("HEAD");
        scenario.deploy_everywhere(number);
        if number == 5 {
            hotfix_base = Some(head(&repo));
        }
    }

    // A release built from a hotfix branch cut at v5, deployed to prod-3 only (forced).
    let base = hotfix_base.expect("v5 exists");
    sandbox.set_branch("hotfix", &base).expect("branch");
    let hotfix = sandbox
        .commit_with_parents(
            &[("src/hotfix.txt", "urgent\n")],
            "Urgent security fix",
            "Dana Cruz",
            hours_ago(24 * 2),
            &[base],
            Some("refs/heads/hotfix"),
        )
        .expect("hotfix commit");
    let hotfix_release = scenario.release_with(&hotfix, &["--hotfix", "--reason", "security fix"]);
    scenario.record(
        "prod-3",
        hotfix_release,
        Record {
            force: true,
            ..Record::APPROVED
        },
    );

    // Roll prod-2 back three releases: commits leave it.
    let latest = *scenario
        .releases
        .keys()
        .filter(|r| **r != hotfix_release)
        .max()
        .expect("releases");
    scenario.deploy("prod-2", latest - 3, true);

    // One more commit on main that is in no release yet.
    sandbox
        .commit(
            &[("src/unreleased.txt", "soon\n")],
            "Not released yet",
            "Ana Lima",
            hours_ago(1),
        )
        .expect("commit");

    let environments = ["beta", "gamma", "prod-1", "prod-2", "prod-3"];
    let commits: Vec<String> = super::scenario::git(&repo, &["rev-list", "--all"])
        .lines()
        .map(str::to_string)
        .collect();
    assert!(
        commits.len() > 25,
        "the generated history is too small: {}",
        commits.len()
    );
    for commit in &commits {
        let json = scenario.env.run(&["where", commit, "--json"]).ok().json();
        let expected_release = scenario
            .releases
            .iter()
            .find(|(_, release_commit)| is_ancestor(&repo, commit, release_commit))
            .map(|(number, _)| format!("v{number}"));
        assert_eq!(
            json["release"].as_str().map(str::to_string),
            expected_release,
            "first release of {commit}"
        );
        let expected_deployed: Vec<&str> = environments
            .iter()
            .copied()
            .filter(|e| {
                scenario
                    .current
                    .get(*e)
                    .is_some_and(|r| is_ancestor(&repo, commit, &scenario.releases[r]))
            })
            .collect();
        let deployed: Vec<&str> = json["deployed_to"]
            .as_array()
            .expect("deployed_to")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(deployed, expected_deployed, "where {commit}");
        let not_deployed: Vec<&str> = json["not_deployed_to"]
            .as_array()
            .expect("not_deployed_to")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(deployed.len() + not_deployed.len(), environments.len());
    }

    // Without a checkout, a unique sha prefix works and gives the same answer.
    let outside = scenario.env.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("dir");
    let pipeline = repo.join("pipeline.toml");
    let prefix = &hotfix[..10];
    let with_repo = scenario.env.run(&["where", &hotfix, "--json"]).ok().json();
    let without = scenario
        .env
        .command()
        .current_dir(&outside)
        .args([
            "where",
            prefix,
            "--json",
            "--pipeline",
            pipeline.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run");
    let without: super::common::Run = without.into();
    let without = without.ok().json();
    assert_eq!(with_repo["deployed_to"], without["deployed_to"]);
    assert_eq!(without["deployed_to"], serde_json::json!(["prod-3"]));
    assert_eq!(without["commit"].as_str(), Some(hotfix.as_str()));
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(where_agrees_with_git_merge_base_on_a_history_with_merges_and_a_hotfix,);

/// Views read the pipeline's outline from the user's cache while pipeline.toml keeps its
/// text (issue 16): an edit is seen by the very next command, and an edit that breaks the
/// file is reported as without a cache.
#[test]
fn views_see_every_edit_of_pipeline_toml_through_the_outline_cache() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create"]).ok();
    let nowhere = |run: super::common::Run| -> Vec<String> {
        let view: serde_json::Value =
            serde_json::from_str(&run.stdout).expect("where --json prints JSON");
        serde_json::from_value(view["not_deployed_to"].clone()).expect("a list of names")
    };
    let before = nowhere(env.run(&["--json", "where", "HEAD"]).ok());
    assert_eq!(before, ["beta", "gamma", "prod-1", "prod-2", "prod-3"]);
    let kept = env.path().join("home/.cache/captain/outlines");
    assert_eq!(
        std::fs::read_dir(&kept)
            .expect("the cache directory")
            .count(),
        1
    );
    // A second look reads the entry and answers the same.
    assert_eq!(nowhere(env.run(&["--json", "where", "HEAD"]).ok()), before);

    let file = env.repo_path().join("pipeline.toml");
    std::fs::write(&file, SMALL_PIPELINE.replace("\"prod-3\"", "\"prod-4\""))
        .expect("pipeline.toml is written");
    let after = nowhere(env.run(&["--json", "where", "HEAD"]).ok());
    assert_eq!(after, ["beta", "gamma", "prod-1", "prod-2", "prod-4"]);
    env.run(&["history", "prod-4"]).ok();
    let gone = env.run(&["history", "prod-3"]).code(5);
    assert!(
        gone.stderr.contains("unknown environment `prod-3`"),
        "{}",
        gone.stderr
    );

    // Back to the first text: its entry answers again; broken: exit 1 as in every command.
    std::fs::write(&file, SMALL_PIPELINE).expect("pipeline.toml is written");
    assert_eq!(nowhere(env.run(&["--json", "where", "HEAD"]).ok()), before);
    std::fs::write(&file, SMALL_PIPELINE.replace("name = \"beta\"", "name = 7"))
        .expect("pipeline.toml is written");
    let broken = env.run(&["where", "HEAD"]).code(1);
    assert!(
        broken.stderr.contains("is not a valid pipeline"),
        "{}",
        broken.stderr
    );
    let broken = env.run(&["history", "beta"]).code(1);
    assert!(
        broken.stderr.contains("is not a valid pipeline"),
        "{}",
        broken.stderr
    );
}

/// A view leaves its SQLite connection to the process's end instead of closing it (issue
/// 16): the ledger stays whole for the next writer, and a long log another program left
/// is still emptied as the view exits.
#[test]
fn views_that_leave_their_connection_open_leave_the_ledger_whole_and_the_log_short() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create"]).ok();
    let ledger = env.state_path();
    let mut log = ledger.as_os_str().to_owned();
    log.push("-wal");
    let log_len = || std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    {
        // Another program leaves a megabyte in the log.
        let conn = rusqlite::Connection::open(&ledger).expect("the ledger opens");
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .expect("checkpoints on close are off");
        conn.execute_batch(
            "CREATE TABLE scratch (x); INSERT INTO scratch VALUES (zeroblob(1000000));",
        )
        .expect("the other program writes");
    }
    assert!(log_len() > 1_000_000, "the other program left its frames");
    env.run(&["where", "HEAD"]).ok();
    assert_eq!(log_len(), 0, "the view emptied the long log as it exited");
    for view in [&["status"][..], &["history", "beta"], &["where", "HEAD"]] {
        env.run(view).ok();
    }
    env.run(&["deploy", "start", "beta", "--release", "v1"])
        .ok();
    let history = env.run(&["--json", "history", "beta"]).ok();
    let history: serde_json::Value =
        serde_json::from_str(&history.stdout).expect("history --json prints JSON");
    assert_eq!(history["deployments"].as_array().map(Vec::len), Some(1));
    assert_eq!(history["deployments"][0]["release"], "v1");
    let conn = rusqlite::Connection::open(&ledger).expect("the ledger opens");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("the check runs");
    assert_eq!(check, "ok");
}

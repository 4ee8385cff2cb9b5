//! Bad input gets one clear sentence naming the input, the documented exit code, and
//! never a panic or a changed file.

use super::common::{SMALL_PIPELINE, TestEnv};

fn an_unknown_environment_is_exit_5_with_a_did_you_mean() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let run = env.run(&["history", "prod-22"]).code(5);
    assert!(
        run.stderr.contains("unknown environment `prod-22`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `prod-2`?"),
        "{}",
        run.stderr
    );

    let json = env.run(&["history", "prod-22", "--json"]).code(5);
    let error: serde_json::Value =
        serde_json::from_str(json.stderr.trim()).expect("JSON error on stderr");
    assert_eq!(error["error"]["kind"], "not found");
    assert_eq!(error["error"]["hint"], "did you mean `prod-2`?");
}

fn a_bad_revision_names_the_revision() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let run = env
        .run(&["release", "create", "--commit", "no-such-branch"])
        .code(5);
    assert!(run.stderr.contains("no-such-branch"), "{}", run.stderr);
    let run = env.run(&["where", "deadbeef"]).code(5);
    assert!(run.stderr.contains("deadbeef"), "{}", run.stderr);
}

/// `--json` is short for `--output json`: given with another `--output` it is a usage
/// error, not a silent choice of one of them.
#[test]
fn json_with_another_output_format_is_a_usage_error() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let run = env
        .run(&["diff", "v1", "v2", "--json", "--output", "markdown"])
        .code(2);
    assert!(
        run.stderr
            .contains("'--json' cannot be used with '--output"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_pipeline_file_says_how_to_make_one() {
    let env = TestEnv::new();
    env.init_repo_with(&[("README.md", "hi\n")]);
    let run = env.run(&["status"]).code(5);
    assert!(run.stderr.contains("pipeline.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("captain init"), "{}", run.stderr);
}

#[test]
fn a_state_file_that_is_not_captains_is_refused_and_left_untouched() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(env.state_path(), &bytes).expect("write junk");
    let run = env.run(&["status"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&env.state_path().display().to_string()),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(std::fs::read(env.state_path()).expect("read back"), bytes);
}

fn deploy_start_is_refused_until_the_previous_stage_approved() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create"]).ok();
    let run = env
        .run(&["deploy", "start", "gamma", "--release", "v1"])
        .code(3);
    assert!(run.stderr.contains("beta"), "{}", run.stderr);
    let run = env
        .run(&["deploy", "start", "gamma", "--release", "v1", "--force"])
        .code(2);
    assert!(run.stderr.contains("--reason"), "{}", run.stderr);
    env.run(&[
        "deploy",
        "start",
        "gamma",
        "--release",
        "v1",
        "--force",
        "--reason",
        "hotfix test",
    ])
    .ok();
    env.run(&["deploy", "start", "beta", "--release", "v9"])
        .code(5);
}

fn releases_are_idempotent_and_artifacts_never_change() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let first = env
        .run(&[
            "release",
            "create",
            "--artifact",
            "image=reg/app@sha256:1",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(first["release"], "v1");
    assert_eq!(first["created"], true);
    let again = env
        .run(&[
            "release",
            "create",
            "--artifact",
            "image=reg/app@sha256:1",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(again["release"], "v1");
    assert_eq!(again["created"], false);
    let changed = env
        .run(&["release", "create", "--artifact", "image=reg/app@sha256:2"])
        .code(4);
    assert!(changed.stderr.contains("v1"), "{}", changed.stderr);
    let shown = env.run(&["release", "show", "v1", "--json"]).ok().json();
    assert_eq!(shown["artifacts"]["image"], "reg/app@sha256:1");
}

fn commit_and_actor_come_from_ci_variables() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let first = sandbox
        .commit(
            &[("a.txt", "a\n")],
            "first",
            "Ana Lima",
            super::common::hours_ago(3),
        )
        .expect("commit");
    sandbox
        .commit(
            &[("b.txt", "b\n")],
            "second",
            "Ana Lima",
            super::common::hours_ago(2),
        )
        .expect("commit");
    let run: super::common::Run = env
        .command()
        .env_remove("CAPTAIN_ACTOR")
        .env("GITHUB_SHA", &first)
        .env("GITHUB_ACTOR", "octocat")
        .args(["release", "create", "--json"])
        .output()
        .expect("run")
        .into();
    let json = run.ok().json();
    assert_eq!(json["commit"].as_str(), Some(first.as_str()));
    let listed = env.run(&["release", "list", "--json"]).ok().json();
    assert_eq!(listed["releases"][0]["actor"], "octocat");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    an_unknown_environment_is_exit_5_with_a_did_you_mean,
    a_bad_revision_names_the_revision,
    deploy_start_is_refused_until_the_previous_stage_approved,
    releases_are_idempotent_and_artifacts_never_change,
    commit_and_actor_come_from_ci_variables,
);

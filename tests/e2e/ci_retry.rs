//! `captain retry` (issue 10, point 4): a release that failed in a stage for a transient
//! cause is deployed there again — by `captain run`, or by an external CI that `captain
//! next` hands it to — audited, and never twice in a mixed set-up.

use serde_json::Value;

use super::common::{SMALL_PIPELINE, TestEnv};
use crate::on_both_backends;

fn start(env: &TestEnv, environment: &str, release: &str) -> String {
    env.run(&["deploy", "start", environment, "--release", release, "-q"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

fn finish(env: &TestEnv, id: &str, outcome: &str) {
    env.run(&["deploy", "finish", id, "--outcome", outcome])
        .ok();
}

fn normal_deployments(env: &TestEnv, environment: &str, release: &str) -> Vec<String> {
    let history = env.run(&["history", environment, "--json"]).ok().json();
    history["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .filter(|d| d["release"] == release && d["kind"] == "normal")
        .map(|d| d["outcome"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn an_external_ci_retries_a_release_that_failed_for_a_transient_cause() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let id = start(&env, "beta", "v1");
    finish(&env, &id, "approved");
    let id = start(&env, "gamma", "v1");
    // The runner was killed: the CI reports the deploy failed.
    finish(&env, &id, "deploy-failed");

    let refused = env
        .run(&["deploy", "start", "gamma", "--release", "v1"])
        .code(3);
    assert!(
        refused.stderr.contains("v1 failed in stage gamma")
            && refused.stderr.contains("captain retry gamma"),
        "{}",
        refused.stderr
    );
    env.run(&["retry", "gamma"]).code(2);
    let retry = env
        .run(&["retry", "gamma", "--reason", "runner killed", "--json"])
        .ok()
        .json();
    assert_eq!(retry["release"], "v1");
    assert_eq!(retry["environments"], serde_json::json!(["gamma"]));
    let next = env.run(&["next", "gamma", "--json"]).ok().json();
    assert_eq!(next["release"], "v1", "{next:#}");
    assert_eq!(next["kind"], "normal", "{next:#}");
    let id = start(&env, "gamma", "v1");
    finish(&env, &id, "approved");
    assert_eq!(
        normal_deployments(&env, "gamma", "v1"),
        ["approved", "deploy failed"]
    );
    env.run(&["gate", "prod-1"]).ok();

    // Audited with who and why; a second retry has nothing to do.
    let audit = env
        .run(&["audit", "--environment", "gamma", "--json"])
        .ok()
        .json();
    let retried = audit["events"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["action"] == "stage.retried"))
        .expect("the retry is audited");
    assert_eq!(retried["reason"], "runner killed");
    assert_eq!(retried["actor"], "tester");
    let again = env
        .run(&["retry", "gamma", "--reason", "again", "--release", "v1"])
        .code(3);
    assert!(again.stderr.contains("approved"), "{}", again.stderr);

    // Only the newest release a stage took can be retried.
    env.run(&["retry", "beta", "--reason", "x"]).code(3);
}

/// A deploy command that fails the first time it runs for an environment (a missing
/// script, say), and succeeds after.
const FLAKY_DEPLOY: &str = r#"#!/bin/sh
marker="$CAPTAIN_ENVIRONMENT.tried"
if [ ! -e "$marker" ]; then
  touch "$marker"
  echo "deploy.sh: the artifact store did not answer" >&2
  exit 1
fi
exit 0
"#;

fn the_loop_performs_a_retry_and_a_mixed_set_up_never_deploys_it_twice() {
    let env = TestEnv::new();
    let pipeline = SMALL_PIPELINE.replace(
        "timezone = \"UTC\"",
        "timezone = \"UTC\"\n\n[defaults]\ndeploy = { argv = [\"./deploy.sh\"] }",
    );
    env.init_repo_with(&[("pipeline.toml", &pipeline), ("deploy.sh", FLAKY_DEPLOY)]);
    {
        use std::os::unix::fs::PermissionsExt;
        let script = env.repo_path().join("deploy.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    env.run(&["release", "create", "-q"]).ok();
    // Each first deploy fails: beta fails v1 there (the round exits 6).
    env.run(&["run", "--once", "-q"]).code(6);
    assert_eq!(normal_deployments(&env, "beta", "v1"), ["deploy failed"]);
    env.run(&["run", "--once", "-q"]).ok();
    assert_eq!(normal_deployments(&env, "beta", "v1"), ["deploy failed"]);

    env.run(&["retry", "beta", "--reason", "artifact store was down"])
        .ok();
    // beta approves it now; gamma's first deploy fails.
    env.run(&["run", "--once", "-q"]).code(6);
    assert_eq!(
        normal_deployments(&env, "beta", "v1"),
        ["approved", "deploy failed"]
    );
    // gamma fails too; this time an external CI takes the retry, and the loop must not
    // deploy it a second time.
    assert_eq!(normal_deployments(&env, "gamma", "v1"), ["deploy failed"]);
    env.run(&["retry", "gamma", "--reason", "same outage"]).ok();
    let id = start(&env, "gamma", "v1");
    // The loop deploys the CI's recorded deployment (it deploys this stage); prod-1's
    // first deploy then fails.
    env.run(&["run", "--once", "-q"]).code(6);
    finish(&env, &id, "approved");
    env.run(&["run", "--once", "-q"]).ok();
    assert_eq!(
        normal_deployments(&env, "gamma", "v1"),
        ["approved", "deploy failed"]
    );
    let status = env.run(&["status", "--json"]).ok().json();
    let gamma: &Value = &status["stages"][1]["environments"][0];
    assert_eq!(gamma["release"], "v1", "{status:#}");
}

on_both_backends!(
    an_external_ci_retries_a_release_that_failed_for_a_transient_cause,
    the_loop_performs_a_retry_and_a_mixed_set_up_never_deploys_it_twice,
);

//! `captain promotions list | disable | enable` through the real binary: locks stop
//! deployments (exit 3), are audited, and lifting them lets the next release flow in.

use serde_json::{Value, json};

use super::common::TestEnv;
use super::rollback_preview::PIPELINE;

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.init_repo(PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    env
}

fn deploy_start(env: &TestEnv, environment: &str) -> super::common::Run {
    env.run(&["deploy", "start", environment, "--release", "v1", "-q"])
}

fn audit_actions(env: &TestEnv) -> Vec<(String, String)> {
    env.run(&["state", "export"])
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .filter(|r| r["type"] == "audit")
        .map(|r| {
            let event = &r["event"];
            (
                event["action"].as_str().unwrap_or_default().to_string(),
                event["target"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn a_locked_environment_refuses_deployments_until_enabled() {
    let env = setup();
    let out = env
        .run(&[
            "promotions",
            "disable",
            "prod-1",
            "--reason",
            "bad canary",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["target"], "prod-1");
    assert_eq!(out["target_kind"], "environment");
    assert_eq!(out["direction"], "both");
    assert_eq!(out["actor"], "tester");

    let list = env.run(&["promotions", "list", "--json"]).ok().json();
    assert_eq!(list["locks"].as_array().map(Vec::len), Some(1));
    let text = env.run(&["promotions", "list"]).ok().stdout;
    assert!(
        text.contains("bad canary") && text.contains("into and out of"),
        "{text}"
    );
    let status = env.run(&["status", "--json"]).ok().json();
    assert_eq!(
        status["stages"][1]["environments"][0]["locks"][0]["reason"],
        "bad canary"
    );

    // beta → prod: approve v1 in beta, then prod-1 is locked but prod-2 is not.
    let id = deploy_start(&env, "beta").ok().stdout;
    env.run(&["deploy", "finish", id.trim(), "--outcome", "approved"])
        .ok();
    let run = deploy_start(&env, "prod-1").code(3);
    assert!(run.stderr.contains("prod-1"), "{}", run.stderr);
    assert!(run.stderr.contains("bad canary"), "{}", run.stderr);
    assert!(
        run.stderr.contains("promotions enable prod-1"),
        "{}",
        run.stderr
    );
    // A stage takes a release with all its environments (the rule of `captain run`), so
    // the lock on prod-1 holds prod-2 too, and says so.
    let run = deploy_start(&env, "prod-2").code(3);
    assert!(run.stderr.contains("environment prod-1"), "{}", run.stderr);

    // Lifting the inbound half only leaves it locked outbound: deployments flow in, and
    // the command says what is still disabled (exit 3), never a silent success.
    let run = env
        .run(&[
            "promotions",
            "enable",
            "prod-1",
            "--direction",
            "in",
            "--json",
        ])
        .code(3);
    let out = run.json();
    assert_eq!(out["lifted"], true);
    assert_eq!(out["locks_lifted"][0]["direction"], "in");
    assert_eq!(out["remaining"][0]["direction"], "out");
    let error: Value = serde_json::from_str(run.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["kind"], "blocked");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("out of environment prod-1 (by tester")),
        "{error}"
    );
    assert!(
        error["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("promotions enable prod-1 --direction out")),
        "{error}"
    );
    let list = env.run(&["promotions", "list", "--json"]).ok().json();
    assert_eq!(list["locks"][0]["direction"], "out");
    deploy_start(&env, "prod-1").ok();
    deploy_start(&env, "prod-2").ok();
    // Repeating is fine for runbooks.
    env.run(&["promotions", "enable", "prod-1"]).ok();
    let out = env
        .run(&["promotions", "enable", "prod-1", "--json"])
        .ok()
        .json();
    assert_eq!(out["lifted"], false);
    let list = env.run(&["promotions", "list", "--json"]).ok().json();
    assert_eq!(list["locks"], json!([]));

    let actions = audit_actions(&env);
    let locks: Vec<&(String, String)> = actions
        .iter()
        .filter(|(a, _)| a.starts_with("lock."))
        .collect();
    assert_eq!(
        locks,
        vec![
            &("lock.set".to_string(), "prod-1".to_string()),
            &("lock.remove".to_string(), "prod-1".to_string()),
            &("lock.remove".to_string(), "prod-1".to_string()),
        ]
    );
}

fn a_stage_locked_outbound_keeps_its_releases() {
    let env = setup();
    env.run(&[
        "promotions",
        "disable",
        "beta",
        "--direction",
        "out",
        "--reason",
        "freeze",
    ])
    .ok();
    let id = deploy_start(&env, "beta").ok().stdout;
    env.run(&["deploy", "finish", id.trim(), "--outcome", "approved"])
        .ok();
    let run = deploy_start(&env, "prod-2").code(3);
    assert!(run.stderr.contains("out of"), "{}", run.stderr);
    // A stage name that is not also an environment locks the stage.
    let out = env
        .run(&[
            "promotions",
            "disable",
            "prod",
            "--direction",
            "in",
            "--reason",
            "audit",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["target_kind"], "stage");
    env.run(&["promotions", "enable", "beta"]).ok();
    deploy_start(&env, "prod-2").code(3);
    env.run(&["promotions", "enable", "prod"]).ok();
    deploy_start(&env, "prod-2").ok();
}

fn disabling_needs_a_reason_and_a_known_target() {
    let env = setup();
    env.run(&["promotions", "disable", "prod-1"]).code(2);
    let run = env
        .run(&["promotions", "disable", "prod-1", "--reason", "  "])
        .code(2);
    assert!(run.stderr.contains("reason"), "{}", run.stderr);
    let run = env
        .run(&["promotions", "disable", "prod-3", "--reason", "x"])
        .code(5);
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
    env.run(&["promotions", "enable", "gamma"]).code(5);
    let list = env.run(&["promotions", "list"]).ok().stdout;
    assert!(list.contains("enabled everywhere"), "{list}");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    a_locked_environment_refuses_deployments_until_enabled,
    a_stage_locked_outbound_keeps_its_releases,
    disabling_needs_a_reason_and_a_known_target,
);

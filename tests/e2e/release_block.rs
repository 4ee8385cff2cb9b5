//! `captain release block | unblock` (issue 13, point 2): a blocked release is never
//! promoted or deployed anywhere — `gate`, `next`, `deploy start` and `captain run`
//! refuse it, no `--force` gets past it, not even through a raw request to the server —
//! the views mark it, `--rollback` rolls back the environments running it through the
//! ordinary rollback, and both changes are audited.

use serde_json::Value;

use super::common::{Backend, SMALL_PIPELINE, TestEnv, hours_ago, on_backend};
use crate::on_both_backends;
use captain::server::auth::Role;

fn start(env: &TestEnv, environment: &str, release: &str) -> String {
    env.run(&["deploy", "start", environment, "--release", release, "-q"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

fn approve(env: &TestEnv, environment: &str, release: &str) {
    let id = start(env, environment, release);
    env.run(&["deploy", "finish", &id, "--outcome", "approved"])
        .ok();
}

fn a_blocked_release_is_refused_everywhere_until_it_is_unblocked() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    approve(&env, "beta", "v1");

    env.run(&["release", "block", "v1"]).code(2);
    let blocked = env
        .run(&["release", "block", "v1", "--reason", "breaks checkout"])
        .ok();
    assert!(
        blocked
            .stdout
            .contains("v1 is blocked everywhere: breaks checkout"),
        "{}",
        blocked.stdout
    );
    assert!(
        blocked.stderr.contains("beta still runs it"),
        "{}",
        blocked.stderr
    );
    let again = env
        .run(&["release", "block", "v1", "--reason", "again", "--json"])
        .ok()
        .json();
    assert_eq!(again["created"], false);
    assert_eq!(again["block"]["reason"], "breaks checkout");
    env.run(&["release", "block", "v9", "--reason", "x"])
        .code(5);

    // Every driver refuses it, naming the block, who and why; nothing forces past it.
    let gate = env.run(&["gate", "gamma"]).code(3);
    assert!(
        gate.stdout.contains("v1 is blocked by tester") && gate.stdout.contains("breaks checkout"),
        "{}",
        gate.stdout
    );
    let next = env.run(&["next", "gamma"]).ok();
    assert!(next.stdout.contains("v1 is blocked"), "{}", next.stdout);
    for args in [
        vec!["deploy", "start", "gamma", "--release", "v1"],
        vec![
            "deploy",
            "start",
            "gamma",
            "--release",
            "v1",
            "--force",
            "--reason",
            "hurry",
        ],
        vec![
            "deploy",
            "start",
            "beta",
            "--release",
            "v1",
            "--force",
            "--reason",
            "again",
        ],
    ] {
        let refused = env.run(&args).code(3);
        assert!(
            refused.stderr.contains("v1 is blocked by tester")
                && refused.stderr.contains("captain release unblock v1"),
            "{args:?}: {}",
            refused.stderr
        );
    }

    // The views mark it.
    let status = env.run(&["status", "--json"]).ok().json();
    assert_eq!(status["blocked"][0]["release"], "v1", "{status:#}");
    assert_eq!(status["blocked"][0]["reason"], "breaks checkout");
    assert_eq!(status["stages"][1]["waiting"], Value::Null, "{status:#}");
    let table = env.run(&["status"]).ok().stdout;
    assert!(table.contains("blocked: v1 by tester"), "{table}");
    assert!(table.contains("v1 (blocked)"), "{table}");
    let list = env.run(&["release", "list", "--json"]).ok().json();
    assert_eq!(list["releases"][0]["block"]["actor"], "tester", "{list:#}");
    assert!(
        env.run(&["release", "list"])
            .ok()
            .stdout
            .contains("v1 (blocked)")
    );
    let show = env.run(&["release", "show", "v1"]).ok().stdout;
    assert!(show.contains("BLOCKED   breaks checkout"), "{show}");
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    assert_eq!(history["deployments"][0]["blocked"], true);
    let located = env.run(&["where", "HEAD", "--json"]).ok().json();
    assert_eq!(located["blocked"][0]["release"], "v1", "{located:#}");

    // Lifted, it moves again; both changes are in the audit log with who and why.
    env.run(&["release", "unblock", "v1"]).code(2);
    let lifted = env
        .run(&["release", "unblock", "v1", "--reason", "false alarm"])
        .ok();
    assert!(lifted.stdout.contains("v1 is no longer blocked"));
    let repeat = env
        .run(&["release", "unblock", "v1", "--reason", "again"])
        .ok();
    assert!(repeat.stdout.contains("was not blocked"));
    env.run(&["gate", "gamma"]).ok();
    let audit = env.run(&["audit", "--json"]).ok().json();
    let events = audit["events"].as_array().expect("events");
    let of = |action: &str| {
        events
            .iter()
            .filter(|e| e["action"] == action)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("release.block").len(), 1, "{audit:#}");
    assert_eq!(of("release.block")[0]["reason"], "breaks checkout");
    assert_eq!(of("release.block")[0]["target"], "v1");
    assert_eq!(of("release.unblock").len(), 1);
    assert_eq!(of("release.unblock")[0]["reason"], "false alarm");

    // --rollback: beta runs v2 when v2 is blocked; it goes back to v1 through the
    // ordinary rollback (locks, a rollback deployment), and gamma is offered v1.
    sandbox
        .commit(
            &[("src/b.txt", "b\n")],
            "Change b",
            "Ana Lima",
            hours_ago(1),
        )
        .expect("commit");
    env.run(&["release", "create", "-q"]).ok();
    approve(&env, "beta", "v2");
    let rolled = env
        .run(&[
            "release",
            "block",
            "v2",
            "--reason",
            "corrupts carts",
            "--rollback",
            "--yes",
        ])
        .ok();
    assert!(
        rolled.stdout.contains("v2 is blocked everywhere"),
        "{}",
        rolled.stdout
    );
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    let newest = &history["deployments"][0];
    assert_eq!(newest["kind"], "rollback", "{history:#}");
    assert_eq!(newest["release"], "v1");
    let locks = env.run(&["promotions", "list", "--json"]).ok().json();
    assert!(
        locks["locks"]
            .as_array()
            .expect("locks")
            .iter()
            .any(|l| l["target"] == "beta" && l["target_kind"] == "environment"),
        "{locks:#}"
    );
    // Once the rollback is over and beta's promotions are enabled again, gamma takes
    // nothing: v1 was superseded there by v2 before the block, and v2 is blocked.
    let rollback = newest["id"].as_str().expect("id");
    env.run(&["deploy", "finish", rollback, "--outcome", "approved"])
        .ok();
    env.run(&["promotions", "enable", "beta", "--reason", "rolled back"])
        .ok();
    let gate = env.run(&["gate", "gamma", "--json"]).code(3).json();
    assert_eq!(gate["release"], Value::Null, "{gate:#}");
    assert!(
        gate["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("v2 is blocked by tester")),
        "{gate:#}"
    );
}

/// A deploy command that records each deployment it is given.
const RECORDING_DEPLOY: &str =
    "#!/bin/sh\necho \"$CAPTAIN_ENVIRONMENT $CAPTAIN_RELEASE\" >> deployed.txt\n";

fn the_loop_never_deploys_a_blocked_release() {
    let env = TestEnv::new();
    let pipeline = SMALL_PIPELINE.replace(
        "timezone = \"UTC\"",
        "timezone = \"UTC\"\n\n[defaults]\ndeploy = { argv = [\"./deploy.sh\"] }",
    );
    env.init_repo_with(&[
        ("pipeline.toml", &pipeline),
        ("deploy.sh", RECORDING_DEPLOY),
    ]);
    {
        use std::os::unix::fs::PermissionsExt;
        let script = env.repo_path().join("deploy.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    env.run(&["release", "create", "-q"]).ok();
    env.run(&["release", "block", "v1", "--reason", "known bad"])
        .ok();
    env.run(&["run", "--once", "-q"]).ok();
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    assert_eq!(history["deployments"], serde_json::json!([]), "{history:#}");
    assert!(!env.repo_path().join("deployed.txt").exists());

    env.run(&["release", "unblock", "v1", "--reason", "fixed the flag"])
        .ok();
    env.run(&["run", "--once", "-q"]).ok();
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    assert_eq!(history["deployments"][0]["release"], "v1", "{history:#}");
}

on_both_backends!(
    a_blocked_release_is_refused_everywhere_until_it_is_unblocked,
    the_loop_never_deploys_a_blocked_release,
);

/// On a team server a block is an operator's, and it holds for a raw request whatever
/// its body says.
#[test]
fn a_raw_request_neither_blocks_without_the_role_nor_forces_past_a_block() {
    let mut env = None;
    on_backend(Backend::Http, || env = Some(TestEnv::new()));
    let env = env.expect("a server");
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let server = env.server.as_ref().expect("server");
    let deployer = server.token("ci", Role::Deploy, false);
    let operator = server.token("oncall", Role::Operator, false);
    let client = reqwest::blocking::Client::new();
    let post = |token: &str, path: &str, body: Value| -> (u16, Value) {
        let answer = client
            .post(format!("{}/v1/pipelines/checkout{path}", server.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .expect("request");
        (
            answer.status().as_u16(),
            answer.json().unwrap_or(Value::Null),
        )
    };
    let block = serde_json::json!({"target_kind": "release", "target": "v1", "direction": "both",
        "actor": "ci", "reason": "mine", "created_at": "2026-01-01T00:00:00Z"});
    assert_eq!(post(&deployer, "/locks", block.clone()).0, 403);
    let cli_deployer = env
        .command()
        .env("CAPTAIN_TOKEN", &deployer)
        .args(["release", "block", "v1", "--reason", "mine"])
        .output()
        .expect("run");
    assert!(
        !cli_deployer.status.success()
            && String::from_utf8_lossy(&cli_deployer.stderr).contains("operator"),
        "refused before anything changes: {}",
        String::from_utf8_lossy(&cli_deployer.stderr)
    );
    // A release block must name a release that exists, in the one form.
    let mut odd = block.clone();
    odd["target"] = Value::String("v99".into());
    assert_eq!(post(&operator, "/locks", odd).0, 404);
    let mut odd = block.clone();
    odd["direction"] = Value::String("in".into());
    assert_eq!(post(&operator, "/locks", odd).0, 400);
    assert_eq!(post(&operator, "/locks", block).0, 200);

    let (status, body) = post(
        &operator,
        "/deployments",
        serde_json::json!({"environment": "beta", "release": "v1", "rollback": false,
            "actor": "oncall", "reason": "push it", "now": "2026-01-01T00:00:00Z", "force": true}),
    );
    assert_eq!(status, 423, "{body:#}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("v1 is blocked by")),
        "{body:#}"
    );
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    assert_eq!(history["deployments"], serde_json::json!([]));
}

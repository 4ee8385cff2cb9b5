//! Freezes (issue 13, point 5): an emergency freeze by command (`captain freeze [TARGET]
//! --reason [--until]`, `captain unfreeze`) and pipeline.toml's `freezes` hold every
//! driver — `gate`, `next`, `deploy start` (even `--force`), `captain run` — and a raw
//! request to the server; rollbacks are never held; `gate`, `next`, `status` and `plan`
//! say which freeze holds and until when, in the pipeline's time zone; both changes are
//! audited; on a team server freezing needs the role locks need.

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

fn at(text: &str) -> captain::model::Timestamp {
    text.parse().expect("timestamp")
}

fn an_emergency_freeze_holds_every_driver_but_rollbacks_until_it_ends() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    approve(&env, "beta", "v1");
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

    // Bad input is named with the fix, before anything changes.
    env.run(&["freeze", "gamma"]).code(2);
    let typo = env.run(&["freeze", "gama", "--reason", "x"]).code(5);
    assert!(
        typo.stderr.contains("did you mean `gamma`?"),
        "{}",
        typo.stderr
    );
    let past = env
        .run(&[
            "freeze",
            "gamma",
            "--reason",
            "x",
            "--until",
            "2026-11-20T10:00",
        ])
        .code(2);
    assert!(
        past.stderr.contains("is not in the future"),
        "{}",
        past.stderr
    );
    let odd = env
        .run(&["freeze", "gamma", "--reason", "x", "--until", "soon"])
        .code(2);
    assert!(odd.stderr.contains("write a duration"), "{}", odd.stderr);

    let frozen = env
        .run(&[
            "freeze",
            "gamma",
            "--reason",
            "incident 42",
            "--until",
            "2h",
        ])
        .ok();
    assert!(
        frozen
            .stdout
            .contains("gamma frozen until Sat 2026-11-21 14:00 UTC: incident 42"),
        "{}",
        frozen.stdout
    );

    // Every driver refuses, naming the freeze, who, why and until when; --force too.
    let gate = env.run(&["gate", "gamma"]).code(3);
    assert!(
        gate.stdout
            .contains("frozen: incident 42 (by tester), until Sat 2026-11-21 14:00 UTC"),
        "{}",
        gate.stdout
    );
    let next = env.run(&["next", "gamma", "--json"]).ok().json();
    assert_eq!(next["may_start"], false, "{next:#}");
    assert_eq!(next["status"]["state"], "frozen", "{next:#}");
    assert_eq!(next["status"]["freeze"]["by"], "tester", "{next:#}");
    assert_eq!(next["status"]["freeze"]["until"], "2026-11-21T14:00:00Z");
    for args in [
        vec!["deploy", "start", "gamma", "--release", "v2"],
        vec![
            "deploy",
            "start",
            "gamma",
            "--release",
            "v2",
            "--force",
            "--reason",
            "hurry",
        ],
    ] {
        let refused = env.run(&args).code(3);
        assert!(
            refused
                .stderr
                .contains("stage gamma is frozen: incident 42 (by tester)")
                && refused.stderr.contains("captain unfreeze gamma"),
            "{args:?}: {}",
            refused.stderr
        );
    }
    let status = env.run(&["status", "--json"]).ok().json();
    assert_eq!(status["freezes"][0]["target"], "gamma", "{status:#}");
    assert_eq!(status["stages"][1]["frozen"]["reason"], "incident 42");
    assert_eq!(
        status["stages"][0]["frozen"],
        Value::Null,
        "beta is not frozen"
    );
    let table = env.run(&["status"]).ok().stdout;
    assert!(table.contains("frozen: incident 42 (by tester)"), "{table}");

    // A freeze of the whole pipeline holds beta too, but never a rollback.
    env.run(&["freeze", "--reason", "payments outage"]).ok();
    env.run(&["gate", "beta"]).code(3);
    let rolled = env
        .run(&["rollback", "beta", "--yes", "-q", "--reason", "5xx"])
        .ok()
        .stdout;
    let rollback = rolled.split_whitespace().next().expect("the rollback's id");
    env.run(&["deploy", "finish", rollback, "--outcome", "approved"])
        .ok();
    env.run(&["promotions", "enable", "beta", "--reason", "rolled back"])
        .ok();
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    assert_eq!(history["deployments"][0]["kind"], "rollback", "{history:#}");
    assert_eq!(history["deployments"][0]["outcome"], "approved");
    let lifted = env.run(&["unfreeze", "--reason", "payments back"]).ok();
    assert!(
        lifted.stdout.contains("pipeline is no longer frozen"),
        "{}",
        lifted.stdout
    );
    let again = env.run(&["unfreeze", "--reason", "again"]).ok();
    assert!(again.stdout.contains("was not frozen"), "{}", again.stdout);

    // gamma's freeze ends by itself at 14:00.
    env.run_at(at("2026-11-21T13:59:00Z"), &["gate", "gamma"])
        .code(3);
    env.run_at(at("2026-11-21T14:00:00Z"), &["gate", "gamma"])
        .ok();
    let listed = env.run(&["promotions", "list", "--json"]).ok().json();
    assert_eq!(listed["locks"][0]["target_kind"], "freeze", "{listed:#}");
    let later = env
        .run_at(
            at("2026-11-21T14:00:00Z"),
            &["promotions", "list", "--json"],
        )
        .ok()
        .json();
    assert!(
        later["locks"]
            .as_array()
            .expect("locks")
            .iter()
            .all(|l| l["target_kind"] != "freeze"),
        "an ended freeze is not listed: {later:#}"
    );

    // Both changes are in the audit log, with who, why and the end.
    let audit = env.run(&["audit", "--json"]).ok().json();
    let events = audit["events"].as_array().expect("events");
    let of = |action: &str| {
        events
            .iter()
            .filter(|e| e["action"] == action)
            .collect::<Vec<_>>()
    };
    let set = of("freeze.set");
    assert_eq!(set.len(), 2, "{audit:#}");
    let gamma = set.iter().find(|e| e["target"] == "gamma").expect("gamma");
    assert_eq!(gamma["reason"], "incident 42");
    assert_eq!(
        gamma["details"]["until"], "2026-11-21T14:00:00Z",
        "{gamma:#}"
    );
    assert_eq!(of("freeze.remove").len(), 1);
    assert_eq!(of("freeze.remove")[0]["reason"], "payments back");
    assert_eq!(of("freeze.remove")[0]["target"], "*");
}

const FROZEN_PIPELINE: &str = r#"
name = "checkout"
trunk = "main"
timezone = "America/New_York"
freezes = [{ from = 2026-11-21, to = 2026-11-22, reason = "Thanksgiving week" }]

[defaults]
deploy = { argv = ["./deploy.sh"] }

[[stages]]
name = "beta"
environments = ["beta"]

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1"] }]
freezes = [{ from = "2026-11-21T00:00", to = "2026-11-30T09:00", reason = "launch" }]
"#;

/// A deploy command that records each deployment it is given.
const RECORDING_DEPLOY: &str =
    "#!/bin/sh\necho \"$CAPTAIN_ENVIRONMENT $CAPTAIN_RELEASE\" >> deployed.txt\n";

fn a_freeze_in_pipeline_toml_holds_the_loop_and_the_ci_until_it_ends() {
    let env = TestEnv::new();
    env.init_repo_with(&[
        ("pipeline.toml", FROZEN_PIPELINE),
        ("deploy.sh", RECORDING_DEPLOY),
    ]);
    {
        use std::os::unix::fs::PermissionsExt;
        let script = env.repo_path().join("deploy.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    env.run(&["release", "create", "-q"]).ok();

    // NOW is Sat 2026-11-21 07:00 in New York: frozen to the end of the 22nd.
    let gate = env.run(&["gate", "beta"]).code(3);
    assert!(
        gate.stdout
            .contains("frozen: Thanksgiving week (config), until Mon 2026-11-23 00:00 EST"),
        "{}",
        gate.stdout
    );
    let refused = env
        .run(&[
            "deploy",
            "start",
            "beta",
            "--release",
            "v1",
            "--force",
            "--reason",
            "x",
        ])
        .code(3);
    assert!(
        refused.stderr.contains("pipeline.toml's `freezes`"),
        "{}",
        refused.stderr
    );
    env.run(&["run", "--once", "-q"]).ok();
    assert!(
        !env.repo_path().join("deployed.txt").exists(),
        "the loop deployed nothing"
    );
    // unfreeze lifts emergency freezes only.
    let unfrozen = env.run(&["unfreeze", "beta", "--reason", "x"]).ok();
    assert!(
        unfrozen.stdout.contains("beta was not frozen"),
        "{}",
        unfrozen.stdout
    );

    // The plan lists each freeze once, with where it is written and what it holds.
    let plan = env.run(&["plan", "--json"]).ok().json();
    let freezes = plan["freezes"].as_array().expect("freezes");
    assert_eq!(freezes.len(), 2, "{plan:#}");
    assert_eq!(freezes[0]["reason"], "Thanksgiving week");
    assert_eq!(freezes[0]["from"], "2026-11-21T05:00:00Z");
    assert_eq!(freezes[0]["to"], "2026-11-23T05:00:00Z");
    assert_eq!(freezes[0]["stages"], serde_json::json!(["beta", "prod-1"]));
    assert_eq!(freezes[1]["reason"], "launch");
    assert_eq!(freezes[1]["stages"], serde_json::json!(["prod-1"]));
    let table = env.run(&["plan"]).ok().stdout;
    assert!(
        table.contains("Thanksgiving week") && table.contains("every stage"),
        "{table}"
    );
    assert!(table.contains("Sat 2026-11-21 00:00 EST"), "{table}");

    // Over at midnight in New York: the loop deploys beta; prod-1 keeps its own freeze.
    let monday = at("2026-11-23T05:00:00Z");
    env.run_at(monday, &["run", "--once", "-q"]).ok();
    let deployed = std::fs::read_to_string(env.repo_path().join("deployed.txt")).expect("log");
    assert_eq!(deployed, "beta v1\n");
    let status = env.run_at(monday, &["status", "--json"]).ok().json();
    assert_eq!(status["stages"][0]["frozen"], Value::Null, "{status:#}");
    assert_eq!(
        status["stages"][1]["frozen"]["reason"], "launch",
        "{status:#}"
    );
    assert_eq!(status["stages"][1]["frozen"]["target"], "wave `wave-1`");
}

on_both_backends!(
    an_emergency_freeze_holds_every_driver_but_rollbacks_until_it_ends,
    a_freeze_in_pipeline_toml_holds_the_loop_and_the_ci_until_it_ends,
);

#[test]
fn validate_names_every_bad_freeze_with_the_fix() {
    let env = TestEnv::new();
    env.init_repo(&SMALL_PIPELINE.replace(
        "timezone = \"UTC\"",
        "timezone = \"UTC\"\nfreezes = [{ from = 2026-12-24, too = 2026-12-26, reason = \"x\" }, { from = 2026-12-24, to = 2026-12-20, reason = \"backwards\" }]",
    ));
    let checked = env.run(&["validate"]).code(1);
    let text = format!("{}{}", checked.stdout, checked.stderr);
    assert!(text.contains("unknown key `too` in a freeze"), "{text}");
    assert!(text.contains("did you mean `to`?"), "{text}");
    assert!(text.contains("missing `to` in a freeze"), "{text}");
    assert!(text.contains("the freeze `backwards` ends"), "{text}");
}

/// On a team server freezing is an operator's, and a freeze holds for a raw request
/// whatever its body says — `force` included.
#[test]
fn a_raw_request_neither_freezes_without_the_role_nor_starts_during_a_freeze() {
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
    let freeze = serde_json::json!({"target_kind": "freeze", "target": "*", "direction": "both",
        "actor": "ci", "reason": "all stop", "created_at": "2026-11-21T11:00:00Z",
        "until": "2026-11-21T18:00:00Z"});
    assert_eq!(post(&deployer, "/locks", freeze.clone()).0, 403);
    let cli_deployer = env
        .command()
        .env("CAPTAIN_TOKEN", &deployer)
        .args(["freeze", "--reason", "mine"])
        .output()
        .expect("run");
    assert!(
        !cli_deployer.status.success()
            && String::from_utf8_lossy(&cli_deployer.stderr).contains("operator"),
        "refused before anything changes: {}",
        String::from_utf8_lossy(&cli_deployer.stderr)
    );
    // A freeze holds both ways and ends after it starts.
    let mut odd = freeze.clone();
    odd["direction"] = Value::String("in".into());
    assert_eq!(post(&operator, "/locks", odd).0, 400);
    let mut odd = freeze.clone();
    odd["until"] = Value::String("2026-11-21T10:00:00Z".into());
    assert_eq!(post(&operator, "/locks", odd).0, 400);
    // The server's definition decides what a name means: a freeze or a lock of a name the
    // pipeline does not have would hold nothing while its author believes it holds.
    let mut typo = freeze.clone();
    typo["target"] = Value::String("betta".into());
    let (status, body) = post(&operator, "/locks", typo);
    assert_eq!(status, 404, "{body:#}");
    assert!(
        body["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("beta")),
        "{body:#}"
    );
    let mut by_name = freeze.clone();
    by_name["target"] = Value::String("checkout".into());
    assert_eq!(post(&operator, "/locks", by_name).0, 400);
    for (kind, target) in [("stage", "gamma-typo"), ("environment", "nowhere")] {
        let lock = serde_json::json!({"target_kind": kind, "target": target, "direction": "in",
            "actor": "ci", "reason": "typo", "created_at": "2026-11-21T11:00:00Z"});
        let (status, body) = post(&operator, "/locks", lock);
        assert_eq!(status, 404, "{kind} {target}: {body:#}");
    }
    assert_eq!(
        env.run(&["promotions", "list", "--json"]).ok().json()["locks"],
        serde_json::json!([]),
        "nothing was locked"
    );
    assert_eq!(post(&operator, "/locks", freeze).0, 200);

    for (token, force) in [(&deployer, false), (&operator, true)] {
        let (status, body) = post(
            token,
            "/deployments",
            serde_json::json!({"environment": "beta", "release": "v1", "rollback": false,
                "actor": "ci", "reason": "push it", "now": "2026-11-21T12:00:00Z", "force": force}),
        );
        assert_eq!(status, 423, "force {force}: {body:#}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("stage beta is frozen: all stop (by oncall)")),
            "{body:#}"
        );
    }
    let history = env.run(&["history", "beta", "--json"]).ok().json();
    assert_eq!(history["deployments"], serde_json::json!([]));
    // After its end the same request starts.
    let (status, body) = post(
        &deployer,
        "/deployments",
        serde_json::json!({"environment": "beta", "release": "v1", "rollback": false,
            "actor": "ci", "now": "2026-11-21T18:00:00Z", "force": false}),
    );
    assert_eq!(status, 200, "{body:#}");
}

//! Approvals by several people (issue 13, point 4): an external step with `approvers = 2`
//! passes once two distinct people `allowed` names approved it; a second approval by the
//! same person, someone not allowed, the release's author and whoever started the
//! deployment are refused; `gate` and `next` say who approved and how many are missing;
//! every approval is audited. On a team server the approver is the token's name, never
//! the actor a client claims — not even with a delegating token, nor in a raw request.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::Value;

use super::common::{Backend, Run, TestEnv, on_backend};
use crate::on_both_backends;
use captain::server::auth::Role;

const PIPELINE: &str = r#"
name = "checkout"
trunk = "main"
timezone = "UTC"

[groups]
reviewers = ["alice", "bob", "carol"]

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma"]
approvals = [
  { kind = "external", name = "sign-off", approvers = 2, allowed = ["group:reviewers"], self_approval = false },
]

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1"] }]
"#;

/// Runs captain as `person`: its actor locally, a token of its own name on a server.
pub struct People<'e> {
    env: &'e TestEnv,
    tokens: RefCell<BTreeMap<String, String>>,
}

impl<'e> People<'e> {
    pub fn new(env: &'e TestEnv) -> Self {
        People {
            env,
            tokens: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn run(&self, person: &str, args: &[&str]) -> Run {
        let mut command = self.env.command();
        command.env("CAPTAIN_ACTOR", person);
        if let Some(server) = &self.env.server {
            let token = self
                .tokens
                .borrow_mut()
                .entry(person.to_string())
                .or_insert_with(|| server.token(person, Role::Operator, false))
                .clone();
            command.env("CAPTAIN_TOKEN", token);
        }
        command.args(args).output().expect("run captain").into()
    }
}

fn start(env: &TestEnv, environment: &str, release: &str) -> String {
    env.run(&["deploy", "start", environment, "--release", release, "-q"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

/// v1 (created by carol) deployed to gamma by the CI (`tester`), waiting for its sign-off.
fn waiting_for_sign_off(env: &TestEnv, people: &People<'_>) -> String {
    env.init_repo(PIPELINE);
    people.run("carol", &["release", "create", "-q"]).ok();
    let beta = start(env, "beta", "v1");
    env.run(&["deploy", "finish", &beta, "--outcome", "approved"])
        .ok();
    let gamma = start(env, "gamma", "v1");
    env.run(&["deploy", "finish", &gamma, "--outcome", "approved"])
        .ok();
    gamma
}

fn two_distinct_allowed_people_pass_an_external_step() {
    let env = TestEnv::new();
    let people = People::new(&env);
    let gamma = waiting_for_sign_off(&env, &people);
    let approve = |person: &str| {
        people.run(
            person,
            &[
                "approve", &gamma, "--step", "sign-off", "--reason", "looked",
            ],
        )
    };

    // Nobody yet: gate and next say so, and nothing moves on to prod.
    let gate = env.run(&["gate", "gamma", "--json"]).code(3).json();
    assert_eq!(gate["status"]["state"], "verifying", "{gate:#}");
    let progress = &gate["status"]["approvals"][0];
    assert_eq!(progress["step"], "sign-off", "{gate:#}");
    assert_eq!(progress["approved_by"], serde_json::json!([]));
    assert_eq!(progress["required"], 2);
    assert_eq!(progress["missing"], 2);
    let next = env.run(&["next", "gamma"]).ok();
    assert!(
        next.stdout.contains("`sign-off` of")
            && next
                .stdout
                .contains("needs 2 more approvals (2 required; nobody approved yet"),
        "{}",
        next.stdout
    );

    // The release's author, though a reviewer, may not approve her own change.
    let own = approve("carol").code(3);
    assert!(
        own.stderr
            .contains("carol created v1, and may not approve their own change"),
        "{}",
        own.stderr
    );
    // Someone the step does not allow.
    let stranger = approve("mallory").code(3);
    assert!(
        stranger
            .stderr
            .contains("mallory may not approve it (allowed: group:reviewers)"),
        "{}",
        stranger.stderr
    );

    // One reviewer: one of two.
    let first = approve("alice").ok();
    assert!(
        first.stdout.contains(
            "approval step `sign-off` approved by alice; 1 of 2 approvals (alice); 1 more needed"
        ),
        "{}",
        first.stdout
    );
    // The same person again is refused, and does not count twice.
    let again = approve("alice").code(4);
    assert!(
        again.stderr.contains("alice approved it already"),
        "{}",
        again.stderr
    );
    let gate = env.run(&["gate", "gamma"]).code(3);
    assert!(
        gate.stdout.contains(
            "needs 1 more approval (2 required; approved by alice; allowed: group:reviewers)"
        ),
        "{}",
        gate.stdout
    );
    let status = env.run(&["status", "--json"]).ok().json();
    let gamma_env = &status["stages"][1]["environments"][0];
    assert_eq!(
        gamma_env["approvals"]["approved_by"],
        serde_json::json!(["alice"]),
        "{status:#}"
    );
    assert_eq!(gamma_env["approvals"]["missing"], 1);
    let table = env.run(&["status"]).ok().stdout;
    assert!(
        table.contains("verifying v1 (sign-off: 1 of 2 approvals, by alice)"),
        "{table}"
    );
    env.run(&["gate", "prod-1"]).code(3);

    // A second reviewer: the step passes, gamma bakes (no bake time) and approves v1.
    let second = approve("bob").ok();
    assert!(
        second
            .stdout
            .contains("the step passed: 2 of 2 approvals (alice, bob)"),
        "{}",
        second.stdout
    );
    let json = approve("alice").code(4);
    assert!(
        json.stderr.contains("already finished as approved"),
        "{}",
        json.stderr
    );
    let gate = env.run(&["gate", "prod-1", "--json"]).ok().json();
    assert_eq!(gate["open"], true, "{gate:#}");
    assert_eq!(gate["release"], "v1");

    // Each approval is audited with who, why and the count so far.
    let audit = env.run(&["audit", "--json"]).ok().json();
    let approvals: Vec<&Value> = audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "step.approve")
        .collect();
    assert_eq!(approvals.len(), 2, "{audit:#}");
    let actors: Vec<&str> = approvals
        .iter()
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert!(
        actors.contains(&"alice") && actors.contains(&"bob"),
        "{actors:?}"
    );
    assert!(approvals.iter().all(|e| e["reason"] == "looked"));
}

fn whoever_started_the_deployment_may_not_approve_it() {
    let env = TestEnv::new();
    let people = People::new(&env);
    env.init_repo(PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let beta = start(&env, "beta", "v1");
    env.run(&["deploy", "finish", &beta, "--outcome", "approved"])
        .ok();
    // bob starts gamma's deployment himself: he may not sign it off.
    let gamma = people
        .run(
            "bob",
            &["deploy", "start", "gamma", "--release", "v1", "-q"],
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    env.run(&["deploy", "finish", &gamma, "--outcome", "approved"])
        .ok();
    let refused = people
        .run("bob", &["approve", &gamma, "--step", "sign-off"])
        .code(3);
    assert!(
        refused.stderr.contains(&format!("bob started {gamma}")),
        "{}",
        refused.stderr
    );
    // A rejection by anyone fails the step, after an approval too.
    people
        .run("alice", &["approve", &gamma, "--step", "sign-off"])
        .ok();
    let rejected = people
        .run(
            "carol",
            &[
                "reject",
                &gamma,
                "--step",
                "sign-off",
                "--reason",
                "missing tests",
            ],
        )
        .ok();
    assert!(
        rejected
            .stdout
            .contains("approval step `sign-off` rejected by carol"),
        "{}",
        rejected.stdout
    );
    let history = env.run(&["history", "gamma", "--json"]).ok().json();
    assert_eq!(
        history["deployments"][0]["outcome"], "tests failed",
        "{history:#}"
    );
}

on_both_backends!(
    two_distinct_allowed_people_pass_an_external_step,
    whoever_started_the_deployment_may_not_approve_it,
);

/// On a team server the approver is the token's name: a delegating token's claimed actor
/// does not count, in the CLI or in a raw request.
#[test]
fn on_a_server_the_approver_is_the_tokens_name() {
    let mut env = None;
    on_backend(Backend::Http, || env = Some(TestEnv::new()));
    let env = env.expect("a server");
    let people = People::new(&env);
    let gamma = waiting_for_sign_off(&env, &people);
    let server = env.server.as_ref().expect("server");

    // The admin token delegates, and its client claims to be alice: it is `admin` that
    // approves, and admin is no reviewer.
    let claimed = env
        .command()
        .env("CAPTAIN_ACTOR", "alice")
        .args(["approve", &gamma, "--step", "sign-off"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&claimed.stderr);
    assert_eq!(claimed.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("admin may not approve it"), "{stderr}");

    // A raw request with a token named ci that delegates, naming bob.
    let ci = server.token("ci", Role::Operator, true);
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/v1/pipelines/checkout/step-results", server.url))
        .bearer_auth(&ci)
        .json(
            &serde_json::json!({"deployment": gamma, "step": "sign-off", "passed": true,
            "actor": "bob", "reason": null, "now": "2026-01-01T00:00:00Z"}),
        )
        .send()
        .expect("request");
    let status = answer.status().as_u16();
    let body: Value = answer.json().unwrap_or(Value::Null);
    assert_eq!(status, 423, "{body:#}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ci may not approve it")),
        "{body:#}"
    );
    // Nothing was counted.
    let gate = env.run(&["gate", "gamma", "--json"]).code(3).json();
    assert_eq!(
        gate["status"]["approvals"][0]["approved_by"],
        serde_json::json!([]),
        "{gate:#}"
    );
}

/// `captain validate` names a mistyped group, wave or key of the new sections with a
/// did-you-mean.
#[test]
fn validate_suggests_the_groups_waves_and_keys_it_knows() {
    let env = TestEnv::new();
    let typo = PIPELINE
        .replace("\"group:reviewers\"", "\"group:reviewer\"")
        .replace(
            "[[stages]]\nname = \"beta\"",
            "[expedite]\nwave_bake = { \"wave-one\" = \"1h\" }\napprover = 2\n\n[[stages]]\nname = \"beta\"",
        );
    env.init_repo(&typo);
    let checked = env.run(&["validate"]).code(1);
    let all = format!("{}{}", checked.stdout, checked.stderr);
    for expected in [
        "unknown group `reviewer` in `allowed` in an approval step in stage `gamma`; did you mean `group:reviewers`?",
        "unknown wave `wave-one` in `wave_bake` in [expedite]; did you mean `wave-1`?",
        "unknown key `approver` in [expedite]; did you mean `approvers`?",
    ] {
        assert!(all.contains(expected), "{expected}\n{all}");
    }
}

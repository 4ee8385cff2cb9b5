//! Expediting an urgent release (issue 13, point 3): `release expedite vN --reason` asks,
//! `release approve vN` by each approver — never the one who asked, never the release's
//! author, once per person, only someone [expedite] allows — and once approved, `bake`,
//! `gate` and `next` use the expedited rules for that release only (a shorter bake, no
//! window), `status` shows it, and everything is audited.

use super::approvals::People;
use super::common::{TestEnv, now};
use crate::on_both_backends;

const PIPELINE: &str = r#"
name = "checkout"
trunk = "main"
timezone = "UTC"

[groups]
release-managers = ["alice", "bob", "carol"]

[expedite]
bake_scale = 0.5
keep_windows = false
approvers = 2
allowed = ["group:release-managers"]

[[stages]]
name = "beta"
environments = ["beta"]
bake_time = "2h"

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1"] }]
window = { days = "mon-fri", hours = "09:00-17:00" }
"#;

fn an_approved_expedite_bakes_shorter_and_passes_the_window() {
    let env = TestEnv::new();
    let people = People::new(&env);
    env.init_repo(PIPELINE);
    people.run("carol", &["release", "create", "-q"]).ok();
    let beta = env
        .run(&["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout
        .trim()
        .to_string();
    env.run(&["deploy", "finish", &beta, "--outcome", "approved"])
        .ok();
    let in_an_hour = jiff::Timestamp::from_second(now().as_second() + 3600).expect("time");

    // Nobody asked yet: there is nothing to approve, and beta bakes its 2h.
    people.run("alice", &["release", "approve", "v1"]).code(5);
    let bake = env.run_at(in_an_hour, &["bake", "beta"]).code(3);
    assert!(bake.stdout.contains("1h left"), "{}", bake.stdout);

    let asked = people
        .run(
            "dave",
            &["release", "expedite", "v1", "--reason", "fixes checkout"],
        )
        .ok();
    assert!(
        asked.stdout.contains(
            "v1: expedite asked by dave (fixes checkout); nobody approved yet, 2 more approvals needed"
        ),
        "{}",
        asked.stdout
    );
    people
        .run("dave", &["release", "expedite", "v1", "--reason", "again"])
        .code(4);
    people.run("dave", &["release", "expedite", "v1"]).code(2);

    // Never the one who asked, never the author, only release managers, once each.
    let asker = people.run("dave", &["release", "approve", "v1"]).code(3);
    assert!(
        asker.stderr.contains("dave may not approve it"),
        "{}",
        asker.stderr
    );
    let author = people.run("carol", &["release", "approve", "v1"]).code(3);
    assert!(
        author
            .stderr
            .contains("carol created v1, and may not approve their own change"),
        "{}",
        author.stderr
    );
    let first = people
        .run("alice", &["release", "approve", "v1", "--reason", "ok"])
        .ok();
    assert!(
        first
            .stdout
            .contains("approved by alice, 1 more approval needed"),
        "{}",
        first.stdout
    );
    people.run("alice", &["release", "approve", "v1"]).code(4);
    let status = env.run(&["status"]).ok().stdout;
    assert!(
        status.contains("expedite asked: v1 by dave (approved by alice; 1 more needed)"),
        "{status}"
    );
    // Not expedited yet: the bake is still 2h.
    env.run_at(in_an_hour, &["bake", "beta"]).code(3);

    let second = people
        .run("bob", &["release", "approve", "v1", "--json"])
        .ok()
        .json();
    assert_eq!(second["expedited"], true, "{second:#}");
    assert_eq!(second["approved_by"], serde_json::json!(["alice", "bob"]));
    let status = env.run(&["status", "--json"]).ok().json();
    assert_eq!(status["expedites"][0]["expedited"], true, "{status:#}");
    assert!(
        env.run(&["status"])
            .ok()
            .stdout
            .contains("expedited: v1 (approved by alice, bob): fixes checkout")
    );

    // Expedited, beta bakes 2h × 0.5 = 1h, and prod-1 takes it on a Saturday.
    let bake = env.run_at(in_an_hour, &["bake", "beta"]).ok();
    assert!(bake.stdout.contains("beta approved v1"), "{}", bake.stdout);
    let gate = env
        .run_at(in_an_hour, &["gate", "prod-1", "--json"])
        .ok()
        .json();
    assert_eq!(gate["release"], "v1", "{gate:#}");
    assert_eq!(
        gate["reason"], "v1 may start in prod-1 now (v1 is expedited)",
        "{gate:#}"
    );

    let audit = env.run(&["audit", "--json"]).ok().json();
    let events = audit["events"].as_array().expect("events");
    let of = |action: &str| events.iter().filter(|e| e["action"] == action).count();
    assert_eq!(of("release.expedite"), 1, "{audit:#}");
    assert_eq!(of("release.expedite.approve"), 2, "{audit:#}");
}

on_both_backends!(an_approved_expedite_bakes_shorter_and_passes_the_window);

/// On a team server expediting needs the operator role, and the approver is the token's
/// name whatever the request claims.
#[test]
fn a_raw_request_neither_expedites_without_the_role_nor_approves_as_someone_else() {
    let mut env = None;
    super::common::on_backend(super::common::Backend::Http, || env = Some(TestEnv::new()));
    let env = env.expect("a server");
    env.init_repo(PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let server = env.server.as_ref().expect("server");
    let deployer = server.token("deployer", captain::server::auth::Role::Deploy, false);
    let ci = server.token("ci", captain::server::auth::Role::Operator, true);
    let client = reqwest::blocking::Client::new();
    let post = |token: &str, body: serde_json::Value| -> (u16, serde_json::Value) {
        let answer = client
            .post(format!("{}/v1/pipelines/checkout/expedites", server.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .expect("request");
        (
            answer.status().as_u16(),
            answer.json().unwrap_or(serde_json::Value::Null),
        )
    };
    let ask = serde_json::json!({"release": "v1", "approve": false, "actor": "dave",
        "reason": "urgent", "now": "2026-01-01T00:00:00Z"});
    assert_eq!(post(&deployer, ask.clone()).0, 403);
    env.run(&["release", "expedite", "v1", "--reason", "urgent"])
        .ok();
    // The ci token delegates and claims to be alice: it is `ci` that approves, and ci
    // is no release manager.
    let (status, body) = post(
        &ci,
        serde_json::json!({"release": "v1", "approve": true, "actor": "alice",
            "reason": null, "now": "2026-01-01T00:00:00Z"}),
    );
    assert_eq!(status, 423, "{body:#}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ci may not approve it")),
        "{body:#}"
    );
    let status = env.run(&["status", "--json"]).ok().json();
    assert_eq!(
        status["expedites"][0]["approved_by"],
        serde_json::json!([]),
        "{status:#}"
    );
    assert_eq!(status["expedites"][0]["asked_by"], "admin");
}

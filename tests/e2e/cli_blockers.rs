//! Blockers: an alarm expression in ALARM closes the gate; a person's override, with a
//! reason, opens it for a while and is audited.

use super::common::TestEnv;

const PIPELINE: &str = r#"
name = "checkout"
timezone = "UTC"

[alarms.OrgEvent]
kind = "command"
argv = ["sh", "-c", "test ! -e {repo}/org-event"]

[production]
blocker = 'ALARM("OrgEvent")'

[[stages]]
name = "beta"
environments = ["beta"]

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1"] }]
"#;

/// Deploys `release` to `environment` and finishes it approved, as a CI does.
fn approve(env: &TestEnv, environment: &str, release: &str) {
    let id = env
        .run(&["deploy", "start", environment, "--release", release, "-q"])
        .ok()
        .stdout;
    env.run(&["deploy", "finish", id.trim(), "--outcome", "approved"])
        .ok();
}

/// The pipeline with v1 approved in beta.
fn v1_through_beta() -> TestEnv {
    let env = TestEnv::new();
    // An absolute path: on a team server the server asks the alarm source itself, from
    // its own working directory.
    let repo = env.repo_path().display().to_string();
    env.init_repo(&PIPELINE.replace("{repo}", &repo));
    env.run(&["release", "create"]).ok();
    approve(&env, "beta", "v1");
    env
}

fn a_blocker_closes_the_gate_until_overridden_with_a_reason() {
    let env = v1_through_beta();
    env.run(&["gate", "prod-1"]).ok();

    // The organisation-wide event alarm fires (the alarm command exits 1).
    std::fs::write(env.repo_path().join("org-event"), "now\n").expect("write");
    let closed = env.run(&["gate", "prod-1", "--json"]).code(3).json();
    assert_eq!(closed["open"], false);
    assert!(
        closed["reason"]
            .as_str()
            .is_some_and(|r| r.contains("OrgEvent")),
        "{closed}"
    );
    env.run(&["deploy", "start", "prod-1", "--release", "v1"])
        .code(3);

    env.run(&["override", "prod-1"]).code(2);
    env.run(&["override", "prod-9", "--reason", "x"]).code(5);
    let overridden = env
        .run(&[
            "override",
            "prod-1",
            "--reason",
            "false alarm, checked with the org",
            "--for",
            "30m",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(overridden["actor"], "tester");
    let open = env.run(&["gate", "prod-1", "--json"]).ok().json();
    assert!(
        open["reason"]
            .as_str()
            .is_some_and(|r| r.contains("false alarm")),
        "{open}"
    );
    let audit = env.run(&["audit", "--json"]).ok().stdout;
    assert!(
        audit.contains("blocker.override") && audit.contains("false alarm, checked with the org"),
        "{audit}"
    );

    // Half an hour later the override is over and the blocker holds again.
    let later = super::common::now()
        .checked_add(jiff::SignedDuration::from_mins(31))
        .expect("time");
    env.run_at(later, &["gate", "prod-1"]).code(3);
}

// Each runs against a local file and against `captain serve`.
/// A window's next opening reads in the pipeline's time zone, where the on-call engineer
/// is, in `gate`, `next` and `deploy start` alike.
fn a_closed_window_says_when_it_opens_in_the_pipelines_time_zone() {
    let env = TestEnv::new();
    env.init_repo(
        r#"
name = "checkout"
timezone = "America/Los_Angeles"

[[stages]]
name = "beta"
environments = ["beta"]
window = { days = "mon-thu", hours = "09:00-16:00" }
"#,
    );
    env.run(&["release", "create", "-q"]).ok();
    // Saturday 2026-11-21 12:00 UTC: it opens on Monday at 09:00 in Los Angeles.
    let opens = "the window of beta is closed until Mon 2026-11-23 09:00 PST";
    let gate = env.run(&["gate", "beta"]).code(3);
    assert!(gate.stdout.contains(opens), "{}", gate.stdout);
    let next = env.run(&["next", "beta", "--json"]).ok().json();
    assert!(
        next["reason"].as_str().is_some_and(|r| r.contains(opens)),
        "{next:#}"
    );
    let start = env
        .run(&["deploy", "start", "beta", "--release", "v1"])
        .code(3);
    assert!(start.stderr.contains(opens), "{}", start.stderr);
}

/// The blocker events of `captain events`: name, target and the alarms in ALARM.
fn blocker_events(env: &TestEnv) -> Vec<(String, String, serde_json::Value)> {
    env.run(&["events"])
        .ok()
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| {
            e["event"]
                .as_str()
                .is_some_and(|n| n.starts_with("blocker."))
        })
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default().to_string(),
                e["target"].as_str().unwrap_or_default().to_string(),
                e["details"]["alarms"].clone(),
            )
        })
        .collect()
}

/// A blocker going into ALARM is recorded once by the pass that sees it (here a CI's
/// `deploy start`, refused by it), with an event `blocker.alarm` that notifications
/// report; back to OK, once, `blocker.ok`. Passes that see no change record nothing, and
/// read-only commands (`gate`, `status`) never write.
fn a_blocker_going_into_alarm_and_back_is_recorded_once_each_way() {
    let env = v1_through_beta();
    // OK and never recorded: nothing to say.
    assert!(blocker_events(&env).is_empty());

    std::fs::write(env.repo_path().join("org-event"), "now\n").expect("write");
    env.run(&["gate", "prod-1"]).code(3);
    env.run(&["status"]).ok();
    assert!(blocker_events(&env).is_empty(), "a read-only command wrote");
    for _ in 0..2 {
        env.run(&["deploy", "start", "prod-1", "--release", "v1"])
            .code(3);
    }
    let alarm = vec![(
        "blocker.alarm".to_string(),
        "prod-1".to_string(),
        serde_json::json!(["OrgEvent"]),
    )];
    assert_eq!(blocker_events(&env), alarm);

    std::fs::remove_file(env.repo_path().join("org-event")).expect("remove");
    approve(&env, "prod-1", "v1");
    let mut both = alarm;
    both.push((
        "blocker.ok".to_string(),
        "prod-1".to_string(),
        serde_json::json!([]),
    ));
    assert_eq!(blocker_events(&env), both);
    let audit = env.run(&["audit", "--json"]).ok().json();
    let recorded = audit["events"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["action"] == "blocker.alarm")
        .cloned()
        .unwrap_or_default();
    assert_eq!(recorded["details"]["expression"], r#"ALARM("OrgEvent")"#);
}

crate::on_both_backends!(
    a_blocker_closes_the_gate_until_overridden_with_a_reason,
    a_closed_window_says_when_it_opens_in_the_pipelines_time_zone,
    a_blocker_going_into_alarm_and_back_is_recorded_once_each_way,
);

//! CI mode keeps the loop's promises (issue 10, point 1): a stage an external CI deploys
//! bakes — bake time, data points from a real Prometheus, the rollback alarm — before it
//! approves, whoever asks (`gate`, `next`, `deploy start`, `bake`); and one story played
//! in CI mode and under `captain run` records the same decisions at the same times.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::{TestEnv, now};
use super::exec_services::prometheus;
use crate::on_both_backends;

/// alpha → gamma (bakes 1 h, needs 100 data points, rolls back on its alarm) → prod.
/// `{data}` and `{alarm}` are the Prometheus queries of the data points and the alarm, so
/// a test can say what Prometheus answers by rewriting the file.
const PIPELINE: &str = r#"
name = "shop"
trunk = "main"
timezone = "UTC"
prometheus = "{prom}"

[defaults]
deploy = { argv = ["/bin/sh", "-c", "exit 0"] }

[alarms.Errors]
kind = "prometheus"
query = '{alarm}'

[[stages]]
name = "alpha"
environments = ["alpha"]

[[stages]]
name = "gamma"
environments = ["gamma"]
bake_time = "1h"
min_data_points = { query = '{data}', count = 100 }
rollback_alarm = 'ALARM("Errors")'
auto_rollback = true

[[waves]]
name = "wave-1"
bake_time = "30m"
stages = [{ name = "prod", environments = ["prod-1", "prod-2"] }]
"#;

/// What Prometheus answers for the data points and the alarm.
#[derive(Clone, Copy)]
struct World {
    data_points: u64,
    alarm: bool,
}

fn write_pipeline(env: &TestEnv, prom: &str, world: World) {
    let text = PIPELINE
        .replace("{prom}", prom)
        .replace("{data}", &format!("vector({})", world.data_points))
        .replace(
            "{alarm}",
            if world.alarm {
                "vector(1)"
            } else {
                "vector(0)"
            },
        );
    std::fs::write(env.repo_path().join("pipeline.toml"), text).expect("write pipeline");
}

fn at(minutes: i64) -> captain::model::Timestamp {
    now()
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .expect("time")
}

fn new_commit(sandbox: &captain::git::sandbox::Sandbox, n: usize) {
    sandbox
        .commit(
            &[(&format!("src/file{n}.txt"), &format!("change {n}\n"))],
            &format!("Change {n}"),
            "Ana Lima",
            now(),
        )
        .expect("commit");
}

/// Deploys what `next STAGE` names to each of its environments and reports it approved.
fn ci_deploy(env: &TestEnv, minute: i64, stage: &str) {
    let next = env
        .run_at(at(minute), &["next", stage, "--json"])
        .ok()
        .json();
    let release = next["release"]
        .as_str()
        .expect("a release to deploy")
        .to_string();
    for environment in next["environments"].as_array().expect("environments") {
        let environment = environment.as_str().expect("name");
        let id = if next["kind"] == "rollback" {
            let index = next["environments"]
                .as_array()
                .and_then(|e| e.iter().position(|x| x == environment))
                .expect("listed");
            next["deployments"][index].as_str().expect("id").to_string()
        } else {
            env.run_at(
                at(minute),
                &["deploy", "start", environment, "--release", &release, "-q"],
            )
            .ok()
            .stdout
            .trim()
            .to_string()
        };
        env.run_at(
            at(minute),
            &["deploy", "finish", &id, "--outcome", "approved"],
        )
        .ok();
    }
}

/// Deployments and stage decisions of a ledger, without ids and actors: what happened
/// where, and when.
fn decisions(env: &TestEnv) -> Vec<String> {
    let export = env.run(&["state", "export"]).ok().stdout;
    let mut out: Vec<String> = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .filter_map(|r| match r["type"].as_str() {
            Some("deployment") => {
                let d = &r["deployment"];
                Some(format!(
                    "deployment {} {} {} {} {}..{}",
                    d["environment"],
                    d["release"],
                    d["kind"],
                    d["outcome"],
                    d["started_at"],
                    d["finished_at"]
                ))
            }
            Some("stage_record") => {
                let s = &r["record"];
                Some(format!(
                    "stage {} {} {} {} {}",
                    s["stage"], s["release"], s["record"], s["reason"], s["at"]
                ))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// The articles' bake (1 h and 100 data points) and an alarm during bake, in CI mode:
/// what each command says and refuses along the way.
fn a_ci_stage_bakes_before_it_approves() {
    let Some(prom) = prometheus() else { return };
    let env = TestEnv::new();
    let sandbox = env.init_repo("name = \"shop\"\n");
    let mut world = World {
        data_points: 12,
        alarm: false,
    };
    write_pipeline(&env, &prom.url, world);
    env.run_at(at(0), &["release", "create", "-q"]).ok();
    ci_deploy(&env, 0, "alpha");
    ci_deploy(&env, 0, "gamma");

    // Reported approved, gamma bakes: nothing moves on to prod.
    let gate = env.run_at(at(18), &["gate", "prod"]).code(3);
    assert!(
        gate.stdout
            .contains("gamma is baking v1: 42m left, 12 of 100 data points"),
        "{}",
        gate.stdout
    );
    let next = env.run_at(at(18), &["next", "prod", "--json"]).ok().json();
    assert_eq!(next["release"], Value::Null, "{next:#}");
    assert_eq!(
        next["reason"], "gamma is baking v1: 42m left, 12 of 100 data points",
        "{next:#}"
    );
    let start = env
        .run_at(at(18), &["deploy", "start", "prod-1", "--release", "v1"])
        .code(3);
    assert!(
        start
            .stderr
            .contains("has not been approved by stage gamma")
            && start.stderr.contains("42m left"),
        "{}",
        start.stderr
    );
    let status = env.run_at(at(18), &["status", "--json"]).ok().json();
    let gamma = &status["stages"][1]["environments"][0];
    assert_eq!(gamma["state"], "baking", "{status:#}");
    assert_eq!(gamma["release"], Value::Null, "{status:#}");
    // The data points the last pass saw (`next` and `deploy start` looked).
    assert_eq!(
        gamma["data_points"],
        serde_json::json!({"have": 12, "need": 100})
    );
    let table = env.run_at(at(18), &["status"]).ok().stdout;
    assert!(
        table.contains("baking v1 (42m left, 12 of 100 data points)"),
        "{table}"
    );
    let history = env
        .run_at(at(18), &["history", "gamma", "--json"])
        .ok()
        .json();
    assert_eq!(history["deployments"][0]["outcome"], "in progress");
    let bake = env
        .run_at(at(18), &["bake", "gamma", "--json"])
        .code(3)
        .json();
    assert_eq!(bake["state"], "baking");
    assert_eq!(bake["release"], "v1");
    assert_eq!(bake["data_points"][0]["have"], 12);

    // The hour is over, the data points are not: still baking.
    let bake = env.run_at(at(61), &["bake", "gamma"]).code(3);
    assert!(
        bake.stdout
            .contains("gamma is baking v1: 12 of 100 data points"),
        "{}",
        bake.stdout
    );
    // A forced start goes past the bake, and says so in the audit.
    env.run_at(
        at(61),
        &[
            "deploy",
            "start",
            "prod-1",
            "--release",
            "v1",
            "--force",
            "--reason",
            "hotfix rehearsal",
        ],
    )
    .ok();
    let forced = env.run(&["history", "prod-1", "--json"]).ok().json();
    let forced_id = forced["deployments"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let audit = env
        .run(&["audit", "--environment", "prod-1", "--json"])
        .ok()
        .json();
    let start = audit["events"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["action"] == "deployment.start"))
        .expect("the forced start is audited");
    assert_eq!(start["reason"], "hotfix rehearsal", "{audit:#}");
    assert_eq!(start["details"]["force"], true, "{audit:#}");

    // 150 data points: the bake ends and gamma approves; prod takes v1 where it is
    // still missing.
    world.data_points = 150;
    write_pipeline(&env, &prom.url, world);
    let bake = env.run_at(at(62), &["bake", "gamma"]).ok();
    assert!(bake.stdout.contains("gamma approved v1"), "{}", bake.stdout);
    let next = env.run_at(at(62), &["next", "prod", "--json"]).ok().json();
    assert_eq!(next["release"], "v1", "{next:#}");
    assert_eq!(
        next["environments"],
        serde_json::json!(["prod-2"]),
        "{next:#}"
    );
    env.run_at(at(62), &["gate", "prod"]).ok();
    env.run_at(
        at(62),
        &["deploy", "finish", &forced_id, "--outcome", "approved"],
    )
    .ok();
    let history = env.run(&["history", "gamma", "--json"]).ok().json();
    assert_eq!(history["deployments"][0]["outcome"], "approved");
    assert_eq!(history["deployments"][0]["finished_at"], at(62).to_string());
    // Asking again is fine for a CI job that retries.
    env.run_at(at(63), &["bake", "gamma"]).ok();

    // v2: the rollback alarm fires during its bake: it fails there and rolls back.
    new_commit(&sandbox, 2);
    env.run_at(at(70), &["release", "create", "-q"]).ok();
    ci_deploy(&env, 70, "alpha");
    ci_deploy(&env, 70, "gamma");
    world.alarm = true;
    write_pipeline(&env, &prom.url, world);
    let bake = env
        .run_at(at(80), &["bake", "gamma", "--json"])
        .code(3)
        .json();
    assert_eq!(bake["state"], "failed", "{bake:#}");
    assert!(
        bake["reason"]
            .as_str()
            .is_some_and(|r| r.contains("v2 failed in gamma: alarm fired")),
        "{bake:#}"
    );
    assert_eq!(
        bake["rollbacks"].as_array().map(Vec::len),
        Some(1),
        "{bake:#}"
    );
    let next = env.run_at(at(80), &["next", "gamma", "--json"]).ok().json();
    assert_eq!(next["kind"], "rollback", "{next:#}");
    assert_eq!(next["release"], "v1", "{next:#}");
    assert_eq!(next["deployments"], bake["rollbacks"], "{next:#}");
    let history = env.run(&["history", "gamma", "--json"]).ok().json();
    assert_eq!(history["deployments"][1]["outcome"], "alarm fired");
    // v2 never goes further, and the stage takes nothing until the rollback is done.
    let start = env
        .run_at(at(81), &["deploy", "start", "prod-1", "--release", "v2"])
        .code(3);
    assert!(start.stderr.contains("v2"), "{}", start.stderr);
    let start = env
        .run_at(at(81), &["deploy", "start", "gamma", "--release", "v2"])
        .code(3);
    assert!(
        start.stderr.contains("v2 failed in stage gamma"),
        "{}",
        start.stderr
    );
    assert!(start.stderr.contains("captain retry"), "{}", start.stderr);
}

/// `bake --wait` watches the real bake to its end, on the real clock.
fn bake_wait_watches_until_the_bake_is_over() {
    let Some(prom) = prometheus() else { return };
    let env = TestEnv::new();
    env.init_repo("name = \"shop\"\n");
    let text = PIPELINE
        .replace("{prom}", &prom.url)
        .replace("{data}", "vector(150)")
        .replace("{alarm}", "vector(0)")
        .replace("bake_time = \"1h\"", "bake_time = \"2s\"");
    std::fs::write(env.repo_path().join("pipeline.toml"), text).expect("write pipeline");
    let real = |args: &[&str]| -> super::common::Run {
        env.command()
            .env_remove("CAPTAIN_NOW")
            .args(args)
            .output()
            .expect("run captain")
            .into()
    };
    real(&["release", "create", "-q"]).ok();
    for stage in ["alpha", "gamma"] {
        let id = real(&["deploy", "start", stage, "--release", "v1", "-q"])
            .ok()
            .stdout;
        real(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    }
    real(&["bake", "gamma"]).code(3);
    let started = Instant::now();
    let bake = real(&["bake", "gamma", "--wait", "--interval", "1"]).ok();
    assert!(bake.stdout.contains("gamma approved v1"), "{}", bake.stdout);
    assert!(started.elapsed() < Duration::from_secs(30));
    real(&["gate", "prod"]).ok();
}

/// One story, two drivers: `captain run --once` at each moment, or a CI's `next`, `deploy
/// start`, `deploy finish` and `bake` at the same moments, give the same deployments and
/// stage decisions at the same times.
fn ci_mode_and_run_mode_decide_the_same_at_the_same_times() {
    let Some(prom) = prometheus() else { return };
    let play = |ci: bool| -> Vec<String> {
        let env = TestEnv::new();
        let sandbox = env.init_repo("name = \"shop\"\n");
        let mut world = World {
            data_points: 12,
            alarm: false,
        };
        write_pipeline(&env, &prom.url, world);
        let pass = |minute: i64, stages: &[&str]| {
            if ci {
                for stage in stages {
                    if let Some(stage) = stage.strip_prefix("bake ") {
                        env.run_at(at(minute), &["bake", stage]);
                    } else {
                        ci_deploy(&env, minute, stage);
                    }
                }
            } else {
                // The round in which the alarm fails v2 exits 6, as under cron.
                let code = if minute == 200 { 6 } else { 0 };
                env.run_at(at(minute), &["run", "--once", "-q"]).code(code);
            }
        };
        env.run_at(at(0), &["release", "create", "-q"]).ok();
        pass(0, &["alpha", "gamma"]);
        pass(30, &["bake gamma"]);
        pass(60, &["bake gamma"]);
        world.data_points = 150;
        write_pipeline(&env, &prom.url, world);
        pass(100, &["bake gamma", "prod"]);
        pass(120, &["bake prod"]);
        pass(130, &["bake prod"]);
        new_commit(&sandbox, 2);
        env.run_at(at(180), &["release", "create", "-q"]).ok();
        pass(180, &["alpha", "gamma"]);
        world.alarm = true;
        write_pipeline(&env, &prom.url, world);
        pass(200, &["bake gamma", "gamma"]);
        decisions(&env)
    };
    let run_mode = play(false);
    let ci_mode = play(true);
    assert!(
        run_mode.iter().any(|d| d.contains("\"alarm fired\"")),
        "{run_mode:#?}"
    );
    assert!(
        run_mode.iter().any(|d| d.contains("\"rollback\"")),
        "{run_mode:#?}"
    );
    assert_eq!(run_mode, ci_mode);
}

on_both_backends!(
    a_ci_stage_bakes_before_it_approves,
    bake_wait_watches_until_the_bake_is_over,
    ci_mode_and_run_mode_decide_the_same_at_the_same_times,
);

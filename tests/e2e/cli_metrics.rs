//! `captain metrics` (issue 14, point 1) on a scripted history whose every number is
//! worked out by hand below: on a local SQLite ledger, over `captain serve` (SQLite), and
//! over `captain serve` on PostgreSQL — the same answers each time.

use std::process::Command;

use captain::git::sandbox::Sandbox;
use captain::model::Timestamp;
use serde_json::{Value, json};

use super::common::{Run, SMALL_PIPELINE, TestEnv, hours_ago};
use super::pg_harness::fresh_database;
use super::server_harness::Server;
use crate::on_both_backends;

const H: i64 = 3_600;

/// Day 0 of the story, 10 days before NOW: `--since 9d` starts the window on day 1.
fn t(hours: f64) -> Timestamp {
    let t0 = hours_ago(240).as_second();
    Timestamp::from_second(t0 + (hours * H as f64) as i64).expect("in range")
}

/// Runs captain at a time: against the test environment's own backend, or against a
/// given server with a token.
pub(crate) struct Driver<'a> {
    pub(crate) env: &'a TestEnv,
    pub(crate) server: Option<(&'a Server, &'a str)>,
}

impl Driver<'_> {
    fn command(&self, at: Timestamp) -> Command {
        let mut command = self.env.command();
        command.env("CAPTAIN_NOW", at.to_string());
        if let Some((server, token)) = self.server {
            command
                .env("CAPTAIN_STATE", &server.url)
                .env("CAPTAIN_TOKEN", token);
        }
        command
    }

    fn run(&self, at: Timestamp, args: &[&str]) -> Run {
        self.command(at)
            .args(args)
            .output()
            .expect("run captain")
            .into()
    }

    pub(crate) fn now(&self, args: &[&str]) -> Run {
        self.run(super::common::now(), args)
    }

    fn release(&self, at: Timestamp, artifact: Option<&str>) {
        let mut args = vec!["release", "create", "-q"];
        if let Some(artifact) = artifact {
            args.extend(["--artifact", artifact]);
        }
        self.run(at, &args).ok();
    }

    fn start(&self, at: Timestamp, environment: &str, release: &str) -> String {
        self.run(
            at,
            &["deploy", "start", environment, "--release", release, "-q"],
        )
        .ok()
        .stdout
        .trim()
        .to_string()
    }

    fn rollback(&self, at: Timestamp, environment: &str, release: &str, reason: &str) -> String {
        self.run(
            at,
            &[
                "deploy",
                "start",
                environment,
                "--release",
                release,
                "--rollback",
                "--reason",
                reason,
                "-q",
            ],
        )
        .ok()
        .stdout
        .trim()
        .to_string()
    }

    /// The id of the newest deployment to `environment`, and that it is an in-progress
    /// rollback.
    fn newest(&self, at: Timestamp, environment: &str) -> String {
        let history = self
            .run(at, &["history", environment, "--limit", "1", "--json"])
            .ok()
            .json();
        let newest = &history["deployments"][0];
        assert_eq!(newest["kind"], "rollback", "{history:#}");
        assert_eq!(newest["outcome"], "in progress", "{history:#}");
        newest["id"].as_str().expect("an id").to_string()
    }

    fn finish(&self, at: Timestamp, id: &str, outcome: &str) {
        self.run(at, &["deploy", "finish", id, "--outcome", outcome])
            .ok();
    }

    /// `release` to each of `environments` (name, hours after `start`, outcome), each
    /// deployment taking an hour.
    fn deploy(&self, release: &str, start: f64, environments: &[(&str, f64, &str)]) {
        for (environment, offset, outcome) in environments {
            let at = start + offset;
            let id = self.start(t(at), environment, release);
            self.finish(t(at + 1.0), &id, outcome);
        }
    }
}

fn commit(sandbox: &Sandbox, name: &str, hours: f64) {
    sandbox
        .commit(
            &[(&format!("src/{name}.txt"), &format!("{name}\n"))],
            name,
            "Ben Okafor",
            t(hours),
        )
        .expect("commit");
}

/// The story (hours from day 0; production is prod-1, then prod-2 and prod-3):
///
/// - day 0: v1 everywhere (before the window);
/// - day 2: commits c2 (0h) and c3 (1h), v2 released at 2h, approved everywhere: prod-1
///   finishes at 8h, prod-2 at 10h, prod-3 at 11h;
/// - day 4: commit c4, v3 released at 1h; in prod-1 (6h → 7h) its alarm fires, and a
///   rollback to v2 (7h → 7h30m) recovers prod-1;
/// - day 6: commit c5, v4 released at 1h without artifacts; approved in prod-1 (7h),
///   prod-2 (9h) and prod-3 (9h30m); on day 7 a person rolls prod-3 back to v2 (20m);
/// - day 8: commit c6, v5 released, still deploying to beta.
pub(crate) fn story(d: &Driver<'_>, sandbox: &Sandbox) {
    let all = |start: f64| -> Vec<(&'static str, f64, &'static str)> {
        vec![
            ("beta", start, "approved"),
            ("gamma", start + 2.0, "approved"),
            ("prod-1", start + 4.0, "approved"),
            ("prod-2", start + 6.0, "approved"),
            ("prod-3", start + 6.0, "approved"),
        ]
    };
    d.release(t(0.5), Some("image=shop:1"));
    d.deploy("v1", 0.0, &all(1.0));

    let day = 24.0;
    commit(sandbox, "c2", 2.0 * day);
    commit(sandbox, "c3", 2.0 * day + 1.0);
    d.release(t(2.0 * day + 2.0), Some("image=shop:2"));
    d.deploy(
        "v2",
        2.0 * day,
        &[
            ("beta", 3.0, "approved"),
            ("gamma", 5.0, "approved"),
            ("prod-1", 7.0, "approved"),
            ("prod-2", 9.0, "approved"),
        ],
    );
    let id = d.start(t(2.0 * day + 9.0), "prod-3", "v2");
    d.finish(t(2.0 * day + 11.0), &id, "approved");

    commit(sandbox, "c4", 4.0 * day);
    d.release(t(4.0 * day + 1.0), Some("image=shop:3"));
    d.deploy(
        "v3",
        4.0 * day,
        &[
            ("beta", 2.0, "approved"),
            ("gamma", 4.0, "approved"),
            ("prod-1", 6.0, "alarm-fired"),
        ],
    );
    // The alarm's finish records the automatic rollback to v2.
    let id = d.newest(t(4.0 * day + 7.0), "prod-1");
    d.finish(t(4.0 * day + 7.5), &id, "approved");

    commit(sandbox, "c5", 6.0 * day);
    d.release(t(6.0 * day + 1.0), None);
    d.deploy(
        "v4",
        6.0 * day,
        &[
            ("beta", 2.0, "approved"),
            ("gamma", 4.0, "approved"),
            ("prod-1", 6.0, "approved"),
            ("prod-2", 8.0, "approved"),
        ],
    );
    let id = d.start(t(6.0 * day + 8.0), "prod-3", "v4");
    d.finish(t(6.0 * day + 9.5), &id, "approved");
    let id = d.rollback(t(7.0 * day), "prod-3", "v2", "bad data");
    d.finish(t(7.0 * day + 1.0 / 3.0), &id, "approved");

    commit(sandbox, "c6", 8.0 * day);
    d.release(t(8.0 * day + 1.0), Some("image=shop:5"));
    d.start(t(8.0 * day + 2.0), "beta", "v5");
}

fn dist(count: u64, median: i64, p90: i64) -> (Value, Value, Value) {
    (json!(count), json!(median), json!(p90))
}

fn of(value: &Value) -> (Value, Value, Value) {
    (
        value["count"].clone(),
        value["median_seconds"].clone(),
        value["p90_seconds"].clone(),
    )
}

/// Checks every number of the production metrics of the story's window.
fn check_production(m: &Value) {
    assert_eq!(m["scope"], "production", "{m:#}");
    assert_eq!(m["environments"], json!(["prod-1", "prod-2", "prod-3"]));
    assert_eq!(m["deployments"]["total"], 9, "{m:#}");
    assert_eq!(m["deployments"]["rollback"], 2);
    // M1: 6 of the 7 change deployments approved (v3's alarm is the seventh).
    assert_eq!(m["success_rate"]["attempts"], 7);
    assert_eq!(m["success_rate"]["approved"], 6);
    // M2: c2 8h, c3 7h, c4 7h, c5 7h to prod-1; everywhere c2 11h, c3 10h, c4 (with v4)
    // 57h30m, c5 9h30m.
    assert_eq!(of(&m["lead_time"]["first"]), dist(4, 7 * H, 8 * H));
    assert_eq!(
        of(&m["lead_time"]["every"]),
        dist(4, 10 * H, 57 * H + H / 2)
    );
    let buckets: Vec<u64> = m["lead_time"]["first_histogram"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["count"].as_u64().expect("count"))
        .collect();
    assert_eq!(buckets, [0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
    // M3: v3's alarm in prod-1 and v4 rolled back in prod-3.
    assert_eq!(m["change_failure_rate"]["failed"], 2);
    assert_eq!(m["change_failure_rate"]["deployments"], 7);
    // M5: 1h after v3 started in prod-1, 16h after v4 started in prod-3.
    assert_eq!(of(&m["time_to_detect"]), dist(2, H, 16 * H));
    // M4: the rollbacks' approvals, 20m and 30m later.
    assert_eq!(of(&m["time_to_recovery"]), dist(2, 20 * 60, 30 * 60));
    assert_eq!(m["time_to_recovery"]["open"], 0);
    // M7: an hour from each approval to the next stage's first deployment (gamma →
    // prod-1: v2, v3, v4; prod-1 → prod-2: v2, v4).
    assert_eq!(of(&m["promotion_time"]["overall"]), dist(5, H, H));
    let stages: Vec<(String, u64)> = m["promotion_time"]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| {
            (
                format!(
                    "{} -> {}",
                    s["from"].as_str().unwrap_or(""),
                    s["to"].as_str().unwrap_or("")
                ),
                s["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("gamma -> prod-1".to_string(), 3),
            ("prod-1 -> prod-2".to_string(), 2)
        ]
    );
    // M8: v2 9h, v3 56h30m, v4 8h30m from release to everywhere.
    assert_eq!(of(&m["pipeline_duration"]), dist(3, 9 * H, 56 * H + H / 2));
    // M10 and M12: 2 rollbacks per 7; v4's three deployments lack artifacts.
    assert_eq!(m["rollbacks"]["rollbacks"], 2);
    assert_eq!(m["rollbacks"]["deployments"], 7);
    assert_eq!(m["audit_completeness"]["complete"], 6);
    assert_eq!(m["audit_completeness"]["deployments"], 9);
    assert_eq!(
        m["audit_completeness"]["incomplete"][0]["missing"],
        json!(["artifacts"])
    );
    // DORA: 3 releases in 9 days, median lead time 7h, 2 of 7 failed, restored in 20m.
    let dora = &m["dora"];
    assert_eq!(dora["deployment_frequency"]["releases"], 3);
    assert_eq!(dora["deployment_frequency"]["band"], "high");
    assert_eq!(dora["lead_time"]["value"], json!(7.0 * H as f64));
    assert_eq!(dora["lead_time"]["band"], "elite");
    assert_eq!(dora["change_failure_rate"]["band"], "low");
    assert_eq!(dora["time_to_restore"]["band"], "elite");
}

fn metrics_of_a_scripted_history() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: None,
    };
    story(&d, &sandbox);
    let m = d.now(&["metrics", "--since", "9d", "--json"]).ok().json();
    check_production(&m);

    // One environment: v2, v4 and the rollback by hand.
    let prod3 = d
        .now(&[
            "metrics",
            "--since",
            "9d",
            "--environment",
            "prod-3",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(prod3["environments"], json!(["prod-3"]));
    assert_eq!(prod3["deployments"]["total"], 3);
    assert_eq!(prod3["change_failure_rate"]["failed"], 1);
    // c2 11h, c3 10h, c4 and c5 with v4 (57h30m, 9h30m).
    assert_eq!(
        of(&prod3["lead_time"]["first"]),
        dist(4, 10 * H, 57 * H + H / 2)
    );
    let wave = d
        .now(&["metrics", "--since", "9d", "--wave", "wave-2", "--json"])
        .ok()
        .json();
    assert_eq!(wave["environments"], json!(["prod-2", "prod-3"]));
    let beta = d
        .now(&["metrics", "--since", "9d", "--stage", "beta", "--json"])
        .ok()
        .json();
    // v2, v3, v4 approved; v5 still deploying.
    assert_eq!(beta["success_rate"]["approved"], 3);
    assert_eq!(beta["deployments"]["in_progress"], 1);
    // The default window (30 days) holds day 0 too: v1's three production deployments.
    let month = d.now(&["metrics", "--json"]).ok().json();
    assert_eq!(month["deployments"]["total"], 12, "{month:#}");

    // The table, with its histogram.
    let table = d.now(&["metrics", "--since", "9d"]).ok().stdout;
    for line in [
        "Metrics for production (3 environments)",
        "deployment success rate",
        "85.7 %",
        "median 7h, p90 8h",
        "rollbacks per 100 deployments",
        "28.6",
        "deployment frequency",
        "high",
        "Lead time to the first environment (4 commits)",
        "4h–12h ████████████████████████████████████████ 4",
        "Promotion time between stages",
    ] {
        assert!(table.contains(line), "missing {line:?} in:\n{table}");
    }

    // Bad input is named, with the fix.
    let unknown = d.now(&["metrics", "--wave", "wave-9"]).code(5);
    assert!(
        unknown.stderr.contains("unknown wave `wave-9`"),
        "{}",
        unknown.stderr
    );
    let bad = d.now(&["metrics", "--since", "soon"]).code(2);
    assert!(bad.stderr.contains("--since `soon`"), "{}", bad.stderr);
    let both = d.now(&["metrics", "--stage", "beta", "--wave", "wave-1"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}

on_both_backends!(metrics_of_a_scripted_history);

#[test]
fn metrics_over_serve_on_postgres_match_the_scripted_history() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let database = fresh_database();
    let server = Server::start_on(&env.path().join("server"), &database, &[], None);
    server.register(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: Some((&server, &server.admin)),
    };
    story(&d, &sandbox);
    let m = d.now(&["metrics", "--since", "9d", "--json"]).ok().json();
    check_production(&m);
    assert!(!env.state_path().exists(), "everything is in PostgreSQL");
}

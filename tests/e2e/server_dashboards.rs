//! The Grafana dashboards under `dashboards/` (issue 14, point 3): every query of every
//! panel, with its template variables filled in, parses and returns data from a real
//! Prometheus scraping `captain serve` over the scripted history of `cli_metrics` (plus a
//! failed deployment, a rollback in progress, a lock and a block), and a few of the
//! answers agree with the ledger as the CLI reads it.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::cli_metrics::{Driver, story};
use super::common::{SMALL_PIPELINE, TestEnv};
use super::server_harness::Server;
use super::server_prometheus::{query, scraping, value};

const DASHBOARDS: [&str; 2] = ["executive.json", "on-call.json"];

fn dashboard(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("dashboards")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("the dashboard file");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `expr` anywhere in `value` (panels, their targets, rows).
fn exprs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr", Value::String(expr)) => out.push(expr.clone()),
                    _ => exprs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| exprs(v, out)),
        _ => {}
    }
}

/// The query as Grafana sends it for pipeline `checkout`.
fn substitute(expr: &str) -> String {
    let filled = expr
        .replace("${pipeline}", "checkout")
        .replace("$pipeline", "checkout")
        .replace("$__rate_interval", "1m")
        .replace("$__interval", "1m")
        .replace("$__range", "1h");
    assert!(
        !filled.contains('$'),
        "a template variable left in {filled}"
    );
    filled
}

/// The samples of `promql` once there are some (Prometheus scrapes every second).
fn some(prometheus: &str, promql: &str) -> Vec<(Value, f64)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = query(prometheus, promql);
        if !rows.is_empty() {
            return rows;
        }
        assert!(Instant::now() < deadline, "no data for {promql}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn dashboards_are_grafana_models_with_the_templated_datasource() {
    for name in DASHBOARDS {
        let d = dashboard(name);
        assert!(d["uid"].as_str().is_some_and(|u| !u.is_empty()), "{name}");
        let variables: Vec<&str> = d["templating"]["list"]
            .as_array()
            .expect("templating")
            .iter()
            .filter_map(|v| v["name"].as_str())
            .collect();
        assert_eq!(variables, ["datasource", "pipeline"], "{name}");
        let panels = d["panels"].as_array().expect("panels");
        assert!(!panels.is_empty(), "{name}");
        for panel in panels {
            assert_eq!(
                panel["datasource"]["uid"], "${datasource}",
                "{name}: {panel:#}"
            );
            for target in panel["targets"].as_array().expect("targets") {
                assert_eq!(target["datasource"]["uid"], "${datasource}", "{name}");
                let expr = target["expr"].as_str().expect("an expr");
                assert!(
                    expr.contains("$pipeline"),
                    "{name}: {expr} ignores $pipeline"
                );
            }
        }
    }
}

#[test]
fn every_dashboard_query_returns_data_from_prometheus_scraping_captain() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let server = Server::start_pinned(&env.path().join("server"));
    server.register(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: Some((&server, &server.admin)),
    };
    story(&d, &sandbox);
    // What an on-call engineer looks at: beta's v5 fails its tests, prod-2 is rolling
    // back, gamma is locked, v4 is blocked.
    let beta = d
        .now(&["history", "beta", "--limit", "1", "--json"])
        .ok()
        .json();
    let v5 = beta["deployments"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    d.now(&["deploy", "finish", &v5, "--outcome", "tests-failed"])
        .ok();
    d.now(&[
        "deploy",
        "start",
        "prod-2",
        "--release",
        "v2",
        "--rollback",
        "--reason",
        "slow",
        "-q",
    ])
    .ok();
    d.now(&[
        "promotions",
        "disable",
        "gamma",
        "--reason",
        "investigating",
    ])
    .ok();
    d.now(&["release", "block", "v4", "--reason", "bad data", "--yes"])
        .ok();

    // The ledger as the CLI reads it, over the windows /metrics shows.
    let m30 = d.now(&["metrics", "--since", "30d", "--json"]).ok().json();
    let m90 = d.now(&["metrics", "--since", "90d", "--json"]).ok().json();
    let beta = d
        .now(&["history", "beta", "--limit", "1", "--json"])
        .ok()
        .json();
    let beta = &beta["deployments"][0];

    let Some(prometheus) = scraping(&server) else {
        return;
    };
    let p = prometheus.url.as_str();
    assert_eq!(value(p, r#"up{job="captain"}"#), 1.0);

    // The pipeline variable's values.
    for name in DASHBOARDS {
        let definition = dashboard(name)["templating"]["list"][1]["definition"]
            .as_str()
            .expect("a definition")
            .to_string();
        assert_eq!(
            definition, "label_values(captain_deployments_total, pipeline)",
            "{name}"
        );
        let rows = some(p, "count by (pipeline) (captain_deployments_total)");
        assert!(
            rows.iter().any(|(l, _)| l["pipeline"] == "checkout"),
            "{rows:?}"
        );
    }
    let mut checked = 0;
    for name in DASHBOARDS {
        let mut all = Vec::new();
        exprs(&dashboard(name), &mut all);
        assert!(all.len() >= 8, "{name}: {all:?}");
        for expr in all {
            let rows = some(p, &substitute(&expr));
            assert!(
                rows.iter().all(|(_, v)| !v.is_nan()),
                "{name}: {expr}: {rows:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} queries");

    // A few answers against the ledger.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    for (window, m) in [("30d", &m30), ("90d", &m90)] {
        let rate = |key: &str| m[key]["rate"].as_f64().expect("a rate");
        let success = value(
            p,
            &format!(
                r#"captain_deployment_success_ratio{{pipeline="checkout",window="{window}"}}"#
            ),
        );
        assert!(
            close(success, rate("success_rate")),
            "{window}: {success} {m:#}"
        );
        let failure = value(
            p,
            &format!(r#"captain_change_failure_ratio{{pipeline="checkout",window="{window}"}}"#),
        );
        assert!(
            close(failure, rate("change_failure_rate")),
            "{window}: {failure}"
        );
        let count = value(
            p,
            &format!(r#"captain_lead_time_seconds_count{{pipeline="checkout",window="{window}"}}"#),
        );
        assert_eq!(
            count,
            m["lead_time"]["first"]["count"].as_f64().expect("a count")
        );
    }
    // The histogram's buckets are the CLI's bars, cumulated: below 12h every bar up to
    // 4h–12h.
    let bars: Vec<f64> = m30["lead_time"]["first_histogram"]
        .as_array()
        .expect("bars")
        .iter()
        .map(|b| b["count"].as_f64().expect("a count"))
        .collect();
    assert_eq!(
        value(
            p,
            r#"captain_lead_time_seconds_bucket{pipeline="checkout",window="30d",le="43200.0"}"#
        ),
        bars[..3].iter().sum::<f64>()
    );
    assert!(bars[..3].iter().sum::<f64>() >= 4.0, "{bars:?}");

    // Who started beta's latest deployment, and how it ended.
    let info = some(
        p,
        r#"captain_environment_deployment_info{pipeline="checkout",environment="beta"}"#,
    );
    assert_eq!(info.len(), 1, "{info:?}");
    let labels = &info[0].0;
    assert_eq!(labels["outcome"], "tests failed");
    assert_eq!(labels["id"], beta["id"]);
    assert_eq!(labels["actor"], beta["actor"]);
    assert_eq!(labels["release"], "v5");
    assert_eq!(
        value(p, r#"sum(captain_environment_failed{pipeline="checkout"})"#),
        1.0
    );
    assert_eq!(
        value(
            p,
            r#"captain_environment_rolling_back{pipeline="checkout",environment="prod-2"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            p,
            r#"sum(captain_environment_rolling_back{pipeline="checkout"})"#
        ),
        1.0
    );
    let locked = some(p, r#"captain_environment_locked{pipeline="checkout"} == 1"#);
    let locked: Vec<&Value> = locked.iter().map(|(l, _)| &l["environment"]).collect();
    assert_eq!(locked, ["gamma"]);
    let mut blocked: Vec<String> = some(
        p,
        r#"captain_environment_blocked{pipeline="checkout"} == 1"#,
    )
    .iter()
    .map(|(l, _)| l["environment"].as_str().unwrap_or_default().to_string())
    .collect();
    blocked.sort();
    // gamma, prod-1 and prod-2 run v4 (beta runs v5, which failed its tests; prod-3 v2).
    assert_eq!(blocked, ["gamma", "prod-1", "prod-2"]);
}

/// The same windowed numbers on PostgreSQL, from the text `/metrics` answers.
#[test]
fn the_windowed_metrics_on_postgres_agree_with_the_cli() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let database = super::pg_harness::fresh_database();
    let server = Server::start_pinned_on(&env.path().join("server"), &database);
    server.register(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: Some((&server, &server.admin)),
    };
    story(&d, &sandbox);
    let m30 = d.now(&["metrics", "--since", "30d", "--json"]).ok().json();
    let text = reqwest::blocking::Client::new()
        .get(format!("{}/metrics", server.url))
        .bearer_auth(&server.admin)
        .send()
        .and_then(|r| r.text())
        .expect("metrics");
    let attempts = &m30["success_rate"]["attempts"];
    let failed = &m30["change_failure_rate"]["failed"];
    let leads = &m30["lead_time"]["first"]["count"];
    for line in [
        format!(r#"captain_change_deployments{{pipeline="checkout",window="30d"}} {attempts}"#),
        format!(r#"captain_change_failures{{pipeline="checkout",window="30d"}} {failed}"#),
        format!(r#"captain_lead_time_seconds_count{{pipeline="checkout",window="30d"}} {leads}"#),
        r#"captain_environment_deployment_info{pipeline="checkout",environment="beta",stage="beta",wave="",id="#.to_string(),
        r#"captain_environment_rolling_back{pipeline="checkout",environment="beta",stage="beta",wave=""} 0"#.to_string(),
    ] {
        assert!(text.contains(&line), "missing {line:?} in:\n{text}");
    }
    let ratio = |name: &str| -> f64 {
        let prefix = format!(r#"{name}{{pipeline="checkout",window="30d"}} "#);
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
    };
    let close = |a: f64, b: &serde_json::Value| (a - b.as_f64().expect("a rate")).abs() < 1e-9;
    assert!(close(
        ratio("captain_deployment_success_ratio"),
        &m30["success_rate"]["rate"]
    ));
    assert!(close(
        ratio("captain_change_failure_ratio"),
        &m30["change_failure_rate"]["rate"]
    ));
}

//! `captain serve`'s `GET /metrics` (issue 14, point 2) scraped by a real Prometheus
//! (the Debian package, as in `exec_services`): PromQL answers agree with the ledger of
//! the scripted history of `cli_metrics`, as the CLI reads it.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::cli_metrics::{Driver, story};
use super::common::{SMALL_PIPELINE, TestEnv};
use super::exec_services::{PROMETHEUS, Service};
use super::server_harness::Server;

/// One PromQL instant query's samples: (labels, value).
pub(crate) fn query(prometheus: &str, promql: &str) -> Vec<(Value, f64)> {
    let body: Value = reqwest::blocking::Client::new()
        .get(format!("{prometheus}/api/v1/query"))
        .query(&[("query", promql)])
        .send()
        .and_then(|r| r.json())
        .expect("a query answer");
    assert_eq!(body["status"], "success", "{promql}: {body:#}");
    body["data"]["result"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let value = r["value"][1]
                        .as_str()
                        .unwrap_or("nan")
                        .parse()
                        .unwrap_or(f64::NAN);
                    (r["metric"].clone(), value)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The single value of `promql`, once Prometheus has scraped (within 30 s).
pub(crate) fn value(prometheus: &str, promql: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = query(prometheus, promql);
        if let [(_, v)] = rows.as_slice() {
            return *v;
        }
        assert!(
            Instant::now() < deadline,
            "no single answer to {promql}: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A real Prometheus scraping `server` every second with its admin token (`None`: no
/// Prometheus on this machine).
pub(crate) fn scraping(server: &Server) -> Option<Service> {
    scrape(&server.url, Some(&server.admin))
}

/// A real Prometheus scraping `url`'s `/metrics` every second as job `captain`, with a
/// bearer token when given.
pub(crate) fn scrape(url: &str, token: Option<&str>) -> Option<Service> {
    let target = url.trim_start_matches("http://");
    let authorization = token
        .map(|t| format!("    authorization:\n      credentials: {t}\n"))
        .unwrap_or_default();
    let config = format!(
        r#"
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: captain
{authorization}    static_configs:
      - targets: ['{target}']
"#
    );
    Service::start(
        PROMETHEUS,
        &[("prometheus.yml", config)],
        &[
            "--config.file={dir}/prometheus.yml",
            "--storage.tsdb.path={dir}/data",
            "--web.listen-address=127.0.0.1:{port}",
        ],
    )
}

#[test]
fn prometheus_scrapes_the_server_and_promql_agrees_with_the_ledger() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let server = Server::start(&env.path().join("server"));
    server.register(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: Some((&server, &server.admin)),
    };
    story(&d, &sandbox);

    // The ledger as the CLI reads it.
    let mut deployments = 0;
    let mut finished_prod_1 = 0;
    for environment in ["beta", "gamma", "prod-1", "prod-2", "prod-3"] {
        let history = d
            .now(&["history", environment, "--limit", "100", "--json"])
            .ok()
            .json();
        let rows = history["deployments"].as_array().expect("deployments");
        deployments += rows.len();
        if environment == "prod-1" {
            finished_prod_1 = rows
                .iter()
                .filter(|r| r["outcome"] != "in progress")
                .count();
        }
    }
    let v2 = d.now(&["release", "show", "v2", "--json"]).ok().json();
    let v2_commit = v2["commit"].as_str().expect("a commit").to_string();

    // Without a token: refused; with one: the text format.
    let url = format!("{}/metrics", server.url);
    let client = reqwest::blocking::Client::new();
    let anonymous = client.get(&url).send().expect("answer");
    assert_eq!(anonymous.status().as_u16(), 401);
    let text = client
        .get(&url)
        .bearer_auth(&server.admin)
        .send()
        .and_then(|r| r.text())
        .expect("metrics");
    for line in [
        r#"captain_deployments_total{pipeline="checkout",stage="prod-1",kind="normal",outcome="alarm fired"} 1"#,
        r#"captain_rollbacks_total{pipeline="checkout",stage="prod-2"} 1"#,
        r#"captain_environment_deploying{pipeline="checkout",environment="beta",stage="beta",wave=""} 1"#,
        "# TYPE captain_deployment_duration_seconds histogram",
        "# TYPE captain_http_requests counter",
        "# EOF",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }

    let Some(prometheus) = scraping(&server) else {
        return;
    };
    let p = prometheus.url.as_str();
    assert_eq!(value(p, r#"up{job="captain"}"#), 1.0);
    assert_eq!(
        value(p, r#"sum(captain_deployments_total{pipeline="checkout"})"#),
        deployments as f64
    );
    assert_eq!(
        value(p, r#"sum(captain_rollbacks_total{pipeline="checkout"})"#),
        2.0
    );
    assert_eq!(
        value(
            p,
            r#"captain_deployment_duration_seconds_count{pipeline="checkout",stage="prod-1"}"#
        ),
        finished_prod_1 as f64
    );
    // Every deployment of the story took at most 2 hours; prod-1's alarm one 1 hour.
    assert_eq!(
        value(
            p,
            r#"captain_deployment_duration_seconds_bucket{pipeline="checkout",stage="prod-1",le="7200.0"}"#
        ),
        finished_prod_1 as f64
    );
    let info = query(
        p,
        r#"captain_environment_release_info{pipeline="checkout",environment="prod-3"}"#,
    );
    assert_eq!(info.len(), 1, "{info:?}");
    assert_eq!(info[0].0["release"], "v2", "rolled back to v2: {info:?}");
    assert_eq!(info[0].0["commit"], v2_commit.as_str());
    assert_eq!(
        value(p, r#"captain_environment_deploying{environment="beta"}"#),
        1.0
    );
    assert_eq!(
        value(
            p,
            r#"sum(captain_environment_blocked{pipeline="checkout"})"#
        ),
        0.0
    );
    assert!(value(p, r#"sum(captain_http_requests_total{method="GET"})"#) >= 1.0);
}

#[test]
fn metrics_on_postgres_count_the_same_ledger() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let database = super::pg_harness::fresh_database();
    let server = Server::start_on(&env.path().join("server"), &database, &[], None);
    server.register(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: Some((&server, &server.admin)),
    };
    story(&d, &sandbox);
    let text = reqwest::blocking::Client::new()
        .get(format!("{}/metrics", server.url))
        .bearer_auth(&server.admin)
        .send()
        .and_then(|r| r.text())
        .expect("metrics");
    for line in [
        r#"captain_deployments_total{pipeline="checkout",stage="prod-1",kind="normal",outcome="alarm fired"} 1"#,
        r#"captain_deployments_total{pipeline="checkout",stage="beta",kind="normal",outcome="in progress"} 1"#,
        r#"captain_rollbacks_total{pipeline="checkout",stage="prod-1"} 1"#,
        r#"captain_rollbacks_total{pipeline="checkout",stage="prod-2"} 1"#,
        // prod-1: v1, v2, v3 (alarm), the rollback, v4: five finished, each within 2h.
        r#"captain_deployment_duration_seconds_count{pipeline="checkout",stage="prod-1"} 5"#,
        r#"captain_deployment_duration_seconds_bucket{le="3600.0",pipeline="checkout",stage="prod-1"} 5"#,
        r#"captain_environment_deploying{pipeline="checkout",environment="beta",stage="beta",wave=""} 1"#,
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

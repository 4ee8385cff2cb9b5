//! `captain run --metrics-listen ADDR` (issue 14, point 2): the same `/metrics` for a loop
//! without a team server, scraped by a real Prometheus; PromQL agrees with the ledger.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use super::cli_metrics::{Driver, story};
use super::common::{SMALL_PIPELINE, TestEnv};
use super::server_prometheus::{query, scrape, value};

/// Kills the loop when the test ends, however it ends.
struct Loop(Child);

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn run_metrics_listen_serves_the_loop_s_metrics_to_prometheus() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let d = Driver {
        env: &env,
        server: None,
    };
    story(&d, &sandbox);
    // Nothing moves while the test reads: the loop only serves its metrics.
    d.now(&["freeze", "--reason", "reading the metrics"]).ok();

    let mut child = env
        .command()
        .args([
            "run",
            "--interval",
            "0.5",
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start captain run");
    let stderr = child.stderr.take().expect("stderr");
    let run = Loop(child);
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("captain run said where its metrics are")
            .expect("a line");
        if let Some(rest) = line.strip_prefix("metrics on ") {
            break rest.trim_end_matches("/metrics").to_string();
        }
    };
    // Keep reading, so the loop never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    let text = reqwest::blocking::get(format!("{url}/metrics"))
        .and_then(|r| r.text())
        .expect("metrics without a token on loopback");
    for line in [
        r#"captain_rollbacks_total{pipeline="checkout",stage="prod-2"} 1"#,
        "# TYPE captain_lead_time_seconds histogram",
        "# EOF",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(
        !text.contains("captain_store_calls"),
        "no server pool in a loop"
    );
    let missing = reqwest::blocking::get(format!("{url}/nothing")).expect("an answer");
    assert_eq!(missing.status().as_u16(), 404);

    let m30 = d.now(&["metrics", "--since", "30d", "--json"]).ok().json();
    let Some(prometheus) = scrape(&url, None) else {
        return;
    };
    let p = prometheus.url.as_str();
    assert_eq!(value(p, r#"up{job="captain"}"#), 1.0);
    assert_eq!(
        value(p, r#"sum(captain_rollbacks_total{pipeline="checkout"})"#),
        2.0
    );
    let info = query(
        p,
        r#"captain_environment_release_info{pipeline="checkout",environment="prod-3"}"#,
    );
    assert_eq!(info.len(), 1, "{info:?}");
    assert_eq!(info[0].0["release"], "v2", "rolled back to v2: {info:?}");
    let success = value(
        p,
        r#"captain_deployment_success_ratio{pipeline="checkout",window="30d"}"#,
    );
    let rate = m30["success_rate"]["rate"].as_f64().expect("a rate");
    assert!((success - rate).abs() < 1e-9, "{success} vs {rate}");
    assert_eq!(
        value(
            p,
            r#"captain_lead_time_seconds_count{pipeline="checkout",window="30d"}"#
        ),
        m30["lead_time"]["first"]["count"]
            .as_f64()
            .expect("a count")
    );
    assert!(value(p, r#"sum(captain_http_requests_total{status="200"})"#) >= 1.0);
    drop(run);
}

#[test]
fn run_metrics_listen_refuses_an_open_address_without_a_token_and_a_bad_address() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let open = env
        .command()
        .args(["run", "--once", "--metrics-listen", "0.0.0.0:0"])
        .env_remove("CAPTAIN_METRICS_TOKEN")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&open.stderr);
    assert_eq!(open.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("0.0.0.0:0"), "{stderr}");
    assert!(stderr.contains("CAPTAIN_METRICS_TOKEN"), "{stderr}");

    let bad = env
        .run(&["run", "--once", "--metrics-listen", "localhost:http"])
        .code(2);
    assert!(
        bad.stderr.contains("`localhost:http` is not an address"),
        "{}",
        bad.stderr
    );
}

#[test]
fn run_metrics_listen_on_an_open_address_asks_for_the_token() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let mut child = env
        .command()
        .args(["run", "--interval", "0.5", "--metrics-listen", "0.0.0.0:0"])
        .env("CAPTAIN_METRICS_TOKEN", "s3cret")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start captain run");
    let stderr = child.stderr.take().expect("stderr");
    let _run = Loop(child);
    let mut lines = BufReader::new(stderr).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("where the metrics are")
            .expect("a line");
        if let Some(rest) = line.strip_prefix("metrics on http://0.0.0.0:") {
            break rest.trim_end_matches("/metrics").to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    let url = format!("http://127.0.0.1:{port}/metrics");
    let client = reqwest::blocking::Client::new();
    let anonymous = client.get(&url).send().expect("an answer");
    assert_eq!(anonymous.status().as_u16(), 401);
    let wrong = client
        .get(&url)
        .bearer_auth("s3cre")
        .send()
        .expect("an answer");
    assert_eq!(wrong.status().as_u16(), 401);
    let text = client
        .get(&url)
        .bearer_auth("s3cret")
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.text())
        .expect("metrics with the token");
    assert!(
        text.contains(r#"captain_http_requests_total{method="GET",status="401"} 2"#),
        "{text}"
    );
}

//! Alarm sources and approval steps against a real Prometheus and a real Alertmanager (the
//! Debian packages `prometheus` and `prometheus-alertmanager`, which `.ci/run` installs),
//! each started here on a free loopback port with a temporary data directory, waited for
//! through `/-/ready`, and killed when the test ends.
//!
//! Without the binaries these tests fail and say what to install; set
//! `CAPTAIN_SKIP_SERVICE_TESTS=1` to skip them on a machine that cannot have them.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use captain::config::Environment;
use captain::config::{AlarmExpr, AlarmKind, AlarmSource, ApprovalKind, ApprovalStep, DataPoints};
use captain::exec::{
    AlarmState, Probes, StepContext, StepResult, alarm_state, data_points, expression_state,
    run_approval_step, step_alarm_state,
};

pub(crate) const PROMETHEUS: &str = "/usr/bin/prometheus";
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A server process with its own temporary directory; killed on drop.
pub(crate) struct Service {
    child: Child,
    dir: tempfile::TempDir,
    pub(crate) url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Service {
    /// Starts `binary` with `args` (`{port}` and `{dir}` filled in) after writing `files`
    /// into its directory, and waits for `/-/ready`.
    pub(crate) fn start(binary: &str, files: &[(&str, String)], args: &[&str]) -> Option<Service> {
        if !Path::new(binary).exists() {
            assert!(
                std::env::var_os("CAPTAIN_SKIP_SERVICE_TESTS").is_some(),
                "{binary} is missing: apt-get install prometheus prometheus-alertmanager \
                 (as .ci/run does), or set CAPTAIN_SKIP_SERVICE_TESTS=1"
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let fill = |text: &str| {
            text.replace("{port}", &port.to_string())
                .replace("{dir}", &dir.path().display().to_string())
        };
        for (name, text) in files {
            std::fs::write(dir.path().join(name), fill(text)).expect("write config");
        }
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let child = Command::new(binary)
            .args(args.iter().map(|a| fill(a)))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start server");
        let mut service = Service {
            child,
            dir,
            url: format!("http://127.0.0.1:{port}"),
        };
        service.wait_ready();
        Some(service)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        let ready = format!("{}/-/ready", self.url);
        let client = reqwest::blocking::Client::new();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited with {status}:\n{}", self.url, self.log());
            }
            let answer = client
                .get(&ready)
                .timeout(Duration::from_secs(2))
                .send()
                .map(|r| r.status().as_u16());
            if answer.ok() == Some(200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{ready} not ready within {READY_TIMEOUT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

/// A loopback port that was free a moment ago (the server binds it right after).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Prometheus scraping itself every second, with one alerting rule that always fires.
pub(crate) fn prometheus() -> Option<Service> {
    let config = r#"
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ['127.0.0.1:{port}']
"#;
    let rules = r#"
groups:
  - name: captain-test
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels:
          env: prod-1
"#;
    Service::start(
        PROMETHEUS,
        &[
            ("prometheus.yml", config.into()),
            ("rules.yml", rules.into()),
        ],
        &[
            "--config.file={dir}/prometheus.yml",
            "--storage.tsdb.path={dir}/data",
            "--web.listen-address=127.0.0.1:{port}",
        ],
    )
}

pub(crate) fn alertmanager() -> Option<Service> {
    let config = "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n";
    Service::start(
        ALERTMANAGER,
        &[("alertmanager.yml", config.into())],
        &[
            "--config.file={dir}/alertmanager.yml",
            "--storage.path={dir}/data",
            "--web.listen-address=127.0.0.1:{port}",
            // No cluster port: parallel tests would fight over the default one.
            "--cluster.listen-address=",
        ],
    )
}

fn prom(url: &str, query: &str) -> AlarmSource {
    AlarmSource {
        name: query.to_string(),
        kind: AlarmKind::Prometheus {
            url: url.to_string(),
            query: query.to_string(),
        },
    }
}

/// Polls `check` until it returns true, for up to 30 s (scrapes and rule evaluations
/// happen every second).
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn prometheus_queries_are_ok_or_in_alarm() {
    let Some(server) = prometheus() else { return };
    let url = server.url.as_str();
    let probes = Probes::default();
    // No series at all, and a series whose value is zero: both OK.
    assert_eq!(
        alarm_state(&prom(url, r#"up{job="nonexistent"}"#), &probes),
        AlarmState::Ok
    );
    assert_eq!(
        alarm_state(&prom(url, "vector(0)"), &probes),
        AlarmState::Ok
    );
    // Its own scrape: `up` is 1 once the first scrape happened — a non-zero series.
    eventually("the first self-scrape", || {
        alarm_state(&prom(url, r#"up{job="self"}"#), &probes).is_alarm()
    });
    assert_eq!(
        alarm_state(&prom(url, r#"up{job="self"} == 0"#), &probes),
        AlarmState::Ok
    );
    // The rule: ALERTS shows AlwaysFiring after the first evaluation.
    eventually("the rule to fire", || {
        matches!(
            alarm_state(&prom(url, r#"ALERTS{alertname="AlwaysFiring",alertstate="firing"}"#), &probes),
            AlarmState::Alarm(why) if why.contains("env=\"prod-1\"")
        )
    });
    // A query Prometheus refuses is UNKNOWN, with its reason.
    let state = alarm_state(&prom(url, "sum(("), &probes);
    assert!(
        matches!(&state, AlarmState::Unknown(why) if why.contains("refused the query `sum((`")),
        "{state:?}"
    );
}

#[test]
fn prometheus_data_points_and_approval_steps() {
    let Some(server) = prometheus() else { return };
    let url = server.url.clone();
    let probes = Probes::default();
    let points = |query: &str| DataPoints {
        url: url.clone(),
        query: query.to_string(),
        count: 100,
    };
    assert_eq!(
        data_points(&points("scalar(vector(41.7))"), &probes).ok(),
        Some(41)
    );
    assert_eq!(
        data_points(&points(r#"up{job="nonexistent"}"#), &probes).ok(),
        Some(0)
    );
    // A real counter: the requests this test makes to the query API add up.
    let query = r#"sum(prometheus_http_requests_total{handler="/api/v1/query"})"#;
    eventually("the query counter to be scraped above 3", || {
        data_points(&points(query), &probes).is_ok_and(|n| n >= 3)
    });
    let err = data_points(&points("label_replace("), &probes).expect_err("bad query");
    assert!(err.message.contains(&url), "{}", err.message);

    // An approval step over a query, with an environment's label rendered into it.
    let environment = Environment {
        name: "prod-1".to_string(),
        labels: BTreeMap::new(),
    };
    let alarms = BTreeMap::new();
    let ctx = StepContext {
        environment: Some(&environment),
        vars: None,
        alarms: &alarms,
        probes: &probes,
    };
    let step = |query: &str| ApprovalStep {
        name: "no-alerts".to_string(),
        kind: ApprovalKind::Prometheus {
            url: url.clone(),
            query: query.to_string(),
            duration: Duration::ZERO,
        },
    };
    assert_eq!(
        run_approval_step(&step(r#"vector(0)"#), &ctx, &mut |_| {}),
        StepResult::Passed
    );
    eventually("the rule to fire for {environment}", || {
        let firing = step(r#"ALERTS{alertname="AlwaysFiring",env="{environment}"}"#);
        matches!(
            run_approval_step(&firing, &ctx, &mut |_| {}),
            StepResult::Failed(why) if why.starts_with("in ALARM")
        )
    });
    let other_env = step(r#"ALERTS{alertname="AlwaysFiring",env="{environment}-other"}"#);
    assert_eq!(
        step_alarm_state(&other_env, &ctx),
        Some(AlarmState::Ok),
        "rendered to prod-1-other, which has no alert"
    );
}

/// Posts one alert to Alertmanager's API, firing for an hour.
pub(crate) fn post_alert(url: &str, labels: &[(&str, &str)]) {
    let labels: BTreeMap<&str, &str> = labels.iter().copied().collect();
    let now = jiff::Timestamp::now();
    let body = serde_json::json!([{
        "labels": labels,
        "startsAt": now.to_string(),
        "endsAt": (now + jiff::SignedDuration::from_hours(1)).to_string(),
    }]);
    let status = reqwest::blocking::Client::new()
        .post(format!("{url}/api/v2/alerts"))
        .json(&body)
        .send()
        .map(|r| r.status().as_u16());
    assert_eq!(status.ok(), Some(200), "posting {body}");
}

fn post_silence(url: &str, alertname: &str) {
    let now = jiff::Timestamp::now();
    let body = serde_json::json!({
        "matchers": [{"name": "alertname", "value": alertname, "isRegex": false, "isEqual": true}],
        "startsAt": now.to_string(),
        "endsAt": (now + jiff::SignedDuration::from_hours(1)).to_string(),
        "createdBy": "captain tests",
        "comment": "silenced on purpose",
    });
    let status = reqwest::blocking::Client::new()
        .post(format!("{url}/api/v2/silences"))
        .json(&body)
        .send()
        .map(|r| r.status().as_u16());
    assert_eq!(status.ok(), Some(200), "posting {body}");
}

fn am(url: &str, alertname: &str, labels: &[(&str, &str)]) -> AlarmSource {
    AlarmSource {
        name: alertname.to_string(),
        kind: AlarmKind::Alertmanager {
            url: url.to_string(),
            alertname: alertname.to_string(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
    }
}

#[test]
fn alertmanager_alerts_by_name_and_labels() {
    let Some(server) = alertmanager() else { return };
    let url = server.url.as_str();
    let probes = Probes::default();
    let errors = am(url, "HighErrorRate", &[("env", "prod-1")]);
    assert_eq!(
        alarm_state(&errors, &probes),
        AlarmState::Ok,
        "nothing posted yet"
    );

    let odd = r#"a "quoted" \ value"#;
    post_alert(
        url,
        &[
            ("alertname", "HighErrorRate"),
            ("env", "prod-1"),
            ("path", odd),
        ],
    );
    let state = alarm_state(&errors, &probes);
    assert_eq!(
        state,
        AlarmState::Alarm(format!("1 alert named `HighErrorRate` firing at {url}"))
    );
    // By name alone, by every label, with a value that needs escaping in the matcher.
    assert!(alarm_state(&am(url, "HighErrorRate", &[]), &probes).is_alarm());
    assert!(alarm_state(&am(url, "HighErrorRate", &[("path", odd)]), &probes).is_alarm());
    // Another environment, another name, a label the alert does not carry: OK.
    assert_eq!(
        alarm_state(&am(url, "HighErrorRate", &[("env", "prod-2")]), &probes),
        AlarmState::Ok
    );
    assert_eq!(
        alarm_state(&am(url, "Latency", &[]), &probes),
        AlarmState::Ok
    );
    assert_eq!(
        alarm_state(&am(url, "HighErrorRate", &[("team", "x")]), &probes),
        AlarmState::Ok
    );

    // A silenced alert is not an alarm: someone silenced it on purpose.
    post_silence(url, "Noisy");
    post_alert(url, &[("alertname", "Noisy")]);
    assert_eq!(alarm_state(&am(url, "Noisy", &[]), &probes), AlarmState::Ok);

    // Alarm expressions and approval steps over the same server.
    let alarms: BTreeMap<String, AlarmSource> = [
        ("Errors".to_string(), errors.clone()),
        ("Latency".to_string(), am(url, "Latency", &[])),
    ]
    .into_iter()
    .collect();
    let or = AlarmExpr::parse(r#"ALARM("Errors") OR ALARM("Latency")"#).expect("parse");
    let and = AlarmExpr::parse(r#"ALARM("Errors") AND ALARM("Latency")"#).expect("parse");
    assert!(expression_state(&or, &alarms, &probes).is_alarm());
    assert_eq!(expression_state(&and, &alarms, &probes), AlarmState::Ok);

    let ctx = StepContext {
        environment: Some(&Environment {
            name: "prod-2".to_string(),
            labels: BTreeMap::new(),
        }),
        vars: None,
        alarms: &alarms,
        probes: &probes,
    };
    let step = |kind| ApprovalStep {
        name: "quiet".to_string(),
        kind,
    };
    let alarm_step = step(ApprovalKind::Alarm {
        expr: or,
        duration: Duration::ZERO,
    });
    assert!(matches!(
        run_approval_step(&alarm_step, &ctx, &mut |_| {}),
        StepResult::Failed(why) if why.contains("ALARM(\"Errors\")")
    ));
    let per_env = |env: &str| {
        step(ApprovalKind::Alertmanager {
            url: url.to_string(),
            alertname: "HighErrorRate".to_string(),
            labels: BTreeMap::from([("env".to_string(), env.to_string())]),
            duration: Duration::ZERO,
        })
    };
    // `{environment}` renders to prod-2, where nothing fires; prod-1 is in ALARM.
    assert_eq!(
        run_approval_step(&per_env("{environment}"), &ctx, &mut |_| {}),
        StepResult::Passed
    );
    assert!(matches!(
        run_approval_step(&per_env("prod-1"), &ctx, &mut |_| {}),
        StepResult::Failed(_)
    ));
}

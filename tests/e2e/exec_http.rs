//! HTTP probes and the service clients against a real HTTP server on a loopback port: a
//! tiny one written here with `TcpListener`, which can also answer the way a broken
//! Prometheus or Alertmanager would.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use captain::config::{AlarmKind, AlarmSource, ApprovalKind, ApprovalStep, DataPoints};
use captain::exec::{
    AlarmState, Probes, StepContext, StepResult, alarm_state, data_points, run_approval_step,
};

/// Serves fixed answers by path on 127.0.0.1 until the test process ends; returns the base URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn answer(mut stream: TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let path = target.split('?').next().unwrap_or("/");
    let (status, extra, body): (u16, &str, String) = match path {
        "/health" => (200, "", "ok".into()),
        "/down" => (503, "", "database unreachable\n".into()),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            (200, "", "late".into())
        }
        "/moved" => (302, "Location: /health\r\n", String::new()),
        // The query string must arrive: echo it back as a Prometheus scalar of its length.
        "/prom/api/v1/query" => (
            200,
            "",
            format!(
                r#"{{"status":"success","data":{{"resultType":"scalar","result":[1,"{}"]}}}}"#,
                target.len()
            ),
        ),
        "/notjson/api/v1/query" => (200, "", "<html>proxy login</html>".into()),
        "/weird/api/v1/query" => (
            200,
            "",
            r#"{"status":"success","data":{"resultType":"vector","result":[{"value":"x"}]}}"#
                .into(),
        ),
        "/error/api/v1/query" => (
            400,
            "",
            r#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#.into(),
        ),
        "/am/api/v2/alerts" => (
            200,
            "",
            // A server that ignores `filter`: the client must check names and labels itself.
            r#"[{"labels":{"alertname":"Other","env":"prod"},"status":{"state":"active"}},
                {"labels":{"alertname":"Errors","env":"beta"},"status":{"state":"active"}},
                {"labels":{"alertname":"Errors","env":"prod"},"status":{"state":"suppressed"}},
                {"nonsense":true}, 42]"#
                .into(),
        ),
        "/am-bad/api/v2/alerts" => (200, "", r#"{"alerts":"nope"}"#.into()),
        _ => (404, "", "not found".into()),
    };
    let reply = format!(
        "HTTP/1.1 {status} X\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

fn http_step(url: String, status: u16, timeout: Duration) -> ApprovalStep {
    ApprovalStep {
        name: "probe".to_string(),
        kind: ApprovalKind::Http {
            url,
            status,
            timeout,
        },
    }
}

fn check(step: &ApprovalStep) -> StepResult {
    let alarms = BTreeMap::new();
    let probes = Probes::default();
    let ctx = StepContext {
        environment: None,
        vars: None,
        alarms: &alarms,
        probes: &probes,
    };
    run_approval_step(step, &ctx, &mut |_| {})
}

fn failure(result: StepResult) -> String {
    match result {
        StepResult::Failed(why) => why,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn http_probes_compare_the_status() {
    let base = serve();
    let second = Duration::from_secs(2);
    assert_eq!(
        check(&http_step(format!("{base}/health"), 200, second)),
        StepResult::Passed
    );
    let why = failure(check(&http_step(format!("{base}/down"), 200, second)));
    assert_eq!(
        why,
        format!("GET {base}/down answered 503 instead of 200: database unreachable")
    );
    assert_eq!(
        check(&http_step(format!("{base}/down"), 503, second)),
        StepResult::Passed
    );
    // Redirects are followed unless the expected status is a redirect.
    assert_eq!(
        check(&http_step(format!("{base}/moved"), 200, second)),
        StepResult::Passed
    );
    assert_eq!(
        check(&http_step(format!("{base}/moved"), 302, second)),
        StepResult::Passed
    );
}

#[test]
fn http_probes_time_out_with_the_url_named() {
    let base = serve();
    let started = Instant::now();
    let why = failure(check(&http_step(
        format!("{base}/slow"),
        200,
        Duration::from_millis(500),
    )));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(why, format!("no answer from {base}/slow within 500ms"));
}

#[test]
fn prometheus_clients_never_panic_on_odd_answers() {
    let base = serve();
    let probes = Probes::default();
    let points = |prefix: &str| DataPoints {
        url: format!("{base}/{prefix}"),
        query: "sum(rate(x[5m]))".to_string(),
        count: 1,
    };
    // The query is sent URL-encoded.
    let encoded = "/prom/api/v1/query?query=sum%28rate%28x%5B5m%5D%29%29".len() as u64;
    assert_eq!(data_points(&points("prom"), &probes).ok(), Some(encoded));

    let err = data_points(&points("notjson"), &probes).expect_err("not JSON");
    assert!(
        err.message.contains("no JSON: <html>proxy login</html>"),
        "{}",
        err.message
    );
    let err = data_points(&points("weird"), &probes).expect_err("bad shape");
    assert!(err.message.contains("unexpected shape"), "{}", err.message);
    let err = data_points(&points("error"), &probes).expect_err("refused");
    assert_eq!(
        err.message,
        format!(
            "Prometheus at {base}/error refused the query `sum(rate(x[5m]))` (HTTP 400): parse error at char 3"
        )
    );
    let source = AlarmSource {
        name: "weird".to_string(),
        kind: AlarmKind::Prometheus {
            url: format!("{base}/weird"),
            query: "up".to_string(),
        },
    };
    assert!(matches!(
        alarm_state(&source, &probes),
        AlarmState::Unknown(_)
    ));
}

#[test]
fn alertmanager_answers_are_checked_on_this_side() {
    let base = serve();
    let probes = Probes::default();
    let source = |prefix: &str, env: &str| AlarmSource {
        name: "errors".to_string(),
        kind: AlarmKind::Alertmanager {
            url: format!("{base}/{prefix}"),
            alertname: "Errors".to_string(),
            labels: BTreeMap::from([("env".to_string(), env.to_string())]),
        },
    };
    assert!(alarm_state(&source("am", "beta"), &probes).is_alarm());
    // Only a suppressed one for prod, and `Other` is another alert.
    assert_eq!(alarm_state(&source("am", "prod"), &probes), AlarmState::Ok);
    let state = alarm_state(&source("am-bad", "beta"), &probes);
    assert!(
        matches!(&state, AlarmState::Unknown(why) if why.contains("other than a list")),
        "{state:?}"
    );
}

#[test]
fn unreachable_services_are_unknown_with_the_url() {
    // A loopback port where nothing listens.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let url = format!("http://127.0.0.1:{port}");
    let probes = Probes::default();
    let source = AlarmSource {
        name: "p".to_string(),
        kind: AlarmKind::Prometheus {
            url: url.clone(),
            query: "up".to_string(),
        },
    };
    let state = alarm_state(&source, &probes);
    assert!(
        matches!(&state, AlarmState::Unknown(why)
            if why.starts_with(&format!("could not connect to {url}/api/v1/query"))),
        "{state:?}"
    );
    let step = ApprovalStep {
        name: "no-alerts".to_string(),
        kind: ApprovalKind::Alertmanager {
            url: url.clone(),
            alertname: "X".to_string(),
            labels: BTreeMap::new(),
            duration: Duration::ZERO,
        },
    };
    let why = failure(check(&step));
    assert!(
        why.starts_with("could not check: could not connect to"),
        "{why}"
    );
}

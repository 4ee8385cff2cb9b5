//! Notifications (issue 14, point 4): `[[notify]]` targets get every event they want, in
//! order, signed, at least once — through commands in CI, `captain run` killed at random
//! points, parking and `notify retry`, and `captain serve`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::Value;

use super::common::{Backend, TestEnv, on_backend};

const SECRET: &str = "s3cret-for-tests";

/// What the receiver got: one entry per request.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    event: String,
    body: Value,
    signed: bool,
}

/// A webhook receiver on a loopback port: checks each request's HMAC, answers 200 —
/// or 500 while `failing` is set.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    failing: Arc<AtomicBool>,
    requests: Arc<AtomicU64>,
}

impl Receiver {
    fn start(delay: Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let failing = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicU64::new(0));
        let (g, f, r) = (got.clone(), failing.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (g, f, r) = (g.clone(), f.clone(), r.clone());
                std::thread::spawn(move || serve(stream, &g, &f, &r, delay));
            }
        });
        Receiver {
            url,
            got,
            failing,
            requests,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The distinct events in the order they first arrived.
    fn distinct(&self) -> Vec<Received> {
        let mut seen = BTreeSet::new();
        self.got()
            .into_iter()
            .filter(|r| seen.insert(r.id.clone()))
            .collect()
    }
}

fn serve(
    stream: TcpStream,
    got: &Mutex<Vec<Received>>,
    failing: &AtomicBool,
    requests: &AtomicU64,
    delay: Duration,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = std::collections::HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(delay);
        let status = if failing.load(Ordering::SeqCst) {
            "500 Internal Server Error"
        } else {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(&body);
            let expected: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            got.lock().unwrap().push(Received {
                id: headers
                    .get("x-captain-event-id")
                    .cloned()
                    .unwrap_or_default(),
                event: headers.get("x-captain-event").cloned().unwrap_or_default(),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                signed: headers.get("x-captain-signature") == Some(&format!("sha256={expected}")),
            });
            "200 OK"
        };
        let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

fn pipeline(url: &str, extra: &str) -> String {
    format!(
        r#"
name = "checkout"
trunk = "main"
timezone = "UTC"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma"]

[[notify]]
name = "hooks"
url = "{url}"
events = ["*"]
secret_env = "HOOK_SECRET"
{extra}
"#
    )
}

/// Every event in the ledger (as `captain events` reads it), in order.
fn ledger_events(env: &TestEnv) -> Vec<Value> {
    env.run(&["events"])
        .ok()
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The receiver got exactly the ledger's events, in the ledger's order, each signed.
fn assert_all_arrived(env: &TestEnv, receiver: &Receiver) {
    let ledger: Vec<String> = ledger_events(env)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let distinct = receiver.distinct();
    let arrived: Vec<String> = distinct.iter().map(|r| r.id.clone()).collect();
    assert_eq!(arrived, ledger, "missing, extra or out of order");
    assert!(receiver.got().iter().all(|r| r.signed), "a bad signature");
}

fn ci(env: &TestEnv, args: &[&str]) -> super::common::Run {
    env.command()
        .env("CI", "true")
        .env("HOOK_SECRET", SECRET)
        .args(args)
        .output()
        .unwrap()
        .into()
}

#[test]
fn a_ci_command_delivers_its_events_signed_and_in_order() {
    let receiver = Receiver::start(Duration::ZERO);
    let env = TestEnv::local();
    let slack = Receiver::start(Duration::ZERO);
    env.init_repo(&pipeline(
        &receiver.url,
        &format!(
            "[[notify]]\nname = \"chat\"\nurl = \"{}\"\nformat = \"slack\"\nevents = [\"deployment.failed\", \"lock.set\"]\n",
            slack.url
        ),
    ));
    ci(&env, &["release", "create", "-q"]).ok();
    assert_eq!(receiver.distinct().len(), 1);
    let id = ci(&env, &["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout
        .trim()
        .to_string();
    ci(
        &env,
        &["deploy", "finish", &id, "--outcome", "tests-failed"],
    )
    .ok();
    ci(
        &env,
        &["promotions", "disable", "gamma", "--reason", "incident 42"],
    )
    .ok();
    assert_all_arrived(&env, &receiver);
    let got = receiver.distinct();
    let started = got
        .iter()
        .find(|r| r.event == "deployment.started")
        .unwrap();
    assert_eq!(started.body["target"], id.as_str());
    assert_eq!(started.body["id"], started.id.as_str());
    assert!(got.iter().any(|r| r.event == "deployment.failed"));

    // The chat target gets only what it asked for, as Slack's {"text": …}.
    let chat = slack.got();
    let names: Vec<&str> = chat.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(names, ["deployment.failed", "lock.set"]);
    let text = chat[1].body["text"].as_str().unwrap();
    assert!(
        text.contains("checkout: lock.set gamma") && text.contains("incident 42"),
        "{text}"
    );
    assert!(!chat[0].signed, "no secret_env: no signature");

    // Outside CI nothing is sent; `notify status` shows what waits, `deliver` sends it.
    env.run(&["promotions", "enable", "gamma"]).ok();
    let before = receiver.got().len();
    let status = env.run(&["notify", "status", "--json"]).ok().json();
    assert_eq!(status["targets"][0]["name"], "hooks");
    assert_eq!(status["targets"][0]["pending"], 1);
    let delivered = env
        .command()
        .env("HOOK_SECRET", SECRET)
        .args(["notify", "deliver", "--json"])
        .output()
        .unwrap();
    assert!(delivered.status.success(), "{delivered:?}");
    assert_eq!(receiver.got().len(), before + 1);
    assert_all_arrived(&env, &receiver);

    // A secret that is not set is named, and the command's own outcome stands.
    let e = env.run(&["notify", "deliver"]).code(2);
    assert!(e.stderr.contains("HOOK_SECRET"), "{}", e.stderr);
    let warned = env
        .command()
        .env("CI", "1")
        .args(["promotions", "disable", "gamma", "--reason", "again"])
        .output()
        .unwrap();
    assert!(warned.status.success());
    assert!(String::from_utf8_lossy(&warned.stderr).contains("HOOK_SECRET"));
    assert!(!String::from_utf8_lossy(&warned.stderr).contains(SECRET));
}

/// An on-call channel that wants to hear when a stage's blocker goes into ALARM gets
/// that, once, from the CI command whose pass saw it — and when it is over.
#[test]
fn a_blocker_in_alarm_is_sent_to_the_channel_that_asked_once() {
    let receiver = Receiver::start(Duration::ZERO);
    let slack = Receiver::start(Duration::ZERO);
    let env = TestEnv::local();
    let flag = env.path().join("incident");
    let text = pipeline(
        &receiver.url,
        &format!(
            "[[notify]]\nname = \"oncall\"\nurl = \"{}\"\nformat = \"slack\"\nevents = [\"blocker.alarm\", \"blocker.ok\"]\n\n\
             [alarms.Incident]\nkind = \"command\"\nargv = [\"sh\", \"-c\", \"test ! -e {}\"]\n",
            slack.url,
            flag.display()
        ),
    )
    .replace(
        "name = \"gamma\"\nenvironments = [\"gamma\"]",
        "name = \"gamma\"\nenvironments = [\"gamma\"]\nblocker = 'ALARM(\"Incident\")'",
    );
    env.init_repo(&text);
    ci(&env, &["release", "create", "-q"]).ok();
    let id = ci(&env, &["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout
        .trim()
        .to_string();
    ci(&env, &["deploy", "finish", &id, "--outcome", "approved"]).ok();
    std::fs::write(&flag, "sev2\n").unwrap();
    ci(&env, &["deploy", "start", "gamma", "--release", "v1"]).code(3);
    ci(&env, &["deploy", "start", "gamma", "--release", "v1"]).code(3);
    let chat = slack.got();
    assert_eq!(chat.len(), 1, "{chat:?}");
    assert_eq!(chat[0].event, "blocker.alarm");
    let said = chat[0].body["text"].as_str().unwrap();
    assert!(said.contains("blocker.alarm gamma"), "{said}");
    std::fs::remove_file(&flag).unwrap();
    ci(&env, &["deploy", "start", "gamma", "--release", "v1", "-q"]).ok();
    let names: Vec<String> = slack.got().into_iter().map(|r| r.event).collect();
    assert_eq!(names, ["blocker.alarm", "blocker.ok"]);
    assert_all_arrived(&env, &receiver);
}

#[test]
fn a_failing_receiver_parks_events_and_notify_retry_resends_them() {
    let receiver = Receiver::start(Duration::ZERO);
    receiver.failing.store(true, Ordering::SeqCst);
    let env = TestEnv::local();
    env.init_repo(&pipeline(
        &receiver.url,
        "max_attempts = 2\ntimeout = \"2s\"",
    ));
    env.run(&["release", "create", "-q"]).ok();
    env.run(&["promotions", "disable", "gamma", "--reason", "x"])
        .ok();
    // Each round tries the oldest event once and stops (later events never overtake it);
    // its second failure parks it and the next one is tried.
    let deliver = || {
        env.command()
            .env("HOOK_SECRET", SECRET)
            .args(["notify", "deliver"])
            .output()
            .unwrap()
    };
    for _ in 0..4 {
        assert!(deliver().status.success());
    }
    let status = env.run(&["notify", "status", "--json"]).ok().json();
    let parked = status["parked"].as_array().unwrap();
    assert_eq!(parked.len(), 2, "{status}");
    assert_eq!(parked[0]["attempts"], 2);
    assert!(parked[0]["error"].as_str().unwrap().contains("500"));
    assert_eq!(status["targets"][0]["pending"], 0);
    let table = env.run(&["notify", "status"]).ok().stdout;
    assert!(table.contains("parked"), "{table}");

    // Still failing: retry says so and keeps them; then it delivers them.
    let again = env
        .command()
        .env("HOOK_SECRET", SECRET)
        .args(["notify", "retry"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    receiver.failing.store(false, Ordering::SeqCst);
    env.run(&["notify", "retry", "--target", "hoks"]).code(5);
    let retried = env
        .command()
        .env("HOOK_SECRET", SECRET)
        .args(["notify", "retry"])
        .output()
        .unwrap();
    assert!(retried.status.success(), "{retried:?}");
    let status = env.run(&["notify", "status", "--json"]).ok().json();
    assert_eq!(status["parked"].as_array().unwrap().len(), 0);
    assert_all_arrived(&env, &receiver);
}

/// `captain run` delivers beside its loop; killed (SIGKILL) at random points while
/// events keep coming and restarted, it loses none and keeps their order.
#[test]
fn captain_run_killed_at_random_points_delivers_every_event_in_order() {
    let receiver = Receiver::start(Duration::from_millis(15));
    let env = TestEnv::local();
    env.init_repo(&pipeline(&receiver.url, ""));
    env.run(&["release", "create", "-q"]).ok();
    let producing = Arc::new(AtomicBool::new(true));
    let run = |env: &TestEnv| {
        env.command()
            .env("HOOK_SECRET", SECRET)
            .args(["run", "--interval", "0.2", "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    std::thread::scope(|scope| {
        // The environment is not shared between threads: the producer copies the
        // command's settings.
        let template = env.command();
        let envs: Vec<(std::ffi::OsString, std::ffi::OsString)> = template
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_os_string(), v?.to_os_string())))
            .collect();
        let dir = template.get_current_dir().unwrap().to_path_buf();
        let producer = {
            let producing = producing.clone();
            scope.spawn(move || {
                let captain = |args: &[&str]| {
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_captain"))
                        .env_clear()
                        .envs(envs.iter().cloned())
                        .current_dir(&dir)
                        .args(args)
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{out:?}");
                };
                let mut i = 0;
                while producing.load(Ordering::SeqCst) {
                    let reason = format!("toggle {i}");
                    captain(&["promotions", "disable", "gamma", "--reason", &reason]);
                    captain(&["promotions", "enable", "gamma"]);
                    i += 1;
                }
            })
        };
        let mut rng = 0x9e37_79b9_u64;
        for _ in 0..8 {
            let mut child = run(&env);
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            std::thread::sleep(Duration::from_millis(150 + rng % 500));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
        }
        producing.store(false, Ordering::SeqCst);
        producer.join().unwrap();
    });
    // A last run catches up.
    let mut child = run(&env);
    let total = ledger_events(&env).len();
    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.distinct().len() < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(total > 10, "only {total} events");
    assert!(receiver.requests.load(Ordering::SeqCst) as usize >= total);
    assert_all_arrived(&env, &receiver);
}

/// `captain serve` delivers the events of its pipelines, whoever recorded them; what a
/// failing receiver made it park, `captain notify status` shows from the server and
/// `captain notify retry` has the server resend.
#[test]
fn the_server_delivers_its_pipelines_events_and_resends_parked_ones() {
    let receiver = Receiver::start(Duration::ZERO);
    receiver.failing.store(true, Ordering::SeqCst);
    let mut env = None;
    on_backend(Backend::Http, || env = Some(TestEnv::new()));
    let env = env.unwrap();
    let definition =
        pipeline(&receiver.url, "max_attempts = 2").replace("secret_env = \"HOOK_SECRET\"\n", "");
    env.init_repo(&definition);
    env.run(&["release", "create", "-q"]).ok();
    env.run(&["promotions", "disable", "gamma", "--reason", "x"])
        .ok();
    // The server may still be recording (its pass after the commands): wait until every
    // event the ledger holds is parked and none is pending.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let total = ledger_events(&env).len();
        let status = env.run(&["notify", "status", "--json"]).ok().json();
        if status["parked"].as_array().map_or(0, Vec::len) == total
            && status["targets"][0]["pending"] == 0
        {
            break status;
        }
        assert!(Instant::now() < deadline, "not all parked: {status}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status["targets"][0]["pending"], 0);
    assert_eq!(status["parked"][0]["attempts"], 2);
    assert!(receiver.got().is_empty());

    receiver.failing.store(false, Ordering::SeqCst);
    env.run(&["notify", "retry"]).ok();
    env.run(&["promotions", "enable", "gamma"]).ok();
    let total = ledger_events(&env).len();
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.distinct().len() < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let ledger: Vec<String> = ledger_events(&env)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let arrived: Vec<String> = receiver.distinct().iter().map(|r| r.id.clone()).collect();
    assert_eq!(arrived, ledger);
    let status = env.run(&["notify", "status", "--json"]).ok().json();
    assert_eq!(status["parked"].as_array().unwrap().len(), 0);
}

/// Replicas of `captain serve` on PostgreSQL: one delivers at a time (the advisory
/// lock); SIGKILLed while concurrent writers record events on several environments, the
/// next replica takes over from the ledger's cursor, and every event arrives in the
/// log's order.
#[test]
fn postgres_replicas_killed_mid_delivery_lose_no_event() {
    use super::server_harness::Server;
    use captain::model::*;
    use captain::store::Store;

    let receiver = Receiver::start(Duration::from_millis(5));
    let dir = tempfile::tempdir().unwrap();
    let database = super::pg_harness::fresh_database();
    let definition = pipeline(&receiver.url, "").replace("secret_env = \"HOOK_SECRET\"\n", "");
    let mut first = Server::start_on(&dir.path().join("a"), &database, &[], None);
    first.register(&definition);
    let admin = first.admin.clone();
    let mut second = Server::spawn(&dir.path().join("b"), &database, &[], None, admin.clone());
    let store =
        Arc::new(captain::store::postgres::PostgresStore::open(&database, "checkout").unwrap());
    store
        .create_release(super::store_story::new_release("a", None, &["a"], "app@1"))
        .unwrap();
    let writing = |writers: u64, rounds: i64| {
        (0..writers)
            .map(|w| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..rounds {
                        let d = store
                            .start_deployment(NewDeployment {
                                environment: format!("env-{w}"),
                                stage: "s".into(),
                                release: ReleaseNumber(1),
                                kind: DeploymentKind::Normal,
                                actor: "ci".into(),
                                reason: None,
                                started_at: super::store_story::at(i),
                                promotion_check: None,
                                force: false,
                            })
                            .unwrap();
                        store
                            .finish_deployment(FinishDeployment {
                                id: d.id,
                                outcome: Outcome::Approved,
                                actor: "ci".into(),
                                finished_at: super::store_story::at(i),
                                reason: None,
                            })
                            .unwrap();
                    }
                })
            })
            .collect::<Vec<_>>()
    };
    let wait = |what: &str, mut ok: Box<dyn FnMut() -> bool + '_>| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ok() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let writers = writing(4, 25);
    wait("a first delivery", Box::new(|| !receiver.got().is_empty()));
    // Kill whichever delivers, mid-stream; the other takes over.
    let first_delivers = first.log().contains("notifications: took the lock");
    let survivor = if first_delivers {
        first.kill();
        &mut second
    } else {
        second.kill();
        &mut first
    };
    for w in writers {
        w.join().unwrap();
    }
    for w in writing(4, 10) {
        w.join().unwrap();
    }
    let mut ledger = Vec::new();
    let mut cursor = EventCursor::START;
    let total = store.audit_events(&Default::default()).unwrap().len();
    wait(
        "the log to settle",
        Box::new(|| {
            loop {
                let page = store.events_after(cursor, None, 500).unwrap();
                let Some(last) = page.last() else { break };
                cursor = last.cursor;
                ledger.extend(page.iter().map(|e| format!("checkout:{}", e.event.seq)));
            }
            ledger.len() >= total
        }),
    );
    wait(
        "every event to arrive",
        Box::new(|| receiver.distinct().len() >= total),
    );
    assert!(survivor.log().contains("notifications: took the lock"));
    let arrived: Vec<String> = receiver.distinct().iter().map(|r| r.id.clone()).collect();
    assert_eq!(arrived.len(), ledger.len());
    assert_eq!(arrived, ledger, "out of order");
}

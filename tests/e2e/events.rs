//! `captain events` and the event log (issue 14, point 5): the audit log read in order,
//! named, resumable, followed; and, on PostgreSQL, an order no concurrent writer can
//! make a reader skip an event in.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::{SMALL_PIPELINE, TestEnv};
use crate::on_both_backends;
use captain::model::*;
use captain::store::Store;
use captain::store::postgres::PostgresStore;

use super::pg_harness::fresh_database;
use super::store_story::{at, new_release};

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn events_are_named_in_order_and_resumable() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let id = env
        .run(&["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout
        .trim()
        .to_string();
    env.run(&["deploy", "finish", &id, "--outcome", "approved"])
        .ok();
    env.run(&["promotions", "disable", "gamma", "--reason", "incident"])
        .ok();
    env.run(&["promotions", "enable", "gamma"]).ok();

    let all = lines(&env.run(&["events"]).ok().stdout);
    let names: Vec<&str> = all
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .filter(|n| *n != "pipeline.pushed")
        .collect();
    assert_eq!(
        names,
        [
            "release.created",
            "deployment.started",
            "deployment.approved",
            "stage.approved",
            "lock.set",
            "lock.lifted"
        ]
    );
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let started = all
        .iter()
        .find(|e| e["event"] == "deployment.started")
        .unwrap();
    assert_eq!(started["id"], format!("checkout:{}", started["seq"]));
    assert_eq!(started["target"], id.as_str());
    assert_eq!(started["details"]["environment"], "beta");
    assert_eq!(started["pipeline"], "checkout");

    // --since SEQ and --after CURSOR resume after that event; --since 1h by time.
    let after = env
        .run(&["events", "--since", &started["seq"].to_string()])
        .ok();
    assert_eq!(lines(&after.stdout).len(), 4, "{}", after.stdout);
    let cursor = started["cursor"].as_str().unwrap();
    assert_eq!(
        lines(&env.run(&["events", "--after", cursor]).ok().stdout).len(),
        4
    );
    assert_eq!(
        lines(&env.run(&["events", "--since", "1h"]).ok().stdout).len(),
        all.len()
    );
    let e = env.run(&["events", "--since", "yesterday-ish"]).code(2);
    assert!(e.stderr.contains("--since"), "{}", e.stderr);
    env.run(&["events", "--after", "nonsense"]).code(2);

    // --follow prints what is recorded after it started, and a reader that stops
    // reading ends it quietly.
    let mut follow = env
        .command()
        .args([
            "events",
            "--follow",
            "--interval",
            "100ms",
            "--since",
            &seqs[seqs.len() - 1].to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    env.run(&["release", "block", "v1", "--reason", "breaks checkout"])
        .ok();
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let line: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(line["event"], "release.blocked");
    assert_eq!(line["reason"], "breaks checkout");
    drop(reader);
    env.run(&["release", "unblock", "v1", "--reason", "fixed"])
        .ok();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = follow.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "--follow did not end on a closed pipe"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

on_both_backends!(events_are_named_in_order_and_resumable);

fn start(env: &str, release: u64, seconds: i64) -> NewDeployment {
    NewDeployment {
        environment: env.into(),
        stage: "s".into(),
        release: ReleaseNumber(release),
        kind: DeploymentKind::Normal,
        actor: "ci".into(),
        reason: None,
        started_at: at(seconds),
        promotion_check: None,
        force: false,
    }
}

fn finish(id: &DeploymentId, seconds: i64) -> FinishDeployment {
    FinishDeployment {
        id: id.clone(),
        outcome: Outcome::Approved,
        actor: "ci".into(),
        finished_at: at(seconds),
        reason: None,
    }
}

/// Reads everything after `cursor`, moving it.
fn read_on(store: &dyn Store, cursor: &mut EventCursor, seen: &mut Vec<i64>) {
    loop {
        let page = store.events_after(*cursor, None, 100).unwrap();
        let Some(last) = page.last() else { return };
        *cursor = last.cursor;
        seen.extend(page.iter().map(|e| e.event.seq));
    }
}

/// Reads on until `seen` has `n` events. Another transaction anywhere on the server
/// (other tests share it) holds the log back while it runs, so this may take a moment.
fn read_until(store: &dyn Store, cursor: &mut EventCursor, seen: &mut Vec<i64>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        read_on(store, cursor, seen);
        if seen.len() >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} events: {seen:?}",
            seen.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A transaction that took seq N and commits after the one that took N + 1: a reader
/// that saw N + 1 must still get N — and must not get N + 1 before N is decided.
#[test]
fn postgres_an_event_that_commits_late_is_not_skipped() {
    let url = fresh_database();
    let store = PostgresStore::open(&url, "app").unwrap();
    store
        .create_release(new_release("a", None, &["a"], "app@1"))
        .unwrap();
    let mut cursor = EventCursor::START;
    let mut seen = Vec::new();
    read_until(&store, &mut cursor, &mut seen, 1);

    let mut slow = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = slow.transaction().unwrap();
    let late: i64 = tx
        .query_one(
            "INSERT INTO captain.audit_events (pipeline, at, actor, action, target, details)
             VALUES ('app', now(), 'slow', 'lock.set', 'prod', '{}') RETURNING seq",
            &[],
        )
        .unwrap()
        .get(0);
    let d = store.start_deployment(start("prod", 1, 10)).unwrap();
    let early = store.audit_events(&Default::default()).unwrap()[0].seq;
    assert!(early > late);
    // The later seq committed first: held back while the earlier one may still commit.
    read_on(&store, &mut cursor, &mut seen);
    assert_eq!(seen.len(), 1, "{seen:?}");
    std::thread::sleep(Duration::from_millis(200));
    read_on(&store, &mut cursor, &mut seen);
    assert_eq!(seen.len(), 1, "{seen:?}");
    tx.commit().unwrap();
    read_until(&store, &mut cursor, &mut seen, 3);
    assert_eq!(&seen[1..], &[late, early]);
    store.finish_deployment(finish(&d.id, 20)).unwrap();
    read_until(&store, &mut cursor, &mut seen, 4);
    assert_eq!(seen.len(), 4);
}

/// Many writers on different environments of one pipeline and a reader following
/// them: the reader gets every event exactly once.
#[test]
fn postgres_a_follower_of_concurrent_writers_misses_no_event() {
    let url = fresh_database();
    let store = Arc::new(PostgresStore::open(&url, "app").unwrap());
    store
        .create_release(new_release("a", None, &["a"], "app@1"))
        .unwrap();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..15 {
                    let env = format!("env-{w}");
                    let d = store.start_deployment(start(&env, 1, i * 10)).unwrap();
                    store.finish_deployment(finish(&d.id, i * 10 + 5)).unwrap();
                }
            })
        })
        .collect();
    let reader = {
        let store = store.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut cursor = EventCursor::START;
            let mut seen = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                read_on(store.as_ref(), &mut cursor, &mut seen);
            }
            read_until(store.as_ref(), &mut cursor, &mut seen, 1 + 8 * 15 * 2);
            seen
        })
    };
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.join().unwrap();
    let all: BTreeSet<i64> = store
        .audit_events(&Default::default())
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(all.len(), 1 + 8 * 15 * 2);
    assert_eq!(seen.len(), all.len(), "an event was read twice or skipped");
    assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), all);
}

/// The server's stream: a `read` token follows new events as they commit, as JSON Lines
/// or as Server-Sent Events resumed from `Last-Event-ID`.
#[test]
fn the_server_streams_events_to_a_read_token() {
    let mut env = None;
    super::common::on_backend(super::common::Backend::Http, || env = Some(TestEnv::new()));
    let env = env.unwrap();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let server = env.server.as_ref().unwrap();
    let reader = server.token("bot", captain::server::auth::Role::Read, false);
    let client = reqwest::blocking::Client::new();
    let url = format!("{}/v1/pipelines/checkout/events", server.url);
    let denied = client.get(&url).send().unwrap();
    assert_eq!(denied.status().as_u16(), 401);

    let page = client.get(&url).bearer_auth(&reader).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = lines(&page.text().unwrap());
    let created = page
        .iter()
        .find(|e| e["event"] == "release.created")
        .unwrap();
    let cursor = page.last().unwrap()["cursor"].as_str().unwrap().to_string();

    let stream = client
        .get(&url)
        .query(&[("follow", "true")])
        .header("accept", "text/event-stream")
        .header("last-event-id", &cursor)
        .bearer_auth(&reader)
        .send()
        .unwrap();
    assert_eq!(
        stream.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    env.run(&["promotions", "disable", "gamma", "--reason", "incident"])
        .ok();
    let mut stream = BufReader::new(stream);
    let mut event = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        if line.trim().is_empty() && !event.is_empty() {
            break;
        }
        event.push(line.trim_end().to_string());
    }
    assert!(event[0].starts_with("id: "), "{event:?}");
    assert_eq!(event[1], "event: lock.set");
    let data: Value = serde_json::from_str(event[2].strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(data["reason"], "incident");
    assert!(data["seq"].as_i64() > created["seq"].as_i64());
}

/// A target's cursor moves only from where the deliverer found it; failures count up,
/// parking moves on and is listed until resolved. The same on both SQL backends.
fn delivery_state_story(store: &dyn Store) {
    use captain::store::{Delivery, DeliveryUpdate};
    store
        .create_release(new_release("a", None, &["a"], "app@1"))
        .unwrap();
    store.start_deployment(start("prod", 1, 10)).unwrap();
    let mut cursor = EventCursor::START;
    let mut seen = Vec::new();
    read_until(store, &mut cursor, &mut seen, 2);
    let page = store.events_after(EventCursor::START, None, 10).unwrap();
    let (first, second) = (page[0].cursor, page[1].cursor);
    let update = |from, to, outcome| DeliveryUpdate {
        target: "hooks".into(),
        from,
        to,
        outcome,
    };
    assert!(store.notify_states().unwrap().is_empty());
    assert!(
        store
            .record_delivery(update(EventCursor::START, first, Delivery::Passed))
            .unwrap()
    );
    // A deliverer that read the old cursor changes nothing.
    assert!(
        !store
            .record_delivery(update(EventCursor::START, first, Delivery::Passed))
            .unwrap()
    );
    let failed = |e: &str| Delivery::Failed { error: e.into() };
    assert!(
        store
            .record_delivery(update(first, first, failed("500")))
            .unwrap()
    );
    assert!(
        store
            .record_delivery(update(first, first, failed("503")))
            .unwrap()
    );
    let state = &store.notify_states().unwrap()[0];
    assert_eq!((state.cursor, state.attempts), (first, 2));
    assert_eq!(state.last_error.as_deref(), Some("503"));
    let parked = Delivery::Parked {
        error: "timeout".into(),
        at: at(50),
    };
    assert!(
        store
            .record_delivery(update(first, second, parked))
            .unwrap()
    );
    let state = &store.notify_states().unwrap()[0];
    assert_eq!(
        (state.cursor, state.attempts, state.last_error.clone()),
        (second, 0, None)
    );
    let p = store.parked_events(Some("hooks")).unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].seq, p[0].cursor, p[0].attempts),
        (second.seq, second, 3)
    );
    assert!(store.parked_events(Some("other")).unwrap().is_empty());
    store
        .resolve_parked("hooks", second.seq, Some("again"))
        .unwrap();
    assert_eq!(store.parked_events(None).unwrap()[0].attempts, 4);
    store.resolve_parked("hooks", second.seq, None).unwrap();
    assert!(store.parked_events(None).unwrap().is_empty());
}

#[test]
fn sqlite_delivery_state() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        captain::store::sqlite::SqliteStore::open(&dir.path().join("s.sqlite"), "app").unwrap();
    delivery_state_story(&store);
}

#[test]
fn postgres_delivery_state() {
    let store = PostgresStore::open(&fresh_database(), "app").unwrap();
    delivery_state_story(&store);
}

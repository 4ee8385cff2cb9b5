//! The team server under the attacks of issue 11, on loopback against a real `captain
//! serve`: every resource is bounded, and faults are told honestly.
//!
//! - Names nobody registered open no ledger and no connection; registered pipelines share
//!   one PostgreSQL pool of `--db-pool-size` connections.
//! - A read token's 1 GB import is refused before its body is read; a lying
//!   `Content-Length` is 413 at once, a body that stalls is 408 after `--body-timeout`.
//! - Hundreds of idle connections under a 256 open-files limit do not starve `/healthz`.
//! - 800 exports that never read their answers do not delay a write.
//! - A PostgreSQL outage is 503 with `Retry-After` (no address in it), `/readyz` says so
//!   while `/healthz` stays ok, the CLI rides the outage out, and after a restart no
//!   stale pooled connection fails a request.
//! - A 5xx answer shows no path; SIGTERM stops both backends with exit 0.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use captain::model::*;
use captain::server::auth::Role;
use captain::store::Store;
use captain::store::export::LedgerRecord;
use captain::store::http::{HttpStore, Remote};
use reqwest::blocking::Client;
use serde_json::Value;

use super::pg_harness::{fresh_database, private_server};
use super::server_harness::Server;
use super::server_story::STORY_PIPELINE;
use super::store_story::{at, new_release};

/// A client that opens a connection per request (a refused request may close its own).
fn client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn address(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_string()
}

/// Sends `head` (and `body`, as far as the server takes it) on a new connection and
/// returns what came back within `wait`, the status line first.
fn raw(server: &Server, head: &str, body: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(address(server)).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.set_write_timeout(Some(wait)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    for chunk in body.chunks(64 * 1024) {
        if stream.write_all(chunk).is_err() {
            break; // the server answered and closed: that is the point
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).to_string()
}

fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The open file descriptors of a process.
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// The peak resident memory of a process, in KiB.
fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The connections a database has open, but the asking one's.
fn connections_to(url: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

fn get(client: &Client, url: &str, token: &str) -> (u16, Value) {
    let response = client.get(url).bearer_auth(token).send().unwrap();
    let status = response.status().as_u16();
    let body = response.json().unwrap_or(Value::Null);
    (status, body)
}

fn definition(name: &str) -> String {
    STORY_PIPELINE.replace("name = \"app\"", &format!("name = \"{name}\""))
}

#[test]
fn names_nobody_registered_open_no_ledger_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("db").display());
    let admin = Server::admin_token(dir.path(), &database);
    let server = Server::spawn_with_fd_limit(dir.path(), &database, &[], admin, 256);
    server.register(STORY_PIPELINE);
    let reader = server.token("viewer", Role::Read, false);
    let client = client();
    let before = open_files(server.pid());
    for i in 0..400 {
        let (status, body) = get(
            &client,
            &format!("{}/v1/pipelines/name-{i}/locks", server.url),
            &reader,
        );
        assert_eq!(status, 404, "name-{i}: {body}");
        assert_eq!(body["error"]["kind"], "not found", "{body}");
    }
    let after = open_files(server.pid());
    assert!(
        after <= before + 8,
        "400 unregistered names took the server from {before} to {after} open files"
    );
    let files: Vec<String> = std::fs::read_dir(dir.path().join("db"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("name-"))
        .collect();
    assert!(files.is_empty(), "ledgers were created: {files:?}");
    let (status, _) = get(
        &client,
        &format!("{}/v1/pipelines/app/locks", server.url),
        &reader,
    );
    assert_eq!(status, 200);
}

#[test]
fn every_pipeline_shares_one_bounded_pool_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database();
    let server = Server::start_on(dir.path(), &url, &["--db-pool-size", "4"], None);
    let names: Vec<String> = (0..12).map(|i| format!("app-{i}")).collect();
    for name in &names {
        server.register(&definition(name));
    }
    let reader = server.token("viewer", Role::Read, false);
    let client = client();
    for i in 0..300 {
        let (status, _) = get(
            &client,
            &format!("{}/v1/pipelines/stranger-{i}/locks", server.url),
            &reader,
        );
        assert_eq!(status, 404);
    }
    // Every registered pipeline at once, many times over.
    std::thread::scope(|scope| {
        for name in &names {
            let (url, reader) = (server.url.clone(), reader.clone());
            scope.spawn(move || {
                let client = self::client();
                for _ in 0..10 {
                    let (status, body) = get(
                        &client,
                        &format!("{url}/v1/pipelines/{name}/environments/beta/history"),
                        &reader,
                    );
                    assert_eq!(status, 200, "{name}: {body}");
                }
            });
        }
    });
    let open = connections_to(&url);
    eprintln!("measured: 12 pipelines, 120 concurrent reads, 300 strangers: {open} connections");
    assert!(
        open <= 4,
        "12 pipelines and 300 strangers hold {open} connections; the pool has 4"
    );
    let mut check = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let strangers: i64 = check
        .query_one(
            "SELECT count(*) FROM captain.pipelines WHERE name LIKE 'stranger-%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(strangers, 0, "unregistered names were recorded");
}

#[test]
fn a_read_tokens_huge_import_is_refused_before_its_body_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--body-timeout", "1"], None);
    server.register(STORY_PIPELINE);
    let reader = server.token("viewer", Role::Read, false);
    let peak_before = peak_memory_kib(server.pid());
    let started = Instant::now();
    let head = format!(
        "POST /v1/pipelines/app/import HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {reader}\r\n\
         content-length: {}\r\n\r\n",
        1u64 << 30
    );
    let answer = raw(
        &server,
        &head,
        &vec![b'{'; 32 << 20],
        Duration::from_secs(5),
    );
    assert_eq!(status_of(&answer), 403, "{answer}");
    eprintln!(
        "measured: a read token's 1 GB import refused in {:?}",
        started.elapsed()
    );
    assert!(answer.contains("\"forbidden\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Anonymous: 401, as early.
    let anonymous = format!(
        "POST /v1/pipelines/app/import HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n",
        1u64 << 30
    );
    let answer = raw(
        &server,
        &anonymous,
        &vec![b'{'; 8 << 20],
        Duration::from_secs(5),
    );
    assert_eq!(status_of(&answer), 401, "{answer}");
    let grown = peak_memory_kib(server.pid()).saturating_sub(peak_before);
    eprintln!("measured: the refused imports grew the peak memory by {grown} KiB");
    assert!(
        grown < 64 * 1024,
        "refusing the imports grew the server's peak memory by {grown} KiB"
    );

    // A length no route takes is refused from the header alone.
    let lying = format!(
        "POST /v1/pipelines/app/import HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-length: 99999999999\r\n\r\n{{}}",
        server.admin
    );
    let started = Instant::now();
    let answer = raw(&server, &lying, b"", Duration::from_secs(5));
    assert_eq!(status_of(&answer), 413, "{answer}");
    // (The server reads what follows a refusal for up to 2 s before it closes.)
    assert!(started.elapsed() < Duration::from_secs(4));
    // A body that stops coming is cut off after --body-timeout.
    let stalled = format!(
        "POST /v1/pipelines/app/locks HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-length: 100\r\n\r\n{{}}",
        server.admin
    );
    let started = Instant::now();
    let answer = raw(&server, &stalled, b"", Duration::from_secs(10));
    assert_eq!(status_of(&answer), 408, "{answer}");
    let waited = started.elapsed();
    eprintln!("measured: a stalled body (--body-timeout 1) was cut off after {waited:?}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert!(answer.contains("\"usage\""), "{answer}");
}

#[test]
fn idle_connections_under_a_low_file_limit_do_not_starve_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("db").display());
    let admin = Server::admin_token(dir.path(), &database);
    let mut server = Server::spawn_with_fd_limit(
        dir.path(),
        &database,
        &["--header-timeout", "2"],
        admin,
        256,
    );
    let idle: Vec<TcpStream> = (0..370)
        .filter_map(|_| TcpStream::connect(address(&server)).ok())
        .collect();
    assert!(idle.len() > 256, "only {} connections opened", idle.len());
    let started = Instant::now();
    let client = Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let answered = loop {
        let ok = client
            .get(format!("{}/healthz", server.url))
            .send()
            .is_ok_and(|r| r.status() == 200);
        if ok || started.elapsed() > Duration::from_secs(15) {
            break ok;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        answered,
        "/healthz did not answer within 15 s of 370 idle connections"
    );
    eprintln!(
        "measured: /healthz answered {:?} after 370 idle connections (256 fds, --header-timeout 2)",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "/healthz took {:?}",
        started.elapsed()
    );
    assert!(server.is_running());
    assert!(open_files(server.pid()) < 256);
    // The idle ones were closed by the server after --header-timeout.
    let mut first = &idle[0];
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert!(
        matches!(first.read(&mut byte), Ok(0) | Err(_)),
        "an idle connection stayed open"
    );
    drop(idle);
}

#[test]
fn a_crowd_of_stalled_exports_does_not_delay_writes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[
            "--heavy-reads",
            "2",
            "--acquire-timeout",
            "2",
            "--concurrency",
            "4",
        ],
        None,
    );
    server.register(STORY_PIPELINE);
    let store = server.store("app");
    store
        .create_release(new_release("first", None, &["first"], "img@1"))
        .unwrap();
    // A ledger well past what the socket buffers of a connection hold.
    let mut records = (0..40_000).map(|i| {
        Ok(LedgerRecord::Deployment {
            deployment: Deployment {
                id: DeploymentId(format!("deploy-{i:08x}")),
                environment: format!("env-{}", i % 40),
                stage: "beta".into(),
                release: ReleaseNumber(1),
                kind: DeploymentKind::Normal,
                actor: "history".into(),
                reason: Some("x".repeat(300)),
                started_at: at(i * 60),
                finished_at: Some(at(i * 60 + 30)),
                outcome: Outcome::Approved,
            },
        })
    });
    store
        .import(&mut records, captain::store::ImportMode::Merge)
        .unwrap();
    let reader = server.token("viewer", Role::Read, false);
    // 800 exports that never read a byte of their answers.
    let stalled: Vec<TcpStream> = (0..800)
        .map(|_| {
            let mut stream = TcpStream::connect(address(&server)).unwrap();
            let head = format!(
                "GET /v1/pipelines/app/export HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {reader}\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    for i in 0..5 {
        let started = Instant::now();
        let name = format!("second-{i}");
        store
            .create_release(new_release(&name, Some(1), &[name.as_str()], "img@2"))
            .unwrap();
        let took = started.elapsed();
        eprintln!("measured: a write behind 800 stalled exports took {took:?}");
        assert!(
            took < Duration::from_secs(2),
            "a write behind 800 stalled exports took {took:?}"
        );
    }
    // The exports beyond the lane were told to come back later.
    std::thread::sleep(Duration::from_secs(3));
    let mut unavailable = 0;
    for mut stream in stalled {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut start = [0u8; 12];
        if stream.read_exact(&mut start).is_ok() && &start[9..12] == b"503" {
            unavailable += 1;
        }
    }
    eprintln!("measured: {unavailable} of 800 stalled exports were told 503");
    assert!(
        unavailable >= 790,
        "only {unavailable} exports were told 503"
    );
}

/// Starts, serves a few requests (so ledgers and connections are open), and stops on
/// SIGTERM: exit 0, no panic.
fn stops_cleanly(dir: &Path, database: &str) {
    let mut server = Server::start_on(dir, database, &[], None);
    server.register(STORY_PIPELINE);
    let store = server.store("app");
    store
        .create_release(new_release("first", None, &["first"], "img@1"))
        .unwrap();
    assert!(store.locks().unwrap().is_empty());
    assert_eq!(server.terminate(), Some(0), "{}", server.log());
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    assert!(log.contains("server stopped"), "{log}");
}

#[test]
fn sigterm_stops_a_sqlite_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("db").display());
    stops_cleanly(dir.path(), &database);
}

#[test]
fn sigterm_stops_a_postgres_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    stops_cleanly(dir.path(), &fresh_database());
}

#[test]
fn a_postgres_outage_is_503_the_cli_rides_it_out_and_no_stale_connection_fails() {
    let postgres = private_server();
    let url = postgres.database();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on(
        dir.path(),
        &url,
        &["--acquire-timeout", "2", "--db-connect-timeout", "2"],
        None,
    );
    server.register(STORY_PIPELINE);
    let client = client();
    let ready = || {
        client
            .get(format!("{}/readyz", server.url))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready(), 200);
    // Several pooled connections, then a restart nobody sees.
    let once = Remote {
        attempts: Some(1),
        ..server.remote(&server.admin)
    };
    let warm = |n: usize| {
        std::thread::scope(|scope| {
            for _ in 0..n {
                let once = once.clone();
                let url = server.url.clone();
                scope.spawn(move || {
                    let store = HttpStore::open(&url, "app", &once).unwrap();
                    // A snapshot read (BEGIN first) and a one-statement read (none).
                    let unknown = DeploymentId::parse("deploy-0000aa").unwrap();
                    for _ in 0..5 {
                        store.locks().unwrap();
                        assert_eq!(store.deployment(&unknown).unwrap(), None);
                    }
                });
            }
        })
    };
    warm(6);
    postgres.stop();
    postgres.start_again();
    // At once: connections idle for less than the check's two seconds are lent as they
    // are, and the read that finds one broken runs again on a new one.
    warm(6);
    postgres.stop();
    postgres.start_again();
    std::thread::sleep(Duration::from_millis(2500)); // idle long enough to be checked
    // Not one request fails on a stale connection, though the client retries none.
    warm(6);

    postgres.stop();
    let response = client
        .get(format!("{}/v1/pipelines/app/locks", server.url))
        .bearer_auth(&server.admin)
        .send()
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().unwrap();
    assert_eq!(body["error"]["kind"], "unavailable", "{body}");
    // An invalid token learns nothing more (once the token list must be read again).
    std::thread::sleep(Duration::from_millis(2100));
    let response = client
        .get(format!("{}/v1/pipelines/app/locks", server.url))
        .bearer_auth("cpt_not_a_token")
        .send()
        .unwrap();
    assert_eq!(response.status(), 503);
    let text = response.text().unwrap();
    for secret in [
        "127.0.0.1",
        &postgres.port.to_string(),
        "postgres://",
        "/tmp",
    ] {
        assert!(
            !text.contains(secret),
            "`{secret}` reached a client: {text}"
        );
        assert!(!body.to_string().contains(secret), "`{secret}`: {body}");
    }
    assert_eq!(
        client
            .get(format!("{}/healthz", server.url))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert_eq!(ready(), 503);
    assert!(server.log().contains("incident"));

    // The CLI's store retries the 503s until PostgreSQL is back.
    let (url, remote) = (server.url.clone(), server.remote(&server.admin));
    let waiting = std::thread::spawn(move || {
        let started = Instant::now();
        let locks = HttpStore::open(&url, "app", &remote).unwrap().locks();
        (locks, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    postgres.start_again();
    let (locks, took) = waiting.join().unwrap();
    eprintln!("measured: the client rode out the outage in {took:?}");
    assert!(locks.is_ok(), "{locks:?} after {took:?}");
    assert_eq!(ready(), 200);
    warm(4);
}

#[test]
fn a_failing_ledger_answers_500_without_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    std::fs::write(
        dir.path().join("db").join("broken.sqlite"),
        vec![b'x'; 8192],
    )
    .unwrap();
    let reader = server.token("viewer", Role::Read, false);
    let (status, body) = get(
        &client(),
        &format!("{}/v1/pipelines/broken/locks", server.url),
        &reader,
    );
    assert_eq!(status, 500, "{body}");
    assert!(
        body["error"]["kind"] == "error" || body["error"]["kind"] == "internal",
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap();
    let shown = dir.path().display().to_string();
    assert!(
        !body.to_string().contains(&shown),
        "the path reached a client: {body}"
    );
    assert!(!body.to_string().contains("sqlite"), "{body}");
    let incident = message
        .split("incident ")
        .nth(1)
        .unwrap()
        .trim_end_matches(')')
        .to_string();
    let log = server.log();
    let logged = log.lines().find(|l| l.contains(&incident)).unwrap();
    assert!(logged.contains("broken.sqlite"), "{logged}");
}

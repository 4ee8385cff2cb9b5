//! Load benchmark of the team server (SPEC §6, issue 5): 64 concurrent clients, each a CI
//! job on a pipeline of its own, recording merges (release create, deployment start,
//! deployment finish: three writes) against a real `captain serve`, reporting
//! writes/s and p50/p99 latency (after `--warm-up` untimed deployments per client, 10 by
//! default, and on PostgreSQL an ANALYZE), then counting that nothing was lost or
//! doubled. With a PostgreSQL URL and `pgbench` on the PATH, pgbench's single-row insert rate on the same
//! database is measured in the same run as the ceiling.
//!
//! ```text
//! cargo bench --bench serve_load                                   # SQLite in a temp dir
//! cargo bench --bench serve_load -- --database postgres            # a throwaway PostgreSQL
//! cargo bench --bench serve_load -- --database postgres://…/captain  # a given PostgreSQL
//! cargo bench --bench serve_load -- --clients 64 --per-client 100
//! cargo bench --bench serve_load -- --database postgres --no-ceiling  # skip pgbench
//! cargo bench --bench serve_load -- --database postgres --rate 2000  # open loop: 2,000 writes/s offered
//! CAPTAIN_BENCH_BINARY=/path/to/other/captain cargo bench --bench serve_load  # compare builds
//! ```
//!
//! Not a timed test: numbers go to stdout. Traffic stays on 127.0.0.1 and every loop is
//! bounded by `--per-client`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken benchmark should stop loudly

// `--database postgres` starts a throwaway cluster the way the tests do.
#[path = "../tests/e2e/pg_harness.rs"]
mod pg_harness;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use captain::model::*;
use captain::store::export::LedgerRecord;
use captain::store::http::{HttpStore, Remote};
use captain::store::{AuditFilter, HistoryFilter, ImportMode, Store};

struct Options {
    database: Option<String>,
    clients: usize,
    per_client: usize,
    /// Finished deployments imported first (spread over the clients' environments): a
    /// ledger in use.
    history: usize,
    /// Untimed deployments per client before the timed ones.
    warm_up: usize,
    /// `--no-ceiling`: skip pgbench (quicker runs while comparing server changes).
    ceiling: bool,
    /// `--rate W`: offer W writes/s in all on a fixed schedule (open loop) instead of
    /// each client writing again as soon as it has its answer (closed loop).
    rate: Option<f64>,
}

fn options() -> Options {
    let mut options = Options {
        database: std::env::var("CAPTAIN_BENCH_DATABASE").ok(),
        clients: 64,
        per_client: 100,
        history: 5_000,
        warm_up: 10,
        ceiling: true,
        rate: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned();
        match args[i].as_str() {
            "--database" => options.database = value,
            "--clients" => options.clients = value.and_then(|v| v.parse().ok()).unwrap_or(64),
            "--per-client" => {
                options.per_client = value.and_then(|v| v.parse().ok()).unwrap_or(100)
            }
            "--history" => options.history = value.and_then(|v| v.parse().ok()).unwrap_or(5_000),
            "--rate" => options.rate = value.and_then(|v| v.parse().ok()).filter(|r| *r > 0.0),
            "--warm-up" => options.warm_up = value.and_then(|v| v.parse().ok()).unwrap_or(10),
            "--no-ceiling" => {
                options.ceiling = false;
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    options
}

/// SQLite keeps the server tables in a file beside the bench; PostgreSQL in the database.
fn auth_args<'a>(database: &str, auth_db: &'a str) -> Vec<&'a str> {
    if database.starts_with("postgres") {
        Vec::new()
    } else {
        vec!["--auth-db", auth_db]
    }
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let mut options = options();
    options.per_client = options.per_client.max(1);
    if options.database.as_deref() == Some("postgres") {
        options.database = Some(pg_harness::fresh_database());
    }
    let dir = tempfile::tempdir().unwrap();
    // CAPTAIN_BENCH_BINARY runs another build of captain (to compare two versions).
    let binary = std::env::var("CAPTAIN_BENCH_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_captain").to_string());
    let binary = binary.as_str();
    let database = options
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("db").display()));
    let auth_db = dir.path().join("server.sqlite");
    let auth_db = auth_db.to_str().unwrap();
    let pipeline = format!("bench{}", std::process::id());

    let token = Command::new(binary)
        .args([
            "token",
            "create",
            "bench",
            "--role",
            "admin",
            "--delegate",
            "--database",
            &database,
        ])
        .args(auth_args(&database, auth_db))
        .output()
        .unwrap();
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();

    let mut child = Command::new(binary)
        .args(["serve", "--database", &database, "--listen", "127.0.0.1:0"])
        .args(auth_args(&database, auth_db))
        .env("CAPTAIN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _serve = Serve(child);
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    let remote = Remote {
        token: Some(token),
        ca_file: None,
        attempts: None,
    };

    // One pipeline per client, each with one stage and the client's one environment: a
    // stage takes one release at a time, so clients sharing a stage would wait for each
    // other. Each client deploys a newer release every round (v2, v3, …), as a CI job of
    // a trunk-based team does after each merge.
    let stores: Vec<HttpStore> = (0..options.clients)
        .map(|c| {
            let store = HttpStore::open(&url, &client_pipeline(&pipeline, c), &remote).unwrap();
            register(&store, &client_pipeline(&pipeline, c), c);
            let first = store
                .create_release(merge_release())
                .unwrap()
                .release
                .number;
            seed_history(&store, c, first, options.history / options.clients);
            store
        })
        .collect();
    let audit_events = || -> usize {
        stores
            .iter()
            .map(|s| s.audit_events(&AuditFilter::default()).unwrap().len())
            .sum()
    };
    let events_before = audit_events();

    println!(
        "serve_load: {} clients × {} merges (release create, deployment start and finish), {}, on {}",
        options.clients,
        options.per_client,
        match options.rate {
            Some(rate) => format!("{rate:.0} writes/s offered (open loop)"),
            None => "each client writing again as soon as answered (closed loop)".to_string(),
        },
        if options.database.is_some() {
            database.as_str()
        } else {
            "SQLite (temp dir)"
        }
    );
    // The clients are tasks on one thread of an async runtime sending the HTTP requests
    // the CLI sends (the JSON bodies and an idempotency key each), so the load generator
    // takes as little of the machine's two cores as it can: 64 blocking HTTP clients,
    // each with a runtime thread of its own, took a sixth of them. Every client first
    // records untimed deployments (its connection, the server's threads and pooled
    // connections are then warm, and the ledger has rows for the planner); then all
    // start the timed part at once.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let load = Load {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(options.clients)
            .build()
            .unwrap(),
        url: format!("{url}/v1/pipelines/{pipeline}"),
        token: format!("Bearer {}", remote.token.as_deref().unwrap()),
    };
    let run = |rounds: usize, pace: Option<Duration>| -> Vec<Duration> {
        runtime.block_on(async {
            let began = tokio::time::Instant::now();
            let tasks: Vec<_> = (0..options.clients)
                .map(|c| {
                    let load = load.clone();
                    // Open loop: client c's writes are due every `pace`, the clients
                    // spread evenly over the first one.
                    let schedule = pace.map(|pace| {
                        (
                            began + pace.mul_f64(c as f64 / options.clients as f64),
                            pace,
                        )
                    });
                    tokio::spawn(async move { load.client(c, rounds, schedule).await })
                })
                .collect();
            let mut latencies = Vec::new();
            for task in tasks {
                latencies.extend(task.await.unwrap());
            }
            latencies
        })
    };
    run(options.warm_up, None);
    if let Some(url) = options
        .database
        .as_deref()
        .filter(|d| d.starts_with("postgres"))
    {
        analyze(url);
    }
    // `--rate W`: W writes/s offered in all, each client's on a fixed schedule.
    let pace = options
        .rate
        .map(|rate| Duration::from_secs_f64(options.clients as f64 / rate));
    let started = Instant::now();
    let mut latencies = run(options.per_client, pace);
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    let writes = latencies.len();
    println!(
        "captain serve: {writes} writes in {:.2} s = {:.0} writes/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        writes as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );

    // Nothing lost, nothing doubled.
    let mut lost_or_doubled = 0;
    for (c, store) in stores.iter().enumerate() {
        let history = store
            .history(&format!("env-{c}"), &HistoryFilter::default())
            .unwrap();
        let approved = history
            .iter()
            .filter(|h| h.deployment.outcome == Outcome::Approved)
            .count();
        // The timed deployments, the warm-up ones and the imported history.
        let want = options.per_client + options.warm_up + options.history / options.clients;
        if history.len() != want || approved != want {
            lost_or_doubled += 1;
            println!(
                "env-{c}: {} deployments, {approved} approved (want {want})",
                history.len(),
            );
        }
    }
    let audit = audit_events();
    // Each merge, timed or warm-up, leaves four audit events: release.create,
    // deployment.start, deployment.finish and the stage's approval of the release
    // (stage.approved, recorded by the pass the finish runs).
    let merges = options.clients * (options.per_client + options.warm_up);
    // A client with no imported history never deployed its first release (created
    // before the history): the first merge's release supersedes it in the stage
    // (stage.superseded), once per such client.
    let never_deployed = if options.history / options.clients == 0 {
        options.clients
    } else {
        0
    };
    let expected_events = events_before + 4 * merges + never_deployed;
    println!(
        "check: {} environments with lost or doubled deployments; {} audit events (want {expected_events})",
        lost_or_doubled, audit
    );
    assert_eq!(lost_or_doubled, 0);
    assert_eq!(audit, expected_events);

    if let Some(url) = options
        .database
        .as_deref()
        .filter(|d| d.starts_with("postgres"))
        .filter(|_| options.ceiling)
    {
        pgbench_ceiling(url, options.clients);
    } else if !options.ceiling {
        println!("pgbench ceiling: skipped (--no-ceiling)");
    } else {
        println!(
            "pgbench ceiling: skipped (no PostgreSQL database given: --database postgres://…)"
        );
    }
}

/// What every client task needs: the server and its token.
#[derive(Clone)]
struct Load {
    http: reqwest::Client,
    /// The API root of the pipelines, `…/v1/pipelines/NAME` (a client adds `-cN`).
    url: String,
    /// The `Authorization` header's value.
    token: String,
}

/// Client `c`'s pipeline.
fn client_pipeline(pipeline: &str, c: usize) -> String {
    format!("{pipeline}-c{c}")
}

/// A new release as a CI job creates it after a merge: a commit of its own (random, so
/// that the warm-up's and the timed part's never meet).
fn merge_release() -> NewRelease {
    let mut commit = [0u8; 20];
    rand::fill(&mut commit);
    let commit: String = commit.iter().map(|b| format!("{b:02x}")).collect();
    NewRelease {
        artifacts: [("app".to_string(), format!("img@sha256:{commit}"))].into(),
        commit,
        base: None,
        actor: "bench".into(),
        created_at: Timestamp::now(),
        commits: vec![],
        dependencies: DependencySnapshot::default(),
        hotfix_reason: None,
    }
}

impl Load {
    /// Records `rounds` merges (release create, deployment start, finish: three writes) to
    /// the client's own pipeline and returns each write's latency. With a schedule (first
    /// due time, pace) a write is due every `pace` and its latency counts from when it was
    /// due, so a slow answer that delays the next writes is charged to them as well (no
    /// coordinated omission); without one, each write follows the last at once.
    async fn client(
        self,
        c: usize,
        rounds: usize,
        schedule: Option<(tokio::time::Instant, Duration)>,
    ) -> Vec<Duration> {
        let environment = format!("env-{c}");
        let url = client_pipeline(&self.url, c);
        let mut latencies = Vec::with_capacity(rounds * 3);
        let mut due = schedule.map(|(first, _)| first);
        let mut timed = |due: &mut Option<tokio::time::Instant>, sent: tokio::time::Instant| {
            let from = due.unwrap_or(sent);
            latencies.push(from.elapsed());
            if let (Some(due), Some((_, pace))) = (due.as_mut(), schedule) {
                *due += pace;
            }
        };
        for _ in 0..rounds {
            let sent = Self::wait_until(due).await;
            // A merge: its release, then its deployment (three writes a round).
            let created: CreatedRelease = self.write(&url, "/releases", &merge_release()).await;
            timed(&mut due, sent);
            let release = created.release.number;

            let sent = Self::wait_until(due).await;
            // The server decides the start with its pipeline (`StartRequest`); a build from
            // before that reads the client's `NewDeployment`. The body carries both field
            // sets (each server ignores the other's), so one client measures either build.
            let now = Timestamp::now();
            let start = serde_json::json!({
                "environment": environment,
                "release": release,
                "actor": "bench",
                "reason": null,
                "force": false,
                "rollback": false,
                "now": now,
                "stage": LOAD_STAGE,
                "kind": DeploymentKind::Normal,
                "started_at": now,
                "promotion_check": null,
            });
            let deployment: Deployment = self.write(&url, "/deployments", &start).await;
            timed(&mut due, sent);

            let sent = Self::wait_until(due).await;
            let now = Timestamp::now();
            let finish = serde_json::json!({
                "id": deployment.id,
                "outcome": Outcome::Approved,
                "actor": "bench",
                "reason": null,
                "force": false,
                "now": now,
                "finished_at": now,
            });
            let path = format!("/deployments/{}/finish", deployment.id);
            let _: serde_json::Value = self.write(&url, &path, &finish).await;
            timed(&mut due, sent);
        }
        latencies
    }

    /// Sleeps until `due` (if it is still ahead) and returns the time the write goes out.
    async fn wait_until(due: Option<tokio::time::Instant>) -> tokio::time::Instant {
        if let Some(due) = due {
            tokio::time::sleep_until(due).await;
        }
        tokio::time::Instant::now()
    }

    /// One mutation as the CLI sends it: JSON, the token, a fresh idempotency key.
    async fn write<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        root: &str,
        path: &str,
        body: &B,
    ) -> T {
        let mut key = [0u8; 16];
        rand::fill(&mut key);
        let key: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let response = self
            .http
            .post(format!("{root}{path}"))
            .header(reqwest::header::AUTHORIZATION, &self.token)
            .header(captain::store::wire::IDEMPOTENCY_HEADER, key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        assert!(
            status.is_success(),
            "{path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// The one stage of each client's pipeline, with the client's environment: each start is
/// a first-stage start the server decides.
const LOAD_STAGE: &str = "load";

/// Registers the benchmark's pipeline on the server, which decides every write with it.
/// A build from before the registry answers 404 and decides with the client's checks.
fn register(store: &HttpStore, pipeline: &str, client: usize) {
    let definition = format!(
        "name = \"{pipeline}\"\n[[stages]]\nname = \"{LOAD_STAGE}\"\nenvironments = [\"env-{client}\"]\n"
    );
    let pushed = store.push_pipeline(NewPipelineVersion {
        definition,
        actor: "bench".into(),
        reason: Some("the benchmark's pipeline".into()),
        at: Timestamp::now(),
    });
    if let (Err(e), 0) = (pushed, client) {
        println!("no pipeline registry on this build ({e}): it decides with the client's checks");
    }
}

/// Imports `count` finished deployments of `release` into client `client`'s environment,
/// a ledger with some history, as a team's server has (and as the planner should see it).
fn seed_history(store: &HttpStore, client: usize, release: ReleaseNumber, count: usize) {
    if count == 0 {
        return;
    }
    let start = Timestamp::now() - jiff::SignedDuration::from_mins(count as i64 + 10);
    let header = LedgerRecord::Header {
        format: captain::store::export::FORMAT.to_string(),
        version: captain::store::export::VERSION,
        pipeline: None,
        exported_at: Timestamp::now(),
    };
    let deployments = (0..count).map(move |i| {
        let environment = format!("env-{client}");
        let started_at = start + jiff::SignedDuration::from_mins(i as i64);
        Ok(LedgerRecord::Deployment {
            deployment: Deployment {
                id: DeploymentId(format!(
                    "deploy-{:08x}",
                    0xf000_0000_usize + client * 0x10_0000 + i
                )),
                stage: LOAD_STAGE.to_string(),
                environment,
                release,
                kind: DeploymentKind::Normal,
                actor: "history".into(),
                reason: None,
                started_at,
                finished_at: Some(started_at + jiff::SignedDuration::from_secs(30)),
                outcome: Outcome::Approved,
            },
        })
    });
    let mut records = std::iter::once(Ok(header)).chain(deployments);
    store.import(&mut records, ImportMode::Merge).unwrap();
}

/// Refreshes the planner's statistics after the warm-up, as autovacuum does on a database
/// in use (every minute by default, longer than this benchmark): the server's cached plans
/// are then made for a ledger with rows in it, not for the empty one it started with.
fn analyze(url: &str) {
    match postgres::Client::connect(url, postgres::NoTls) {
        Ok(mut client) => {
            if let Err(e) = client.batch_execute("ANALYZE") {
                println!("analyze after the warm-up failed: {e}");
            }
            // With pg_stat_statements installed, its numbers then cover the timed part.
            let _ = client.batch_execute("SELECT pg_stat_statements_reset()");
        }
        Err(e) => println!("analyze after the warm-up: cannot connect: {e}"),
    }
}

/// pgbench's single-row insert rate on the same PostgreSQL, as the ceiling.
fn pgbench_ceiling(url: &str, clients: usize) {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO captain_bench_ceiling (v) VALUES (1);\n",
    )
    .unwrap();
    let mut client = match postgres::Client::connect(url, postgres::NoTls) {
        Ok(client) => client,
        Err(e) => {
            println!("pgbench ceiling: skipped (cannot connect: {e})");
            return;
        }
    };
    if let Err(e) = client.batch_execute(
        "CREATE TABLE IF NOT EXISTS captain_bench_ceiling (id bigserial PRIMARY KEY, v int)",
    ) {
        println!("pgbench ceiling: skipped (could not create the table: {e})");
        return;
    }
    // pgbench on the PATH, else beside the throwaway cluster's binaries.
    let pgbench = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("pgbench"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| pg_harness::server().bin().join("pgbench"));
    let out = Command::new(&pgbench)
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            "10",
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let tps = text
                .lines()
                .find(|l| l.starts_with("tps"))
                .unwrap_or("tps = ?");
            println!("pgbench ceiling ({clients} clients, single-row INSERT): {tps}");
        }
        _ => println!("pgbench ceiling: skipped (pgbench not found or failed)"),
    }
    let _ = client.batch_execute("DROP TABLE captain_bench_ceiling");
}

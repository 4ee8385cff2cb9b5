//! `captain serve` on PostgreSQL (the throwaway server of `pg_harness`): the CLI answers
//! as it does locally, tokens and idempotency keys live in the database, and a team moves
//! its local SQLite ledger to the server with `state export | state import`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use captain::server::auth::Role;

use super::common::{SMALL_PIPELINE, TestEnv};
use super::pg_harness::fresh_database;
use super::server_cli::{a_day, run};
use super::server_harness::Server;

fn count(url: &str, sql: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn commands_over_http_on_postgres_answer_as_they_do_locally() {
    let local = TestEnv::new();
    let sandbox = local.init_repo(SMALL_PIPELINE);
    let expected = a_day(&local, &sandbox, None);

    let remote = TestEnv::new();
    let sandbox = remote.init_repo(SMALL_PIPELINE);
    let database = fresh_database();
    let server = Server::start_on(&remote.path().join("server"), &database, &[], None);
    server.register(SMALL_PIPELINE);
    let oncall = server.token("oncall", Role::Operator, true);
    let got = a_day(&remote, &sandbox, Some((&server, &oncall)));
    assert_eq!(got.len(), expected.len());
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(got, expected);
    }
    // Everything is in PostgreSQL: the ledger, the tokens (hashed) and the keys the
    // CLI's mutations carried; nothing in a local file.
    assert!(!remote.state_path().exists());
    assert!(!remote.path().join("server/db").exists());
    assert_eq!(
        count(
            &database,
            "SELECT count(*) FROM captain.api_tokens WHERE revoked_at IS NULL"
        ),
        2
    );
    assert!(count(&database, "SELECT count(*) FROM captain.idempotency_keys") >= 8);
    assert!(
        count(
            &database,
            "SELECT count(*) FROM captain.deployments WHERE pipeline = 'checkout'"
        ) >= 5
    );
    // A revoked token is refused at once.
    server
        .store("-")
        .revoke_token("oncall", Some("rotated"))
        .unwrap();
    let refused = run(&remote, Some((&server, &oncall)), &["status"]).code(1);
    assert!(refused.stderr.contains("token"), "{}", refused.stderr);
    // Each token change is an audit event in PostgreSQL, newest first: the bootstrap
    // admin, the operator token, its revocation (with its reason).
    let events = server
        .store("-")
        .server_audit_events(&captain::store::AuditFilter::default())
        .unwrap();
    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str(), e.reason.as_deref()))
        .collect();
    assert_eq!(seen[0], ("token.revoke", "oncall", Some("rotated")));
    assert_eq!(seen[1].0, "token.create");
    assert_eq!(seen[1].1, "oncall");
    assert_eq!(events[1].details["role"], "operator");
    assert!(seen.iter().any(|e| e.0 == "token.create" && e.1 == "admin"));
    assert_eq!(
        count(
            &database,
            "SELECT count(*) FROM captain.server_audit_events"
        ),
        i64::try_from(events.len()).unwrap()
    );
}

#[test]
fn a_local_ledger_moves_to_a_postgres_server_with_export_and_import() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    a_day(&env, &sandbox, None);
    let views: [&[&str]; 7] = [
        &["status", "--json"],
        &["history", "beta", "--json"],
        &["history", "gamma", "--json"],
        &["where", "HEAD~1", "--json"],
        &["release", "list", "--json"],
        &["promotions", "list", "--json"],
        &["audit", "--json"],
    ];
    let local: Vec<String> = views
        .iter()
        .map(|v| env.run(v).ok().json().to_string())
        .collect();
    let exported = env.run(&["state", "export"]).ok().stdout;
    let file = env.path().join("ledger.jsonl");
    std::fs::write(&file, &exported).unwrap();

    let database = fresh_database();
    let server = Server::start_on(&env.path().join("server"), &database, &[], None);
    server.register(SMALL_PIPELINE);
    let admin = server.admin.clone();
    // The documented move: `captain state export | captain state import --state URL`.
    let imported = env
        .command()
        .env("CAPTAIN_TOKEN", &admin)
        .args(["state", "import", "--state", &server.url])
        .stdin(Stdio::from(std::fs::File::open(&file).unwrap()))
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    for (view, local) in views.iter().zip(&local) {
        let mut remote = run(&env, Some((&server, &admin)), view).ok().json();
        if view[0] == "audit" {
            // The server adds its own events (the bootstrap admin's creation, the
            // registration of the pipeline's definition) to the moved ledger's.
            let events = remote["events"].as_array_mut().unwrap();
            let before = events.len();
            events.retain(|e| {
                let action = e["action"].as_str().unwrap();
                !action.starts_with("token.") && action != "pipeline.push"
            });
            assert_eq!(before - events.len(), 2, "{view:?}");
            // Numbered after the registration: the same events in the same order.
            let unnumbered = |mut value: serde_json::Value| {
                for event in value["events"].as_array_mut().into_iter().flatten() {
                    event.as_object_mut().map(|e| e.remove("seq"));
                }
                value
            };
            let local: serde_json::Value = serde_json::from_str(local).unwrap();
            assert_eq!(unnumbered(remote), unnumbered(local), "{view:?}");
            continue;
        }
        assert_eq!(&remote.to_string(), local, "{view:?}");
    }
    // Importing again into the now non-empty ledger is refused, and changes nothing.
    let again = env
        .command()
        .env("CAPTAIN_TOKEN", &admin)
        .args(["state", "import", "--state", &server.url])
        .stdin(Stdio::from(std::fs::File::open(&file).unwrap()))
        .output()
        .unwrap();
    assert!(!again.status.success());
    let after = run(
        &env,
        Some((&server, &admin)),
        &["history", "beta", "--json"],
    )
    .ok();
    assert_eq!(after.json().to_string(), local[1]);
}

/// Records each start and end of a deploy as marker files; takes ~0.6 s, so a kill lands
/// in the middle of one.
const MARKING_DEPLOY: &str = r#"#!/bin/sh
set -e
touch "$MARKERS/start $CAPTAIN_ENVIRONMENT $CAPTAIN_RELEASE $CAPTAIN_ROLLBACK $CAPTAIN_DEPLOYMENT_ID"
sleep 0.6
touch "$MARKERS/done $CAPTAIN_ENVIRONMENT $CAPTAIN_RELEASE $CAPTAIN_ROLLBACK $CAPTAIN_DEPLOYMENT_ID"
"#;

fn wait_for(what: &str, timeout: std::time::Duration, mut ok: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + timeout;
    while !ok() {
        assert!(
            std::time::Instant::now() < until,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A repository whose pipeline deploys with [`MARKING_DEPLOY`] into `markers`, with
/// `stages` (TOML) after the defaults. Returns the repository and its pipeline.toml.
fn marking_repo(
    env: &TestEnv,
    markers: &Path,
    stages: &str,
) -> (captain::git::sandbox::Sandbox, PathBuf) {
    use std::os::unix::fs::PermissionsExt;

    std::fs::create_dir_all(markers).unwrap();
    let pipeline = format!(
        r#"
name = "shop"
trunk = "main"
timezone = "UTC"

[defaults]
bake_time = "0s"
deploy = {{ argv = ["./deploy.sh"], timeout = "30s", env = {{ MARKERS = "{}" }} }}
{stages}"#,
        markers.display()
    );
    let sandbox =
        env.init_repo_with(&[("pipeline.toml", &pipeline), ("deploy.sh", MARKING_DEPLOY)]);
    let deploy = env.repo_path().join("deploy.sh");
    std::fs::set_permissions(&deploy, std::fs::Permissions::from_mode(0o755)).unwrap();
    (sandbox, env.repo_path().join("pipeline.toml"))
}

#[test]
fn two_replicas_take_turns_driving_and_never_start_a_deployment_twice() {
    let env = TestEnv::new();
    let markers = env.path().join("markers");
    let (sandbox, pipeline_file) = marking_repo(
        &env,
        &markers,
        r#"
[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma-1", "gamma-2"]
"#,
    );
    let pipeline_arg = pipeline_file.to_str().unwrap();

    let database = fresh_database();
    let run_args = ["--run", "--pipeline", pipeline_arg, "--interval", "0.1"];
    let mut first = Server::start_on(&env.path().join("a"), &database, &run_args, None);
    wait_for(
        "the first replica to drive",
        Duration::from_secs(20),
        || first.log().contains("took the drive lock"),
    );
    let second = Server::spawn(
        &env.path().join("b"),
        &database,
        &run_args,
        None,
        first.admin.clone(),
    );
    let admin = first.admin.clone();
    let cli = |server: &Server, args: &[&str]| {
        env.command()
            .env_remove("CAPTAIN_NOW")
            .env("CAPTAIN_STATE", &server.url)
            .env("CAPTAIN_TOKEN", &admin)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(cli(&first, &["release", "create"]).status.success());
    // Kill the driver in the middle of a deploy.
    wait_for("a deploy to start", Duration::from_secs(20), || {
        std::fs::read_dir(&markers).unwrap().count() > 0
    });
    first.kill();
    sandbox
        .commit(
            &[("src/two.rs", "fn two() {}\n")],
            "Two",
            "Ana",
            super::common::now(),
        )
        .unwrap();
    assert!(cli(&second, &["release", "create"]).status.success());
    wait_for(
        "the second replica to take over",
        Duration::from_secs(20),
        || second.log().contains("took the drive lock"),
    );
    // The survivor brings v2 everywhere.
    wait_for(
        "v2 approved in every environment",
        Duration::from_secs(60),
        || {
            let out = cli(&second, &["status", "--json"]);
            let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let envs: Vec<&serde_json::Value> = status["stages"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["environments"].as_array().into_iter().flatten())
                .collect();
            envs.len() == 3
                && envs
                    .iter()
                    .all(|e| e["release"] == "v2" && e["deploying"].is_null())
        },
    );

    // The survivor took over the deploy the killed driver left running.
    assert!(
        second.log().contains("the runner was interrupted"),
        "{}",
        second.log()
    );
    // The ledger: no (environment, release) started twice as a normal deployment.
    let exported = cli(&second, &["state", "export"]);
    assert!(exported.status.success());
    let mut starts = std::collections::BTreeMap::new();
    let mut ids = std::collections::BTreeSet::new();
    for line in String::from_utf8_lossy(&exported.stdout).lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(d) = record.get("deployment").filter(|d| d.is_object()) {
            ids.insert(d["id"].as_str().unwrap().to_string());
            if d["kind"] == "normal" {
                *starts
                    .entry((d["environment"].to_string(), d["release"].to_string()))
                    .or_insert(0) += 1;
            }
        }
    }
    assert!(!starts.is_empty());
    for (key, n) in &starts {
        assert_eq!(*n, 1, "{key:?} started {n} times: {starts:?}");
    }
    // The processes: each normal deploy command ran at most once per environment and
    // release, and only for recorded deployments.
    let mut runs = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(&markers).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let parts: Vec<&str> = name.split(' ').collect();
        if parts[0] != "start" {
            continue;
        }
        assert!(ids.contains(parts[4]), "unrecorded deployment {name}");
        if parts[3] != "1" {
            *runs
                .entry((parts[1].to_string(), parts[2].to_string()))
                .or_insert(0) += 1;
        }
    }
    for (key, n) in &runs {
        assert_eq!(*n, 1, "deploy of {key:?} ran {n} times");
    }
}

/// A `serve --run` replica killed in the middle of a deploy takes the deploy with it,
/// with no other replica or restart to clean up: the deploy never finishes on its own.
#[test]
fn a_killed_replica_takes_its_running_deploy_with_it() {
    let env = TestEnv::new();
    let markers = env.path().join("markers");
    let stages = "\n[[stages]]\nname = \"beta\"\nenvironments = [\"beta\"]\n";
    let (_sandbox, pipeline_file) = marking_repo(&env, &markers, stages);
    let run_args = [
        "--run",
        "--pipeline",
        pipeline_file.to_str().unwrap(),
        "--interval",
        "0.1",
    ];
    let mut replica = Server::start_on(&env.path().join("a"), &fresh_database(), &run_args, None);
    let created = env
        .command()
        .env_remove("CAPTAIN_NOW")
        .env("CAPTAIN_STATE", &replica.url)
        .env("CAPTAIN_TOKEN", &replica.admin)
        .args(["release", "create"])
        .output()
        .unwrap();
    assert!(created.status.success());
    wait_for("the deploy to start", Duration::from_secs(20), || {
        std::fs::read_dir(&markers).unwrap().count() > 0
    });
    replica.kill();
    // The deploy takes 0.6 s; give it three times that to finish, were it still alive.
    std::thread::sleep(Duration::from_millis(1800));
    let names: Vec<String> = std::fs::read_dir(&markers)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("start beta v1 0 "), "{names:?}");
}

/// An export bigger than one chunk of the server's answer, and than one batch of the
/// PostgreSQL cursor, comes back whole and in order over HTTP.
#[test]
fn a_ledger_bigger_than_a_chunk_exports_whole_over_the_server() {
    use captain::model::*;
    use captain::store::Store;
    use captain::store::export::LedgerRecord;
    use captain::store::http::{HttpStore, Remote};

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on(&dir.path().join("server"), &fresh_database(), &[], None);
    server.register(super::server_story::STORY_PIPELINE);
    let remote = Remote {
        token: Some(server.admin.clone()),
        ca_file: None,
        attempts: None,
    };
    let store = HttpStore::open(&server.url, "app", &remote).unwrap();
    let at = |s: i64| Timestamp::from_second(1_700_000_000 + s).unwrap();
    store
        .create_release(NewRelease {
            commit: "a".repeat(40),
            base: None,
            artifacts: [("app".to_string(), "img@1".to_string())].into(),
            actor: "ci".into(),
            created_at: at(0),
            commits: vec![],
            dependencies: DependencySnapshot::default(),
            hotfix_reason: None,
        })
        .unwrap();
    let count = 2_500;
    let ids: Vec<String> = (0..count).map(|i| format!("deploy-{i:08x}")).collect();
    let mut records = ids.iter().enumerate().map(|(i, id)| {
        Ok(LedgerRecord::Deployment {
            deployment: Deployment {
                id: DeploymentId(id.clone()),
                environment: format!("env-{}", i % 40),
                stage: "s".into(),
                release: ReleaseNumber(1),
                kind: DeploymentKind::Normal,
                actor: "history".into(),
                reason: Some("x".repeat(40)),
                started_at: at(i as i64 * 60),
                finished_at: Some(at(i as i64 * 60 + 30)),
                outcome: Outcome::Approved,
            },
        })
    });
    store
        .import(&mut records, captain::store::ImportMode::Merge)
        .unwrap();

    let mut exported = Vec::new();
    let mut bytes = 0;
    store
        .export(&mut |record| {
            bytes += serde_json::to_vec(&record).unwrap().len() + 1;
            if let LedgerRecord::Deployment { deployment } = record {
                exported.push(deployment.id.0);
            }
            Ok(())
        })
        .unwrap();
    assert!(
        bytes > 4 * 64 * 1024,
        "only {bytes} bytes: not several chunks"
    );
    assert_eq!(exported, ids);
}

/// A freeze on a server over PostgreSQL: kept with its end in the database, it holds a
/// CI's `deploy start` (forced too) until it is lifted.
#[test]
fn a_freeze_holds_on_a_postgres_server() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let database = fresh_database();
    let server = Server::start_on(&env.path().join("server"), &database, &[], None);
    server.register(SMALL_PIPELINE);
    let oncall = server.token("oncall", Role::Operator, true);
    let at = Some((&server, oncall.as_str()));
    run(&env, at, &["release", "create", "-q"]).ok();
    run(
        &env,
        at,
        &[
            "freeze",
            "beta",
            "--reason",
            "incident 7",
            "--until",
            "1day",
        ],
    )
    .ok();
    assert_eq!(
        count(
            &database,
            "SELECT count(*) FROM captain.locks WHERE target_kind = 'freeze' AND target = 'beta' AND until IS NOT NULL"
        ),
        1
    );
    let refused = run(
        &env,
        at,
        &[
            "deploy",
            "start",
            "beta",
            "--release",
            "v1",
            "--force",
            "--reason",
            "hurry",
        ],
    )
    .code(3);
    assert!(
        refused
            .stderr
            .contains("stage beta is frozen: incident 7 (by tester)"),
        "{}",
        refused.stderr
    );
    run(&env, at, &["unfreeze", "beta", "--reason", "resolved"]).ok();
    run(&env, at, &["deploy", "start", "beta", "--release", "v1"]).ok();
}

//! `captain serve` on PostgreSQL (the throwaway server of `pg_harness`): the CLI answers
//! as it does locally, tokens and idempotency keys live in the database, and a team moves
//! its local SQLite ledger to the server with `state export | state import`.

#![allow(clippy::unwrap_used)]

use std::process::Stdio;

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
    server.store("-").revoke_token("oncall").unwrap();
    let refused = run(&remote, Some((&server, &oncall)), &["status"]).code(1);
    assert!(refused.stderr.contains("token"), "{}", refused.stderr);
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
        let remote = run(&env, Some((&server, &admin)), view).ok().json();
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

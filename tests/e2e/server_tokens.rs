//! Tokens against a real `captain serve`, on SQLite and on PostgreSQL: a token limited to
//! some pipelines reaches no other (raw HTTP and the CLI); `token create` retried with
//! its idempotency key answers the same token and secret; a revoked token is refused by
//! every replica once `token revoke` returns and its name is not given again; the files
//! the server makes are its owner's alone.

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::common::{SMALL_PIPELINE, TestEnv};
use super::pg_harness::fresh_database;
use super::server_cli::run;
use super::server_harness::Server;

/// The same pipeline under another name.
fn other_pipeline() -> String {
    SMALL_PIPELINE.replace("name = \"checkout\"", "name = \"infra\"")
}

fn start(env: &TestEnv, database: Option<&str>) -> Server {
    let dir = env.path().join("server");
    let server = match database {
        Some(url) => Server::start_on(&dir, url, &[], None),
        None => Server::start(&dir),
    };
    server.register(SMALL_PIPELINE);
    server.register(&other_pipeline());
    server
}

fn get(client: &Client, server: &Server, token: &str, path: &str) -> (u16, Value) {
    let response = client
        .get(format!("{}{path}", server.url))
        .bearer_auth(token)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn a_token_limited_to_a_pipeline_reaches_no_other(database: Option<&str>) {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let server = start(&env, database);
    let admin = server.admin.clone();
    let created = run(
        &env,
        Some((&server, &admin)),
        &[
            "token",
            "create",
            "ci-checkout",
            "--role",
            "deploy",
            "--limit-to",
            "checkout",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(created["token"]["pipelines"], json!(["checkout"]));
    let limited = created["secret"].as_str().unwrap().to_string();
    let client = Client::new();

    // Its own pipeline: answered.
    let (status, _) = get(&client, &server, &limited, "/v1/pipelines/checkout/locks");
    assert_eq!(status, 200);
    // Another one, registered or not: 403 before anything is looked up, the same answer.
    for other in ["infra", "nobody-registered-this"] {
        let (status, body) = get(
            &client,
            &server,
            &limited,
            &format!("/v1/pipelines/{other}/locks"),
        );
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["kind"], "forbidden");
        assert_eq!(
            body["error"]["message"],
            format!(
                "token `ci-checkout` is limited to pipeline `checkout`; `{other}` is not one of them"
            )
        );
    }
    // A write to the other pipeline is refused before its body is read.
    let response = client
        .post(format!("{}/v1/pipelines/infra/locks", server.url))
        .bearer_auth(&limited)
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    // The list shows only its pipeline; the admin's shows both.
    let (_, list) = get(&client, &server, &limited, "/v1/pipelines");
    let names = |list: &Value| -> Vec<String> {
        list["pipelines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pipeline"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&list), ["checkout"]);
    let (_, all) = get(&client, &server, &admin, "/v1/pipelines");
    assert_eq!(names(&all), ["checkout", "infra"]);

    // Through the CLI: its pipeline works, the other is refused with exit 1.
    run(&env, Some((&server, &limited)), &["status", "-q"]).ok();
    let infra = env.path().join("infra.toml");
    std::fs::write(&infra, other_pipeline()).unwrap();
    let refused = run(
        &env,
        Some((&server, &limited)),
        &["status", "--pipeline", &infra.display().to_string()],
    )
    .code(1);
    assert!(
        refused.stderr.contains("limited to pipeline `checkout`"),
        "{}",
        refused.stderr
    );
    // A limited admin hands out only tokens within its pipelines.
    let scoped_admin = server_token(
        &env,
        &server,
        "scoped-admin",
        &["--role", "admin", "--limit-to", "checkout"],
    );
    run(
        &env,
        Some((&server, &scoped_admin)),
        &["token", "create", "wide", "--role", "read"],
    )
    .code(1);
    server_token(
        &env,
        &server,
        "narrow",
        &["--role", "read", "--limit-to", "checkout"],
    );
    run(
        &env,
        Some((&server, &scoped_admin)),
        &[
            "token",
            "create",
            "narrow-2",
            "--role",
            "read",
            "--limit-to",
            "checkout",
        ],
    )
    .ok();
    let seen = run(
        &env,
        Some((&server, &scoped_admin)),
        &["token", "list", "--json"],
    )
    .ok()
    .json();
    let names: Vec<&str> = seen["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ci-checkout", "narrow", "narrow-2", "scoped-admin"]);
    let (status, _) = get(&client, &server, &limited, "/v1/audit");
    assert_eq!(status, 403);
    let listed = run(&env, Some((&server, &admin)), &["token", "list"])
        .ok()
        .stdout;
    assert!(
        listed.contains("checkout") && listed.contains("all"),
        "{listed}"
    );
}

/// A token made through the server with the admin token; its secret.
fn server_token(env: &TestEnv, server: &Server, name: &str, args: &[&str]) -> String {
    let mut all = vec!["token", "create", name];
    all.extend_from_slice(args);
    run(env, Some((server, &server.admin)), &all)
        .ok()
        .stdout
        .trim()
        .to_string()
}

fn a_token_create_retried_with_its_key_answers_the_same_token(database: Option<&str>) {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let server = start(&env, database);
    let client = Client::new();
    let create = |key: &str, body: &Value| {
        let response = client
            .post(format!("{}/v1/tokens", server.url))
            .bearer_auth(&server.admin)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .unwrap();
        let replayed = response.headers().contains_key("idempotent-replayed");
        (
            response.status().as_u16(),
            replayed,
            response.json::<Value>().unwrap(),
        )
    };
    let body = json!({"name": "ci", "role": "deploy"});
    let (status, replayed, first) = create("key-1", &body);
    assert_eq!((status, replayed), (200, false), "{first}");
    let (status, replayed, again) = create("key-1", &body);
    assert_eq!((status, replayed), (200, true), "{again}");
    assert_eq!(again["secret"], first["secret"]);
    assert_eq!(again["token"], first["token"]);
    // The key with another request is refused; a new key for the same name conflicts.
    let (status, _, reused) = create("key-1", &json!({"name": "ci", "role": "admin"}));
    assert_eq!(status, 400, "{reused}");
    let (status, _, _) = create("key-2", &body);
    assert_eq!(status, 409);
    // The secret works, once: one token, one audit event.
    let secret = first["secret"].as_str().unwrap();
    let (status, whoami) = get(&client, &server, secret, "/v1/whoami");
    assert_eq!((status, &whoami["name"]), (200, &json!("ci")));
    let (_, audit) = get(&client, &server, &server.admin, "/v1/audit?target=ci");
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");

    // The CLI with --idempotency-key: the same command twice prints the same secret.
    let args = [
        "token",
        "create",
        "oncall",
        "--role",
        "operator",
        "--idempotency-key",
        "run-7",
    ];
    let one = run(&env, Some((&server, &server.admin)), &args).ok().stdout;
    let two = run(&env, Some((&server, &server.admin)), &args).ok().stdout;
    assert!(one.trim().starts_with("cpt_"));
    assert_eq!(one, two);
}

fn a_revoked_token_is_refused_by_every_replica_when_revoke_returns(database: &str) {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let first = start(&env, Some(database));
    let second = Server::spawn(
        &env.path().join("replica"),
        database,
        &[],
        None,
        first.admin.clone(),
    );
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    for round in 0..5 {
        let name = format!("pager-{round}");
        let secret = server_token(&env, &first, &name, &["--role", "read"]);
        // The replica has just read (and cached) its token list with this token live.
        let (status, _) = get(&client, &second, &secret, "/v1/whoami");
        assert_eq!(status, 200, "round {round}");
        run(
            &env,
            Some((&first, &first.admin)),
            &["token", "revoke", &name],
        )
        .ok();
        // At once, on both replicas.
        for server in [&first, &second] {
            let (status, body) = get(&client, server, &secret, "/v1/pipelines/checkout/locks");
            assert_eq!(status, 401, "round {round}: {body}");
        }
        // The name stays that token's.
        let again = run(
            &env,
            Some((&second, &second.admin)),
            &["token", "create", &name, "--role", "read"],
        )
        .code(4);
        assert!(again.stderr.contains("not reused"), "{}", again.stderr);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn limited_tokens_on_sqlite() {
    a_token_limited_to_a_pipeline_reaches_no_other(None);
}

#[test]
fn limited_tokens_on_postgres() {
    a_token_limited_to_a_pipeline_reaches_no_other(Some(&fresh_database()));
}

#[test]
fn token_create_keys_on_sqlite() {
    a_token_create_retried_with_its_key_answers_the_same_token(None);
}

#[test]
fn token_create_keys_on_postgres() {
    a_token_create_retried_with_its_key_answers_the_same_token(Some(&fresh_database()));
}

#[test]
fn revocation_reaches_every_postgres_replica_before_revoke_returns() {
    a_revoked_token_is_refused_by_every_replica_when_revoke_returns(&fresh_database());
}

#[test]
fn the_server_files_are_its_owners_alone() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let server = start(&env, None);
    run(
        &env,
        Some((&server, &server.admin)),
        &["release", "create", "-q"],
    )
    .ok();
    let db = env.path().join("server/db");
    assert_eq!(mode(&db), 0o700);
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&db).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        seen.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    seen.sort();
    assert!(
        seen.iter().any(|f| f == "server.sqlite")
            && seen.iter().any(|f| f == "checkout.sqlite")
            && seen.iter().any(|f| f.ends_with("-wal")),
        "{seen:?}"
    );
    // The bootstrap token file too.
    let dir = env.path().join("bootstrap");
    let file = dir.join("admin.token");
    std::fs::create_dir_all(&dir).unwrap();
    let _fresh = Server::spawn(
        &dir,
        &format!("sqlite:{}", dir.join("db").display()),
        &["--bootstrap-token-file", &file.display().to_string()],
        None,
        String::new(),
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&dir.join("db")), 0o700);
    assert_eq!(mode(&dir.join("db/server.sqlite")), 0o600);
}

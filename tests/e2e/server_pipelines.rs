//! The server holds the pipeline (issue 11, point 1): a pipeline exists on a server only
//! once an operator registers its definition; requests for any other name are `not
//! found` and create nothing; a client whose pipeline.toml differs is refused, told the
//! server's version and how to see the difference.

use serde_json::Value;

use super::common::{Backend, SMALL_PIPELINE, TestEnv, on_backend};
use super::server_harness::Server;
use captain::server::auth::Role;

/// A TestEnv on a server that registers nothing by itself.
fn server_env() -> TestEnv {
    let mut env = None;
    on_backend(Backend::Http, || env = Some(TestEnv::new()));
    let env = env.expect("a server");
    env.manual_registration();
    env
}

fn server(env: &TestEnv) -> &Server {
    env.server.as_ref().expect("a server")
}

#[test]
fn an_unregistered_pipeline_is_not_found_and_nothing_is_created() {
    let env = server_env();
    env.init_repo(SMALL_PIPELINE);
    let status = env.run(&["status", "--json"]).code(5);
    assert!(
        status
            .stderr
            .contains("pipeline `checkout` is not registered")
            && status.stderr.contains("captain pipeline push"),
        "{}",
        status.stderr
    );
    env.run(&["release", "create"]).code(5);
    let db = server(&env).dir.join("db");
    // Many names, any route: not one ledger appears.
    let client = reqwest::blocking::Client::new();
    for n in 0..40 {
        for path in ["releases", "locks", "audit", "export", "definition"] {
            let answer = client
                .get(format!("{}/v1/pipelines/p{n}/{path}", server(&env).url))
                .bearer_auth(&server(&env).admin)
                .send()
                .expect("request");
            assert_eq!(answer.status().as_u16(), 404, "p{n}/{path}");
        }
    }
    let files: Vec<String> = std::fs::read_dir(&db)
        .expect("db dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".sqlite") && name != "server.sqlite")
        .collect();
    assert_eq!(files, Vec::<String>::new());
    // Without a token, nothing is said about which names exist.
    let anonymous = client
        .get(format!(
            "{}/v1/pipelines/checkout/releases",
            server(&env).url
        ))
        .send()
        .expect("request");
    assert_eq!(anonymous.status().as_u16(), 401);
}

#[test]
fn an_operator_registers_versions_and_a_client_that_differs_is_refused() {
    let env = server_env();
    env.init_repo(SMALL_PIPELINE);
    let server = server(&env);
    // A deploy token may not register a pipeline.
    let ci = server.token("ci", Role::Deploy, false);
    let denied = env
        .command()
        .env("CAPTAIN_TOKEN", &ci)
        .args(["pipeline", "push"])
        .output()
        .expect("run");
    assert_eq!(denied.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&denied.stderr).contains("needs role operator"));

    let pushed = env
        .run(&["pipeline", "push", "--reason", "first", "--json"])
        .ok()
        .json();
    assert_eq!(pushed["version"], 1);
    assert_eq!(pushed["created"], true);
    assert_eq!(
        pushed["digest"],
        captain::model::pipeline_digest(SMALL_PIPELINE)
    );
    // The same text again is the same version.
    let again = env.run(&["pipeline", "push", "--json"]).ok().json();
    assert_eq!(
        (again["version"].clone(), again["created"].clone()),
        (Value::from(1), Value::from(false))
    );
    env.run(&["release", "create", "-q"]).ok();
    env.run(&["status"]).ok();

    // A local edit: every command is refused with the server's version and the way out.
    let edited = SMALL_PIPELINE.replace("name = \"prod-1\"", "name = \"prod-one\"");
    std::fs::write(env.repo_path().join("pipeline.toml"), &edited).expect("write");
    let refused = env.run(&["status"]).code(4);
    assert!(
        refused
            .stderr
            .contains("differs from version 1 of pipeline `checkout`")
            && refused.stderr.contains("captain pipeline diff"),
        "{}",
        refused.stderr
    );
    env.run(&["deploy", "start", "beta", "--release", "v1"])
        .code(4);
    let diff = env.run(&["pipeline", "diff"]).ok().stdout;
    assert!(
        diff.contains("-stages = [{ name = \"prod-1\"")
            && diff.contains("+stages = [{ name = \"prod-one\""),
        "{diff}"
    );
    let diff = env.run(&["pipeline", "diff", "--json"]).ok().json();
    assert_eq!(diff["same"], false);
    assert_eq!(diff["version"], 1);

    // Pushing it makes version 2 the rule; the history says who and why.
    env.run(&["pipeline", "push", "--reason", "rename prod-1"])
        .ok();
    env.run(&["status"]).ok();
    let history = env.run(&["pipeline", "history", "--json"]).ok().json();
    let versions: Vec<(u64, String)> = history["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| {
            (
                v["version"].as_u64().unwrap_or(0),
                v["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [(2, "rename prod-1".to_string()), (1, "first".to_string())]
    );
    let shown = env.run(&["pipeline", "show", "--version", "1"]).ok().stdout;
    assert_eq!(shown.trim(), SMALL_PIPELINE.trim());
    let audit = env.run(&["audit", "--json"]).ok().json();
    let pushes = audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "pipeline.push")
        .count();
    assert_eq!(pushes, 2);

    // The list of what the server holds.
    let listed: Value = reqwest::blocking::Client::new()
        .get(format!("{}/v1/pipelines", server.url))
        .bearer_auth(&ci)
        .send()
        .expect("request")
        .json()
        .expect("json");
    assert_eq!(listed["pipelines"][0]["pipeline"], "checkout");
    assert_eq!(listed["pipelines"][0]["version"], 2);
}

#[test]
fn an_invalid_or_misnamed_definition_is_refused_and_creates_nothing() {
    let env = server_env();
    env.init_repo(SMALL_PIPELINE);
    let server = server(&env);
    let client = reqwest::blocking::Client::new();
    let push = |pipeline: &str, definition: &str| {
        client
            .post(format!("{}/v1/pipelines/{pipeline}/definition", server.url))
            .bearer_auth(&server.admin)
            .json(&serde_json::json!({ "definition": definition }))
            .send()
            .expect("request")
    };
    let invalid = push("shop", "name = \"shop\"\n[[stages]]\nnme = \"beta\"\n");
    assert_eq!(invalid.status().as_u16(), 400);
    let body: Value = invalid.json().expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("pipeline.toml of `shop` is not valid")),
        "{body}"
    );
    let misnamed = push("shop", SMALL_PIPELINE);
    assert_eq!(misnamed.status().as_u16(), 400);
    assert!(!server.dir.join("db/shop.sqlite").exists());
    let found = client
        .get(format!("{}/v1/pipelines/shop/definition", server.url))
        .bearer_auth(&server.admin)
        .send()
        .expect("request");
    assert_eq!(found.status().as_u16(), 404);
}

#[test]
fn serve_registers_the_pipelines_it_is_given_once_per_change() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("pipeline.toml");
    std::fs::write(&file, SMALL_PIPELINE).expect("write");
    let args = ["--pipeline", file.to_str().expect("path")];
    let versions = |server: &Server| -> Vec<u64> {
        let listed: Value = reqwest::blocking::Client::new()
            .get(format!(
                "{}/v1/pipelines/checkout/definition/versions",
                server.url
            ))
            .bearer_auth(&server.admin)
            .send()
            .expect("request")
            .json()
            .expect("json");
        listed["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .filter_map(|v| v["version"].as_u64())
            .collect()
    };
    let server = Server::start_with(&dir.path().join("a"), &args, None);
    assert_eq!(versions(&server), [1]);
    let admin = server.admin.clone();
    drop(server);
    let database = format!("sqlite:{}", dir.path().join("a/db").display());
    let again = Server::spawn(&dir.path().join("a"), &database, &args, None, admin.clone());
    assert_eq!(versions(&again), [1], "the same file registers nothing new");
    drop(again);
    std::fs::write(
        &file,
        SMALL_PIPELINE.replace("timezone = \"UTC\"", "timezone = \"Europe/Paris\""),
    )
    .expect("write");
    let changed = Server::spawn(&dir.path().join("a"), &database, &args, None, admin);
    assert_eq!(versions(&changed), [2, 1]);
}

/// Locally the definition is kept in the ledger file too, so `pipeline diff` works
/// against the last push wherever the ledger is.
#[test]
fn a_local_ledger_keeps_pushed_definitions_too() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    env.run(&["pipeline", "show"]).code(5);
    env.run(&["pipeline", "push"]).ok();
    let same = env.run(&["pipeline", "diff"]).ok().stdout;
    assert!(
        same.contains("is version 1 of pipeline `checkout`"),
        "{same}"
    );
}

/// The attacks the issue found: a deploy token's raw request without the approval order
/// (the old body's `promotion_check: null`), a locally edited pipeline.toml without the
/// previous stage or the blocker, and a client's clock that ends a bake early. The server
/// decides each with its own pipeline, its own alarm observations and its own clock.
#[test]
fn the_server_decides_every_rule_from_its_own_pipeline() {
    let dir = tempfile::tempdir().expect("dir");
    let org_event = dir.path().join("org-event");
    let pipeline = format!(
        r#"
name = "checkout"
trunk = "main"
timezone = "UTC"

[alarms.OrgEvent]
kind = "command"
argv = ["sh", "-c", "test ! -e {}"]

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma"]
bake_time = "1h"

[[stages]]
name = "prod"
environments = ["prod"]
blocker = 'ALARM("OrgEvent")'
"#,
        org_event.display()
    );
    let mut env = None;
    on_backend(Backend::Http, || env = Some(TestEnv::new()));
    let env = env.expect("env");
    // This server decides with its own clock, as in production.
    let admin = server(&env).admin.clone();
    let database = format!("sqlite:{}", server(&env).dir.join("db").display());
    let strict_dir = env.path().join("strict");
    let strict = Server::spawn_with(&strict_dir, &database, &[], None, admin, false);
    strict.register(&pipeline);
    env.manual_registration();
    let sandbox = env.init_repo(&pipeline);
    let ci = strict.token("ci", Role::Deploy, true);
    let cli = |args: &[&str]| -> super::common::Run {
        env.command()
            .env("CAPTAIN_STATE", &strict.url)
            .env("CAPTAIN_TOKEN", &ci)
            .env_remove("CAPTAIN_NOW")
            .args(args)
            .output()
            .expect("run")
            .into()
    };
    cli(&["release", "create", "-q"]).ok();
    let client = reqwest::blocking::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{}/v1/pipelines/checkout{path}", strict.url))
            .bearer_auth(&ci)
            .json(&body)
            .send()
            .expect("request")
    };
    let kind = |answer: reqwest::blocking::Response| -> (u16, String) {
        let status = answer.status().as_u16();
        let body: Value = answer.json().expect("json");
        (
            status,
            body["error"]["kind"].as_str().unwrap_or("").to_string(),
        )
    };
    // gamma without beta's approval, whatever the body says of the checks.
    let raw = serde_json::json!({"environment": "gamma", "stage": "gamma", "release": "v1",
        "kind": "normal", "rollback": false, "actor": "ci", "reason": null,
        "now": "2026-01-01T00:00:00Z", "started_at": "2026-01-01T00:00:00Z",
        "promotion_check": null, "previous_environments": [], "force": false});
    assert_eq!(
        kind(post("/deployments", raw.clone())),
        (423, "blocked".to_string())
    );
    // Forcing is an operator's.
    let mut forced = raw.clone();
    forced["force"] = Value::Bool(true);
    forced["reason"] = Value::String("skip it".into());
    assert_eq!(
        kind(post("/deployments", forced)),
        (403, "forbidden".to_string())
    );

    // A local pipeline.toml with only gamma and prod, no blocker: refused outright.
    std::fs::write(
        env.repo_path().join("pipeline.toml"),
        "name = \"checkout\"\ntrunk = \"main\"\n[[stages]]\nname = \"gamma\"\nenvironments = [\"gamma\"]\n[[stages]]\nname = \"prod\"\nenvironments = [\"prod\"]\n",
    )
    .expect("write");
    let refused = cli(&["deploy", "start", "gamma", "--release", "v1"]).code(4);
    assert!(
        refused.stderr.contains("differs from version 1"),
        "{}",
        refused.stderr
    );
    std::fs::write(env.repo_path().join("pipeline.toml"), &pipeline).expect("write");

    // beta approves, gamma reports approved: it bakes an hour by the server's clock,
    // whatever time the client claims.
    let id = cli(&["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout;
    cli(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    let id = cli(&["deploy", "start", "gamma", "--release", "v1", "-q"])
        .ok()
        .stdout;
    cli(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    let later = "2099-01-01T00:00:00Z";
    let bake = kind(post(
        "/stages/gamma/bake",
        serde_json::json!({"stage": "gamma", "release": null, "actor": "ci", "now": later}),
    ));
    assert_eq!(bake.0, 200);
    let baking = env
        .command()
        .env("CAPTAIN_STATE", &strict.url)
        .env("CAPTAIN_TOKEN", &ci)
        .env("CAPTAIN_NOW", later)
        .args(["bake", "gamma"])
        .output()
        .expect("run");
    assert_eq!(baking.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&baking.stdout).contains("gamma is baking v1"));
    assert_eq!(
        kind(post(
            "/deployments",
            serde_json::json!({"environment": "prod", "release": "v1",
            "rollback": false, "actor": "ci", "reason": null, "now": later, "force": false})
        )),
        (423, "blocked".to_string())
    );
    // The loop's decisions are the server's too: no raw batch of decisions is taken.
    let decisions = post("/decisions", serde_json::json!({"decisions": []}));
    assert_eq!(decisions.status().as_u16(), 404);
    let _ = sandbox;
}

/// The blocker of the server's pipeline holds, observed by the server itself, whatever
/// the client's copy says: a deploy token cannot start prod while it is in ALARM.
#[test]
fn the_servers_blocker_holds_for_a_raw_request() {
    let dir = tempfile::tempdir().expect("dir");
    let org_event = dir.path().join("org-event");
    let pipeline = format!(
        "name = \"checkout\"\ntrunk = \"main\"\n[alarms.OrgEvent]\nkind = \"command\"\nargv = [\"sh\", \"-c\", \"test ! -e {}\"]\n[[stages]]\nname = \"gamma\"\nenvironments = [\"gamma\"]\n[[stages]]\nname = \"prod\"\nenvironments = [\"prod\"]\nblocker = 'ALARM(\"OrgEvent\")'\n",
        org_event.display()
    );
    let mut env = None;
    on_backend(Backend::Http, || env = Some(TestEnv::new()));
    let env = env.expect("env");
    env.init_repo(&pipeline);
    env.run(&["release", "create", "-q"]).ok();
    let id = env
        .run(&["deploy", "start", "gamma", "--release", "v1", "-q"])
        .ok()
        .stdout;
    env.run(&["deploy", "finish", id.trim(), "--outcome", "approved"])
        .ok();
    std::fs::write(&org_event, "now\n").expect("write");
    let server = server(&env);
    let ci = server.token("ci", Role::Deploy, true);
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/v1/pipelines/checkout/deployments", server.url))
        .bearer_auth(&ci)
        .json(
            &serde_json::json!({"environment": "prod", "release": "v1", "rollback": false,
            "actor": "ci", "reason": null, "now": super::common::NOW, "force": false}),
        )
        .send()
        .expect("request");
    assert_eq!(answer.status().as_u16(), 423);
    let body: Value = answer.json().expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("blocker") && m.contains("ALARM")),
        "{body}"
    );
    std::fs::remove_file(&org_event).expect("remove");
    env.run(&["deploy", "start", "prod", "--release", "v1"])
        .ok();
}

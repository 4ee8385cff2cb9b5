//! One JSON vocabulary (issue 10, point 7): the committed schemas/ are what the binary
//! generates from the view types, and every command's real `--output json` — played
//! through a story on a real repository, against a local file and against `captain
//! serve` — validates against its schema. The schemas are held strict here: an object may
//! carry no field its schema does not name, so a field added to a view without its type
//! (or renamed in one place only) fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::common::{Backend, Run, TestEnv, hours_ago};
use crate::on_both_backends;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

const REGENERATE: &str = "regenerate them with `cargo run -- schemas schemas`";

#[test]
fn committed_schemas_are_current() {
    let env = TestEnv::local();
    let out = env.path().join("schemas");
    env.run(&["schemas", out.to_str().expect("utf-8 path")])
        .ok();
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let generated = names(&out);
    assert!(generated.contains("status.json"), "{generated:?}");
    assert_eq!(
        generated,
        names(&schemas_dir()),
        "schemas/ is stale: {REGENERATE}"
    );
    for name in &generated {
        let fresh = std::fs::read_to_string(out.join(name)).expect("generated schema");
        let committed =
            std::fs::read_to_string(schemas_dir().join(name)).expect("committed schema");
        assert!(fresh == committed, "schemas/{name} is stale: {REGENERATE}");
    }
}

/// The committed schema of `view`, made strict: every object schema that names its
/// properties admits no other (`unevaluatedProperties`, which sees through `$ref`,
/// `allOf` and `oneOf`, so flattened and tagged shapes stay valid).
fn strict_schema(view: &str) -> Value {
    let path = schemas_dir().join(format!("{view}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).expect("a schema is JSON");
    close_objects(&mut schema);
    schema
}

fn close_objects(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if object.contains_key("properties")
                && !object.contains_key("additionalProperties")
                && !object.contains_key("unevaluatedProperties")
            {
                object.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            object.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// What is wrong with `instance` as a `view`, one line per error.
fn errors(view: &str, instance: &Value) -> Vec<String> {
    let schema = strict_schema(view);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schemas/{view}.json is not a valid schema: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Asserts that `instance`, printed by `label`, is a valid `view`.
#[track_caller]
fn assert_valid(view: &str, label: &str, instance: &Value) {
    let errors = errors(view, instance);
    assert!(
        errors.is_empty(),
        "`{label}` does not match schemas/{view}.json:\n  {}\n{}",
        errors.join("\n  "),
        serde_json::to_string_pretty(instance).unwrap_or_default()
    );
}

#[test]
fn the_strict_schemas_refuse_an_old_name_a_missing_field_and_a_bad_time() {
    let env = TestEnv::local();
    env.init_repo(PIPELINE);
    env.run(&["release", "create", "-q"]).ok();
    let list = env.run(&["release", "list", "--json"]).ok().json();
    assert_valid("release-list", "release list", &list);

    let mut renamed = list.clone();
    renamed["releases"][0]["number"] = renamed["releases"][0]["release"].take();
    renamed["releases"][0]
        .as_object_mut()
        .expect("a release")
        .remove("release");
    let found = errors("release-list", &renamed).join("\n");
    assert!(found.contains("number"), "{found}");
    assert!(found.contains("release"), "{found}");

    let mut late = list.clone();
    late["releases"][0]["created_at"] = "yesterday".into();
    assert!(!errors("release-list", &late).is_empty());

    let mut numbered = list;
    numbered["releases"][0]["release"] = 1.into();
    assert!(!errors("release-list", &numbered).is_empty());
}

/// beta waits for an external approval step; gamma and the production wave follow.
const PIPELINE: &str = r#"
name = "shop"
trunk = "main"
timezone = "UTC"

[expedite]
bake_scale = 0.5
approvers = 1
allowed = ["alice"]

[defaults]
bake_time = "0s"
deploy = { argv = ["sh", "-c", "echo deploying $CAPTAIN_RELEASE to $CAPTAIN_ENVIRONMENT"], timeout = "30s" }

[[stages]]
name = "beta"
environments = ["beta"]
approvals = [{ kind = "external", name = "smoke" }]

[[stages]]
name = "gamma"
environments = ["gamma"]

[[waves]]
name = "wave-1"
stages = [{ name = "prod", environments = ["prod-1", "prod-2"] }]
"#;

fn cargo_lock(serde: &str, with_rand: bool) -> String {
    let mut text = format!(
        "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"{serde}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    );
    if with_rand {
        text.push_str("\n[[package]]\nname = \"rand\"\nversion = \"0.8.5\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n");
    }
    text
}

/// Runs the binary, checks the exit code, and validates its stdout as `view`.
struct Checker<'a> {
    env: &'a TestEnv,
    views: BTreeSet<&'static str>,
}

impl Checker<'_> {
    #[track_caller]
    fn check(&mut self, view: &'static str, code: i32, args: &[&str]) -> Value {
        let run = self.env.run(args).code(code);
        let json = run.json();
        assert_valid(view, &args.join(" "), &json);
        self.views.insert(view);
        json
    }

    /// `captain run --once --output json`: every line an event, each with its time.
    #[track_caller]
    fn run_once(&mut self) -> Vec<Value> {
        let run = self.env.run(&["run", "--once", "--output", "json"]).ok();
        let events: Vec<Value> = run
            .stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is JSON"))
            .collect();
        for event in &events {
            assert_valid("run-event", "run --once --output json", event);
            assert!(
                event["at"].is_string(),
                "an event without its time: {event}"
            );
        }
        self.views.insert("run-event");
        events
    }

    /// A failure's JSON on stderr.
    #[track_caller]
    fn check_error(&mut self, code: i32, args: &[&str]) -> Value {
        let run: Run = self.env.run(args).code(code);
        let json: Value = serde_json::from_str(run.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr of {args:?} is not JSON ({e}): {}", run.stderr));
        assert_valid("error", &args.join(" "), &json);
        self.views.insert("error");
        json
    }
}

fn newest(env: &TestEnv, environment: &str) -> String {
    let history = env.run(&["history", environment, "--json"]).ok().json();
    history["deployments"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no deployment in {environment}: {history}"))
        .to_string()
}

fn every_command_prints_json_its_schema_describes() {
    let env = TestEnv::new();
    let sandbox = env.init_repo_with(&[
        ("pipeline.toml", PIPELINE),
        ("Cargo.lock", &cargo_lock("1.0.1", false)),
    ]);
    let mut c = Checker {
        env: &env,
        views: BTreeSet::new(),
    };

    c.check("validate", 0, &["validate", "--json"]);
    std::fs::write(env.path().join("bad.toml"), "name = \"shop\"\nstages = 3\n").expect("write");
    let bad = env.path().join("bad.toml");
    let bad = bad.to_str().expect("utf-8 path");
    c.check("validate", 1, &["validate", "--pipeline", bad, "--json"]);
    c.check("plan", 0, &["plan", "--json"]);
    c.check("config", 0, &["config", "--json"]);
    c.check_error(5, &["history", "nowhere", "--json"]);

    // v1 through the loop: beta waits for its approval step, then everything takes it.
    let created = c.check(
        "release-create",
        0,
        &["release", "create", "--artifact", "image=shop@v1", "--json"],
    );
    assert_eq!(created["release"], "v1");
    let events = c.run_once();
    assert!(events.iter().any(|e| e["event"] == "started"), "{events:?}");
    assert!(events.iter().any(|e| e["event"] == "output"), "{events:?}");
    let status = c.check("status", 0, &["status", "--json"]);
    assert_eq!(status["stages"][0]["environments"][0]["state"], "verifying");
    c.check("next", 0, &["next", "beta", "--json"]);
    c.check("next-preview", 0, &["next", "beta", "--preview", "--json"]);
    c.check("gate", 3, &["gate", "gamma", "--json"]);
    let beta = newest(&env, "beta");
    c.check(
        "approve",
        0,
        &[
            "approve", &beta, "--step", "smoke", "--reason", "fine", "--json",
        ],
    );
    // v1 waits for gamma, which is locked a moment: the engine's status shows the lock
    // as every view does.
    let disabled = c.check(
        "promotions-disable",
        0,
        &[
            "promotions",
            "disable",
            "gamma",
            "--reason",
            "hold",
            "--json",
        ],
    );
    let gate = c.check("gate", 3, &["gate", "gamma", "--json"]);
    assert_eq!(gate["status"]["state"], "locked", "{gate}");
    assert_eq!(gate["status"]["lock"]["since"], disabled["since"], "{gate}");
    c.check("next", 0, &["next", "gamma", "--json"]);
    c.check(
        "promotions-enable",
        0,
        &["promotions", "enable", "gamma", "--json"],
    );
    c.run_once();
    c.check("logs", 0, &["logs", &beta, "--json"]);
    let status = c.check("status", 0, &["status", "--json"]);
    let v1 = created["commit"].as_str().expect("a commit");
    for stage in status["stages"].as_array().expect("stages") {
        for environment in stage["environments"].as_array().expect("environments") {
            assert_eq!(environment["release"], "v1", "{status}");
            assert_eq!(environment["commit"], v1, "{status}");
        }
    }

    // v2 changes a dependency and adds one; CI records it in beta and the reviewer rejects.
    sandbox
        .commit(
            &[
                ("Cargo.lock", &cargo_lock("1.0.2", true)),
                ("src/lib.rs", "pub fn two() {}\n"),
            ],
            "Bump serde, add rand",
            "Bo Chen",
            hours_ago(2),
        )
        .expect("commit");
    c.check(
        "release-create",
        0,
        &["release", "create", "--artifact", "image=shop@v2", "--json"],
    );
    let started = c.check(
        "deploy-start",
        0,
        &["deploy", "start", "beta", "--release", "v2", "--json"],
    );
    let id = started["deployment"].as_str().expect("an id").to_string();
    c.check(
        "deploy-finish",
        0,
        &["deploy", "finish", &id, "--outcome", "approved", "--json"],
    );
    c.check(
        "approve",
        0,
        &[
            "reject", &id, "--step", "smoke", "--reason", "flaky", "--json",
        ],
    );
    c.check(
        "retry",
        0,
        &["retry", "beta", "--reason", "the step flaked", "--json"],
    );
    c.check("bake", 0, &["bake", "gamma", "--json"]);

    // v2 forced into prod-1, then rolled back: the preview's dependency changes.
    let forced = c.check(
        "deploy-start",
        0,
        &[
            "deploy",
            "start",
            "prod-1",
            "--release",
            "v2",
            "--force",
            "--reason",
            "hotfix",
            "--json",
        ],
    );
    let forced = forced["deployment"].as_str().expect("an id").to_string();
    c.check(
        "deploy-finish",
        0,
        &[
            "deploy",
            "finish",
            &forced,
            "--outcome",
            "approved",
            "--json",
        ],
    );
    let rollback = c.check(
        "rollback",
        0,
        &[
            "rollback",
            "prod-1",
            "--yes",
            "--reason",
            "checkout broken",
            "--json",
        ],
    );
    let dependencies = &rollback["preview"]["changes"][0]["dependencies"];
    assert_eq!(
        dependencies,
        &serde_json::json!([
            {"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "rand", "from": "0.8.5", "to": null},
            {"lockfile": "Cargo.lock", "ecosystem": "cargo", "name": "serde", "from": "1.0.2", "to": "1.0.1"},
        ]),
        "{rollback}"
    );
    let removed = &rollback["preview"]["changes"][0]["commits_removed"][0];
    assert!(
        removed["commit"].as_str().is_some_and(|c| c.len() == 40),
        "{removed}"
    );

    // prod-1 runs v2 while its rollback to v1 is in progress.
    let diff = c.check("diff", 0, &["diff", "prod-1", "v1", "--json"]);
    assert_eq!(
        diff["changes"]["commits_removed"][0]["release"], "v2",
        "{diff}"
    );
    assert_eq!(diff["from"]["in_progress"], "v1", "{diff}");
    c.check("diff", 0, &["diff", "gamma", "v2", "--json"]);
    c.check("next-preview", 0, &["next", "gamma", "--preview", "--json"]);

    // Where everything stands.
    c.check("history", 0, &["history", "prod-1", "--json"]);
    c.check("where", 0, &["where", "HEAD", "--json"]);
    c.check("where", 0, &["where", v1, "--json"]);
    c.check("metrics", 0, &["metrics", "--json"]);
    let list = c.check("release-list", 0, &["release", "list", "--json"]);
    assert_eq!(list["releases"][0]["release"], "v2", "{list}");
    assert!(list["releases"][0].get("number").is_none(), "{list}");
    c.check("release-show", 0, &["release", "show", "v2", "--json"]);
    let blocked = c.check(
        "release-block",
        0,
        &[
            "release",
            "block",
            "v2",
            "--reason",
            "breaks checkout",
            "--json",
        ],
    );
    assert_eq!(blocked["block"]["release"], "v2", "{blocked}");
    let shown = c.check("release-show", 0, &["release", "show", "v2", "--json"]);
    assert_eq!(
        shown["block"]["since"], blocked["block"]["since"],
        "{shown}"
    );
    c.check("release-list", 0, &["release", "list", "--json"]);
    c.check("status", 0, &["status", "--json"]);
    c.check("history", 0, &["history", "beta", "--json"]);
    c.check("where", 0, &["where", "HEAD", "--json"]);
    c.check(
        "release-unblock",
        0,
        &["release", "unblock", "v2", "--reason", "fixed", "--json"],
    );
    let asked = c.check(
        "release-expedite",
        0,
        &["release", "expedite", "v2", "--reason", "urgent", "--json"],
    );
    assert_eq!(asked["missing"], 1, "{asked}");
    let frozen = c.check(
        "freeze",
        0,
        &["freeze", "--reason", "incident", "--until", "2h", "--json"],
    );
    assert_eq!(frozen["freeze"]["target"], "pipeline", "{frozen}");
    let status = c.check("status", 0, &["status", "--json"]);
    assert_eq!(status["freezes"][0]["reason"], "incident", "{status}");
    assert_eq!(
        status["stages"][0]["frozen"]["source"], "command",
        "{status}"
    );
    c.check("next", 0, &["next", "gamma", "--json"]);
    c.check("gate", 3, &["gate", "gamma", "--json"]);
    c.check(
        "unfreeze",
        0,
        &["unfreeze", "--reason", "resolved", "--json"],
    );
    let locks = c.check("promotions-list", 0, &["promotions", "list", "--json"]);
    assert_eq!(locks["locks"][0]["target"], "prod-1", "{locks}");
    c.check(
        "promotions-disable",
        0,
        &[
            "promotions",
            "disable",
            "gamma",
            "--reason",
            "freeze",
            "--json",
        ],
    );
    c.check(
        "promotions-enable",
        0,
        &["promotions", "enable", "gamma", "prod-1", "--json"],
    );
    c.check(
        "override",
        0,
        &[
            "override",
            "prod",
            "--reason",
            "the blocker is wrong",
            "--json",
        ],
    );
    c.check("audit", 0, &["audit", "--json"]);
    c.check("simulate", 0, &["simulate", "--duration", "2d", "--json"]);

    // The definition as the ledger holds it.
    c.check("pipeline-push", 0, &["pipeline", "push", "--json"]);
    c.check("pipeline-show", 0, &["pipeline", "show", "--json"]);
    c.check("pipeline-history", 0, &["pipeline", "history", "--json"]);
    c.check("pipeline-diff", 0, &["pipeline", "diff", "--json"]);

    // The whole ledger into another one.
    let export = env.run(&["state", "export"]).ok().stdout;
    let copy = env.path().join("copy.sqlite");
    let mut import = env.command();
    import
        .env("CAPTAIN_STATE", &copy)
        .env_remove("CAPTAIN_TOKEN")
        .args(["state", "import", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = import.spawn().expect("spawn import");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), export.as_bytes())
        .expect("write the export");
    let imported: Run = child.wait_with_output().expect("import runs").into();
    let imported = imported.ok();
    assert_valid("state-import", "state import", &imported.json());
    c.views.insert("state-import");

    // Tokens: the server's, or on a local ledger the server database beside it.
    let database = format!("sqlite:{}", env.path().join("server-db").display());
    let direct: Vec<&str> = match env.backend() {
        Backend::Http => Vec::new(),
        Backend::Local => vec!["--database", &database],
    };
    let with = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(|a| a.to_string())
            .chain(direct.iter().map(|a| a.to_string()))
            .collect()
    };
    let create = with(&["token", "create", "ci", "--role", "deploy", "--json"]);
    let list = with(&["token", "list", "--json"]);
    let revoke = with(&["token", "revoke", "ci", "--json"]);
    for (view, args) in [
        ("token-create", &create),
        ("token-list", &list),
        ("token-revoke", &revoke),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        c.check(view, 0, &args);
    }

    // The event log, one line per event, and the notification state.
    let events = c.env.run(&["events"]).ok();
    for line in events.stdout.lines().filter(|l| !l.trim().is_empty()) {
        let event: Value = serde_json::from_str(line).expect("each line is JSON");
        assert_valid("events", "events", &event);
    }
    c.views.insert("events");
    c.check("notify-status", 0, &["notify", "status", "--json"]);

    // Every committed schema was exercised by a real output.
    let committed: BTreeSet<String> = std::fs::read_dir(schemas_dir())
        .expect("schemas/")
        .map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.trim_end_matches(".json").to_string()
        })
        .collect();
    let checked: BTreeSet<String> = c.views.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        committed, checked,
        "a view with a schema that no command's output was checked against (or the reverse)"
    );
}

on_both_backends!(every_command_prints_json_its_schema_describes);

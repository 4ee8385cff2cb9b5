//! The CLI over HTTP: the same commands against `captain serve` give the same answers and
//! exit codes as against a local file; tokens and roles are enforced with clear errors;
//! every change is audited under the acting token.

#![allow(clippy::unwrap_used)]

use captain::server::auth::Role;
use serde_json::Value;

use super::common::{Run, SMALL_PIPELINE, TestEnv, hours_ago};
use super::server_harness::Server;

/// Runs captain in `env`, against `server` with `token` when given, else locally.
pub fn run(env: &TestEnv, server: Option<(&Server, &str)>, args: &[&str]) -> Run {
    let mut command = env.command();
    if let Some((server, token)) = server {
        command
            .env("CAPTAIN_STATE", &server.url)
            .env("CAPTAIN_TOKEN", token);
    }
    command.args(args).output().unwrap().into()
}

/// Deployment ids are random: replace them so two ledgers compare.
pub fn normalize(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("deploy-") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 7..];
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex >= 6 {
            out.push_str("deploy-ID");
        } else {
            out.push_str("deploy-");
        }
        rest = &after[hex..];
    }
    out.push_str(rest);
    out
}

/// One team's day: two releases through beta and gamma, a rollback, and the views.
pub fn a_day(
    env: &TestEnv,
    sandbox: &captain::git::sandbox::Sandbox,
    server: Option<(&Server, &str)>,
) -> Vec<String> {
    let r = |args: &[&str]| run(env, server, args);
    let mut seen = Vec::new();
    seen.push(normalize(&r(&["release", "create", "--json"]).ok().json()));
    for environment in ["beta", "gamma"] {
        let id = r(&["deploy", "start", environment, "--release", "v1", "-q"])
            .ok()
            .stdout;
        r(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    }
    sandbox
        .commit(
            &[("src/new.rs", "fn new() {}\n")],
            "Add new",
            "Bo",
            hours_ago(2),
        )
        .unwrap();
    seen.push(normalize(&r(&["release", "create", "--json"]).ok().json()));
    let id = r(&["deploy", "start", "beta", "--release", "v2", "-q"])
        .ok()
        .stdout;
    r(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    // A second start while one is in progress is a conflict on either backend.
    let id = r(&["deploy", "start", "gamma", "--release", "v2", "-q"])
        .ok()
        .stdout;
    r(&["deploy", "start", "gamma", "--release", "v2"]).code(4);
    r(&["deploy", "finish", id.trim(), "--outcome", "tests-failed"]).ok();
    seen.push(normalize(
        &r(&[
            "rollback",
            "beta",
            "--yes",
            "--reason",
            "slow checkout",
            "--json",
        ])
        .ok()
        .json(),
    ));
    // A lock blocks a deployment on either backend.
    r(&["promotions", "disable", "prod-1", "--reason", "freeze"]).ok();
    r(&["deploy", "start", "prod-1", "--release", "v1"]).code(3);
    for view in [
        vec!["status", "--json"],
        vec!["history", "beta", "--json"],
        vec!["history", "gamma", "--json"],
        vec!["where", "HEAD", "--json"],
        vec!["where", "HEAD~1", "--json"],
        vec!["release", "list", "--json"],
        vec!["release", "show", "v2", "--json"],
        vec!["promotions", "list", "--json"],
    ] {
        seen.push(normalize(&r(&view).ok().json()));
    }
    r(&["release", "show", "v9"]).code(5);
    seen
}

#[test]
fn commands_over_http_answer_as_they_do_locally() {
    let local = TestEnv::local();
    let sandbox = local.init_repo(SMALL_PIPELINE);
    let expected = a_day(&local, &sandbox, None);

    let remote = TestEnv::local();
    let sandbox = remote.init_repo(SMALL_PIPELINE);
    let server = Server::start(&remote.path().join("server"));
    server.register(SMALL_PIPELINE);
    let oncall = server.token("oncall", Role::Operator, true);
    let got = a_day(&remote, &sandbox, Some((&server, &oncall)));
    assert_eq!(got.len(), expected.len());
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(got, expected);
    }
    // The ledger is on the server, not in the client's default file.
    assert!(!remote.state_path().exists());
    let exported = run(&remote, Some((&server, &oncall)), &["state", "export"]).ok();
    assert!(exported.stdout.lines().count() > 10);
}

#[test]
fn tokens_and_roles_are_enforced_with_clear_errors() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let server = Server::start(&env.path().join("server"));
    server.register(SMALL_PIPELINE);
    let admin = server.admin.clone();
    let ci = server.token("ci", Role::Deploy, true);
    let viewer = server.token("viewer", Role::Read, false);

    // No token: refused, exit 1, and told how to fix it.
    let none = run(&env, Some((&server, "")), &["status"]).code(1);
    assert!(
        none.stderr.contains("needs an API token"),
        "{}",
        none.stderr
    );
    assert!(none.stderr.contains("CAPTAIN_TOKEN"), "{}", none.stderr);

    // CI records two releases in beta; a read token sees them but cannot roll back.
    let ci_run = |args: &[&str]| run(&env, Some((&server, &ci)), args);
    ci_run(&["release", "create", "-q"]).ok();
    let id = ci_run(&["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout;
    ci_run(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    sandbox
        .commit(
            &[("src/new.rs", "fn new() {}\n")],
            "Add new",
            "Bo",
            hours_ago(2),
        )
        .unwrap();
    ci_run(&["release", "create", "-q"]).ok();
    let id = ci_run(&["deploy", "start", "beta", "--release", "v2", "-q"])
        .ok()
        .stdout;
    ci_run(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    run(&env, Some((&server, &viewer)), &["history", "beta"]).ok();
    let denied = run(
        &env,
        Some((&server, &viewer)),
        &["rollback", "beta", "--yes", "--reason", "x"],
    )
    .code(1);
    assert!(
        denied.stderr.contains("token `viewer` has role read")
            && denied.stderr.contains("needs role operator"),
        "{}",
        denied.stderr
    );
    // Nothing was rolled back.
    let history = run(
        &env,
        Some((&server, &viewer)),
        &["history", "beta", "--json"],
    )
    .ok()
    .json();
    assert_eq!(history["deployments"].as_array().map(Vec::len), Some(2));
    let denied = run(
        &env,
        Some((&server, &viewer)),
        &["rollback", "beta", "--to", "v1", "--yes", "--reason", "x"],
    )
    .code(1);
    assert!(
        denied.stderr.contains("token `viewer` has role read")
            && denied.stderr.contains("needs role operator"),
        "{}",
        denied.stderr
    );
    let denied = run(
        &env,
        Some((&server, &ci)),
        &["promotions", "disable", "beta", "--reason", "x"],
    )
    .code(1);
    assert!(denied.stderr.contains("role deploy"), "{}", denied.stderr);
    let json = run(
        &env,
        Some((&server, &viewer)),
        &["deploy", "start", "gamma", "--release", "v2", "--json"],
    )
    .code(1);
    assert!(json.stderr.contains("\"kind\""), "{}", json.stderr);

    // Only an admin manages tokens; the CLI does it through the server.
    let refused = run(&env, Some((&server, &ci)), &["token", "list"]).code(1);
    assert!(
        refused.stderr.contains("needs role admin"),
        "{}",
        refused.stderr
    );
    let bot = run(
        &env,
        Some((&server, &admin)),
        &["token", "create", "bot", "--role", "deploy"],
    )
    .ok();
    let bot = bot.stdout.trim().to_string();
    assert!(bot.starts_with("cpt_"));
    let list = run(&env, Some((&server, &admin)), &["token", "list", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "bot", "ci", "viewer"]);
    assert!(
        !list.to_string().contains("cpt_"),
        "secrets never leave the server"
    );
    run(&env, Some((&server, &bot)), &["status", "-q"]).ok();
    run(&env, Some((&server, &admin)), &["token", "revoke", "bot"]).ok();
    let revoked = run(&env, Some((&server, &bot)), &["status"]).code(1);
    assert!(
        revoked.stderr.contains("unknown or revoked"),
        "{}",
        revoked.stderr
    );
    run(&env, Some((&server, &admin)), &["token", "revoke", "bot"]).code(5);
}

#[test]
fn a_token_without_the_role_is_refused_before_the_preview() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let server = Server::start(&env.path().join("server"));
    server.register(SMALL_PIPELINE);
    let viewer = server.token("viewer", Role::Read, false);
    let ci = server.token("ci", Role::Deploy, true);
    let oncall = server.token("oncall", Role::Operator, false);
    let ci_run = |args: &[&str]| run(&env, Some((&server, &ci)), args);
    for release in ["v1", "v2"] {
        if release == "v2" {
            sandbox
                .commit(&[("src/b.rs", "fn b() {}\n")], "Add b", "Bo", hours_ago(2))
                .unwrap();
        }
        ci_run(&["release", "create", "-q"]).ok();
        let id = ci_run(&["deploy", "start", "beta", "--release", release, "-q"])
            .ok()
            .stdout;
        ci_run(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    }

    // The token is asked about first: /v1/whoami answers its name and role.
    let me = server
        .store("-")
        .whoami()
        .unwrap()
        .expect("the server knows /v1/whoami");
    assert_eq!((me.name.as_str(), me.role), ("admin", Role::Admin));

    // A repository that cannot be opened and an environment with nothing to roll back:
    // reading either would fail differently, so the refusal comes before both.
    let pipeline = env.repo_path().join("pipeline.toml");
    let pipeline = pipeline.to_str().unwrap();
    let missing = env.path().join("no-such-repo");
    let missing = missing.to_str().unwrap();
    let args = [
        "--pipeline",
        pipeline,
        "--repo",
        missing,
        "rollback",
        "gamma",
        "--yes",
        "--reason",
        "x",
    ];
    let before = server.log().len();
    let denied = run(&env, Some((&server, &viewer)), &args).code(1);
    assert!(
        denied
            .stderr
            .contains("token `viewer` has role read and a rollback needs role operator"),
        "{}",
        denied.stderr
    );
    assert!(denied.stderr.contains("ask an admin"), "{}", denied.stderr);
    assert!(denied.stdout.is_empty(), "no preview: {}", denied.stdout);
    let requests: Vec<String> = server.log()[before..]
        .lines()
        .filter(|l| l.contains("token=viewer"))
        .map(String::from)
        .collect();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].contains("/v1/whoami"), "{requests:?}");
    // The same with JSON errors: the 403 shape, exit 1.
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let denied = run(&env, Some((&server, &viewer)), &json_args).code(1);
    let error: Value = serde_json::from_str(denied.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "error");
    // An operator gets past the role and on to the repository.
    let past = run(&env, Some((&server, &oncall)), &args).code(5);
    assert!(past.stderr.contains("no-such-repo"), "{}", past.stderr);

    // Locks too: a deploy token may not disable or enable promotions.
    for verb in [
        &["disable", "wave-2", "--reason", "x"][..],
        &["enable", "wave-2"],
    ] {
        let mut args = vec!["promotions"];
        args.extend_from_slice(verb);
        let denied = run(&env, Some((&server, &ci)), &args).code(1);
        assert!(
            denied.stderr.contains("token `ci` has role deploy")
                && denied.stderr.contains("needs role operator"),
            "{}",
            denied.stderr
        );
    }
    // A dry run only reads: a read token sees the preview.
    let preview = run(
        &env,
        Some((&server, &viewer)),
        &["rollback", "beta", "--dry-run", "--json"],
    )
    .ok()
    .json();
    assert_eq!(preview["preview"]["target"], "v1");
    // No token at all: refused at once too, saying how to set one.
    let none = run(&env, Some((&server, "")), &["promotions", "enable", "beta"]).code(1);
    assert!(
        none.stderr.contains("needs an API token"),
        "{}",
        none.stderr
    );
    assert!(none.stderr.contains("CAPTAIN_TOKEN"), "{}", none.stderr);
    assert_eq!(
        run(
            &env,
            Some((&server, &viewer)),
            &["promotions", "list", "--json"]
        )
        .ok()
        .json()["locks"],
        serde_json::json!([])
    );
}

#[test]
fn every_change_is_audited_under_the_acting_token() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let server = Server::start(&env.path().join("server"));
    server.register(SMALL_PIPELINE);
    // Not delegating: its changes carry its own name, whatever the client claims.
    let pager = server.token("pager", Role::Operator, false);
    let ci = server.token("ci", Role::Deploy, true);
    run(&env, Some((&server, &ci)), &["release", "create", "-q"]).ok();
    run(
        &env,
        Some((&server, &pager)),
        &["promotions", "disable", "prod-1", "--reason", "incident 42"],
    )
    .ok();
    let id = run(
        &env,
        Some((&server, &pager)),
        &["deploy", "start", "beta", "--release", "v1", "-q"],
    )
    .ok()
    .stdout;
    run(
        &env,
        Some((&server, &ci)),
        &["deploy", "finish", id.trim(), "--outcome", "approved"],
    )
    .ok();

    let all = run(&env, Some((&server, &pager)), &["audit", "--json"])
        .ok()
        .json();
    let events: Vec<(String, String)> = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Token changes are audited too, by the admin who made them (the first admin token
    // by whoever ran `token create --database` on the server's machine).
    let (tokens, events): (Vec<_>, Vec<_>) = events
        .into_iter()
        .partition(|(a, _)| a.starts_with("token."));
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    assert!(tokens.contains(&("token.create".to_string(), "admin".to_string())));
    let created = run(
        &env,
        Some((&server, &pager)),
        &["audit", "--actor", "admin", "--json"],
    )
    .ok()
    .json();
    let targets: Vec<&str> = created["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["target"].as_str())
        .collect();
    assert_eq!(targets, ["ci", "pager"]);
    assert_eq!(
        events,
        [
            // The harness registered the pipeline's definition, as an operator would.
            ("pipeline.push".to_string(), "test-harness".to_string()),
            // The finish's pass records the stage's approval, as the loop would.
            ("stage.approved".to_string(), "tester".to_string()),
            ("deployment.finish".to_string(), "tester".to_string()),
            ("deployment.start".to_string(), "pager".to_string()),
            ("lock.set".to_string(), "pager".to_string()),
            ("release.create".to_string(), "tester".to_string()),
        ]
    );
    let by_pager = run(
        &env,
        Some((&server, &pager)),
        &["audit", "--actor", "pager", "--json"],
    )
    .ok()
    .json();
    assert_eq!(by_pager["events"].as_array().map(Vec::len), Some(2));
    let prod = run(
        &env,
        Some((&server, &pager)),
        &["audit", "--environment", "prod-1"],
    )
    .ok()
    .stdout;
    assert!(
        prod.contains("lock.set") && prod.contains("incident 42") && !prod.contains("deployment"),
        "{prod}"
    );
    let beta = run(
        &env,
        Some((&server, &pager)),
        &["audit", "--environment", "beta", "--limit", "2", "--json"],
    )
    .ok()
    .json();
    // The stage beta approves with its one environment's finish, in the same pass.
    assert_eq!(beta["events"][0]["action"], "stage.approved");
    assert_eq!(beta["events"][1]["action"], "deployment.finish");
    // Revoking is audited with its reason.
    let mut revoke = env.command();
    revoke
        .env("CAPTAIN_STATE", &server.url)
        .env("CAPTAIN_TOKEN", &server.admin)
        .args(["token", "revoke", "pager", "--reason", "rotated"]);
    let revoked: super::common::Run = revoke.output().unwrap().into();
    revoked.ok();
    let last = run(
        &env,
        Some((&server, &ci)),
        &["audit", "--limit", "1", "--json"],
    )
    .ok()
    .json();
    assert_eq!(last["events"][0]["action"], "token.revoke");
    assert_eq!(last["events"][0]["target"], "pager");
    assert_eq!(last["events"][0]["reason"], "rotated");
    // The same command works on a local file.
    let local = TestEnv::local();
    local.init_repo(SMALL_PIPELINE);
    run(&local, None, &["release", "create", "-q"]).ok();
    let local_audit = run(&local, None, &["audit", "--json"]).ok().json();
    assert_eq!(local_audit["events"][0]["actor"], "tester");
    // The server logged each request with its token's name.
    let log = server.log();
    assert!(
        log.contains("token=pager") && log.contains("status=200"),
        "{log}"
    );
}

/// The requests `serve.log` shows after `before` bytes of it: (method, path).
fn requests_since(server: &Server, before: usize) -> Vec<String> {
    let log = server.log();
    log[before.min(log.len())..]
        .lines()
        .filter(|line| line.contains("method="))
        .filter_map(|line| {
            let field = |name: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(name))
                    .map(str::to_string)
            };
            Some(format!("{} {}", field("method=")?, field("path=")?))
        })
        .collect()
}

/// Issue 16: over a team server, each view is one request the server builds from the
/// definition it holds (building it from store calls was a dozen round trips for
/// `status`, which made it slower than the 10 ms the large case allows).
#[test]
fn each_view_over_http_is_one_request() {
    let env = TestEnv::local();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let server = Server::start(&env.path().join("server"));
    server.register(SMALL_PIPELINE);
    let oncall = server.token("oncall", Role::Operator, true);
    let r = |args: &[&str]| run(&env, Some((&server, &oncall)), args);
    let head = sandbox
        .commit(&[("src/a.rs", "fn a() {}\n")], "Add a", "Bo", hours_ago(1))
        .unwrap();
    r(&["release", "create"]).ok();
    let id = r(&["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout;
    r(&["deploy", "finish", id.trim(), "--outcome", "approved"]).ok();
    r(&["deploy", "start", "gamma", "--release", "v1"]).ok();
    for (args, path) in [
        (vec!["status"], "/v1/pipelines/checkout/views/status"),
        (
            vec!["history", "beta", "--limit", "5"],
            "/v1/pipelines/checkout/views/history/beta",
        ),
        (
            vec!["where", "HEAD"],
            &*format!("/v1/pipelines/checkout/views/where/{head}"),
        ),
    ] {
        // The log line of the last request may land a moment after the answer.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let before = server.log().len();
        let out = r(&args).ok();
        assert!(out.stdout.contains("v1"), "{args:?}: {}", out.stdout);
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(
            requests_since(&server, before),
            vec![format!("GET {path}")],
            "{args:?}"
        );
    }
}

//! Every command behaves the same on either backend (SPEC §5): the CI mode (`next`,
//! `gate`, `approve`, `reject`), `run --once`, `logs` and `audit` are played once against
//! a local file and once against `captain serve`, and every exit code, stdout and stderr
//! must be the same — the server is a thin skin over the same store.

#![allow(clippy::unwrap_used)]

use serde_json::Value;

use super::common::{Backend, Run, TestEnv, hours_ago, on_backend};

/// beta has an external approval step; a failure in gamma rolls back automatically.
const PIPELINE: &str = r#"
name = "web"
trunk = "main"
timezone = "UTC"

[defaults]
bake_time = "0s"
deploy = { argv = ["sh", "-c", "echo deploying $CAPTAIN_RELEASE to $CAPTAIN_ENVIRONMENT"], timeout = "30s" }

[[stages]]
name = "beta"
environments = ["beta"]
approvals = [{ kind = "external", name = "security-review" }]

[[stages]]
name = "gamma"
environments = ["gamma"]
auto_rollback = true
approvals = [{ kind = "external", name = "smoke" }]
"#;

/// Deployment ids and pids are random and log lines carry the real clock (times with a
/// fraction of a second; the pinned clock has none): replace them.
fn normalize(text: &str) -> String {
    let text = real_times(text);
    let text = pids(&text);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("deploy-") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 7..];
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        out.push_str(if hex >= 6 { "deploy-ID" } else { "deploy-" });
        rest = &after[hex..];
    }
    out.push_str(rest);
    out
}

/// "pid 123" in messages, `"pid": 123` in JSON (the loop's process in `status`), and the
/// audit events' `"seq": 12` (a server's ledger starts with the registration of its
/// pipeline definition).
fn pids(text: &str) -> String {
    ["pid ", "\"pid\": ", "\"seq\": "]
        .iter()
        .fold(text.to_string(), |text, before| {
            let mut out = String::new();
            let mut rest = text.as_str();
            while let Some(at) = rest.find(before) {
                out.push_str(&rest[..at + before.len()]);
                let after = &rest[at + before.len()..];
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                out.push_str(if digits > 0 { "N" } else { "" });
                rest = &after[digits..];
            }
            out.push_str(rest);
            out
        })
}

fn real_times(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let shape = b"dddd-dd-ddTdd:dd:dd.";
    while i < bytes.len() {
        let matches = bytes.len() >= i + shape.len()
            && shape.iter().enumerate().all(|(k, &c)| {
                let b = bytes[i + k];
                if c == b'd' {
                    b.is_ascii_digit()
                } else {
                    b == c
                }
            });
        if matches {
            let mut end = i + shape.len();
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            out.push_str("TIME");
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The newest deployment id in `environment`.
fn newest(env: &TestEnv, environment: &str) -> String {
    let history = env.run(&["history", environment, "--json"]).ok().json();
    let entries = history
        .as_array()
        .or_else(|| history["deployments"].as_array())
        .cloned()
        .unwrap_or_default();
    let first = entries.first().cloned().unwrap_or(Value::Null);
    first["id"]
        .as_str()
        .or_else(|| first["deployment"]["id"].as_str())
        .unwrap_or_else(|| panic!("no deployment in {environment}: {history}"))
        .to_string()
}

/// The CI mode and the loop through two releases; returns what each command answered.
fn story() -> Vec<(String, i32, String, String)> {
    let env = TestEnv::new();
    let sandbox = env.init_repo(PIPELINE);
    let mut seen = Vec::new();
    // On a server an approval is the token's own name, never a claimed actor: the story
    // runs there with a token named as the local actor is.
    let token = env
        .server
        .as_ref()
        .map(|s| s.token("tester", captain::server::auth::Role::Admin, false));
    let mut run = |label: &str, args: &[&str]| -> Run {
        let mut command = env.command();
        if let Some(token) = &token {
            command.env("CAPTAIN_TOKEN", token);
        }
        let run: Run = command.args(args).output().expect("run captain").into();
        seen.push((
            label.to_string(),
            run.code,
            normalize(&run.stdout),
            normalize(&run.stderr),
        ));
        run
    };
    run("release", &["release", "create", "--json"]).ok();
    run("next beta", &["next", "beta", "--json"]).ok();
    run("next beta table", &["next", "beta"]).ok();
    run("gate beta", &["gate", "beta"]).ok();
    run("gate gamma", &["gate", "gamma"]).code(3);
    run("gate gamma json", &["gate", "gamma", "--json"]).code(3);
    run("next gamma", &["next", "gamma", "--json"]).ok();
    run("next unknown", &["next", "gama"]).code(5);
    run("run once", &["run", "--once"]).ok();
    run("status", &["status", "--json"]).ok();
    let beta = newest(&env, "beta");
    run("wrong step", &["approve", &beta, "--step", "smoke"]);
    run(
        "unknown deployment",
        &["approve", "deploy-000000", "--step", "security-review"],
    );
    run(
        "approve",
        &[
            "approve",
            &beta,
            "--step",
            "security-review",
            "--reason",
            "looked",
        ],
    )
    .ok();
    run(
        "approve again",
        &[
            "approve",
            &beta,
            "--step",
            "security-review",
            "--reason",
            "looked",
        ],
    );
    run(
        "reject after approve",
        &[
            "reject",
            &beta,
            "--step",
            "security-review",
            "--reason",
            "no",
        ],
    );
    run("run once 2", &["run", "--once"]).ok();
    run("next gamma 2", &["next", "gamma", "--json"]).ok();
    let gamma = newest(&env, "gamma");
    run(
        "approve gamma",
        &["approve", &gamma, "--step", "smoke", "--json"],
    )
    .ok();
    run("run once 3", &["run", "--once", "--json"]);
    run("logs", &["logs", &beta]).ok();
    run("logs json", &["logs", &beta, "--json"]).ok();
    run("logs unknown", &["logs", "deploy-000000"]).code(5);

    sandbox
        .commit(&[("src/b.rs", "fn b() {}\n")], "Add b", "Bo", hours_ago(1))
        .unwrap();
    run("release 2", &["release", "create", "-q"]).ok();
    run("run once 4", &["run", "--once"]).ok();
    let beta2 = newest(&env, "beta");
    run(
        "approve 2",
        &["approve", &beta2, "--step", "security-review"],
    )
    .ok();
    run("run once 5", &["run", "--once"]).ok();
    let gamma2 = newest(&env, "gamma");
    run(
        "reject gamma",
        &[
            "reject",
            &gamma2,
            "--step",
            "smoke",
            "--reason",
            "checkout broken",
        ],
    )
    .ok();
    run(
        "reject without reason",
        &["reject", &gamma2, "--step", "smoke"],
    );
    run("run once 6", &["run", "--once"]).ok();
    run("gate gamma 3", &["gate", "gamma", "--json"]);
    run("status 2", &["status", "--json"]).ok();
    run("history gamma", &["history", "gamma", "--json"]).ok();
    run("logs rollback", &["logs", &newest(&env, "gamma")]).ok();
    // A server also audits its tokens (not a ledger change): compare the ledger's.
    run("audit", &["audit", "--actor", "tester", "--json"]).ok();
    run("audit table", &["audit", "--environment", "gamma"]);
    seen
}

#[test]
fn the_ci_mode_and_the_loop_answer_the_same_on_both_backends() {
    let mut local = Vec::new();
    let mut http = Vec::new();
    std::thread::scope(|scope| {
        scope.spawn(|| on_backend(Backend::Local, || local = story()));
        scope.spawn(|| on_backend(Backend::Http, || http = story()));
    });
    assert_eq!(local.len(), http.len());
    for (local, http) in local.iter().zip(&http) {
        assert_eq!(local, http, "`{}` differs (local, then http)", local.0);
    }
}

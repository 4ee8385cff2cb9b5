//! Incidents at the size of a wave: `captain rollback`, `promotions disable` and
//! `promotions enable` take several targets — environments, stages (their environments)
//! and waves (their stages' environments) — list what they cover, print only the result
//! with `--quiet`, and `promotions enable STAGE` after a rollback lifts the locks the
//! rollback set on the stage's environments (and says what remains, exit 3).

use serde_json::{Value, json};

use super::common::{TestEnv, hours_ago};
use super::rollback_preview::deploy;

/// Stage names that are no environment's, so a stage means the whole stage.
pub const PIPELINE: &str = r#"
name = "shop"
trunk = "main"
timezone = "UTC"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma-1", "gamma-2"]

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1a", "prod-1b"] }]

[[waves]]
name = "wave-2"
stages = [
  { name = "prod-2", environments = ["prod-2a"] },
  { name = "prod-3", environments = ["prod-3a", "prod-3b"] },
]
"#;

/// v1 then v2 approved in every environment but prod-3b, which nothing has reached.
pub fn setup() -> TestEnv {
    let env = TestEnv::new();
    let repo = env.init_repo(PIPELINE);
    env.run_at(hours_ago(50), &["release", "create", "-q"]).ok();
    repo.commit(
        &[("src/a.rs", "fn a() {}\n")],
        "Add a",
        "Ana Lima",
        hours_ago(45),
    )
    .expect("commit");
    env.run_at(hours_ago(40), &["release", "create", "-q"]).ok();
    let mut clock = 39;
    for release in ["v1", "v2"] {
        for environment in [
            "beta", "gamma-1", "gamma-2", "prod-1a", "prod-1b", "prod-2a", "prod-3a",
        ] {
            deploy(&env, clock, environment, release, "approved");
        }
        clock -= 2;
    }
    env
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v}"))
                .to_string()
        })
        .collect()
}

fn plans(preview: &Value) -> Vec<String> {
    preview["environments"]
        .as_array()
        .expect("environments")
        .iter()
        .map(|p| p["environment"].as_str().expect("name").to_string())
        .collect()
}

fn locks(env: &TestEnv) -> Vec<(String, String, String)> {
    env.run(&["promotions", "list", "--json"]).ok().json()["locks"]
        .as_array()
        .expect("locks")
        .iter()
        .map(|l| {
            let field = |name: &str| l[name].as_str().expect("text").to_string();
            (field("target_kind"), field("target"), field("direction"))
        })
        .collect()
}

fn lock(kind: &str, target: &str, direction: &str) -> (String, String, String) {
    (kind.to_string(), target.to_string(), direction.to_string())
}

fn a_rollback_covers_stages_and_waves_grouped_as_given() {
    let env = setup();
    let out = env
        .run(&[
            "rollback",
            "wave-2",
            "gamma-1",
            "gamma",
            "--dry-run",
            "--json",
        ])
        .ok()
        .json();
    let preview = &out["preview"];
    let targets: Vec<(String, String)> = preview["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().expect("name").to_string(),
                t["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        vec![
            ("wave-2".into(), "wave".into()),
            ("gamma-1".into(), "environment".into()),
            ("gamma".into(), "stage".into()),
        ]
    );
    assert_eq!(
        strings(&preview["targets"][0]["environments"]),
        ["prod-2a", "prod-3a", "prod-3b"]
    );
    // Target by target, each environment once; prod-3b has nothing to roll back.
    assert_eq!(plans(preview), ["prod-2a", "prod-3a", "gamma-1", "gamma-2"]);
    assert_eq!(strings(&preview["not_deployed"]), ["prod-3b"]);
    assert_eq!(preview["target"], "v1");

    // The table lists every environment covered under the target that brought it.
    let text = env
        .run(&["rollback", "wave-2", "gamma-1", "gamma", "--dry-run"])
        .ok()
        .stdout;
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("target"))
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec![
                "target",
                "environment",
                "now",
                "goes",
                "back",
                "to",
                "cancels"
            ],
            vec!["wave-2", "prod-2a", "v2", "v1"],
            vec!["prod-3a", "v2", "v1"],
            vec!["prod-3b", "-", "stays:", "nothing", "deployed"],
            vec!["gamma-1", "gamma-1", "v2", "v1"],
            vec!["gamma", "gamma-2", "v2", "v1"],
        ],
        "{text}"
    );

    // A whole stage and a wave in one go, then every environment is locked.
    let out = env
        .run(&[
            "rollback", "prod-1", "wave-2", "--yes", "--reason", "5xx", "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        strings(&out["result"]["locked"]),
        ["prod-1a", "prod-1b", "prod-2a", "prod-3a"]
    );
    let started = out["result"]["deployments"].as_array().expect("started");
    assert!(
        started
            .iter()
            .all(|d| d["release"] == "v1" && d["kind"] == "rollback")
    );

    // An environment named directly must have something to roll back; an unknown name
    // gets a suggestion over environments, stages and waves.
    let run = env.run(&["rollback", "prod-3b", "--dry-run"]).code(5);
    assert!(run.stderr.contains("prod-3b"), "{}", run.stderr);
    let run = env.run(&["rollback", "wave-22", "--dry-run"]).code(5);
    assert!(
        run.stderr.contains("did you mean `wave-2`"),
        "{}",
        run.stderr
    );
    let run = env.run(&["rollback", "gama", "--dry-run"]).code(5);
    assert!(
        run.stderr.contains("did you mean `gamma`"),
        "{}",
        run.stderr
    );
}

fn quiet_prints_only_the_result() {
    let env = setup();
    // Without a terminal, --yes is still needed; -q changes nothing there.
    let run = env.run(&["rollback", "gamma", "-q"]).code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let run = env
        .run(&["rollback", "gamma", "--yes", "-q", "--reason", "5xx"])
        .ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let lines: Vec<Vec<&str>> = run.stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    for (line, environment) in lines.iter().zip(["gamma-1", "gamma-2"]) {
        assert!(line[0].starts_with("deploy-"), "{}", run.stdout);
        assert_eq!(&line[1..], [environment, "v1"], "{}", run.stdout);
    }
    // The ids printed are the rollback deployments in progress.
    let history = env.run(&["history", "gamma-2", "--json"]).ok().json();
    assert_eq!(history["deployments"][0]["id"], lines[1][0]);
    assert_eq!(history["deployments"][0]["kind"], "rollback");

    // Without -q the same command says more on stderr.
    let run = env
        .run(&[
            "promotions",
            "disable",
            "wave-1",
            "--reason",
            "freeze",
            "-q",
        ])
        .ok();
    assert_eq!(
        run.stdout,
        "promotions into and out of stage prod-1 are disabled: freeze\n"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let run = env
        .run(&["promotions", "enable", "wave-1", "gamma", "-q"])
        .ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let lifted: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lifted.len(), 3, "{}", run.stdout);
    assert!(lifted[0].starts_with("promotions into and out of stage prod-1 are enabled"));
    assert!(lifted[1].starts_with("promotions into and out of environment gamma-1 are enabled"));
    // Nothing left to lift: nothing on stdout with -q, a note without.
    let run = env.run(&["promotions", "enable", "gamma", "-q"]).ok();
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    let run = env.run(&["promotions", "enable", "gamma"]).ok();
    assert!(run.stderr.contains("nothing changed"), "{}", run.stderr);
}

fn enabling_a_stage_after_a_rollback_lifts_the_locks_of_its_environments() {
    let env = setup();
    // The regression: rollback two environments of a stage, enable the stage.
    let out = env
        .run(&[
            "rollback", "gamma-1", "gamma-2", "--yes", "--reason", "5xx", "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        locks(&env),
        [
            lock("environment", "gamma-1", "both"),
            lock("environment", "gamma-2", "both"),
        ]
    );
    let enabled = env
        .run(&[
            "promotions",
            "enable",
            "gamma",
            "--reason",
            "fixed",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(enabled["lifted"], true);
    assert_eq!(enabled["remaining"], json!([]));
    assert_eq!(locks(&env), []);
    let audit = env.run(&["audit", "--json"]).ok().json();
    let removed: Vec<&str> = audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "lock.remove")
        .map(|e| e["target"].as_str().expect("target"))
        .collect();
    assert_eq!(removed, ["gamma-2", "gamma-1"], "newest first");

    // The rollbacks finish; v2 may come back once the stage is enabled.
    for d in out["result"]["deployments"].as_array().expect("started") {
        let id = d["deployment"].as_str().expect("id");
        env.run(&["deploy", "finish", id, "--outcome", "approved"])
            .ok();
    }

    // One direction asked: the other half of the rollback's locks remains, and the
    // command names it and exits 3.
    env.run(&["rollback", "prod-3", "--yes", "--reason", "latency"])
        .ok();
    let run = env
        .run(&["promotions", "enable", "prod-3", "--direction", "in"])
        .code(3);
    assert!(
        run.stdout
            .contains("promotions into environment prod-3a are enabled"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("still disabled")
            && run.stderr.contains("out of environment prod-3a (by tester")
            && !run.stderr.contains("prod-3b"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("captain promotions enable prod-3 --direction out"),
        "{}",
        run.stderr
    );
    assert_eq!(locks(&env), [lock("environment", "prod-3a", "out")]);
    env.run(&["promotions", "enable", "prod-3", "--direction", "out"])
        .ok();
    assert_eq!(locks(&env), []);
}

fn a_wave_locks_and_unlocks_its_stages() {
    let env = setup();
    let out = env
        .run(&[
            "promotions",
            "disable",
            "wave-2",
            "beta",
            "--direction",
            "in",
            "--reason",
            "freeze",
            "--json",
        ])
        .ok()
        .json();
    // The first lock's fields as one target has always printed them, then all of them.
    assert_eq!(out["target"], "prod-2");
    assert_eq!(out["target_kind"], "stage");
    assert_eq!(out["locks"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        locks(&env),
        [
            lock("environment", "beta", "in"),
            lock("stage", "prod-2", "in"),
            lock("stage", "prod-3", "in"),
        ]
    );
    // A stage lock stops promotions into each of its environments.
    let run = env
        .run(&["deploy", "start", "prod-3b", "--release", "v2"])
        .code(3);
    assert!(run.stderr.contains("prod-3"), "{}", run.stderr);

    let run = env.run(&["promotions", "enable", "wave-2", "--json"]).ok();
    let out = run.json();
    assert_eq!(out["target"], "wave-2");
    assert_eq!(out["target_kind"], "wave");
    assert_eq!(
        strings(&out["targets"][0]["environments"]),
        ["prod-2a", "prod-3a", "prod-3b"]
    );
    assert_eq!(out["locks_lifted"].as_array().map(Vec::len), Some(2));
    assert_eq!(locks(&env), [lock("environment", "beta", "in")]);
    let run = env
        .run(&["promotions", "disable", "wave-2x", "--reason", "x"])
        .code(5);
    assert!(
        run.stderr.contains("did you mean `wave-2`"),
        "{}",
        run.stderr
    );
    assert_eq!(locks(&env).len(), 1, "nothing set when a name is unknown");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    a_rollback_covers_stages_and_waves_grouped_as_given,
    quiet_prints_only_the_result,
    enabling_a_stage_after_a_rollback_lifts_the_locks_of_its_environments,
    a_wave_locks_and_unlocks_its_stages,
);

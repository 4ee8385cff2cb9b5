//! `captain validate` beyond the file (the trunk against the repository, the programs
//! against this machine) and `captain init` writing the repository's own trunk.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use captain::git::sandbox::Sandbox;

use super::common::{SMALL_PIPELINE, TestEnv, hours_ago};

fn write_program(path: &Path, mode: u32) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("dir");
    }
    std::fs::write(path, "#!/bin/sh\nexit 0\n").expect("write program");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn problems(env: &TestEnv, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["validate", "--json"];
    all.extend_from_slice(args);
    let run = env.run(&all).code(1);
    let json = run.json();
    assert_eq!(json["valid"], false);
    json["problems"].as_array().cloned().unwrap_or_default()
}

#[test]
fn validate_says_when_the_trunk_is_no_branch_of_the_repository() {
    let env = TestEnv::new();
    env.init_repo(&SMALL_PIPELINE.replace("trunk = \"main\"", "trunk = \"mian\""));
    let run = env.run(&["validate"]).code(1);
    assert!(
        run.stdout.contains(
            "pipeline.toml:3:9: `trunk` names `mian`, which is no branch of the repository at"
        ) && run.stdout.contains("did you mean `main`?"),
        "{}",
        run.stdout
    );

    // Without a repository around, nothing is said about the trunk.
    let elsewhere = env.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    std::fs::copy(
        env.repo_path().join("pipeline.toml"),
        elsewhere.join("pipeline.toml"),
    )
    .expect("copy");
    let run: super::common::Run = env
        .command()
        .current_dir(&elsewhere)
        .arg("validate")
        .output()
        .expect("validate")
        .into();
    run.ok();

    // A remote-tracking branch is a branch; so is the default `main` left unset…
    let env = TestEnv::new();
    env.init_repo(&SMALL_PIPELINE.replace("trunk = \"main\"\n", ""));
    env.run(&["validate"]).ok();
    // … but not in a repository whose branch is `master`: said at the top of the file.
    let env = TestEnv::new();
    let sandbox = Sandbox::init(&env.repo_path(), "master").expect("init");
    sandbox
        .commit(
            &[(
                "pipeline.toml",
                &SMALL_PIPELINE.replace("trunk = \"main\"\n", ""),
            )],
            "First commit",
            "Ana Lima",
            hours_ago(10),
        )
        .expect("commit");
    let found = problems(&env, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (&found[0]["line"], &found[0]["column"]),
        (&1.into(), &1.into())
    );
    assert!(
        found[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`trunk` is not set, and its default `main`")),
        "{found:?}"
    );
    assert!(
        found[0]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("master")),
        "{found:?}"
    );
}

const PROGRAMS_PIPELINE: &str = r#"name = "checkout"
trunk = "main"

[alarms.Canary]
kind = "command"
argv = ["./alarms/canary.sh"]

[defaults]
deploy = { argv = ["./deploy.sh", "{environment}"] }

[[stages]]
name = "beta"
environments = ["beta"]
approvals = [{ kind = "command", argv = ["./checks/smoke.sh"] }]

[[stages]]
name = "gamma"
environments = ["gamma"]
approvals = [{ kind = "command", argv = ["no-such-program-for-captain"] }, { kind = "command", argv = ["sh", "-c", "true"] }]

[[waves]]
name = "wave-1"
stages = [{ name = "prod", environments = ["prod"], deploy = { argv = ["./deploy-{environment}.sh"] } }]
"#;

#[test]
fn validate_reports_programs_that_are_missing_or_not_executable() {
    let env = TestEnv::new();
    env.init_repo(PROGRAMS_PIPELINE);
    write_program(&env.repo_path().join("checks/smoke.sh"), 0o644);
    let found = problems(&env, &[]);
    let shown: Vec<(u64, u64, &str)> = found
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap_or(0),
                p["column"].as_u64().unwrap_or(0),
                p["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let repo = env.repo_path();
    assert_eq!(
        shown,
        vec![
            (
                6,
                9,
                format!(
                    "alarm program `./alarms/canary.sh` does not exist: there is no {}",
                    repo.join("alarms/canary.sh").display()
                )
                .as_str()
            ),
            (
                9,
                20,
                format!(
                    "deploy program `./deploy.sh` does not exist: there is no {}",
                    repo.join("deploy.sh").display()
                )
                .as_str()
            ),
            (
                14,
                42,
                format!(
                    "approval program `./checks/smoke.sh` is not executable ({})",
                    repo.join("checks/smoke.sh").display()
                )
                .as_str()
            ),
            (
                19,
                42,
                "approval program `no-such-program-for-captain` is not on PATH"
            ),
        ]
    );
    assert!(
        found[2]["hint"]
            .as_str()
            .is_some_and(|h| h.starts_with("make it executable: chmod +x ")),
        "{found:?}"
    );
    assert!(
        found[1]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("pipeline file's directory")),
        "{found:?}"
    );

    // Fixed, the rest is valid; a program with placeholders is left to the run.
    write_program(&repo.join("alarms/canary.sh"), 0o755);
    write_program(&repo.join("deploy.sh"), 0o755);
    write_program(&repo.join("checks/smoke.sh"), 0o755);
    std::fs::write(
        repo.join("pipeline.toml"),
        PROGRAMS_PIPELINE.replace("no-such-program-for-captain", "true"),
    )
    .expect("write");
    env.run(&["validate"]).ok();

    // Relative paths start at the pipeline file's directory, wherever captain runs.
    let sub = env.path().join("ops");
    std::fs::create_dir_all(&sub).expect("dir");
    std::fs::rename(repo.join("pipeline.toml"), sub.join("pipeline.toml")).expect("move");
    let pipeline = sub.join("pipeline.toml").display().to_string();
    let found = problems(&env, &["--pipeline", &pipeline]);
    assert_eq!(found.len(), 3, "{found:?}");
    for dir in ["alarms", "checks"] {
        std::fs::rename(repo.join(dir), sub.join(dir)).expect("move");
    }
    std::fs::rename(repo.join("deploy.sh"), sub.join("deploy.sh")).expect("move");
    env.run(&["validate", "--pipeline", &pipeline]).ok();
}

#[test]
fn init_writes_the_repositorys_default_branch_as_trunk() {
    let env = TestEnv::new();
    let sandbox = Sandbox::init(&env.repo_path(), "develop").expect("init");
    sandbox
        .commit(
            &[("README.md", "hi\n")],
            "First commit",
            "Ana Lima",
            hours_ago(10),
        )
        .expect("commit");
    env.run(&["init", "--template", "minimal"]).ok();
    let written = std::fs::read_to_string(env.repo_path().join("pipeline.toml")).expect("read");
    assert!(written.contains("\ntrunk = \"develop\"\n"), "{written}");
    let plan = env.run(&["plan", "--json"]).ok().json();
    assert!(plan["stages"].as_array().is_some_and(|s| !s.is_empty()));

    // A detached CI clone: origin/HEAD names the default branch.
    let clone = env.path().join("ci");
    let status = env
        .program("git")
        .args([
            "clone",
            "--quiet",
            &format!("file://{}", env.repo_path().display()),
            &clone.display().to_string(),
        ])
        .status()
        .expect("git clone");
    assert!(status.success());
    let status = env
        .program("git")
        .args(["checkout", "--quiet", "--detach"])
        .current_dir(&clone)
        .status()
        .expect("git checkout");
    assert!(status.success());
    env.run(&[
        "--repo",
        &clone.display().to_string(),
        "init",
        "--template",
        "minimal",
    ])
    .ok();
    let written = std::fs::read_to_string(clone.join("pipeline.toml")).expect("read");
    assert!(written.contains("\ntrunk = \"develop\"\n"), "{written}");

    // A repository without commits yet: the branch HEAD names, which validate accepts.
    let env = TestEnv::new();
    Sandbox::init(&env.repo_path(), "trunk").expect("init");
    env.run(&["init", "--template", "minimal"]).ok();
    let written = std::fs::read_to_string(env.repo_path().join("pipeline.toml")).expect("read");
    assert!(written.contains("\ntrunk = \"trunk\"\n"), "{written}");
    for script in ["deploy.sh", "integration-tests.sh"] {
        write_program(&env.repo_path().join(script), 0o755);
    }
    env.run(&["validate"]).ok();
}

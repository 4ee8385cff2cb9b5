//! `captain run --once` under cron (issue 10, point 6): a round that ends cleanly hands
//! its bakes to the next round without anything logged as interrupted, and a round in
//! which a deployment failed exits 6.

use super::common::{TestEnv, now};
use crate::on_both_backends;

const PIPELINE: &str = r#"
name = "shop"
trunk = "main"
timezone = "UTC"

[defaults]
deploy = { argv = ["./deploy.sh"] }

[[stages]]
name = "beta"
environments = ["beta"]
bake_time = "1h"

[[stages]]
name = "prod"
environments = ["prod"]
"#;

fn at(minutes: i64) -> captain::model::Timestamp {
    now()
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .expect("time")
}

fn setup(script: &str) -> TestEnv {
    let env = TestEnv::new();
    env.init_repo_with(&[("pipeline.toml", PIPELINE), ("deploy.sh", script)]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        env.repo_path().join("deploy.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    env.run_at(at(0), &["release", "create", "-q"]).ok();
    env
}

fn a_clean_round_hands_its_bakes_to_the_next_one() {
    let env = setup("#!/bin/sh\nexit 0\n");
    env.run_at(at(0), &["run", "--once", "-q"]).ok();
    let status = env.run_at(at(1), &["status", "--json"]).ok().json();
    let beta = &status["stages"][0]["environments"][0];
    assert_eq!(beta["state"], "baking", "{status:#}");
    let id = beta["deployment"]
        .as_str()
        .expect("in progress")
        .to_string();
    // Nobody owns it between rounds.
    let phases = env
        .store("shop")
        .deployment_phases(&[captain::model::DeploymentId(id.clone())])
        .expect("phases");
    assert_eq!(phases[0].as_ref().and_then(|p| p.runner.clone()), None);

    let round = env.run_at(at(30), &["run", "--once", "--json"]).ok();
    assert!(!round.stdout.contains("interrupted"), "{}", round.stdout);
    env.run_at(at(61), &["run", "--once", "-q"]).ok();
    let log = env.run(&["logs", &id]).ok().stdout;
    assert!(!log.contains("interrupted"), "{log}");
    let history = env.run(&["history", "prod", "--json"]).ok().json();
    assert_eq!(
        history["deployments"][0]["outcome"], "approved",
        "{history:#}"
    );
}

fn a_round_with_a_failed_deployment_exits_6() {
    let env = setup("#!/bin/sh\necho broken >&2\nexit 1\n");
    let round = env.run_at(at(0), &["run", "--once", "-q"]).code(6);
    assert!(
        round.stderr.is_empty() || !round.stderr.contains("error:"),
        "{}",
        round.stderr
    );
    // Nothing more fails in the next round: it exits 0.
    env.run_at(at(1), &["run", "--once", "-q"]).ok();
}

/// A deploy command's output is printed before the note that it exited: the lines were
/// printed when the round stored them, after the note whenever the command wrote and
/// exited between two polls (the backends' CLI comparison saw both orders).
fn a_command_s_output_comes_before_the_note_of_its_exit() {
    let env = setup("#!/bin/sh\necho shipping\nexit 0\n");
    let round = env.run_at(at(0), &["run", "--once"]).ok();
    let output = round.stdout.find("| shipping");
    let exit = round.stdout.find("the deploy command exited with status 0");
    assert!(
        matches!((output, exit), (Some(o), Some(e)) if o < e),
        "{}",
        round.stdout
    );
}

on_both_backends!(
    a_clean_round_hands_its_bakes_to_the_next_one,
    a_round_with_a_failed_deployment_exits_6,
    a_command_s_output_comes_before_the_note_of_its_exit,
);

//! `captain run` end to end: a temporary repository deploying to local directories (a new
//! directory per deployment and a `current` symlink switch), killed with SIGKILL at random
//! points and restarted many times with the invariants of SPEC §1 checked from the ledger
//! after each kill; and a release failed by an Alertmanager alert during bake and rolled
//! back automatically, against a real Prometheus and Alertmanager.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use captain::model::{Deployment, DeploymentKind, Outcome, ReleaseNumber};
use captain::store::LedgerRecord;

use crate::common::{TestEnv, now};
use crate::exec_services::{alertmanager, post_alert, prometheus};

/// Creates a new directory per deployment and switches `current` to it; says whether it
/// was a rollback. Takes 50–300 ms so kills land in the middle of deploys.
const DEPLOY_SCRIPT: &str = r#"#!/bin/sh
set -e
root="$DEPLOY_ROOT/$CAPTAIN_ENVIRONMENT"
mkdir -p "$root"
dir="$root/$CAPTAIN_RELEASE-$CAPTAIN_DEPLOYMENT_ID"
mkdir "$dir"
echo "$CAPTAIN_RELEASE rollback=$CAPTAIN_ROLLBACK" > "$dir/RELEASE"
n=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
sleep "$(printf '0.%03d' $((50 + n)))"
ln -sfn "$dir" "$root/current.new"
mv -T "$root/current.new" "$root/current"
echo "deployed $CAPTAIN_RELEASE to $CAPTAIN_ENVIRONMENT rollback=$CAPTAIN_ROLLBACK"
"#;

fn pipeline(deploy_root: &Path, extra: &str) -> String {
    format!(
        r#"
name = "shop"
trunk = "main"
timezone = "UTC"
{extra}

[defaults]
bake_time = "0s"
deploy = {{ argv = ["./deploy.sh"], timeout = "30s", env = {{ DEPLOY_ROOT = "{}" }} }}

[[stages]]
name = "beta"
environments = ["beta"]
approvals = [{{ kind = "command", argv = ["true"] }}]

[[stages]]
name = "gamma"
environments = ["gamma-1", "gamma-2"]

[[waves]]
name = "wave-1"
stages = [{{ name = "prod-1", environments = ["prod-1a", "prod-1b"] }}]
"#,
        deploy_root.display()
    )
}

const ENVIRONMENTS: [&str; 5] = ["beta", "gamma-1", "gamma-2", "prod-1a", "prod-1b"];

fn setup(env: &TestEnv, extra: &str) -> captain::git::sandbox::Sandbox {
    let root = env.path().join("envs");
    let sandbox = env.init_repo_with(&[
        ("pipeline.toml", &pipeline(&root, extra)),
        ("deploy.sh", DEPLOY_SCRIPT),
    ]);
    make_executable(&env.repo_path().join("deploy.sh"));
    env.run(&["release", "create"]).ok();
    sandbox
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn new_release(env: &TestEnv, sandbox: &captain::git::sandbox::Sandbox, n: usize) {
    sandbox
        .commit(
            &[(&format!("src/file{n}.txt"), &format!("change {n}\n"))],
            &format!("Change {n}"),
            "Ana Lima",
            now(),
        )
        .expect("commit");
    env.run(&["release", "create"]).ok();
}

/// `captain run` on the real clock, quiet.
fn spawn_run(env: &TestEnv) -> Child {
    env.command()
        .env_remove("CAPTAIN_NOW")
        .args(["run", "--interval", "0.05"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start captain run")
}

fn deployments(env: &TestEnv) -> Vec<Deployment> {
    let store = env.store("shop");
    let mut out = Vec::new();
    store
        .export(&mut |record| {
            if let LedgerRecord::Deployment { deployment } = record {
                out.push(deployment);
            }
            Ok(())
        })
        .expect("export");
    out
}

/// SPEC §1's invariants over the ledger; `deployments` are in start order.
fn check_invariants(deployments: &[Deployment], stages: &[(&str, &[&str])]) {
    // Never started twice: a normal deployment of a release into an environment happens
    // once; and an environment never has two deployments in progress.
    let mut seen = BTreeSet::new();
    let mut in_progress: BTreeMap<&str, usize> = BTreeMap::new();
    for d in deployments {
        if d.kind == DeploymentKind::Normal {
            assert!(
                seen.insert((d.environment.clone(), d.release)),
                "{} started twice in {}: {deployments:#?}",
                d.release,
                d.environment
            );
        }
        if d.outcome == Outcome::InProgress {
            *in_progress.entry(&d.environment).or_default() += 1;
        }
    }
    assert!(
        in_progress.values().all(|n| *n <= 1),
        "two deployments in progress in one environment: {in_progress:?}"
    );
    // Releases only move forward (rollbacks aside).
    let mut newest: BTreeMap<&str, ReleaseNumber> = BTreeMap::new();
    for d in deployments
        .iter()
        .filter(|d| d.kind == DeploymentKind::Normal)
    {
        if let Some(before) = newest.get(d.environment.as_str()) {
            assert!(
                d.release > *before,
                "{} went back from {before} to {} without a rollback",
                d.environment,
                d.release
            );
        }
        newest.insert(&d.environment, d.release);
    }
    // A release reaches stage N+1 only after every environment of stage N approved it.
    for pair in stages.windows(2) {
        let (previous, stage) = (pair[0], pair[1]);
        for d in deployments
            .iter()
            .filter(|d| d.stage == stage.0 && d.kind == DeploymentKind::Normal)
        {
            for env in previous.1 {
                let approved = deployments.iter().any(|p| {
                    p.environment == *env
                        && p.release == d.release
                        && p.outcome == Outcome::Approved
                        && p.finished_at.is_some_and(|f| f <= d.started_at)
                });
                assert!(
                    approved,
                    "{} entered {} before {env} approved it",
                    d.release, stage.0
                );
            }
        }
    }
}

const STAGES: [(&str, &[&str]); 3] = [
    ("beta", &["beta"]),
    ("gamma", &["gamma-1", "gamma-2"]),
    ("prod-1", &["prod-1a", "prod-1b"]),
];

/// Waits until every environment's current release is `release`, checking the
/// invariants on the way.
fn converge(env: &TestEnv, release: ReleaseNumber, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let all = deployments(env);
        check_invariants(&all, &STAGES);
        let current = |e: &str| {
            all.iter()
                .rfind(|d| d.environment == e && d.outcome.reached())
                .map(|d| d.release)
        };
        if ENVIRONMENTS.iter().all(|e| current(e) == Some(release)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{release} did not reach every environment: {:?}",
            ENVIRONMENTS.map(|e| (e, current(e)))
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn killed_at_random_points_it_never_deploys_twice_and_converges() {
    let env = TestEnv::new();
    let sandbox = setup(&env, "");
    let started = Instant::now();
    let iterations = 100; // SPEC §6: killed at random points and restarted 100 times
    let mut releases = 1;
    let mut rng_state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = |bound: u64| {
        // xorshift: reproducible, no extra dependency.
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        rng_state % bound
    };
    for iteration in 0..iterations {
        if iteration % 6 == 0 {
            releases += 1;
            new_release(&env, &sandbox, releases);
        }
        let mut child = spawn_run(&env);
        std::thread::sleep(Duration::from_millis(20 + random(400)));
        child.kill().expect("SIGKILL captain run");
        child.wait().expect("reap captain run");
        check_invariants(&deployments(&env), &STAGES);
    }
    let killed_in = started.elapsed();

    // Left alone, the loop finishes what the kills left and the newest release (one made
    // after the last kill) reaches every environment.
    releases += 1;
    new_release(&env, &sandbox, releases);
    let mut child = spawn_run(&env);
    converge(
        &env,
        ReleaseNumber(releases as u64),
        Duration::from_secs(60),
    );
    child.kill().expect("stop captain run");
    child.wait().expect("reap");
    let all = deployments(&env);
    check_invariants(&all, &STAGES);
    // The kills did interrupt deploys, and those were finished, not left hanging.
    let interrupted = all
        .iter()
        .filter(|d| d.outcome == Outcome::DeployFailed)
        .count();
    eprintln!(
        "{iterations} kills in {killed_in:?}; {} deployments, {interrupted} interrupted deploys finished as failed",
        all.len()
    );
    assert!(all.len() >= 3 * ENVIRONMENTS.len());
    // Each `current` symlink points at the final release's directory.
    for e in ENVIRONMENTS {
        let target = std::fs::read_link(env.path().join("envs").join(e).join("current"))
            .expect("current symlink");
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(name.starts_with(&format!("v{releases}-")), "{e}: {name}");
    }
}

fn run_until(env: &TestEnv, what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = env;
}

/// Both prod-1 environments have a deployment in progress in its bake phase.
fn prod_baking(env: &TestEnv) -> bool {
    let store = env.store("shop");
    let states = store
        .environment_states(&["prod-1a".to_string(), "prod-1b".to_string()])
        .expect("states");
    let ids: Vec<_> = states
        .iter()
        .filter_map(|s| s.in_progress.as_ref().map(|d| d.id.clone()))
        .collect();
    ids.len() == 2
        && store
            .deployment_phases(&ids)
            .expect("phases")
            .iter()
            .all(|p| {
                p.as_ref()
                    .is_some_and(|p| matches!(p.phase, captain::engine::Phase::Baking { .. }))
            })
}

fn an_alert_during_bake_fails_the_release_and_rolls_back() {
    let Some(alerts) = alertmanager() else { return };
    let Some(metrics) = prometheus() else { return };
    // prod-1 bakes long enough for the alert to land, watches an Alertmanager alarm,
    // passes a Prometheus approval step first, and rolls back on its own (production).
    let extra = format!(
        r#"
[alarms.Checkout]
kind = "alertmanager"
url = "{am}"
alertname = "CheckoutErrors"

[overrides."prod-1"]
bake_time = "1h"
rollback_alarm = 'ALARM("Checkout")'
approvals = [{{ kind = "prometheus", url = "{prom}", query = 'vector(0)' }}]
"#,
        am = alerts.url,
        prom = metrics.url
    );
    let env = TestEnv::new();
    let sandbox = setup(&env, &extra);
    let mut child = spawn_run(&env);
    let current_of = |e: &str| -> Option<String> {
        let link = std::fs::read_link(env.path().join("envs").join(e).join("current")).ok()?;
        Some(link.file_name()?.to_str()?.to_string())
    };
    // v1 flows through every stage and bakes in prod-1 (bake time 1h: never approved).
    run_until(&env, "v1 baking in prod", Duration::from_secs(60), || {
        prod_baking(&env)
    });
    assert!(current_of("prod-1a").is_some_and(|c| c.starts_with("v1-")));
    // Approve v1 in prod by hand: stop the loop, end the bake as approved (forced: a
    // plain `deploy finish --outcome approved` leaves a bake to run its course).
    child.kill().expect("stop");
    child.wait().expect("reap");
    let status = env.run(&["status", "--json"]).ok().json();
    let prod = status["stages"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "prod-1"))
        .expect("prod-1 in status")
        .clone();
    for e in prod["environments"].as_array().expect("environments") {
        assert_eq!(e["state"], "baking", "{status:#}");
        let id = e["deployment"].as_str().expect("deployment in progress");
        env.run(&[
            "deploy",
            "finish",
            id,
            "--outcome",
            "approved",
            "--force",
            "--reason",
            "approved by hand to end the test's long bake",
        ])
        .ok();
    }
    // v2 reaches prod and bakes; then the alert fires.
    new_release(&env, &sandbox, 2);
    let mut child = spawn_run(&env);
    run_until(&env, "v2 in prod", Duration::from_secs(60), || {
        ["prod-1a", "prod-1b"]
            .iter()
            .all(|e| current_of(e).is_some_and(|c| c.starts_with("v2-")))
    });
    run_until(&env, "v2 baking in prod", Duration::from_secs(30), || {
        prod_baking(&env)
    });
    let status = env.run(&["status"]).ok();
    assert!(status.stdout.contains("baking v2"), "{}", status.stdout);
    post_alert(&alerts.url, &[("alertname", "CheckoutErrors")]);
    // The alarm fails v2 in prod-1 and both environments go back to v1 as rollbacks.
    run_until(&env, "rollback to v1", Duration::from_secs(60), || {
        ["prod-1a", "prod-1b"]
            .iter()
            .all(|e| current_of(e).is_some_and(|c| c.starts_with("v1-")))
            && deployments(&env)
                .iter()
                .filter(|d| d.kind == DeploymentKind::Rollback && d.outcome == Outcome::Approved)
                .count()
                == 2
    });
    child.kill().expect("stop");
    child.wait().expect("reap");
    let all = deployments(&env);
    for e in ["prod-1a", "prod-1b"] {
        let v2 = all
            .iter()
            .find(|d| d.environment == e && d.release == ReleaseNumber(2))
            .expect("v2 deployed");
        assert_eq!(v2.outcome, Outcome::AlarmFired, "{e}");
        let rollback = all
            .iter()
            .find(|d| d.environment == e && d.kind == DeploymentKind::Rollback)
            .expect("a rollback");
        assert_eq!(rollback.release, ReleaseNumber(1));
        // The deploy script saw CAPTAIN_ROLLBACK=1 and switched the symlink back to a new
        // directory of v1.
        let dir = env
            .path()
            .join("envs")
            .join(e)
            .join(format!("v1-{}", rollback.id));
        let text = std::fs::read_to_string(dir.join("RELEASE")).expect("RELEASE");
        assert_eq!(text.trim(), "v1 rollback=1");
        let current =
            std::fs::read_link(env.path().join("envs").join(e).join("current")).expect("current");
        assert_eq!(current, dir);
        // The log tells the story.
        let logs = env.run(&["logs", &rollback.id.0]).ok().stdout;
        assert!(logs.contains("deployed v1 to"), "{logs}");
        assert!(logs.contains("rollback=1"), "{logs}");
        let failed = env.run(&["logs", &v2.id.0]).ok().stdout;
        assert!(failed.contains("alarm fired"), "{failed}");
    }
    check_invariants(&all, &STAGES);
    // gamma and beta keep v2: only the failing stage rolled back.
    for e in ["beta", "gamma-1", "gamma-2"] {
        assert!(current_of(e).is_some_and(|c| c.starts_with("v2-")), "{e}");
    }
}

/// The first time, kills the loop that started it (its parent) with SIGKILL, often before
/// the loop wrote down its pid in the ledger or told its reaper (only shell built-ins run
/// before the kill), and then would keep running: the leftover of a loop killed in the
/// middle of starting a deploy. Later deploys succeed at once.
const DEPLOY_KILLING_ITS_LOOP: &str = r#"#!/bin/sh
[ -e "$DEPLOY_ROOT/killed-once" ] && exit 0
: > "$DEPLOY_ROOT/killed-once"
echo $$ > "$DEPLOY_ROOT/leftover.pid"
kill -9 $PPID
exec sleep 120
"#;

fn a_deploy_left_by_a_killed_loop_is_stopped_and_counted_as_failed() {
    let env = TestEnv::new();
    let _sandbox = setup(&env, "");
    let script = env.repo_path().join("deploy.sh");
    std::fs::write(&script, DEPLOY_KILLING_ITS_LOOP).expect("write deploy.sh");
    make_executable(&script);
    std::fs::create_dir_all(env.path().join("envs")).expect("mkdir envs");
    let mut first = spawn_run(&env);
    let deadline = Instant::now() + Duration::from_secs(30);
    while first.try_wait().expect("poll captain run").is_none() {
        assert!(
            Instant::now() < deadline,
            "the deploy never killed its loop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid_file = env.path().join("envs").join("leftover.pid");
    let leftover: u32 = std::fs::read_to_string(&pid_file)
        .expect("the deploy wrote its pid")
        .trim()
        .parse()
        .expect("a pid");
    // The loop's reaper stops the deploy at once, without waiting for a loop to start again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while captain::exec::process_alive(leftover, None) {
        assert!(
            Instant::now() < deadline,
            "the deploy {leftover} outlived its loop by 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut second = spawn_run(&env);
    run_until(
        &env,
        "the interrupted deploy finished as failed",
        Duration::from_secs(30),
        || {
            deployments(&env)
                .iter()
                .any(|d| d.environment == "beta" && d.outcome == Outcome::DeployFailed)
        },
    );
    second.kill().expect("stop captain run");
    second.wait().expect("reap");
    let failed = deployments(&env)
        .into_iter()
        .find(|d| d.environment == "beta" && d.outcome == Outcome::DeployFailed)
        .expect("the failed deploy");
    let log = env.run(&["logs", &failed.id.0]).ok().stdout;
    assert!(log.contains("the runner was interrupted"), "{log}");
    assert!(log.contains("counted as failed"), "{log}");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    killed_at_random_points_it_never_deploys_twice_and_converges,
    an_alert_during_bake_fails_the_release_and_rolls_back,
    a_deploy_left_by_a_killed_loop_is_stopped_and_counted_as_failed,
);

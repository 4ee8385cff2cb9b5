//! `captain status` at scale: narrowed to environments, stages and waves; the locks column
//! saying who and since when (the reason in JSON and `promotions list`); and a deployment
//! whose `captain run` died saying so.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use captain::model::Timestamp;

use super::common::{TestEnv, now};
use super::rollback_targets::setup;

fn minutes_ago(minutes: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() - minutes * 60).expect("in range")
}

/// (stage, its environments) as the JSON lists them.
fn shape(status: &Value) -> Vec<(String, Vec<String>)> {
    status["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| {
            let environments = s["environments"]
                .as_array()
                .expect("environments")
                .iter()
                .map(|e| e["name"].as_str().expect("name").to_string())
                .collect();
            (s["name"].as_str().expect("name").to_string(), environments)
        })
        .collect()
}

fn stage(name: &str, environments: &[&str]) -> (String, Vec<String>) {
    (
        name.to_string(),
        environments.iter().map(|e| e.to_string()).collect(),
    )
}

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

fn targets_narrow_the_view_and_keep_its_shape() {
    let env = setup();
    let all = env.run(&["status", "--json"]).ok().json();
    assert_eq!(shape(&all).len(), 5);

    let wave = env.run(&["status", "wave-2", "--json"]).ok().json();
    assert_eq!(keys(&wave), keys(&all));
    assert_eq!(
        shape(&wave),
        [
            stage("prod-2", &["prod-2a"]),
            stage("prod-3", &["prod-3a", "prod-3b"])
        ]
    );
    assert_eq!(keys(&wave["stages"][1]), keys(&all["stages"][4]));
    assert_eq!(
        keys(&wave["stages"][1]["environments"][0]),
        keys(&all["stages"][4]["environments"][0])
    );
    // prod-3b never got anything, and prod-3 waits for v2 as in the whole view.
    assert_eq!(wave["stages"][1]["waiting"], all["stages"][4]["waiting"]);

    // Several targets of every kind, shown in pipeline order, each environment once.
    let some = env
        .run(&["status", "prod-3b", "gamma", "gamma-1", "beta", "--json"])
        .ok()
        .json();
    assert_eq!(
        shape(&some),
        [
            stage("beta", &["beta"]),
            stage("gamma", &["gamma-1", "gamma-2"]),
            stage("prod-3", &["prod-3b"]),
        ]
    );
    let text = env.run(&["status", "prod-1"]).ok().stdout;
    assert!(
        text.contains("prod-1a") && text.contains("prod-1b"),
        "{text}"
    );
    assert!(
        !text.contains("gamma") && !text.contains("prod-2a"),
        "{text}"
    );

    let run = env.run(&["status", "wave-22"]).code(5);
    assert!(
        run.stderr.contains("did you mean `wave-2`"),
        "{}",
        run.stderr
    );
}

fn the_locks_column_says_who_and_since_when() {
    let env = setup();
    env.run_at(
        minutes_ago(3),
        &[
            "promotions",
            "disable",
            "prod-1a",
            "--direction",
            "in",
            "--reason",
            "bad canary",
        ],
    )
    .ok();
    env.run_at(
        minutes_ago(120),
        &[
            "promotions",
            "disable",
            "prod-1",
            "--reason",
            "change freeze",
        ],
    )
    .ok();
    let text = env.run(&["status", "wave-1"]).ok().stdout;
    let row = text
        .lines()
        .find(|l| l.contains("prod-1a"))
        .unwrap_or_else(|| panic!("no prod-1a row:\n{text}"));
    assert!(
        row.contains("in: tester, 3m ago; stage in+out: tester, 2h ago"),
        "{text}"
    );
    assert!(
        !text.contains("bad canary"),
        "the reason is not in the table:\n{text}"
    );

    // The reason is in the JSON and in `promotions list`.
    let json = env.run(&["status", "prod-1a", "--json"]).ok().json();
    let lock = &json["stages"][0]["environments"][0]["locks"][0];
    assert_eq!(lock["reason"], "bad canary");
    assert_eq!(lock["actor"], "tester");
    assert_eq!(lock["direction"], "in");
    assert_eq!(json["stages"][0]["locks"][0]["reason"], "change freeze");
    let list = env.run(&["promotions", "list"]).ok().stdout;
    assert!(
        list.contains("bad canary") && list.contains("change freeze"),
        "{list}"
    );
}

/// Says where it runs, then takes its time (until the test kills it).
const SLOW_DEPLOY: &str = r#"#!/bin/sh
echo $$ > "$DEPLOY_ROOT/deploy.pid"
exec sleep 120
"#;

fn slow_pipeline(root: &Path) -> String {
    format!(
        r#"
name = "shop"
trunk = "main"
timezone = "UTC"

[defaults]
deploy = {{ argv = ["./deploy.sh"], timeout = "5m", env = {{ DEPLOY_ROOT = "{}" }} }}

[[stages]]
name = "beta"
environments = ["beta"]
"#,
        root.display()
    )
}

/// The reaper `captain run` (pid `loop_pid`) started: its marks begin with that pid.
fn reaper_of(loop_pid: u32) -> Option<i32> {
    let marks = format!("{loop_pid}.");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_reaper = args.get(1) == Some(&&b"__captain-reaper"[..])
                && args.get(3).is_some_and(|m| m.starts_with(marks.as_bytes()));
            is_reaper.then_some(pid)
        })
}

fn sigkill(pid: i32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// Kills a process the test left running, however the test ends.
struct KillOnDrop(i32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        sigkill(self.0);
    }
}

fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn a_deployment_whose_runner_died_says_so() {
    let env = TestEnv::new();
    let root = env.path().join("envs");
    std::fs::create_dir_all(&root).expect("mkdir");
    env.init_repo_with(&[
        ("pipeline.toml", &slow_pipeline(&root)),
        ("deploy.sh", SLOW_DEPLOY),
    ]);
    {
        use std::os::unix::fs::PermissionsExt;
        let script = env.repo_path().join("deploy.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    env.run(&["release", "create", "-q"]).ok();
    let mut runner: Child = env
        .command()
        .env_remove("CAPTAIN_NOW")
        .args(["run", "--interval", "0.05"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start captain run");
    let pid_file = root.join("deploy.pid");
    let deploy: i32 = wait_for("the deploy to start", || {
        std::fs::read_to_string(&pid_file).ok()?.trim().parse().ok()
    });
    let _deploy = KillOnDrop(deploy);
    let reaper = wait_for("the loop's reaper", || reaper_of(runner.id()));
    // Three minutes later, on the real clock.
    let later = Timestamp::from_second(Timestamp::now().as_second() + 180).expect("in range");
    let status = |args: &[&str]| {
        env.command()
            .env("CAPTAIN_NOW", later.to_string())
            .arg("status")
            .args(args)
            .output()
            .expect("run captain status")
    };

    // While the loop runs, nothing is said.
    let alive: Value = serde_json::from_slice(&status(&["--json"]).stdout).expect("JSON");
    let beta = &alive["stages"][0]["environments"][0];
    assert_eq!(beta["state"], "deploying");
    assert_eq!(beta["runner"]["pid"], runner.id());
    assert_eq!(beta["runner"]["alive"], true);
    let text = String::from_utf8_lossy(&status(&[]).stdout).into_owned();
    assert!(
        text.contains("deploying v1") && !text.contains("runner gone"),
        "{text}"
    );

    // The loop and its reaper die at once: the deploy command is left running and the
    // deployment in progress, owned by a dead loop.
    sigkill(reaper);
    runner.kill().expect("SIGKILL captain run");
    runner.wait().expect("reap captain run");
    wait_for("the reaper to die", || {
        (!captain::exec::process_alive(reaper as u32, None)).then_some(())
    });

    let dead: Value = serde_json::from_slice(&status(&["--json"]).stdout).expect("JSON");
    let beta = &dead["stages"][0]["environments"][0];
    assert_eq!(beta["state"], "deploying");
    assert_eq!(beta["deploying"], "v1");
    assert_eq!(beta["runner"]["alive"], false);
    assert_eq!(beta["runner"]["pid"], runner.id());
    assert!(beta["runner"]["host"].is_string());
    let text = String::from_utf8_lossy(&status(&[]).stdout).into_owned();
    assert!(text.contains("deploying v1, runner gone 3m"), "{text}");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    targets_narrow_the_view_and_keep_its_shape,
    the_locks_column_says_who_and_since_when,
    a_deployment_whose_runner_died_says_so,
);

//! The command runner against real child processes: shell scripts written to a temporary
//! directory and run as argv (the script's own `#!/bin/sh` is the only shell).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use captain::config::Environment;
use captain::config::{AlarmKind, AlarmSource, ApprovalKind, ApprovalStep, DeployCommand};
use captain::exec::{
    AlarmState, CaptainVars, CommandSpec, Probes, RunOutcome, Running, StepContext, StepResult,
    alarm_state, deploy_spec, kill_process_tree, process_alive, run, run_approval_step,
};
use captain::model::{DeploymentId, ReleaseNumber};
use captain::store::LogLine;

/// Writes an executable `#!/bin/sh` script.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn spec(path: &Path, timeout: Duration) -> CommandSpec {
    CommandSpec::new(vec![path.display().to_string()], timeout)
}

fn collect(spec: &CommandSpec) -> (RunOutcome, Vec<LogLine>) {
    let mut lines = Vec::new();
    let outcome = run(spec, &mut |line| lines.push(line));
    (outcome, lines)
}

fn texts<'a>(lines: &'a [LogLine], stream: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter(|l| l.stream == stream)
        .map(|l| l.text.as_str())
        .collect()
}

/// Waits up to 10 s for a process to be gone (a killed orphan may need a moment).
fn gone_soon(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if !process_alive(pid, None) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Reads a pid a script wrote, waiting for the file to appear.
fn read_pid(path: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn deploy_command_gets_captain_variables_and_rendered_arguments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = script(
        dir.path(),
        "deploy.sh",
        r#"echo "args=$*"
for v in CAPTAIN_RELEASE CAPTAIN_COMMIT CAPTAIN_ENVIRONMENT CAPTAIN_STAGE \
         CAPTAIN_DEPLOYMENT_ID CAPTAIN_ROLLBACK CAPTAIN_ARTIFACT_WEB_IMAGE TARGET; do
  eval "echo $v=\$$v"
done
echo "cwd=$(pwd)""#,
    );
    let environment = Environment {
        name: "prod-eu-1a".to_string(),
        labels: BTreeMap::from([("region", "eu".to_string())]),
    };
    let command = DeployCommand {
        argv: vec![
            path.display().to_string(),
            "{environment}".to_string(),
            "region={region}".to_string(),
        ],
        timeout: Duration::from_secs(30),
        env: BTreeMap::from([("TARGET".to_string(), "/srv/{region}".to_string())]),
    };
    let vars = CaptainVars {
        release: ReleaseNumber(7),
        commit: "c".repeat(40),
        environment: "prod-eu-1a".to_string(),
        stage: "prod-eu".to_string(),
        deployment_id: Some(DeploymentId("deploy-00beef".to_string())),
        rollback: false,
        artifacts: BTreeMap::from([("web-image".to_string(), "sha256:1234".to_string())]),
    };
    let spec = deploy_spec(
        &command,
        &environment,
        &vars,
        Some(dir.path().to_path_buf()),
    );
    let (outcome, lines) = collect(&spec);
    assert_eq!(outcome, RunOutcome::Succeeded, "{lines:?}");
    let cwd = dir.path().canonicalize().expect("canonical tempdir");
    let expected = vec![
        "args=prod-eu-1a region=eu".to_string(),
        "CAPTAIN_RELEASE=v7".to_string(),
        format!("CAPTAIN_COMMIT={}", "c".repeat(40)),
        "CAPTAIN_ENVIRONMENT=prod-eu-1a".to_string(),
        "CAPTAIN_STAGE=prod-eu".to_string(),
        "CAPTAIN_DEPLOYMENT_ID=deploy-00beef".to_string(),
        "CAPTAIN_ROLLBACK=0".to_string(),
        "CAPTAIN_ARTIFACT_WEB_IMAGE=sha256:1234".to_string(),
        "TARGET=/srv/eu".to_string(),
        format!("cwd={}", cwd.display()),
    ];
    assert_eq!(texts(&lines, "stdout"), expected);
}

#[test]
fn output_is_captured_line_by_line_in_order_with_timestamps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = script(
        dir.path(),
        "chatty.sh",
        r#"i=1
while [ $i -le 500 ]; do echo "out $i"; i=$((i+1)); done
echo "err first" >&2
printf 'no newline at the end'
sleep 0.2
echo "err last" >&2
printf 'crlf\r\n' >&2"#,
    );
    let before = captain::model::Timestamp::now();
    let (outcome, lines) = collect(&spec(&path, Duration::from_secs(30)));
    assert_eq!(outcome, RunOutcome::Succeeded);
    let out = texts(&lines, "stdout");
    assert_eq!(out.len(), 501);
    for (i, text) in out.iter().take(500).enumerate() {
        assert_eq!(*text, format!("out {}", i + 1));
    }
    assert_eq!(out[500], "no newline at the end");
    assert_eq!(texts(&lines, "stderr"), ["err first", "err last", "crlf"]);
    for stream in ["stdout", "stderr"] {
        let times: Vec<_> = lines
            .iter()
            .filter(|l| l.stream == stream)
            .map(|l| l.at)
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "{stream} out of order"
        );
        assert!(times.iter().all(|t| *t >= before));
    }
    // The line printed after the pause was read after it, not at the end of the run.
    let first = lines.iter().find(|l| l.text == "err first").map(|l| l.at);
    let last = lines.iter().find(|l| l.text == "err last").map(|l| l.at);
    let gap = last
        .zip(first)
        .map(|(l, f)| l.duration_since(f).as_secs_f64());
    assert!(gap.is_some_and(|g| g >= 0.15), "gap {gap:?}");
}

#[test]
fn non_zero_exit_is_a_failure_with_its_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = script(dir.path(), "fail.sh", "echo 'disk full' >&2\nexit 3");
    let (outcome, lines) = collect(&spec(&path, Duration::from_secs(30)));
    assert_eq!(
        outcome,
        RunOutcome::Failed {
            code: Some(3),
            signal: None
        }
    );
    assert_eq!(outcome.describe(), "exited with status 3");
    assert_eq!(texts(&lines, "stderr"), ["disk full"]);
}

#[test]
fn timeout_kills_the_whole_process_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pid_file = dir.path().join("grandchild.pid");
    let path = script(
        dir.path(),
        "hang.sh",
        &format!(
            "sleep 300 &\necho $! > {}\necho started\nwait",
            pid_file.display()
        ),
    );
    let started = Instant::now();
    let (outcome, lines) = collect(&spec(&path, Duration::from_millis(700)));
    let took = started.elapsed();
    assert_eq!(
        outcome,
        RunOutcome::TimedOut {
            after: Duration::from_millis(700)
        }
    );
    // The grandchild held stdout open; killing the group closed it, so no drain wait.
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(texts(&lines, "stdout"), ["started"]);
    assert!(
        texts(&lines, "captain")
            .iter()
            .any(|t| t.contains("timed out after 700ms")),
        "{lines:?}"
    );
    let grandchild = read_pid(&pid_file);
    assert!(gone_soon(grandchild), "grandchild {grandchild} survived");
}

#[test]
fn cancel_from_another_thread_kills_the_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pid_file = dir.path().join("grandchild.pid");
    let path = script(
        dir.path(),
        "long.sh",
        &format!("sleep 300 &\necho $! > {}\nwait", pid_file.display()),
    );
    let mut running = Running::spawn(&spec(&path, Duration::from_secs(300))).expect("spawn");
    let pid = running.pid();
    let start = running.start_time();
    assert!(start.is_some(), "Linux has /proc");
    assert!(process_alive(pid, start));
    assert!(
        !process_alive(pid, start.map(|s| s + 1)),
        "another start time"
    );
    let grandchild = read_pid(&pid_file);
    let handle = running.cancel_handle();
    let canceller = std::thread::spawn(move || handle.cancel());
    let mut lines = Vec::new();
    let outcome = running.wait(&mut |l| lines.push(l));
    canceller.join().expect("cancel thread");
    assert_eq!(outcome, RunOutcome::Cancelled);
    assert!(
        texts(&lines, "captain")
            .iter()
            .any(|t| t.contains("cancelled")),
        "{lines:?}"
    );
    assert!(!process_alive(pid, start));
    assert!(gone_soon(grandchild), "grandchild {grandchild} survived");
    // Cancelling a finished command is harmless.
    running.cancel();
    assert_eq!(running.poll(&mut |_| {}), Some(RunOutcome::Cancelled));
}

#[test]
fn a_restarted_loop_can_find_and_kill_a_recorded_process_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pid_file = dir.path().join("grandchild.pid");
    let path = script(
        dir.path(),
        "deploy.sh",
        &format!("sleep 300 &\necho $! > {}\nwait", pid_file.display()),
    );
    let mut running = Running::spawn(&spec(&path, Duration::from_secs(300))).expect("spawn");
    // What a loop records in the ledger before it dies.
    let (pid, start) = (running.pid(), running.start_time());
    let grandchild = read_pid(&pid_file);
    // A new loop knows only the record.
    assert!(process_alive(pid, start));
    assert!(!kill_process_tree(pid, start.map(|s| s + 1)), "not ours");
    assert!(
        process_alive(pid, start),
        "a mismatched start time kills nothing"
    );
    assert!(kill_process_tree(pid, start));
    let outcome = running.wait(&mut |_| {});
    assert_eq!(
        outcome,
        RunOutcome::Failed {
            code: None,
            signal: Some(9)
        }
    );
    assert!(!process_alive(pid, start));
    assert!(gone_soon(grandchild));
}

#[test]
fn missing_or_unrunnable_programs_fail_to_start_with_their_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (outcome, lines) = collect(&CommandSpec::new(
        vec!["captain-no-such-program-4711".to_string(), "x".to_string()],
        Duration::from_secs(5),
    ));
    let RunOutcome::FailedToStart { message } = outcome else {
        panic!("expected FailedToStart, got {outcome:?}");
    };
    assert!(
        message.contains("no program `captain-no-such-program-4711` on PATH"),
        "{message}"
    );
    assert_eq!(lines.len(), 1, "the reason goes to the log too");

    let missing = dir.path().join("nope.sh");
    let (outcome, _) = collect(&spec(&missing, Duration::from_secs(5)));
    assert!(
        matches!(&outcome, RunOutcome::FailedToStart { message }
            if message.contains(&format!("there is no program `{}`", missing.display()))),
        "{outcome:?}"
    );

    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "hello").expect("write");
    let (outcome, _) = collect(&spec(&plain, Duration::from_secs(5)));
    assert!(
        matches!(&outcome, RunOutcome::FailedToStart { message } if message.contains("not executable")),
        "{outcome:?}"
    );

    let (outcome, _) = collect(&CommandSpec::new(Vec::new(), Duration::from_secs(5)));
    assert!(matches!(outcome, RunOutcome::FailedToStart { .. }));

    let mut in_missing_dir = CommandSpec::new(vec!["true".to_string()], Duration::from_secs(5));
    in_missing_dir.cwd = Some(dir.path().join("gone"));
    let (outcome, _) = collect(&in_missing_dir);
    assert!(
        matches!(&outcome, RunOutcome::FailedToStart { message } if message.contains("working directory")),
        "{outcome:?}"
    );
}

#[test]
fn several_commands_run_at_once_under_one_polling_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut jobs: Vec<Running> = (0..4)
        .map(|i| {
            let path = script(
                dir.path(),
                &format!("job{i}.sh"),
                &format!("echo begin {i}\nsleep 0.5\necho end {i}\nexit {i}"),
            );
            Running::spawn(&spec(&path, Duration::from_secs(30))).expect("spawn")
        })
        .collect();
    let started = Instant::now();
    let mut logs: Vec<Vec<String>> = vec![Vec::new(); jobs.len()];
    let mut outcomes: Vec<Option<RunOutcome>> = vec![None; jobs.len()];
    while outcomes.iter().any(Option::is_none) {
        assert!(started.elapsed() < Duration::from_secs(20), "stuck");
        for (i, job) in jobs.iter_mut().enumerate() {
            if outcomes[i].is_none() {
                outcomes[i] = job.poll(&mut |l| logs[i].push(l.text));
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // Four half-second jobs side by side, not one after another.
    assert!(started.elapsed() < Duration::from_millis(1800));
    for (i, outcome) in outcomes.iter().enumerate() {
        let expected = if i == 0 {
            RunOutcome::Succeeded
        } else {
            RunOutcome::Failed {
                code: Some(i as i32),
                signal: None,
            }
        };
        assert_eq!(outcome.as_ref(), Some(&expected));
        assert_eq!(logs[i], [format!("begin {i}"), format!("end {i}")]);
    }
}

#[test]
fn a_background_process_holding_the_output_does_not_hang_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pid_file = dir.path().join("daemon.pid");
    let path = script(
        dir.path(),
        "daemonize.sh",
        &format!(
            "sleep 300 &\necho $! > {}\necho deployed",
            pid_file.display()
        ),
    );
    let started = Instant::now();
    let mut running = Running::spawn(&spec(&path, Duration::from_secs(60))).expect("spawn");
    let (pid, start) = (running.pid(), running.start_time());
    let mut lines = Vec::new();
    let outcome = running.wait(&mut |l| lines.push(l));
    assert_eq!(outcome, RunOutcome::Succeeded);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(texts(&lines, "stdout"), ["deployed"]);
    assert!(
        texts(&lines, "captain")
            .iter()
            .any(|t| t.contains("still holds its output open")),
        "{lines:?}"
    );
    // A successful command's background process is left alone...
    let daemon = read_pid(&pid_file);
    assert!(process_alive(daemon, None));
    // ...until a sweep of the recorded process group: the leader is gone, its group is not.
    assert!(
        !kill_process_tree(pid, start),
        "the script itself has exited"
    );
    assert!(gone_soon(daemon), "the leftover process {daemon} survived");
}

#[test]
fn approval_command_steps_pass_on_exit_zero_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = script(
        dir.path(),
        "ok.sh",
        "echo \"checking $CAPTAIN_ENVIRONMENT\"",
    );
    let bad = script(dir.path(), "bad.sh", "echo 'smoke test failed' >&2\nexit 2");
    let environment = Environment {
        name: "beta".to_string(),
        labels: BTreeMap::new(),
    };
    let vars = CaptainVars {
        release: ReleaseNumber(3),
        commit: "d".repeat(40),
        environment: "beta".to_string(),
        stage: "beta".to_string(),
        deployment_id: None,
        rollback: false,
        artifacts: BTreeMap::new(),
    };
    let alarms = BTreeMap::new();
    let probes = Probes::default();
    let ctx = StepContext {
        environment: Some(&environment),
        vars: Some(&vars),
        alarms: &alarms,
        probes: &probes,
    };
    let step = |name: &str, path: &Path| ApprovalStep {
        name: name.to_string(),
        kind: ApprovalKind::Command {
            argv: vec![path.display().to_string()],
            timeout: Duration::from_secs(30),
            env: BTreeMap::new(),
        },
    };
    let mut lines = Vec::new();
    let result = run_approval_step(&step("smoke", &ok), &ctx, &mut |l| lines.push(l));
    assert_eq!(result, StepResult::Passed);
    assert_eq!(texts(&lines, "stdout"), ["checking beta"]);
    assert!(texts(&lines, "captain")[0].contains("`smoke` (command) passed"));

    let result = run_approval_step(&step("smoke", &bad), &ctx, &mut |_| {});
    let StepResult::Failed(why) = result else {
        panic!("expected a failure, got {result:?}");
    };
    assert!(why.contains("bad.sh` exited with status 2"), "{why}");

    let external = ApprovalStep {
        name: "qa".to_string(),
        kind: ApprovalKind::External(Default::default()),
    };
    assert_eq!(
        run_approval_step(&external, &ctx, &mut |_| {}),
        StepResult::AwaitingApproval
    );
}

#[test]
fn alarm_commands_map_exit_codes_to_states() {
    let dir = tempfile::tempdir().expect("tempdir");
    let count = std::cell::Cell::new(0);
    let source = |body: &str, timeout: Duration| {
        count.set(count.get() + 1);
        let name = format!("alarm{}.sh", count.get());
        AlarmSource {
            name: "custom".to_string(),
            kind: AlarmKind::Command {
                argv: vec![script(dir.path(), &name, body).display().to_string()],
                timeout,
                env: BTreeMap::from([("LIMIT".to_string(), "5".to_string())]),
            },
        }
    };
    let probes = Probes::default();
    let long = Duration::from_secs(30);
    assert_eq!(
        alarm_state(&source("exit 0", long), &probes),
        AlarmState::Ok
    );
    let state = alarm_state(&source("echo \"queue over $LIMIT\"\nexit 1", long), &probes);
    assert_eq!(
        state.label(),
        "ALARM",
        "{state:?} should be ALARM with the last line"
    );
    assert!(matches!(&state, AlarmState::Alarm(why) if why.ends_with(": queue over 5")));
    let state = alarm_state(&source("exit 2", long), &probes);
    assert!(
        matches!(&state, AlarmState::Unknown(why) if why.contains("status 2")),
        "{state:?}"
    );
    let state = alarm_state(&source("sleep 30", Duration::from_millis(300)), &probes);
    assert!(
        matches!(&state, AlarmState::Unknown(why) if why.contains("timed out")),
        "{state:?}"
    );
    let missing = AlarmSource {
        name: "gone".to_string(),
        kind: AlarmKind::Command {
            argv: vec!["captain-no-such-alarm-4711".to_string()],
            timeout: long,
            env: BTreeMap::new(),
        },
    };
    let state = alarm_state(&missing, &probes);
    assert!(
        matches!(&state, AlarmState::Unknown(why) if why.contains("captain-no-such-alarm-4711")),
        "{state:?}"
    );
}

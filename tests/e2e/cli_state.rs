//! `state export` / `state import` through the binary, `init`, and the demo.

use std::io::Write;
use std::process::Stdio;

use super::common::{Run, SMALL_PIPELINE, TestEnv};

fn import(env: &TestEnv, state: &std::path::Path, input: &str, extra: &[&str]) -> Run {
    let mut child = env
        .command()
        .env("CAPTAIN_STATE", state)
        .args(["state", "import"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn import");
    // An import that refuses (a non-empty ledger) may exit before reading everything:
    // a broken pipe here is its answer, not the test's failure.
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait").into()
}

fn seed(env: &TestEnv) {
    env.init_repo(SMALL_PIPELINE);
    env.run(&["release", "create", "--artifact", "image=reg/app@sha256:1"])
        .ok();
    let id = env
        .run(&["deploy", "start", "beta", "--release", "v1", "-q"])
        .ok()
        .stdout;
    env.run(&["deploy", "finish", id.trim(), "--outcome", "approved"])
        .ok();
    let id = env
        .run(&["deploy", "start", "gamma", "--release", "v1", "-q"])
        .ok()
        .stdout;
    env.run(&["deploy", "finish", id.trim(), "--outcome", "tests-failed"])
        .ok();
}

fn export_import_export_round_trips_exactly() {
    let env = TestEnv::new();
    seed(&env);
    let first = env.run(&["state", "export"]).ok().stdout;
    assert!(
        first
            .lines()
            .next()
            .is_some_and(|l| l.contains("\"captain-ledger\"")),
        "{first}"
    );
    let copy = env.path().join("copy.sqlite");
    import(&env, &copy, &first, &[]).ok();
    let second: Run = env
        .command()
        .env("CAPTAIN_STATE", &copy)
        .args(["state", "export"])
        .output()
        .expect("export")
        .into();
    assert_eq!(second.ok().stdout, first);
    // A second import into the same (now non-empty) ledger refuses without --merge …
    let refused = import(&env, &copy, &first, &[]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("--merge"), "{}", refused.stderr);
    // … and with --merge skips what is already there.
    import(&env, &copy, &first, &["--merge"]).ok();
    let history: Run = env
        .command()
        .env("CAPTAIN_STATE", &copy)
        .args(["history", "gamma", "--json"])
        .output()
        .expect("history")
        .into();
    assert_eq!(
        history.ok().json()["deployments"].as_array().map(Vec::len),
        Some(1)
    );
}

fn what_the_loop_recorded_survives_export_and_import() {
    let env = TestEnv::new();
    let pipeline = SMALL_PIPELINE.replace(
        "timezone = \"UTC\"\n",
        "timezone = \"UTC\"\n\n[defaults]\ndeploy = { argv = [\"true\"], timeout = \"1m\" }\n",
    );
    env.init_repo(&pipeline);
    env.run(&["release", "create"]).ok();
    env.run(&["run", "--once", "-q"]).ok();
    let first = env.run(&["state", "export"]).ok().stdout;
    let stage_records = first
        .lines()
        .filter(|l| l.contains("\"type\":\"stage_record\""))
        .count();
    assert_eq!(stage_records, 4, "one approval per stage:\n{first}");
    let copy = env.path().join("copy.sqlite");
    let imported = import(&env, &copy, &first, &["--json"]).ok().json();
    assert_eq!(imported["stage_records"], 4);
    let second: Run = env
        .command()
        .env("CAPTAIN_STATE", &copy)
        .args(["state", "export"])
        .output()
        .expect("export")
        .into();
    assert_eq!(second.ok().stdout, first);
}

fn a_bad_line_names_its_number_and_imports_nothing() {
    let env = TestEnv::new();
    seed(&env);
    let export = env.run(&["state", "export"]).ok().stdout;
    let mut lines: Vec<&str> = export.lines().collect();
    assert!(lines.len() >= 4);
    lines[3] = "{\"type\":\"deployment\",\"deployment\":{\"id\":42}}";
    let broken = lines.join("\n") + "\n";
    let copy = env.path().join("copy.sqlite");
    let run = import(&env, &copy, &broken, &[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("line 4"), "{}", run.stderr);
    let after: Run = env
        .command()
        .env("CAPTAIN_STATE", &copy)
        .args(["release", "list", "--json"])
        .output()
        .expect("list")
        .into();
    assert_eq!(
        after.ok().json()["releases"].as_array().map(Vec::len),
        Some(0),
        "nothing may be half-imported"
    );
}

#[test]
fn init_writes_a_valid_starter_and_refuses_to_overwrite() {
    let env = TestEnv::new();
    env.init_repo_with(&[("README.md", "hi\n")]);
    let run = env.run(&["init"]).code(2);
    assert!(run.stderr.contains("--template"), "{}", run.stderr);
    env.run(&["init", "--template", "waves"]).ok();
    // The starter's deploy and test scripts are the user's to write.
    let run = env.run(&["validate"]).code(1);
    assert!(
        run.stdout
            .contains("deploy program `./deploy.sh` does not exist")
            && run
                .stdout
                .contains("approval program `./integration-tests.sh` does not exist"),
        "{}",
        run.stdout
    );
    for script in ["deploy.sh", "integration-tests.sh"] {
        let path = env.repo_path().join(script);
        std::fs::write(&path, "#!/bin/sh\n").expect("write script");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    }
    env.run(&["validate"]).ok();
    env.run(&["init", "--template", "minimal"]).code(4);
    env.run(&["init", "--template", "minimal", "--force"]).ok();
    let plan = env.run(&["plan", "--json"]).ok().json();
    assert!(plan["stages"].as_array().is_some_and(|s| s.len() >= 2));
}

#[test]
fn validate_reports_every_problem_with_positions() {
    let env = TestEnv::new();
    let broken = SMALL_PIPELINE
        .replace("timezone = \"UTC\"", "timezone = \"Europe/Berln\"")
        .replace(
            "name = \"gamma\"\nenvironments",
            "name = \"gamma\"\nenvironmets",
        );
    env.init_repo(&broken);
    let run = env.run(&["validate"]).code(1);
    assert!(run.stdout.contains("pipeline.toml:4:12:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("did you mean `Europe/Berlin`?"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("did you mean `environments`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_demo_runs_and_shows_the_views() {
    let env = TestEnv::new();
    let run = env.run(&["demo"]).ok();
    for expected in [
        "captain status",
        "superseded by v4",
        "rolled back",
        "captain history",
        "tests failed",
        "is not currently deployed to",
        "Commits removed",
    ] {
        assert!(
            run.stdout.contains(expected),
            "demo output lacks `{expected}`:\n{}",
            run.stdout
        );
    }
    // The story is told on stderr as it happens.
    for expected in [
        "is superseded by v4",
        "v5 failed (tests failed)",
        "rolls prod-us-east-1 back to v4",
        "dry run: nothing changed",
        // How to open the pipeline in the browser (`captain ui`).
        "in the browser, run `captain demo --keep`",
    ] {
        assert!(
            run.stderr.contains(expected),
            "demo narration lacks `{expected}`:\n{}",
            run.stderr
        );
    }
    assert!(
        !env.state_path().exists(),
        "the demo must not touch the configured state"
    );
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let env = TestEnv::new();
    seed(&env);
    let output = env
        .program("sh")
        .env("CAPTAIN", env!("CARGO_BIN_EXE_captain"))
        .args(["-c", "for i in 1 2 3 4 5 6 7 8; do \"$CAPTAIN\" completions bash; done | head -c 10 >/dev/null; echo ${PIPESTATUS:-0}"])
        .output()
        .expect("sh");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn simulate_reports_every_wave_and_stage() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let report = env
        .run(&["simulate", "--duration", "7d", "--json"])
        .ok()
        .json();
    assert!(
        report["releases"].as_u64().is_some_and(|n| n >= 40),
        "{report}"
    );
    let stages: Vec<&str> = report["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|s| s["stage"].as_str())
        .collect();
    assert_eq!(stages, ["beta", "gamma", "prod-1", "prod-2"]);
    let waves = report["waves"].as_array().expect("waves");
    assert!(
        waves
            .iter()
            .all(|w| w["reached"].as_u64().is_some_and(|n| n > 0)),
        "{report}"
    );
    env.run(&["simulate", "--bad-releases", "2"]).code(2);
}

#[test]
fn simulate_shows_what_a_change_buys_and_plots_the_waves() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let plot = env.path().join("waves.svg");
    let plot_arg = plot.to_string_lossy().to_string();
    let args = [
        "simulate",
        "--duration",
        "7d",
        "--set",
        "waves.wave-1.bake_time=3h",
        "--set",
        "stages.beta.window.days=mon-fri",
        "--plot",
        plot_arg.as_str(),
    ];
    let text = env.run(&args).ok();
    assert!(
        text.stdout
            .contains("What if --set waves.wave-1.bake_time=3h"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("with --set: median"),
        "{}",
        text.stdout
    );
    // The same seed, the same commits; the 3-hour bake only slows wave 1 down.
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let report = env.run(&json_args).ok().json();
    let median = |r: &serde_json::Value, wave: &str| {
        r["waves"]
            .as_array()
            .and_then(|w| w.iter().find(|w| w["name"] == wave))
            .and_then(|w| w["median_secs"].as_u64())
            .unwrap_or_else(|| panic!("no median for {wave}: {r}"))
    };
    let (before, after) = (&report["as_written"], &report["what_if"]["report"]);
    assert_eq!(before["releases"], after["releases"]);
    assert!(median(after, "wave-1") >= median(before, "wave-1") + 3 * 3600);
    assert_eq!(report["what_if"]["set"][0], "waves.wave-1.bake_time=3h");
    // The plot: an SVG with a line per wave.
    let svg = std::fs::read_to_string(&plot).expect("the plot file");
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    for wave in ["pre-production", "wave-1", "wave-2"] {
        assert!(svg.contains(wave), "no {wave} in the plot");
    }
    assert!(svg.contains("<polyline"));
    // A change naming nothing in the file, or making it invalid, is a usage error.
    let run = env
        .run(&["simulate", "--set", "waves.wave-9.bake_time=1h"])
        .code(2);
    assert!(run.stderr.contains("wave-9"), "{}", run.stderr);
    let run = env
        .run(&["simulate", "--set", "waves.wave-1.bake_time=soon"])
        .code(2);
    assert!(run.stderr.contains("bake_time"), "{}", run.stderr);
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    export_import_export_round_trips_exactly,
    what_the_loop_recorded_survives_export_and_import,
    a_bad_line_names_its_number_and_imports_nothing,
);

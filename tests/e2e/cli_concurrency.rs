//! 32 processes recording deployments into one SQLite file at once: every record kept
//! exactly once, no error.

use std::process::Stdio;

use super::common::TestEnv;

const PROCESSES: usize = 32;

fn wide_pipeline() -> String {
    let environments: Vec<String> = (0..PROCESSES).map(|i| format!("\"env-{i}\"")).collect();
    format!(
        "name = \"wide\"\ntrunk = \"main\"\ntimezone = \"UTC\"\n\n[[stages]]\nname = \"fleet\"\nenvironments = [{}]\n",
        environments.join(", ")
    )
}

fn thirty_two_processes_record_deployments_into_one_file() {
    let env = TestEnv::new();
    env.init_repo(&wide_pipeline());
    env.run(&["release", "create"]).ok();
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let script = format!(
                "set -e; for n in 1 2 3; do id=$(\"$CAPTAIN\" deploy start env-{i} --release v1 --force --reason load -q); \"$CAPTAIN\" deploy finish \"$id\" --outcome approved -q >/dev/null; done"
            );
            env.program("sh")
                .env("CAPTAIN", env!("CARGO_BIN_EXE_captain"))
                .args(["-c", &script])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn sh")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(
            output.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for i in 0..PROCESSES {
        let history = env
            .run(&["history", &format!("env-{i}"), "--json", "--limit", "100"])
            .ok()
            .json();
        let deployments = history["deployments"].as_array().expect("deployments");
        assert_eq!(
            deployments.len(),
            3,
            "env-{i} should have exactly 3 deployments"
        );
        assert!(deployments.iter().all(|d| d["outcome"] == "approved"));
    }
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(thirty_two_processes_record_deployments_into_one_file,);

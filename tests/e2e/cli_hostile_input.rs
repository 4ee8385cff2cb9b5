//! What the CLI reads from the user, taken as an adversary would write it: a pipeline
//! name that would leave its URL segment, `--pipeline` at a device or a FIFO, an oversized
//! pipeline.toml, an import with a bad header or an endless line — each refused with a
//! clear error and the README's exit code, on either backend.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::common::{Run, SMALL_PIPELINE, TestEnv};

/// `captain state import` fed `input` on stdin.
fn import(env: &TestEnv, input: &[u8]) -> Run {
    let mut child = env
        .command()
        .args(["state", "import"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn import");
    // A refusing import may stop reading early: a broken pipe is its answer.
    let written = child.stdin.take().expect("stdin").write_all(input);
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait").into()
}

fn a_pipeline_name_that_leaves_its_segment_is_refused_everywhere() {
    let env = TestEnv::new();
    env.init_repo(&SMALL_PIPELINE.replace("name = \"checkout\"", "name = \"x/../app\""));
    let run = env.run(&["validate"]).code(1);
    assert!(
        run.stdout
            .contains("pipeline.toml:2:8: `name`: `x/../app` is not a pipeline name"),
        "{}",
        run.stdout
    );
    // No command gets as far as a URL: `status` never shows pipeline `app`.
    for args in [&["status"][..], &["plan"], &["history", "beta"]] {
        let run = env.run(args).code(1);
        assert!(
            run.stderr.contains("is not a pipeline name") && !run.stdout.contains("app"),
            "{args:?}: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

fn an_invalid_pipeline_exits_1_in_every_command() {
    let env = TestEnv::new();
    env.init_repo(&format!("{SMALL_PIPELINE}\nbake = 1\n"));
    for args in [
        &["validate"][..],
        &["plan"],
        &["status"],
        &["history", "beta"],
        &["gate", "beta"],
        &["next", "beta"],
        &["release", "list"],
        &["state", "export"],
    ] {
        let run = env.run(args).code(1);
        assert!(
            run.stdout.contains("unknown key `bake`") || run.stderr.contains("unknown key `bake`"),
            "{args:?}: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
    let run = env.run(&["status", "--json"]).code(1);
    let error: serde_json::Value = serde_json::from_str(&run.stderr).expect("a JSON error");
    assert_eq!(error["error"]["kind"], "error", "{}", run.stderr);
}

fn devices_fifos_and_huge_files_are_not_read_as_pipelines() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let started = Instant::now();
    let run = env.run(&["status", "--pipeline", "/dev/zero"]).code(1);
    assert!(
        run.stderr.contains(
            "cannot read the pipeline file /dev/zero: it is a character device, not a regular file"
        ),
        "{}",
        run.stderr
    );
    let fifo = env.path().join("pipeline.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
    let shown = fifo.display().to_string();
    let run = env.run(&["validate", "--pipeline", &shown]).code(1);
    assert!(
        run.stderr.contains("it is a FIFO, not a regular file"),
        "{}",
        run.stderr
    );
    // Refused at once: nothing waited for a writer or read without end.
    assert!(started.elapsed() < Duration::from_secs(30));

    let huge = env.path().join("huge.toml");
    let mut text = SMALL_PIPELINE.to_string();
    text.push_str(&format!("# {}\n", "x".repeat(5 << 20)));
    std::fs::write(&huge, text).expect("write");
    let run = env
        .run(&["plan", "--pipeline", &huge.display().to_string()])
        .code(1);
    assert!(
        run.stderr.contains("it is larger than 4 MiB"),
        "{}",
        run.stderr
    );
}

fn an_import_with_a_bad_header_or_an_endless_line_is_refused() {
    let env = TestEnv::new();
    env.init_repo(SMALL_PIPELINE);
    let header = |version: u32| {
        format!(
            "{{\"type\":\"header\",\"format\":\"captain-ledger\",\"version\":{version},\"pipeline\":\"checkout\",\"exported_at\":\"2026-11-01T00:00:00Z\"}}\n"
        )
    };
    let run = import(&env, header(0).as_bytes()).code(2);
    assert!(
        run.stderr
            .contains("line 1: the header has no format version"),
        "{}",
        run.stderr
    );
    let mut endless = header(1).into_bytes();
    endless.extend(std::iter::repeat_n(b' ', 40 << 20));
    endless.push(b'\n');
    let run = import(&env, &endless).code(2);
    assert!(
        run.stderr
            .contains("line 2: the line is longer than 32 MiB"),
        "{}",
        run.stderr
    );
    // The server reads a raw request's body with the same reader.
    if let Some(server) = &env.server {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}/v1/pipelines/checkout/import", server.url))
            .bearer_auth(&server.admin)
            .body(endless)
            .send()
            .expect("import request");
        assert_eq!(response.status().as_u16(), 400);
        let body: serde_json::Value = response.json().expect("json");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("line 2: the line is longer than 32 MiB")),
            "{body}"
        );
    }
    // Nothing was imported.
    let export = env.run(&["state", "export"]).ok().stdout;
    assert_eq!(export.lines().count(), 1, "{export}");
}

crate::on_both_backends!(
    a_pipeline_name_that_leaves_its_segment_is_refused_everywhere,
    an_invalid_pipeline_exits_1_in_every_command,
    devices_fifos_and_huge_files_are_not_read_as_pipelines,
    an_import_with_a_bad_header_or_an_endless_line_is_refused,
);

//! The web view's pipeline page on the large case (issue 15, point 7): `captain ui` on the
//! case's ledger, one untimed warm-up request (checked: every stage is on the page), then
//! N timed requests over one keep-alive connection, each from sending the request to the
//! last byte of the page — the server's time to build the status and gate views and
//! render them, plus a loopback round trip. Target ≤ 20 ms.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, Result, bail, ensure};

use super::measure::{Row, stats};

struct Ui(Child);

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The row "web: pipeline page"; `captain` is the command to run (state and repo set).
pub fn pipeline_page(mut captain: Command, runs: usize, stages: usize) -> Row {
    let name = "web: pipeline page (server)";
    let command = "GET /pipelines/NAME on captain ui".to_string();
    match measure(&mut captain, runs, stages) {
        Ok(mut times) => {
            times.sort_by(f64::total_cmp);
            let (median_ms, p90_ms, min_ms) = stats(&times);
            Row {
                name: name.into(),
                command,
                runs: times.len(),
                median_ms,
                p90_ms,
                min_ms,
                target_ms: Some(20.0),
                pass: median_ms.map(|m| m <= 20.0),
                over_bound_ms: None,
                note: Some("request to last byte over one keep-alive connection".into()),
            }
        }
        Err(e) => Row {
            name: name.into(),
            command,
            runs: 0,
            median_ms: None,
            p90_ms: None,
            min_ms: None,
            target_ms: Some(20.0),
            pass: Some(false),
            over_bound_ms: None,
            note: Some(format!("{e:#}")),
        },
    }
}

fn measure(captain: &mut Command, runs: usize, stages: usize) -> Result<Vec<f64>> {
    let mut child = captain
        .args(["ui", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting captain ui")?;
    let stdout = child.stdout.take().context("captain ui's stdout")?;
    let _ui = Ui(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(url) = line.trim().strip_prefix("captain ui: ") else {
        bail!("captain ui did not start: {line:?}");
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()?;
    let page = client.get(url).send()?.error_for_status()?.text()?;
    let shown = page.matches("<section class=\"stage\"").count();
    ensure!(
        shown == stages,
        "the page shows {shown} stages, the pipeline has {stages}"
    );
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let body = client.get(url).send()?.error_for_status()?.bytes()?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        ensure!(!body.is_empty(), "an empty page");
    }
    Ok(times)
}

//! The web view's pipeline page on the large case (issue 15, point 7): `captain ui` on the
//! case's ledger, one untimed warm-up request (checked: every stage is on the page), then
//! N timed requests over one keep-alive connection, each from sending the request to the
//! last byte of the page — the server's time to build the status and gate views and
//! render them, plus a loopback round trip. Target ≤ 20 ms. And the page in a real
//! browser (headless Chromium over WebDriver, as the tests drive it): each load's
//! Navigation Timing from the start of the navigation to the end of the load event —
//! request, parsing, styles, layout of 160 environments and the page's script. Target
//! ≤ 300 ms.

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

/// A row of timed runs against `target_ms`, or a failed one saying why.
fn timed_row(
    name: &str,
    command: &str,
    target_ms: f64,
    note: &str,
    times: Result<Vec<f64>>,
) -> Row {
    let (times, note) = match times {
        Ok(mut times) => {
            times.sort_by(f64::total_cmp);
            (times, note.to_string())
        }
        Err(e) => (Vec::new(), format!("{e:#}")),
    };
    let (median_ms, p90_ms, min_ms) = stats(&times);
    Row {
        name: name.into(),
        command: command.into(),
        runs: times.len(),
        median_ms,
        p90_ms,
        min_ms,
        target_ms: Some(target_ms),
        pass: Some(median_ms.is_some_and(|m| m <= target_ms)),
        over_bound_ms: None,
        note: Some(note),
    }
}

/// The row "web: pipeline page"; `captain` is the command to run (state and repo set).
pub fn pipeline_page(mut captain: Command, runs: usize, stages: usize) -> Row {
    timed_row(
        "web: pipeline page (server)",
        "GET /pipelines/NAME on captain ui",
        20.0,
        "request to last byte over one keep-alive connection",
        measure(&mut captain, runs, stages),
    )
}

/// Starts `captain ui` on a free loopback port: the process (stopped when dropped) and
/// the pipeline page's URL.
fn start_ui(captain: &mut Command) -> Result<(Ui, String)> {
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
    Ok((_ui, url.to_string()))
}

fn measure(captain: &mut Command, runs: usize, stages: usize) -> Result<Vec<f64>> {
    let (_ui, url) = start_ui(captain)?;
    let url = url.as_str();
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

/// The row "web: pipeline page (browser)".
pub fn browser_ready(mut captain: Command, runs: usize, stages: usize) -> Row {
    timed_row(
        "web: pipeline page (browser)",
        "headless Chromium loading /pipelines/NAME from captain ui",
        300.0,
        "navigation start to the end of the load event (Navigation Timing)",
        browser_loads(&mut captain, runs, stages),
    )
}

fn browser_loads(captain: &mut Command, runs: usize, stages: usize) -> Result<Vec<f64>> {
    let (_ui, url) = start_ui(captain)?;
    // The harness panics when Chromium or its driver is missing: a failed row, not a
    // failed run.
    let Ok(browser) = std::panic::catch_unwind(|| super::web_driver::Browser::start(1280, 900))
    else {
        bail!("no headless Chromium (apt-get install chromium chromium-driver)");
    };
    let load = || -> f64 {
        browser.goto(&url);
        browser
            .script(
                "const n = performance.getEntriesByType('navigation')[0]; \
                 return n.loadEventEnd - n.startTime;",
            )
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    load();
    let shown = browser.find_all("section.stage").len();
    ensure!(
        shown == stages,
        "the browser shows {shown} stages, the pipeline has {stages}"
    );
    Ok((0..runs)
        .map(|_| load())
        .filter(|t| t.is_finite())
        .collect())
}

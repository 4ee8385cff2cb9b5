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
    let name = "web: pipeline page (browser)";
    let command = "headless Chromium loading /pipelines/NAME from captain ui".to_string();
    let failed = |note: String| Row {
        name: name.into(),
        command: command.clone(),
        runs: 0,
        median_ms: None,
        p90_ms: None,
        min_ms: None,
        target_ms: Some(300.0),
        pass: Some(false),
        over_bound_ms: None,
        note: Some(note),
    };
    let (_ui, url) = match start_ui(&mut captain) {
        Ok(started) => started,
        Err(e) => return failed(format!("{e:#}")),
    };
    // The harness panics when Chromium or its driver is missing: a failed row, not a
    // failed run.
    let browser = match std::panic::catch_unwind(|| super::web_driver::Browser::start(1280, 900)) {
        Ok(browser) => browser,
        Err(_) => {
            return failed(
                "no headless Chromium (apt-get install chromium chromium-driver)".into(),
            );
        }
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
    if shown != stages {
        return failed(format!(
            "the browser shows {shown} stages, the pipeline has {stages}"
        ));
    }
    let mut times: Vec<f64> = (0..runs)
        .map(|_| load())
        .filter(|t| t.is_finite())
        .collect();
    times.sort_by(f64::total_cmp);
    let (median_ms, p90_ms, min_ms) = stats(&times);
    Row {
        name: name.into(),
        command,
        runs: times.len(),
        median_ms,
        p90_ms,
        min_ms,
        target_ms: Some(300.0),
        pass: median_ms.map(|m| m <= 300.0),
        over_bound_ms: None,
        note: Some("navigation start to the end of the load event (Navigation Timing)".into()),
    }
}

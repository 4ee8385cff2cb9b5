//! Timing whole processes: one untimed warm-up run (its output is kept for checks), then
//! N timed runs from spawn to exit, each bounded (a run over the bound is killed and the
//! row reported as "> bound"), and the median / p90 / min of them.

use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

/// The result of one row of the table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub name: String,
    pub command: String,
    pub runs: usize,
    pub median_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub min_ms: Option<f64>,
    /// The SPEC §6 target in ms, if the row has one.
    pub target_ms: Option<f64>,
    pub pass: Option<bool>,
    /// A run took longer than the bound (and was killed).
    pub over_bound_ms: Option<f64>,
    /// What went wrong, or what a check found.
    pub note: Option<String>,
}

impl Row {
    pub fn failed(name: &str, command: String, note: String) -> Row {
        Row {
            name: name.into(),
            command,
            runs: 0,
            median_ms: None,
            p90_ms: None,
            min_ms: None,
            target_ms: None,
            pass: Some(false),
            over_bound_ms: None,
            note: Some(note),
        }
    }
}

pub fn describe(command: &Command) -> String {
    let program = command.get_program().to_string_lossy();
    let program = program.rsplit('/').next().unwrap_or(&program).to_string();
    let args: Vec<String> = command
        .get_args()
        .map(|a| {
            let a = a.to_string_lossy();
            // Paths of the cache are long and say nothing; keep their last part.
            if a.starts_with('/') {
                a.rsplit('/').next().unwrap_or(&a).to_string()
            } else {
                a.to_string()
            }
        })
        .collect();
    format!("{program} {}", args.join(" "))
}

/// Runs a command to the end with its output captured (the warm-up and checks).
pub fn capture(mut command: Command) -> Result<Output> {
    command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", describe(&command)))
}

enum Timed {
    Done(Duration, ExitStatus),
    OverBound,
}

/// Runs once with output discarded; the time is spawn → exit as the parent sees it.
fn timed(mut command: Command, bound: Duration) -> Result<Timed> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {}", describe(&command)))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = tx.send((status, Instant::now()));
    });
    match rx.recv_timeout(bound) {
        Ok((status, ended)) => {
            let _ = waiter.join();
            Ok(Timed::Done(ended - started, status?))
        }
        Err(_) => {
            // Our own child, ended by its id.
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            let _ = waiter.join();
            Ok(Timed::OverBound)
        }
    }
}

pub struct Plan<'a> {
    pub name: &'a str,
    pub runs: usize,
    pub bound: Duration,
    pub target_ms: Option<f64>,
    /// Fewer runs when the warm-up is slower than this (the git approach can take seconds).
    pub slow_after: Duration,
    /// The exit code a run ends with when it did its job (0 but for `run --once` that
    /// fails deployments, 6).
    pub exit: i32,
}

/// Measures one row. `make(i)` builds the command of run `i` (0 is the warm-up); any
/// preparation it does (copying a state file) is outside the timed part. `check` looks at
/// the warm-up's output and may return a note (or an error that fails the row).
pub fn measure(
    plan: Plan<'_>,
    mut make: impl FnMut(usize) -> Result<Command>,
    check: impl FnOnce(&Output) -> Result<Option<String>>,
) -> Row {
    let first = match make(0) {
        Ok(c) => c,
        Err(e) => return Row::failed(plan.name, String::new(), format!("{e:#}")),
    };
    let command_text = describe(&first);
    eprintln!("  measuring {}: {command_text}", plan.name);
    let warm_started = Instant::now();
    let warm = match capture_bounded(first, plan.bound) {
        Ok(Some(output)) => output,
        Ok(None) => {
            let mut row = Row::failed(
                plan.name,
                command_text,
                "the warm-up run exceeded the bound".into(),
            );
            row.over_bound_ms = Some(plan.bound.as_secs_f64() * 1000.0);
            row.pass = None;
            return row;
        }
        Err(e) => return Row::failed(plan.name, command_text, format!("{e:#}")),
    };
    let warm_time = warm_started.elapsed();
    if warm.status.code() != Some(plan.exit) {
        let stderr = String::from_utf8_lossy(&warm.stderr);
        let first_line = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Row::failed(
            plan.name,
            command_text,
            format!("exit {}: {first_line}", warm.status.code().unwrap_or(-1)),
        );
    }
    let note = match check(&warm) {
        Ok(note) => note,
        Err(e) => return Row::failed(plan.name, command_text, format!("check failed: {e:#}")),
    };
    // A row that takes many seconds a run (the git approach) gets fewer runs; one that
    // takes over a third of the bound is reported from its warm-up alone.
    let (runs, mut times) = if warm_time > plan.bound / 3 {
        (0, vec![warm_time.as_secs_f64() * 1000.0])
    } else if warm_time > plan.slow_after {
        (plan.runs.min(3), Vec::new())
    } else {
        (plan.runs, Vec::with_capacity(plan.runs))
    };
    let mut over = false;
    for i in 1..=runs {
        let outcome = make(i).and_then(|c| timed(c, plan.bound));
        match outcome {
            Ok(Timed::Done(time, status)) if status.code() == Some(plan.exit) => {
                times.push(time.as_secs_f64() * 1000.0)
            }
            Ok(Timed::Done(_, status)) => {
                return Row::failed(
                    plan.name,
                    command_text,
                    format!("run {i} exited with {status}"),
                );
            }
            Ok(Timed::OverBound) => {
                over = true;
                break;
            }
            Err(e) => return Row::failed(plan.name, command_text, format!("{e:#}")),
        }
    }
    times.sort_by(f64::total_cmp);
    let (median, p90, min) = stats(&times);
    let pass = match (plan.target_ms, median) {
        (Some(target), Some(m)) if !over => Some(m <= target),
        (Some(_), _) => Some(false),
        (None, _) => None,
    };
    Row {
        name: plan.name.into(),
        command: command_text,
        runs: times.len(),
        median_ms: median,
        p90_ms: p90,
        min_ms: min,
        target_ms: plan.target_ms,
        pass,
        over_bound_ms: over.then_some(plan.bound.as_secs_f64() * 1000.0),
        note,
    }
}

fn capture_bounded(mut command: Command, bound: Duration) -> Result<Option<Output>> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command
        .spawn()
        .with_context(|| format!("cannot start {}", describe(&command)))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(bound) {
        Ok(output) => {
            let _ = waiter.join();
            Ok(Some(output?))
        }
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            let _ = waiter.join();
            Ok(None)
        }
    }
}

/// Median, p90 (nearest rank) and min of sorted times.
pub fn stats(sorted: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    if sorted.is_empty() {
        return (None, None, None);
    }
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let rank = ((n as f64) * 0.9).ceil() as usize;
    let p90 = sorted[rank.clamp(1, n) - 1];
    (Some(median), Some(p90), Some(sorted[0]))
}

pub fn ms(value: Option<f64>) -> String {
    match value {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "-".into(),
    }
}

/// Fails unless `output`'s stdout is JSON.
pub fn json(output: &Output) -> Result<serde_json::Value> {
    match serde_json::from_slice(&output.stdout) {
        Ok(v) => Ok(v),
        Err(e) => bail!(
            "the output is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
                .chars()
                .take(200)
                .collect::<String>()
        ),
    }
}

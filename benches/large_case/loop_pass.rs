//! The loop's rows of the large case (issue 16, point 2): one engine pass read-only (`captain
//! next`, what `gate` and the web view's stages answer with), `captain run --once` right
//! after a restart (it takes over the deployments in flight, finds them interrupted, fails
//! and rolls them back), `run --once` again with nothing new to do, and a CI's `deploy
//! start` into the next wave (a pass that records a stage's approval and a promotion).
//! Runs that write start on a fresh copy of a prepared state (the copy is not timed); the
//! clock is pinned an hour after the ledger's last deployment.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail, ensure};
use serde_json::Value;

use crate::generate::{self, Case};
use crate::measure::{self, Plan, Row, measure};

/// Copies a SQLite state (with its WAL files) to `to`.
fn copy(from: &Path, to: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let with = |p: &Path| PathBuf::from(format!("{}{suffix}", p.display()));
        let _ = std::fs::remove_file(with(to));
        if with(from).exists() {
            std::fs::copy(with(from), with(to))
                .with_context(|| format!("cannot copy {}", with(from).display()))?;
        }
    }
    Ok(())
}

/// What the promotion row needs: the stage whose deployments in flight a CI finishes, the
/// release they deploy, and an environment of the stage after it that has none in flight.
pub struct Promotion {
    finished: Vec<String>,
    release: String,
    pub stage: String,
    into: String,
}

pub fn find_promotion(status: &Value) -> Result<Promotion> {
    let stages = status["stages"]
        .as_array()
        .context("status has no stages")?;
    let in_flight = |stage: &Value| -> Vec<(String, String)> {
        stage["environments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["state"] == "deploying")
            .filter_map(|e| {
                Some((
                    e["deployment"].as_str()?.to_string(),
                    e["deploying"].as_str()?.to_string(),
                ))
            })
            .collect()
    };
    for pair in stages.windows(2) {
        let (stage, next) = (&pair[0], &pair[1]);
        let flying = in_flight(stage);
        if flying.is_empty() || !in_flight(next).is_empty() || next["wave"].is_null() {
            continue;
        }
        let release = flying[0].1.clone();
        if flying.iter().any(|(_, r)| *r != release) {
            continue;
        }
        let into = next["environments"][0]["name"]
            .as_str()
            .context("a stage without environments")?
            .to_string();
        return Ok(Promotion {
            finished: flying.into_iter().map(|(id, _)| id).collect(),
            release,
            stage: next["name"].as_str().unwrap_or_default().to_string(),
            into,
        });
    }
    bail!("no stage in flight before an idle wave stage")
}

/// `captain next STAGE`: one engine pass that records nothing; `captain` makes the
/// command with the state and the clock set.
pub fn next_row(plan: Plan<'_>, stage: &str, captain: &dyn Fn() -> Command) -> Row {
    measure(
        plan,
        |_| {
            let mut c = captain();
            c.args(["next", stage]);
            Ok(c)
        },
        |_| {
            let mut c = captain();
            c.args(["--json", "next", stage]);
            let value = measure::json(&measure::capture(c)?)?;
            ensure!(value["stage"].is_string(), "next answered {value}");
            Ok(Some(format!(
                "{stage}: {}",
                value["reason"].as_str().unwrap_or_default()
            )))
        },
    )
}

/// `captain run --once` on a settled ledger: a pass with nothing new to do.
pub fn quiet_pass_row(plan: Plan<'_>, captain: &dyn Fn() -> Command) -> Row {
    measure(
        plan,
        |_| {
            let mut c = captain();
            c.args(["run", "--once"]);
            Ok(c)
        },
        |out| {
            ensure!(
                out.status.success(),
                "run --once exited {:?}",
                out.status.code()
            );
            Ok(None)
        },
    )
}

pub fn rows(
    case: &Case,
    runs: usize,
    bound: std::time::Duration,
    now: &str,
    captain: &dyn Fn(&Path) -> Command,
) -> Vec<Row> {
    let plan = |name: &'static str, target_ms: f64| Plan {
        name,
        runs,
        bound,
        target_ms: Some(target_ms),
        slow_after: std::time::Duration::from_secs(5),
        exit: 0,
    };
    let pinned = |state: &Path| {
        let mut c = captain(state);
        c.env("CAPTAIN_NOW", now);
        c
    };
    let scratch = case.dir.join("scratch");
    let mut rows = Vec::new();
    let prepared = (|| -> Result<Promotion> {
        std::fs::create_dir_all(&scratch)?;
        let status = measure::json(&measure::capture({
            let mut c = pinned(&case.state);
            c.args(["--json", "status"]);
            c
        })?)?;
        find_promotion(&status)
    })();
    let promotion = match prepared {
        Ok(p) => p,
        Err(e) => {
            rows.push(Row::failed("loop rows", String::new(), format!("{e:#}")));
            return rows;
        }
    };
    let next_stage = promotion.stage.clone();

    rows.push(next_row(
        plan("next (one pass, nothing recorded)", 100.0),
        &next_stage,
        &|| pinned(&case.state),
    ));

    // `run --once` right after a restart, on a fresh copy of the imported state.
    let restart = scratch.join("restart.sqlite");
    rows.push(measure(
        Plan {
            exit: 6,
            ..plan("run --once after a restart", 1000.0)
        },
        |_| {
            generate::copy_state(case, &restart)?;
            let _ = Command::new("sync").status();
            let mut c = pinned(&restart);
            c.args(["run", "--once"]);
            Ok(c)
        },
        |out| {
            // Exit 6: the interrupted deployments failed, as they must.
            let failed = String::from_utf8_lossy(&out.stdout)
                .lines()
                .chain(String::from_utf8_lossy(&out.stderr).lines())
                .filter(|l| l.contains("failed"))
                .count();
            Ok(Some(format!(
                "took over what was in flight: {failed} interrupted deployments failed and rolled back"
            )))
        },
    ));

    // Again, on the state that round left: nothing new to do.
    let settled = scratch.join("settled.sqlite");
    let quiet = (|| -> Result<()> {
        generate::copy_state(case, &settled)?;
        let mut c = pinned(&settled);
        c.args(["run", "--once"]);
        measure::capture(c)?;
        Ok(())
    })();
    match quiet {
        Err(e) => rows.push(Row::failed(
            "run --once, nothing new",
            String::new(),
            format!("{e:#}"),
        )),
        Ok(()) => rows.push(quiet_pass_row(
            plan("run --once, nothing new", 100.0),
            &|| pinned(&settled),
        )),
    }

    // A CI finishes a stage's deployments (not timed), then starts the release in the
    // first environment of the next wave stage: the pass records the stage's approval
    // and the promotion.
    let template = scratch.join("promotion-template.sqlite");
    let fresh = scratch.join("promotion.sqlite");
    let made = (|| -> Result<()> {
        generate::copy_state(case, &template)?;
        for id in &promotion.finished {
            let mut c = pinned(&template);
            c.args(["deploy", "finish", id, "--outcome", "approved"]);
            let out = measure::capture(c)?;
            ensure!(
                out.status.success(),
                "deploy finish {id}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    })();
    let name = "deploy start into a wave stage";
    match made {
        Err(e) => rows.push(Row::failed(name, String::new(), format!("{e:#}"))),
        Ok(()) => rows.push(measure(
            plan(name, 100.0),
            |_| {
                copy(&template, &fresh)?;
                let _ = Command::new("sync").status();
                let mut c = pinned(&fresh);
                c.args([
                    "--json",
                    "deploy",
                    "start",
                    &promotion.into,
                    "--release",
                    &promotion.release,
                    "--force",
                    "--reason",
                    "bench: past the closed window and the unknown blocker",
                ]);
                Ok(c)
            },
            |out| {
                let value = measure::json(out)?;
                ensure!(
                    value["release"].as_str() == Some(promotion.release.as_str()),
                    "deploy start answered {value}"
                );
                Ok(Some(format!(
                    "a pass that records a stage's approval and promotes {} into {}, after {} deployments finished",
                    promotion.release,
                    promotion.into,
                    promotion.finished.len()
                )))
            },
        )),
    }
    rows
}

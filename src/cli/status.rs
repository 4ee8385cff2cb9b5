//! `captain status`: the pipeline at a glance.

use super::ui::Cell;

use captain::model::LockDirection;
use captain::views::status;

use super::Context;
use super::ui::{Ui, relative_time};

/// The pipeline at a glance: per wave, stage and environment, the current release, its
/// state, a deployment in progress, the release waiting to be promoted, and locks.
///
/// TARGETs (environments, stages, waves) narrow it to what they cover; the JSON keeps its
/// shape. The locks column says who disabled promotions and since when (`captain
/// promotions list` and the JSON say why). A deployment whose `captain run` on this host
/// is gone says so: "deploying v4, runner gone 3m" (since it was last seen working).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environments, stages or waves to show, e.g. wave-2 or prod-2 (default: all).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Redraw every few seconds until interrupted.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between redraws with --watch.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub interval: u64,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline_for_view()?;
    let targets = pipeline.targets(&args.targets)?;
    // One store, also with --watch.
    let store = ctx.store_for_view(&pipeline.outline())?;
    loop {
        let now = if args.watch {
            captain::model::Timestamp::now()
        } else {
            ctx.now
        };
        let mut view = status::build_or_ask(pipeline, store.as_ref(), now)?;
        status::select(&mut view, &targets);
        if ui.json() {
            ui.out_json(&view)?;
        } else {
            if args.watch {
                ui.out("\x1b[2J\x1b[H")?;
            }
            ui.out(&render(ui, pipeline, &view))?;
        }
        if !args.watch {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_secs(args.interval.max(1)));
    }
}

fn render(ui: &Ui, pipeline: &captain::config::Pipeline, view: &status::StatusView) -> String {
    let mut table = ui.table(&[
        "wave",
        "stage",
        "environment",
        "release",
        "state",
        "since",
        "waiting",
        "locks",
    ]);
    let mut last_wave: Option<&str> = None;
    for stage in &view.stages {
        let wave = stage.wave.as_deref().unwrap_or("pre-production");
        let wave_cell = if last_wave == Some(wave) {
            String::new()
        } else {
            wave.to_string()
        };
        last_wave = Some(wave);
        for (index, env) in stage.environments.iter().enumerate() {
            let first = index == 0;
            let state = match (env.deploying, env.state.as_str()) {
                (Some(release), "baking") => {
                    let mut left = Vec::new();
                    if let Some(until) = env.bake_until.filter(|u| *u > view.generated_at) {
                        left.push(format!(
                            "{} left",
                            captain::ops::gate::short_duration(
                                until.as_second() - view.generated_at.as_second()
                            )
                        ));
                    }
                    match &env.data_points {
                        Some(p) if p.have.is_none_or(|have| have < p.need) => left.push(format!(
                            "{} of {} data points",
                            p.have.map_or_else(|| "?".to_string(), |h| h.to_string()),
                            p.need
                        )),
                        _ => {}
                    }
                    if left.is_empty() {
                        format!("baking {release}")
                    } else {
                        format!("baking {release} ({})", left.join(", "))
                    }
                }
                (Some(release), "verifying") => match (&env.step, &env.approvals) {
                    (Some(step), Some(a)) if a.missing > 0 => format!(
                        "verifying {release} ({step}: {} of {} approvals{})",
                        a.approved_by.len(),
                        a.required,
                        if a.approved_by.is_empty() {
                            String::new()
                        } else {
                            format!(", by {}", a.approved_by.join(", "))
                        }
                    ),
                    (Some(step), _) => format!("verifying {release} ({step})"),
                    (None, _) => format!("verifying {release}"),
                },
                (Some(release), _) => format!("deploying {release}"),
                (None, _) => env.state.clone(),
            };
            let state = match (&env.runner, env.since) {
                (Some(runner), Some(since)) if runner.alive == Some(false) => format!(
                    "{state}, runner gone {}",
                    captain::ops::gate::short_duration(
                        view.generated_at.as_second() - since.as_second()
                    )
                ),
                _ => state,
            };
            let mut locks: Vec<String> = env
                .locks
                .iter()
                .map(|l| lock_cell(view.generated_at, "", l))
                .collect();
            if first {
                locks.extend(
                    stage
                        .locks
                        .iter()
                        .map(|l| lock_cell(view.generated_at, "stage ", l)),
                );
                if let Some(freeze) = &stage.frozen {
                    locks.insert(0, captain::ops::gate::describe_freeze(freeze, pipeline));
                }
            }
            table.add_row(vec![
                Cell::new(if first { wave_cell.as_str() } else { "" }),
                Cell::new(if first { stage.name.as_str() } else { "" }),
                Cell::new(&env.name),
                Cell::new(env.release.map_or_else(
                    || "-".to_string(),
                    |r| {
                        if view.blocked.iter().any(|b| b.release == r) {
                            format!("{r} (blocked)")
                        } else {
                            r.to_string()
                        }
                    },
                )),
                ui.state_cell(&state),
                Cell::new(
                    env.since
                        .map_or_else(String::new, |t| relative_time(view.generated_at, t)),
                ),
                Cell::new(if first {
                    let mut text = stage.waiting.map_or_else(String::new, |r| r.to_string());
                    if let Some(s) = stage.superseded.first() {
                        if !text.is_empty() {
                            text.push_str("; ");
                        }
                        match s.by {
                            Some(by) => text.push_str(&format!("{} superseded by {by}", s.release)),
                            None => text.push_str(&format!("{} superseded", s.release)),
                        }
                    }
                    text
                } else {
                    String::new()
                }),
                Cell::new(locks.join("; ")),
            ]);
        }
    }
    let in_flight = view
        .in_flight
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let latest = view
        .latest_release
        .map_or_else(|| "none".to_string(), |r| r.to_string());
    let blocked: String = view
        .blocked
        .iter()
        .map(|b| {
            format!(
                "blocked: {} by {}, {}: {}\n",
                b.release,
                b.actor,
                relative_time(view.generated_at, b.since),
                b.reason
            )
        })
        .collect();
    let expedites: String = view
        .expedites
        .iter()
        .map(|e| {
            let by = if e.approved_by.is_empty() {
                "nobody approved yet".to_string()
            } else {
                format!("approved by {}", e.approved_by.join(", "))
            };
            if e.expedited {
                format!("expedited: {} ({by}): {}\n", e.release, e.reason)
            } else {
                format!(
                    "expedite asked: {} by {} ({by}; {} more needed): {}\n",
                    e.release, e.asked_by, e.missing, e.reason
                )
            }
        })
        .collect();
    let blocked = format!("{blocked}{expedites}");
    format!(
        "pipeline {}  latest release {}  in flight: {}\n{blocked}{}",
        view.pipeline,
        latest,
        if in_flight.is_empty() {
            "none"
        } else {
            &in_flight
        },
        table
    )
}

/// "in: alice, 3m ago", "stage in+out: bob, 2h ago": which way, who and since when.
fn lock_cell(now: captain::model::Timestamp, prefix: &str, lock: &status::LockView) -> String {
    let way = match lock.direction {
        LockDirection::In => "in",
        LockDirection::Out => "out",
        LockDirection::Both => "in+out",
    };
    format!(
        "{prefix}{way}: {}, {}",
        lock.actor,
        relative_time(now, lock.since)
    )
}

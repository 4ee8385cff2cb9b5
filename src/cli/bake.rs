//! `captain bake STAGE`: the bake of a stage an external CI deploys.

use std::time::Duration;

use captain::exec::Probes;
use captain::model::ReleaseNumber;
use captain::ops::gate::BakeState;
use captain::ops::rules;

use super::Context;
use super::ui::{Exit, Ui};

/// Bake a stage an external CI deploys: record its approval once the bake is over, or its
/// failure.
///
/// After `deploy finish --outcome approved`, a stage's deployments bake as under `captain
/// run`: for the stage's `bake_time`, until `min_data_points` are reached, with the
/// `rollback_alarm` known to be OK. This command watches the rollback alarm and the data
/// points, and records what the bake decides: the stage's approval (exit 0), or — when
/// the rollback alarm is in ALARM — the release failed there (`alarm fired`) with its
/// automatic rollback where it is on (exit 3; `captain next STAGE` hands out the
/// rollback deployments). While it bakes, it exits 3 saying how long and how many data
/// points are left, or with `--wait` watches until the bake is over.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stage, e.g. gamma.
    pub stage: String,
    /// The release to ask about (default: the one the stage works on).
    #[arg(long)]
    pub release: Option<String>,
    /// Watch for the rest of the bake (and while the stage still deploys or verifies).
    #[arg(long)]
    pub wait: bool,
    /// With --wait, seconds between looks at the alarm and the data points.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub interval: u64,
    /// With --wait, give up (exit 3) after this long, e.g. 2h.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub timeout: Option<Duration>,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let release: Option<ReleaseNumber> = args.release.as_deref().map(str::parse).transpose()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let actor = ctx.actor();
    let probes = Probes::default();
    let rules = rules::of(store.as_ref(), &pipeline, &probes);
    let started = std::time::Instant::now();
    let mut last = String::new();
    loop {
        let now = ctx.fresh_now();
        let view = rules.bake(rules::BakeRequest {
            stage: args.stage.clone(),
            release,
            actor: actor.clone(),
            now,
        })?;
        let watching = args.wait
            && view.release.is_some()
            && matches!(view.state, BakeState::Baking | BakeState::Waiting)
            && args.timeout.is_none_or(|t| started.elapsed() < t);
        if watching {
            if view.reason != last {
                ui.status(&view.reason);
                last = view.reason.clone();
            }
            let mut pause = Duration::from_secs(args.interval.max(1));
            if let Some(until) = view.until {
                let left = until.as_second() - now.as_second();
                if left > 0 {
                    pause = pause.min(Duration::from_secs(left.unsigned_abs()));
                }
            }
            std::thread::sleep(pause);
            continue;
        }
        if ui.json() {
            ui.out_json(&view)?;
        } else {
            ui.out(&view.reason)?;
        }
        return match view.state {
            BakeState::Approved => Ok(()),
            _ => Err(Exit(3).into()),
        };
    }
}

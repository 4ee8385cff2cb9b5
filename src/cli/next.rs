//! `captain next STAGE` and `captain gate STAGE`: for pipelines whose deployments an
//! external CI runs.

use captain::exec::Probes;
use captain::ops::gate;
use captain::ops::rules;

use super::Context;
use super::ui::{Exit, Ui};

/// Which release to deploy into STAGE now, or none and why.
///
/// The answer of the same rules `captain run` follows: promotion order, superseding,
/// locks, the stage's window and blocker, bake time of the stage before. A rollback
/// recorded by `captain rollback` shows up as the pending deployment of its stage.
#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// The stage, e.g. prod-1.
    pub stage: String,
}

/// May a deployment into STAGE start now? Exit 0 if so, 3 if not (the output says why).
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// The stage, e.g. prod-1.
    pub stage: String,
}

/// `record`: `next` first records what is due (a bake that ended, a failure's
/// rollbacks); `gate` only asks.
fn view(ctx: &Context, stage: &str, record: bool) -> anyhow::Result<gate::NextView> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let probes = Probes::default();
    Ok(
        rules::of(store.as_ref(), &pipeline, &probes).next(rules::NextRequest {
            stage: stage.to_string(),
            record,
            actor: ctx.actor(),
            now: ctx.now,
        })?,
    )
}

pub fn run_next(ctx: &Context, ui: &Ui, args: NextArgs) -> anyhow::Result<()> {
    let view = view(ctx, &args.stage, true)?;
    if ui.json() {
        return ui.out_json(&view);
    }
    match (view.release, view.kind) {
        (Some(release), Some(kind)) => ui.out(&format!(
            "{release} ({}) to {}: {}",
            kind.as_str(),
            view.environments.join(", "),
            view.reason
        )),
        _ => ui.out(&format!("none: {}", view.reason)),
    }
}

pub fn run_gate(ctx: &Context, ui: &Ui, args: GateArgs) -> anyhow::Result<()> {
    let view = view(ctx, &args.stage, false)?;
    if ui.json() {
        ui.out_json(&captain::views::deploy::GateView::of(&view))?;
    } else {
        ui.out(&format!(
            "{}: {}",
            if view.may_start { "open" } else { "closed" },
            view.reason
        ))?;
    }
    if view.may_start {
        Ok(())
    } else {
        Err(Exit(3).into())
    }
}

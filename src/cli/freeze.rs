//! `captain freeze [TARGET]` and `captain unfreeze [TARGET]`: an emergency freeze.

use captain::engine::freeze_covers;
use captain::ops::freeze;
use captain::ops::gate::local_time;
use captain::views::freeze::{FreezeLifted, FreezeSet, FreezeView};

use super::Context;
use super::ui::Ui;

/// Freeze the pipeline, a stage, an environment or a wave: nothing is promoted or started
/// there until it is lifted (or until --until).
///
/// From then on `captain run`, `next`, `gate` and `deploy start` start nothing in the
/// stages it holds (exit 3, naming the freeze, who, why and until when), and no `--force`
/// gets past it. Deployments already in progress finish as they would; rollbacks —
/// automatic or by hand — are never held. Freezing an environment or a wave holds each
/// stage it is in. Freezing a frozen target again replaces its reason and end. The team
/// server decides it for every client. Audited as `freeze.set`; on a team server it needs
/// the operator role.
#[derive(Debug, clap::Args)]
pub struct FreezeArgs {
    /// A stage, an environment or a wave (default: the whole pipeline).
    pub target: Option<String>,
    /// Why (required): shown wherever a start is refused, and kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
    /// When it ends by itself: a duration (2h, 1day) or a time in the pipeline's time
    /// zone (2026-12-21T18:00; 2026-12-21 is the end of that day; or with an offset,
    /// 2026-12-21T18:00:00Z). Default: until `captain unfreeze`.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
}

/// Lift an emergency freeze of the pipeline, a stage, an environment or a wave.
///
/// Lifting a freeze that is not there changes nothing and is not an error. Freezes
/// written in pipeline.toml (`freezes = [...]`) are not lifted here: change the file.
/// Audited as `freeze.remove`; on a team server it needs the operator role.
#[derive(Debug, clap::Args)]
pub struct UnfreezeArgs {
    /// The stage, environment or wave frozen (default: the whole pipeline).
    pub target: Option<String>,
    /// Why (required): kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
}

pub fn freeze(ctx: &Context, ui: &Ui, args: FreezeArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    // A bad target or end is told before the ledger is opened.
    freeze::resolve_target(&pipeline, args.target.as_deref())?;
    let until = args
        .until
        .as_deref()
        .map(|text| freeze::parse_until(&pipeline, text, ctx.now))
        .transpose()?;
    let store = ctx.store(&pipeline)?;
    let frozen = freeze::freeze(
        store.as_ref(),
        &pipeline,
        args.target.as_deref(),
        ctx.actor(),
        &args.reason,
        until,
        ctx.now,
    )?;
    let stages: Vec<String> = pipeline
        .stages
        .iter()
        .filter(|s| freeze_covers(&frozen.freeze.target, s))
        .map(|s| s.name.clone())
        .collect();
    let view = FreezeSet {
        freeze: FreezeView::from(&frozen.freeze),
        replaced: frozen.replaced.as_ref().map(FreezeView::from),
        stages,
    };
    if ui.json() {
        return ui.out_json(&view);
    }
    let until = match view.freeze.until {
        Some(t) => format!("until {}", local_time(&pipeline, t)),
        None => "until `captain unfreeze`".to_string(),
    };
    ui.out(&format!(
        "{} frozen {until}: {}",
        view.freeze.target, view.freeze.reason
    ))?;
    if let Some(replaced) = &view.replaced {
        ui.status(&format!(
            "it replaces the freeze by {}: {}",
            replaced.actor, replaced.reason
        ));
    }
    ui.status(&format!(
        "nothing starts in {}; rollbacks still run",
        view.stages.join(", ")
    ));
    Ok(())
}

pub fn unfreeze(ctx: &Context, ui: &Ui, args: UnfreezeArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let target = freeze::resolve_target(&pipeline, args.target.as_deref())?;
    let store = ctx.store(&pipeline)?;
    let lifted = freeze::unfreeze(
        store.as_ref(),
        &pipeline,
        args.target.as_deref(),
        ctx.actor(),
        &args.reason,
        ctx.now,
    )?;
    let target = freeze::target_words(&target).to_string();
    if ui.json() {
        return ui.out_json(&FreezeLifted { target, lifted });
    }
    if lifted {
        ui.out(&format!("{target} is no longer frozen"))
    } else {
        ui.out(&format!("{target} was not frozen; nothing changed"))
    }
}

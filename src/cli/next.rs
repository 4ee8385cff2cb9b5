//! `captain next STAGE` and `captain gate STAGE`: for pipelines whose deployments an
//! external CI runs.

use captain::config::Pipeline;
use captain::exec::Probes;
use captain::ops::preview::{self as builder, PromotionPreview};
use captain::ops::{gate, rules};
use captain::store::Store;
use captain::views::preview::NextPreviewView;

use super::Context;
use super::preview::{self, Commits, Direction};
use super::ui::{Exit, Ui};

/// Which release to deploy into STAGE now, or none and why.
///
/// The answer of the same rules `captain run` follows: promotion order, superseding,
/// locks, the stage's window and blocker, bake time of the stage before. A rollback
/// recorded by `captain rollback` shows up as the pending deployment of its stage.
///
/// With `--preview`, also what that release (else the one waiting for the stage) would
/// change in the stage's environments against what each runs now, as `captain diff`
/// shows it: commits added and removed, files (from the checkout), dependency and
/// artifact changes. `--output markdown` (with `--preview`) prints it as release notes.
#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// The stage, e.g. prod-1.
    pub stage: String,
    /// Also show what the release would change in the stage's environments.
    #[arg(long)]
    pub preview: bool,
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
    answer(ctx, &pipeline, store.as_ref(), stage, record)
}

fn answer(
    ctx: &Context,
    pipeline: &Pipeline,
    store: &dyn Store,
    stage: &str,
    record: bool,
) -> anyhow::Result<gate::NextView> {
    let probes = Probes::default();
    Ok(
        rules::of(store, pipeline, &probes).next(rules::NextRequest {
            stage: stage.to_string(),
            record,
            actor: ctx.actor(),
            now: ctx.now,
        })?,
    )
}

pub fn run_next(ctx: &Context, ui: &Ui, args: NextArgs) -> anyhow::Result<()> {
    if args.preview {
        return run_preview(ctx, ui, &args.stage);
    }
    let view = view(ctx, &args.stage, true)?;
    if ui.json() {
        return ui.out_json(&view);
    }
    ui.out(&answer_line(&view))
}

fn answer_line(view: &gate::NextView) -> String {
    match (view.release, view.kind) {
        (Some(release), Some(kind)) => format!(
            "{release} ({}) to {}: {}",
            kind.as_str(),
            view.environments.join(", "),
            view.reason
        ),
        _ => format!("none: {}", view.reason),
    }
}

/// `next STAGE --preview`: the answer, then what its release (else the waiting one)
/// would change in the environments it goes to (else all of the stage's).
fn run_preview(ctx: &Context, ui: &Ui, stage: &str) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let repo = preview::repo(ctx, ui)?;
    let next = answer(ctx, &pipeline, store.as_ref(), stage, true)?;
    let environments = if next.environments.is_empty() {
        pipeline
            .require_stage(&next.stage)?
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect()
    } else {
        next.environments.clone()
    };
    let release = next.release.or(next.waiting);
    let promotion = builder::promotion(store.as_ref(), repo.as_ref(), release, &environments)?;
    if ui.json() {
        return ui.out_json(&NextPreviewView {
            next,
            preview: promotion,
        });
    }
    let mut out = String::new();
    if ui.markdown() {
        let Some(release) = promotion.release else {
            return ui.out(&format!(
                "Nothing waits for {}: {}",
                next.stage,
                preview::escape(&next.reason)
            ));
        };
        out.push_str(&format!(
            "# {release} into {}\n\n{}\n\n",
            next.stage,
            preview::escape(&answer_line(&next))
        ));
        for change in &promotion.changes {
            let title = format!(
                "{}: {} → {}",
                change.environments.join(", "),
                change.from,
                change.to
            );
            preview::markdown_change(&mut out, &title, change, Direction::Forward);
        }
        markdown_others(&mut out, &promotion);
        return ui.out(out.trim_end());
    }
    out.push_str(&answer_line(&next));
    out.push('\n');
    let Some(release) = promotion.release else {
        out.push_str(&format!("\nNothing waits for {}.", next.stage));
        return ui.out(&out);
    };
    for change in &promotion.changes {
        out.push('\n');
        let header = format!(
            "{} into {} (now {}):",
            release,
            change.environments.join(", "),
            change.from
        );
        let lists = [
            Commits {
                title: "Commits added",
                commits: &change.commits_added,
                when_empty: true,
            },
            Commits {
                title: "Commits removed",
                commits: &change.commits_removed,
                when_empty: false,
            },
        ];
        preview::render_change(ui, &mut out, &header, &lists, change);
    }
    if !promotion.unchanged.is_empty() {
        out.push_str(&format!(
            "\n{} already {} {release}.\n",
            promotion.unchanged.join(", "),
            if promotion.unchanged.len() == 1 {
                "runs"
            } else {
                "run"
            }
        ));
    }
    if !promotion.not_deployed.is_empty() {
        out.push_str(&format!(
            "\nNothing was deployed to {} yet: all of {release} is new there.\n",
            promotion.not_deployed.join(", ")
        ));
    }
    ui.out(out.trim_end())
}

fn markdown_others(out: &mut String, promotion: &PromotionPreview) {
    let Some(release) = promotion.release else {
        return;
    };
    if !promotion.unchanged.is_empty() {
        out.push_str(&format!(
            "{} already {} {release}.\n\n",
            promotion.unchanged.join(", "),
            if promotion.unchanged.len() == 1 {
                "runs"
            } else {
                "run"
            }
        ));
    }
    if !promotion.not_deployed.is_empty() {
        out.push_str(&format!(
            "Nothing was deployed to {} yet: all of {release} is new there.\n\n",
            promotion.not_deployed.join(", ")
        ));
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

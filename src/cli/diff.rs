//! `captain diff A B`: what replacing A by B changes, each a release or an environment.

use captain::ops::preview::{self as builder, DiffSide, SideKind};
use captain::views::preview::DiffView;

use super::Context;
use super::preview::{self, Commits, Direction};
use super::ui::{Ui, relative_time, short};

/// Compare two releases or environments: what replacing A by B changes.
///
/// A and B are each a release (v12) or an environment (the release it runs now). `captain
/// diff prod-2 gamma` is what promoting gamma's release into prod-2 would bring: the
/// commits added (in B and not in A) and removed (in A and not in B), from the commits
/// the ledger recorded with each release; the files changed between the two commits, from
/// the checkout (without one, it says it cannot show them); the dependency changes between
/// the two releases' lockfile snapshots; and the artifacts whose references differ.
/// `captain diff B A` is the same the other way: the added commits become removed ones.
///
/// An environment nothing was deployed to yet is an error (exit 5), and so is an unknown
/// name (with a did-you-mean) or release; a stage or a wave is refused (exit 2): its
/// environments may run different releases. `--output markdown` prints release notes for
/// a pull-request comment or a chat message, the commits whose subjects are in
/// Conventional Commits form (feat:, fix(scope):, feat!: …) grouped by type.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What runs now, or the older side: a release (v12) or an environment (prod-2).
    #[arg(value_name = "A")]
    pub from: String,
    /// What would replace it: a release or an environment (gamma).
    #[arg(value_name = "B")]
    pub to: String,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let repo = preview::repo(ctx, ui)?;
    let diff = builder::diff(
        store.as_ref(),
        repo.as_ref(),
        &pipeline,
        &args.from,
        &args.to,
    )?;
    if ui.json() {
        return ui.out_json::<DiffView>(&diff);
    }
    if ui.markdown() {
        let mut out = String::new();
        let title = format!("{} → {}", describe(&diff.from), describe(&diff.to));
        preview::markdown_change(&mut out, &title, &diff.changes, Direction::Forward);
        return ui.out(out.trim_end());
    }
    let mut out = String::new();
    for (label, side) in [("from", &diff.from), ("to", &diff.to)] {
        out.push_str(&format!(
            "{label:<5} {} (commit {}, released {}){}\n",
            describe(side),
            short(&side.commit),
            relative_time(ctx.now, side.created_at),
            side.in_progress
                .map_or_else(String::new, |r| format!("; {r} is being deployed there")),
        ));
    }
    out.push('\n');
    if diff.from.release == diff.to.release {
        out.push_str(&format!("Both are {}: nothing changes.", diff.from.release));
        return ui.out(&out);
    }
    let header = format!("From {} to {}:", diff.changes.from, diff.changes.to);
    let lists = [
        Commits {
            title: "Commits added",
            commits: &diff.changes.commits_added,
            when_empty: true,
        },
        Commits {
            title: "Commits removed",
            commits: &diff.changes.commits_removed,
            when_empty: false,
        },
    ];
    preview::render_change(ui, &mut out, &header, &lists, &diff.changes);
    ui.out(out.trim_end())
}

/// `gamma (v4)` or `v4`.
fn describe(side: &DiffSide) -> String {
    match side.kind {
        SideKind::Environment => format!("{} ({})", side.name, side.release),
        SideKind::Release => side.release.to_string(),
    }
}

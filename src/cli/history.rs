//! `captain history ENV`: the deployment history of one environment.

use captain::store::HistoryFilter;
use captain::views::history;

use super::Context;
use super::common::parse_since;
use super::ui::{Cell, Ui, relative_time, short};

/// Deployment history of an environment, newest first: deployment, when, outcome, commits
/// added and removed ("+5 −2"), and commit range.
///
/// Each deployment is compared with the release the environment had when it started: added
/// is `git rev-list previous..this`, removed `git rev-list this..previous` (for the first
/// deployment there, every commit of its release and none). The commit range is that of
/// the commits it brought (for a rollback, of those it removed). JSON: `added` and
/// `removed` as {count, from, to}, meaning `git rev-list from..to` (from null: everything
/// reachable from to).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment, e.g. prod-2.
    pub environment: String,
    /// Show at most this many deployments.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Only deployments since a time (2026-11-01, an RFC 3339 time, or a duration back from now such as 2d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, ctx.now))
        .transpose()?;
    let pipeline = ctx.outline()?;
    pipeline.require_environment(&args.environment)?;
    let store = ctx.store_for_view(&pipeline)?;
    let view = history::build(
        &pipeline,
        store.as_ref(),
        &args.environment,
        &HistoryFilter {
            limit: Some(args.limit),
            since,
        },
    )?;
    if ui.json() {
        return ui.out_json(&view);
    }
    if view.deployments.is_empty() {
        return ui.out(&format!("no deployments to {} yet", view.environment));
    }
    let mut table = ui.table(&[
        "deployment",
        "release",
        "when",
        "outcome",
        "changes",
        "commit ids",
    ]);
    for row in &view.deployments {
        let when = relative_time(ctx.now, row.finished_at.unwrap_or(row.started_at));
        let changes = format!("+{} \u{2212}{}", row.added.count, row.removed.count);
        let changes = match row.kind {
            captain::model::DeploymentKind::Rollback => format!("rollback {changes}"),
            captain::model::DeploymentKind::Normal => changes,
        };
        let range = match (&row.commits.first, &row.commits.last) {
            (Some(first), Some(last)) if first != last => {
                format!("{}..{}", short(first), short(last))
            }
            (_, Some(last)) => short(last).to_string(),
            (Some(first), None) => short(first).to_string(),
            (None, None) => String::new(),
        };
        table.add_row(vec![
            Cell::new(row.id.to_string()),
            Cell::new(if row.blocked {
                format!("{} (blocked)", row.release)
            } else {
                row.release.to_string()
            }),
            Cell::new(when),
            ui.state_cell(row.outcome.as_str()),
            Cell::new(changes),
            Cell::new(range),
        ]);
    }
    ui.out(&format!(
        "Deployment history for {}\n{table}",
        view.environment
    ))
}

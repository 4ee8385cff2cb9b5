//! `captain demo`: the self-contained tour, played in a temporary directory and then shown
//! through the same views a user would run.

use captain::Error;

use super::ui::Ui;
use super::{Context, GlobalArgs, history, rollback, status, where_cmd};

/// A self-contained tour for a newcomer: a sandbox git repository and pipeline in a
/// temporary directory, several releases deployed to local directories (a new directory
/// and a symlink switch per deployment), a failed test run, an alarm and a rollback, then
/// status, history and where. Touches nothing outside the temporary directory.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the temporary directory and print its path, to look around afterwards.
    #[arg(long)]
    pub keep: bool,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("captain-demo-")
        .tempdir()
        .map_err(|e| Error::failed(format!("cannot create a temporary directory: {e}")))?;
    let tour = captain::demo::run(dir.path(), &|| ctx.fresh_now(), &mut |line| {
        ui.status(&format!("demo: {line}"))
    })?;
    let tour_ctx = Context::new(GlobalArgs {
        repo: Some(tour.repo.clone()),
        pipeline: vec![tour.pipeline.clone()],
        state: Some(tour.state.display().to_string()),
        ca_file: None,
        output: ctx.global.output,
        json: ctx.global.json,
        quiet: ctx.global.quiet,
        no_color: ctx.global.no_color,
        yes: ctx.global.yes,
    });
    let tour_ctx = tour_ctx.with_now(ctx.fresh_now());

    heading(ui, "$ captain status")?;
    status::run(
        &tour_ctx,
        ui,
        status::Args {
            targets: Vec::new(),
            watch: false,
            interval: 5,
        },
    )?;
    heading(
        ui,
        &format!("$ captain history {}", tour.history_environment),
    )?;
    history::run(
        &tour_ctx,
        ui,
        history::Args {
            environment: tour.history_environment.clone(),
            limit: 20,
            since: None,
        },
    )?;
    let short = &tour.interesting_commit[..tour.interesting_commit.len().min(7)];
    heading(ui, &format!("$ captain where {short}"))?;
    where_cmd::run(
        &tour_ctx,
        ui,
        where_cmd::Args {
            rev: short.to_string(),
        },
    )?;

    heading(
        ui,
        &format!("$ captain rollback {} --dry-run", tour.rollback_environment),
    )?;
    rollback::run(
        &tour_ctx,
        ui,
        rollback::Args {
            targets: vec![tour.rollback_environment.clone()],
            to: None,
            pick: false,
            reason: Some("the demo's preview".to_string()),
            dry_run: true,
            force: false,
        },
    )?;

    if args.keep {
        let kept = dir.keep();
        ui.status(&format!(
            "demo: kept {} (repo/, state/, envs/ with a `current` symlink per environment)",
            kept.display()
        ));
        ui.status(&format!(
            "demo: open its pipeline in the browser: captain ui --pipeline {} --state {} --open",
            tour.pipeline.display(),
            tour.state.display()
        ));
    } else {
        ui.status(
            "demo: to see its pipeline in the browser, run `captain demo --keep`: it ends with the `captain ui --state …` to run",
        );
    }
    Ok(())
}

fn heading(ui: &Ui, text: &str) -> anyhow::Result<()> {
    if ui.json() {
        Ok(())
    } else {
        ui.out(&format!("\n{text}"))
    }
}

//! `captain rollback TARGET…`: pick the release to go back to, show the preview, confirm,
//! and start the rollback deployments.

use std::collections::BTreeSet;

use captain::Error;
use captain::config::TargetKind;
use captain::model::{Deployment, ReleaseNumber, Timestamp};
use captain::ops::rollback::{self, Candidate, PreviewRequest, RollbackPreview};
use captain::server::auth::Role;
use captain::store::Store;
use captain::views::deploy::DeploymentStarted;
use captain::views::rollback::{RollbackResult, RollbackView};

use super::Context;
use super::preview::{self, Commits, Direction};
use super::release::plural;
use super::ui::{Ui, relative_time, short};

/// Roll environments back to an older release, after a preview.
///
/// Each TARGET is an environment, a stage (its environments) or a wave (the environments
/// of its stages); the preview lists every environment they cover, target by target. An
/// environment reached through a stage or a wave that nothing has been deployed to yet is
/// left as it is.
///
/// The release to go back to is, per environment, the last release that was deployed
/// there and approved before its current one (releases that failed approval are passed
/// over). `--to vN` chooses an older one (a latent change); in a terminal `--pick` lists
/// the earlier releases with when each was deployed there, its commits and its approval
/// outcome.
///
/// The preview shows the commits that will be removed, the files, dependency versions and
/// artifacts that change, and warnings. Then captain asks for confirmation — `--yes` in
/// scripts; without a terminal and without `--yes` it refuses (exit 2). It cancels a
/// deployment in progress there, disables promotions into and out of the environments
/// (see `captain promotions`), and starts rollback deployments of the older release's
/// recorded artifacts. Whoever runs them records the end with `captain deploy finish ID
/// --outcome …`. If someone changed an environment since the preview (another rollback, a
/// deployment), nothing is started and captain exits 4 saying who came first.
///
/// `--quiet` prints only the rollback deployments started, one line each (deployment,
/// environment, release); with `--dry-run`, the preview. Against a team server, a token
/// whose role may not roll back is refused before the preview is made (a `--dry-run` only
/// reads: role read is enough).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environments, stages or waves to roll back, e.g. prod-2 or wave-1.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The release to go back to, e.g. v12 (default: the last approved one before the current).
    #[arg(long, value_name = "RELEASE")]
    pub to: Option<String>,
    /// Choose the release from a list of earlier releases (needs a terminal).
    #[arg(long, conflicts_with = "to")]
    pub pick: bool,
    /// Why: shown on the promotion locks and kept in the audit log.
    #[arg(long)]
    pub reason: Option<String>,
    /// Print the preview and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Allow a target that was never approved in an environment.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let to: Option<ReleaseNumber> = args.to.as_deref().map(str::parse).transpose()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    // A dry run only reads; a real one is refused now rather than after the preview.
    if !args.dry_run {
        captain::ops::require_role(store.as_ref(), Role::Operator, "a rollback")?;
    }
    let repo = preview::repo(ctx, ui)?;
    let situation = rollback::gather(store.as_ref(), &pipeline, &args.targets)?;
    let interactive = ui.stdin_is_terminal && ui.stderr_is_terminal;

    let to = match to {
        Some(to) => Some(to),
        None if args.pick && !interactive => {
            return Err(Error::usage("--pick needs a terminal to show the list in")
                .with_hint("name the release with `--to vN` (`captain history ENV` lists them)")
                .into());
        }
        // Different default targets: a person at a terminal chooses; a script gets an
        // error listing them from the preview.
        None if args.pick || (situation.targets_differ() && interactive && !ctx.global.yes) => {
            match pick(ctx, ui, store.as_ref(), &situation)? {
                Some(release) => Some(release),
                None => {
                    ui.status("no release chosen; nothing changed");
                    return Ok(());
                }
            }
        }
        None => None,
    };

    let preview = rollback::preview(
        store.as_ref(),
        repo.as_ref(),
        &situation,
        &PreviewRequest {
            to,
            force: args.force,
            now: ctx.now,
        },
    )?;

    let needs_answer = !args.dry_run && !preview.environments.is_empty() && !ctx.global.yes;
    if needs_answer && !interactive {
        return Err(Error::usage(format!(
            "rolling back {} needs a confirmation, and there is no terminal to ask in",
            names(&preview)
        ))
        .with_hint("pass --yes to confirm from a script, or --dry-run to see the preview only")
        .into());
    }

    // The preview is what a dry run is for; otherwise --quiet leaves only the result.
    if ui.markdown() && (args.dry_run || !ui.quiet) {
        ui.out(&markdown_preview(&preview))?;
    } else if !ui.json() && (args.dry_run || !ui.quiet) {
        ui.out(&render_preview(ctx, ui, &preview))?;
    }
    if args.dry_run || preview.environments.is_empty() {
        if preview.environments.is_empty() {
            ui.status("nothing to roll back");
        } else {
            ui.status("dry run: nothing changed");
        }
        return finish_json(ui, &preview, None);
    }
    if needs_answer && !confirm(&preview)? {
        ui.status("rollback not started; nothing changed");
        return finish_json(ui, &preview, None);
    }

    let started = rollback::start(
        store.as_ref(),
        &preview,
        ctx.actor(),
        args.reason,
        ctx.fresh_now(),
    )?;
    let result = RollbackResult {
        locked: started.iter().map(|d| d.environment.clone()).collect(),
        deployments: started.iter().map(DeploymentStarted::from).collect(),
    };
    if ui.json() {
        return finish_json(ui, &preview, Some(result));
    }
    if ui.quiet {
        let lines: Vec<String> = started
            .iter()
            .map(|d| format!("{} {} {}", d.id, d.environment, d.release))
            .collect();
        return ui.out(&lines.join("\n"));
    }
    ui.out(&render_started(ui, &started))?;
    ui.status(&format!(
        "promotions into and out of {} are disabled; enable them with `captain promotions enable {}` when a fix is ready",
        result.locked.join(", "),
        args.targets.join(" ")
    ));
    ui.status(
        "whoever runs the deployments records their end with `captain deploy finish ID --outcome approved|deploy-failed|…`",
    );
    Ok(())
}

fn finish_json(
    ui: &Ui,
    preview: &RollbackPreview,
    result: Option<RollbackResult>,
) -> anyhow::Result<()> {
    if ui.json() {
        ui.out_json(&RollbackView {
            preview: preview.clone(),
            result,
        })?;
    }
    Ok(())
}

fn names(preview: &RollbackPreview) -> String {
    preview
        .environments
        .iter()
        .map(|p| p.environment.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn dialog_error(e: dialoguer::Error) -> Error {
    Error::failed(format!("could not read the answer from the terminal: {e}"))
}

/// The pick list; `None` when the person leaves it (Esc or q).
fn pick(
    ctx: &Context,
    ui: &Ui,
    store: &dyn Store,
    situation: &rollback::Situation,
) -> anyhow::Result<Option<ReleaseNumber>> {
    let candidates = rollback::candidates(store, situation)?;
    if candidates.is_empty() {
        let envs: Vec<&str> = situation
            .environments
            .iter()
            .map(|e| e.environment.as_str())
            .collect();
        return Err(Error::not_found(format!(
            "{} {} no earlier release to go back to",
            envs.join(", "),
            if envs.len() == 1 { "has" } else { "have" }
        ))
        .with_hint("`captain history ENV` shows what was deployed")
        .into());
    }
    if situation.targets_differ() && !ui.quiet {
        let each: Vec<String> = situation
            .default_targets()
            .into_iter()
            .filter_map(|(env, t)| Some(format!("{env} to {}", t?)))
            .collect();
        ui.status(&format!(
            "the environments would roll back to different releases ({}); choose one for all",
            each.join(", ")
        ));
    }
    let items: Vec<String> = candidates
        .iter()
        .map(|c| candidate_line(ctx.now, c))
        .collect();
    let default = candidates.iter().position(|c| c.default).unwrap_or(0);
    let chosen = dialoguer::Select::new()
        .with_prompt("Roll back to which release? (↑/↓, enter; esc to leave)")
        .items(&items)
        .default(default)
        .max_length(15)
        .interact_opt()
        .map_err(dialog_error)?;
    Ok(chosen.and_then(|i| candidates.get(i)).map(|c| c.release))
}

/// `v12  released 3d ago  4 commits  prod-1: approved 2d ago`.
fn candidate_line(now: Timestamp, c: &Candidate) -> String {
    let places: Vec<String> = c
        .environments
        .iter()
        .map(|e| {
            format!(
                "{}: {} {}",
                e.environment,
                e.outcome,
                relative_time(now, e.deployed_at)
            )
        })
        .collect();
    format!(
        "{:<6} released {:<8} {:>3} commit{:<1}  {}{}",
        c.release.to_string(),
        relative_time(now, c.created_at),
        c.commits,
        plural(c.commits),
        places.join("; "),
        if c.default { "  (default)" } else { "" }
    )
}

fn confirm(preview: &RollbackPreview) -> anyhow::Result<bool> {
    let answer = dialoguer::Confirm::new()
        .with_prompt(format!(
            "Roll back {} to {} and disable promotions into and out of {}?",
            names(preview),
            preview.target,
            if preview.environments.len() == 1 {
                "it"
            } else {
                "them"
            }
        ))
        .default(false)
        .interact_opt()
        .map_err(dialog_error)?;
    Ok(answer == Some(true))
}

fn render_preview(ctx: &Context, ui: &Ui, preview: &RollbackPreview) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line(
        &mut out,
        &format!(
            "Rollback to {} (commit {}, released {})",
            preview.target,
            short(&preview.target_commit),
            relative_time(ctx.now, preview.target_created_at)
        ),
    );
    line(&mut out, &render_environments(ui, preview).to_string());
    for change in &preview.changes {
        out.push('\n');
        let header = format!(
            "From {} to {} ({}):",
            change.from,
            change.to,
            change.environments.join(", ")
        );
        let lists = [
            Commits {
                title: "Commits removed",
                commits: &change.commits_removed,
                when_empty: true,
            },
            Commits {
                title: "Commits added back",
                commits: &change.commits_added,
                when_empty: false,
            },
        ];
        preview::render_change(ui, &mut out, &header, &lists, change);
    }
    if !preview.artifacts.is_empty() {
        line(
            &mut out,
            &format!("\nArtifacts deployed ({}):", preview.target),
        );
        for (name, reference) in &preview.artifacts {
            line(&mut out, &format!("  {name} = {reference}"));
        }
    }
    if !preview.warnings.is_empty() {
        line(&mut out, "\nWarnings:");
        for w in &preview.warnings {
            line(&mut out, &format!("  ! {}", w.message));
        }
    }
    out.trim_end().to_string()
}

/// The preview as Markdown (`--output markdown`): what each environment loses, as
/// release notes, then the warnings.
fn markdown_preview(preview: &RollbackPreview) -> String {
    let mut out = format!(
        "# Rollback of {} to {}\n\n",
        if preview.environments.is_empty() {
            "nothing".to_string()
        } else {
            names(preview)
        },
        preview.target
    );
    for w in &preview.warnings {
        out.push_str(&format!("> **Warning:** {}\n", preview::escape(&w.message)));
    }
    if !preview.warnings.is_empty() {
        out.push('\n');
    }
    for change in &preview.changes {
        let title = format!(
            "{}: {} → {}",
            change.environments.join(", "),
            change.from,
            change.to
        );
        preview::markdown_change(&mut out, &title, change, Direction::Back);
    }
    out.trim_end().to_string()
}

/// Every environment the targets cover, target by target: what happens there. A first
/// column names the target when one of them is a stage or a wave.
fn render_environments(ui: &Ui, preview: &RollbackPreview) -> super::ui::Table {
    let grouped = preview
        .targets
        .iter()
        .any(|t| t.kind != TargetKind::Environment);
    let mut header = vec!["environment", "now", "goes back to", "cancels"];
    if grouped {
        header.insert(0, "target");
    }
    let mut table = ui.table(&header);
    let mut seen = BTreeSet::new();
    for target in &preview.targets {
        let mut first = true;
        for env in target
            .environments
            .iter()
            .filter(|e| seen.insert(e.as_str()))
        {
            let plan = preview.environments.iter().find(|p| &p.environment == env);
            let (now, goes_to, cancels) = match plan {
                Some(plan) => (
                    plan.current.to_string(),
                    plan.target.to_string(),
                    plan.cancels
                        .as_ref()
                        .map_or_else(String::new, ToString::to_string),
                ),
                None if preview.not_deployed.contains(env) => (
                    "-".to_string(),
                    "stays: nothing deployed".to_string(),
                    String::new(),
                ),
                None => (
                    preview.target.to_string(),
                    "stays: already there".to_string(),
                    String::new(),
                ),
            };
            let mut row = vec![env.clone(), now, goes_to, cancels];
            if grouped {
                row.insert(
                    0,
                    if first {
                        target.name.clone()
                    } else {
                        String::new()
                    },
                );
            }
            first = false;
            table.add_row(row);
        }
    }
    table
}

fn render_started(ui: &Ui, started: &[Deployment]) -> String {
    let mut table = ui.table(&["deployment", "environment", "release", "kind"]);
    for d in started {
        table.add_row(vec![
            d.id.to_string(),
            d.environment.clone(),
            d.release.to_string(),
            d.kind.as_str().to_string(),
        ]);
    }
    format!("Started rollback deployments:\n{table}")
}

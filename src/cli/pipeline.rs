//! `captain pipeline push | show | history | diff`: the pipeline's definition as a team
//! server holds it.

use captain::ops::definition;

use super::Context;
use super::ui::{Ui, relative_time};

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    Push(PushArgs),
    Show(ShowArgs),
    History(HistoryArgs),
    Diff(DiffArgs),
}

/// Register the local pipeline.toml as the pipeline's next definition (an operator's).
///
/// A team server decides every rule from the newest definition registered, never from a
/// client's copy; a client whose pipeline.toml differs is refused until the two agree.
/// Pushing the same text again changes nothing. Validated by the server; audited.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// Why (recorded in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Print a registered definition (default: the newest).
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Which version.
    #[arg(long)]
    pub version: Option<u32>,
}

/// List the registered versions of the definition, newest first.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {}

/// Show how the local pipeline.toml differs from a registered definition (default: the
/// newest).
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Which version.
    #[arg(long)]
    pub version: Option<u32>,
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    match command {
        Command::Push(args) => {
            let text = captain::config::read_pipeline_text(&pipeline.source)?;
            let pushed = definition::push(
                store.as_ref(),
                &pipeline,
                text,
                &ctx.actor(),
                args.reason,
                ctx.now,
            )?;
            if ui.json() {
                return ui.out_json(&pushed);
            }
            let v = &pushed.version;
            if pushed.created {
                ui.out(&format!(
                    "registered version {} of pipeline `{}` ({})",
                    v.version, pipeline.name, v.digest
                ))
            } else {
                ui.out(&format!(
                    "pipeline `{}` is at version {} already, the same text ({})",
                    pipeline.name, v.version, v.digest
                ))
            }
        }
        Command::Show(args) => {
            let version = definition::version(store.as_ref(), &pipeline.name, args.version)?;
            if ui.json() {
                return ui.out_json(&version);
            }
            ui.status(&format!(
                "pipeline `{}` version {}, pushed by {} {}",
                pipeline.name,
                version.version,
                version.actor,
                relative_time(ctx.now, version.at)
            ));
            ui.out(version.definition.trim_end())
        }
        Command::History(_) => {
            let versions = store.pipeline_versions()?;
            if ui.json() {
                return ui.out_json(&captain::views::ledger::PipelineHistory { versions });
            }
            if versions.is_empty() {
                return ui.out(&format!(
                    "pipeline `{}` has no registered definition; `captain pipeline push` registers one",
                    pipeline.name
                ));
            }
            let mut table = ui.table(&["version", "pushed", "by", "reason", "digest"]);
            for v in &versions {
                table.add_row(vec![
                    format!("v{}", v.version),
                    relative_time(ctx.now, v.at),
                    v.actor.clone(),
                    v.reason.clone().unwrap_or_default(),
                    v.digest.chars().take(19).collect(),
                ]);
            }
            ui.out(&table.to_string())
        }
        Command::Diff(args) => {
            let local = captain::config::read_pipeline_text(&pipeline.source)?;
            let diff = definition::diff(store.as_ref(), &pipeline, &local, args.version)?;
            if ui.json() {
                return ui.out_json(&diff);
            }
            if diff.same {
                return ui.out(&format!(
                    "{} is version {} of pipeline `{}`",
                    pipeline.source.display(),
                    diff.version,
                    pipeline.name
                ));
            }
            ui.out(diff.diff.trim_end())
        }
    }
}

//! `captain state export | import`: the whole ledger as versioned JSON Lines.

use std::io::{BufReader, BufWriter, Write};

use captain::Error;
use captain::store::{ImportMode, export};

use super::Context;
use super::ui::{BrokenPipe, Ui};

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    Export(ExportArgs),
    Import(ImportArgs),
}

/// Write the whole ledger as versioned JSON Lines to stdout (backups, moving to a team
/// server). The format is documented in the README.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {}

/// Load a ledger export from stdin, all or nothing.
///
/// Refuses a ledger that already holds records unless --merge. A bad line is reported with
/// its line number and nothing is imported.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Add to a ledger that already holds records (records already present are skipped).
    #[arg(long)]
    pub merge: bool,
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    match command {
        Command::Export(_) => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let written = export::write_jsonl(store.as_ref(), &mut out, &pipeline.name, ctx.now);
            match written.and_then(|()| {
                out.flush()
                    .map_err(|e| Error::failed(format!("cannot write the export: {e}")))
            }) {
                Ok(()) => Ok(()),
                Err(e) if e.message.contains("Broken pipe") => Err(anyhow::Error::new(BrokenPipe)),
                Err(e) => Err(e.into()),
            }
        }
        Command::Import(args) => {
            let mode = if args.merge {
                ImportMode::Merge
            } else {
                ImportMode::EmptyOnly
            };
            let input = BufReader::new(std::io::stdin().lock());
            let mut records = export::read_jsonl(input);
            let summary = store.import(&mut records, mode)?;
            if ui.json() {
                return ui.out_json(&summary);
            }
            ui.out(&format!(
                "imported {} releases, {} deployments, {} stage records, {} locks, {} expedites, {} overrides, {} audit events ({} already present)",
                summary.releases,
                summary.deployments,
                summary.stage_records,
                summary.locks,
                summary.expedites,
                summary.overrides,
                summary.audit_events,
                summary.skipped
            ))
        }
    }
}

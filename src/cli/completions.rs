//! `captain completions SHELL` and `captain man DIR`, generated from the clap definition,
//! and `captain schemas DIR`, generated from the views' types. The generated files are
//! committed under completions/, man/ and schemas/; tests keep them fresh.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use captain::Error;

use super::Cli;
use super::ui::Ui;

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Write man pages (captain.1 and one per subcommand) into a directory.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The directory to write into (created if missing).
    pub dir: PathBuf,
}

/// Write the JSON Schema of every --output json view into a directory (one file per view,
/// e.g. status.json; the same files as the project's schemas/).
#[derive(Debug, clap::Args)]
pub struct SchemasArgs {
    /// The directory to write into (created if missing).
    pub dir: PathBuf,
}

pub fn run_completions(ui: &Ui, args: CompletionsArgs) -> anyhow::Result<()> {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "captain", &mut buffer);
    ui.out(&String::from_utf8_lossy(&buffer))
}

pub fn run_man(ui: &Ui, args: ManArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Error::failed(format!("cannot create {}: {e}", args.dir.display())))?;
    clap_mangen::generate_to(Cli::command(), &args.dir).map_err(|e| {
        Error::failed(format!(
            "cannot write man pages to {}: {e}",
            args.dir.display()
        ))
    })?;
    ui.status(&format!("wrote the man pages to {}", args.dir.display()));
    Ok(())
}

pub fn run_schemas(ui: &Ui, args: SchemasArgs) -> anyhow::Result<()> {
    let written = captain::views::schema::write_all(&args.dir)?;
    ui.status(&format!(
        "wrote {} schemas to {}",
        written.len(),
        args.dir.display()
    ));
    Ok(())
}

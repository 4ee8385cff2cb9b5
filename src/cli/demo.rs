//! `captain demo`: the self-contained tour.

use super::Context;
use super::ui::Ui;

/// A self-contained tour for a newcomer: a sandbox git repository and pipeline in a
/// temporary directory, several releases deployed to local directories, a failure and a
/// rollback, then status, history and where. Touches nothing outside the temporary
/// directory (use --keep to look around afterwards).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the temporary directory and print its path.
    #[arg(long)]
    pub keep: bool,
}

pub fn run(_ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let _ = args.keep;
    ui.out("demo: not written yet")
}

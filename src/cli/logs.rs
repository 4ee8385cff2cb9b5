//! `captain logs DEPLOYMENT`: the captured output of a deployment's commands.

use captain::model::DeploymentId;

use super::Context;
use super::ui::Ui;

/// The captured output of a deployment's deploy command and approval steps, with
/// captain's own notes (`captain:` lines), oldest first.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The deployment, e.g. deploy-1d5fb5.
    pub deployment: String,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let id = DeploymentId::parse(&args.deployment)?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let lines = store.deployment_log(&id)?;
    if ui.json() {
        return ui.out_json(&captain::views::deploy::LogView {
            deployment: id,
            lines,
        });
    }
    let mut text = String::new();
    for line in &lines {
        let marker = match line.stream.as_str() {
            "stderr" => "!",
            "captain" => "#",
            _ => " ",
        };
        text.push_str(&format!("{} {marker} {}\n", line.at, line.text));
    }
    if text.is_empty() {
        ui.status(&format!("{id} has no captured output"));
        return Ok(());
    }
    ui.out(&text)
}

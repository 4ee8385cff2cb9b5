//! `captain config`: the settings in effect and where each came from.

use captain::views::setup::ConfigView;

use super::Context;
use super::ui::Ui;

/// Show the settings in effect: repository, pipeline file, state location (and which
/// setting chose it), actor.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, ui: &Ui, _args: Args) -> anyhow::Result<()> {
    let repository = ctx.repo_if_any()?.map(|r| r.root().display().to_string());
    let pipeline = ctx.pipeline()?;
    let location = ctx.state_location(&pipeline.outline())?;
    let view = ConfigView {
        repository,
        pipeline_file: pipeline.source.display().to_string(),
        pipeline: pipeline.name.clone(),
        state: location.location,
        state_source: location.source,
        actor: ctx.actor(),
    };
    if ui.json() {
        return ui.out_json(&view);
    }
    ui.out(&format!(
        "repository     {}\npipeline file  {}\npipeline       {}\nstate          {}\n  chosen by    {}\nactor          {}",
        view.repository.as_deref().unwrap_or("(none)"),
        view.pipeline_file,
        view.pipeline,
        view.state,
        view.state_source.describe(),
        view.actor
    ))
}

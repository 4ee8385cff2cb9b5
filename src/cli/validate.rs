//! `captain validate`: every problem in pipeline.toml at once, with file:line:column.

use captain::Error;
use captain::config;

use super::Context;
use super::ui::Ui;

/// Check pipeline.toml and report every problem at once, each with file, line and column
/// and, for a misspelt name, the name you probably meant.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, ui: &Ui, _args: Args) -> anyhow::Result<()> {
    let path = ctx.pipeline_path();
    match config::validate_file(&path)? {
        Ok(pipeline) => {
            let environments = pipeline.environment_names().len();
            if ui.json() {
                return ui.out_json(&serde_json::json!({
                    "valid": true, "file": path.display().to_string(), "pipeline": pipeline.name,
                    "stages": pipeline.stages.len(), "environments": environments, "problems": []
                }));
            }
            ui.out(&format!(
                "{} is valid: pipeline `{}`, {} stages, {} environments",
                path.display(),
                pipeline.name,
                pipeline.stages.len(),
                environments
            ))
        }
        Err(diagnostics) => {
            if ui.json() {
                ui.out_json(&serde_json::json!({
                    "valid": false, "file": path.display().to_string(), "problems": diagnostics
                }))?;
            } else {
                let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
                ui.out(&lines.join("\n"))?;
            }
            let count = diagnostics.len();
            Err(Error::failed(format!(
                "{} has {count} problem{}",
                path.display(),
                if count == 1 { "" } else { "s" }
            ))
            .into())
        }
    }
}

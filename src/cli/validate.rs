//! `captain validate`: every problem in pipeline.toml at once, with file:line:column.

use captain::Error;
use captain::config::{self, Diagnostic};
use captain::ops::validate;
use captain::views::setup::ValidateView;

use super::Context;
use super::ui::Ui;

/// Check pipeline.toml and report every problem at once, each with file, line and column
/// and, for a misspelt name, the name you probably meant.
///
/// Beyond the file: inside a git repository, `trunk` must name one of its branches (local
/// or origin/TRUNK); and every deploy, approval and alarm program must exist and be
/// executable — a path with a slash from the pipeline file's directory, a bare name on PATH.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, ui: &Ui, _args: Args) -> anyhow::Result<()> {
    let path = ctx.pipeline_path();
    let diagnostics = match config::validate_file(&path)? {
        Ok(pipeline) => {
            let repo = ctx.checkout()?;
            let search_path = std::env::var_os("PATH");
            let problems = validate::problems(&pipeline, repo, search_path.as_deref())?;
            if problems.is_empty() {
                let environments = pipeline.environment_names().len();
                if ui.json() {
                    return ui.out_json(&ValidateView {
                        valid: true,
                        file: path.display().to_string(),
                        pipeline: Some(pipeline.name.clone()),
                        stages: Some(pipeline.stages.len()),
                        environments: Some(environments),
                        problems: Vec::new(),
                    });
                }
                return ui.out(&format!(
                    "{} is valid: pipeline `{}`, {} stages, {} environments",
                    path.display(),
                    pipeline.name,
                    pipeline.stages.len(),
                    environments
                ));
            }
            problems
        }
        Err(diagnostics) => diagnostics,
    };
    report(ui, &path, &diagnostics)
}

fn report(ui: &Ui, path: &std::path::Path, diagnostics: &[Diagnostic]) -> anyhow::Result<()> {
    if ui.json() {
        ui.out_json(&ValidateView {
            valid: false,
            file: path.display().to_string(),
            pipeline: None,
            stages: None,
            environments: None,
            problems: diagnostics.to_vec(),
        })?;
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

//! `captain plan`: the expanded pipeline.

use captain::config::PlanView;

use super::Context;
use super::ui::Ui;

/// Show the expanded pipeline: waves → stages → environments, with each stage's effective
/// bake time, window, alarms and auto-rollback.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, ui: &Ui, _args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let view = PlanView::from_pipeline(&pipeline);
    if ui.json() {
        return ui.out_json(&view);
    }
    let mut table = ui.table(&["wave", "stage", "environments", "bake", "window", "alarms", "auto-rollback"]);
    let mut last_wave: Option<String> = None;
    for stage in &view.stages {
        let wave = stage.wave.clone().unwrap_or_else(|| "pre-production".to_string());
        let wave_cell = if last_wave.as_deref() == Some(wave.as_str()) { String::new() } else { wave.clone() };
        last_wave = Some(wave);
        let names: Vec<&str> = stage.environments.iter().map(|e| e.name.as_str()).collect();
        table.add_row(vec![
            wave_cell,
            stage.name.clone(),
            names.join(", "),
            stage.bake.clone().unwrap_or_else(|| "-".to_string()),
            stage.window.clone().unwrap_or_else(|| "always".to_string()),
            stage.alarms.clone().unwrap_or_else(|| "-".to_string()),
            if stage.auto_rollback { "yes".to_string() } else { "no".to_string() },
        ]);
    }
    let environments: usize = view.stages.iter().map(|s| s.environments.len()).sum();
    ui.out(&format!("pipeline {}: {} stages, {} environments\n{table}", view.pipeline, view.stages.len(), environments))
}

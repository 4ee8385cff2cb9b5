//! `captain plan`: the expanded pipeline.

use super::Context;
use super::ui::Ui;

/// Show the expanded pipeline: waves → stages → environments, with each stage's effective
/// bake time (and, on a wave's last stage, the wave's own bake that follows it), window,
/// alarms and auto-rollback; then the freezes written in pipeline.toml, in the pipeline's
/// time zone, with the stages each holds.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, ui: &Ui, _args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let view = pipeline.plan();
    if ui.json() {
        return ui.out_json(&view);
    }
    let mut table = ui.table(&[
        "wave",
        "stage",
        "environments",
        "bake",
        "window",
        "rollback alarm",
        "blocker",
        "auto-rollback",
    ]);
    let mut last_wave: Option<String> = None;
    for stage in &view.stages {
        let wave = stage
            .wave
            .clone()
            .unwrap_or_else(|| "pre-production".to_string());
        let wave_cell = if last_wave.as_deref() == Some(wave.as_str()) {
            String::new()
        } else {
            wave.clone()
        };
        last_wave = Some(wave);
        let names: Vec<&str> = stage.environments.iter().map(|e| e.name.as_str()).collect();
        table.add_row(vec![
            wave_cell,
            stage.name.clone(),
            summarize(&names),
            bake_cell(stage),
            stage.window.clone().unwrap_or_else(|| "always".to_string()),
            stage
                .rollback_alarm
                .clone()
                .unwrap_or_else(|| "-".to_string()),
            stage.blocker.clone().unwrap_or_else(|| "-".to_string()),
            if stage.auto_rollback {
                "yes".to_string()
            } else {
                "no".to_string()
            },
        ]);
    }
    let environments: usize = view.stages.iter().map(|s| s.environments.len()).sum();
    let mut text = format!(
        "pipeline {}: {} stages, {} environments\n{table}",
        view.pipeline,
        view.stages.len(),
        environments
    );
    if !view.freezes.is_empty() {
        let local = |t: jiff::Timestamp| {
            t.to_zoned(pipeline.tz.clone())
                .strftime("%a %Y-%m-%d %H:%M %Z")
                .to_string()
        };
        let mut freezes = ui.table(&["freeze", "from", "to", "written in", "stages"]);
        for f in &view.freezes {
            let names: Vec<&str> = f.stages.iter().map(String::as_str).collect();
            let stages = if f.stages.len() == view.stages.len() {
                "every stage".to_string()
            } else {
                summarize(&names)
            };
            freezes.add_row(vec![
                f.reason.clone(),
                local(f.from),
                local(f.to),
                f.scope.clone(),
                stages,
            ]);
        }
        text.push_str(&format!("\n{freezes}"));
    }
    ui.out(&text)
}

/// The stage's bake (`1h + 100 data points`), then the wave's on its last stage
/// (`…, then wave 12h`).
fn bake_cell(stage: &captain::config::PlanStage) -> String {
    let own = match &stage.min_data_points {
        Some(points) => format!("{} + {} data points", stage.bake_time, points.count),
        None => stage.bake_time.clone(),
    };
    match &stage.wave_bake_time {
        Some(wave) => format!("{own}, then wave {wave}"),
        None => own,
    }
}

/// "a, b, c" for up to three names, else "a, b, … (26)" so wide waves stay readable.
fn summarize(names: &[&str]) -> String {
    if names.len() <= 3 {
        return names.join(", ");
    }
    format!("{}, {}, … ({})", names[0], names[1], names.len())
}

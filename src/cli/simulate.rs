//! `captain simulate`: the pipeline in virtual time, to tune waves and bake times before
//! waiting days to find out.

use std::time::Duration;

use captain::Error;
use captain::engine::{FailureModel, SimulationConfig, SimulationReport, simulate};

use super::Context;
use super::ui::Ui;

/// Run the pipeline in virtual time with synthetic releases, deploy and test durations and
/// injected failures; report how long a commit takes to reach each wave and environment
/// (median, p90) and where releases queue or are superseded.
///
/// Failures belong to releases: a share of releases is bad, and a bad release fails in
/// the first stage that catches it (each stage it reaches catches it with a chance per
/// kind of stage: pre-production, one-box, zonal); apart from that each deployment flakes
/// at a small independent rate. The same --seed gives the same report.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How much time to simulate (e.g. 30d, 12w).
    #[arg(long, default_value = "30d", value_parser = parse_duration)]
    pub duration: Duration,
    /// Merges to main (new releases) per day, spread over the --merge-hours.
    #[arg(long, default_value_t = 10.0)]
    pub merges_per_day: f64,
    /// When people merge, in the pipeline's time zone: days and hours as in a window
    /// (`mon-fri 09:00-17:00`, `mon-sun`), or `always` for around the clock.
    #[arg(long, default_value = "mon-fri 09:00-17:00")]
    pub merge_hours: String,
    /// How long one deploy command takes.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub deploy_time: Duration,
    /// How long one approval step takes.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub step_time: Duration,
    /// Share of releases that carry a bad change (0 to 1).
    #[arg(long, default_value_t = FailureModel::default().bad_releases)]
    pub bad_releases: f64,
    /// Chance that a pre-production stage catches a bad release that reaches it.
    #[arg(long, default_value_t = FailureModel::default().catch_pre_production)]
    pub catch_pre_production: f64,
    /// Chance that a one-box stage (its name says `onebox`) catches a bad release.
    #[arg(long, default_value_t = FailureModel::default().catch_one_box)]
    pub catch_one_box: f64,
    /// Chance that any other production (zonal) stage catches a bad release.
    #[arg(long, default_value_t = FailureModel::default().catch_zonal)]
    pub catch_zonal: f64,
    /// Chance that one deployment fails on its own, whatever its release (0 to 1).
    #[arg(long, default_value_t = FailureModel::default().flakes)]
    pub flakes: f64,
    /// Bake data points gathered per hour in each environment.
    #[arg(long, default_value_t = 1000)]
    pub data_points_per_hour: u64,
    /// Seed of the random failures and merge times (the same seed gives the same report).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// What if: simulate the pipeline with PATH=VALUE changed as well, and show it next
    /// to the pipeline as written (`waves.wave-1.wave_bake_time=6h`,
    /// `production.window.days=mon-fri`, `stages.gamma.bake_time=0s`); repeatable. In an
    /// array (`waves`, `stages`) a part of the path picks the entry by its name.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Draw, for each wave, the share of commits that reached it against the time since
    /// their merge, as an SVG file (of the pipeline as written).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<std::path::PathBuf>,
    /// Show every environment, not only the waves and stages.
    #[arg(long)]
    pub environments: bool,
    /// Expedite every release (as if `captain release expedite` were approved for each):
    /// the time to every region by the pipeline's [expedite] rules.
    #[arg(long)]
    pub expedite: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration ({e}); e.g. 30d, 12h, 10m"))
}

/// `--merge-hours`: `always`, or days and optional hours.
fn merge_window(text: &str, timezone: &str) -> Result<Option<captain::config::Window>, Error> {
    let text = text.trim();
    if text == "always" {
        return Ok(None);
    }
    let mut parts = text.split_whitespace();
    let days = parts.next().unwrap_or_default();
    let hours = parts.next().unwrap_or_default();
    if parts.next().is_some() {
        return Err(Error::usage(format!(
            "--merge-hours `{text}` has more than days and hours"
        ))
        .with_hint("e.g. --merge-hours 'mon-fri 09:00-17:00', or 'always'"));
    }
    captain::config::Window::parse(days, hours, timezone, &[])
        .map(Some)
        .map_err(|e| {
            Error::usage(format!("--merge-hours `{text}`: {e}"))
                .with_hint("e.g. --merge-hours 'mon-fri 09:00-17:00', or 'always'")
        })
}

fn rate(name: &str, value: f64) -> Result<f64, Error> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::usage(format!(
            "--{name} must be between 0 and 1, not {value}"
        )))
    }
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let merge_window = merge_window(&args.merge_hours, &pipeline.timezone)?;
    let config = SimulationConfig {
        start: ctx.now,
        duration: args.duration,
        merges_per_day: args.merges_per_day,
        merge_window,
        deploy_time: args.deploy_time,
        step_time: args.step_time,
        failures: FailureModel {
            bad_releases: rate("bad-releases", args.bad_releases)?,
            catch_pre_production: rate("catch-pre-production", args.catch_pre_production)?,
            catch_one_box: rate("catch-one-box", args.catch_one_box)?,
            catch_zonal: rate("catch-zonal", args.catch_zonal)?,
            flakes: rate("flakes", args.flakes)?,
        },
        data_points_per_hour: args.data_points_per_hour,
        expedite: args.expedite,
        seed: args.seed,
    };
    let changed = match args.set.is_empty() {
        true => None,
        false => Some(changed_pipeline(&pipeline, &args.set)?),
    };
    let started = std::time::Instant::now();
    let report = simulate(&pipeline, &config)?;
    let what_if = match &changed {
        Some(changed) => Some(simulate(changed, &config)?),
        None => None,
    };
    let elapsed = started.elapsed();
    if let Some(path) = &args.plot {
        plot(&report, &pipeline.name, path)?;
        ui.status(&format!("plotted the waves to {}", path.display()));
    }
    if ui.json() {
        return match &what_if {
            None => ui.out_json(&report),
            Some(what_if) => ui.out_json(&serde_json::json!({
                "as_written": report,
                "what_if": { "set": args.set, "report": what_if },
            })),
        };
    }
    ui.out(&render(ui, &report, args.environments))?;
    if let Some(what_if) = &what_if {
        ui.out(&compare(ui, &report, what_if, &args.set))?;
    }
    ui.status(&format!(
        "simulated {} in {:.0} ms ({} engine passes)",
        span(Some(report.simulated_secs)),
        elapsed.as_secs_f64() * 1000.0,
        report.passes
    ));
    Ok(())
}

fn render(ui: &Ui, report: &SimulationReport, environments: bool) -> String {
    let mut text = format!(
        "{} commits merged over {}{}\n\nTime for a commit to reach each wave\n",
        report.releases,
        span(Some(report.simulated_secs)),
        if report.expedited {
            ", every one expedited by [expedite]"
        } else {
            ""
        }
    );
    let mut waves = ui.table(&["wave", "commits reached", "median", "business days", "p90"]);
    for reach in &report.waves {
        waves.add_row(vec![
            reach.name.clone(),
            format!("{} ({:.0}%)", reach.reached, reach.share * 100.0),
            span(reach.median_secs),
            reach
                .median_business_days
                .map_or("-".to_string(), |d| format!("{d:.1}")),
            span(reach.p90_secs),
        ]);
    }
    text.push_str(&format!(
        "{waves}\n\nWhere the time goes: mean per commit, from the previous wave\n"
    ));
    let mut spent = ui.table(&[
        "wave",
        "deploying",
        "approval steps",
        "baking",
        "window",
        "queued",
        "failures",
        "total",
    ]);
    for reach in &report.waves {
        let Some(time) = &reach.time_spent else {
            continue;
        };
        let part = |secs: u64| {
            let total = time.total_secs().max(1);
            format!("{} ({}%)", span(Some(secs)), secs * 100 / total)
        };
        spent.add_row(vec![
            reach.name.clone(),
            part(time.deploying_secs),
            part(time.approval_steps_secs),
            part(time.baking_secs),
            part(time.window_secs),
            part(time.queued_secs),
            part(time.failure_secs),
            span(Some(time.total_secs())),
        ]);
    }
    text.push_str(&format!("{spent}\n\nWhere releases queue\n"));
    let mut stages = ui.table(&[
        "stage",
        "kind",
        "started",
        "approved",
        "failed",
        "superseded",
        "rollbacks",
        "wait median",
        "wait p90",
    ]);
    for flow in &report.stages {
        stages.add_row(vec![
            flow.stage.clone(),
            flow.kind.as_str().to_string(),
            flow.started.to_string(),
            flow.approved.to_string(),
            flow.failed.to_string(),
            flow.superseded.to_string(),
            flow.rollbacks.to_string(),
            span(flow.wait_median_secs),
            span(flow.wait_p90_secs),
        ]);
    }
    text.push_str(&stages.to_string());
    let failures = &report.failures;
    let caught: Vec<String> = failures
        .caught
        .iter()
        .map(|(kind, n)| format!("{n} in {}", kind.as_str()))
        .collect();
    text.push_str(&format!(
        "\n\n{} bad releases, caught {}; {} of {} deployments flaked",
        failures.bad_releases,
        if caught.is_empty() {
            "nowhere".to_string()
        } else {
            caught.join(", ")
        },
        failures.flaky_deployments,
        failures.deployments
    ));
    if environments {
        let mut table = ui.table(&["environment", "commits reached", "median", "p90"]);
        for reach in &report.environments {
            table.add_row(vec![
                reach.name.clone(),
                format!("{} ({:.0}%)", reach.reached, reach.share * 100.0),
                span(reach.median_secs),
                span(reach.p90_secs),
            ]);
        }
        text.push_str(&format!(
            "\n\nTime for a commit to reach each environment\n{table}"
        ));
    }
    text
}

/// `--plot`: per wave, the share of all commits that reached it within a time since merge.
fn plot(report: &SimulationReport, pipeline: &str, path: &std::path::Path) -> anyhow::Result<()> {
    use plotters::prelude::*;
    let failed = |e: &dyn std::fmt::Display| {
        Error::failed(format!("cannot draw the plot {}: {e}", path.display()))
    };
    let commits = report.releases.max(1) as f64;
    let longest = report
        .waves
        .iter()
        .filter_map(|w| w.secs.last().copied())
        .max()
        .unwrap_or(86_400);
    let max_days = (longest as f64 / 86_400.0 * 1.05).max(0.5);
    let root = SVGBackend::new(path, (960, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| failed(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{pipeline}: commits reaching each wave ({} commits over {})",
                report.releases,
                span(Some(report.simulated_secs))
            ),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..max_days, 0f64..100f64)
        .map_err(|e| failed(&e))?;
    chart
        .configure_mesh()
        .x_desc("days since merge")
        .y_desc("% of commits")
        .draw()
        .map_err(|e| failed(&e))?;
    for (i, wave) in report.waves.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        // A step up at each commit's arrival.
        let mut points = vec![(0.0, 0.0)];
        for (n, secs) in wave.secs.iter().enumerate() {
            let x = *secs as f64 / 86_400.0;
            points.push((x, n as f64 / commits * 100.0));
            points.push((x, (n + 1) as f64 / commits * 100.0));
        }
        if let Some(&(_, y)) = points.last() {
            points.push((max_days, y));
        }
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(|e| failed(&e))?
            .label(wave.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| failed(&e))?;
    root.present().map_err(|e| failed(&e))?;
    Ok(())
}

/// The pipeline file as written with the `--set` changes, checked like any pipeline.
fn changed_pipeline(
    pipeline: &captain::config::Pipeline,
    changes: &[String],
) -> anyhow::Result<captain::config::Pipeline> {
    let text = captain::config::read_pipeline_text(&pipeline.source)?;
    let changed = captain::config::apply_changes(&text, changes)?;
    captain::config::validate_text(&changed, &pipeline.source).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics
            .iter()
            .map(|d| match &d.hint {
                Some(hint) => format!("  {}; {hint}", d.message),
                None => format!("  {}", d.message),
            })
            .collect();
        Error::usage(format!(
            "with --set {}, the pipeline is not valid:\n{}",
            changes.join(" --set "),
            lines.join("\n")
        ))
        .into()
    })
}

/// Each wave as written and with the changes, side by side.
fn compare(
    ui: &Ui,
    report: &SimulationReport,
    what_if: &SimulationReport,
    set: &[String],
) -> String {
    let mut table = ui.table(&[
        "wave",
        "as written: median",
        "business days",
        "reached",
        "with --set: median",
        "business days",
        "reached",
    ]);
    let days = |d: Option<f64>| d.map_or("-".to_string(), |d| format!("{d:.1}"));
    for reach in &report.waves {
        let other = what_if.waves.iter().find(|w| w.name == reach.name);
        table.add_row(vec![
            reach.name.clone(),
            span(reach.median_secs),
            days(reach.median_business_days),
            format!("{:.0}%", reach.share * 100.0),
            span(other.and_then(|o| o.median_secs)),
            days(other.and_then(|o| o.median_business_days)),
            other.map_or("-".to_string(), |o| format!("{:.0}%", o.share * 100.0)),
        ]);
    }
    for other in what_if
        .waves
        .iter()
        .filter(|o| !report.waves.iter().any(|w| w.name == o.name))
    {
        table.add_row(vec![
            other.name.clone(),
            "-".to_string(),
            "-".to_string(),
            "-".to_string(),
            span(other.median_secs),
            days(other.median_business_days),
            format!("{:.0}%", other.share * 100.0),
        ]);
    }
    format!(
        "\nWhat if --set {}: the same commits and bad releases\n{table}",
        set.join(" --set ")
    )
}

/// "3d 4h", "45m", "-" for none.
fn span(seconds: Option<u64>) -> String {
    let Some(seconds) = seconds else {
        return "-".to_string();
    };
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    match (days, hours) {
        (0, 0) => format!("{minutes}m"),
        (0, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

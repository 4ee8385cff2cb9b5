//! `captain metrics`: delivery metrics of a window, from the ledger alone.

use captain::views::metrics::{self, Bucket, Distribution, MetricsQuery, MetricsView, Scope};

use super::Context;
use super::common::parse_since;
use super::ui::Ui;

/// Delivery metrics of a window, from the ledger alone: deployment success rate (M1),
/// lead time for changes per commit with a histogram (M2), change failure rate (M3),
/// time to recovery (M4), time to detect (M5), promotion time between stages (M7),
/// pipeline duration (M8), rollbacks per 100 deployments (M10), audit completeness
/// (M12), and the four DORA keys with their performance band.
///
/// The scope is the production stages (every stage when the pipeline has no waves),
/// or one stage, wave or environment. Metrics cover the deployments started in the
/// window; the README's "Metrics" defines each. Durations in JSON are whole seconds.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").args(["stage", "wave", "environment"])))]
pub struct Args {
    /// The window's start: a duration back from now (30d, 90d), a date (2026-11-01) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN", default_value = "30d")]
    pub since: String,
    /// Only this stage's environments.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Only this wave's environments.
    #[arg(long, value_name = "WAVE")]
    pub wave: Option<String>,
    /// Only this environment.
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let since = parse_since(&args.since, ctx.now)?;
    let scope = match (args.stage, args.wave, args.environment) {
        (Some(stage), _, _) => Some(Scope::Stage(stage)),
        (_, Some(wave), _) => Some(Scope::Wave(wave)),
        (_, _, Some(environment)) => Some(Scope::Environment(environment)),
        _ => None,
    };
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let query = MetricsQuery {
        since,
        until: ctx.now,
        scope,
    };
    let view = metrics::build(&pipeline, store.as_ref(), &query)?;
    if ui.json() {
        return ui.out_json(&view);
    }
    ui.out(&render(ui, &view))
}

fn render(ui: &Ui, view: &MetricsView) -> String {
    let scope = match &view.scope_name {
        Some(name) => format!("{} {name}", view.scope),
        None => view.scope.clone(),
    };
    let days = view.dora.deployment_frequency.days;
    let mut out = format!(
        "Metrics for {scope} ({}), {} to {} ({days:.0} days)\n",
        count(view.environments.len() as u64, "environment"),
        view.since.strftime("%Y-%m-%d %H:%M"),
        view.until.strftime("%Y-%m-%d %H:%M"),
    );
    let mut table = ui.table(&["", "metric", "value", "detail"]);
    let mut row = |id: &str, name: &str, value: String, detail: String| {
        table.add_row(vec![id.to_string(), name.to_string(), value, detail]);
    };
    let m = view;
    row(
        "M1",
        "deployment success rate",
        percent(m.success_rate.rate),
        format!(
            "{} of {} change deployments approved",
            m.success_rate.approved, m.success_rate.attempts
        ),
    );
    row(
        "M2",
        "lead time, first environment",
        spread(&m.lead_time.first),
        count(m.lead_time.first.count, "commit"),
    );
    row(
        "M2",
        "lead time, every environment",
        spread(&m.lead_time.every),
        count(m.lead_time.every.count, "commit"),
    );
    row(
        "M3",
        "change failure rate",
        percent(m.change_failure_rate.rate),
        format!(
            "{} of {} led to an alarm or a rollback",
            m.change_failure_rate.failed, m.change_failure_rate.deployments
        ),
    );
    row(
        "M4",
        "time to recovery",
        spread(&m.time_to_recovery.recovered),
        format!(
            "{} recovered, {} open",
            m.time_to_recovery.recovered.count, m.time_to_recovery.open
        ),
    );
    row(
        "M5",
        "time to detect",
        spread(&m.time_to_detect),
        count(m.time_to_detect.count, "failure"),
    );
    row(
        "M7",
        "promotion time",
        spread(&m.promotion_time.overall),
        count(m.promotion_time.overall.count, "promotion"),
    );
    row(
        "M8",
        "pipeline duration",
        spread(&m.pipeline_duration),
        format!("{} everywhere", count(m.pipeline_duration.count, "release")),
    );
    row(
        "M10",
        "rollbacks per 100 deployments",
        m.rollbacks
            .per_100
            .map_or_else(|| "–".to_string(), |v| format!("{v:.1}")),
        format!(
            "{}, {}",
            count(m.rollbacks.rollbacks, "rollback"),
            count(m.rollbacks.deployments, "deployment")
        ),
    );
    row(
        "M12",
        "audit completeness",
        percent(m.audit_completeness.share),
        format!(
            "{} of {}",
            m.audit_completeness.complete,
            count(m.audit_completeness.deployments, "deployment")
        ),
    );
    out.push_str(&format!("\n{table}\n"));

    let dora = &view.dora;
    let band = |b: Option<metrics::Band>| b.map_or("–", metrics::Band::as_str).to_string();
    let mut keys = ui.table(&["DORA key", "value", "band"]);
    keys.add_row(vec![
        "deployment frequency".to_string(),
        format!(
            "{:.2} a day ({})",
            dora.deployment_frequency.per_day,
            count(dora.deployment_frequency.releases, "release")
        ),
        dora.deployment_frequency.band.as_str().to_string(),
    ]);
    keys.add_row(vec![
        "lead time for changes".to_string(),
        dora.lead_time
            .value
            .map_or_else(|| "–".to_string(), |s| duration(s as i64)),
        band(dora.lead_time.band),
    ]);
    keys.add_row(vec![
        "change failure rate".to_string(),
        percent(dora.change_failure_rate.value),
        band(dora.change_failure_rate.band),
    ]);
    keys.add_row(vec![
        "time to restore".to_string(),
        dora.time_to_restore
            .value
            .map_or_else(|| "–".to_string(), |s| duration(s as i64)),
        band(dora.time_to_restore.band),
    ]);
    out.push_str(&format!("\n{keys}\n"));

    out.push_str(&format!(
        "\nLead time to the first environment ({})\n{}",
        count(view.lead_time.first.count, "commit"),
        bars(&view.lead_time.first_histogram)
    ));
    if !view.promotion_time.stages.is_empty() {
        let mut stages = ui.table(&["from", "to", "promotions", "median", "p90"]);
        for p in &view.promotion_time.stages {
            stages.add_row(vec![
                p.from.clone(),
                p.to.clone(),
                p.time.count.to_string(),
                p.time.median_seconds.map_or_else(|| "–".into(), duration),
                p.time.p90_seconds.map_or_else(|| "–".into(), duration),
            ]);
        }
        out.push_str(&format!("\nPromotion time between stages\n{stages}"));
    }
    out
}

/// "1 commit", "4 commits".
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), |r| format!("{:.1} %", r * 100.0))
}

/// "median 5h 10m, p90 1d 2h", or a dash without values.
fn spread(d: &Distribution) -> String {
    match (d.median_seconds, d.p90_seconds) {
        (Some(median), Some(p90)) => {
            format!("median {}, p90 {}", duration(median), duration(p90))
        }
        _ => "–".to_string(),
    }
}

/// The two largest units of a duration: "1d 2h", "5h 10m", "35m", "12s".
fn duration(seconds: i64) -> String {
    let units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)];
    let mut left = seconds.max(0);
    let mut parts = Vec::new();
    for (name, size) in units {
        let n = left / size;
        left %= size;
        if n > 0 || !parts.is_empty() {
            parts.push(format!("{n}{name}"));
        }
        if parts.len() == 2 {
            break;
        }
    }
    match parts.as_slice() {
        [] => "0s".to_string(),
        [one] => one.clone(),
        [first, second] if second.starts_with('0') => first.clone(),
        _ => parts.join(" "),
    }
}

/// A histogram drawn with block characters, one bar per bucket, scaled to 40 cells.
fn bars(buckets: &[Bucket]) -> String {
    const WIDTH: u64 = 40;
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let most = buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let label_width = buckets
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for b in buckets {
        let eighths = b.count * WIDTH * 8 / most;
        let mut bar = "█".repeat((eighths / 8) as usize);
        bar.push_str(EIGHTHS[(eighths % 8) as usize]);
        if bar.is_empty() && b.count > 0 {
            bar.push('▏');
        }
        let pad = label_width - b.label.chars().count();
        out.push_str(&format!(
            "  {}{} {bar} {}\n",
            b.label,
            " ".repeat(pad),
            b.count
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_show_their_two_largest_units() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(35 * 60), "35m");
        assert_eq!(duration(5 * 3600 + 10 * 60), "5h 10m");
        assert_eq!(duration(26 * 3600), "1d 2h");
        assert_eq!(duration(2 * 86_400), "2d");
    }

    #[test]
    fn bars_scale_to_the_largest_bucket() {
        let bucket = |label: &str, count| Bucket {
            label: label.into(),
            from_seconds: 0,
            to_seconds: None,
            count,
        };
        let text = bars(&[bucket("a", 4), bucket("bb", 1), bucket("c", 0)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("  a  {} 4", "█".repeat(40)));
        assert_eq!(lines[1], format!("  bb {} 1", "█".repeat(10)));
        assert_eq!(lines[2], "  c   0");
    }
}

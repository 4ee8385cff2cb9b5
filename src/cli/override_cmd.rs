//! `captain override TARGET --reason TEXT`: deploy anyway over a blocker, for a while.

use std::time::Duration;

use captain::ops::rules;

use super::Context;
use super::ui::{Ui, relative_time};

/// Let deployments start into a stage or an environment although its blocker (an alarm
/// expression such as an organisation-wide event) is in ALARM — for a while, with a reason
/// that is recorded and audited. `captain run`, `next`, `gate` and `deploy start` honour it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A stage or an environment, e.g. prod-2.
    pub target: String,
    /// Why (required; kept in the audit log).
    #[arg(long, required = true)]
    pub reason: String,
    /// How long the override stays in force (e.g. 30m, 2h).
    #[arg(long = "for", default_value = "1h", value_name = "DURATION", value_parser = parse_duration)]
    pub lasting: Duration,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration ({e}); e.g. 30m, 2h"))
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let probes = captain::exec::Probes::default();
    let record = rules::of(store.as_ref(), &pipeline, &probes).override_blockers(
        rules::OverrideRequest {
            target: args.target.clone(),
            actor: ctx.actor(),
            reason: args.reason.clone(),
            seconds: args.lasting.as_secs(),
            now: ctx.now,
        },
    )?;
    if ui.json() {
        return ui.out_json(&record);
    }
    let until = record
        .until
        .map_or_else(|| "removed".to_string(), |t| relative_time(ctx.now, t));
    ui.out(&format!(
        "blockers of {} overridden by {} until {until}: {}",
        record.target, record.actor, record.reason
    ))
}

//! `captain notify status | retry | deliver`: the `[[notify]]` targets' deliveries.

use std::time::{Duration, Instant};

use captain::config::Pipeline;
use captain::ops::notify::Notifier;
use captain::store::Store;

use super::Context;
use super::ui::{Ui, relative_time};

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    Status(StatusArgs),
    Retry(RetryArgs),
    Deliver(DeliverArgs),
}

/// Each [[notify]] target's place in the event log, its failures, and the events it
/// parked after too many failed deliveries.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

/// Send parked events again now, oldest first: each delivered one is forgotten, each
/// that fails stays parked with the new error (exit 1).
#[derive(Debug, clap::Args)]
pub struct RetryArgs {
    /// Only this target's parked events.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// Only these events (their `seq`); default: every parked event.
    pub seq: Vec<i64>,
}

/// Deliver what the targets have not had yet, once, for at most --timeout (for cron;
/// `captain run` and `captain serve` deliver continuously).
#[derive(Debug, clap::Args)]
pub struct DeliverArgs {
    /// The longest this may take.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "30s", value_name = "DURATION")]
    pub timeout: Duration,
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    match command {
        Command::Status(_) => status(ui, ctx, &pipeline, store.as_ref()),
        Command::Retry(args) => retry(ui, &pipeline, store.as_ref(), args),
        Command::Deliver(args) => {
            let round = deliver(ctx, &pipeline, store.as_ref(), args.timeout)?;
            if ui.json() {
                return ui.out_json(&round);
            }
            ui.out(&format!(
                "delivered {}, failed {}, parked {}{}",
                round.delivered,
                round.failed,
                round.parked,
                if round.behind.is_empty() {
                    String::new()
                } else {
                    format!("; behind: {}", round.behind.join(", "))
                }
            ))
        }
    }
}

/// One bounded round of deliveries (`notify deliver`, and CI commands' ends).
pub fn deliver(
    ctx: &Context,
    pipeline: &Pipeline,
    store: &dyn Store,
    budget: Duration,
) -> anyhow::Result<captain::ops::notify::Round> {
    let mut notifier = Notifier::new(pipeline, &|name| std::env::var(name).ok())?;
    Ok(notifier.round(store, ctx.fresh_now(), Instant::now() + budget)?)
}

use captain::views::ledger::{NotifyStatusView as StatusView, NotifyTargetView as TargetView};

fn status(ui: &Ui, ctx: &Context, pipeline: &Pipeline, store: &dyn Store) -> anyhow::Result<()> {
    let states = store.notify_states()?;
    let parked = store.parked_events(None)?;
    let mut targets = Vec::new();
    for target in &pipeline.notify {
        let state = states.iter().find(|s| s.target == target.name);
        let cursor = state.map_or(captain::model::EventCursor::START, |s| s.cursor);
        let pending = store.events_after(cursor, None, 1000)?.len();
        targets.push(TargetView {
            name: target.name.clone(),
            seq: cursor.seq,
            pending,
            attempts: state.map_or(0, |s| s.attempts),
            last_error: state.and_then(|s| s.last_error.clone()),
        });
    }
    if ui.json() {
        return ui.out_json(&StatusView { targets, parked });
    }
    if targets.is_empty() {
        ui.out("no [[notify]] targets in pipeline.toml")?;
    } else {
        let mut table = ui.table(&[
            "target",
            "delivered up to",
            "pending",
            "failures",
            "last error",
        ]);
        for t in &targets {
            table.add_row(vec![
                t.name.clone(),
                t.seq.to_string(),
                if t.pending >= 1000 {
                    "1000+".to_string()
                } else {
                    t.pending.to_string()
                },
                t.attempts.to_string(),
                t.last_error.clone().unwrap_or_default(),
            ]);
        }
        ui.out(&table.to_string())?;
    }
    if parked.is_empty() {
        return Ok(());
    }
    let mut table = ui.table(&["parked", "target", "attempts", "error", "when"]);
    for p in &parked {
        table.add_row(vec![
            p.seq.to_string(),
            p.target.clone(),
            p.attempts.to_string(),
            p.error.clone(),
            relative_time(ctx.now, p.parked_at),
        ]);
    }
    ui.out(&table.to_string())
}

fn retry(ui: &Ui, pipeline: &Pipeline, store: &dyn Store, args: RetryArgs) -> anyhow::Result<()> {
    if let Some(target) = &args.target
        && !pipeline.notify.iter().any(|t| &t.name == target)
    {
        let hint = captain::error::suggestion_hint(
            target,
            pipeline.notify.iter().map(|t| t.name.as_str()),
        );
        return Err(
            captain::Error::not_found(format!("no [[notify]] target `{target}`"))
                .with_hint(hint.unwrap_or_else(|| "see `captain notify status`".to_string()))
                .into(),
        );
    }
    if let Some(server) = store.as_http() {
        let done = server.notify_retry(&captain::store::wire::RetryParked {
            target: args.target.clone(),
            seqs: args.seq.clone(),
        })?;
        return report_retry(ui, done.delivered, done.parked);
    }
    let parked: Vec<_> = store
        .parked_events(args.target.as_deref())?
        .into_iter()
        .filter(|p| args.seq.is_empty() || args.seq.contains(&p.seq))
        .collect();
    if let Some(missing) = args
        .seq
        .iter()
        .find(|s| !parked.iter().any(|p| p.seq == **s))
    {
        return Err(
            captain::Error::not_found(format!("event {missing} is not parked"))
                .with_hint("see `captain notify status`")
                .into(),
        );
    }
    let mut notifier = Notifier::new(pipeline, &|name| std::env::var(name).ok())?;
    let (delivered, failed) = notifier.retry(store, &parked)?;
    report_retry(ui, delivered, failed)
}

fn report_retry(
    ui: &Ui,
    delivered: Vec<captain::store::ParkedEvent>,
    failed: Vec<captain::store::ParkedEvent>,
) -> anyhow::Result<()> {
    if ui.json() {
        ui.out_json(&serde_json::json!({"delivered": delivered, "parked": failed}))?;
    } else {
        ui.out(&format!(
            "resent {} parked event(s): {} delivered, {} still parked",
            delivered.len() + failed.len(),
            delivered.len(),
            failed.len()
        ))?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(captain::Error::failed(format!(
            "{} event(s) could not be delivered: {}",
            failed.len(),
            failed[0].error
        ))
        .with_hint("see `captain notify status`; try again later")
        .into())
    }
}

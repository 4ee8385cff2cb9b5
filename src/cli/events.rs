//! `captain events`: the ledger's event log as JSON Lines, for scripts and chat bots.

use std::io::Write;
use std::time::Duration;

use captain::model::EventCursor;
use captain::ops::events::{EventReader, Since};

use super::Context;
use super::ui::{BrokenPipe, Ui};

/// Print the ledger's events, oldest first, as JSON Lines: one object per change
/// (release created, deployment started/approved/failed, rollback, lock set/lifted,
/// release blocked, …) with its `event` name, its `id` (`PIPELINE:SEQ`, the same on every
/// read, for dropping duplicates) and the audit record (`seq`, `at`, `actor`, `action`,
/// `target`, `reason`, `details`). With --follow, keeps printing new events as they are
/// recorded until interrupted; a reader that stops reading (`| head`) ends it quietly.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only events after this: a duration before now (`1h`, `2d`), a time (RFC 3339), or
    /// an event's `seq` (`120`: the events after event 120).
    #[arg(long, value_name = "WHEN|SEQ")]
    pub since: Option<String>,
    /// Resume after this `cursor` (from an earlier line).
    #[arg(long, value_name = "CURSOR", conflicts_with = "since")]
    pub after: Option<String>,
    /// Keep running and print new events as they are recorded.
    #[arg(long, short)]
    pub follow: bool,
    /// With --follow: how often to look for new events.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "1s", value_name = "DURATION")]
    pub interval: Duration,
}

pub fn run(ctx: &Context, _ui: &Ui, args: Args) -> anyhow::Result<()> {
    let since = match &args.since {
        Some(text) => Since::parse(text, ctx.now)?,
        None => Since::Start,
    };
    let cursor = match &args.after {
        Some(text) => text.parse::<EventCursor>()?,
        None => EventCursor::START,
    };
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let mut reader = EventReader::new(&pipeline.name, cursor, since);
    let interval = args.interval.max(Duration::from_millis(50));
    loop {
        let lines = reader.next_page(store.as_ref())?;
        if lines.is_empty() {
            if !args.follow {
                return Ok(());
            }
            std::thread::sleep(interval);
            continue;
        }
        let mut out = Vec::new();
        for line in &lines {
            serde_json::to_writer(&mut out, line).map_err(|e| {
                captain::Error::internal(format!("cannot encode an event as JSON: {e}"))
            })?;
            out.push(b'\n');
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Err(anyhow::Error::new(BrokenPipe));
            }
            return Err(
                captain::Error::failed(format!("cannot write to standard output: {e}")).into(),
            );
        }
    }
}

//! `captain run`: the release captain's loop, with indicatif progress in a terminal and
//! plain log lines otherwise (JSON lines with `--output json`).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use captain::engine::{Decision, StageOutlook};
use captain::exec::Probes;
use captain::model::Timestamp;
use captain::ops::gate::describe;
use captain::runner::{RunEvent, RunObserver, RunOptions, Runner};
use captain::views::run::RunEventView;

use super::Context;
use super::ui::{Exit, Ui};

/// The exit code of a `run --once` in which a deployment failed.
pub const ONCE_FAILED: i32 = 6;

/// Run the release captain: promote, deploy, verify, bake, supersede and roll back.
///
/// Each pass reads the ledger, observes alarms and data points, decides what happens next
/// (the same rules `captain next` and `gate` answer with) and records it, then runs the
/// stages' deploy commands (with the CAPTAIN_* variables; CAPTAIN_ROLLBACK=1 for
/// rollbacks) and approval steps. Output goes to each deployment's log (`captain logs`).
/// Safe to kill at any moment: the commands it started die with it, and a restarted loop
/// finishes an interrupted deploy as failed and re-checks interrupted verifications and
/// bakes.
///
/// With --once it exits 6 when a deployment failed in that round (its deploy, an
/// approval step or the rollback alarm), so cron or CI can tell.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One round, for cron or CI: pass until nothing moves and the commands this run
    /// started have finished, hand what still bakes to the next round, then exit (6 when
    /// a deployment failed in this round).
    #[arg(long)]
    pub once: bool,
    /// Seconds between passes while nothing runs (fractions allowed).
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub interval: f64,
    /// Serve `GET /metrics` (the Prometheus text format, as `captain serve` does) for this
    /// loop on ADDR: HOST:PORT, or a port on 127.0.0.1. No token on loopback; any other
    /// address needs CAPTAIN_METRICS_TOKEN, the bearer token Prometheus sends.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    if !(args.interval.is_finite() && args.interval >= 0.0) {
        return Err(captain::Error::usage(format!(
            "--interval {} is not a number of seconds",
            args.interval
        ))
        .into());
    }
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let cwd = ctx
        .checkout()
        .ok()
        .flatten()
        .map(|r| r.root().to_path_buf());
    let options = RunOptions {
        actor: ctx.actor(),
        cwd: cwd.clone(),
        probes: Probes {
            cwd,
            ..Probes::default()
        },
    };
    if let Some(listen) = &args.metrics_listen {
        let store: std::sync::Arc<dyn captain::store::Store> = ctx.store(&pipeline)?.into();
        let bound = captain::server::prometheus::spawn_listener(
            listen,
            pipeline.clone(),
            store,
            super::common::fresh_now,
        )?;
        ui.status(&format!("metrics on http://{bound}/metrics"));
    }
    super::start_reaper(ui);
    // A target that cannot be set up must not stop the deployments: said, and skipped.
    let notifications = start_notifications(ctx, &pipeline).unwrap_or_else(|e| {
        ui.warn(&format!("notifications are off: {e}"));
        None
    });
    let mut runner = Runner::new(store.as_ref(), &pipeline, options);
    let mut observer: Box<dyn RunObserver> = if ui.json() {
        Box::new(JsonLines {
            clock: super::common::fresh_now,
        })
    } else if ui.stderr_is_terminal && !ui.quiet {
        Box::new(Bars::new(&pipeline))
    } else {
        Box::new(Lines { quiet: ui.quiet })
    };
    let interval = Duration::from_secs_f64(args.interval);
    let busy_poll = Duration::from_millis(100).min(interval.max(Duration::from_millis(20)));
    let mut failed = 0;
    loop {
        let report = runner.pass(ctx.fresh_now(), observer.as_mut())?;
        failed += report.failed;
        let moving = report.decisions > 0 || report.conflict || runner.running() > 0;
        if args.once && !moving {
            runner.hand_off(ctx.fresh_now())?;
            if let Some((stop, handle)) = notifications {
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
                let _ = handle.join();
                // One last round, bounded, for what this round recorded.
                if let Err(e) =
                    super::notify::deliver(ctx, &pipeline, store.as_ref(), ONCE_NOTIFY_BUDGET)
                {
                    ui.warn(&format!("notifications: {e}"));
                }
            }
            if failed > 0 {
                return Err(Exit(ONCE_FAILED).into());
            }
            return Ok(());
        }
        std::thread::sleep(if moving { busy_poll } else { interval });
    }
}

/// How long `run --once` may spend on notifications left after its round.
const ONCE_NOTIFY_BUDGET: Duration = Duration::from_secs(10);

type Deliverer = (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
);

/// Delivers `[[notify]]` events beside the loop, on a ledger opened for it, when the
/// ledger is local (a team server delivers its own).
fn start_notifications(
    ctx: &Context,
    pipeline: &captain::config::Pipeline,
) -> anyhow::Result<Option<Deliverer>> {
    if pipeline.notify.is_empty() {
        return Ok(None);
    }
    let store: std::sync::Arc<dyn captain::store::Store> = ctx.store(pipeline)?.into();
    if store.as_http().is_some() {
        return Ok(None);
    }
    let notifier = captain::ops::notify::Notifier::new(pipeline, &|name| std::env::var(name).ok())?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handle =
        captain::ops::notify::spawn(store, notifier, stop.clone(), super::common::fresh_now);
    Ok(Some((stop, handle)))
}

fn decision_line(decision: &Decision) -> Option<String> {
    Some(match decision {
        Decision::Supersede { stage, release, by } => {
            format!("{stage}: {release} superseded by {by}")
        }
        Decision::ApproveStage { stage, release } => format!("{stage}: approved {release}"),
        Decision::FailStage {
            stage,
            release,
            reason,
        } => format!("{stage}: {release} failed ({reason})"),
        _ => return None,
    })
}

/// Plain lines on stdout, for logs and CI.
struct Lines {
    quiet: bool,
}

impl RunObserver for Lines {
    fn event(&mut self, event: RunEvent) {
        let now = captain::model::Timestamp::now();
        let line = match event {
            RunEvent::Decision(d) => decision_line(&d),
            RunEvent::Note { deployment, text } => Some(match deployment {
                Some(id) => format!("{id}: {text}"),
                None => text,
            }),
            RunEvent::Output { deployment, line } if !self.quiet => {
                Some(format!("{deployment} | {}", line.text))
            }
            _ => None,
        };
        if let Some(line) = line {
            let _ = writeln!(std::io::stdout().lock(), "{now} {line}");
        }
    }
}

/// One JSON object per event, on stdout, each with the time it happened (the pinned
/// `CAPTAIN_NOW` when there is one, as the ledger's times).
struct JsonLines {
    clock: fn() -> Timestamp,
}

impl RunObserver for JsonLines {
    fn event(&mut self, event: RunEvent) {
        let Some(view) = RunEventView::new(event, (self.clock)()) else {
            return;
        };
        if let Ok(line) = serde_json::to_string(&view) {
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        }
    }
}

/// A spinner per stage showing its outlook; notes printed above the bars.
struct Bars {
    pipeline: captain::config::Pipeline,
    multi: MultiProgress,
    stages: BTreeMap<String, ProgressBar>,
}

impl Bars {
    fn new(pipeline: &captain::config::Pipeline) -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {prefix:<24} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let stages = pipeline
            .stages
            .iter()
            .map(|s| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(s.name.clone());
                bar.enable_steady_tick(Duration::from_millis(120));
                (s.name.clone(), bar)
            })
            .collect();
        Bars {
            pipeline: pipeline.clone(),
            multi,
            stages,
        }
    }

    fn show(&self, outlooks: &[StageOutlook], now: captain::model::Timestamp) {
        for outlook in outlooks {
            if let Some(bar) = self.stages.get(&outlook.stage) {
                bar.set_message(describe(outlook, outlooks, &self.pipeline, now));
            }
        }
    }
}

impl RunObserver for Bars {
    fn event(&mut self, event: RunEvent) {
        match event {
            RunEvent::Pass { outlooks, at, .. } => self.show(&outlooks, at),
            RunEvent::Decision(d) => {
                if let Some(line) = decision_line(&d) {
                    let _ = self.multi.println(line);
                }
            }
            RunEvent::Note { deployment, text } => {
                let _ = self.multi.println(match deployment {
                    Some(id) => format!("{id}: {text}"),
                    None => text,
                });
            }
            _ => {}
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        for bar in self.stages.values() {
            bar.finish();
        }
    }
}

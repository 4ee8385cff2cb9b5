//! `captain serve --run`: the server drives the `captain run` loop of its pipelines
//! ([`crate::runner`]), one thread per pipeline.
//!
//! Several replicas may share one PostgreSQL; only one drives a given pipeline at a time.
//! Each driver thread holds a dedicated connection and tries a session-level advisory
//! lock on a key derived from the pipeline's name (`pg_try_advisory_lock`): PostgreSQL
//! releases it when that connection ends, however its replica died, and the next
//! replica to try takes it over. A driver checks its connection before every pass; once
//! lost, it stops driving (cancelling its commands) and goes back to trying the lock, so
//! two replicas never drive at once for longer than one pass. The driver that takes
//! over runs its loop as [`exclusive`](crate::runner::Runner::exclusive): what the
//! previous driver left in progress is taken over as a dead loop's (a deploy it was
//! running counts as failed, so nothing is started twice).
//!
//! With a SQLite database there is one server per directory: it drives without a lock,
//! as `captain run` does (and a `captain run` beside it is told apart by its process).
//!
//! This room only schedules the loop; the loop's decisions are the engine's and runner's.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Database, Stores};
use crate::config::Pipeline;
use crate::exec::Probes;
use crate::model::Timestamp;
use crate::runner::{RunEvent, RunObserver, RunOptions, Runner};
use crate::store::postgres::{Connections, lock_key};

/// What to drive and how often.
#[derive(Clone, Debug)]
pub struct DriveOptions {
    pub pipelines: Vec<Pipeline>,
    /// Time between passes while nothing moves; also how often a standby tries the lock.
    pub interval: Duration,
}

/// Writes the loop's events as request-log-style lines.
struct LogObserver {
    pipeline: String,
}

impl RunObserver for LogObserver {
    fn event(&mut self, event: RunEvent) {
        let pipeline = &self.pipeline;
        match event {
            RunEvent::Decision(decision) => {
                tracing::info!(pipeline = %pipeline, decision = ?decision, "run: decision");
            }
            RunEvent::Started(d) => tracing::info!(
                pipeline = %pipeline, deployment = %d.id, environment = %d.environment,
                release = %d.release, "run: deployment started"
            ),
            RunEvent::Note { deployment, text } => tracing::info!(
                pipeline = %pipeline,
                deployment = deployment.map(|d| d.0).unwrap_or_default(),
                "run: {text}"
            ),
            RunEvent::Output { .. } | RunEvent::Pass { .. } => {}
        }
    }
}

/// Starts one driver thread per pipeline; they stop when `stop` is set.
pub(crate) fn start(
    database: &Database,
    stores: Arc<Stores>,
    options: DriveOptions,
    stop: Arc<AtomicBool>,
) -> Vec<JoinHandle<()>> {
    options
        .pipelines
        .into_iter()
        .map(|pipeline| {
            let database = database.clone();
            let stores = stores.clone();
            let stop = stop.clone();
            let interval = options.interval;
            std::thread::spawn(move || drive(&database, &stores, &pipeline, interval, &stop))
        })
        .collect()
}

/// Sleeps up to `d`, waking early when asked to stop.
fn pause(d: Duration, stop: &AtomicBool) {
    let until = Instant::now() + d;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}

fn drive(
    database: &Database,
    stores: &Stores,
    pipeline: &Pipeline,
    interval: Duration,
    stop: &AtomicBool,
) {
    let name = pipeline.name.as_str();
    let retry = interval.clamp(Duration::from_millis(100), Duration::from_secs(5));
    while !stop.load(Ordering::Relaxed) {
        match database {
            Database::Sqlite(_) => {
                run_loop(stores, pipeline, interval, stop, false, &mut || true);
                return;
            }
            Database::Postgres(url) => {
                let mut client = match Connections::new(url, 1).and_then(|c| c.dedicated()) {
                    Ok(client) => client,
                    Err(e) => {
                        tracing::warn!(pipeline = %name, "run: cannot reach PostgreSQL to take the drive lock: {e}");
                        pause(retry, stop);
                        continue;
                    }
                };
                let key = lock_key("drive", name);
                // Standby: try the lock now and then on this connection.
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match client.query_one("SELECT pg_try_advisory_lock($1)", &[&key]) {
                        Ok(row) if row.try_get::<_, bool>(0).unwrap_or(false) => break,
                        Ok(_) => pause(retry, stop),
                        Err(e) => {
                            tracing::warn!(pipeline = %name, "run: lost PostgreSQL while waiting for the drive lock: {e}");
                            break;
                        }
                    }
                }
                if client.is_closed() {
                    pause(retry, stop);
                    continue;
                }
                tracing::info!(pipeline = %name, "run: took the drive lock; driving this pipeline");
                let mut holds = || client.is_valid(Duration::from_secs(5)).is_ok();
                run_loop(stores, pipeline, interval, stop, true, &mut holds);
                if !stop.load(Ordering::Relaxed) {
                    tracing::warn!(pipeline = %name, "run: lost the drive lock's connection; stopped driving");
                }
                // Dropping the client ends the session and so the lock.
            }
        }
    }
}

/// Runs passes while `holds()` says the lock is ours and nobody asked to stop.
fn run_loop(
    stores: &Stores,
    pipeline: &Pipeline,
    interval: Duration,
    stop: &AtomicBool,
    exclusive: bool,
    holds: &mut dyn FnMut() -> bool,
) {
    let name = pipeline.name.as_str();
    let store = match stores.get(name) {
        Ok(store) => store,
        Err(e) => {
            tracing::warn!(pipeline = %name, "run: cannot open the ledger: {e}");
            pause(interval.max(Duration::from_secs(1)), stop);
            return;
        }
    };
    let options = RunOptions {
        actor: "captain".into(),
        cwd: pipeline.source.parent().map(|p| p.to_path_buf()),
        probes: Probes {
            cwd: pipeline.source.parent().map(|p| p.to_path_buf()),
            ..Probes::default()
        },
    };
    let mut runner = Runner::new(store.as_ref(), pipeline, options);
    if exclusive {
        runner = runner.exclusive();
    }
    let mut observer = LogObserver {
        pipeline: name.to_string(),
    };
    let busy_poll = Duration::from_millis(100).min(interval.max(Duration::from_millis(20)));
    while !stop.load(Ordering::Relaxed) && holds() {
        let moving = match runner.pass(Timestamp::now(), &mut observer) {
            Ok(report) => report.decisions > 0 || report.conflict || runner.running() > 0,
            Err(e) => {
                tracing::warn!(pipeline = %name, "run: the pass failed: {e}");
                false
            }
        };
        pause(if moving { busy_poll } else { interval }, stop);
    }
    runner.cancel_all();
}

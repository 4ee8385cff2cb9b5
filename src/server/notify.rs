//! `captain serve` delivers its pipelines' notifications ([`crate::ops::notify`]): one
//! deliverer per pipeline among all replicas.
//!
//! A watcher looks at the registered pipelines every few seconds and starts a deliverer
//! thread for each whose definition has `[[notify]]` targets (and restarts it when a new
//! definition is pushed). On PostgreSQL a deliverer holds a session-level advisory lock
//! on its own connection (`pg_try_advisory_lock`, as the run loop's drivers do, with its
//! own key): only the replica holding it delivers; when that replica dies PostgreSQL ends
//! the session and another takes over from the cursor in the ledger. With SQLite there
//! is one server per directory and it delivers without a lock.
//!
//! Secrets and URLs named by `secret_env` / `url_env` are read from the server's
//! environment; a missing one is logged (naming the variable) and the pipeline waits for
//! its next definition.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Database, Stores, registry::Registry};
use crate::config::Pipeline;
use crate::model::Timestamp;
use crate::ops::notify::{Notifier, deliver_while};
use crate::store::postgres::{Connections, lock_key};

/// How often the watcher looks for new or changed definitions.
const WATCH: Duration = Duration::from_secs(2);
/// How often a standby tries the lock.
const STANDBY: Duration = Duration::from_secs(1);

struct Running {
    digest: String,
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

/// Starts the watcher; it and its deliverers stop when `stop` is set.
pub(crate) fn start(
    database: &Database,
    stores: Arc<Stores>,
    registry: Arc<Registry>,
    stop: Arc<AtomicBool>,
) -> JoinHandle<()> {
    let database = database.clone();
    std::thread::spawn(move || {
        let mut running: HashMap<String, Running> = HashMap::new();
        let mut refused: HashMap<String, String> = HashMap::new();
        while !stop.load(Ordering::Relaxed) {
            let listed = registry.list(&stores).unwrap_or_else(|e| {
                tracing::warn!(error = %e.message, "notifications: could not list the pipelines");
                Vec::new()
            });
            for row in listed {
                let name = row.pipeline;
                if running.get(&name).is_some_and(|r| r.digest == row.digest)
                    || refused.get(&name) == Some(&row.digest)
                {
                    continue;
                }
                if let Some(old) = running.remove(&name) {
                    old.stop.store(true, Ordering::SeqCst);
                    let _ = old.handle.join();
                }
                let Ok(registered) = registry.get(&name, &stores) else {
                    continue;
                };
                let pipeline = registered.pipeline.clone();
                if pipeline.notify.is_empty() {
                    refused.insert(name, row.digest);
                    continue;
                }
                let notifier = match Notifier::new(&pipeline, &|v| std::env::var(v).ok()) {
                    Ok(notifier) => notifier,
                    Err(e) => {
                        tracing::warn!(pipeline = %name, "notifications: {}", e.message);
                        refused.insert(name, row.digest);
                        continue;
                    }
                };
                refused.remove(&name);
                let flag = Arc::new(AtomicBool::new(false));
                let handle = {
                    let (database, stores, flag, outer) =
                        (database.clone(), stores.clone(), flag.clone(), stop.clone());
                    std::thread::spawn(move || {
                        deliver(&database, &stores, &pipeline, notifier, &flag, &outer);
                    })
                };
                running.insert(
                    name,
                    Running {
                        digest: row.digest,
                        stop: flag,
                        handle,
                    },
                );
            }
            pause(WATCH, &stop);
        }
        for (_, r) in running {
            r.stop.store(true, Ordering::SeqCst);
            let _ = r.handle.join();
        }
    })
}

fn pause(d: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    while waited < d && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        waited += step;
    }
}

/// One pipeline's deliverer: under the advisory lock on PostgreSQL.
fn deliver(
    database: &Database,
    stores: &Stores,
    pipeline: &Pipeline,
    mut notifier: Notifier,
    stop: &AtomicBool,
    server_stop: &AtomicBool,
) {
    let name = pipeline.name.as_str();
    let stopped = || stop.load(Ordering::SeqCst) || server_stop.load(Ordering::SeqCst);
    // `holds` says when to stop; this flag is never set.
    let never = AtomicBool::new(false);
    while !stopped() {
        let store = match stores.get(name) {
            Ok(store) => store,
            Err(e) => {
                tracing::warn!(pipeline = %name, error = %e.message, "notifications: cannot open the ledger");
                pause(STANDBY, stop);
                continue;
            }
        };
        match database {
            Database::Sqlite(_) => {
                deliver_while(
                    store.as_ref(),
                    &mut notifier,
                    &never,
                    &mut || !stopped(),
                    Timestamp::now,
                );
                return;
            }
            Database::Postgres(url) => {
                let mut client = match Connections::new(url, 1).and_then(|c| c.dedicated()) {
                    Ok(client) => client,
                    Err(e) => {
                        tracing::warn!(pipeline = %name, "notifications: cannot reach PostgreSQL for the lock: {e}");
                        pause(STANDBY, stop);
                        continue;
                    }
                };
                let key = lock_key("notify", name);
                let mut locked = false;
                while !stopped() {
                    match client.query_one("SELECT pg_try_advisory_lock($1)", &[&key]) {
                        Ok(row) if row.try_get::<_, bool>(0).unwrap_or(false) => {
                            locked = true;
                            break;
                        }
                        Ok(_) => pause(STANDBY, stop),
                        Err(_) => break,
                    }
                }
                if !locked {
                    pause(STANDBY, stop);
                    continue;
                }
                tracing::info!(pipeline = %name, "notifications: took the lock; delivering");
                let mut holds = || !stopped() && client.is_valid(Duration::from_secs(5)).is_ok();
                deliver_while(
                    store.as_ref(),
                    &mut notifier,
                    &never,
                    &mut holds,
                    Timestamp::now,
                );
                // Dropping the client ends the session and so the lock.
            }
        }
    }
}

//! Audit events about one environment or actor, for `captain audit`.
//!
//! An event's target is what it acted on (a release, a deployment id, a lock's stage or
//! environment); the environment of a deployment event is in its details. The store
//! filters by exact target and actor; this room adds the environment match.

use crate::error::Result;
use crate::model::AuditEvent;
use crate::store::{AuditFilter, Store};

/// The environment an event concerns, if any: its details' `environment`, else the target
/// of a lock on an environment.
pub fn environment_of(event: &AuditEvent) -> Option<String> {
    if let Some(env) = event.details.get("environment").and_then(|v| v.as_str()) {
        return Some(env.to_string());
    }
    let is_env_lock = event.action.starts_with("lock.")
        && event.details.get("target_kind").and_then(|v| v.as_str()) == Some("environment");
    is_env_lock.then(|| event.target.clone())
}

/// Adds the team server's own events (token changes, which concern no environment) to a
/// pipeline's, newest first, at most `limit`.
pub fn merge(
    mut events: Vec<AuditEvent>,
    server: Vec<AuditEvent>,
    limit: usize,
) -> Vec<AuditEvent> {
    events.extend(server);
    // Stable: events at the same time keep the ledger's order.
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events.truncate(limit);
    events
}

/// At most `limit` events, newest first, about `environment` (if given) by `actor` (if
/// given).
pub fn events(
    store: &dyn Store,
    environment: Option<&str>,
    actor: Option<&str>,
    limit: usize,
) -> Result<Vec<AuditEvent>> {
    let Some(environment) = environment else {
        return store.audit_events(&AuditFilter {
            limit: Some(limit),
            target: None,
            actor: actor.map(str::to_string),
        });
    };
    // The store cannot filter on details: read the actor's events and match here.
    let all = store.audit_events(&AuditFilter {
        limit: None,
        target: None,
        actor: actor.map(str::to_string),
    })?;
    Ok(all
        .into_iter()
        .filter(|e| e.target == environment || environment_of(e).as_deref() == Some(environment))
        .take(limit)
        .collect())
}

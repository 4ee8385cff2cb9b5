//! The ledger's event stream: the audit log read in order, each event with a name a
//! script or a chat bot can match (`captain events`, the server's `…/events` route, and
//! the notifications of [`crate::ops::notify`]).
//!
//! An event is an audit event: written in the same transaction as the change it
//! reports, so none is lost and none reports a change that did not commit. Its name
//! comes from its action (the mapping is [`event_name`]); its id, `PIPELINE:SEQ`, is
//! the same for every reader and every delivery, so a receiver can drop duplicates.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{AuditEvent, DeploymentId, DeploymentKind, EventCursor, LoggedEvent, Timestamp};
use crate::store::Store;

/// One line of `captain events` and of the server's event stream.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct EventLine {
    /// `PIPELINE:SEQ`: the same for every reader and every delivery of this event.
    pub id: String,
    pub pipeline: String,
    /// The event's name (see the README's table): `deployment.started`,
    /// `deployment.approved`, `deployment.failed`, `rollback.started`,
    /// `rollback.finished`, `lock.set`, `lock.lifted`, `release.blocked`, …
    pub event: String,
    /// Where a reader stands after this event: `?after=` resumes from it.
    pub cursor: String,
    /// The audit event itself.
    #[serde(flatten)]
    pub audit: AuditEvent,
}

/// The name of an event, from its audit action. A finished deployment is named by its
/// outcome, and a finished rollback deployment is `rollback.finished` (`kind` says which
/// it was; `None` when unknown, taken as a normal deployment).
///
/// | action | event |
/// | --- | --- |
/// | `release.create` | `release.created` |
/// | `release.block` / `release.unblock` | `release.blocked` / `release.unblocked` |
/// | `deployment.start` | `deployment.started` |
/// | `deployment.finish`, approved | `deployment.approved` |
/// | `deployment.finish`, deploy/tests failed, alarm fired | `deployment.failed` |
/// | `deployment.finish`, cancelled / superseded / rolled back | `deployment.cancelled` / `deployment.superseded` / `deployment.rolled_back` |
/// | `deployment.finish` of a rollback | `rollback.finished` |
/// | `rollback.start` | `rollback.started` |
/// | `lock.set` / `lock.remove` | `lock.set` / `lock.lifted` |
/// | `blocker.override` / `blocker.override.used` | `blocker.overridden` / `blocker.override_used` |
/// | `blocker.alarm` / `blocker.ok` (a pass saw a stage's blocker go into ALARM, or back) | the same |
/// | `step.approve` / `step.reject` | `step.approved` / `step.rejected` |
/// | `stage.approved` / `failed` / `superseded` / `retried` | the same |
/// | `pipeline.push` | `pipeline.pushed` |
///
/// Any other action is its own name.
pub fn event_name(event: &AuditEvent, kind: Option<DeploymentKind>) -> String {
    let name = match event.action.as_str() {
        "release.create" => "release.created",
        "release.block" => "release.blocked",
        "release.unblock" => "release.unblocked",
        "deployment.start" => "deployment.started",
        "deployment.finish" if kind == Some(DeploymentKind::Rollback) => "rollback.finished",
        "deployment.finish" => match event.details.get("outcome").and_then(|o| o.as_str()) {
            Some("approved") => "deployment.approved",
            Some("deploy failed" | "tests failed" | "alarm fired") => "deployment.failed",
            Some("cancelled") => "deployment.cancelled",
            Some("superseded") => "deployment.superseded",
            Some("rolled back") => "deployment.rolled_back",
            _ => "deployment.finished",
        },
        "rollback.start" => "rollback.started",
        "lock.set" => "lock.set",
        "lock.remove" => "lock.lifted",
        "blocker.override" => "blocker.overridden",
        "blocker.override.used" => "blocker.override_used",
        "step.approve" => "step.approved",
        "step.reject" => "step.rejected",
        "pipeline.push" => "pipeline.pushed",
        other => other,
    };
    name.to_string()
}

/// Every event name captain writes, for `[[notify]] events` validation.
pub const EVENT_NAMES: &[&str] = &[
    "release.created",
    "release.blocked",
    "release.unblocked",
    "deployment.started",
    "deployment.approved",
    "deployment.failed",
    "deployment.cancelled",
    "deployment.superseded",
    "deployment.rolled_back",
    "deployment.finished",
    "rollback.started",
    "rollback.finished",
    "lock.set",
    "lock.lifted",
    "blocker.overridden",
    "blocker.override_used",
    "blocker.alarm",
    "blocker.ok",
    "step.approved",
    "step.rejected",
    "stage.approved",
    "stage.failed",
    "stage.superseded",
    "stage.retried",
    "pipeline.pushed",
];

/// Names events of one pipeline, looking up the kind of each finished deployment once.
pub struct Namer {
    pipeline: String,
    kinds: HashMap<String, Option<DeploymentKind>>,
}

impl Namer {
    pub fn new(pipeline: &str) -> Namer {
        Namer {
            pipeline: pipeline.to_string(),
            kinds: HashMap::new(),
        }
    }

    /// The line of one event.
    pub fn line(&mut self, store: &dyn Store, logged: LoggedEvent) -> Result<EventLine> {
        let kind = if logged.event.action == "deployment.finish" {
            self.kind(store, &logged.event.target)?
        } else {
            None
        };
        Ok(EventLine {
            id: format!("{}:{}", self.pipeline, logged.event.seq),
            pipeline: self.pipeline.clone(),
            event: event_name(&logged.event, kind),
            cursor: logged.cursor.to_string(),
            audit: logged.event,
        })
    }

    fn kind(&mut self, store: &dyn Store, target: &str) -> Result<Option<DeploymentKind>> {
        if let Some(kind) = self.kinds.get(target) {
            return Ok(*kind);
        }
        let kind = match DeploymentId::parse(target) {
            Ok(id) => store.deployment(&id)?.map(|d| d.kind),
            Err(_) => None,
        };
        // Bounded: a long follow meets many deployments, each asked about once.
        if self.kinds.len() >= 4096 {
            self.kinds.clear();
        }
        self.kinds.insert(target.to_string(), kind);
        Ok(kind)
    }
}

/// Where `--since` starts: after a sequence number, or at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// Every event.
    Start,
    /// Events whose `seq` is above this.
    Seq(i64),
    /// Events at or after this time.
    Time(Timestamp),
}

impl Since {
    /// `--since 1h` (a duration before `now`), `--since 2026-01-02T03:04:05Z`, or
    /// `--since 120` (after event 120).
    pub fn parse(text: &str, now: Timestamp) -> Result<Since> {
        let text = text.trim();
        if let Ok(seq) = text.parse::<i64>() {
            return Ok(Since::Seq(seq.max(0)));
        }
        if let Ok(at) = text.parse::<Timestamp>() {
            return Ok(Since::Time(at));
        }
        let duration = humantime::parse_duration(text).map_err(|_| {
            Error::usage(format!(
                "`--since {text}` is neither a duration, a time nor an event number"
            ))
            .with_hint("give e.g. `--since 1h`, `--since 2026-01-02T09:00:00Z` or `--since 120`")
        })?;
        let span = jiff::SignedDuration::try_from(duration)
            .map_err(|_| Error::usage(format!("`--since {text}` is too long ago")))?;
        let at = now
            .checked_sub(span)
            .map_err(|_| Error::usage(format!("`--since {text}` is too long ago")))?;
        Ok(Since::Time(at))
    }
}

/// Reads a pipeline's events in order, a page at a time, from where it stands.
pub struct EventReader {
    cursor: EventCursor,
    since: Since,
    namer: Namer,
}

/// Events read per page.
pub const PAGE: usize = 500;

impl EventReader {
    /// Reads events after `cursor` (a line's `cursor`; [`EventCursor::START`] for all)
    /// that `since` lets through.
    pub fn new(pipeline: &str, cursor: EventCursor, since: Since) -> EventReader {
        EventReader {
            cursor,
            since,
            namer: Namer::new(pipeline),
        }
    }

    pub fn cursor(&self) -> EventCursor {
        self.cursor
    }

    /// The next events, at most [`PAGE`]; empty when the reader has caught up.
    pub fn next_page(&mut self, store: &dyn Store) -> Result<Vec<EventLine>> {
        loop {
            let min_seq = match self.since {
                Since::Seq(seq) => Some(seq),
                _ => None,
            };
            let page = store.events_after(self.cursor, min_seq, PAGE)?;
            let Some(last) = page.last() else {
                return Ok(Vec::new());
            };
            self.cursor = last.cursor;
            let mut lines = Vec::with_capacity(page.len());
            for logged in page {
                if let Since::Time(at) = self.since
                    && logged.event.at < at
                {
                    continue;
                }
                lines.push(self.namer.line(store, logged)?);
            }
            // A page wholly before `--since`: read on rather than answer nothing.
            if !lines.is_empty() {
                return Ok(lines);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, details: serde_json::Value) -> AuditEvent {
        AuditEvent {
            seq: 1,
            at: Timestamp::UNIX_EPOCH,
            actor: "ci".into(),
            action: action.into(),
            target: "deploy-1d5fb5".into(),
            reason: None,
            details,
        }
    }

    #[test]
    fn names_follow_the_documented_mapping() {
        let finish = |outcome: &str| {
            event(
                "deployment.finish",
                serde_json::json!({ "outcome": outcome }),
            )
        };
        assert_eq!(event_name(&finish("approved"), None), "deployment.approved");
        for failed in ["deploy failed", "tests failed", "alarm fired"] {
            assert_eq!(
                event_name(&finish(failed), Some(DeploymentKind::Normal)),
                "deployment.failed"
            );
        }
        assert_eq!(
            event_name(&finish("cancelled"), None),
            "deployment.cancelled"
        );
        assert_eq!(
            event_name(&finish("approved"), Some(DeploymentKind::Rollback)),
            "rollback.finished"
        );
        let plain = |action: &str| event_name(&event(action, serde_json::json!({})), None);
        assert_eq!(plain("deployment.start"), "deployment.started");
        assert_eq!(plain("rollback.start"), "rollback.started");
        assert_eq!(plain("lock.remove"), "lock.lifted");
        assert_eq!(plain("release.block"), "release.blocked");
        assert_eq!(plain("something.new"), "something.new");
        // Every name the mapping gives is one `[[notify]] events` accepts.
        for action in [
            "release.create",
            "release.block",
            "release.unblock",
            "deployment.start",
            "rollback.start",
            "lock.set",
            "lock.remove",
            "blocker.override",
            "blocker.override.used",
            "step.approve",
            "step.reject",
            "stage.approved",
            "stage.failed",
            "stage.superseded",
            "stage.retried",
            "pipeline.push",
        ] {
            assert!(EVENT_NAMES.contains(&plain(action).as_str()), "{action}");
        }
    }

    #[test]
    fn since_reads_a_seq_a_time_or_a_duration() {
        let now: Timestamp = "2026-01-02T10:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(Since::parse("120", now).ok(), Some(Since::Seq(120)));
        assert_eq!(
            Since::parse("1h", now).ok(),
            "2026-01-02T09:00:00Z".parse().ok().map(Since::Time)
        );
        assert_eq!(
            Since::parse("2026-01-01T00:00:00Z", now).ok(),
            "2026-01-01T00:00:00Z".parse().ok().map(Since::Time)
        );
        assert!(Since::parse("soon", now).is_err());
    }
}

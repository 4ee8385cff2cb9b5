//! Notifications (`[[notify]]`): the ledger's events sent to webhooks, never lost, in
//! order per pipeline, at least once.
//!
//! The outbox is the event log itself ([`crate::ops::events`]): every event is written in
//! the same transaction as the change it reports, so a crash loses none. Each target has
//! a cursor in the ledger ([`Store::record_delivery`]); a deliverer reads the events after
//! it, sends each wanted one, and moves the cursor only once the receiver answered 2xx —
//! so a deliverer killed between the send and the move sends that event again on restart
//! (the receiver drops it by its `X-Captain-Event-Id`). A failed send counts an attempt
//! (kept in the ledger) and the target waits, with exponential backoff and jitter, before
//! it tries the same event again: later events never overtake it. After `max_attempts`
//! failures the event is parked (`captain notify status` lists it, `captain notify retry`
//! resends it) and the target moves on.
//!
//! Each request carries `X-Captain-Event-Id` (`PIPELINE:SEQ`), `X-Captain-Event` (the
//! event's name) and, with `secret_env`, `X-Captain-Signature: sha256=HEX`, the
//! HMAC-SHA256 of the body under the secret, as GitHub signs its webhooks. Secrets and
//! URLs held in environment variables are read when the deliverer starts and are never
//! written to the ledger or printed.
//!
//! Who delivers: `captain run` (beside its loop), `captain serve` (one deliverer per
//! pipeline among replicas, under an advisory lock), `captain notify deliver`, and, in CI
//! (`CI` set), the end of every command that changed a local ledger, bounded in time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rand::Rng;

use crate::config::{NotifyFormat, NotifyTarget, NotifyUrl, Pipeline};
use crate::error::{Error, Result};
use crate::model::{EventCursor, Timestamp};
use crate::ops::events::{EventLine, Namer};
use crate::store::{Delivery, DeliveryUpdate, ParkedEvent, Store};

/// A target with its URL and secret resolved.
struct Resolved {
    target: NotifyTarget,
    url: String,
    secret: Option<Vec<u8>>,
}

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Round {
    pub delivered: u64,
    pub failed: u64,
    pub parked: u64,
    /// Targets that still have events to send (a failure is backing off, or time ran out).
    pub behind: Vec<String>,
}

/// Sends a pipeline's events to its `[[notify]]` targets.
pub struct Notifier {
    targets: Vec<Resolved>,
    client: reqwest::blocking::Client,
    namer: Namer,
    /// Per target: no attempt before this (the backoff after a failure).
    not_before: HashMap<String, Instant>,
}

/// Events read per page.
const PAGE: usize = 100;
/// The first wait after a failure; it doubles with each further failure.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// The longest wait between two attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// The wait before attempt `attempts + 1`: exponential, at most [`BACKOFF_MAX`], with
/// jitter (half to all of it) so that many deliverers do not retry in step.
pub fn backoff(attempts: u32) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1u32 << attempts.saturating_sub(1).min(16));
    let full = exp.min(BACKOFF_MAX);
    let half = full / 2;
    half + full.mul_f64(rand::rng().random_range(0.0..0.5))
}

/// `sha256=HEX`: the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// One readable line for a chat: "checkout: deployment.failed deploy-1d5fb5 (prod-2, v12,
/// tests failed) by ci — reason".
pub fn text(line: &EventLine) -> String {
    let a = &line.audit;
    let mut facts = Vec::new();
    for key in ["environment", "release", "outcome", "to", "direction"] {
        if let Some(value) = a.details.get(key) {
            match value {
                serde_json::Value::String(s) => facts.push(s.clone()),
                serde_json::Value::Number(n) if key == "to" || key == "release" => {
                    facts.push(format!("v{n}"))
                }
                _ => {}
            }
        }
    }
    let mut text = format!("{}: {} {}", line.pipeline, line.event, a.target);
    if !facts.is_empty() {
        text.push_str(&format!(" ({})", facts.join(", ")));
    }
    text.push_str(&format!(" by {}", a.actor));
    if let Some(reason) = &a.reason {
        text.push_str(&format!(" — {reason}"));
    }
    text
}

/// The body a target gets for an event.
pub fn body(format: NotifyFormat, line: &EventLine) -> Result<Vec<u8>> {
    let encoded = match format {
        NotifyFormat::Captain => serde_json::to_vec(line),
        NotifyFormat::Slack => serde_json::to_vec(&serde_json::json!({ "text": text(line) })),
    };
    encoded.map_err(|e| Error::internal(format!("could not encode a notification: {e}")))
}

impl Notifier {
    /// The deliverer of `pipeline`'s targets, with URLs and secrets read through `env`
    /// (the process environment, in practice). A variable that is not set is a usage
    /// error naming it and the target.
    pub fn new(pipeline: &Pipeline, env: &dyn Fn(&str) -> Option<String>) -> Result<Notifier> {
        let mut targets = Vec::new();
        for target in &pipeline.notify {
            let read = |name: &str, what: &str| {
                env(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                    Error::usage(format!(
                        "[[notify]] `{}`: the environment variable {name} (its {what}) is not set",
                        target.name
                    ))
                    .with_hint(format!("set {name} where captain delivers notifications"))
                })
            };
            let url = match &target.url {
                NotifyUrl::Literal(url) => url.clone(),
                NotifyUrl::Env(name) => {
                    let url = read(name, "URL")?;
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(Error::usage(format!(
                            "[[notify]] `{}`: {name} is not an http:// or https:// URL",
                            target.name
                        )));
                    }
                    url
                }
            };
            let secret = match &target.secret_env {
                Some(name) => Some(read(name, "secret")?.into_bytes()),
                None => None,
            };
            targets.push(Resolved {
                target: target.clone(),
                url,
                secret,
            });
        }
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("captain/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("could not build an HTTP client: {e}")))?;
        Ok(Notifier {
            targets,
            client,
            namer: Namer::new(&pipeline.name),
            not_before: HashMap::new(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The soonest a target that is backing off may try again (`None`: none is).
    pub fn next_attempt(&self) -> Option<Instant> {
        self.not_before.values().min().copied()
    }

    /// Sends what the targets have not had yet, until each is caught up, fails (then it
    /// backs off), or `deadline` comes. `now` stamps parked events.
    pub fn round(&mut self, store: &dyn Store, now: Timestamp, deadline: Instant) -> Result<Round> {
        let mut round = Round::default();
        let states = store.notify_states()?;
        for i in 0..self.targets.len() {
            let name = self.targets[i].target.name.clone();
            if self
                .not_before
                .get(&name)
                .is_some_and(|t| Instant::now() < *t)
            {
                round.behind.push(name);
                continue;
            }
            self.not_before.remove(&name);
            let state = states.iter().find(|s| s.target == name);
            let cursor = state.map_or(EventCursor::START, |s| s.cursor);
            let attempts = state.map_or(0, |s| s.attempts);
            let caught_up =
                self.deliver_target(i, store, cursor, attempts, now, deadline, &mut round)?;
            if !caught_up {
                round.behind.push(name);
            }
        }
        Ok(round)
    }

    /// One target's events from `cursor`; whether it caught up.
    #[allow(clippy::too_many_arguments)]
    fn deliver_target(
        &mut self,
        i: usize,
        store: &dyn Store,
        mut cursor: EventCursor,
        mut attempts: u32,
        now: Timestamp,
        deadline: Instant,
        round: &mut Round,
    ) -> Result<bool> {
        let name = self.targets[i].target.name.clone();
        let pass = |store: &dyn Store, from: EventCursor, to: EventCursor| {
            store.record_delivery(DeliveryUpdate {
                target: name.clone(),
                from,
                to,
                outcome: Delivery::Passed,
            })
        };
        loop {
            let page = store.events_after(cursor, None, PAGE)?;
            if page.is_empty() {
                return Ok(true);
            }
            // Events the target does not want are passed over in one write.
            let mut skipped = None;
            for logged in page {
                let at = logged.cursor;
                let line = self.namer.line(store, logged)?;
                if !self.targets[i].target.wants(&line.event) {
                    skipped = Some(at);
                    continue;
                }
                if let Some(to) = skipped.take() {
                    if !pass(store, cursor, to)? {
                        return Ok(false);
                    }
                    cursor = to;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(false);
                }
                match self.send(i, &line, left) {
                    Ok(()) => {
                        round.delivered += 1;
                        if !pass(store, cursor, at)? {
                            return Ok(false);
                        }
                        cursor = at;
                        attempts = 0;
                    }
                    Err(error) => {
                        let target = &self.targets[i].target;
                        tracing::warn!(target = %target.name, event = %line.id, %error, "notification failed");
                        round.failed += 1;
                        if attempts + 1 >= target.max_attempts {
                            round.parked += 1;
                            let moved = store.record_delivery(DeliveryUpdate {
                                target: name.clone(),
                                from: cursor,
                                to: at,
                                outcome: Delivery::Parked { error, at: now },
                            })?;
                            if !moved {
                                return Ok(false);
                            }
                            cursor = at;
                            attempts = 0;
                            continue;
                        }
                        store.record_delivery(DeliveryUpdate {
                            target: name.clone(),
                            from: cursor,
                            to: cursor,
                            outcome: Delivery::Failed { error },
                        })?;
                        self.not_before
                            .insert(name.clone(), Instant::now() + backoff(attempts + 1));
                        return Ok(false);
                    }
                }
            }
            if let Some(to) = skipped.take() {
                if !pass(store, cursor, to)? {
                    return Ok(false);
                }
                cursor = to;
            }
        }
    }

    /// Sends one event to target `i`, within `left`; the error says why not.
    fn send(&self, i: usize, line: &EventLine, left: Duration) -> std::result::Result<(), String> {
        let resolved = &self.targets[i];
        let body = body(resolved.target.format, line).map_err(|e| e.message)?;
        let mut request = self
            .client
            .post(&resolved.url)
            .timeout(
                resolved
                    .target
                    .timeout
                    .min(left)
                    .max(Duration::from_millis(100)),
            )
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Captain-Event-Id", &line.id)
            .header("X-Captain-Event", &line.event);
        if let Some(secret) = &resolved.secret {
            request = request.header("X-Captain-Signature", signature(secret, &body));
        }
        match request.body(body).send() {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => Err(format!("the receiver answered {}", answer.status())),
            // The error names the URL, which may hold a secret: say what went wrong only.
            Err(e) if e.is_timeout() => Err("the receiver did not answer in time".to_string()),
            Err(e) if e.is_connect() => Err("could not connect to the receiver".to_string()),
            Err(_) => Err("the request failed".to_string()),
        }
    }

    /// Sends parked events again (`captain notify retry`), oldest first: each delivered
    /// one is forgotten, each that fails again stays parked with the new error. Returns
    /// the events delivered and those still parked.
    pub fn retry(
        &mut self,
        store: &dyn Store,
        parked: &[ParkedEvent],
    ) -> Result<(Vec<ParkedEvent>, Vec<ParkedEvent>)> {
        let mut delivered = Vec::new();
        let mut failed = Vec::new();
        for p in parked {
            let Some(i) = self.targets.iter().position(|t| t.target.name == p.target) else {
                return Err(Error::usage(format!(
                    "event {} is parked for `{}`, which is no longer a [[notify]] target",
                    p.seq, p.target
                ))
                .with_hint("add the target back to pipeline.toml to resend it"));
            };
            let before = EventCursor {
                txid: p.cursor.txid,
                seq: p.cursor.seq - 1,
            };
            let Some(logged) = store
                .events_after(before, None, 1)?
                .into_iter()
                .find(|e| e.event.seq == p.seq)
            else {
                return Err(Error::not_found(format!(
                    "event {} is not in the ledger",
                    p.seq
                )));
            };
            let line = self.namer.line(store, logged)?;
            let timeout = self.targets[i].target.timeout;
            match self.send(i, &line, timeout) {
                Ok(()) => {
                    store.resolve_parked(&p.target, p.seq, None)?;
                    delivered.push(p.clone());
                }
                Err(error) => {
                    store.resolve_parked(&p.target, p.seq, Some(&error))?;
                    failed.push(ParkedEvent {
                        attempts: p.attempts + 1,
                        error,
                        ..p.clone()
                    });
                }
            }
        }
        Ok((delivered, failed))
    }
}

/// How long one background round may last before the deliverer looks at `stop` again.
const ROUND_BUDGET: Duration = Duration::from_secs(5);
/// How often a caught-up background deliverer looks for new events.
const POLL: Duration = Duration::from_millis(250);

/// Delivers in the background until `stop` is set (see [`deliver_while`]).
pub fn spawn(
    store: std::sync::Arc<dyn Store>,
    mut notifier: Notifier,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    clock: fn() -> Timestamp,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        deliver_while(store.as_ref(), &mut notifier, &stop, &mut || true, clock)
    })
}

/// Rounds until `stop` is set or `holds()` says this deliverer may no longer deliver (a
/// lost advisory lock): a round, then a pause until new events may have come or a
/// backoff ends. `clock` stamps parked events. A round that fails (the ledger is
/// unreachable) is logged and tried again a moment later.
pub fn deliver_while(
    store: &dyn Store,
    notifier: &mut Notifier,
    stop: &std::sync::atomic::AtomicBool,
    holds: &mut dyn FnMut() -> bool,
    clock: fn() -> Timestamp,
) {
    use std::sync::atomic::Ordering;
    while !stop.load(Ordering::SeqCst) && holds() {
        let deadline = Instant::now() + ROUND_BUDGET;
        let pause = match notifier.round(store, clock(), deadline) {
            Ok(round) if round.behind.is_empty() => POLL,
            Ok(_) => notifier
                .next_attempt()
                .map_or(Duration::ZERO, |t| {
                    t.saturating_duration_since(Instant::now())
                })
                .clamp(Duration::from_millis(10), POLL),
            Err(e) => {
                tracing::warn!(error = %e.message, "notifications: could not read the ledger");
                Duration::from_secs(1)
            }
        };
        std::thread::sleep(pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_githubs_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_grows_to_its_cap_with_jitter() {
        for attempts in 1..40 {
            let d = backoff(attempts);
            let full = BACKOFF_BASE
                .saturating_mul(1u32 << (attempts - 1).min(16))
                .min(BACKOFF_MAX);
            assert!(d >= full / 2 && d <= full, "{attempts}: {d:?}");
        }
    }
}

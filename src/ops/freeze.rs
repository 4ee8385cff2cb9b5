//! Emergency freezes (`captain freeze [TARGET] | unfreeze [TARGET]`): a freeze is a lock
//! of kind `freeze` on the whole pipeline (`*`), a stage, an environment or a wave, in
//! force until it is lifted or its `until` passes. The engine's one rule honours it for
//! every driver — the loop, `next`, `gate` and `deploy start` (even with `--force`)
//! start nothing in a frozen stage — and never holds a rollback (see
//! [`crate::engine::freeze_on`]). Both changes are audited (`freeze.set`,
//! `freeze.remove`) and go through the ordinary lock records, so both backends, the team
//! server (with the role locks need), export and import carry them.

use crate::config::Pipeline;
use crate::error::{Error, Result, suggestion_hint};
use crate::model::{Lock, LockDirection, LockTargetKind, Timestamp};
use crate::server::auth::Role;
use crate::store::{Store, Unlock};

/// Who may freeze and unfreeze on a team server: the role locks need.
pub const ROLE: Role = Role::Operator;

/// What [`freeze`] did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Frozen {
    /// The freeze now in force.
    pub freeze: Lock,
    /// The freeze of the same target it replaced (its reason and end), if there was one.
    pub replaced: Option<Lock>,
}

/// The ledger's target of a freeze: `*` for the pipeline (no target, or the pipeline's
/// own name), else a stage, environment or wave of `pipeline` — or not found, with a
/// did-you-mean.
pub fn resolve_target(pipeline: &Pipeline, target: Option<&str>) -> Result<String> {
    let Some(name) = target.map(str::trim) else {
        return Ok(Lock::PIPELINE_FREEZE.to_string());
    };
    if name == pipeline.name || name == Lock::PIPELINE_FREEZE {
        return Ok(Lock::PIPELINE_FREEZE.to_string());
    }
    let stages = pipeline.stages.iter().map(|s| s.name.clone());
    let environments = pipeline.environment_names();
    let waves = pipeline.waves.iter().map(|w| w.name.clone());
    let known: Vec<String> = stages.chain(environments).chain(waves).collect();
    if known.iter().any(|k| k == name) {
        return Ok(name.to_string());
    }
    let error = Error::not_found(format!(
        "`{name}` is no stage, environment or wave of pipeline `{}`",
        pipeline.name
    ));
    Err(match suggestion_hint(name, known.iter().map(String::as_str)) {
        Some(hint) => error.with_hint(hint),
        None => error.with_hint(
            "name a stage, an environment or a wave (`captain plan` lists them), or none to freeze the whole pipeline",
        ),
    })
}

/// How a freeze's target reads: `pipeline` for `*`.
pub fn target_words(target: &str) -> &str {
    if target == Lock::PIPELINE_FREEZE {
        "pipeline"
    } else {
        target
    }
}

/// `--until WHEN`: a duration from now (`2h`, `1day`) or an instant (see
/// [`crate::config::parse_instant`]; a date alone is the end of that day), in the
/// pipeline's time zone. It must be after `now`.
pub fn parse_until(pipeline: &Pipeline, text: &str, now: Timestamp) -> Result<Timestamp> {
    let text = text.trim();
    let at = match humantime::parse_duration(text) {
        Ok(duration) => jiff::SignedDuration::try_from(duration)
            .ok()
            .and_then(|d| now.checked_add(d).ok())
            .ok_or_else(|| Error::usage(format!("`--until {text}` is too far away")))?,
        Err(_) => crate::config::parse_instant(text, &pipeline.tz, true).map_err(|message| {
            Error::usage(format!("`--until {text}`: {message}")).with_hint(format!(
                "write a duration (2h, 1day) or a time: 2026-12-21T18:00 (in {}), 2026-12-21T18:00:00Z, or 2026-12-21 (to the end of that day)",
                pipeline.timezone
            ))
        })?,
    };
    if at <= now {
        return Err(Error::usage(format!(
            "`--until {text}` is not in the future ({})",
            crate::ops::gate::local_time(pipeline, at)
        ))
        .with_hint(
            "a freeze ends after it starts; leave --until out to freeze until `captain unfreeze`",
        ));
    }
    Ok(at)
}

/// Freezes `target` (see [`resolve_target`]) with a reason (required), until `until` or
/// until lifted. Freezing a frozen target again replaces its reason and end.
pub fn freeze(
    store: &dyn Store,
    pipeline: &Pipeline,
    target: Option<&str>,
    actor: String,
    reason: &str,
    until: Option<Timestamp>,
    now: Timestamp,
) -> Result<Frozen> {
    let target = resolve_target(pipeline, target)?;
    crate::ops::require_role(store, ROLE, "freezing")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(
            Error::usage(format!("freezing {} needs a reason", target_words(&target)))
                .with_hint("add `--reason TEXT`: it is shown wherever a start is refused"),
        );
    }
    let replaced = store
        .locks()?
        .into_iter()
        .find(|l| l.target_kind == LockTargetKind::Freeze && l.target == target && l.in_force(now));
    let freeze = Lock::freeze(target, actor, reason.to_string(), now, until);
    store.set_lock(freeze.clone())?;
    Ok(Frozen { freeze, replaced })
}

/// Lifts the freeze of `target`; false when there was none (not an error).
pub fn unfreeze(
    store: &dyn Store,
    pipeline: &Pipeline,
    target: Option<&str>,
    actor: String,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    let target = resolve_target(pipeline, target)?;
    crate::ops::require_role(store, ROLE, "unfreezing")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(format!(
            "unfreezing {} needs a reason",
            target_words(&target)
        ))
        .with_hint("add `--reason TEXT`: it is kept in the audit log"));
    }
    store.remove_lock(Unlock {
        target_kind: LockTargetKind::Freeze,
        target,
        direction: LockDirection::Both,
        actor,
        reason: Some(reason.to_string()),
        at: now,
    })
}

/// The freezes among `locks` in force at `now`.
pub fn freezes(locks: &[Lock], now: Timestamp) -> Vec<Lock> {
    locks
        .iter()
        .filter(|l| l.target_kind == LockTargetKind::Freeze && l.in_force(now))
        .cloned()
        .collect()
}

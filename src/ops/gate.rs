//! For pipelines whose deployments an external CI runs: which release a stage should take
//! now (`captain next STAGE`), whether a deployment may start now (`captain gate STAGE`),
//! external approval steps (`captain approve` / `reject`), and the window and blocker
//! check that `captain deploy start` makes. Every answer comes from the same engine pass
//! `captain run` makes, so the two modes never disagree.

use serde::Serialize;

use crate::config::{ApprovalKind, Pipeline, Stage};
use crate::engine::{
    self, AlarmState, BlockerOverride, Signals, StageOutlook, StageStatus, eval_alarm,
};
use crate::error::{Error, Result};
use crate::exec::Probes;
use crate::model::*;
use crate::runner::signals::observe_alarms;
use crate::store::{StageScope, StepVerdict, Store};

/// The answer of `captain next STAGE`.
#[derive(Clone, Debug, Serialize)]
pub struct NextView {
    pub stage: String,
    /// The release to deploy into the stage now, if any: a pending rollback's, or the
    /// waiting release when a deployment may start.
    pub release: Option<ReleaseNumber>,
    /// `normal` or `rollback`; null with no release.
    pub kind: Option<DeploymentKind>,
    /// The environments to deploy it to.
    pub environments: Vec<String>,
    /// Rollback deployments already recorded (by `captain rollback` or the loop) that the
    /// CI should carry out and finish.
    pub deployments: Vec<DeploymentId>,
    /// May a normal deployment start now (`captain gate`)?
    pub may_start: bool,
    /// Why, in words.
    pub reason: String,
    /// The release the stage works on.
    pub working: Option<ReleaseNumber>,
    /// The newest release offered to the stage and not taken yet.
    pub waiting: Option<ReleaseNumber>,
    /// The engine's status of the stage.
    pub status: StageStatus,
}

/// The blocker's alarms, observed now (nothing else is needed to answer for one stage).
fn stage_signals(pipeline: &Pipeline, stage: &Stage, probes: &Probes) -> Signals {
    let mut names = std::collections::BTreeSet::new();
    if let Some(blocker) = &stage.settings.blocker {
        names.extend(blocker.names().into_iter().map(str::to_string));
    }
    let (alarms, _) = observe_alarms(pipeline, &names, probes);
    Signals {
        alarms,
        ..Signals::default()
    }
}

/// `captain next STAGE` and `captain gate STAGE`.
pub fn next(
    store: &dyn Store,
    pipeline: &Pipeline,
    stage: &str,
    now: Timestamp,
    probes: &Probes,
) -> Result<NextView> {
    let stage = pipeline.require_stage(stage)?;
    let snapshot = store.engine_snapshot(&StageScope::of(pipeline), now)?;
    let signals = stage_signals(pipeline, stage, probes);
    let outlook = engine::stage_outlook(&snapshot.state, pipeline, now, &signals, &stage.name)?;
    let rollbacks: Vec<(String, ReleaseNumber, DeploymentId)> = stage
        .environments
        .iter()
        .filter_map(|e| {
            let active = snapshot.state.environments.get(&e.name)?.active.as_ref()?;
            (active.kind == DeploymentKind::Rollback)
                .then(|| (e.name.clone(), active.release, active.id.clone()))
        })
        .collect();
    let environments: Vec<String> = stage.environments.iter().map(|e| e.name.clone()).collect();
    let may_start = outlook.may_start();
    let reason = describe(&outlook, now);
    let view = if let Some((_, release, _)) = rollbacks.first() {
        NextView {
            stage: stage.name.clone(),
            release: Some(*release),
            kind: Some(DeploymentKind::Rollback),
            environments: rollbacks.iter().map(|(e, _, _)| e.clone()).collect(),
            deployments: rollbacks.iter().map(|(_, _, d)| d.clone()).collect(),
            may_start,
            reason: format!(
                "rollback to {release} in progress: deploy it and finish it with `captain deploy finish`"
            ),
            working: outlook.working,
            waiting: outlook.waiting,
            status: outlook.status,
        }
    } else if let StageStatus::Starting { release, .. } = &outlook.status {
        NextView {
            stage: stage.name.clone(),
            release: Some(*release),
            kind: Some(DeploymentKind::Normal),
            environments,
            deployments: Vec::new(),
            may_start,
            reason,
            working: outlook.working,
            waiting: outlook.waiting,
            status: outlook.status,
        }
    } else {
        NextView {
            stage: stage.name.clone(),
            release: None,
            kind: None,
            environments: Vec::new(),
            deployments: Vec::new(),
            may_start,
            reason,
            working: outlook.working,
            waiting: outlook.waiting,
            status: outlook.status,
        }
    };
    Ok(view)
}

/// A stage's outlook in one sentence.
pub fn describe(outlook: &StageOutlook, now: Timestamp) -> String {
    let list = |names: &[String]| names.join(", ");
    match &outlook.status {
        StageStatus::Starting {
            release,
            overridden: Some(o),
        } => format!(
            "{release} may start (blocker overridden by {}: {})",
            o.actor, o.reason
        ),
        StageStatus::Starting { release, .. } => format!("{release} may start now"),
        StageStatus::Settling { release } => match release {
            Some(r) => format!("{r} is being settled in this pass"),
            None => "the stage is being settled in this pass".to_string(),
        },
        StageStatus::Deploying {
            release,
            environments,
        } => format!("{release} is deploying to {}", list(environments)),
        StageStatus::Verifying {
            release,
            environments,
        } => format!("{release} is being verified in {}", list(environments)),
        StageStatus::Baking {
            release,
            until,
            data_points,
            alarm_unknown,
        } => {
            let mut text = if *until > now {
                let left = until.duration_since(now).unsigned_abs();
                let left = std::time::Duration::from_secs(left.as_secs());
                format!(
                    "{release} is baking, {} left",
                    humantime::format_duration(left)
                )
            } else {
                format!("{release} is baking")
            };
            for p in data_points {
                text.push_str(&format!(
                    "; {} has {} of {} data points",
                    p.environment, p.have, p.need
                ));
            }
            if *alarm_unknown {
                text.push_str("; the rollback alarm's state is unknown");
            }
            text
        }
        StageStatus::Busy { environments } => {
            format!("deployments still run in {}", list(environments))
        }
        StageStatus::Locked { release, lock } => format!(
            "{release} waits: promotions {} {} {} are disabled by {}: {}",
            match lock.direction {
                LockDirection::In => "into",
                LockDirection::Out => "out of",
                LockDirection::Both => "into and out of",
            },
            match lock.target_kind {
                LockTargetKind::Stage => "stage",
                LockTargetKind::Environment => "environment",
            },
            lock.target,
            lock.actor,
            lock.reason
        ),
        StageStatus::WindowClosed { release, next_open } => match next_open {
            Some(t) => format!("{release} waits: the window is closed until {t}"),
            None => format!("{release} waits: the window is closed"),
        },
        StageStatus::Blocked {
            release,
            expression,
            alarms,
            unknown,
        } => {
            let mut text = format!("{release} waits: the blocker {expression} is ");
            if alarms.is_empty() {
                text.push_str(&format!("unknown ({} not observed)", list(unknown)));
            } else {
                text.push_str(&format!("in ALARM ({})", list(alarms)));
            }
            text
        }
        StageStatus::Idle => match outlook.working {
            Some(r) => format!("working on {r}"),
            None => "no release to take".to_string(),
        },
    }
}

/// The window and blocker of `stage` for a deployment starting now (`deploy start`):
/// `None` if it may start, else why not.
pub fn start_refusal(
    pipeline: &Pipeline,
    stage: &Stage,
    now: Timestamp,
    probes: &Probes,
    overrides: &[BlockerOverride],
    environment: &str,
) -> Option<String> {
    if let Some(window) = &stage.settings.window
        && !window.allows(now)
    {
        return Some(match window.next_open(now) {
            Some(t) => format!("the window of stage {} is closed until {t}", stage.name),
            None => format!("the window of stage {} is closed", stage.name),
        });
    }
    let blocker = stage.settings.blocker.as_ref()?;
    let signals = stage_signals(pipeline, stage, probes);
    let state = eval_alarm(blocker, &signals);
    if state == AlarmState::Ok {
        return None;
    }
    let in_force = overrides.iter().any(|o| {
        (o.target == stage.name || o.target == environment)
            && o.created_at <= now
            && o.until.is_none_or(|u| now < u)
    });
    if in_force {
        return None;
    }
    Some(format!(
        "the blocker {blocker} of stage {} is {}",
        stage.name,
        if state == AlarmState::Alarm {
            "in ALARM"
        } else {
            "unknown (its alarms could not be observed)"
        }
    ))
}

/// Checks the window and blocker before `deploy start` records a normal deployment. With
/// `force` a refusal becomes a recorded override (the reason is required by the caller).
#[allow(clippy::too_many_arguments)]
pub fn check_start(
    store: &dyn Store,
    pipeline: &Pipeline,
    environment: &str,
    now: Timestamp,
    probes: &Probes,
    force: bool,
    actor: &str,
    reason: Option<&str>,
) -> Result<()> {
    let (stage, _) = pipeline.require_environment(environment)?;
    if force && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage(
            "--force needs --reason saying why the checks are skipped",
        ));
    }
    let snapshot_overrides = store
        .engine_snapshot(&[], now)
        .map(|s| s.state.overrides)
        .unwrap_or_default();
    let Some(why) = start_refusal(
        pipeline,
        stage,
        now,
        probes,
        &snapshot_overrides,
        environment,
    ) else {
        return Ok(());
    };
    if !force {
        return Err(Error::blocked(format!(
            "a deployment to {environment} may not start now: {why}"
        ))
        .with_hint("wait, or override with `--force --reason TEXT` (recorded)"));
    }
    store.record_override(BlockerOverride {
        target: environment.to_string(),
        actor: actor.to_string(),
        reason: format!("{} (forced over: {why})", reason.unwrap_or("forced")),
        created_at: now,
        // One deployment's override: it does not stay in force for later ones.
        until: Some(now),
    })
}

/// `captain approve` / `captain reject`: the verdict of an external approval step named
/// `step` of a deployment in progress.
#[allow(clippy::too_many_arguments)]
pub fn verdict(
    store: &dyn Store,
    pipeline: &Pipeline,
    deployment: &DeploymentId,
    step: &str,
    passed: bool,
    actor: &str,
    reason: Option<String>,
    now: Timestamp,
) -> Result<StepVerdict> {
    let Some(found) = store.deployment(deployment)? else {
        return Err(
            Error::not_found(format!("deployment {deployment} does not exist"))
                .with_hint("`captain status` shows the deployments in progress"),
        );
    };
    let (stage, _) = pipeline.require_environment(&found.environment)?;
    let externals: Vec<(usize, &str)> = stage
        .settings
        .approvals
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.kind, ApprovalKind::External))
        .map(|(i, s)| (i, s.name.as_str()))
        .collect();
    let Some((index, name)) = externals.iter().find(|(_, n)| *n == step).copied() else {
        let error = Error::not_found(format!(
            "stage {} has no external approval step `{step}`",
            stage.name
        ));
        let names: Vec<&str> = externals.iter().map(|(_, n)| *n).collect();
        return Err(
            match crate::error::suggestion_hint(step, names.iter().copied()) {
                Some(hint) => error.with_hint(hint),
                None if names.is_empty() => {
                    error.with_hint("its approval steps are all run by captain")
                }
                None => error.with_hint(format!("its external steps: {}", names.join(", "))),
            },
        );
    };
    if !passed && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage("rejecting an approval step needs --reason"));
    }
    let verdict = StepVerdict {
        deployment: deployment.clone(),
        step: index,
        name: name.to_string(),
        passed,
        actor: actor.to_string(),
        reason,
        at: now,
    };
    store.record_step_result(verdict.clone())?;
    Ok(verdict)
}

/// A person's "deploy anyway" over the blockers of a stage or an environment, for a
/// while: recorded with the reason (and audited); `captain run`, `next`, `gate` and
/// `deploy start` let deployments start there while it is in force.
pub fn override_blockers(
    store: &dyn Store,
    pipeline: &Pipeline,
    target: &str,
    actor: &str,
    reason: &str,
    now: Timestamp,
    lasting: std::time::Duration,
) -> Result<BlockerOverride> {
    let target = crate::ops::promotions::resolve_target(pipeline, target)?;
    if reason.trim().is_empty() {
        return Err(Error::usage("overriding a blocker needs a reason")
            .with_hint("add `--reason TEXT`; it is kept in the audit log"));
    }
    let span = jiff::SignedDuration::try_from(lasting)
        .map_err(|_| Error::usage("the override lasts too long"))?;
    let until = now
        .checked_add(span)
        .map_err(|_| Error::usage("the override lasts too long"))?;
    let record = BlockerOverride {
        target: target.name,
        actor: actor.to_string(),
        reason: reason.trim().to_string(),
        created_at: now,
        until: Some(until),
    };
    store.record_override(record.clone())?;
    Ok(record)
}

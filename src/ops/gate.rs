//! For pipelines whose deployments an external CI runs: which release a stage should take
//! now (`captain next STAGE`), whether a deployment may start now (`captain gate STAGE`),
//! the bake of a stage (`captain bake STAGE`), external approval steps (`captain approve`
//! / `reject`), and the words for every answer. Each answer comes from the engine's pass
//! ([`crate::ops::pass`]), the same rule `captain run` follows, so the two modes never
//! disagree.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::{ApprovalKind, Pipeline};
use crate::engine::{BlockerOverride, StageOutlook, StageStatus, StartRefusal};
use crate::error::{Error, Result};
use crate::exec::Probes;
use crate::model::*;
use crate::ops::pass;
use crate::store::{StepVerdict, Store};

/// The answer of `captain next STAGE`.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
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

/// `captain next STAGE` (`record`: first record what is due, as any driver would — a
/// bake that ended, a failure's rollbacks — so the rollbacks it hands out are real) and
/// `captain gate STAGE` (records nothing: a question any token may ask).
pub fn next(
    store: &dyn Store,
    pipeline: &Pipeline,
    stage: &str,
    now: Timestamp,
    probes: &Probes,
    record: Option<&str>,
) -> Result<NextView> {
    let stage = pipeline.require_stage(stage)?;
    let pass = match record {
        Some(actor) => pass::record_due(store, pipeline, now, probes, actor)?,
        None => pass::look(store, pipeline, now, probes)?,
    };
    stage_view(&pass, pipeline, stage, now)
}

/// `captain gate` of every stage, from one look (records nothing): the web's pipeline
/// page says with it why each stage waits (a closed window, a blocker) and until when.
pub fn gates(
    store: &dyn Store,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
) -> Result<Vec<crate::views::deploy::GateView>> {
    let pass = pass::look(store, pipeline, now, probes)?;
    pipeline
        .stages
        .iter()
        .map(|stage| {
            stage_view(&pass, pipeline, stage, now).map(|v| crate::views::deploy::GateView::of(&v))
        })
        .collect()
}

/// One stage's answer from a pass.
fn stage_view(
    pass: &pass::Pass,
    pipeline: &Pipeline,
    stage: &crate::config::Stage,
    now: Timestamp,
) -> Result<NextView> {
    let outlook = pass.stage_outlook(&stage.name)?;
    let rollbacks = recorded_rollbacks(pass, stage);
    let may_start = outlook.may_start();
    let mut reason = describe(&outlook, &pass.outlooks, pipeline, now);
    // Say when the release in question goes by the expedited rules.
    let about = match &outlook.status {
        StageStatus::Starting { release, .. } => Some(*release),
        _ => outlook.working.or(outlook.waiting),
    };
    if let Some(release) = about
        && crate::engine::expedited(&pass.state, pipeline, release)
    {
        reason.push_str(&format!(" ({release} is expedited)"));
    }
    let mut view = NextView {
        stage: stage.name.clone(),
        release: None,
        kind: None,
        environments: Vec::new(),
        deployments: Vec::new(),
        may_start,
        reason,
        working: outlook.working,
        waiting: outlook.waiting,
        status: outlook.status.clone(),
    };
    if let Some((_, release, _)) = rollbacks.first() {
        view.release = Some(*release);
        view.kind = Some(DeploymentKind::Rollback);
        view.environments = rollbacks.iter().map(|(e, _, _)| e.clone()).collect();
        view.deployments = rollbacks.iter().map(|(_, _, d)| d.clone()).collect();
        view.reason = format!(
            "rollback to {release} in progress: deploy it and finish it with `captain deploy finish`"
        );
    } else if let StageStatus::Starting {
        release,
        environments,
        ..
    } = &outlook.status
    {
        view.release = Some(*release);
        view.kind = Some(DeploymentKind::Normal);
        view.environments = environments.clone();
    }
    Ok(view)
}

/// The rollback deployments in progress in `stage` that are in the ledger (a look only
/// foresees some): environment, release, deployment.
fn recorded_rollbacks(
    pass: &pass::Pass,
    stage: &crate::config::Stage,
) -> Vec<(String, ReleaseNumber, DeploymentId)> {
    stage
        .environments
        .iter()
        .filter_map(|e| {
            let active = pass.state.environments.get(&e.name)?.active.as_ref()?;
            // A look only foresees some: those have no id of the store's yet.
            let recorded = !active.id.0.starts_with("pending-");
            (active.kind == DeploymentKind::Rollback && recorded)
                .then(|| (e.name.clone(), active.release, active.id.clone()))
        })
        .collect()
}

/// How the bake of a stage stands (`captain bake`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BakeState {
    /// The stage approved the release: its bake is over.
    Approved,
    /// The release bakes: bake time, data points or the rollback alarm are not there yet.
    Baking,
    /// The release failed in the stage (an alarm fired during the bake, a deployment or a
    /// step failed); with auto-rollback, rollback deployments were recorded.
    Failed,
    /// The release is not baking yet (still deploying or verifying), or there is none.
    Waiting,
}

/// The answer of `captain bake STAGE`.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct BakeView {
    pub stage: String,
    pub release: Option<ReleaseNumber>,
    pub state: BakeState,
    /// Why, in words.
    pub reason: String,
    /// When the bake time ends, while baking.
    pub until: Option<Timestamp>,
    /// Environments still short of their data points, while baking.
    pub data_points: Vec<crate::engine::DataPointStatus>,
    /// Rollback deployments in the stage for the CI to carry out (`captain next STAGE`).
    pub rollbacks: Vec<DeploymentId>,
}

/// `captain bake STAGE`: one pass that records what the bake of the stage's release
/// decides now — the approval once bake time and data points are there with the rollback
/// alarm OK, or the failure (`alarm fired`) with its automatic rollback — and how the
/// bake stands. `release`: the release asked about; by default the one the stage works
/// on, else the newest it decided.
pub fn bake(
    store: &dyn Store,
    pipeline: &Pipeline,
    stage: &str,
    release: Option<ReleaseNumber>,
    now: Timestamp,
    probes: &Probes,
    actor: &str,
) -> Result<BakeView> {
    let stage = pipeline.require_stage(stage)?;
    let pass = pass::record_due(store, pipeline, now, probes, actor)?;
    let ledger = pass
        .state
        .stages
        .get(&stage.name)
        .cloned()
        .unwrap_or_default();
    let outlook = pass.stage_outlook(&stage.name)?;
    let decided = ledger.newest_decided();
    let release = release.or(ledger.working).or(decided);
    let rollbacks: Vec<DeploymentId> = recorded_rollbacks(&pass, stage)
        .into_iter()
        .map(|(_, _, d)| d)
        .collect();
    let mut view = BakeView {
        stage: stage.name.clone(),
        release,
        state: BakeState::Waiting,
        reason: String::new(),
        until: None,
        data_points: Vec::new(),
        rollbacks,
    };
    let Some(release) = release else {
        view.reason = format!("stage {} has no release to bake", stage.name);
        return Ok(view);
    };
    if ledger.approved.contains(&release) {
        view.state = BakeState::Approved;
        view.reason = format!("{} approved {release}", stage.name);
    } else if ledger.failed.contains(&release) {
        view.state = BakeState::Failed;
        let why = pass
            .decisions
            .iter()
            .find_map(|d| match d {
                crate::engine::Decision::FailStage {
                    stage: s,
                    release: r,
                    reason,
                } if *s == stage.name && *r == release => Some(reason.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "it failed there".to_string());
        let mut reason = format!("{release} failed in {}: {why}", stage.name);
        if !pass.alarm_reasons.is_empty() && why == Outcome::AlarmFired.as_str() {
            let alarms: Vec<String> = pass
                .alarm_reasons
                .iter()
                .map(|(name, text)| format!("{name}: {text}"))
                .collect();
            reason.push_str(&format!(" ({})", alarms.join("; ")));
        }
        if !view.rollbacks.is_empty() {
            reason.push_str(&format!(
                "; rolling back with {} (`captain next {}` hands them out)",
                view.rollbacks
                    .iter()
                    .map(|d| d.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                stage.name
            ));
        }
        view.reason = reason;
    } else if ledger.working == Some(release) {
        if let StageStatus::Baking {
            until, data_points, ..
        } = &outlook.status
        {
            view.state = BakeState::Baking;
            view.until = Some(*until);
            view.data_points = data_points.clone();
        }
        view.reason = describe(&outlook, &pass.outlooks, pipeline, now);
    } else {
        view.reason = format!("stage {} has not taken {release}", stage.name);
    }
    Ok(view)
}

/// A time in the pipeline's time zone, as a person on call reads it ("Mon 2026-12-07
/// 09:00 EST").
pub fn local_time(pipeline: &Pipeline, at: Timestamp) -> String {
    at.to_zoned(pipeline.tz.clone())
        .strftime("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// "42m", "1h 5m", "30s": a time left, to the minute once it is more than one.
pub fn short_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    match (minutes / 60 / 24, minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// A stage's outlook in one sentence; a stage with nothing offered says what the stage
/// before it is doing (`outlooks` are every stage's, in pipeline order).
pub fn describe(
    outlook: &StageOutlook,
    outlooks: &[StageOutlook],
    pipeline: &Pipeline,
    now: Timestamp,
) -> String {
    let list = |names: &[String]| names.join(", ");
    let stage = &outlook.stage;
    match &outlook.status {
        StageStatus::Starting {
            release,
            overridden: Some(o),
            ..
        } => format!(
            "{release} may start in {stage} (blocker overridden by {}: {})",
            o.actor, o.reason
        ),
        StageStatus::Starting {
            release,
            environments,
            ..
        } => {
            let all = pipeline
                .stage(stage)
                .is_some_and(|s| s.environments.len() == environments.len());
            if all {
                format!("{release} may start in {stage} now")
            } else {
                format!("{release} may start in {} now", list(environments))
            }
        }
        StageStatus::Settling { release } => match release {
            Some(r) => format!("{stage} settles {r} in this pass"),
            None => format!("{stage} is being settled in this pass"),
        },
        StageStatus::Deploying {
            release,
            environments,
        } => format!("{stage} is deploying {release} to {}", list(environments)),
        StageStatus::Verifying {
            release,
            environments,
            approvals,
        } => {
            let mut text = format!("{stage} is verifying {release} in {}", list(environments));
            let waiting: Vec<String> = approvals.iter().map(describe_approvals).collect();
            if !waiting.is_empty() {
                text.push_str("; ");
                text.push_str(&waiting.join("; "));
            }
            text
        }
        StageStatus::Baking {
            release,
            until,
            data_points,
            alarm_unknown,
        } => {
            let mut parts = Vec::new();
            if *until > now {
                parts.push(format!(
                    "{} left",
                    short_duration(until.as_second() - now.as_second())
                ));
            }
            match data_points.as_slice() {
                [] => {}
                [one] => parts.push(format!("{} of {} data points", one.have, one.need)),
                many => parts.push(format!(
                    "{} data points",
                    many.iter()
                        .map(|p| format!("{} {} of {}", p.environment, p.have, p.need))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            if *alarm_unknown {
                parts.push("the rollback alarm's state is unknown".to_string());
            }
            if parts.is_empty() {
                format!("{stage} is baking {release}")
            } else {
                format!("{stage} is baking {release}: {}", parts.join(", "))
            }
        }
        StageStatus::Busy { environments } => {
            format!("deployments still run in {}", list(environments))
        }
        StageStatus::Locked { release, lock } if lock.target_kind == LockTargetKind::Release => {
            describe_block(*release, lock, now)
        }
        StageStatus::Locked { release, lock } => format!(
            "{release} waits: promotions {} {} {} are disabled by {}: {}",
            match lock.direction {
                LockDirection::In => "into",
                LockDirection::Out => "out of",
                LockDirection::Both => "into and out of",
            },
            lock.target_kind.as_str(),
            lock.target,
            lock.actor,
            lock.reason
        ),
        StageStatus::Frozen { release, freeze } => {
            format!("{release} waits: {}", describe_freeze(freeze, pipeline))
        }
        StageStatus::WindowClosed { release, next_open } => match next_open {
            Some(t) => format!(
                "{release} waits: the window of {stage} is closed until {}",
                local_time(pipeline, *t)
            ),
            None => format!("{release} waits: the window of {stage} is closed"),
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
        StageStatus::Idle => {
            if let Some(r) = outlook.working {
                return format!("{stage} is working on {r}");
            }
            // Nothing offered: say what the stage before is doing about its release.
            let index = outlooks.iter().position(|o| o.stage == *stage);
            match index.and_then(|i| i.checked_sub(1)).map(|i| &outlooks[i]) {
                Some(previous) if previous.working.is_some() => {
                    describe(previous, &[], pipeline, now)
                }
                _ => "no release to take".to_string(),
            }
        }
    }
}

/// How far the approvals of one external step are, in words: "`sign-off` of deploy-1d5fb5
/// in gamma-1 needs 1 more approval (2 required; approved by alice)".
pub fn describe_approvals(p: &crate::engine::ApprovalProgress) -> String {
    let more = match p.missing {
        0 => "has its approvals".to_string(),
        1 => "needs 1 more approval".to_string(),
        n => format!("needs {n} more approvals"),
    };
    let by = if p.approved_by.is_empty() {
        "nobody approved yet".to_string()
    } else {
        format!("approved by {}", p.approved_by.join(", "))
    };
    let mut text = format!(
        "`{}` of {} in {} {more} ({} required; {by}",
        p.step, p.deployment, p.environment, p.required
    );
    if !p.allowed.is_empty() {
        text.push_str(&format!("; allowed: {}", p.allowed.join(", ")));
    }
    text.push(')');
    text
}

/// Why a deployment of the CI may not start, in one sentence.
pub fn describe_refusal(refusal: &StartRefusal, pipeline: &Pipeline, now: Timestamp) -> String {
    match refusal {
        StartRefusal::ReleaseBlocked { release, lock } => describe_block(*release, lock, now),
        StartRefusal::Frozen { stage, freeze, .. } => {
            format!("stage {stage} is {}", describe_freeze(freeze, pipeline))
        }
        StartRefusal::Failed { stage, release } => format!("{release} failed in stage {stage}"),
        StartRefusal::Superseded {
            stage,
            release,
            by: Some(by),
        } => format!("{release} was superseded in front of stage {stage} by {by}"),
        StartRefusal::Superseded { stage, release, .. } => {
            format!("{release} was superseded in front of stage {stage}")
        }
        StartRefusal::Taken {
            stage,
            release,
            newest,
        } => format!("stage {stage} has taken {newest} already, and {release} is not newer"),
        StartRefusal::AlreadyThere {
            environment,
            release,
        } => format!("{environment} has approved {release} already"),
        StartRefusal::NotApproved { release, previous } => {
            let stage = &previous.stage;
            if previous.working == Some(*release) {
                format!(
                    "{release} has not been approved by stage {stage}: {}",
                    describe(previous, &[], pipeline, now)
                )
            } else {
                format!("{release} has not been approved by stage {stage}")
            }
        }
        StartRefusal::Stage(outlook) => describe(outlook, &[], pipeline, now),
    }
}

/// "v5 is blocked by alice 3m ago: breaks checkout" — a release block, who and why.
pub fn describe_block(release: ReleaseNumber, lock: &Lock, now: Timestamp) -> String {
    format!(
        "{release} is blocked by {} {}: {}",
        lock.actor,
        crate::store::ago(lock.created_at, now),
        lock.reason
    )
}

/// "frozen: holidays (config), until Mon 2027-01-04 00:00 CET" or "frozen: incident 42
/// (by alice), until lifted" — which freeze holds, and until when in the pipeline's time
/// zone.
pub fn describe_freeze(freeze: &crate::engine::ActiveFreeze, pipeline: &Pipeline) -> String {
    let who = match &freeze.by {
        Some(by) => format!("by {by}"),
        None => "config".to_string(),
    };
    let until = match freeze.until {
        Some(t) => format!("until {}", local_time(pipeline, t)),
        None => "until lifted".to_string(),
    };
    format!("frozen: {} ({who}), {until}", freeze.reason)
}

/// The hint for a refusal: what a person can do about it.
fn refusal_hint(refusal: &StartRefusal) -> String {
    let frozen = match refusal {
        StartRefusal::Frozen { freeze, .. } => Some(&**freeze),
        StartRefusal::Stage(outlook) => match &outlook.status {
            StageStatus::Frozen { freeze, .. } => Some(freeze),
            _ => None,
        },
        _ => None,
    };
    if let Some(freeze) = frozen {
        return match freeze.source {
            crate::engine::FreezeSource::Command => {
                let target = if freeze.target == "pipeline" {
                    String::new()
                } else {
                    format!(" {}", freeze.target)
                };
                format!(
                    "nothing gets past a freeze, not even --force; rollbacks still run; lift it with `captain unfreeze{target} --reason TEXT`"
                )
            }
            crate::engine::FreezeSource::Config => "nothing gets past a freeze, not even --force; rollbacks still run; it is in pipeline.toml's `freezes`".to_string(),
        };
    }
    let blocked = match refusal {
        StartRefusal::ReleaseBlocked { lock, .. } => Some(&**lock),
        StartRefusal::Stage(outlook) => match &outlook.status {
            StageStatus::Locked { lock, .. } if lock.target_kind == LockTargetKind::Release => {
                Some(lock)
            }
            _ => None,
        },
        _ => None,
    };
    if let Some(lock) = blocked {
        return format!(
            "nothing gets past a block, not even --force; deploy a newer release, or lift it with `captain release unblock {} --reason TEXT`",
            lock.target
        );
    }
    if let StartRefusal::Stage(outlook) = refusal
        && let StageStatus::Locked { lock, .. } = &outlook.status
    {
        return format!(
            "enable them with `captain promotions enable {}`, or override with `--force --reason TEXT`",
            lock.target
        );
    }
    match refusal {
        StartRefusal::Failed { stage, .. } => format!(
            "after a transient failure, deploy it again with `captain retry {stage} --reason TEXT`"
        ),
        StartRefusal::Superseded { by: Some(by), .. } => {
            format!("deploy {by} instead (`captain next` names it)")
        }
        StartRefusal::NotApproved { previous, .. } => format!(
            "wait for stage {} (`captain bake {} --wait` records its bake), or override with `--force --reason TEXT`",
            previous.stage, previous.stage
        ),
        _ => "wait, or override with `--force --reason TEXT` (recorded)".to_string(),
    }
}

/// Checks a normal deployment an external CI is about to record (`deploy start`) with
/// the engine's rule, after recording what is due. With `force` the checks are skipped,
/// and a closed window or a blocker the start goes over is recorded as a one-off override
/// (the reason is required by the caller). `Ok` carries the override a start goes through.
#[allow(clippy::too_many_arguments)]
pub fn check_start(
    store: &dyn Store,
    pipeline: &Pipeline,
    environment: &str,
    release: ReleaseNumber,
    now: Timestamp,
    probes: &Probes,
    force: bool,
    actor: &str,
    reason: Option<&str>,
) -> Result<Option<BlockerOverride>> {
    pipeline.require_environment(environment)?;
    if force && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage(
            "--force needs --reason saying why the checks are skipped",
        ));
    }
    let pass = pass::record_due_about(store, pipeline, now, probes, actor, (environment, release))?;
    let refusal = match crate::engine::start_check(
        &pass.state,
        pipeline,
        now,
        &pass.signals,
        environment,
        release,
    )? {
        Ok(overridden) => return Ok(overridden),
        Err(refusal) => refusal,
    };
    let why = describe_refusal(&refusal, pipeline, now);
    // A block or a freeze is never forced: nothing goes there until it is lifted.
    let blocked = matches!(
        &refusal,
        StartRefusal::ReleaseBlocked { .. } | StartRefusal::Frozen { .. }
    ) || matches!(
        &refusal,
        StartRefusal::Stage(outlook) if matches!(outlook.status, StageStatus::Frozen { .. })
    );
    if !force || blocked {
        return Err(Error::blocked(format!(
            "a deployment of {release} to {environment} may not start now: {why}"
        ))
        .with_hint(refusal_hint(&refusal)));
    }
    let forced_over_gate = matches!(
        &refusal,
        StartRefusal::Stage(outlook)
            if matches!(outlook.status, StageStatus::WindowClosed { .. } | StageStatus::Blocked { .. })
    );
    if forced_over_gate {
        store.record_override(BlockerOverride {
            target: environment.to_string(),
            actor: actor.to_string(),
            reason: format!("{} (forced over: {why})", reason.unwrap_or("forced")),
            created_at: now,
            // One deployment's override: it does not stay in force for later ones.
            until: Some(now),
        })?;
    }
    Ok(None)
}

/// `captain approve` / `captain reject`: the verdict of an external approval step named
/// `step` of a deployment in progress, then a pass that moves the deployment on with it
/// (the next step or the bake; or the release fails there and, with auto-rollback, is
/// rolled back).
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
    probes: &Probes,
) -> Result<VerdictView> {
    let Some(found) = store.deployment(deployment)? else {
        return Err(
            Error::not_found(format!("deployment {deployment} does not exist"))
                .with_hint("`captain status` shows the deployments in progress"),
        );
    };
    let (stage, _) = pipeline.require_environment(&found.environment)?;
    let externals: Vec<(usize, &str, &crate::config::Approvers)> = stage
        .settings
        .approvals
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.kind {
            ApprovalKind::External(rule) => Some((i, s.name.as_str(), rule)),
            _ => None,
        })
        .collect();
    let Some((index, name, rule)) = externals.iter().find(|(_, n, _)| *n == step).copied() else {
        let error = Error::not_found(format!(
            "stage {} has no external approval step `{step}`",
            stage.name
        ));
        let names: Vec<&str> = externals.iter().map(|(_, n, _)| *n).collect();
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
    let mut approved_by = if found.outcome == Outcome::InProgress {
        check_verdict(
            store, pipeline, now, probes, &found, index, name, rule, passed, actor,
        )?
    } else {
        BTreeSet::new()
    };
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
    pass::record(
        store,
        pipeline,
        now,
        probes,
        actor,
        verdict.reason.as_deref(),
        &Default::default(),
    )?;
    if passed {
        approved_by.insert(actor.to_string());
    }
    let approved_by: Vec<String> = approved_by.into_iter().collect();
    Ok(VerdictView {
        required: rule.count,
        missing: rule.count.saturating_sub(approved_by.len()),
        approved_by,
        verdict,
    })
}

/// What `captain approve` / `captain reject` recorded, and how far the step's approvals
/// are now.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct VerdictView {
    #[serde(flatten)]
    pub verdict: StepVerdict,
    /// Who approved the step so far (this approval included), in name order.
    pub approved_by: Vec<String>,
    /// How many distinct people must approve it (`approvers` in pipeline.toml).
    pub required: usize,
    /// How many approvals are still missing; 0 once it has them all.
    pub missing: usize,
}

/// The rule an approval (or a rejection) of external step `index` of `found` is checked
/// against, with the pipeline and the ledger of where the rules run: a step that has its
/// approvals already takes no more verdicts; an approval counts once per person, from
/// someone the step allows, and — unless the step allows self-approval — not from the
/// release's author nor from whoever started the deployment.
#[allow(clippy::too_many_arguments)]
fn check_verdict(
    store: &dyn Store,
    pipeline: &Pipeline,
    now: Timestamp,
    probes: &Probes,
    found: &Deployment,
    index: usize,
    name: &str,
    rule: &crate::config::Approvers,
    passed: bool,
    actor: &str,
) -> Result<BTreeSet<String>> {
    let pass = pass::look(store, pipeline, now, probes)?;
    let phase = pass
        .state
        .environments
        .get(&found.environment)
        .and_then(|e| e.active.as_ref())
        .filter(|a| a.id == found.id)
        .map(|a| a.phase);
    let past = match phase {
        Some(crate::engine::Phase::Verifying { step, .. }) => step > index,
        Some(crate::engine::Phase::Baking { .. }) => true,
        _ => false,
    };
    let key = (found.id.clone(), index);
    let approved_by = pass
        .signals
        .approvals
        .get(&key)
        .cloned()
        .unwrap_or_default();
    if past {
        let by = if approved_by.is_empty() {
            String::new()
        } else {
            format!(
                " (approved by {})",
                approved_by.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        return Err(Error::conflict(format!(
            "approval step `{name}` of {} has passed already{by}",
            found.id
        )));
    }
    if !passed {
        return Ok(approved_by);
    }
    let mut involved = vec![crate::engine::Involved {
        actor: found.actor.clone(),
        did: format!("started {}", found.id),
    }];
    if let Some(release) = store.release(found.release)? {
        involved.push(crate::engine::Involved {
            actor: release.actor.clone(),
            did: format!("created {}", release.number),
        });
    }
    crate::engine::may_approve(rule, actor, &involved, &approved_by).map_err(|refusal| {
        let message = format!("approval step `{name}` of {}: {refusal}", found.id);
        match refusal {
            crate::engine::ApprovalRefusal::AlreadyApproved { .. } => Error::conflict(message)
                .with_hint(format!(
                    "it needs {} distinct approvers; {} more to go",
                    rule.count,
                    rule.count.saturating_sub(approved_by.len())
                )),
            crate::engine::ApprovalRefusal::NoName => {
                Error::usage(message).with_hint("name the approver with --actor or CAPTAIN_ACTOR")
            }
            _ => Error::blocked(message).with_hint(if rule.allowed.is_empty() {
                "someone else must approve it".to_string()
            } else {
                format!("one of {} must approve it", rule.allowed.join(", "))
            }),
        }
    })?;
    Ok(approved_by)
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

/// What `captain retry` recorded.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RetryView {
    pub stage: String,
    pub release: ReleaseNumber,
    /// The environments it goes to again (those that have not approved it).
    pub environments: Vec<String>,
    /// What happens next in the stage, in words.
    pub next: String,
    /// The retry as recorded.
    pub record: crate::store::StageRecord,
}

/// `captain retry ENV|STAGE`: deploy the release that failed in the stage (of the
/// environment) again, for a transient cause. The store records the retry in place of
/// the failure; `captain run` then deploys it where it is missing, and `captain next`
/// hands it to an external CI — through the stage's locks, window and blocker, as any
/// promotion. `release`: which one (default: the newest release that failed there).
#[allow(clippy::too_many_arguments)]
pub fn retry(
    store: &dyn Store,
    pipeline: &Pipeline,
    target: &str,
    release: Option<ReleaseNumber>,
    actor: &str,
    reason: Option<&str>,
    now: Timestamp,
    probes: &Probes,
) -> Result<RetryView> {
    let target = crate::ops::promotions::resolve_target(pipeline, target)?;
    let stage = match pipeline.environment(&target.name) {
        Some((stage, _)) => stage,
        None => pipeline.require_stage(&target.name)?,
    };
    let release = match release {
        Some(release) => release,
        None => {
            let snapshot = store.engine_snapshot(&crate::store::StageScope::of(pipeline), now)?;
            let ledger = snapshot
                .state
                .stages
                .get(&stage.name)
                .cloned()
                .unwrap_or_default();
            ledger.failed.iter().next_back().copied().ok_or_else(|| {
                Error::blocked(format!("no release has failed in stage {}", stage.name))
                    .with_hint("`captain status` shows what each stage is doing")
            })?
        }
    };
    let record = store.retry_release(crate::store::RetryRequest {
        stage: stage.name.clone(),
        release,
        actor: actor.to_string(),
        reason: reason.map(str::to_string),
        at: now,
    })?;
    let pass = pass::record_due(store, pipeline, now, probes, actor)?;
    let outlook = pass.stage_outlook(&stage.name)?;
    let environments = match &outlook.status {
        StageStatus::Starting { environments, .. } => environments.clone(),
        _ => stage
            .environments
            .iter()
            .filter(|e| {
                pass.state
                    .environments
                    .get(&e.name)
                    .is_none_or(|l| !l.approved.contains(&release))
            })
            .map(|e| e.name.clone())
            .collect(),
    };
    Ok(RetryView {
        stage: stage.name.clone(),
        release,
        environments,
        next: describe(&outlook, &pass.outlooks, pipeline, now),
        record,
    })
}

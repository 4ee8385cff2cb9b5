//! Backend-independent rules behind `start_deployment` (a valid request, a release that
//! exists, nothing running, the promotion check — the message for a release the previous
//! stage has not approved, which lock stands in the way — and no step back to an older
//! release), `finish_deployment` (an outcome that finishes, a repeat answered as recorded)
//! and `start_rollback`'s optimistic check (the environment is as the preview saw it),
//! and behind releases: `create_release` (a commit released again with other artifacts,
//! a commit an existing release already contains, a hotfix without a reason, a missing
//! base) and an imported release (the same one again, a contradiction, a base
//! or commit count that does not fit), resolving a commit prefix, and a lock's fields.
//! Backends read the facts inside their transaction and ask this room, in that order.

use std::collections::{BTreeMap, BTreeSet};

use super::{ImportMode, RollbackTarget, ago, describe_deployment};
use crate::error::{Error, Result};
use crate::model::{
    CreatedRelease, Deployment, DeploymentId, DeploymentKind, FinishDeployment, Hotfix, Lock,
    LockTargetKind, NewDeployment, NewRelease, Outcome, Release, ReleaseNumber, Timestamp,
    short_sha,
};

/// Refuses a start whose request is incomplete: no environment, or forced without a reason.
pub fn require_valid_start(new: &NewDeployment) -> Result<()> {
    if new.environment.trim().is_empty() {
        return Err(Error::usage("the environment name is empty"));
    }
    if new.force && new.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage(format!(
            "forcing a deployment to {} needs a reason",
            new.environment
        ))
        .with_hint("add `--reason TEXT`"));
    }
    Ok(())
}

/// Refuses a start of a release that does not exist, or into an environment where a
/// deployment (`running`) is in progress.
pub fn require_startable(
    new: &NewDeployment,
    release_exists: bool,
    running: Option<&Deployment>,
) -> Result<()> {
    if !release_exists {
        return Err(
            Error::not_found(format!("release {} does not exist", new.release))
                .with_hint("list releases with `captain release list`"),
        );
    }
    if let Some(running) = running {
        return Err(Error::conflict(format!(
            "{} already has deployment {} of {} in progress",
            new.environment, running.id, running.release
        ))
        .with_hint(format!(
            "finish it first with `captain deploy finish {} --outcome …`",
            running.id
        )));
    }
    Ok(())
}

/// Whether a start is a promotion, checked against approvals, locks and the current
/// release ([`require_approved`], [`require_unlocked`], [`require_not_older`]): a normal,
/// unforced one.
pub fn is_promotion(new: &NewDeployment) -> bool {
    new.kind == DeploymentKind::Normal && !new.force
}

/// Refuses a promotion that would take an environment back from its `current` release.
pub fn require_not_older(new: &NewDeployment, current: Option<&Deployment>) -> Result<()> {
    if let Some(current) = current
        && current.release > new.release
    {
        return Err(Error::blocked(format!(
            "{} is older than {}, the current release of {}",
            new.release, current.release, new.environment
        ))
        .with_hint("deploy an older release with `--rollback`"));
    }
    Ok(())
}

/// The details of a lock's audit event: its kind and direction, and a freeze's end.
pub fn lock_details(lock: &Lock) -> serde_json::Value {
    let mut details =
        serde_json::json!({"target_kind": lock.target_kind, "direction": lock.direction});
    if let Some(until) = lock.until {
        details["until"] = serde_json::json!(until);
    }
    details
}

/// Refuses a lock without a target or without a reason, a freeze that does not hold
/// both ways or ends before it starts, and an end on any other lock.
/// What a blocker override must be (as `captain override` writes one): a target, a
/// reason, and an end after its start if it has one.
pub fn require_valid_override(record: &crate::engine::BlockerOverride) -> Result<()> {
    if record.target.trim().is_empty() {
        return Err(Error::usage("a blocker override has no target"));
    }
    if record.reason.trim().is_empty() {
        return Err(Error::usage(format!(
            "the blocker override of {} has no reason",
            record.target
        )));
    }
    if record.until.is_some_and(|until| until <= record.created_at) {
        return Err(Error::usage(format!(
            "the blocker override of {} ends before it starts",
            record.target
        )));
    }
    Ok(())
}

pub fn require_valid_lock(lock: &Lock) -> Result<()> {
    if lock.target.trim().is_empty() {
        return Err(Error::usage("the lock target is empty"));
    }
    if lock.target_kind == LockTargetKind::Freeze {
        if lock.direction != crate::model::LockDirection::Both {
            return Err(Error::usage(format!(
                "a freeze of {} holds both ways (direction `both`)",
                lock.target
            )));
        }
        if lock.reason.trim().is_empty() {
            return Err(
                Error::usage(format!("freezing {} needs a reason", lock.target))
                    .with_hint("add `--reason TEXT`: it is shown wherever a start is refused"),
            );
        }
        if lock.until.is_some_and(|until| until <= lock.created_at) {
            return Err(Error::usage(format!(
                "the freeze of {} ends before it starts",
                lock.target
            )));
        }
    } else if lock.until.is_some() {
        return Err(Error::usage(format!(
            "only a freeze has an end; the {} lock on {} has one",
            lock.target_kind.as_str(),
            lock.target
        )));
    }
    if lock.target_kind == LockTargetKind::Release {
        let release: ReleaseNumber = lock.target.parse()?;
        if lock.target != release.to_string() || lock.direction != crate::model::LockDirection::Both
        {
            return Err(Error::usage(format!(
                "a block of release {release} is written `{release}` and holds both ways (direction `both`)"
            )));
        }
        if lock.reason.trim().is_empty() {
            return Err(Error::usage(format!("blocking {release} needs a reason"))
                .with_hint("add `--reason TEXT`: it is shown wherever the release is refused"));
        }
    }
    if lock.reason.trim().is_empty() {
        return Err(Error::usage(format!(
            "disabling promotions of {} needs a reason",
            lock.target
        ))
        .with_hint("add `--reason TEXT`"));
    }
    Ok(())
}

/// Refuses `in progress` as the outcome a deployment finishes with.
pub fn require_finishing_outcome(finish: &FinishDeployment) -> Result<()> {
    if finish.outcome == Outcome::InProgress {
        return Err(Error::usage(format!("deployment {} cannot finish as `in progress`", finish.id))
            .with_hint("use approved, deploy-failed, tests-failed, alarm-fired, rolled-back, superseded or cancelled"));
    }
    Ok(())
}

/// A deployment id the ledger does not know.
pub fn unknown_deployment(id: &DeploymentId) -> Error {
    Error::not_found(format!("deployment {id} does not exist"))
}

/// Finishing a deployment that already finished (`recorded`): the same outcome again is a
/// repeat, answered with the deployment as recorded; another outcome is a conflict.
pub fn finished_already(finish: &FinishDeployment, recorded: Deployment) -> Result<Deployment> {
    if recorded.outcome == finish.outcome {
        return Ok(recorded);
    }
    Err(Error::conflict(format!(
        "deployment {} already finished as {}; it cannot become {}",
        finish.id, recorded.outcome, finish.outcome
    )))
}

/// Refuses a promotion the previous stage has not approved: `missing` are its
/// environments without an approved deployment of the release.
pub fn require_approved(new: &NewDeployment, missing: &[&str]) -> Result<()> {
    let Some(check) = &new.promotion_check else {
        return Ok(());
    };
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::blocked(format!(
        "{} has not been approved by stage {}: {} {} not approved it",
        new.release,
        check.previous_stage,
        missing.join(", "),
        if missing.len() == 1 { "has" } else { "have" }
    ))
    .with_hint("deploy it there first, or override with `--force --reason TEXT`"))
}

/// Refuses a deployment that a lock forbids: promotions into its environment or stage, or
/// out of the previous stage or one of its environments.
pub fn require_unlocked(new: &NewDeployment, locks: &[Lock]) -> Result<()> {
    for lock in locks {
        if lock.is_on_release(new.release) {
            return Err(Error::blocked(format!(
                "{} is blocked by {}: {}",
                new.release, lock.actor, lock.reason
            ))
            .with_hint(format!(
                "nothing gets past a block; lift it with `captain release unblock {} --reason TEXT`",
                new.release
            )));
        }
        let into = lock.direction.blocks_in()
            && match lock.target_kind {
                LockTargetKind::Environment => lock.target == new.environment,
                LockTargetKind::Stage => lock.target == new.stage,
                LockTargetKind::Release | LockTargetKind::Freeze => false,
            };
        let out_of = lock.direction.blocks_out()
            && new
                .promotion_check
                .as_ref()
                .is_some_and(|check| match lock.target_kind {
                    LockTargetKind::Stage => lock.target == check.previous_stage,
                    LockTargetKind::Environment => {
                        check.previous_environments.contains(&lock.target)
                    }
                    LockTargetKind::Release | LockTargetKind::Freeze => false,
                });
        if into || out_of {
            let way = if into { "into" } else { "out of" };
            let kind = lock.target_kind.as_str();
            return Err(Error::blocked(format!(
                "promotions {way} {kind} {} are disabled by {}: {}",
                lock.target, lock.actor, lock.reason
            ))
            .with_hint(format!(
                "enable them with `captain promotions enable {}`, or override with `--force --reason TEXT`",
                lock.target
            )));
        }
    }
    Ok(())
}

/// A rollback's environment is as its preview saw it (the same deployment in progress and
/// the same current deployment); otherwise a conflict naming the change that came first.
/// `find` looks up the deployment the preview expected in progress, once it is gone.
pub fn require_unchanged<E: From<Error>>(
    target: &RollbackTarget,
    current: Option<&Deployment>,
    running: Option<&Deployment>,
    at: Timestamp,
    find: impl FnOnce(&DeploymentId) -> std::result::Result<Option<Deployment>, E>,
) -> std::result::Result<(), E> {
    let environment = &target.environment;
    let changed = |what: String| -> E {
        Error::conflict(format!(
            "{environment} changed after the rollback preview was made: {what} first"
        ))
        .with_hint("look again with `captain status`, and roll back again if it is still needed")
        .into()
    };
    if running.map(|d| &d.id) != target.expected_in_progress.as_ref() {
        if let Some(running) = running {
            return Err(changed(format!(
                "{} ({}, {}) started",
                running.id,
                describe_deployment(running),
                ago(running.started_at, at)
            )));
        }
        if let Some(id) = &target.expected_in_progress
            && let Some(gone) = find(id)?
        {
            return Err(changed(format!(
                "{} ({}) finished as {} {}",
                gone.id,
                describe_deployment(&gone),
                gone.outcome,
                ago(gone.finished_at.unwrap_or(gone.started_at), at)
            )));
        }
        return Err(changed(format!(
            "the deployment in progress there changed (expected {})",
            target
                .expected_in_progress
                .as_ref()
                .map_or_else(|| "none".to_string(), ToString::to_string)
        )));
    }
    if current.map(|d| &d.id) != target.expected_current.as_ref() {
        return Err(match current {
            Some(current) => changed(format!(
                "{} ({}) finished as {} {}",
                current.id,
                describe_deployment(current),
                current.outcome,
                ago(current.finished_at.unwrap_or(current.started_at), at)
            )),
            None => changed("its current release was removed".to_string()),
        });
    }
    Ok(())
}

/// A second rollback while one runs in the environment is refused, naming the first.
pub fn refuse_second_rollback(environment: &str, running: &Deployment, at: Timestamp) -> Error {
    Error::conflict(format!(
        "{environment} is already being rolled back: {} ({}, {}) started first",
        running.id,
        describe_deployment(running),
        ago(running.started_at, at)
    ))
    .with_hint(format!(
        "wait for it, or finish it with `captain deploy finish {} --outcome …` before rolling back again",
        running.id
    ))
}

// ---- releases ----------------------------------------------------------------------

/// A new release of a commit the ledger has released already (`existing`): answered
/// with that release when the artifacts are the same, refused when they differ.
pub fn release_again(existing: Release, new: &NewRelease, commit: &str) -> Result<CreatedRelease> {
    if existing.artifacts == new.artifacts {
        return Ok(CreatedRelease {
            release: existing,
            created: false,
        });
    }
    Err(Error::conflict(format!(
        "release {} of commit {} already has artifacts {}; refusing to change them to {}",
        existing.number,
        short(commit),
        describe_artifacts(&existing.artifacts),
        describe_artifacts(&new.artifacts)
    ))
    .with_hint("artifacts of a release never change; release a new commit to ship new artifacts"))
}

/// A new release of `commit`, which the existing release `containing` already contains
/// (the ledger lists the commit among those a release introduced): releases only move
/// forward. A conflict, not a usage error: the request contradicts what the ledger
/// holds, like new artifacts for a released commit, and no flag overrides it.
pub fn contained_already(commit: &str, containing: ReleaseNumber) -> Error {
    Error::conflict(format!(
        "commit {} is already contained in release {containing}; releases only move forward",
        short(commit)
    ))
    .with_hint("release a newer commit; to put an older release back, use `captain rollback`")
}

/// The hotfix reason of a new or imported release of `commit`, trimmed; an empty one is
/// refused (a hotfix is recorded with why it was needed).
pub fn hotfix_reason(reason: Option<&str>, commit: &str) -> Result<Option<String>> {
    match reason.map(str::trim) {
        None => Ok(None),
        Some("") => Err(Error::usage(format!(
            "the hotfix release of commit {} needs a reason",
            short(commit)
        ))
        .with_hint("add `--reason TEXT` saying why it cannot wait for the trunk")),
        Some(reason) => Ok(Some(reason.to_string())),
    }
}

/// The hotfix a release of `commit` by `actor` records, for a new or imported one: its
/// reason ([`hotfix_reason`]), given by whoever made the release.
pub fn hotfix(reason: Option<&str>, actor: &str, commit: &str) -> Result<Option<Hotfix>> {
    Ok(hotfix_reason(reason, commit)?.map(|reason| Hotfix {
        reason,
        actor: actor.to_string(),
    }))
}

/// A new release of `commit` naming a base release the ledger does not have.
pub fn missing_base(base: ReleaseNumber, commit: &str) -> Error {
    Error::not_found(format!(
        "base release {base} of commit {} does not exist",
        short(commit)
    ))
}

/// An imported release whose number the ledger has (`existing`): the same release (same
/// commit and artifacts) in a merge is fine (skipped), anything else is refused.
pub fn imported_release_known(
    release: &Release,
    commit: &str,
    existing: &Release,
    mode: ImportMode,
) -> Result<()> {
    if mode == ImportMode::Merge
        && existing.commit == commit
        && existing.artifacts == release.artifacts
    {
        return Ok(());
    }
    Err(Error::conflict(format!(
        "release {} (commit {}) contradicts release {} (commit {}) already in the ledger",
        release.number,
        short(commit),
        existing.number,
        short(&existing.commit)
    )))
}

/// An imported release of a commit that another release of the ledger (`existing`) has.
pub fn commit_released_already(release: &Release, commit: &str, existing: &Release) -> Error {
    Error::conflict(format!(
        "release {} is of commit {}, which release {} already has",
        release.number,
        short(commit),
        existing.number
    ))
}

/// Refuses an imported release whose base is not an earlier release of the ledger
/// (`base_found`: the ledger has it) or whose commit count does not match its commits.
pub fn require_sound_imported_release(
    release: &Release,
    commits: usize,
    base_found: bool,
) -> Result<()> {
    if let Some(base) = release.base
        && (base >= release.number || !base_found)
    {
        return Err(Error::not_found(format!(
            "release {} names base {}, which is not an earlier release in the ledger",
            release.number, base
        )));
    }
    if release.commit_count != commits as u64 {
        return Err(Error::usage(format!(
            "release {} says it introduced {} commits but lists {}",
            release.number, release.commit_count, commits
        )));
    }
    Ok(())
}

fn short(sha: &str) -> &str {
    short_sha(sha, 12)
}

fn describe_artifacts(artifacts: &BTreeMap<String, String>) -> String {
    if artifacts.is_empty() {
        return "(none)".into();
    }
    artifacts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- commits -----------------------------------------------------------------------

/// The shas a commit `text` (a full sha or a prefix of at least 4 hex digits) may name:
/// those from the first of the two returned up to but not including the second. Hex
/// digits sort below 'g' (the stores compare bytes), so [p, p || 'g') holds exactly the
/// shas starting with p.
pub fn commit_prefix_range(text: &str) -> Result<(String, String)> {
    let prefix = text.trim().to_ascii_lowercase();
    if prefix.len() < 4 || prefix.len() > 64 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(
            Error::usage(format!("`{text}` is not a commit sha or a prefix of one"))
                .with_hint("give at least 4 hex digits of a recorded commit"),
        );
    }
    let upper = format!("{prefix}g");
    Ok((prefix, upper))
}

/// The one recorded commit `text` names, from the shas in its range (a few are enough):
/// refused when there is none or more than one.
pub fn one_commit(text: &str, matches: BTreeSet<String>) -> Result<String> {
    let mut found = matches.into_iter();
    match (found.next(), found.next()) {
        (None, _) => Err(Error::not_found(format!(
            "commit `{text}` is not in any recorded release"
        ))
        .with_hint(
            "captain knows the commits of recorded releases; create a release that contains it",
        )),
        (Some(only), None) => Ok(only),
        (Some(a), Some(b)) => Err(Error::usage(format!(
            "commit prefix `{text}` is ambiguous: it matches {a}, {b}{}",
            if found.next().is_some() {
                " and more"
            } else {
                ""
            }
        ))
        .with_hint("give more digits")),
    }
}

/// Refuses a retry (`captain retry`) of a release that did not fail in the stage, or
/// that the stage has moved past: `recorded` is the stage's record of the release,
/// `newer` a newer release the stage took, `failed_deployment` whether a normal
/// deployment of it ended unapproved there (how a failure recorded by a CI shows).
/// `Ok(true)`: retried already, nothing to do.
pub fn require_retryable(
    retry: &super::run_records::RetryRequest,
    recorded: Option<super::StageRecordKind>,
    newer: Option<ReleaseNumber>,
    failed_deployment: bool,
) -> Result<bool> {
    use super::StageRecordKind::*;
    let (stage, release) = (&retry.stage, retry.release);
    if retry.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage(format!(
            "retrying {release} in stage {stage} needs a reason"
        ))
        .with_hint("add `--reason TEXT` saying what the transient cause was"));
    }
    if let Some(newer) = newer {
        return Err(Error::blocked(format!(
            "stage {stage} has taken {newer} since {release} failed there, so {release} is not retried"
        ))
        .with_hint("a retry is for the newest release a stage took"));
    }
    match recorded {
        Some(Retried) => Ok(true),
        Some(Failed) => Ok(false),
        None if failed_deployment => Ok(false),
        Some(Approved) => Err(Error::blocked(format!(
            "{release} is approved in stage {stage}: there is nothing to retry"
        ))),
        Some(Superseded) => Err(Error::blocked(format!(
            "{release} was superseded in front of stage {stage} and never deployed there"
        ))),
        None => Err(
            Error::blocked(format!("{release} has not failed in stage {stage}"))
                .with_hint("`captain history ENV` shows how its deployments ended"),
        ),
    }
}

/// The largest pipeline.toml a ledger registers (the articles' pipeline of 160
/// environments is 4 KiB written with waves; one written out stage by stage stays far
/// below this).
pub const PIPELINE_DEFINITION_LIMIT: usize = 4 << 20;

/// Refuses a push without a definition or an actor, or one too large. `Ok(true)`: the
/// definition is the `newest` registered one, so nothing is registered again.
pub fn require_valid_push(
    push: &crate::model::NewPipelineVersion,
    newest: Option<&crate::model::PipelineVersion>,
) -> Result<bool> {
    if push.definition.trim().is_empty() {
        return Err(Error::usage("the pipeline definition is empty"));
    }
    if push.definition.len() > PIPELINE_DEFINITION_LIMIT {
        return Err(Error::usage(format!(
            "the pipeline definition is {} bytes, more than the {} a ledger registers",
            push.definition.len(),
            PIPELINE_DEFINITION_LIMIT
        )));
    }
    if push.actor.trim().is_empty() {
        return Err(Error::usage("a pipeline push needs an actor"));
    }
    Ok(newest.is_some_and(|n| n.definition == push.definition))
}

//! Disabling and enabling promotions into and out of stages and environments (locks).
//!
//! This room turns what a person names (environments, stages, waves: see
//! [`Pipeline::targets`]) into lock targets and hands the changes to the store, which
//! checks and records each (every change is an audit event). Whether a lock stops a
//! deployment is decided by the store when the deployment starts.

use crate::config::{Pipeline, Target, TargetKind};
use crate::error::{Error, Result, suggestion_hint};
use crate::model::*;
use crate::store::{Store, Unlock};

/// One stage or environment to act on (a blocker override's target). A name that is both
/// a stage and an environment (a stage with one environment of the same name) is taken as
/// the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockTarget {
    pub kind: LockTargetKind,
    pub name: String,
    /// Also a stage of that name.
    pub also_stage: bool,
}

/// Resolves one name to an environment or a stage of the pipeline, else `not found` with a
/// did-you-mean over both.
pub fn resolve_target(pipeline: &Pipeline, name: &str) -> Result<LockTarget> {
    let is_stage = pipeline.stage(name).is_some();
    if pipeline.environment(name).is_some() {
        return Ok(LockTarget {
            kind: LockTargetKind::Environment,
            name: name.to_string(),
            also_stage: is_stage,
        });
    }
    if is_stage {
        return Ok(LockTarget {
            kind: LockTargetKind::Stage,
            name: name.to_string(),
            also_stage: false,
        });
    }
    let stages = pipeline.stage_names();
    let environments = pipeline.environment_names();
    let error = Error::not_found(format!(
        "`{name}` is neither a stage nor an environment of pipeline `{}`",
        pipeline.name
    ));
    let names = stages.iter().chain(environments.iter()).map(String::as_str);
    Err(match suggestion_hint(name, names) {
        Some(hint) => error.with_hint(hint),
        None => error.with_hint("`captain plan` lists the stages and environments"),
    })
}

/// Whether `lock` names what `pipeline` has: a stage lock a stage, an environment lock an
/// environment, a freeze the pipeline (`*`), a stage, an environment or a wave. A team
/// server asks this of every lock a client sends, so a raw request (or a client whose
/// pipeline.toml is older than the server's) cannot set a lock or a freeze that holds
/// nothing while its author believes it holds. A release block's release is the
/// store's to check.
pub fn check_lock_target(pipeline: &Pipeline, lock: &Lock) -> Result<()> {
    match lock.target_kind {
        LockTargetKind::Stage => {
            if pipeline.stage(&lock.target).is_some() {
                return Ok(());
            }
            let error = Error::not_found(format!(
                "`{}` is no stage of pipeline `{}`",
                lock.target, pipeline.name
            ));
            let stages = pipeline.stage_names();
            Err(
                match suggestion_hint(&lock.target, stages.iter().map(String::as_str)) {
                    Some(hint) => error.with_hint(hint),
                    None => error.with_hint("`captain plan` lists the stages"),
                },
            )
        }
        LockTargetKind::Environment => {
            if pipeline.environment(&lock.target).is_some() {
                return Ok(());
            }
            let error = Error::not_found(format!(
                "`{}` is no environment of pipeline `{}`",
                lock.target, pipeline.name
            ));
            let environments = pipeline.environment_names();
            Err(
                match suggestion_hint(&lock.target, environments.iter().map(String::as_str)) {
                    Some(hint) => error.with_hint(hint),
                    None => error.with_hint("`captain plan` lists the environments"),
                },
            )
        }
        LockTargetKind::Freeze => {
            let resolved = super::freeze::resolve_target(pipeline, Some(&lock.target))?;
            if resolved == lock.target {
                Ok(())
            } else {
                Err(Error::usage(format!(
                    "a freeze of the whole pipeline `{}` has the target `{resolved}`, not `{}`",
                    pipeline.name, lock.target
                )))
            }
        }
        LockTargetKind::Release => Ok(()),
    }
}

/// The locks a disable of `target` sets: an environment's own, a stage's, a wave's
/// stages' (each stage's lock covers its environments).
fn locked_by(target: &Target) -> Vec<(LockTargetKind, String)> {
    match target.kind {
        TargetKind::Environment => target
            .environments
            .iter()
            .map(|e| (LockTargetKind::Environment, e.clone()))
            .collect(),
        TargetKind::Stage | TargetKind::Wave => target
            .stages
            .iter()
            .map(|s| (LockTargetKind::Stage, s.clone()))
            .collect(),
    }
}

/// The locks an enable of `target` lifts: those a disable of it sets, and for a stage or
/// a wave also those on their environments (the ones `captain rollback` sets). An
/// environment whose name is a stage's too is enabled as both: the environment, and the
/// stage with its environments.
fn covered_by(pipeline: &Pipeline, target: &Target) -> Vec<(LockTargetKind, String)> {
    let mut places: Vec<(LockTargetKind, String)> = Vec::new();
    if target.kind == TargetKind::Environment {
        places.extend(
            target
                .environments
                .iter()
                .map(|e| (LockTargetKind::Environment, e.clone())),
        );
        if target.also_stage
            && let Some(stage) = pipeline.stage_target(&target.name)
        {
            places.extend(covered_by(pipeline, &stage));
        }
        return places;
    }
    places.extend(
        target
            .stages
            .iter()
            .map(|s| (LockTargetKind::Stage, s.clone())),
    );
    places.extend(
        target
            .environments
            .iter()
            .map(|e| (LockTargetKind::Environment, e.clone())),
    );
    places
}

/// Each of `targets`' lock targets once, in order.
fn each_once(
    targets: &[Target],
    of: impl Fn(&Target) -> Vec<(LockTargetKind, String)>,
) -> Vec<(LockTargetKind, String)> {
    let mut seen = std::collections::HashSet::new();
    targets
        .iter()
        .flat_map(of)
        .filter(|place| seen.insert(place.clone()))
        .collect()
}

/// Disables promotions into and/or out of each target (see [`locked_by`]). A reason is
/// required. Returns the locks set, in the order of the targets.
pub fn disable(
    store: &dyn Store,
    targets: &[Target],
    direction: LockDirection,
    actor: String,
    reason: &str,
    now: Timestamp,
) -> Result<Vec<Lock>> {
    let reason = reason.trim();
    if reason.is_empty() {
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        return Err(Error::usage(format!(
            "disabling promotions of {} needs a reason",
            names.join(", ")
        ))
        .with_hint(
            "add `--reason TEXT`: it is shown by `captain promotions list` and kept in the audit log",
        ));
    }
    let mut set = Vec::new();
    for (target_kind, target) in each_once(targets, locked_by) {
        let lock = Lock {
            target_kind,
            target,
            direction,
            actor: actor.clone(),
            reason: reason.to_string(),
            created_at: now,
            until: None,
        };
        store.set_lock(lock.clone())?;
        set.push(lock);
    }
    Ok(set)
}

/// What [`enable`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Enabled {
    /// The locks lifted, as they were, each with `direction` the part lifted.
    pub lifted: Vec<Lock>,
    /// Locks still on what the targets cover afterwards: the other half of a lock when
    /// one direction was asked, or one set meanwhile.
    pub remaining: Vec<Lock>,
}

impl Enabled {
    /// The refusal to report when locks remain (exit 3): which, and how to lift them.
    pub fn still_locked(&self, targets: &[Target], now: Timestamp) -> Option<Error> {
        if self.remaining.is_empty() {
            return None;
        }
        let each: Vec<String> = self
            .remaining
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} (by {}, {})",
                    l.direction.words(),
                    l.target_kind.as_str(),
                    l.target,
                    l.actor,
                    crate::store::ago(l.created_at, now)
                )
            })
            .collect();
        let ins = self.remaining.iter().any(|l| l.direction.blocks_in());
        let outs = self.remaining.iter().any(|l| l.direction.blocks_out());
        let flag = match (ins, outs) {
            (true, false) => " --direction in",
            (false, true) => " --direction out",
            _ => "",
        };
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        Some(
            Error::blocked(format!(
                "promotions are still disabled: {}",
                each.join(", ")
            ))
            .with_hint(format!(
                "lift them with `captain promotions enable {}{flag}`; `captain promotions list` shows why they were set",
                names.join(" ")
            )),
        )
    }
}

/// Enables promotions again in `direction` on each target (see [`covered_by`]); enabling
/// what is not disabled is not an error, so runbooks can repeat it. Reports what was
/// lifted and what is still locked there afterwards.
pub fn enable(
    store: &dyn Store,
    pipeline: &Pipeline,
    targets: &[Target],
    direction: LockDirection,
    actor: String,
    reason: Option<String>,
    now: Timestamp,
) -> Result<Enabled> {
    let covered = each_once(targets, |t| covered_by(pipeline, t));
    let on = |lock: &Lock, (kind, name): &(LockTargetKind, String)| {
        lock.target_kind == *kind && &lock.target == name
    };
    let before = store.locks()?;
    let mut lifted = Vec::new();
    for place in &covered {
        let parts: Vec<Lock> = before
            .iter()
            .filter(|l| on(l, place))
            .filter_map(|l| {
                l.direction.lifted_part(direction).map(|part| Lock {
                    direction: part,
                    ..l.clone()
                })
            })
            .collect();
        if parts.is_empty() {
            continue;
        }
        let done = store.remove_lock(Unlock {
            target_kind: place.0,
            target: place.1.clone(),
            direction,
            actor: actor.clone(),
            reason: reason.clone(),
            at: now,
        })?;
        if done {
            lifted.extend(parts);
        }
    }
    let remaining = store
        .locks()?
        .into_iter()
        .filter(|l| covered.iter().any(|place| on(l, place)))
        .collect();
    Ok(Enabled { lifted, remaining })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failing test should panic with the error it got

    use std::path::Path;

    use super::*;
    use crate::ErrorKind;
    use crate::store::sqlite::SqliteStore;

    const PIPELINE: &str = r#"
name = "app"

[[stages]]
name = "beta"
environments = ["beta"]

[[waves]]
name = "wave-1"
stages = [
  { name = "prod-1", environments = ["prod-1", "prod-1b"] },
  { name = "prod-2", environments = ["prod-2a"] },
]
"#;

    struct Fixture {
        _dir: tempfile::TempDir,
        store: SqliteStore,
        pipeline: Pipeline,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("state.sqlite"), "app").unwrap();
        let pipeline = crate::config::validate_text(PIPELINE, Path::new("pipeline.toml")).unwrap();
        Fixture {
            _dir: dir,
            store,
            pipeline,
        }
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    impl Fixture {
        fn targets(&self, names: &[&str]) -> Vec<Target> {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            self.pipeline.targets(&names).unwrap()
        }

        /// A lock in both directions on an environment, as a rollback sets it.
        fn rolled_back(&self, environment: &str) {
            self.store
                .set_lock(Lock {
                    target_kind: LockTargetKind::Environment,
                    target: environment.into(),
                    direction: LockDirection::Both,
                    actor: "alice".into(),
                    reason: "rollback to v1: 5xx".into(),
                    created_at: at(0),
                    until: None,
                })
                .unwrap();
        }

        fn enable(&self, names: &[&str], direction: LockDirection) -> Enabled {
            enable(
                &self.store,
                &self.pipeline,
                &self.targets(names),
                direction,
                "bob".into(),
                None,
                at(60),
            )
            .unwrap()
        }

        fn locks(&self) -> Vec<(LockTargetKind, String, LockDirection)> {
            self.store
                .locks()
                .unwrap()
                .into_iter()
                .map(|l| (l.target_kind, l.target, l.direction))
                .collect()
        }
    }

    #[test]
    fn a_wave_locks_its_stages_and_an_environment_its_own() {
        let f = fixture();
        let set = disable(
            &f.store,
            &f.targets(&["wave-1", "beta", "prod-2"]),
            LockDirection::In,
            "alice".into(),
            " freeze ",
            at(0),
        )
        .unwrap();
        let set: Vec<(LockTargetKind, &str)> = set
            .iter()
            .map(|l| (l.target_kind, l.target.as_str()))
            .collect();
        // prod-2 came with the wave already: once.
        assert_eq!(
            set,
            [
                (LockTargetKind::Stage, "prod-1"),
                (LockTargetKind::Stage, "prod-2"),
                (LockTargetKind::Environment, "beta"),
            ]
        );
        let error = disable(
            &f.store,
            &f.targets(&["beta"]),
            LockDirection::Both,
            "alice".into(),
            "  ",
            at(0),
        )
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Usage);
    }

    #[test]
    fn enabling_a_stage_lifts_the_locks_a_rollback_set_on_its_environments() {
        let f = fixture();
        f.rolled_back("prod-1");
        f.rolled_back("prod-1b");
        f.rolled_back("prod-2a");
        // prod-1 is the stage's name and one of its environments': enabled as both.
        let enabled = f.enable(&["prod-1"], LockDirection::Both);
        let lifted: Vec<&str> = enabled.lifted.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(lifted, ["prod-1", "prod-1b"]);
        assert!(enabled.remaining.is_empty());
        assert!(
            enabled
                .still_locked(&f.targets(&["prod-1"]), at(60))
                .is_none()
        );
        // The next stage's lock is not the stage's business.
        assert_eq!(
            f.locks(),
            [(
                LockTargetKind::Environment,
                "prod-2a".into(),
                LockDirection::Both
            )]
        );
    }

    #[test]
    fn one_direction_leaves_the_other_and_says_so() {
        let f = fixture();
        f.rolled_back("prod-1b");
        let enabled = f.enable(&["wave-1"], LockDirection::In);
        assert_eq!(enabled.lifted.len(), 1);
        assert_eq!(enabled.lifted[0].direction, LockDirection::In);
        assert_eq!(enabled.remaining.len(), 1);
        assert_eq!(enabled.remaining[0].direction, LockDirection::Out);
        let error = enabled
            .still_locked(&f.targets(&["wave-1"]), at(60))
            .unwrap();
        assert_eq!(error.kind, ErrorKind::Blocked);
        assert!(
            error
                .message
                .contains("out of environment prod-1b (by alice, 1m ago)"),
            "{}",
            error.message
        );
        assert!(
            error
                .hint
                .unwrap()
                .contains("`captain promotions enable wave-1 --direction out`")
        );
        // Again: nothing more to lift in, still the lock out.
        let again = f.enable(&["wave-1"], LockDirection::In);
        assert!(again.lifted.is_empty());
        assert_eq!(again.remaining.len(), 1);
        let done = f.enable(&["wave-1"], LockDirection::Out);
        assert_eq!(done.lifted.len(), 1);
        assert!(done.remaining.is_empty());
        assert!(f.locks().is_empty());
    }
}

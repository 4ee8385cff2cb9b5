//! A blocked release (`captain release block`) as the engine decides it: never promoted
//! or deployed anywhere again — not by the loop, not by an external CI's `deploy start`,
//! not by `--force`, not as a rollback target — a promotion of it waiting in front of a
//! stage is dropped for the newest release that is not blocked, and lifting the block
//! lets it move again. The harness also checks, before every decision it applies, that
//! no blocked release is deployed.

use crate::model::{DeploymentKind, LockTargetKind, Outcome};

use super::harness::*;
use super::*;

const THREE_STAGES: &str = r#"
name = "blocks"
[[stages]]
name = "beta"
environments = ["beta"]
[[stages]]
name = "gamma"
environments = ["gamma-1", "gamma-2"]
[[stages]]
name = "prod"
environments = ["prod-1"]
"#;

fn blocked_status(outlook: &StageOutlook) -> Option<ReleaseNumber> {
    match &outlook.status {
        StageStatus::Locked { release, lock } if lock.target_kind == LockTargetKind::Release => {
            Some(*release)
        }
        _ => None,
    }
}

#[test]
fn a_blocked_release_waiting_in_front_of_a_stage_is_dropped_and_a_newer_one_passes() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.run_while_not(mins(60), |h| h.env("beta").active.is_some());
    // Blocked while beta deploys it: beta's deployment finishes, and v2 goes no further.
    h.block(2, "breaks checkout");
    h.run_for(mins(120));
    assert!(h.starts("gamma-1").iter().all(|(_, r)| *r != v(2)));
    assert!(h.starts("prod-1").iter().all(|(_, r)| *r != v(2)));
    let gamma = h.outlook("gamma");
    assert_eq!(gamma.waiting, None, "a blocked release does not wait");
    assert_eq!(blocked_status(gamma), Some(v(2)), "{gamma:?}");

    // A newer release is not held by the block, and goes everywhere.
    h.release(3);
    h.run_for(mins(180));
    for env in ["beta", "gamma-1", "gamma-2", "prod-1"] {
        assert_eq!(h.current(env), Some(v(3)), "{env}");
    }
}

#[test]
fn an_older_release_waits_in_place_of_a_newer_blocked_one() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.release(3);
    h.block(3, "leaks memory");
    h.run_for(mins(180));
    // v3 is never deployed; v2 is not superseded by it and goes everywhere.
    for env in ["beta", "gamma-1", "gamma-2", "prod-1"] {
        assert_eq!(h.current(env), Some(v(2)), "{env}");
        assert!(h.starts(env).iter().all(|(_, r)| *r != v(3)), "{env}");
    }
    assert!(h.superseded("beta").is_empty());

    // Lifted, v3 moves on.
    h.unblock(3);
    h.run_for(mins(180));
    assert_eq!(h.current("prod-1"), Some(v(3)));
}

#[test]
fn a_block_stops_a_stage_midway_and_nothing_forces_past_it() {
    let pipeline = pipeline(THREE_STAGES);
    let now = ts("2026-03-02T09:00:00Z");
    // gamma works on v2: gamma-1 approved it, gamma-2 still has v1.
    let mut state = EngineState {
        releases: vec![v(1), v(2)],
        ..EngineState::default()
    };
    state
        .stages
        .entry("beta".into())
        .or_default()
        .approved
        .extend([v(1), v(2)]);
    state.stages.entry("gamma".into()).or_default().working = Some(v(2));
    state
        .stages
        .entry("prod".into())
        .or_default()
        .approved
        .insert(v(1));
    state
        .stages
        .entry("gamma".into())
        .or_default()
        .approved
        .insert(v(1));
    for (env, releases) in [
        ("beta", vec![1, 2]),
        ("gamma-1", vec![1, 2]),
        ("gamma-2", vec![1]),
        ("prod-1", vec![1]),
    ] {
        let ledger = state.environments.entry(env.into()).or_default();
        ledger.approved.extend(releases.iter().map(|n| v(*n)));
        ledger.current = releases.last().map(|n| v(*n));
    }
    let signals = Signals::default();
    // Before the block, the loop deploys v2 to gamma-2 and an external CI may.
    let before = decide(&state, &pipeline, now, &signals);
    assert!(before.decisions.iter().any(|d| matches!(
        d,
        Decision::StartDeployment { environment, release, .. } if environment == "gamma-2" && *release == v(2)
    )));
    assert_eq!(
        start_check(&state, &pipeline, now, &signals, "gamma-2", v(2)).expect("check"),
        Ok(None)
    );

    state.locks.push(crate::model::Lock::release_block(
        v(2),
        "oncall".into(),
        "breaks checkout".into(),
        now,
    ));
    let after = decide(&state, &pipeline, now, &signals);
    assert!(
        !after
            .decisions
            .iter()
            .any(|d| matches!(d, Decision::StartDeployment { .. })),
        "{:?}",
        after.decisions
    );
    assert_eq!(blocked_status(&after.outlooks[1]), Some(v(2)));
    for (env, release) in [("gamma-2", v(2)), ("prod-1", v(2)), ("beta", v(2))] {
        match start_check(&state, &pipeline, now, &signals, env, release).expect("check") {
            Err(StartRefusal::ReleaseBlocked { release: r, lock }) => {
                assert_eq!(r, release);
                assert_eq!(lock.reason, "breaks checkout");
            }
            other => panic!("{env}: {other:?}"),
        }
    }
}

#[test]
fn an_automatic_rollback_passes_over_a_blocked_release() {
    let text = r#"
name = "rollback"
[[stages]]
name = "prod"
environments = ["prod-1"]
auto_rollback = true
"#;
    let mut h = Harness::new(text, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1, 2]);
    h.block(2, "corrupts data");
    h.release(3);
    h.fail_deploy.insert(("prod-1".into(), v(3)));
    h.run_for(mins(60));
    assert_eq!(h.rollbacks("prod-1").last().map(|(_, r)| *r), Some(v(1)));
    assert_eq!(h.current("prod-1"), Some(v(1)));
    assert!(
        h.outcomes("prod-1")
            .iter()
            .any(|(r, o)| *r == v(3) && *o != Outcome::Approved)
    );
    let _ = DeploymentKind::Rollback;
}

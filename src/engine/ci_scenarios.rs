//! The engine's rules for deployments an external CI runs, as pure tests: a reported
//! `approved` goes through the stage's bake like a deploy of the loop's, a reported
//! failure fails the release, a stage an external CI deploys environment by environment
//! waits for the ones still missing, deployments another loop drives are left alone,
//! a retry deploys a failed release again, and `start_check` answers `deploy start`
//! with the rule of a pass.

use std::collections::BTreeMap;

use crate::model::{DeploymentId, DeploymentKind, Outcome};

use super::harness::*;
use super::*;

const CI_PIPELINE: &str = r#"
name = "ci"
[[stages]]
name = "beta"
environments = ["beta"]
[[stages]]
name = "gamma"
environments = ["gamma-1", "gamma-2"]
bake_time = "1h"
min_data_points = { url = "http://prometheus", query = "requests", count = 100 }
rollback_alarm = 'ALARM("Errors")'
auto_rollback = true
approvals = [
  { kind = "command", name = "tests", argv = ["./tests.sh"] },
  { kind = "external", name = "sign-off" },
]
[[stages]]
name = "prod"
environments = ["prod-1"]

[alarms.Errors]
kind = "command"
argv = ["./errors.sh"]
"#;

fn at(minutes: i64) -> Timestamp {
    ts("2026-03-02T09:00:00Z")
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .expect("time")
}

fn id(n: u32) -> DeploymentId {
    DeploymentId(format!("deploy-{n:06x}"))
}

/// v1 approved by beta, in progress in both gamma environments at `phase`.
fn gamma_in_progress(phase: Phase) -> EngineState {
    let mut state = EngineState {
        releases: vec![v(1)],
        ..EngineState::default()
    };
    let beta = state.stages.entry("beta".into()).or_default();
    beta.approved.insert(v(1));
    state
        .environments
        .entry("beta".into())
        .or_default()
        .approved
        .insert(v(1));
    state.stages.entry("gamma".into()).or_default().working = Some(v(1));
    for (n, env) in ["gamma-1", "gamma-2"].iter().enumerate() {
        state
            .environments
            .entry(env.to_string())
            .or_default()
            .active = Some(ActiveDeployment {
            id: id(n as u32 + 1),
            release: v(1),
            kind: DeploymentKind::Normal,
            started_at: at(0),
            phase,
        });
    }
    state
}

fn ok_alarms() -> BTreeMap<String, AlarmState> {
    BTreeMap::from([("Errors".to_string(), AlarmState::Ok)])
}

fn settle_ci(
    state: &mut EngineState,
    pipeline: &Pipeline,
    now: Timestamp,
    signals: &Signals,
) -> Vec<Decision> {
    let mut n = 100;
    settle_where(
        state,
        pipeline,
        now,
        signals,
        &mut || {
            n += 1;
            id(n)
        },
        &|d| {
            !matches!(
                d,
                Decision::StartDeployment {
                    kind: DeploymentKind::Normal,
                    ..
                }
            )
        },
    )
}

#[test]
fn a_reported_approval_waits_for_the_external_step_then_bakes() {
    let pipeline = pipeline(CI_PIPELINE);
    let mut state = gamma_in_progress(Phase::Deploying);
    let mut signals = Signals {
        alarms: ok_alarms(),
        reported: BTreeMap::from([(id(1), Outcome::Approved), (id(2), Outcome::Approved)]),
        ..Signals::default()
    };
    settle_ci(&mut state, &pipeline, at(5), &signals);
    // The CI ran the tests; the sign-off is a person's and still waits.
    for env in ["gamma-1", "gamma-2"] {
        let active = state.environments[env]
            .active
            .as_ref()
            .expect("in progress");
        assert_eq!(
            active.phase,
            Phase::Verifying {
                step: 1,
                started: true
            }
        );
    }
    // The sign-off passes for both: they bake from then on.
    signals.reported.clear();
    signals.step_results.insert((id(1), 1), StepResult::Passed);
    signals.step_results.insert((id(2), 1), StepResult::Passed);
    settle_ci(&mut state, &pipeline, at(10), &signals);
    let active = state.environments["gamma-1"]
        .active
        .as_ref()
        .expect("baking");
    assert_eq!(active.phase, Phase::Baking { since: at(10) });

    // An hour later with 12 data points: still baking, and it says so.
    signals.data_points = BTreeMap::from([("gamma-1".into(), 12), ("gamma-2".into(), 150)]);
    let decisions = settle_ci(&mut state, &pipeline, at(75), &signals);
    assert!(
        !decisions.iter().any(|d| matches!(d, Decision::ApproveEnvironment { environment, .. } if environment == "gamma-1")),
        "{decisions:?}"
    );
    let outlook = stage_outlook(&state, &pipeline, at(75), &signals, "gamma").expect("gamma");
    match &outlook.status {
        StageStatus::Baking { data_points, .. } => {
            assert_eq!(
                data_points,
                &[DataPointStatus {
                    environment: "gamma-1".into(),
                    have: 12,
                    need: 100
                }]
            );
        }
        other => panic!("{other:?}"),
    }
    let prod = stage_outlook(&state, &pipeline, at(75), &signals, "prod").expect("prod");
    assert_eq!(prod.waiting, None);
    assert!(!prod.may_start());

    // Enough data points: gamma approves, prod may take v1.
    signals.data_points.insert("gamma-1".into(), 100);
    let decisions = settle_ci(&mut state, &pipeline, at(76), &signals);
    assert!(decisions.contains(&Decision::ApproveStage {
        stage: "gamma".into(),
        release: v(1)
    }));
    let prod = stage_outlook(&state, &pipeline, at(76), &signals, "prod").expect("prod");
    assert!(prod.may_start(), "{prod:?}");
}

#[test]
fn a_stage_the_ci_checks_skips_all_but_external_steps() {
    let pipeline = pipeline(CI_PIPELINE);
    let mut state = gamma_in_progress(Phase::Verifying {
        step: 0,
        started: false,
    });
    let signals = Signals {
        alarms: ok_alarms(),
        ci_checked: [id(1), id(2)].into(),
        ..Signals::default()
    };
    let decisions = settle_ci(&mut state, &pipeline, at(5), &signals);
    assert!(
        !decisions
            .iter()
            .any(|d| matches!(d, Decision::RunApprovalStep { step: 0, .. })),
        "the CI's tests are not run again: {decisions:?}"
    );
    assert!(
        decisions
            .iter()
            .any(|d| matches!(d, Decision::RunApprovalStep { step: 1, .. }))
    );
}

#[test]
fn a_reported_failure_fails_the_release_and_rolls_back_what_got_it() {
    let pipeline = pipeline(CI_PIPELINE);
    let mut state = gamma_in_progress(Phase::Baking { since: at(0) });
    for env in ["gamma-1", "gamma-2"] {
        let e = state.environments.get_mut(env).expect("env");
        e.approved.insert(v(0));
        e.current = Some(v(0));
    }
    let signals = Signals {
        alarms: ok_alarms(),
        reported: BTreeMap::from([(id(2), Outcome::AlarmFired)]),
        ..Signals::default()
    };
    let decisions = settle_ci(&mut state, &pipeline, at(20), &signals);
    assert!(decisions.contains(&Decision::FailDeployment {
        deployment: id(2),
        environment: "gamma-2".into(),
        release: v(1),
        outcome: Outcome::AlarmFired,
    }));
    assert!(decisions.contains(&Decision::FailDeployment {
        deployment: id(1),
        environment: "gamma-1".into(),
        release: v(1),
        outcome: Outcome::RolledBack,
    }));
    let rollbacks = decisions
        .iter()
        .filter(|d| matches!(d, Decision::StartDeployment { kind: DeploymentKind::Rollback, release, .. } if *release == v(0)))
        .count();
    assert_eq!(rollbacks, 2, "{decisions:?}");
    assert!(state.stages["gamma"].failed.contains(&v(1)));
}

#[test]
fn deployments_another_loop_drives_are_left_to_it() {
    let pipeline = pipeline(CI_PIPELINE);
    let mut state = gamma_in_progress(Phase::Baking { since: at(0) });
    let signals = Signals {
        alarms: BTreeMap::from([("Errors".to_string(), AlarmState::Alarm)]),
        data_points: BTreeMap::from([("gamma-1".into(), 500), ("gamma-2".into(), 500)]),
        driven_elsewhere: [id(1), id(2)].into(),
        ..Signals::default()
    };
    let decisions = settle_ci(&mut state, &pipeline, at(90), &signals);
    assert_eq!(
        decisions,
        vec![],
        "the other loop decides about its own bake"
    );
    let outlook = stage_outlook(&state, &pipeline, at(90), &signals, "gamma").expect("gamma");
    assert!(
        matches!(outlook.status, StageStatus::Baking { .. }),
        "{outlook:?}"
    );
}

#[test]
fn a_stage_deployed_one_environment_at_a_time_waits_for_the_rest() {
    let pipeline = pipeline(CI_PIPELINE);
    let mut state = gamma_in_progress(Phase::Deploying);
    // Only gamma-1 was started by the CI; it was approved there.
    let g2 = state.environments.get_mut("gamma-2").expect("env");
    g2.active = None;
    let g1 = state.environments.get_mut("gamma-1").expect("env");
    g1.active = None;
    g1.approved.insert(v(1));
    g1.current = Some(v(1));
    let signals = Signals {
        alarms: ok_alarms(),
        ..Signals::default()
    };
    let evaluation = decide(&state, &pipeline, at(5), &signals);
    let gamma = &evaluation.outlooks[1];
    assert_eq!(
        gamma.status,
        StageStatus::Starting {
            release: v(1),
            environments: vec!["gamma-2".into()],
            overridden: None,
        },
        "the stage neither fails nor approves v1 without gamma-2"
    );
    assert_eq!(
        start_check(&state, &pipeline, at(5), &signals, "gamma-2", v(1)).expect("known"),
        Ok(None)
    );
    assert_eq!(
        start_check(&state, &pipeline, at(5), &signals, "gamma-1", v(1)).expect("known"),
        Err(StartRefusal::AlreadyThere {
            environment: "gamma-1".into(),
            release: v(1)
        })
    );
    let _ = settle_ci(&mut state, &pipeline, at(5), &signals);
    assert_eq!(state.stages["gamma"].working, Some(v(1)));
}

#[test]
fn start_check_answers_with_the_rule_of_a_pass() {
    let pipeline = pipeline(CI_PIPELINE);
    let state = gamma_in_progress(Phase::Baking { since: at(0) });
    let signals = Signals {
        alarms: ok_alarms(),
        ..Signals::default()
    };
    // prod: gamma bakes v1, so v1 is not approved there yet.
    match start_check(&state, &pipeline, at(30), &signals, "prod-1", v(1)).expect("known") {
        Err(StartRefusal::NotApproved { release, previous }) => {
            assert_eq!(release, v(1));
            assert_eq!(previous.stage, "gamma");
            assert!(matches!(previous.status, StageStatus::Baking { .. }));
        }
        other => panic!("{other:?}"),
    }
    // beta has v1 and v2 offered: v1 is superseded by v2, which may start.
    let mut state = EngineState {
        releases: vec![v(1), v(2)],
        ..EngineState::default()
    };
    assert_eq!(
        start_check(&state, &pipeline, at(0), &signals, "beta", v(1)).expect("known"),
        Err(StartRefusal::Superseded {
            stage: "beta".into(),
            release: v(1),
            by: Some(v(2))
        })
    );
    assert_eq!(
        start_check(&state, &pipeline, at(0), &signals, "beta", v(2)).expect("known"),
        Ok(None)
    );
    // A release the stage failed is not deployed there again, until a retry.
    state
        .stages
        .entry("beta".into())
        .or_default()
        .failed
        .insert(v(2));
    assert_eq!(
        start_check(&state, &pipeline, at(0), &signals, "beta", v(2)).expect("known"),
        Err(StartRefusal::Failed {
            stage: "beta".into(),
            release: v(2)
        })
    );
    let beta = state.stages.get_mut("beta").expect("beta");
    beta.failed.clear();
    beta.working = Some(v(2));
    beta.retry = Some(v(2));
    assert_eq!(
        start_check(&state, &pipeline, at(0), &signals, "beta", v(2)).expect("known"),
        Ok(None)
    );
    let evaluation = decide(&state, &pipeline, at(0), &signals);
    assert!(evaluation.decisions.contains(&Decision::StartDeployment {
        environment: "beta".into(),
        stage: "beta".into(),
        release: v(2),
        kind: DeploymentKind::Normal,
        reason: Some("retry of v2".into()),
        overridden: None,
    }));
}

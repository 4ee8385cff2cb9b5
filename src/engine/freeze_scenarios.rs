//! Freezes as the engine decides them: pipeline.toml's `freezes` (pipeline-wide, or a
//! stage's own, inherited like any setting) and a person's emergency freeze (`captain
//! freeze`, a lock of kind `freeze` on the pipeline, a stage, an environment or a wave,
//! until lifted or until its `until`). Nothing is promoted or started while one holds —
//! not by the loop, not by an external CI's `deploy start` — deployments already running
//! carry on, and rollbacks are never held. Several windows per stage: open while any is.
//! The harness checks, before every decision it applies, that no normal deployment starts
//! during a freeze.

use crate::model::Outcome;

use super::harness::*;
use super::*;

const THREE_STAGES: &str = r#"
name = "freezes"
freezes = [{ from = "2026-03-02T10:00", to = "2026-03-02T12:00", reason = "quarterly close" }]
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

fn frozen(outlook: &StageOutlook) -> Option<&ActiveFreeze> {
    match &outlook.status {
        StageStatus::Frozen { freeze, .. } => Some(freeze),
        _ => None,
    }
}

#[test]
fn a_pipeline_wide_freeze_holds_every_stage_until_it_ends() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T09:55:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.run_for(mins(30));
    // 09:55 beta started v2 before the freeze; it finishes, and nothing else starts.
    assert_eq!(h.starts("beta"), vec![(ts("2026-03-02T09:55:00Z"), v(2))]);
    assert_eq!(
        h.current("beta"),
        Some(v(2)),
        "a deployment running carries on"
    );
    assert!(h.starts("gamma-1").is_empty());
    let freeze = frozen(h.outlook("gamma")).expect("gamma is frozen");
    assert_eq!(freeze.source, FreezeSource::Config);
    assert_eq!(freeze.reason, "quarterly close");
    assert_eq!(freeze.target, "pipeline");
    assert_eq!(freeze.by, None);
    assert_eq!(freeze.until, Some(ts("2026-03-02T12:00:00Z")));
    assert!(!h.outlook("gamma").may_start());

    h.run_until("2026-03-02T12:10:00Z");
    assert_eq!(
        h.starts("gamma-1"),
        vec![(ts("2026-03-02T12:00:00Z"), v(2))]
    );
}

#[test]
fn a_stage_freeze_is_inherited_and_holds_only_where_it_is_written() {
    let text = r#"
name = "waves"
timezone = "Europe/Paris"
[production]
freezes = [{ from = 2026-03-03, to = 2026-03-03, reason = "launch day" }]
[[stages]]
name = "beta"
environments = ["beta"]
[[waves]]
name = "wave-1"
stages = [{ name = "prod", environments = ["prod-1"] }]
"#;
    // Paris is UTC+1 in March: the 3rd runs from 02T23:00Z to 03T23:00Z.
    let mut h = Harness::new(text, "2026-03-02T23:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.run_for(mins(60));
    assert_eq!(h.current("beta"), Some(v(2)), "beta has no freeze");
    let freeze = frozen(h.outlook("prod")).expect("prod is frozen");
    assert_eq!(freeze.target, "[production]");
    assert_eq!(freeze.until, Some(ts("2026-03-03T23:00:00Z")));
    h.run_until("2026-03-03T23:30:00Z");
    assert_eq!(h.starts("prod-1"), vec![(ts("2026-03-03T23:00:00Z"), v(2))]);
}

#[test]
fn an_emergency_freeze_holds_until_lifted_or_until_it_expires() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T13:00:00Z");
    h.preset_everywhere(&[1]);
    // Frozen by environment: its whole stage waits.
    h.freeze("gamma-2", "incident 42", None);
    h.release(2);
    h.run_for(mins(60));
    assert_eq!(h.current("beta"), Some(v(2)));
    assert!(h.starts("gamma-1").is_empty());
    let freeze = frozen(h.outlook("gamma")).expect("gamma is frozen");
    assert_eq!(freeze.source, FreezeSource::Command);
    assert_eq!(freeze.by.as_deref(), Some("oncall"));
    assert_eq!(freeze.target, "gamma-2");
    assert_eq!(freeze.until, None);
    h.unfreeze("gamma-2");
    h.run_for(mins(60));
    assert_eq!(h.current("gamma-1"), Some(v(2)));

    // A pipeline freeze with an end: over by itself.
    h.freeze("*", "payments outage", Some("2026-03-02T16:00:00Z"));
    h.release(3);
    h.run_until("2026-03-02T15:59:00Z");
    assert!(h.starts("beta").iter().all(|(_, r)| *r != v(3)));
    assert_eq!(
        frozen(h.outlook("beta")).map(|f| f.target.as_str()),
        Some("pipeline")
    );
    h.run_until("2026-03-02T16:05:00Z");
    assert_eq!(
        h.starts("beta").last(),
        Some(&(ts("2026-03-02T16:00:00Z"), v(3)))
    );
}

#[test]
fn a_wave_freeze_holds_each_of_its_stages() {
    let text = r#"
name = "waves"
[[stages]]
name = "beta"
environments = ["beta"]
[[waves]]
name = "wave-1"
stages = [{ name = "w1-a", environments = ["w1-a"] }, { name = "w1-b", environments = ["w1-b"] }]
[[waves]]
name = "wave-2"
stages = [{ name = "w2", environments = ["w2"] }]
"#;
    let mut h = Harness::new(text, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1]);
    h.freeze("wave-2", "region migration", None);
    h.release(2);
    h.run_for(mins(180));
    assert_eq!(h.current("w1-b"), Some(v(2)));
    assert!(h.starts("w2").is_empty());
    assert!(frozen(h.outlook("w2")).is_some());
}

#[test]
fn rollbacks_are_never_held_by_a_freeze() {
    let text = r#"
name = "rollback"
[alarms.Errors]
kind = "command"
argv = ["true"]
[[stages]]
name = "prod"
environments = ["prod-1", "prod-2"]
auto_rollback = true
bake_time = "1h"
rollback_alarm = 'ALARM("Errors")'
"#;
    let mut h = Harness::new(text, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.run_for(mins(15));
    let phase = h.env("prod-1").active.as_ref().map(|a| a.phase);
    assert!(matches!(phase, Some(Phase::Baking { .. })), "{phase:?}");
    // Frozen mid-bake; then the alarm fires: the rollback runs through the freeze.
    h.freeze("*", "incident", None);
    h.alarms.insert("Errors".into(), AlarmState::Alarm);
    h.run_for(mins(30));
    for env in ["prod-1", "prod-2"] {
        assert_eq!(
            h.rollbacks(env).last().map(|(_, r)| *r),
            Some(v(1)),
            "{env}"
        );
        assert_eq!(h.current(env), Some(v(1)), "{env}");
        assert_eq!(h.outcomes(env)[0], (v(2), Outcome::AlarmFired), "{env}");
    }
}

#[test]
fn an_external_ci_is_refused_during_a_freeze_even_midway_through_a_stage() {
    let pipeline = pipeline(THREE_STAGES);
    let now = ts("2026-03-02T13:00:00Z");
    let mut state = EngineState {
        releases: vec![v(1), v(2)],
        ..EngineState::default()
    };
    for stage in ["beta", "gamma", "prod"] {
        state
            .stages
            .entry(stage.into())
            .or_default()
            .approved
            .insert(v(1));
    }
    state
        .stages
        .entry("beta".into())
        .or_default()
        .approved
        .insert(v(2));
    // gamma works on v2: gamma-1 approved it, gamma-2 still has v1.
    state.stages.entry("gamma".into()).or_default().working = Some(v(2));
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
    assert_eq!(
        start_check(&state, &pipeline, now, &signals, "gamma-2", v(2)).expect("check"),
        Ok(None)
    );
    state.locks.push(crate::model::Lock::freeze(
        "gamma".into(),
        "oncall".into(),
        "incident 42".into(),
        now,
        Some(ts("2026-03-02T18:00:00Z")),
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
    assert!(frozen(&after.outlooks[1]).is_some());
    match start_check(&state, &pipeline, now, &signals, "gamma-2", v(2)).expect("check") {
        Err(StartRefusal::Frozen { stage, freeze, .. }) => {
            assert_eq!(stage, "gamma");
            assert_eq!(freeze.reason, "incident 42");
            assert_eq!(freeze.until, Some(ts("2026-03-02T18:00:00Z")));
        }
        other => panic!("{other:?}"),
    }
    // prod is not frozen: a start there is refused for its own reason (not approved).
    assert!(matches!(
        start_check(&state, &pipeline, now, &signals, "prod-1", v(2)).expect("check"),
        Err(StartRefusal::NotApproved { .. })
    ));
    // Expired, it holds nothing.
    let later = ts("2026-03-02T18:00:00Z");
    assert_eq!(
        start_check(&state, &pipeline, later, &signals, "gamma-2", v(2)).expect("check"),
        Ok(None)
    );
}

#[test]
fn a_stage_with_several_windows_opens_in_any_of_them() {
    let text = r#"
name = "windows"
[[stages]]
name = "prod"
environments = ["prod-1"]
window = [
  { days = "mon-thu", hours = "09:00-16:00" },
  { days = "fri", hours = "09:00-12:00" },
]
"#;
    // Friday 13:00: closed (Friday's window ends at 12:00) until Monday 09:00.
    let mut h = Harness::new(text, "2026-03-06T13:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.settle();
    match &h.outlook("prod").status {
        StageStatus::WindowClosed { next_open, .. } => {
            assert_eq!(*next_open, Some(ts("2026-03-09T09:00:00Z")));
        }
        other => panic!("{other:?}"),
    }
    h.run_until("2026-03-09T09:05:00Z");
    assert_eq!(h.starts("prod-1"), vec![(ts("2026-03-09T09:00:00Z"), v(2))]);

    // Friday 10:00: open by the second window.
    let mut h = Harness::new(text, "2026-03-13T10:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.settle();
    assert_eq!(h.starts("prod-1"), vec![(ts("2026-03-13T10:00:00Z"), v(2))]);
    let window = h.pipeline.stages[0]
        .settings
        .window
        .clone()
        .expect("window");
    assert_eq!(
        window.to_string(),
        "mon-thu 09:00-16:00 UTC or fri 09:00-12:00 UTC"
    );
}

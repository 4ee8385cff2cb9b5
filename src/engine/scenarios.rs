//! The articles' scenarios as engine tests over scripted timelines. Every test runs
//! through [`Harness`], which checks SPEC §1's invariants and the engine's determinism
//! before each decision it applies.

use crate::model::{DeploymentKind, LockDirection, Outcome};

use super::harness::*;
use super::*;

// --- b. Multiple in-flight releases, a slow Stage 3, superseding -----------------------

const THREE_STAGES: &str = r#"
name = "inflight"
[[stages]]
name = "stage-1"
environments = ["env-1"]
[[stages]]
name = "stage-2"
environments = ["env-2"]
[[stages]]
name = "stage-3"
environments = ["env-3"]
"#;

#[test]
fn b_slow_stage_three_v3_supersedes_v2() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T00:00:00Z");
    h.deploy_time.insert("env-1".into(), mins(30));
    h.deploy_time.insert("env-2".into(), mins(30));
    // Stage 3 holds a very large environment.
    h.deploy_time.insert("env-3".into(), mins(6 * 60));

    h.release(1);
    h.run_until("2026-03-02T00:45:00Z");
    h.release(2);
    h.run_until("2026-03-02T01:30:00Z");
    h.release(3);
    h.run_until("2026-03-02T01:35:00Z");

    // 1. Each stage deploys a different release in parallel.
    assert_eq!(
        h.env("env-1").active.as_ref().map(|a| a.release),
        Some(v(3))
    );
    assert_eq!(
        h.env("env-2").active.as_ref().map(|a| a.release),
        Some(v(2))
    );
    assert_eq!(
        h.env("env-3").active.as_ref().map(|a| a.release),
        Some(v(1))
    );

    // 2–3. Stages 1 and 2 approve v2; Stage 3 is still busy, so v2 waits there.
    h.run_until("2026-03-02T01:50:00Z");
    assert_eq!(
        h.stage_approved_at("stage-2", 2),
        Some(ts("2026-03-02T01:45:00Z"))
    );
    let stage3 = h.outlook("stage-3");
    assert_eq!(stage3.waiting, Some(v(2)));
    assert_eq!(stage3.working, Some(v(1)));
    assert!(matches!(stage3.status, StageStatus::Deploying { release, .. } if release == v(1)));
    assert!(h.superseded("stage-3").is_empty());

    // 4–5. Stages 1 and 2 approve v3; v3 supersedes v2 waiting for Stage 3.
    h.run_until("2026-03-02T02:40:00Z");
    assert_eq!(
        h.stage_approved_at("stage-2", 3),
        Some(ts("2026-03-02T02:30:00Z"))
    );
    assert_eq!(h.superseded("stage-3"), vec![(v(2), v(3))]);
    assert_eq!(h.outlook("stage-3").waiting, Some(v(3)));
    assert!(h.starts("env-3").iter().all(|(_, r)| *r == v(1)));

    // 6–7. Stage 3 approves v1 at 07:00 and v3 is promoted into it at once.
    h.run_until("2026-03-02T07:05:00Z");
    assert_eq!(
        h.stage_approved_at("stage-3", 1),
        Some(ts("2026-03-02T07:00:00Z"))
    );
    assert_eq!(
        h.starts("env-3"),
        vec![
            (ts("2026-03-02T01:00:00Z"), v(1)),
            (ts("2026-03-02T07:00:00Z"), v(3)),
        ]
    );
    // v2 is never deployed to Stage 3 and is recorded superseded exactly once.
    h.run_until("2026-03-02T14:00:00Z");
    assert_eq!(h.superseded("stage-3"), vec![(v(2), v(3))]);
    assert_eq!(h.current("env-3"), Some(v(3)));
    assert!(h.stage_ledger("stage-3").approved.contains(&v(3)));
    assert!(matches!(h.outlook("stage-3").status, StageStatus::Idle));
}

// --- a. Wave 3, Stage 1 → Stage 2 -------------------------------------------------------

const WAVE_3: &str = r#"
name = "wave-3"
prometheus = "http://localhost:9090"

[alarms]
HighSeverity = { kind = "prometheus", query = "errors > 0" }
OneBoxFaults = { kind = "prometheus", query = "onebox_errors > 0" }

[[stages]]
name = "gamma"
environments = ["gamma"]

[production]
bake_time = "30m"
rollback_alarm = 'ALARM("HighSeverity")'

[wave_template]
azs = ["a", "b", "c"]
stages = [
  { name = "{wave}-az{n}-onebox", environment = "{region}-{az}-onebox",
    rollback_alarm = 'ALARM("HighSeverity") OR ALARM("OneBoxFaults")',
    approvals = [{ kind = "alarm", name = "one-box alarms", alarm = 'ALARM("OneBoxFaults")', duration = "20m" }] },
  { name = "{wave}-az{n}", environment = "{region}-{az}",
    approvals = [
      { kind = "command", name = "integration tests", argv = ["./integration-tests", "{environment}"] },
      { kind = "alarm", name = "alarm monitoring", alarm = 'ALARM("HighSeverity")', duration = "30m" },
    ] },
]

[[waves]]
name = "wave-3"
regions = ["r1", "r2", "r3", "r4", "r5", "r6"]
"#;

const REGIONS: [&str; 6] = ["r1", "r2", "r3", "r4", "r5", "r6"];

#[test]
fn a_wave_three_stage_one_to_stage_two() {
    let mut h = Harness::new(WAVE_3, "2026-03-02T10:00:00Z");
    h.preset_everywhere(&[1, 2]);
    h.step_time.insert("one-box alarms".into(), mins(20));
    h.step_time.insert("integration tests".into(), mins(15));
    h.step_time.insert("alarm monitoring".into(), mins(30));
    // One-box deployments take different times: r1 10 min … r6 60 min.
    for (i, region) in REGIONS.iter().enumerate() {
        h.deploy_time
            .insert(format!("{region}-a-onebox"), mins(10 * (i as u64 + 1)));
    }
    h.release(3);
    h.run_for(mins(5));
    assert_eq!(h.starts("gamma"), vec![(ts("2026-03-02T10:00:00Z"), v(3))]);

    // 1. v3 is promoted to Stage 1 when gamma approves it: the one-box environments of
    //    AZ1 of every region start together.
    h.run_until("2026-03-02T10:15:00Z");
    let promoted = h
        .stage_approved_at("gamma", 3)
        .unwrap_or_else(|| panic!("gamma did not approve v3"));
    assert_eq!(promoted, ts("2026-03-02T10:10:00Z"));
    for region in REGIONS {
        assert_eq!(
            h.starts(&format!("{region}-a-onebox")),
            vec![(promoted, v(3))]
        );
        // Nothing else moved: Stage 2 and AZ2 still run v2.
        assert_eq!(h.current(&format!("{region}-a")), Some(v(2)));
        assert!(h.starts(&format!("{region}-a")).is_empty());
    }

    // 2. Each environment's approval steps begin when its own deployment succeeds.
    h.run_until("2026-03-02T13:00:00Z");
    for (i, region) in REGIONS.iter().enumerate() {
        let env = format!("{region}-a-onebox");
        let step_at = h
            .when(|d| matches!(d, Decision::RunApprovalStep { environment, step: 0, .. } if *environment == env))
            .unwrap_or_else(|| panic!("no approval step in {env}"));
        assert_eq!(step_at, add(promoted, mins(10 * (i as u64 + 1))));
    }

    // 3. All deployments and approval steps succeed (plus 30 min bake): Stage 1 approves
    //    v3 when its slowest environment (r6: 60 min deploy, 20 min alarms, 30 min bake) is done.
    let stage1_approved = h.stage_approved_at("wave-3-az1-onebox", 3);
    assert_eq!(stage1_approved, Some(add(promoted, mins(60 + 20 + 30))));
    let stage1_approved = stage1_approved.unwrap_or(Timestamp::MAX);
    for region in REGIONS {
        let env = format!("{region}-a-onebox");
        let approved_env = h
            .when(|d| matches!(d, Decision::ApproveEnvironment { environment, .. } if *environment == env))
            .unwrap_or(Timestamp::MAX);
        assert!(approved_env <= stage1_approved);
    }

    // 4. v3 is promoted to Stage 2: the zonal AZ1 environments start together, then each
    //    runs its integration tests, then alarm monitoring, then bakes.
    for region in REGIONS {
        let env = format!("{region}-a");
        assert_eq!(h.starts(&env), vec![(stage1_approved, v(3))]);
        let tests_at = h.when(|d| matches!(d, Decision::RunApprovalStep { environment, step: 0, name, .. } if *environment == env && name == "integration tests"));
        let alarms_at = h.when(|d| matches!(d, Decision::RunApprovalStep { environment, step: 1, name, .. } if *environment == env && name == "alarm monitoring"));
        assert_eq!(tests_at, Some(add(stage1_approved, mins(10))));
        assert_eq!(alarms_at, Some(add(stage1_approved, mins(10 + 15))));
    }
    // Stage 2 is still verifying and baking: AZ2 has not seen v3 yet.
    assert!(h.starts("r1-b-onebox").is_empty());
    h.run_until("2026-03-02T14:00:00Z");
    let stage2_approved = h.stage_approved_at("wave-3-az1", 3);
    assert_eq!(
        stage2_approved,
        Some(add(stage1_approved, mins(10 + 15 + 30 + 30)))
    );
    // And the release goes on to the one-box environments of AZ2.
    assert_eq!(
        h.starts("r1-b-onebox"),
        vec![(stage2_approved.unwrap_or(Timestamp::MAX), v(3))]
    );
}

// --- d. Bake time with minimum data points; an alarm during bake rolls back ----------

const BAKE: &str = r#"
name = "bake"
prometheus = "http://localhost:9090"

[alarms]
HighSeverity = { kind = "prometheus", query = "errors > 0" }

[[stages]]
name = "beta"
environments = ["beta"]

[[waves]]
name = "wave-1"
bake_time = "1h"
min_data_points = { query = 'sum(increase(requests_total{api="Create"}[1h]))', count = 100 }
rollback_alarm = 'ALARM("HighSeverity")'
stages = [{ name = "prod", environments = ["prod-a", "prod-b"] }]
"#;

#[test]
fn d_bake_waits_for_time_and_data_points_then_an_alarm_rolls_back() {
    let mut h = Harness::new(BAKE, "2026-03-02T10:00:00Z");
    h.preset_everywhere(&[1]);
    // 60 requests an hour: 100 data points take 1h40m, longer than the 1h bake.
    h.data_rate = 60;
    h.release(2);
    h.run_until("2026-03-02T10:20:00Z");
    let baking_since = ts("2026-03-02T10:20:00Z"); // beta 10 min, prod deploy 10 min
    assert!(matches!(
        h.outlook("prod").status,
        StageStatus::Baking { until, .. } if until == add(baking_since, mins(60))
    ));

    // Bake time over, data points short: not approved, and the outlook says why.
    h.run_until("2026-03-02T11:30:00Z");
    assert_eq!(h.stage_approved_at("prod", 2), None);
    match &h.outlook("prod").status {
        StageStatus::Baking { data_points, .. } => {
            assert_eq!(data_points.len(), 2);
            assert!(data_points.iter().all(|d| d.have == 70 && d.need == 100));
        }
        other => panic!("expected baking, got {other:?}"),
    }
    // Both hold at 1h40m: approved then.
    h.run_until("2026-03-02T12:10:00Z");
    assert_eq!(
        h.stage_approved_at("prod", 2),
        Some(add(baking_since, mins(100)))
    );

    // Enough data, but the bake time is not over: still waits.
    h.data_rate = 100_000;
    h.release(3);
    h.run_until("2026-03-02T12:40:00Z");
    assert_eq!(h.stage_approved_at("prod", 3), None);

    // The alarm fires during bake: v3 fails in prod, both environments roll back to v2.
    h.alarms.insert("HighSeverity".into(), AlarmState::Alarm);
    h.run_for(mins(1));
    let fired = ts("2026-03-02T12:40:00Z");
    for env in ["prod-a", "prod-b"] {
        assert_eq!(h.outcomes(env).last(), Some(&(v(3), Outcome::AlarmFired)));
        assert_eq!(h.rollbacks(env), vec![(fired, v(2))]);
        // The code ran there until the rollback replaced it.
        assert_eq!(h.current(env), Some(v(3)));
    }
    assert!(h.stage_ledger("prod").failed.contains(&v(3)));
    // The rollback deploys (10 min) even while the alarm is still firing, then v2 is back.
    h.run_for(mins(10));
    for env in ["prod-a", "prod-b"] {
        assert_eq!(h.current(env), Some(v(2)));
        assert!(h.env(env).active.is_none());
    }
    // v3 is never deployed to prod again.
    h.alarms.insert("HighSeverity".into(), AlarmState::Ok);
    h.run_for(mins(120));
    assert_eq!(
        h.starts("prod-a")
            .iter()
            .filter(|(_, r)| *r == v(3))
            .count(),
        1
    );
    assert!(matches!(h.outlook("prod").status, StageStatus::Idle));
}

#[test]
fn d_unknown_alarm_state_holds_the_bake() {
    let mut h = Harness::new(BAKE, "2026-03-02T10:00:00Z");
    h.preset_everywhere(&[1]);
    h.alarms.insert("HighSeverity".into(), AlarmState::Unknown);
    h.release(2);
    h.run_until("2026-03-02T14:00:00Z");
    assert_eq!(h.stage_approved_at("prod", 2), None);
    assert!(matches!(
        h.outlook("prod").status,
        StageStatus::Baking {
            alarm_unknown: true,
            ..
        }
    ));
    // Unknown is not ALARM: nothing was rolled back.
    assert!(h.rollbacks("prod-a").is_empty());
    h.alarms.insert("HighSeverity".into(), AlarmState::Ok);
    h.run_for(mins(1));
    assert!(h.stage_approved_at("prod", 2).is_some());
}

#[test]
fn a_failed_deploy_rolls_back_the_whole_stage() {
    let mut h = Harness::new(BAKE, "2026-03-02T10:00:00Z");
    h.preset_everywhere(&[1]);
    h.deploy_time.insert("prod-b".into(), mins(30));
    h.fail_deploy.insert(("prod-b".into(), v(2)));
    h.release(2);
    h.run_until("2026-03-02T11:15:00Z");
    // prod-a was deployed and baking when prod-b's deploy failed at 10:40.
    let failed = ts("2026-03-02T10:40:00Z");
    assert_eq!(
        h.outcomes("prod-b"),
        vec![(v(2), Outcome::DeployFailed), (v(1), Outcome::Approved)]
    );
    assert_eq!(
        h.outcomes("prod-a"),
        vec![(v(2), Outcome::RolledBack), (v(1), Outcome::Approved)]
    );
    assert_eq!(h.rollbacks("prod-a"), vec![(failed, v(1))]);
    assert_eq!(h.rollbacks("prod-b"), vec![(failed, v(1))]);
    assert_eq!(h.current("prod-a"), Some(v(1)));
    assert_eq!(h.current("prod-b"), Some(v(1)));
    // A newer release goes on through.
    h.release(3);
    h.run_until("2026-03-02T14:00:00Z");
    assert!(h.stage_approved_at("prod", 3).is_some());
}

#[test]
fn a_failed_test_without_auto_rollback_only_fails_the_stage() {
    let mut h = Harness::new(
        &BAKE.replace(
            "environments = [\"beta\"]",
            "environments = [\"beta\", \"beta-2\"]\napprovals = [{ kind = \"command\", name = \"tests\", argv = [\"./t\"] }]",
        ),
        "2026-03-02T10:00:00Z",
    );
    h.preset_everywhere(&[1]);
    h.fail_step.insert(("beta".into(), v(2), 0));
    h.release(2);
    h.run_until("2026-03-02T11:00:00Z");
    assert_eq!(h.outcomes("beta"), vec![(v(2), Outcome::TestsFailed)]);
    // Pre-production does not roll back by default; the other environment carries on.
    assert!(h.rollbacks("beta").is_empty());
    assert_eq!(h.outcomes("beta-2"), vec![(v(2), Outcome::Approved)]);
    assert!(h.stage_ledger("beta").failed.contains(&v(2)));
    assert!(h.starts("prod-a").is_empty());
}

// --- c. The rollback story over seven stages --------------------------------------------

const SEVEN_STAGES: &str = r#"
name = "lambda"
prometheus = "http://localhost:9090"

[alarms]
HighSeverity = { kind = "prometheus", query = "errors > 0" }

[production]
bake_time = "1h"
rollback_alarm = 'ALARM("HighSeverity")'

[[waves]]
name = "regions"
stages = [
  { name = "stage-1", environments = ["region-h"] },
  { name = "stage-2", environments = ["region-i"] },
  { name = "stage-3", environments = ["region-j"] },
  { name = "stage-4", environments = ["region-k"] },
  { name = "stage-5", environments = ["region-l"] },
  { name = "stage-6", environments = ["region-m"] },
  { name = "stage-7", environments = ["region-n"] },
]
"#;

const SEVEN: [(&str, &str); 7] = [
    ("stage-1", "region-h"),
    ("stage-2", "region-i"),
    ("stage-3", "region-j"),
    ("stage-4", "region-k"),
    ("stage-5", "region-l"),
    ("stage-6", "region-m"),
    ("stage-7", "region-n"),
];

/// Stage `stage` is baking `release` since `since`, having approved `approved` before.
fn baking(
    h: &mut Harness,
    stage: &str,
    env: &str,
    release: u64,
    approved: &[u64],
    since: Timestamp,
) {
    let ledger = h.state.stages.entry(stage.into()).or_default();
    ledger.approved = approved.iter().map(|n| v(*n)).collect();
    ledger.working = Some(v(release));
    let e = h.state.environments.entry(env.into()).or_default();
    e.approved = approved.iter().map(|n| v(*n)).collect();
    e.current = approved.last().map(|n| v(*n));
    e.active = Some(ActiveDeployment {
        id: DeploymentId(format!("deploy-{:06x}", 0xa000 + release)),
        release: v(release),
        kind: DeploymentKind::Normal,
        started_at: since,
        phase: Phase::Baking { since },
    });
}

#[test]
fn c_rollback_story_over_seven_stages() {
    let start = "2026-03-02T10:00:00Z";
    let mut h = Harness::new(SEVEN_STAGES, start);
    let t0 = ts(start);
    h.preset_everywhere(&[1]);
    for n in 2..=5 {
        h.release(n);
    }
    // Five releases in flight: v5 bakes in stage 1, v4 in stage 2, v3 in stage 3; Region K
    // (stage 4) approved v2; stages 5–7 run v1.
    baking(&mut h, "stage-1", "region-h", 5, &[1, 2, 3, 4], t0);
    baking(&mut h, "stage-2", "region-i", 4, &[1, 2, 3], t0);
    baking(&mut h, "stage-3", "region-j", 3, &[1, 2], t0);
    h.state.stages.entry("stage-4".into()).or_default().approved = [v(1), v(2)].into();
    let k = h.state.environments.entry("region-k".into()).or_default();
    k.approved = [v(1), v(2)].into();
    k.current = Some(v(2));

    // 1. High-severity impact in Region K: roll it back from v2 to v1; promotions into
    //    and out of it are disabled.
    h.manual_rollback("region-k", 1, "high severity impact in Region K");
    h.run_for(mins(15));
    assert_eq!(h.current("region-k"), Some(v(1)));
    assert_eq!(h.rollbacks("region-k"), vec![(t0, v(1))]);
    // Stage 5 would take v2 from Region K's stage, but promotions out of it are disabled.
    let s5 = h.outlook("stage-5");
    assert_eq!(s5.waiting, Some(v(2)));
    assert!(matches!(&s5.status, StageStatus::Locked { lock, .. } if lock.target == "region-k"));
    assert!(h.starts("region-l").is_empty());

    // 2. The same bug is elsewhere: roll back Region I (had v4) and Region J (had v3) too.
    h.manual_rollback("region-i", 1, "same bug as Region K");
    h.manual_rollback("region-j", 1, "same bug as Region K");
    h.run_for(mins(15));
    for env in ["region-i", "region-j", "region-k"] {
        assert_eq!(h.current(env), Some(v(1)), "{env}");
    }
    assert_eq!(
        h.outcomes("region-i").first(),
        Some(&(v(4), Outcome::RolledBack))
    );
    assert_eq!(
        h.outcomes("region-j").first(),
        Some(&(v(3), Outcome::RolledBack))
    );
    assert!(h.stage_ledger("stage-2").failed.contains(&v(4)));
    assert!(h.stage_ledger("stage-3").failed.contains(&v(3)));

    // Stage 1 approves v5 after its bake; it cannot enter stage 2 (locked).
    h.run_until("2026-03-02T11:05:00Z");
    assert!(h.stage_approved_at("stage-1", 5).is_some());
    let s2 = h.outlook("stage-2");
    assert_eq!(s2.waiting, Some(v(5)));
    assert!(matches!(&s2.status, StageStatus::Locked { lock, .. } if lock.target == "region-i"));

    // 3. The fix is merged: v6 enters stage 1 (the first stage takes the newest release).
    h.run_until("2026-03-02T12:00:00Z");
    h.release(6);
    let fixed = h.run_while_not(mins(3 * 60), |h| {
        h.stage_approved_at("stage-1", 6).is_some()
    });
    assert!(fixed, "stage 1 did not approve v6");
    assert_eq!(h.starts("region-h").last().map(|(_, r)| *r), Some(v(6)));
    // v6 supersedes v5 waiting for stage 2: v5 will never be deployed there.
    h.run_for(mins(1));
    assert_eq!(h.superseded("stage-2"), vec![(v(5), v(6))]);

    // 4. Re-enable promotions one environment at a time as the fix arrives: into it when
    //    v6 waits at its door, out of it once its stage approved v6.
    for (stage, env) in &SEVEN[1..4] {
        let arrived = h.run_while_not(mins(6 * 60), |h| {
            let o = h.outlook(stage);
            o.waiting == Some(v(6)) && matches!(o.status, StageStatus::Locked { .. })
        });
        assert!(arrived, "v6 did not reach {stage}");
        assert_eq!(h.current(env), Some(v(1)), "{env} moved while locked");
        h.enable(env, LockDirection::In);
        h.run_for(mins(1));
        assert_eq!(h.starts(env).last().map(|(_, r)| *r), Some(v(6)));
        let approved = h.run_while_not(mins(3 * 60), |h| h.stage_approved_at(stage, 6).is_some());
        assert!(approved, "{stage} did not approve v6");
        h.enable(env, LockDirection::Out);
    }
    // Region K's stage approved v6; stage 5 never deployed the buggy v2 waiting there.
    let all = h.run_while_not(mins(12 * 60), |h| {
        SEVEN.iter().all(|(_, env)| h.current(env) == Some(v(6)))
    });
    // 5. v6 is everywhere.
    assert!(all, "v6 did not reach every environment");
    assert_eq!(h.superseded("stage-5"), vec![(v(2), v(6))]);
    for env in ["region-l", "region-m", "region-n"] {
        assert!(h.starts(env).iter().all(|(_, r)| *r == v(6)), "{env}");
    }
    assert!(h.state.locks.is_empty());
    // The pipeline carries on with new releases by itself.
    h.release(7);
    let carried = h.run_while_not(mins(24 * 60), |h| {
        SEVEN.iter().all(|(_, env)| h.current(env) == Some(v(7)))
    });
    assert!(carried, "v7 did not flow through");
}

// --- e. A window across a DST change and an excluded holiday -----------------------------

const WINDOWED: &str = r#"
name = "windowed"

[[stages]]
name = "beta"
environments = ["beta"]

[production]
window = { days = "mon-thu", hours = "09:00-16:00", timezone = "America/New_York", exclude = ["2026-11-26"] }

[[waves]]
name = "wave-1"
stages = [{ name = "prod", environments = ["prod"] }]
"#;

#[test]
fn e_window_across_dst_and_a_holiday() {
    // Thursday 2026-03-05, 16:50 EST: after hours.
    let mut h = Harness::new(WINDOWED, "2026-03-05T21:50:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    h.run_for(mins(15));
    assert!(h.stage_approved_at("beta", 2).is_some());
    // Closed; the next opening is Monday 09:00 EDT (13:00Z), after the spring-forward on
    // Sunday — not 14:00Z as a fixed offset would say.
    assert_eq!(
        h.outlook("prod").status,
        StageStatus::WindowClosed {
            release: v(2),
            next_open: Some(ts("2026-03-09T13:00:00Z"))
        }
    );
    h.run_until("2026-03-09T12:59:00Z");
    assert!(
        h.starts("prod").is_empty(),
        "started while the window was closed"
    );
    h.run_until("2026-03-09T13:05:00Z");
    assert_eq!(h.starts("prod"), vec![(ts("2026-03-09T13:00:00Z"), v(2))]);

    // Wednesday 2026-11-25 16:00 EST, after the fall-back: the next day is Thanksgiving
    // (excluded), then Friday–Sunday are not window days.
    h.jump_to("2026-11-25T21:00:00Z");
    h.release(3);
    h.run_for(mins(15));
    assert_eq!(
        h.outlook("prod").status,
        StageStatus::WindowClosed {
            release: v(3),
            next_open: Some(ts("2026-11-30T14:00:00Z"))
        }
    );
    // Thanksgiving, 10:00 EST: still closed.
    h.run_until("2026-11-26T15:00:00Z");
    assert_eq!(h.starts("prod").len(), 1);
    h.run_until("2026-11-30T14:05:00Z");
    assert_eq!(
        h.starts("prod").last(),
        Some(&(ts("2026-11-30T14:00:00Z"), v(3)))
    );
}

#[test]
fn e_rollbacks_do_not_wait_for_the_window() {
    let text = WINDOWED
        .replace(
            "name = \"windowed\"",
            "name = \"windowed\"\nprometheus = \"http://localhost:9090\"\n[alarms]\nHighSeverity = { kind = \"prometheus\", query = \"errors > 0\" }",
        )
        .replace(
            "[[waves]]",
            "bake_time = \"1h\"\nrollback_alarm = 'ALARM(\"HighSeverity\")'\n\n[[waves]]",
        );
    let mut h = Harness::new(&text, "2026-03-09T19:30:00Z"); // Monday 15:30 EDT
    h.preset_everywhere(&[1]);
    h.release(2);
    h.run_for(mins(20));
    assert_eq!(h.starts("prod"), vec![(ts("2026-03-09T19:40:00Z"), v(2))]);
    // The window closed at 16:00 EDT (20:00Z); the alarm at 20:30Z still rolls back at once.
    h.run_until("2026-03-09T20:30:00Z");
    let window = h.pipeline.stages[1].settings.window.clone();
    assert!(window.is_some_and(|w| !w.allows(h.now)));
    h.alarms.insert("HighSeverity".into(), AlarmState::Alarm);
    h.run_for(mins(1));
    assert_eq!(
        h.rollbacks("prod"),
        vec![(ts("2026-03-09T20:30:00Z"), v(1))]
    );
    assert_eq!(h.outcomes("prod")[0], (v(2), Outcome::AlarmFired));
}

// --- f. A blocker in ALARM, then overridden with a reason -----------------------------

const BLOCKED: &str = r#"
name = "blocked"
prometheus = "http://localhost:9090"
alertmanager = "http://localhost:9093"

[alarms]
HighSeverity = { kind = "prometheus", query = "errors > 0" }
LargeScaleEvent = { kind = "alertmanager", alertname = "LargeScaleEvent" }

[[stages]]
name = "beta"
environments = ["beta"]

[production]
blocker = 'ALARM("HighSeverity") OR ALARM("LargeScaleEvent")'

[[waves]]
name = "wave-1"
stages = [{ name = "prod", environments = ["prod-1", "prod-2"] }]
"#;

#[test]
fn f_blocker_in_alarm_then_overridden_with_a_reason() {
    let mut h = Harness::new(BLOCKED, "2026-03-02T10:00:00Z");
    h.preset_everywhere(&[1]);
    h.alarms.insert("LargeScaleEvent".into(), AlarmState::Alarm);
    h.release(2);
    h.run_for(mins(120));
    // Pre-production has no blocker: beta took v2. Production waits.
    assert!(h.stage_approved_at("beta", 2).is_some());
    assert!(h.starts("prod-1").is_empty());
    assert_eq!(
        h.outlook("prod").status,
        StageStatus::Blocked {
            release: v(2),
            expression: r#"ALARM("HighSeverity") OR ALARM("LargeScaleEvent")"#.into(),
            alarms: vec!["LargeScaleEvent".into()],
            unknown: vec![],
        }
    );
    // `captain gate prod` says no.
    let gate = stage_outlook(&h.state, &h.pipeline, h.now, &h.signals(), "prod")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!gate.may_start());

    // A person overrides for an hour, with a reason: v2 starts, carrying the override.
    let reason = "v2 carries the mitigation for the large-scale event";
    h.state.overrides.push(BlockerOverride {
        target: "prod".into(),
        actor: "alice".into(),
        reason: reason.into(),
        created_at: h.now,
        until: Some(add(h.now, mins(60))),
    });
    let gate = stage_outlook(&h.state, &h.pipeline, h.now, &h.signals(), "prod")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(gate.may_start());
    h.run_for(mins(1));
    let started: Vec<_> = h
        .log
        .iter()
        .filter_map(|(_, d)| match d {
            Decision::StartDeployment {
                environment,
                overridden: Some(o),
                ..
            } => Some((environment.clone(), o.actor.clone(), o.reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        started,
        vec![
            ("prod-1".into(), "alice".into(), reason.to_string()),
            ("prod-2".into(), "alice".into(), reason.to_string()),
        ]
    );

    // The override has expired when v3 arrives: blocked again.
    h.run_for(mins(90));
    h.release(3);
    h.run_for(mins(30));
    assert_eq!(h.starts("prod-1").len(), 1);
    assert!(
        matches!(h.outlook("prod").status, StageStatus::Blocked { release, .. } if release == v(3))
    );

    // An unknown alarm state keeps the blocker closed too.
    h.alarms.insert("LargeScaleEvent".into(), AlarmState::Ok);
    h.alarms.insert("HighSeverity".into(), AlarmState::Unknown);
    h.run_for(mins(5));
    assert!(
        matches!(&h.outlook("prod").status, StageStatus::Blocked { alarms, unknown, .. }
        if alarms.is_empty() && unknown == &vec!["HighSeverity".to_string()])
    );

    // The alarms clear: v3 starts without an override.
    h.alarms.insert("HighSeverity".into(), AlarmState::Ok);
    h.run_for(mins(1));
    assert_eq!(h.starts("prod-1").len(), 2);
    assert!(matches!(
        h.log.iter().rev().find(|(_, d)| matches!(d, Decision::StartDeployment { .. })),
        Some((_, Decision::StartDeployment { overridden: None, release, .. })) if *release == v(3)
    ));
}

#[test]
fn stage_outlook_names_unknown_stages() {
    let h = Harness::new(THREE_STAGES, "2026-03-02T10:00:00Z");
    let err = stage_outlook(&h.state, &h.pipeline, h.now, &Signals::default(), "stage-4");
    let err = err
        .err()
        .unwrap_or_else(|| panic!("stage-4 should not exist"));
    assert_eq!(err.kind, crate::ErrorKind::NotFound);
    assert!(err.message.contains("stage-4"));
}

// --- Single rules -------------------------------------------------------------------------

#[test]
fn the_first_stage_takes_the_newest_release_and_supersedes_the_rest() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T10:00:00Z");
    for n in 1..=3 {
        h.release(n);
    }
    h.run_for(mins(1));
    assert_eq!(h.starts("env-1"), vec![(ts("2026-03-02T10:00:00Z"), v(3))]);
    assert_eq!(h.superseded("stage-1"), vec![(v(1), v(3)), (v(2), v(3))]);
    // Recorded once: later passes do not repeat it.
    h.run_for(mins(60));
    assert_eq!(h.superseded("stage-1").len(), 2);
}

#[test]
fn stage_locks_hold_promotions_in_and_out() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T10:00:00Z");
    h.preset_everywhere(&[1]);
    h.lock("stage-2", LockDirection::In, "investigating");
    h.release(2);
    h.run_for(mins(30));
    assert!(h.stage_approved_at("stage-1", 2).is_some());
    assert!(h.starts("env-2").is_empty());
    assert!(matches!(&h.outlook("stage-2").status,
        StageStatus::Locked { release, lock } if *release == v(2) && lock.target == "stage-2"));
    // Turn it into an out lock: v2 enters stage 2 but does not leave it.
    h.enable("stage-2", LockDirection::In);
    h.lock("stage-2", LockDirection::Out, "hold after stage 2");
    h.run_for(mins(30));
    assert!(h.stage_approved_at("stage-2", 2).is_some());
    assert!(h.starts("env-3").is_empty());
    assert!(matches!(
        h.outlook("stage-3").status,
        StageStatus::Locked { .. }
    ));
    h.enable("stage-2", LockDirection::Both);
    h.run_for(mins(15));
    assert_eq!(h.current("env-3"), Some(v(2)));
}

#[test]
fn alarm_expressions_are_three_valued() {
    use crate::config::AlarmExpr;
    let expr = |text: &str| AlarmExpr::parse(text).unwrap_or_else(|e| panic!("{e}"));
    let signals = Signals {
        alarms: [
            ("A".to_string(), AlarmState::Alarm),
            ("O".to_string(), AlarmState::Ok),
        ]
        .into(),
        ..Signals::default()
    };
    // "U" is not observed: unknown.
    let cases = [
        (r#"ALARM("A") OR ALARM("U")"#, AlarmState::Alarm),
        (r#"ALARM("O") OR ALARM("U")"#, AlarmState::Unknown),
        (r#"ALARM("O") AND ALARM("U")"#, AlarmState::Ok),
        (r#"ALARM("A") AND ALARM("U")"#, AlarmState::Unknown),
        (r#"NOT ALARM("U")"#, AlarmState::Unknown),
        (r#"NOT ALARM("O") AND ALARM("A")"#, AlarmState::Alarm),
        (r#"ALARM("O") OR ALARM("O")"#, AlarmState::Ok),
    ];
    for (text, wanted) in cases {
        assert_eq!(eval_alarm(&expr(text), &signals), wanted, "{text}");
    }
}

#[test]
fn stale_decisions_change_nothing() {
    let mut h = Harness::new(THREE_STAGES, "2026-03-02T10:00:00Z");
    h.release(1);
    h.run_for(mins(1));
    let before = h.state.clone();
    let stale = Decision::ApproveEnvironment {
        deployment: DeploymentId("deploy-ffffff".into()),
        environment: "env-1".into(),
        release: v(1),
        kind: DeploymentKind::Normal,
    };
    h.state
        .apply(&stale, h.now, &mut || DeploymentId("deploy-000000".into()));
    assert_eq!(h.state, before);
}

const WAVE_BAKE: &str = r#"
name = "wave-bake"
[[waves]]
name = "wave-1"
bake_time = "1h"
wave_bake_time = "12h"
stages = [
  { name = "wave-1-onebox", environments = ["w1-onebox"] },
  { name = "wave-1-zonal", environments = ["w1-a", "w1-b"] },
]
[[waves]]
name = "wave-2"
stages = [{ name = "wave-2-zonal", environments = ["w2-a"] }]
"#;

#[test]
fn the_next_wave_waits_for_the_wave_bake_after_the_stage_bakes() {
    let mut h = Harness::new(WAVE_BAKE, "2026-03-02T00:00:00Z");
    h.release(1);
    h.run_until("2026-03-02T01:15:00Z");
    // The one-box stage bakes its own hour only.
    assert_eq!(
        h.stage_approved_at("wave-1-onebox", 1),
        Some(ts("2026-03-02T01:10:00Z"))
    );
    assert_eq!(h.starts("w1-a"), vec![(ts("2026-03-02T01:10:00Z"), v(1))]);
    // The wave's last stage bakes its hour, then the wave's 12 hours: `next` and `gate`
    // (the outlooks of the same pass) say so and keep wave 2 waiting.
    h.run_until("2026-03-02T14:00:00Z");
    let signals = h.signals();
    let zonal = stage_outlook(&h.state, &h.pipeline, h.now, &signals, "wave-1-zonal")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        matches!(zonal.status, StageStatus::Baking { until, .. } if until == ts("2026-03-02T14:20:00Z")),
        "{zonal:?}"
    );
    let wave_2 = stage_outlook(&h.state, &h.pipeline, h.now, &signals, "wave-2-zonal")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        !wave_2.may_start() && wave_2.waiting.is_none(),
        "{wave_2:?}"
    );
    assert!(h.starts("w2-a").is_empty());
    // A CI asking to deploy wave 2 is refused for the same reason.
    let refused = start_check(&h.state, &h.pipeline, h.now, &signals, "w2-a", v(1))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        matches!(refused, Err(StartRefusal::NotApproved { .. })),
        "{refused:?}"
    );
    h.run_until("2026-03-02T14:25:00Z");
    assert_eq!(
        h.stage_approved_at("wave-1-zonal", 1),
        Some(ts("2026-03-02T14:20:00Z"))
    );
    assert_eq!(h.starts("w2-a"), vec![(ts("2026-03-02T14:20:00Z"), v(1))]);
    // Wave 2 sets no bake: its own last stage approves right after its deploy.
    h.run_until("2026-03-02T14:40:00Z");
    assert_eq!(
        h.stage_approved_at("wave-2-zonal", 1),
        Some(ts("2026-03-02T14:30:00Z"))
    );
}

//! An expedited release as the engine decides it: once its request has as many distinct
//! approvals as `[expedite]` asks, that release — and only that one — bakes by the
//! expedited rules (scaled, or set per wave) and, without `keep_windows`, passes closed
//! windows; a request short of approvals changes nothing.

use std::collections::BTreeSet;

use super::harness::*;
use super::*;

const PIPELINE: &str = r#"
name = "expedite"

[groups]
release-managers = ["alice", "bob", "carol"]

[expedite]
bake_scale = 0.25
wave_bake = { "wave-2" = "10m" }
keep_windows = false
approvers = 2
allowed = ["group:release-managers"]

[[stages]]
name = "beta"
environments = ["beta"]
bake_time = "4h"

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1"] }]
bake_time = "8h"
wave_bake_time = "4h"
window = { days = "mon-fri", hours = "09:00-17:00" }

[[waves]]
name = "wave-2"
stages = [{ name = "prod-2", environments = ["prod-2"] }]
bake_time = "8h"
"#;

fn expedite(h: &mut Harness, release: u64, approvers: &[&str]) {
    h.state.expedites.push(ExpediteRecord {
        release: v(release),
        actor: "dave".into(),
        reason: "fixes checkout".into(),
        at: h.now,
        approved_by: approvers
            .iter()
            .map(|a| a.to_string())
            .collect::<BTreeSet<_>>(),
    });
}

/// When `environment` first got `release`.
fn reached(h: &Harness, environment: &str, release: u64) -> Option<Timestamp> {
    h.starts(environment)
        .into_iter()
        .find(|(_, r)| *r == v(release))
        .map(|(at, _)| at)
}

fn hours(from: Timestamp, to: Timestamp) -> f64 {
    to.duration_since(from).as_secs_f64() / 3600.0
}

#[test]
fn an_approved_expedite_shortens_the_bakes_of_that_release_only() {
    // Monday 09:00: the window of wave-1 is open.
    let mut h = Harness::new(PIPELINE, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    expedite(&mut h, 2, &["alice", "bob"]);
    assert!(expedited(&h.state, &h.pipeline, v(2)));
    assert!(!expedited(&h.state, &h.pipeline, v(1)));
    h.run_while_not(mins(24 * 60), |h| h.current("prod-2") == Some(v(2)));
    let start = ts("2026-03-02T09:00:00Z");
    // beta bakes 4h × 0.25 = 1h; prod-1 (8h + 4h wave) × 0.25 = 3h; prod-2 10m (per wave).
    let beta = reached(&h, "beta", 2).expect("beta");
    let prod1 = reached(&h, "prod-1", 2).expect("prod-1");
    let prod2 = reached(&h, "prod-2", 2).expect("prod-2");
    // Each stage: a 10-minute deploy, then the bake.
    assert!(
        (hours(beta, prod1) - (1.0 + 10.0 / 60.0)).abs() < 0.05,
        "{beta} → {prod1}"
    );
    assert!(
        (hours(prod1, prod2) - (3.0 + 10.0 / 60.0)).abs() < 0.05,
        "{prod1} → {prod2}"
    );
    assert!(hours(start, prod2) < 5.0);

    // The next release is not expedited: it bakes the full 4h in beta.
    h.release(3);
    let from = h.now;
    h.run_while_not(mins(24 * 60), |h| reached(h, "prod-1", 3).is_some());
    let beta3 = reached(&h, "beta", 3).expect("beta");
    let prod3 = reached(&h, "prod-1", 3);
    assert!(beta3 >= from);
    if let Some(prod3) = prod3 {
        assert!(hours(beta3, prod3) >= 4.0, "{beta3} → {prod3}");
    }
}

#[test]
fn an_expedite_short_of_approvals_changes_nothing() {
    let mut h = Harness::new(PIPELINE, "2026-03-02T09:00:00Z");
    h.preset_everywhere(&[1]);
    h.release(2);
    expedite(&mut h, 2, &["alice"]);
    assert!(!expedited(&h.state, &h.pipeline, v(2)));
    h.run_for(mins(3 * 60));
    assert_eq!(reached(&h, "prod-1", 2), None, "beta still bakes its 4h");
}

#[test]
fn an_expedited_release_passes_closed_windows_unless_they_are_kept() {
    // Saturday: wave-1's window (mon-fri) is closed all weekend.
    let saturday = "2026-03-07T09:00:00Z";
    let mut h = Harness::new(PIPELINE, saturday);
    h.preset_everywhere(&[1]);
    h.release(2);
    expedite(&mut h, 2, &["alice", "carol"]);
    h.run_for(mins(4 * 60));
    assert!(
        reached(&h, "prod-1", 2).is_some(),
        "the window does not hold it"
    );

    let kept = PIPELINE.replace("keep_windows = false", "keep_windows = true");
    let mut h = Harness::new(&kept, saturday);
    h.preset_everywhere(&[1]);
    h.release(2);
    expedite(&mut h, 2, &["alice", "carol"]);
    h.run_for(mins(4 * 60));
    assert_eq!(reached(&h, "prod-1", 2), None);
    assert!(matches!(
        h.outlook("prod-1").status,
        StageStatus::WindowClosed { .. }
    ));
}

#[test]
fn without_an_expedite_section_nothing_is_expedited() {
    let plain = PIPELINE
        .split("[[stages]]")
        .nth(1)
        .map(|rest| format!("name = \"plain\"\n[[stages]]{rest}"))
        .expect("stages");
    let mut h = Harness::new(&plain, "2026-03-02T09:00:00Z");
    h.release(1);
    expedite(&mut h, 1, &["alice", "bob", "carol"]);
    assert!(!expedited(&h.state, &h.pipeline, v(1)));
}

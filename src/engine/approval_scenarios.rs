//! Approvals by several people, as the engine decides them: an external step with
//! `approvers = N` passes once N distinct people approved it — not before, whoever
//! drives — and says meanwhile who approved and how many are missing; one rejection
//! fails it. [`may_approve`] refuses a second approval by the same person, someone
//! `allowed` does not name, and (without self-approval) the release's author and the
//! actor who started the deployment.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{DeploymentId, DeploymentKind};

use super::harness::*;
use super::*;

const TWO_PEOPLE: &str = r#"
name = "approvals"

[groups]
principal-engineers = ["alice", "bob", "carol"]

[[stages]]
name = "beta"
environments = ["beta"]
[[stages]]
name = "prod"
environments = ["prod-1", "prod-2"]
bake_time = "1h"
approvals = [
  { kind = "external", name = "sign-off", approvers = 2, allowed = ["group:principal-engineers", "dave"], self_approval = false },
]
"#;

fn at(minutes: i64) -> Timestamp {
    ts("2026-03-02T09:00:00Z")
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .expect("time")
}

fn id(n: u32) -> DeploymentId {
    DeploymentId(format!("deploy-{n:06x}"))
}

/// v1 approved by beta, waiting in both prod environments for the sign-off.
fn waiting_for_sign_off() -> EngineState {
    let mut state = EngineState {
        releases: vec![v(1)],
        ..EngineState::default()
    };
    state
        .stages
        .entry("beta".into())
        .or_default()
        .approved
        .insert(v(1));
    state
        .environments
        .entry("beta".into())
        .or_default()
        .approved
        .insert(v(1));
    state.stages.entry("prod".into()).or_default().working = Some(v(1));
    for (n, env) in ["prod-1", "prod-2"].iter().enumerate() {
        state
            .environments
            .entry(env.to_string())
            .or_default()
            .active = Some(ActiveDeployment {
            id: id(n as u32 + 1),
            release: v(1),
            kind: DeploymentKind::Normal,
            started_at: at(0),
            phase: Phase::Verifying {
                step: 0,
                started: true,
            },
        });
    }
    state
}

fn people(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn settle_here(state: &mut EngineState, pipeline: &Pipeline, now: Timestamp, signals: &Signals) {
    let mut n = 100;
    settle(state, pipeline, now, signals, &mut || {
        n += 1;
        id(n)
    });
}

fn phase(state: &EngineState, env: &str) -> Option<Phase> {
    state.environments[env].active.as_ref().map(|a| a.phase)
}

#[test]
fn a_step_needing_two_people_waits_for_the_second_and_says_who_approved() {
    let pipeline = pipeline(TWO_PEOPLE);
    let mut state = waiting_for_sign_off();
    let mut signals = Signals::default();
    signals.approvals.insert((id(1), 0), people(&["alice"]));
    settle_here(&mut state, &pipeline, at(5), &signals);
    let waiting = Phase::Verifying {
        step: 0,
        started: true,
    };
    assert_eq!(
        phase(&state, "prod-1"),
        Some(waiting),
        "one of two is not enough"
    );

    let outlook = stage_outlook(&state, &pipeline, at(5), &signals, "prod").expect("prod");
    let StageStatus::Verifying { approvals, .. } = &outlook.status else {
        panic!("{outlook:?}");
    };
    let allowed = vec!["group:principal-engineers".to_string(), "dave".to_string()];
    assert_eq!(
        approvals,
        &[
            ApprovalProgress {
                environment: "prod-1".into(),
                deployment: id(1),
                step: "sign-off".into(),
                approved_by: vec!["alice".into()],
                required: 2,
                missing: 1,
                allowed: allowed.clone(),
            },
            ApprovalProgress {
                environment: "prod-2".into(),
                deployment: id(2),
                step: "sign-off".into(),
                approved_by: vec![],
                required: 2,
                missing: 2,
                allowed,
            },
        ]
    );

    // The second person: prod-1 bakes; prod-2 still waits for its own two.
    signals
        .approvals
        .insert((id(1), 0), people(&["alice", "dave"]));
    settle_here(&mut state, &pipeline, at(6), &signals);
    assert_eq!(
        phase(&state, "prod-1"),
        Some(Phase::Baking { since: at(6) })
    );
    assert_eq!(phase(&state, "prod-2"), Some(waiting));

    signals
        .approvals
        .insert((id(2), 0), people(&["bob", "carol"]));
    settle_here(&mut state, &pipeline, at(7), &signals);
    settle_here(&mut state, &pipeline, at(67), &signals);
    assert!(state.stages["prod"].approved.contains(&v(1)));
}

#[test]
fn one_rejection_fails_the_step_whatever_approvals_it_had() {
    let pipeline = pipeline(TWO_PEOPLE);
    let mut state = waiting_for_sign_off();
    let mut signals = Signals::default();
    signals.approvals.insert((id(1), 0), people(&["alice"]));
    signals.step_results.insert((id(1), 0), StepResult::Failed);
    settle_here(&mut state, &pipeline, at(5), &signals);
    assert!(state.stages["prod"].failed.contains(&v(1)));
}

#[test]
fn a_step_with_one_approver_passes_on_the_first_approval_as_it_always_did() {
    let one = TWO_PEOPLE.replace(
        ", approvers = 2, allowed = [\"group:principal-engineers\", \"dave\"], self_approval = false",
        "",
    );
    let pipeline = pipeline(&one);
    let mut state = waiting_for_sign_off();
    let mut signals = Signals::default();
    signals.approvals.insert((id(1), 0), people(&["anyone"]));
    settle_here(&mut state, &pipeline, at(5), &signals);
    assert_eq!(
        phase(&state, "prod-1"),
        Some(Phase::Baking { since: at(5) })
    );
}

fn sign_off(pipeline: &Pipeline) -> &crate::config::Approvers {
    let stage = pipeline.stage("prod").expect("prod");
    match &stage.settings.approvals[0].kind {
        crate::config::ApprovalKind::External(rule) => rule,
        other => panic!("{other:?}"),
    }
}

fn involved() -> Vec<Involved> {
    vec![
        Involved {
            actor: "bob".into(),
            did: "created v1".into(),
        },
        Involved {
            actor: "ci".into(),
            did: "started deploy-000001".into(),
        },
    ]
}

#[test]
fn who_may_approve_people_and_groups_once_each_never_their_own_change() {
    let pipeline = pipeline(TWO_PEOPLE);
    let rule = sign_off(&pipeline);
    let none = BTreeSet::new();
    // A group's member and a person named directly.
    assert_eq!(may_approve(rule, "carol", &involved(), &none), Ok(()));
    assert_eq!(may_approve(rule, "dave", &involved(), &none), Ok(()));
    // Nobody else.
    assert_eq!(
        may_approve(rule, "mallory", &involved(), &none),
        Err(ApprovalRefusal::NotAllowed {
            actor: "mallory".into(),
            allowed: vec!["group:principal-engineers".into(), "dave".into()],
        })
    );
    // A second approval by the same person.
    assert_eq!(
        may_approve(rule, "alice", &involved(), &people(&["alice"])),
        Err(ApprovalRefusal::AlreadyApproved {
            actor: "alice".into()
        })
    );
    // The release's author, though in the group.
    let refusal = may_approve(rule, "bob", &involved(), &none).expect_err("own change");
    assert_eq!(
        refusal.to_string(),
        "bob created v1, and may not approve their own change"
    );
    assert_eq!(
        may_approve(rule, "  ", &involved(), &none),
        Err(ApprovalRefusal::NoName)
    );
}

#[test]
fn self_approval_is_allowed_unless_the_step_forbids_it() {
    let open = TWO_PEOPLE.replace("self_approval = false", "self_approval = true");
    let pipeline = pipeline(&open);
    let rule = sign_off(&pipeline);
    assert_eq!(
        may_approve(rule, "bob", &involved(), &BTreeSet::new()),
        Ok(())
    );
    // The starter of the deployment is refused where the step forbids it.
    let strict = self::pipeline(TWO_PEOPLE);
    let mut with_ci = sign_off(&strict).clone();
    with_ci.people.insert("ci".into());
    with_ci.allowed.push("ci".into());
    assert!(matches!(
        may_approve(&with_ci, "ci", &involved(), &BTreeSet::new()),
        Err(ApprovalRefusal::OwnChange { .. })
    ));
}

#[test]
fn the_approvals_of_a_deployment_another_loop_drives_are_shown_too() {
    let pipeline = pipeline(TWO_PEOPLE);
    let state = waiting_for_sign_off();
    let signals = Signals {
        approvals: BTreeMap::from([((id(1), 0), people(&["carol"]))]),
        driven_elsewhere: [id(1), id(2)].into(),
        ..Signals::default()
    };
    let outlook = stage_outlook(&state, &pipeline, at(5), &signals, "prod").expect("prod");
    let StageStatus::Verifying { approvals, .. } = &outlook.status else {
        panic!("{outlook:?}");
    };
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[0].approved_by, ["carol"]);
    assert_eq!(approvals[0].missing, 1);
}

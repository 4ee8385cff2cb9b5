//! Observing the world for one pass: alarm states of the expressions the stages use,
//! data points of baking environments, the recorded verdicts of external approval steps,
//! and who drives which deployment — turned into the engine's [`Signals`]. The loop and
//! the CI commands' pass ([`crate::ops::pass`]) observe the same way.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Pipeline, Stage};
use crate::engine::{AlarmState, EngineState, Phase, Signals, StepResult};
use crate::exec::{self, Probes};
use crate::model::DeploymentKind;
use crate::store::{EngineSnapshot, RunnerId};

/// The engine's three-valued state of an executor's observation.
pub fn engine_alarm(state: &exec::AlarmState) -> AlarmState {
    match state {
        exec::AlarmState::Ok => AlarmState::Ok,
        exec::AlarmState::Alarm(_) => AlarmState::Alarm,
        exec::AlarmState::Unknown(_) => AlarmState::Unknown,
    }
}

/// The alarm names worth observing now: each stage's blocker (it decides whether a
/// deployment may start) and, for stages with a normal deployment in progress, its
/// rollback alarm.
pub fn alarm_names(pipeline: &Pipeline, state: &EngineState) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for stage in &pipeline.stages {
        if let Some(blocker) = &stage.settings.blocker {
            names.extend(blocker.names().into_iter().map(str::to_string));
        }
        if let Some(alarm) = &stage.settings.rollback_alarm
            && stage_has_normal_active(stage, state)
        {
            names.extend(alarm.names().into_iter().map(str::to_string));
        }
    }
    names
}

fn stage_has_normal_active(stage: &Stage, state: &EngineState) -> bool {
    stage.environments.iter().any(|e| {
        state
            .environments
            .get(&e.name)
            .and_then(|l| l.active.as_ref())
            .is_some_and(|a| a.kind == DeploymentKind::Normal)
    })
}

/// Observes the named alarms once each; also returns why each is not OK, for logs.
pub fn observe_alarms(
    pipeline: &Pipeline,
    names: &BTreeSet<String>,
    probes: &Probes,
) -> (BTreeMap<String, AlarmState>, BTreeMap<String, String>) {
    let observed = exec::alarm_states(names.iter().map(String::as_str), &pipeline.alarms, probes);
    let mut states = BTreeMap::new();
    let mut why = BTreeMap::new();
    for (name, state) in observed {
        match &state {
            exec::AlarmState::Alarm(text) | exec::AlarmState::Unknown(text) => {
                why.insert(name.clone(), text.clone());
            }
            exec::AlarmState::Ok => {}
        }
        states.insert(name, engine_alarm(&state));
    }
    (states, why)
}

/// Data points of every baking environment whose stage waits for some.
pub fn observe_data_points(
    pipeline: &Pipeline,
    state: &EngineState,
    probes: &Probes,
) -> BTreeMap<String, u64> {
    let mut points = BTreeMap::new();
    for stage in &pipeline.stages {
        let Some(wanted) = &stage.settings.min_data_points else {
            continue;
        };
        for env in &stage.environments {
            let baking = state
                .environments
                .get(&env.name)
                .and_then(|l| l.active.as_ref())
                .is_some_and(|a| matches!(a.phase, Phase::Baking { .. }));
            if !baking {
                continue;
            }
            let rendered = crate::config::DataPoints {
                url: env.render(&wanted.url),
                query: env.render(&wanted.query),
                count: wanted.count,
            };
            // An unreadable metric counts as no data: the bake waits, it never passes.
            let have = exec::data_points(&rendered, probes).unwrap_or(0);
            points.insert(env.name.clone(), have);
        }
    }
    points
}

/// Signals with the given alarms and data points and nothing finished yet.
pub fn base_signals(
    alarms: BTreeMap<String, AlarmState>,
    data_points: BTreeMap<String, u64>,
) -> Signals {
    Signals {
        alarms,
        data_points,
        ..Signals::default()
    }
}

/// Everything a pass observes besides what its own executors report (`me` is the driver,
/// `exclusive` when it holds the pipeline's drive lock): the alarms the stages use, the
/// data points of baking environments, the recorded verdicts of external approval steps,
/// the deployments of stages captain does not deploy (an external CI deploys and checks
/// them: [`Signals::ci_checked`]), and the deployments a live loop other than `me`
/// drives ([`Signals::driven_elsewhere`]). Also returns why each alarm is not OK, for logs.
pub fn observe(
    pipeline: &Pipeline,
    snapshot: &EngineSnapshot,
    probes: &Probes,
    me: &RunnerId,
    exclusive: bool,
) -> (Signals, BTreeMap<String, String>) {
    let names = alarm_names(pipeline, &snapshot.state);
    let (alarms, why) = observe_alarms(pipeline, &names, probes);
    let points = observe_data_points(pipeline, &snapshot.state, probes);
    let mut signals = base_signals(alarms, points);
    for verdict in &snapshot.step_results {
        let key = (verdict.deployment.clone(), verdict.step);
        if verdict.passed {
            // One approval by one person: the engine counts them against `approvers`.
            signals
                .approvals
                .entry(key)
                .or_default()
                .insert(verdict.actor.clone());
        } else {
            signals.step_results.insert(key, StepResult::Failed);
        }
    }
    for record in &snapshot.active {
        let external_stage = pipeline
            .stage(&record.stage)
            .is_some_and(|s| s.settings.deploy.is_none());
        if external_stage {
            signals.ci_checked.insert(record.deployment.clone());
        }
        if let Some(owner) = &record.runner
            && owner != me
            && !exclusive
            && !super::runner_dead(owner, me)
        {
            signals.driven_elsewhere.insert(record.deployment.clone());
        }
    }
    (signals, why)
}

/// Each stage's blocker where this pass sees it otherwise than the ledger last recorded:
/// gone into ALARM (a stage never recorded counts as OK) or back to OK. A blocker without
/// data is no observation; a pass records these with its decisions.
pub fn new_blocker_states(
    pipeline: &Pipeline,
    snapshot: &EngineSnapshot,
    signals: &Signals,
) -> BTreeMap<String, crate::store::BlockerSeen> {
    let mut seen = BTreeMap::new();
    for stage in &pipeline.stages {
        let Some(blocker) = &stage.settings.blocker else {
            continue;
        };
        let alarm = match crate::engine::eval_alarm(blocker, signals) {
            AlarmState::Alarm => true,
            AlarmState::Ok => false,
            AlarmState::Unknown => continue,
        };
        if !crate::store::run_records::blocker_changed(
            snapshot.blockers.get(&stage.name).copied(),
            alarm,
        ) {
            continue;
        }
        let alarms = blocker
            .names()
            .into_iter()
            .filter(|n| signals.alarm(n) == AlarmState::Alarm)
            .map(str::to_string)
            .collect();
        seen.insert(
            stage.name.clone(),
            crate::store::BlockerSeen {
                alarm,
                expression: blocker.to_string(),
                alarms,
            },
        );
    }
    seen
}

/// The data points observed for baking deployments that differ from what the ledger
/// noted last: what a pass records with its decisions for `captain status`.
pub fn new_data_points(
    snapshot: &EngineSnapshot,
    signals: &Signals,
) -> BTreeMap<crate::model::DeploymentId, u64> {
    snapshot
        .active
        .iter()
        .filter(|a| matches!(a.phase, Phase::Baking { .. }))
        .filter_map(|a| {
            let have = *signals.data_points.get(&a.environment)?;
            (a.data_points != Some(have)).then(|| (a.deployment.clone(), have))
        })
        .collect()
}

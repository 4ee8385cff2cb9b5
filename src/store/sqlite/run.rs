//! The SQLite side of what `captain run` keeps (see [`crate::store::run_records`]): the
//! engine snapshot in one read transaction, a pass's decisions in one write transaction,
//! process ownership, stage records, overrides and external step results.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{
    Tx, all_locks, audit, deployment_by_id, finish_deployment, micros, num, opt_ts, parsed,
    release_number, start_deployment, truncate, ts,
};
use crate::engine::{ActiveDeployment, BlockerOverride, Decision, EngineState, EnvLedger, Phase};
use crate::error::Error;
use crate::model::*;
use crate::store::run_records::*;

fn phase_columns(phase: &Phase) -> (&'static str, Option<i64>, bool, Option<i64>) {
    match phase {
        Phase::Deploying => ("deploying", None, false, None),
        Phase::Verifying { step, started } => (
            "verifying",
            Some(i64::try_from(*step).unwrap_or(i64::MAX)),
            *started,
            None,
        ),
        Phase::Baking { since } => ("baking", None, false, Some(micros(*since))),
    }
}

/// Reads a progress row's columns `phase, step, step_started, since` starting at `idx`.
fn phase_from_row(row: &Row, idx: usize, started_at: Timestamp) -> rusqlite::Result<Phase> {
    let phase: Option<String> = row.get(idx)?;
    let step: Option<i64> = row.get(idx + 1)?;
    let started: Option<bool> = row.get(idx + 2)?;
    let since = opt_ts(row, idx + 3)?;
    Ok(match phase.as_deref() {
        Some("verifying") => Phase::Verifying {
            step: step.and_then(|s| usize::try_from(s).ok()).unwrap_or(0),
            started: started.unwrap_or(false),
        },
        Some("baking") => Phase::Baking {
            since: since.unwrap_or(started_at),
        },
        _ => Phase::Deploying,
    })
}

fn runner_from_row(row: &Row, idx: usize) -> rusqlite::Result<Option<RunnerId>> {
    let host: Option<String> = row.get(idx)?;
    let pid: Option<i64> = row.get(idx + 1)?;
    let start: Option<i64> = row.get(idx + 2)?;
    Ok(match (host, pid.and_then(|p| u32::try_from(p).ok())) {
        (Some(host), Some(pid)) => Some(RunnerId {
            host,
            pid,
            start_time: start.and_then(|s| u64::try_from(s).ok()),
        }),
        _ => None,
    })
}

fn opt_i64(value: Option<u64>) -> Option<i64> {
    value.and_then(|v| i64::try_from(v).ok())
}

/// The columns [`active_from_row`] reads: a deployment `d` and its progress `p`.
macro_rules! active_columns {
    () => {
        "SELECT d.seq, d.id, d.environment, d.stage, d.release, d.kind, d.started_at,
            p.phase, p.step, p.step_started, p.since,
            p.runner_host, p.runner_pid, p.runner_start, p.pid, p.pid_start, p.data_points"
    };
}

/// The deployment in progress in an environment, with its phase.
const ACTIVE_SQL: &str = concat!(
    active_columns!(),
    " FROM environment_state s
     JOIN deployments d ON d.seq = s.in_progress_seq
     LEFT JOIN deployment_progress p ON p.deployment = d.seq
     WHERE s.environment = ?1"
);

struct ActiveRow {
    seq: i64,
    engine: ActiveDeployment,
    record: ActiveRecord,
}

fn active_from_row(row: &Row) -> rusqlite::Result<ActiveRow> {
    let started_at = ts(row, 6)?;
    let phase = phase_from_row(row, 7, started_at)?;
    let id = DeploymentId(row.get(1)?);
    let pid: Option<i64> = row.get(14)?;
    let pid_start: Option<i64> = row.get(15)?;
    let since = opt_ts(row, 10)?;
    Ok(ActiveRow {
        seq: row.get(0)?,
        engine: ActiveDeployment {
            id: id.clone(),
            release: release_number(row, 4)?,
            kind: parsed(row, 5)?,
            started_at,
            phase,
        },
        record: ActiveRecord {
            deployment: id,
            environment: row.get(2)?,
            stage: row.get(3)?,
            phase,
            phase_since: since,
            runner: runner_from_row(row, 11)?,
            process: pid
                .and_then(|p| u32::try_from(p).ok())
                .map(|pid| ProcessRecord {
                    pid,
                    start_time: pid_start.and_then(|s| u64::try_from(s).ok()),
                }),
            data_points: row
                .get::<_, Option<i64>>(16)?
                .and_then(|n| u64::try_from(n).ok()),
        },
    })
}

pub(super) fn engine_snapshot(
    conn: &Connection,
    stages: &[StageScope],
    at: Timestamp,
) -> Tx<EngineSnapshot> {
    let mut state = EngineState {
        locks: all_locks(conn)?,
        ..EngineState::default()
    };
    // The deployments in progress first: their releases bound what is read below.
    let mut active = Vec::new();
    let mut active_seqs = Vec::new();
    let mut marks = Vec::with_capacity(stages.len());
    let expected = stages.iter().map(|scope| scope.environments.len()).sum();
    let currents = super::current_releases(conn, expected)?;
    for scope in stages {
        let mut oldest_active: Option<ReleaseNumber> = None;
        for environment in &scope.environments {
            let mut env = EnvLedger {
                current: currents.get(environment).copied(),
                ..EnvLedger::default()
            };
            if let Some(row) = conn
                .prepare_cached(ACTIVE_SQL)?
                .query_row([environment], active_from_row)
                .optional()?
            {
                let release = row.engine.release;
                oldest_active = Some(oldest_active.map_or(release, |r| r.min(release)));
                env.active = Some(row.engine);
                active_seqs.push(row.seq);
                active.push(row.record);
            }
            state.environments.insert(environment.clone(), env);
        }
        marks.push(StageMarks {
            deployed: newest_deployed(conn, &scope.name)?,
            recorded: conn
                .prepare_cached("SELECT max(release) FROM stage_records WHERE stage = ?1")?
                .query_row([&scope.name], |row| row.get::<_, Option<i64>>(0))?
                .map(release_of),
            oldest_active,
        });
    }
    let floors = snapshot_floors(stages, &marks);
    let below_floor = i64::try_from(approved_below_floor(&state.locks)).unwrap_or(i64::MAX);
    state.releases = conn
        .prepare_cached("SELECT number FROM releases WHERE number >= ?1 ORDER BY number")?
        .query_map(
            [num(floors.first().copied().unwrap_or(ReleaseNumber(0)))],
            |row| release_number(row, 0),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (scope, floor) in stages.iter().zip(&floors) {
        let floor = num(*floor);
        // What the loop recorded, and what the deployments say.
        let records: Vec<(ReleaseNumber, StageRecordKind, i64)> = conn
            .prepare_cached(
                "SELECT release, record, at FROM stage_records WHERE stage = ?1 AND release >= ?2",
            )?
            .query_map(params![scope.name, floor], |row| {
                let record: String = row.get(1)?;
                Ok((
                    release_number(row, 0)?,
                    StageRecordKind::from_stored(&record),
                    row.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut failed_since_retry = BTreeMap::new();
        for (release, _, at) in records
            .iter()
            .filter(|(_, kind, _)| *kind == StageRecordKind::Retried)
        {
            let failed = conn
                .prepare_cached(
                    "SELECT 1 FROM deployments INDEXED BY deployments_by_stage
                     WHERE stage = ?1 AND kind = 'normal' AND release = ?2 AND started_at > ?3
                       AND outcome NOT IN ('approved', 'in progress')",
                )?
                .exists(params![scope.name, num(*release), at])?;
            failed_since_retry.insert(*release, failed);
        }
        let records = records
            .into_iter()
            .map(|(release, kind, _)| Ok::<_, rusqlite::Error>((release, kind)));
        let mut rows = conn.prepare_cached(
            "SELECT release, outcome, environment FROM deployments INDEXED BY deployments_by_stage
             WHERE stage = ?1 AND kind = 'normal' AND release >= ?2",
        )?;
        let deployments = rows.query_map(params![scope.name, floor], |row| {
            Ok((
                release_number(row, 0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let ledger = stage_ledger(scope, records, deployments, &failed_since_retry)?;
        state.stages.insert(scope.name.clone(), ledger);

        // Each environment's approved releases from the floor, and the newest few below.
        let mut approved = conn.prepare_cached(
            "SELECT DISTINCT release FROM deployments INDEXED BY deployments_by_release
             WHERE environment = ?1 AND release >= ?2 AND outcome = 'approved'",
        )?;
        let mut approved_below = conn.prepare_cached(
            "SELECT DISTINCT release FROM deployments INDEXED BY deployments_by_release
             WHERE environment = ?1 AND release < ?2 AND outcome = 'approved'
             ORDER BY release DESC LIMIT ?3",
        )?;
        for environment in &scope.environments {
            let env = state.environments.entry(environment.clone()).or_default();
            for release in
                approved.query_map(params![environment, floor], |row| release_number(row, 0))?
            {
                env.approved.insert(release?);
            }
            for release in approved_below
                .query_map(params![environment, floor, below_floor], |row| {
                    release_number(row, 0)
                })?
            {
                env.approved.insert(release?);
            }
        }
    }
    state.overrides = overrides(conn, at)?;
    state.expedites = expedites(conn)?;
    let mut step_results = Vec::new();
    // Rejections and older approvals, then the approvals of each person.
    let mut steps = conn.prepare_cached(
        "SELECT step, name, passed, actor, reason, at FROM (
             SELECT step, name, passed, actor, reason, at FROM step_results WHERE deployment = ?1
             UNION ALL
             SELECT step, name, 1, actor, reason, at FROM step_approvals WHERE deployment = ?1
         ) ORDER BY step, at, actor",
    )?;
    for (seq, record) in active_seqs.iter().zip(&active) {
        for verdict in steps.query_map([seq], |row| {
            Ok(StepVerdict {
                deployment: record.deployment.clone(),
                step: usize::try_from(row.get::<_, i64>(0)?).unwrap_or(usize::MAX),
                name: row.get(1)?,
                passed: row.get(2)?,
                actor: row.get(3)?,
                reason: row.get(4)?,
                at: ts(row, 5)?,
            })
        })? {
            step_results.push(verdict?);
        }
    }
    let covered: std::collections::BTreeSet<&str> =
        stages.iter().map(|s| s.name.as_str()).collect();
    let mut blockers = BTreeMap::new();
    for row in conn
        .prepare_cached("SELECT stage, alarm FROM blocker_states")?
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
        })?
    {
        let (stage, alarm) = row?;
        if covered.contains(stage.as_str()) {
            blockers.insert(stage, alarm);
        }
    }
    Ok(EngineSnapshot {
        state,
        active,
        step_results,
        blockers,
    })
}

/// The newest release the stage deployed (a normal deployment) or decided: see
/// [`StageMarks::deployed`].
fn newest_deployed(conn: &Connection, stage: &str) -> Tx<Option<ReleaseNumber>> {
    let deployed: Option<i64> = conn
        .prepare_cached(
            "SELECT max(release) FROM deployments INDEXED BY deployments_by_stage
             WHERE stage = ?1 AND kind = 'normal'",
        )?
        .query_row([stage], |row| row.get(0))?;
    let decided: Option<i64> = conn
        .prepare_cached(
            "SELECT release FROM stage_records WHERE stage = ?1 AND record <> 'superseded'
             ORDER BY release DESC LIMIT 1",
        )?
        .query_row([stage], |row| row.get(0))
        .optional()?;
    Ok(deployed.max(decided).map(release_of))
}

fn release_of(number: i64) -> ReleaseNumber {
    ReleaseNumber(u64::try_from(number).unwrap_or_default())
}

fn overrides(conn: &Connection, at: Timestamp) -> Tx<Vec<BlockerOverride>> {
    let mut stmt = conn.prepare_cached(
        "SELECT target, actor, reason, created_at, until FROM blocker_overrides
         WHERE until IS NULL OR until > ?1 ORDER BY seq",
    )?;
    Ok(stmt
        .query_map([micros(at)], |row| {
            Ok(BlockerOverride {
                target: row.get(0)?,
                actor: row.get(1)?,
                reason: row.get(2)?,
                created_at: ts(row, 3)?,
                until: opt_ts(row, 4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

fn stale(what: String) -> Error {
    Error::conflict(format!(
        "{what}: the decision was made on a stale view of the ledger"
    ))
    .with_hint("the loop reads the ledger again and decides anew")
}

/// The deployment, which must still be in progress.
fn in_progress(conn: &Connection, id: &DeploymentId) -> Tx<(i64, Deployment)> {
    match deployment_by_id(conn, id)? {
        Some((seq, d)) if d.outcome == Outcome::InProgress => Ok((seq, d)),
        Some((_, d)) => {
            Err(stale(format!("deployment {id} already finished as {}", d.outcome)).into())
        }
        None => Err(Error::not_found(format!("deployment {id} does not exist")).into()),
    }
}

fn record_stage(conn: &Connection, record: StageRecord) -> Tx<()> {
    let existing: Option<String> = conn
        .prepare_cached("SELECT record FROM stage_records WHERE stage = ?1 AND release = ?2")?
        .query_row(params![record.stage, num(record.release)], |row| row.get(0))
        .optional()?;
    match existing {
        Some(kind) if kind == record.record.as_str() => return Ok(()),
        Some(kind) if StageRecordKind::from_stored(&kind).may_become(record.record) => {}
        Some(kind) => {
            return Err(stale(format!(
                "{} is already recorded as {kind} in stage {}",
                record.release, record.stage
            ))
            .into());
        }
        None => {}
    }
    let at = truncate(record.at);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO stage_records (stage, release, record, by_release, reason, actor, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        record.stage,
        num(record.release),
        record.record.as_str(),
        record.by.map(num),
        record.reason,
        record.actor,
        micros(at)
    ])?;
    audit(
        conn,
        at,
        &record.actor,
        &format!("stage.{}", record.record.as_str()),
        &record.stage,
        record.reason.as_deref(),
        serde_json::json!({"release": record.release, "by": record.by}),
    )
}

fn set_phase(conn: &Connection, seq: i64, phase: &Phase, at: Timestamp) -> Tx<()> {
    let (name, step, started, since) = phase_columns(phase);
    let since = since.unwrap_or(micros(at));
    conn.prepare_cached(
        "INSERT INTO deployment_progress (deployment, phase, step, step_started, since)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (deployment) DO UPDATE SET phase = excluded.phase, step = excluded.step,
             step_started = excluded.step_started, since = excluded.since,
             pid = CASE WHEN excluded.phase = 'deploying' THEN pid ELSE NULL END,
             pid_start = CASE WHEN excluded.phase = 'deploying' THEN pid_start ELSE NULL END",
    )?
    .execute(params![seq, name, step, started, since])?;
    Ok(())
}

fn set_owner(conn: &Connection, seq: i64, runner: Option<&RunnerId>) -> Tx<()> {
    conn.prepare_cached(
        "UPDATE deployment_progress SET runner_host = ?2, runner_pid = ?3, runner_start = ?4,
             pid = NULL, pid_start = NULL
         WHERE deployment = ?1",
    )?
    .execute(params![
        seq,
        runner.map(|r| r.host.clone()),
        runner.map(|r| r.pid),
        runner.and_then(|r| opt_i64(r.start_time))
    ])?;
    Ok(())
}

pub(super) fn apply_decisions(
    conn: &Connection,
    batch: DecisionBatch,
) -> Tx<super::super::Applied> {
    let at = truncate(batch.at);
    let actor = batch.actor.as_str();
    let mut started = Vec::new();
    let mut finished = Vec::new();
    for decision in &batch.decisions {
        match decision {
            Decision::Supersede { stage, release, by } => record_stage(
                conn,
                StageRecord {
                    stage: stage.clone(),
                    release: *release,
                    record: StageRecordKind::Superseded,
                    by: Some(*by),
                    reason: Some(format!("superseded by {by}")),
                    actor: actor.to_string(),
                    at,
                },
            )?,
            Decision::ApproveStage { stage, release } => record_stage(
                conn,
                StageRecord {
                    stage: stage.clone(),
                    release: *release,
                    record: StageRecordKind::Approved,
                    by: None,
                    reason: None,
                    actor: actor.to_string(),
                    at,
                },
            )?,
            Decision::FailStage {
                stage,
                release,
                reason,
            } => record_stage(
                conn,
                StageRecord {
                    stage: stage.clone(),
                    release: *release,
                    record: StageRecordKind::Failed,
                    by: None,
                    reason: Some(reason.clone()),
                    actor: actor.to_string(),
                    at,
                },
            )?,
            Decision::StartDeployment {
                environment,
                stage,
                release,
                kind,
                reason,
                overridden,
            } => {
                let mut promotion_check = None;
                if *kind == DeploymentKind::Normal {
                    let decided: Option<(String, i64)> = conn
                        .prepare_cached(
                            "SELECT record, at FROM stage_records WHERE stage = ?1 AND release = ?2",
                        )?
                        .query_row(params![stage, num(*release)], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })
                        .optional()?;
                    // A retried release starts again; what started before the retry
                    // does not count.
                    let retried_at = match decided {
                        Some((record, at)) if record == StageRecordKind::Retried.as_str() => at,
                        Some((record, _)) => {
                            return Err(stale(format!(
                                "{release} is already {record} in stage {stage}"
                            ))
                            .into());
                        }
                        None => i64::MIN,
                    };
                    let newer: Option<i64> = conn
                        .prepare_cached(
                            "SELECT max(release) FROM deployments INDEXED BY deployments_by_release
                             WHERE environment = ?1 AND release >= ?2 AND kind = 'normal'
                               AND (release > ?2 OR started_at > ?3)",
                        )?
                        .query_row(params![environment, num(*release), retried_at], |row| {
                            row.get(0)
                        })?;
                    if let Some(newer) = newer {
                        return Err(stale(format!(
                            "{environment} already had a deployment of v{newer}, not older than {release}"
                        ))
                        .into());
                    }
                    promotion_check = StageScope::promotion_check(&batch.stages, stage);
                }
                let reason = start_reason(reason.as_ref(), overridden.as_ref());
                let deployment = start_deployment(
                    conn,
                    NewDeployment {
                        environment: environment.clone(),
                        stage: stage.clone(),
                        release: *release,
                        kind: *kind,
                        actor: actor.to_string(),
                        reason,
                        started_at: at,
                        promotion_check,
                        force: false,
                    },
                )?;
                let (seq, _) = in_progress(conn, &deployment.id)?;
                set_phase(conn, seq, &Phase::Deploying, at)?;
                set_owner(conn, seq, batch.runner.as_ref())?;
                if let Some(o) = overridden {
                    audit(
                        conn,
                        at,
                        actor,
                        "blocker.override.used",
                        &deployment.id.0,
                        Some(&o.reason),
                        serde_json::json!({"target": o.target, "by": o.actor}),
                    )?;
                }
                started.push(deployment);
            }
            Decision::AdvancePhase { deployment, to, .. } => {
                let (seq, _) = in_progress(conn, deployment)?;
                set_phase(conn, seq, to, at)?;
            }
            Decision::RunApprovalStep {
                deployment, step, ..
            } => {
                let (seq, _) = in_progress(conn, deployment)?;
                let running: bool = conn
                    .prepare_cached(
                        "SELECT 1 FROM deployment_progress
                         WHERE deployment = ?1 AND phase = 'verifying' AND step = ?2 AND step_started = 1",
                    )?
                    .exists(params![seq, i64::try_from(*step).unwrap_or(i64::MAX)])?;
                if running {
                    return Err(stale(format!(
                        "approval step {step} of {deployment} is already running"
                    ))
                    .into());
                }
                set_phase(
                    conn,
                    seq,
                    &Phase::Verifying {
                        step: *step,
                        started: true,
                    },
                    at,
                )?;
                set_owner(conn, seq, batch.runner.as_ref())?;
            }
            Decision::ApproveEnvironment { deployment, .. } => {
                in_progress(conn, deployment)?;
                finished.push(finish_deployment(
                    conn,
                    FinishDeployment {
                        id: deployment.clone(),
                        outcome: Outcome::Approved,
                        actor: actor.to_string(),
                        finished_at: at,
                        reason: batch.reason.clone(),
                    },
                )?);
            }
            Decision::FailDeployment {
                deployment,
                outcome,
                ..
            } => {
                in_progress(conn, deployment)?;
                finished.push(finish_deployment(
                    conn,
                    FinishDeployment {
                        id: deployment.clone(),
                        outcome: *outcome,
                        actor: actor.to_string(),
                        finished_at: at,
                        reason: batch.reason.clone(),
                    },
                )?);
            }
        }
    }
    for (id, points) in &batch.data_points {
        // A deployment that ended meanwhile has no progress row to note them on.
        if let Some((seq, d)) = deployment_by_id(conn, id)?
            && d.outcome == Outcome::InProgress
        {
            conn.prepare_cached(
                "UPDATE deployment_progress SET data_points = ?2
                 WHERE deployment = ?1 AND phase = 'baking'",
            )?
            .execute(params![seq, i64::try_from(*points).unwrap_or(i64::MAX)])?;
        }
    }
    for (stage, seen) in &batch.blockers {
        let recorded: Option<bool> = conn
            .prepare_cached("SELECT alarm FROM blocker_states WHERE stage = ?1")?
            .query_row([stage], |row| row.get(0))
            .optional()?;
        // Another pass recorded it first.
        if !blocker_changed(recorded, seen.alarm) {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO blocker_states (stage, alarm, since) VALUES (?1, ?2, ?3)
             ON CONFLICT (stage) DO UPDATE SET alarm = excluded.alarm, since = excluded.since",
        )?
        .execute(params![stage, seen.alarm, micros(at)])?;
        audit(
            conn,
            at,
            actor,
            blocker_action(seen),
            stage,
            None,
            blocker_details(seen),
        )?;
    }
    Ok(super::super::Applied { started, finished })
}

fn owner_of(conn: &Connection, seq: i64) -> Tx<Option<RunnerId>> {
    Ok(conn
        .prepare_cached(
            "SELECT runner_host, runner_pid, runner_start FROM deployment_progress WHERE deployment = ?1",
        )?
        .query_row([seq], |row| runner_from_row(row, 0))
        .optional()?
        .flatten())
}

pub(super) fn record_process(
    conn: &Connection,
    id: &DeploymentId,
    runner: &RunnerId,
    process: ProcessRecord,
) -> Tx<()> {
    let (seq, _) = in_progress(conn, id)?;
    if owner_of(conn, seq)?.as_ref() != Some(runner) {
        return Err(stale(format!(
            "deployment {id} is driven by another `captain run`"
        ))
        .into());
    }
    conn.prepare_cached(
        "UPDATE deployment_progress SET pid = ?2, pid_start = ?3 WHERE deployment = ?1",
    )?
    .execute(params![seq, process.pid, opt_i64(process.start_time)])?;
    Ok(())
}

pub(super) fn claim_deployments(
    conn: &Connection,
    runner: Option<&RunnerId>,
    claims: &[Claim],
) -> Tx<Vec<DeploymentId>> {
    let mut taken = Vec::new();
    for claim in claims {
        let Some((seq, d)) = deployment_by_id(conn, &claim.deployment)? else {
            continue;
        };
        if d.outcome != Outcome::InProgress || owner_of(conn, seq)? != claim.expected {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO deployment_progress (deployment, phase, since) VALUES (?1, 'deploying', ?2)
             ON CONFLICT (deployment) DO NOTHING",
        )?
        .execute(params![seq, micros(d.started_at)])?;
        conn.prepare_cached(
            "UPDATE deployment_progress SET step_started = 0 WHERE deployment = ?1 AND phase = 'verifying'",
        )?
        .execute([seq])?;
        set_owner(conn, seq, runner)?;
        taken.push(claim.deployment.clone());
    }
    Ok(taken)
}

pub(super) fn record_override(conn: &Connection, record: BlockerOverride) -> Tx<()> {
    if record.reason.trim().is_empty() {
        return Err(Error::usage(format!(
            "overriding the blocker of {} needs a reason",
            record.target
        ))
        .with_hint("add `--reason TEXT`")
        .into());
    }
    let created_at = truncate(record.created_at);
    conn.prepare_cached(
        "INSERT INTO blocker_overrides (target, actor, reason, created_at, until) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        record.target,
        record.actor,
        record.reason,
        micros(created_at),
        record.until.map(micros)
    ])?;
    audit(
        conn,
        created_at,
        &record.actor,
        "blocker.override",
        &record.target,
        Some(&record.reason),
        serde_json::json!({"until": record.until}),
    )
}

pub(super) fn record_step_result(conn: &Connection, verdict: StepVerdict) -> Tx<()> {
    let (seq, _) = match deployment_by_id(conn, &verdict.deployment)? {
        Some((seq, d)) if d.outcome == Outcome::InProgress => (seq, d),
        Some((_, d)) => {
            return Err(Error::conflict(format!(
                "deployment {} already finished as {}",
                verdict.deployment, d.outcome
            ))
            .into());
        }
        None => {
            return Err(Error::not_found(format!(
                "deployment {} does not exist",
                verdict.deployment
            ))
            .with_hint("`captain status` shows the deployments in progress")
            .into());
        }
    };
    let step = i64::try_from(verdict.step).unwrap_or(i64::MAX);
    let existing: Option<(bool, String)> = conn
        .prepare_cached(
            "SELECT passed, actor FROM step_results WHERE deployment = ?1 AND step = ?2",
        )?
        .query_row(params![seq, step], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let approved_by: Option<String> = conn
        .prepare_cached(
            "SELECT actor FROM step_approvals WHERE deployment = ?1 AND step = ?2 AND actor = ?3",
        )?
        .query_row(params![seq, step, verdict.actor], |row| row.get(0))
        .optional()?;
    let at = truncate(verdict.at);
    if verdict.passed {
        // One row per person: the step passes once enough distinct people approved.
        let same_person = approved_by.is_some()
            || existing
                .as_ref()
                .is_some_and(|(passed, actor)| *passed && *actor == verdict.actor);
        if let Some(refusal) = verdict.refusal(existing.as_ref(), same_person) {
            return Err(refusal.into());
        }
        conn.prepare_cached(
            "INSERT INTO step_approvals (deployment, step, actor, name, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            seq,
            step,
            verdict.actor,
            verdict.name,
            verdict.reason,
            micros(at)
        ])?;
        let count: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM step_approvals WHERE deployment = ?1 AND step = ?2",
            )?
            .query_row(params![seq, step], |row| row.get(0))?;
        let legacy = i64::from(existing.is_some_and(|(passed, _)| passed));
        return audit(
            conn,
            at,
            &verdict.actor,
            "step.approve",
            &verdict.deployment.0,
            verdict.reason.as_deref(),
            serde_json::json!({"step": verdict.name, "approvals": count + legacy}),
        );
    }
    match existing {
        Some((false, _)) => return Ok(()),
        Some((true, _)) => {
            return Err(Error::conflict(format!(
                "approval step `{}` of {} was already approved",
                verdict.name, verdict.deployment,
            ))
            .into());
        }
        None => {}
    }
    conn.prepare_cached(
        "INSERT INTO step_results (deployment, step, name, passed, actor, reason, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        seq,
        step,
        verdict.name,
        verdict.passed,
        verdict.actor,
        verdict.reason,
        micros(at)
    ])?;
    audit(
        conn,
        at,
        &verdict.actor,
        if verdict.passed {
            "step.approve"
        } else {
            "step.reject"
        },
        &verdict.deployment.0,
        verdict.reason.as_deref(),
        serde_json::json!({"step": verdict.name}),
    )
}

/// Every request to expedite a release, with its approvals, oldest release first.
pub(super) fn expedites(conn: &Connection) -> Tx<Vec<crate::engine::ExpediteRecord>> {
    let mut out = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT release, actor, reason, at FROM expedites ORDER BY release")?;
    let rows = stmt
        .query_map([], |row| {
            Ok(crate::engine::ExpediteRecord {
                release: release_number(row, 0)?,
                actor: row.get(1)?,
                reason: row.get(2)?,
                at: ts(row, 3)?,
                approved_by: Default::default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut approvals =
        conn.prepare_cached("SELECT actor FROM expedite_approvals WHERE release = ?1")?;
    for mut record in rows {
        let number = i64::try_from(record.release.0).unwrap_or(i64::MAX);
        for actor in approvals.query_map([number], |row| row.get::<_, String>(0))? {
            record.approved_by.insert(actor?);
        }
        out.push(record);
    }
    Ok(out)
}

pub(super) fn record_expedite(conn: &Connection, event: &ExpediteEvent) -> Tx<()> {
    let number = i64::try_from(event.release.0).unwrap_or(i64::MAX);
    let exists: Option<i64> = conn
        .prepare_cached("SELECT number FROM releases WHERE number = ?1")?
        .query_row([number], |row| row.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(
            Error::not_found(format!("release {} does not exist", event.release))
                .with_hint("`captain release list` shows the releases")
                .into(),
        );
    }
    let asked: Option<String> = conn
        .prepare_cached("SELECT actor FROM expedites WHERE release = ?1")?
        .query_row([number], |row| row.get(0))
        .optional()?;
    let again: Option<String> = conn
        .prepare_cached("SELECT actor FROM expedite_approvals WHERE release = ?1 AND actor = ?2")?
        .query_row(params![number, event.actor], |row| row.get(0))
        .optional()?;
    if let Some(refusal) = event.refusal(asked.as_deref(), again.is_some()) {
        return Err(refusal.into());
    }
    let at = truncate(event.at);
    let target = event.release.to_string();
    if !event.approve {
        let reason = event.reason.clone().unwrap_or_default();
        conn.prepare_cached(
            "INSERT INTO expedites (release, actor, reason, at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![number, event.actor, reason, micros(at)])?;
        return audit(
            conn,
            at,
            &event.actor,
            "release.expedite",
            &target,
            Some(&reason),
            serde_json::json!({}),
        );
    }
    conn.prepare_cached("INSERT INTO expedite_approvals (release, actor, at) VALUES (?1, ?2, ?3)")?
        .execute(params![number, event.actor, micros(at)])?;
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM expedite_approvals WHERE release = ?1")?
        .query_row([number], |row| row.get(0))?;
    audit(
        conn,
        at,
        &event.actor,
        "release.expedite.approve",
        &target,
        event.reason.as_deref(),
        serde_json::json!({"approvals": count}),
    )
}

/// Every stage record, by release then stage (for `state export`).
pub(super) fn all_stage_records(conn: &Connection) -> Tx<Vec<StageRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT stage, release, record, by_release, reason, actor, at FROM stage_records
         ORDER BY release, stage",
    )?;
    let records = stmt
        .query_map([], stage_record_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(records)
}

/// Loads one exported stage record: one already there and equal is skipped, a different
/// one is a conflict (a release is decided once in a stage).
pub(super) fn import_stage_record(
    conn: &Connection,
    record: StageRecord,
    summary: &mut crate::store::ImportSummary,
) -> Tx<()> {
    let record = StageRecord {
        at: truncate(record.at),
        ..record
    };
    let existing = conn
        .prepare_cached(
            "SELECT stage, release, record, by_release, reason, actor, at FROM stage_records
             WHERE stage = ?1 AND release = ?2",
        )?
        .query_row(
            params![record.stage, num(record.release)],
            stage_record_from_row,
        )
        .optional()?;
    match existing {
        Some(found) if found == record => {
            summary.skipped += 1;
            return Ok(());
        }
        Some(found) => {
            return Err(Error::conflict(format!(
                "stage {} already recorded {} as {}, not {}",
                record.stage,
                record.release,
                found.record.as_str(),
                record.record.as_str()
            ))
            .into());
        }
        None => {}
    }
    if !conn
        .prepare_cached("SELECT 1 FROM releases WHERE number = ?1")?
        .exists([num(record.release)])?
    {
        return Err(Error::not_found(format!(
            "the stage record of {} in {} names a release that is not in the ledger",
            record.release, record.stage
        ))
        .into());
    }
    conn.prepare_cached(
        "INSERT INTO stage_records (stage, release, record, by_release, reason, actor, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        record.stage,
        num(record.release),
        record.record.as_str(),
        record.by.map(num),
        record.reason,
        record.actor,
        micros(record.at)
    ])?;
    summary.stage_records += 1;
    Ok(())
}

fn stage_record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StageRecord> {
    let kind: String = row.get(2)?;
    Ok(StageRecord {
        stage: row.get(0)?,
        release: release_number(row, 1)?,
        record: StageRecordKind::from_stored(&kind),
        by: row
            .get::<_, Option<i64>>(3)?
            .and_then(|b| u64::try_from(b).ok())
            .map(ReleaseNumber),
        reason: row.get(4)?,
        actor: row.get(5)?,
        at: ts(row, 6)?,
    })
}

pub(super) fn stage_records(
    conn: &Connection,
    stages: &[String],
    limit: usize,
) -> Tx<Vec<StageRecord>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT stage, release, record, by_release, reason, actor, at FROM stage_records
         WHERE stage = ?1 ORDER BY release DESC LIMIT ?2",
    )?;
    for stage in stages {
        for record in stmt.query_map(
            params![stage, i64::try_from(limit).unwrap_or(i64::MAX)],
            stage_record_from_row,
        )? {
            out.push(record?);
        }
    }
    Ok(out)
}

pub(super) fn deployment_phases(
    conn: &Connection,
    ids: &[DeploymentId],
) -> Tx<Vec<Option<ActiveRecord>>> {
    // One statement, prepared once, per id: the deployment when it is its environment's
    // one in progress, with its phase (a lookup by id, then one by environment, each
    // fetched from the statement cache, was 43 K instructions a deployment).
    let mut stmt = conn.prepare_cached(PHASE_BY_ID_SQL)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let found = stmt.query_row([&id.0], active_from_row).optional()?;
        out.push(found.map(|row| row.record));
    }
    Ok(out)
}

/// [`ACTIVE_SQL`]'s columns for the deployment with an id, when it is in progress and its
/// environment's deployment in progress.
const PHASE_BY_ID_SQL: &str = concat!(
    active_columns!(),
    " FROM deployments d
     JOIN environment_state s ON s.environment = d.environment AND s.in_progress_seq = d.seq
     LEFT JOIN deployment_progress p ON p.deployment = d.seq
     WHERE d.id = ?1 AND d.outcome = 'in progress'"
);

/// `captain retry`: the release failed in the stage is recorded as retried there.
pub(super) fn retry_release(conn: &Connection, retry: RetryRequest) -> Tx<StageRecord> {
    let recorded: Option<String> = conn
        .prepare_cached("SELECT record FROM stage_records WHERE stage = ?1 AND release = ?2")?
        .query_row(params![retry.stage, num(retry.release)], |row| row.get(0))
        .optional()?;
    let newer: Option<i64> = conn
        .prepare_cached(
            "SELECT max(release) FROM (
                 SELECT release FROM stage_records WHERE stage = ?1 AND release > ?2
                 UNION ALL
                 SELECT release FROM deployments INDEXED BY deployments_by_stage
                 WHERE stage = ?1 AND kind = 'normal' AND release > ?2)",
        )?
        .query_row(params![retry.stage, num(retry.release)], |row| row.get(0))?;
    let failed_deployment = conn
        .prepare_cached(
            "SELECT 1 FROM deployments INDEXED BY deployments_by_stage
             WHERE stage = ?1 AND kind = 'normal' AND release = ?2
               AND outcome NOT IN ('approved', 'in progress')",
        )?
        .exists(params![retry.stage, num(retry.release)])?;
    let newer = newer.map(|n| ReleaseNumber(u64::try_from(n).unwrap_or_default()));
    let record = StageRecord {
        stage: retry.stage.clone(),
        release: retry.release,
        record: StageRecordKind::Retried,
        by: None,
        reason: retry.reason.clone(),
        actor: retry.actor.clone(),
        at: truncate(retry.at),
    };
    let again = crate::store::checks::require_retryable(
        &retry,
        recorded.as_deref().map(StageRecordKind::from_stored),
        newer,
        failed_deployment,
    )?;
    if !again {
        record_stage(conn, record.clone())?;
    }
    Ok(record)
}

//! The PostgreSQL side of what `captain run` keeps (see [`crate::store::run_records`]),
//! with the SQLite side's semantics and errors: the engine snapshot in one REPEATABLE
//! READ snapshot, a pass's decisions in one transaction, process ownership, stage
//! records, overrides and external step results.
//!
//! Race-freedom comes from the same locks the rest of the store takes, always in the
//! same order (environment row, then deployment row, then progress row), so concurrent
//! writers wait for each other instead of deadlocking:
//! - anything about one deployment first locks its environment's `environment_state`
//!   row (what `start_deployment` and `finish_deployment` lock), then reads it afresh
//!   (once per transaction: a batch that decides twice about one deployment reuses it);
//! - a batch of decisions also takes a transaction-scoped advisory lock per pipeline,
//!   so two loops' batches (and their stage records) apply one after the other;
//! - a claim is a conditional `UPDATE … WHERE owner IS NOT DISTINCT FROM expected`,
//!   which PostgreSQL re-evaluates on the newest row after waiting for its lock: of two
//!   claimers with the same expectation exactly one wins.

use std::collections::{BTreeMap, HashMap, HashSet};

use postgres::Row;

use super::{
    DEPLOYMENT_COLUMNS, Fail, Tx, TxResult, audit, deployment_at, deployment_by_id,
    finish_locked_deployment, lock_at, lock_environment_of, num, release_number, start_deployment,
    truncate,
};
use crate::engine::{ActiveDeployment, BlockerOverride, Decision, EngineState, EnvLedger, Phase};
use crate::error::Error;
use crate::model::*;
use crate::store::run_records::*;

/// Columns read by [`active_from_row`], after the deployment's (prefix `d.`).
const PROGRESS_COLUMNS: &str = "p.phase, p.step, p.step_started, p.since, p.runner_host, p.runner_pid, p.runner_start, p.pid, p.pid_start, p.data_points";

/// The advisory lock key that serializes one pipeline's decision batches (distinct from
/// the key `captain serve --run` holds to drive the pipeline: that one is held by
/// another connection of the same process for as long as it drives).
pub fn lock_key(purpose: &str, pipeline: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("captain:{purpose}:{pipeline}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

fn opt_i64(value: Option<u64>) -> Option<i64> {
    value.and_then(|v| i64::try_from(v).ok())
}

fn step_index(step: usize) -> i32 {
    i32::try_from(step).unwrap_or(i32::MAX)
}

fn phase_columns(phase: &Phase) -> (&'static str, Option<i32>, bool, Option<Timestamp>) {
    match phase {
        Phase::Deploying => ("deploying", None, false, None),
        Phase::Verifying { step, started } => {
            ("verifying", Some(step_index(*step)), *started, None)
        }
        Phase::Baking { since } => ("baking", None, false, Some(*since)),
    }
}

fn runner_at(row: &Row, idx: usize) -> TxResult<Option<RunnerId>> {
    let host: Option<String> = row.try_get(idx)?;
    let pid: Option<i64> = row.try_get(idx + 1)?;
    let start: Option<i64> = row.try_get(idx + 2)?;
    Ok(match (host, pid.and_then(|p| u32::try_from(p).ok())) {
        (Some(host), Some(pid)) => Some(RunnerId {
            host,
            pid,
            start_time: start.and_then(|s| u64::try_from(s).ok()),
        }),
        _ => None,
    })
}

struct ActiveRow {
    seq: i64,
    engine: ActiveDeployment,
    record: ActiveRecord,
}

/// Reads [`DEPLOYMENT_COLUMNS`] then [`PROGRESS_COLUMNS`].
fn active_from_row(row: &Row) -> TxResult<ActiveRow> {
    active_at(row, 0)
}

/// [`active_from_row`] from column `first` on.
fn active_at(row: &Row, first: usize) -> TxResult<ActiveRow> {
    let (seq, d) = deployment_at(row, first)?;
    let at = first + 11;
    let phase: Option<String> = row.try_get(at)?;
    let step: Option<i32> = row.try_get(at + 1)?;
    let started: Option<bool> = row.try_get(at + 2)?;
    let since: Option<Timestamp> = row.try_get(at + 3)?;
    let phase = match phase.as_deref() {
        Some("verifying") => Phase::Verifying {
            step: step.and_then(|s| usize::try_from(s).ok()).unwrap_or(0),
            started: started.unwrap_or(false),
        },
        Some("baking") => Phase::Baking {
            since: since.unwrap_or(d.started_at),
        },
        _ => Phase::Deploying,
    };
    let pid: Option<i64> = row.try_get(at + 7)?;
    let pid_start: Option<i64> = row.try_get(at + 8)?;
    Ok(ActiveRow {
        seq,
        engine: ActiveDeployment {
            id: d.id.clone(),
            release: d.release,
            kind: d.kind,
            started_at: d.started_at,
            phase,
        },
        record: ActiveRecord {
            deployment: d.id,
            environment: d.environment,
            stage: d.stage,
            phase,
            phase_since: since,
            runner: runner_at(row, at + 4)?,
            process: pid
                .and_then(|p| u32::try_from(p).ok())
                .map(|pid| ProcessRecord {
                    pid,
                    start_time: pid_start.and_then(|s| u64::try_from(s).ok()),
                }),
            data_points: row
                .try_get::<_, Option<i64>>(at + 9)?
                .and_then(|n| u64::try_from(n).ok()),
        },
    })
}

/// Environments as they are now (see [`environments_now`]): the deployments in progress
/// there, and each environment's current release.
#[derive(Default)]
struct EnvironmentsNow {
    active: Vec<ActiveRow>,
    current: Vec<(String, ReleaseNumber)>,
}

/// Where each part's columns begin in a row of [`snapshot_now`] (column 0 is the part):
/// the settings (`sub` telling their kinds apart, then `n, a, b, c, d, e, t, u, f`), an
/// environment as it is now ([`DEPLOYMENT_COLUMNS`] and [`PROGRESS_COLUMNS`] of its
/// deployment in progress, the environment, its current release), a stage's marks
/// (position, then the three releases of [`StageMarks`]).
const SETTINGS_AT: usize = 1;
const NOW_AT: usize = 11;
const MARKS_AT: usize = 34;
/// Where the verdicts' columns begin in a row of [`snapshot_ledger`] (after the part and
/// the ledger's `sub, stage, release, record, environment, flag`).
const VERDICTS_AT: usize = 7;

/// The first of the snapshot's two statements (each is a round trip): what the
/// pipeline's people and its last pass set (see [`Settings`]), the environments as they
/// are now with the progress rows of the deployments in progress, and each stage's
/// newest releases (index lookups), which bound what [`snapshot_ledger`] reads (see
/// `snapshot_floors`). One row shape for all three, told apart by `part`: each part's
/// subquery runs only for its own row of `k` (a one-time filter), the other parts'
/// columns are NULL.
fn snapshot_now(
    tx: &mut Tx,
    p: &str,
    stage_names: &[&str],
    environments: &[String],
    at: Timestamp,
) -> TxResult<(Settings, EnvironmentsNow, Vec<StageMarks>)> {
    let sql = format!(
        "SELECT k.part, s.*, e.*, m.*
         FROM (VALUES (0), (1), (2)) AS k(part)
         LEFT JOIN LATERAL (
             SELECT 0 AS sub, NULL::bigint AS n, target_kind AS a, target AS b,
                    direction AS c, actor AS d, reason AS e, created_at AS t, until AS u,
                    NULL::boolean AS f
             FROM captain.locks WHERE pipeline = $1 AND k.part = 0
             UNION ALL
             SELECT 1, seq, target, actor, reason, NULL, NULL, created_at, until, NULL
             FROM captain.blocker_overrides
             WHERE pipeline = $1 AND (until IS NULL OR until > $2) AND k.part = 0
             UNION ALL
             SELECT 2, release, actor, reason, NULL, NULL, NULL, at, NULL, NULL
             FROM captain.expedites WHERE pipeline = $1 AND k.part = 0
             UNION ALL
             SELECT 3, release, actor, NULL, NULL, NULL, NULL, NULL, NULL, NULL
             FROM captain.expedite_approvals WHERE pipeline = $1 AND k.part = 0
             UNION ALL
             SELECT 4, NULL, stage, NULL, NULL, NULL, NULL, NULL, NULL, alarm
             FROM captain.blocker_states
             WHERE pipeline = $1 AND stage = ANY($3) AND k.part = 0
         ) AS s ON true
         LEFT JOIN LATERAL (
             SELECT {DEPLOYMENT_COLUMNS}, {PROGRESS_COLUMNS}, st.environment, c.release
             FROM captain.environment_state st
             LEFT JOIN captain.deployments d ON d.seq = st.in_progress_seq
             LEFT JOIN captain.deployment_progress p ON p.deployment = d.seq
             LEFT JOIN captain.deployments c ON c.seq = st.current_seq
             WHERE st.pipeline = $1 AND st.environment = ANY($4) AND k.part = 1
             OFFSET 0
         ) AS e ON true
         LEFT JOIN LATERAL (
             SELECT g.position,
                    (SELECT max(d.release) FROM captain.deployments d
                     WHERE d.pipeline = $1 AND d.stage = g.name AND d.kind = 'normal'),
                    (SELECT max(r.release) FROM captain.stage_records r
                     WHERE r.pipeline = $1 AND r.stage = g.name AND r.record <> 'superseded'),
                    (SELECT max(r.release) FROM captain.stage_records r
                     WHERE r.pipeline = $1 AND r.stage = g.name)
             FROM unnest($3::text[]) WITH ORDINALITY AS g(name, position)
             WHERE k.part = 2
             OFFSET 0
         ) AS m ON true
         ORDER BY k.part, s.sub, s.n, s.a, s.b, s.c, m.position"
    );
    let mut settings = Settings::default();
    let mut now = EnvironmentsNow::default();
    let mut marks = Vec::with_capacity(stage_names.len());
    for row in tx.query(&sql, &[&p, &at, &stage_names, &environments])? {
        match row.try_get::<_, i32>(0)? {
            0 => {
                // A part without rows still has its row of `k`, all NULL.
                if let Some(sub) = row.try_get::<_, Option<i32>>(SETTINGS_AT)? {
                    settings_row(&row, sub, &mut settings)?;
                }
            }
            1 => {
                let at = NOW_AT;
                // After the deployment's 11 columns and the progress row's 10.
                let Some(environment) = row.try_get::<_, Option<String>>(at + 21)? else {
                    continue;
                };
                if let Some(release) = row.try_get::<_, Option<i64>>(at + 22)? {
                    now.current.push((environment, release_number(release)?));
                }
                if row.try_get::<_, Option<i64>>(at)?.is_some() {
                    now.active.push(active_at(&row, at)?);
                }
            }
            _ => {
                let at = MARKS_AT;
                if row.try_get::<_, Option<i64>>(at)?.is_none() {
                    continue;
                }
                let newest = |i: usize| -> TxResult<Option<ReleaseNumber>> {
                    row.try_get::<_, Option<i64>>(at + i)?
                        .map(release_number)
                        .transpose()
                };
                marks.push(StageMarks {
                    deployed: newest(1)?.max(newest(2)?),
                    recorded: newest(3)?,
                    oldest_active: None,
                });
            }
        }
    }
    Ok((settings, now, marks))
}

/// One settings row of [`snapshot_now`], of kind `sub`: the lock's columns in
/// `LOCK_COLUMNS` order from `a`; overrides in `seq` order; expedites by release, then
/// their approvals; a stage's recorded blocker state.
fn settings_row(row: &Row, sub: i32, settings: &mut Settings) -> TxResult<()> {
    let col = |i: usize| SETTINGS_AT + i;
    match sub {
        0 => settings.locks.push(lock_at(row, col(2))?),
        1 => settings.overrides.push(BlockerOverride {
            target: row.try_get(col(2))?,
            actor: row.try_get(col(3))?,
            reason: row.try_get(col(4))?,
            created_at: row.try_get(col(7))?,
            until: row.try_get(col(8))?,
        }),
        2 => settings.expedites.push(crate::engine::ExpediteRecord {
            release: release_number(row.try_get(col(1))?)?,
            actor: row.try_get(col(2))?,
            reason: row.try_get(col(3))?,
            at: row.try_get(col(7))?,
            approved_by: Default::default(),
        }),
        3 => {
            // Approvals exist only for requested expedites (their foreign key).
            let release = release_number(row.try_get(col(1))?)?;
            let actor: String = row.try_get(col(2))?;
            if let Some(record) = settings.expedites.iter_mut().find(|e| e.release == release) {
                record.approved_by.insert(actor);
            }
        }
        _ => {
            settings
                .blockers
                .insert(row.try_get(col(2))?, row.try_get(col(9))?);
        }
    }
    Ok(())
}

/// The floors [`snapshot_ledger`] reads from: each stage's, each environment's (its
/// stage's), how many approved releases below its floor an environment keeps, and the
/// first stage's (for the releases).
struct Floors {
    stages: Vec<i64>,
    environments: Vec<i64>,
    below: i64,
    first: i64,
}

/// What [`snapshot_ledger`] read.
#[derive(Default)]
struct LedgerRows {
    /// Per stage: what the loop recorded.
    records: HashMap<String, Vec<(ReleaseNumber, String)>>,
    /// Per stage and retried release: whether a deployment started since the retry
    /// ended unapproved.
    failed_since_retry: HashMap<String, BTreeMap<ReleaseNumber, bool>>,
    /// Per stage: release, outcome, environment of its normal deployments.
    outcomes: HashMap<String, Vec<(ReleaseNumber, String, String)>>,
    /// Per environment: the releases approved there.
    approved: HashMap<String, Vec<ReleaseNumber>>,
    /// The releases from the first stage's floor.
    releases: Vec<ReleaseNumber>,
    /// The verdicts of the deployments in progress, with their deployments' seqs.
    verdicts: Vec<(i64, StepVerdict)>,
}

/// The second statement: from each stage's floor, what the loop recorded, per stage,
/// and for a retried release whether a deployment started since the retry ended
/// unapproved (sub 0); what the deployments say, one row per distinct (stage, release,
/// outcome, environment) of normal ones, as an external CI records only deployments
/// (sub 1); the releases approved in each environment, with the newest few below the
/// floor (sub 2); the releases from the first stage's floor (sub 3); and (part 1) the
/// external step results and approvals of the deployments in progress (rejections and
/// older approvals, then the approvals of each person).
fn snapshot_ledger(
    tx: &mut Tx,
    p: &str,
    stage_names: &[&str],
    environments: &[String],
    floors: &Floors,
) -> TxResult<LedgerRows> {
    let mut read = LedgerRows::default();
    for row in tx.query(
        "SELECT k.part, l.*, v.*
         FROM (VALUES (0), (1)) AS k(part)
         LEFT JOIN LATERAL (
             SELECT 0 AS sub, r.stage, r.release, r.record, NULL::text AS environment,
                    r.record = 'retried' AND EXISTS (
                        SELECT 1 FROM captain.deployments d
                        WHERE d.pipeline = r.pipeline AND d.stage = r.stage AND d.kind = 'normal'
                          AND d.release = r.release AND d.started_at > r.at
                          AND d.outcome NOT IN ('approved', 'in progress')) AS flag
             FROM unnest($2::text[], $4::bigint[]) AS f(stage, floor)
             CROSS JOIN LATERAL (
                 SELECT * FROM captain.stage_records r
                 WHERE r.pipeline = $1 AND r.stage = f.stage AND r.release >= f.floor
                 OFFSET 0) AS r
             WHERE k.part = 0
             UNION ALL
             SELECT DISTINCT 1, d.stage, d.release, d.outcome, d.environment, false
             FROM unnest($2::text[], $4::bigint[]) AS f(stage, floor)
             CROSS JOIN LATERAL (
                 SELECT d.stage, d.release, d.outcome, d.environment FROM captain.deployments d
                 WHERE d.pipeline = $1 AND d.stage = f.stage AND d.kind = 'normal'
                   AND d.release >= f.floor
                 OFFSET 0) AS d
             WHERE k.part = 0
             UNION ALL
             SELECT DISTINCT 2, NULL::text, d.release, NULL::text, d.environment, false
             FROM unnest($3::text[], $5::bigint[]) AS e(environment, floor)
             JOIN captain.deployments d
               ON d.pipeline = $1 AND d.environment = e.environment AND d.release >= e.floor
              AND d.outcome = 'approved'
             WHERE k.part = 0
             UNION ALL
             SELECT 2, NULL::text, below.release, NULL::text, e.environment, false
             FROM unnest($3::text[], $5::bigint[]) AS e(environment, floor)
             CROSS JOIN LATERAL (
                 SELECT DISTINCT d.release FROM captain.deployments d
                 WHERE d.pipeline = $1 AND d.environment = e.environment
                   AND d.release < e.floor AND d.outcome = 'approved'
                 ORDER BY d.release DESC LIMIT $6) AS below
             WHERE k.part = 0
             UNION ALL
             SELECT 3, NULL::text, number, NULL::text, NULL::text, false
             FROM captain.releases WHERE pipeline = $1 AND number >= $7 AND k.part = 0
         ) AS l ON true
         LEFT JOIN LATERAL (
             SELECT r.deployment, r.step, r.name, r.passed, r.actor, r.reason, r.at
             FROM captain.environment_state st
             JOIN captain.step_results r ON r.deployment = st.in_progress_seq
             WHERE st.pipeline = $1 AND st.environment = ANY($3) AND k.part = 1
             UNION ALL
             SELECT a.deployment, a.step, a.name, true, a.actor, a.reason, a.at
             FROM captain.environment_state st
             JOIN captain.step_approvals a ON a.deployment = st.in_progress_seq
             WHERE st.pipeline = $1 AND st.environment = ANY($3) AND k.part = 1
         ) AS v ON true
         ORDER BY k.part, v.deployment, v.step, v.at, v.actor",
        &[
            &p,
            &stage_names,
            &environments,
            &floors.stages,
            &floors.environments,
            &floors.below,
            &floors.first,
        ],
    )? {
        if row.try_get::<_, i32>(0)? == 1 {
            let at = VERDICTS_AT;
            let Some(seq) = row.try_get::<_, Option<i64>>(at)? else {
                continue;
            };
            read.verdicts.push((
                seq,
                StepVerdict {
                    // The deployment's id is its in-progress row's (see the caller).
                    deployment: DeploymentId(String::new()),
                    step: usize::try_from(row.try_get::<_, i32>(at + 1)?).unwrap_or(usize::MAX),
                    name: row.try_get(at + 2)?,
                    passed: row.try_get(at + 3)?,
                    actor: row.try_get(at + 4)?,
                    reason: row.try_get(at + 5)?,
                    at: row.try_get(at + 6)?,
                },
            ));
            continue;
        }
        let Some(sub) = row.try_get::<_, Option<i32>>(1)? else {
            continue;
        };
        let release = release_number(row.try_get(3)?)?;
        match sub {
            0 => {
                let stage: String = row.try_get(2)?;
                let record: String = row.try_get(4)?;
                if record == StageRecordKind::Retried.as_str() {
                    read.failed_since_retry
                        .entry(stage.clone())
                        .or_default()
                        .insert(release, row.try_get(6)?);
                }
                read.records
                    .entry(stage)
                    .or_default()
                    .push((release, record));
            }
            1 => read.outcomes.entry(row.try_get(2)?).or_default().push((
                release,
                row.try_get(4)?,
                row.try_get(5)?,
            )),
            3 => read.releases.push(release),
            _ => read
                .approved
                .entry(row.try_get(5)?)
                .or_default()
                .push(release),
        }
    }
    Ok(read)
}

pub(super) fn engine_snapshot(
    tx: &mut Tx,
    p: &str,
    stages: &[StageScope],
    at: Timestamp,
) -> TxResult<EngineSnapshot> {
    // Run on generic plans (see `Tx::generic_plans`): every statement below is an index
    // lookup by pipeline (the arrays through LATERAL, `OFFSET 0` keeping them from being
    // flattened into joins that hash a pipeline's whole history), so their generic plans
    // are as good as custom ones, and no statement is planned again on every call.
    let stage_names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let environments: Vec<String> = stages
        .iter()
        .flat_map(|s| s.environments.iter().cloned())
        .collect();
    let (settings, EnvironmentsNow { active, current }, mut marks) =
        snapshot_now(tx, p, &stage_names, &environments, at)?;
    let mut state = EngineState {
        locks: settings.locks,
        overrides: settings.overrides,
        expedites: settings.expedites,
        ..EngineState::default()
    };
    let mut by_env: HashMap<String, ActiveRow> = active
        .into_iter()
        .map(|row| (row.record.environment.clone(), row))
        .collect();
    for (scope, mark) in stages.iter().zip(&mut marks) {
        mark.oldest_active = scope
            .environments
            .iter()
            .filter_map(|e| by_env.get(e).map(|row| row.engine.release))
            .min();
    }
    let stage_floors: Vec<i64> = snapshot_floors(stages, &marks)
        .iter()
        .map(|f| num(*f))
        .collect();
    let floors = Floors {
        environments: stages
            .iter()
            .zip(&stage_floors)
            .flat_map(|(s, f)| s.environments.iter().map(|_| *f))
            .collect(),
        below: i64::try_from(approved_below_floor(&state.locks)).unwrap_or(i64::MAX),
        first: stage_floors.first().copied().unwrap_or(0),
        stages: stage_floors,
    };
    let read = snapshot_ledger(tx, p, &stage_names, &environments, &floors)?;

    let mut envs: BTreeMap<String, EnvLedger> = BTreeMap::new();
    for (environment, releases) in read.approved {
        envs.entry(environment)
            .or_default()
            .approved
            .extend(releases);
    }
    state.releases = read.releases;
    state.releases.sort_unstable();
    for scope in stages {
        let records = read.records.get(&scope.name).into_iter().flatten();
        let deployments = read.outcomes.get(&scope.name).into_iter().flatten();
        let ledger = stage_ledger(
            scope,
            records.map(|(release, record)| {
                Ok::<_, Fail>((*release, StageRecordKind::from_stored(record)))
            }),
            deployments.map(|(release, outcome, environment)| {
                Ok((*release, outcome, environment.as_str()))
            }),
            read.failed_since_retry
                .get(&scope.name)
                .unwrap_or(&BTreeMap::new()),
        )?;
        state.stages.insert(scope.name.clone(), ledger);
    }

    // Per environment: the current release and the deployment in progress.
    for (environment, release) in current {
        envs.entry(environment).or_default().current = Some(release);
    }
    let mut active = Vec::new();
    let mut active_seqs = Vec::new();
    for environment in &environments {
        let mut env = envs.remove(environment).unwrap_or_default();
        if let Some(row) = by_env.remove(environment) {
            env.active = Some(row.engine);
            active_seqs.push(row.seq);
            active.push(row.record);
        }
        state.environments.insert(environment.clone(), env);
    }

    let ids: HashMap<i64, &DeploymentId> = active_seqs
        .iter()
        .copied()
        .zip(active.iter().map(|a| &a.deployment))
        .collect();
    let mut step_results = Vec::new();
    for (seq, mut verdict) in read.verdicts {
        // A deployment that was in progress in the first statement's view only.
        let Some(id) = ids.get(&seq) else { continue };
        verdict.deployment = (*id).clone();
        step_results.push(verdict);
    }
    // In the order of the active deployments, as SQLite returns them.
    let position: HashMap<&DeploymentId, usize> = active
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.deployment, i))
        .collect();
    step_results.sort_by_key(|v| (position.get(&v.deployment).copied(), v.step));
    Ok(EngineSnapshot {
        state,
        active,
        step_results,
        blockers: settings.blockers,
    })
}

/// What a pipeline's people and its last pass set, as the engine snapshot reads it:
/// locks and freezes, blocker overrides in force at `at`, expedites with their
/// approvals, and the covered stages' recorded blocker states.
#[derive(Default)]
struct Settings {
    locks: Vec<Lock>,
    overrides: Vec<BlockerOverride>,
    expedites: Vec<crate::engine::ExpediteRecord>,
    blockers: BTreeMap<String, bool>,
}

pub(super) fn record_expedite(tx: &mut Tx, p: &str, event: &ExpediteEvent) -> TxResult<()> {
    let number = num(event.release);
    // Every request and approval of one release waits for the others here, on the
    // release's row, so two first requests (or one person's approval sent twice) at once
    // are one recorded and one refused — never a key violation. (NO KEY: deployments
    // of the release, whose foreign key shares the row, are not held up.)
    let exists = tx
        .opt(
            "SELECT 1 FROM captain.releases WHERE pipeline = $1 AND number = $2 FOR NO KEY UPDATE",
            &[&p, &number],
        )?
        .is_some();
    if !exists {
        return Err(
            Error::not_found(format!("release {} does not exist", event.release))
                .with_hint("`captain release list` shows the releases")
                .into(),
        );
    }
    let asked: Option<String> = tx
        .opt(
            "SELECT actor FROM captain.expedites WHERE pipeline = $1 AND release = $2",
            &[&p, &number],
        )?
        .map(|row| row.try_get(0))
        .transpose()?;
    let again = tx
        .opt(
            "SELECT 1 FROM captain.expedite_approvals
             WHERE pipeline = $1 AND release = $2 AND actor = $3",
            &[&p, &number, &event.actor],
        )?
        .is_some();
    if let Some(refusal) = event.refusal(asked.as_deref(), again) {
        return Err(refusal.into());
    }
    let at = truncate(event.at);
    let target = event.release.to_string();
    if !event.approve {
        let reason = event.reason.clone().unwrap_or_default();
        tx.exec(
            "INSERT INTO captain.expedites (pipeline, release, actor, reason, at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&p, &number, &event.actor, &reason, &at],
        )?;
        return audit(
            tx,
            p,
            at,
            &event.actor,
            "release.expedite",
            &target,
            Some(&reason),
            serde_json::json!({}),
        );
    }
    tx.exec(
        "INSERT INTO captain.expedite_approvals (pipeline, release, actor, at)
         VALUES ($1, $2, $3, $4)",
        &[&p, &number, &event.actor, &at],
    )?;
    let count: i64 = tx
        .one(
            "SELECT count(*) FROM captain.expedite_approvals WHERE pipeline = $1 AND release = $2",
            &[&p, &number],
        )?
        .try_get(0)?;
    audit(
        tx,
        p,
        at,
        &event.actor,
        "release.expedite.approve",
        &target,
        event.reason.as_deref(),
        serde_json::json!({"approvals": count}),
    )
}

fn stale(what: String) -> Error {
    Error::conflict(format!(
        "{what}: the decision was made on a stale view of the ledger"
    ))
    .with_hint("the loop reads the ledger again and decides anew")
}

/// Locks the environment of deployment `id` (its state row, as starting and finishing
/// do), then reads the deployment afresh.
fn locked(tx: &mut Tx, p: &str, id: &DeploymentId) -> TxResult<Option<(i64, Deployment)>> {
    lock_environment_of(tx, p, id)?;
    deployment_by_id(tx, p, id)
}

/// The deployments a batch of decisions locked and read in progress (see
/// [`in_progress_held`]): a later decision on the same deployment in the same
/// transaction neither locks its environment again nor reads it again. Finishing one
/// takes it out ([`finishing_held`]).
type Held = HashMap<DeploymentId, (i64, Deployment)>;

/// The deployment a decision is about to finish: still in progress (checked once per
/// transaction, see [`in_progress_held`]), and no longer held after this.
fn finishing_held(tx: &mut Tx, p: &str, id: &DeploymentId, held: &mut Held) -> TxResult<()> {
    if held.remove(id).is_none() {
        in_progress(tx, p, id)?;
    }
    Ok(())
}

/// [`in_progress`], once per deployment and transaction: the environment's row stays
/// locked until the transaction ends, and every change to a deployment's row takes that
/// lock first, so what was read stays true.
fn in_progress_held(
    tx: &mut Tx,
    p: &str,
    id: &DeploymentId,
    held: &mut Held,
) -> TxResult<(i64, Deployment)> {
    if let Some(found) = held.get(id) {
        return Ok(found.clone());
    }
    let found = in_progress(tx, p, id)?;
    held.insert(id.clone(), found.clone());
    Ok(found)
}

/// The deployment, locked, which must still be in progress.
fn in_progress(tx: &mut Tx, p: &str, id: &DeploymentId) -> TxResult<(i64, Deployment)> {
    match locked(tx, p, id)? {
        Some((seq, d)) if d.outcome == Outcome::InProgress => Ok((seq, d)),
        Some((_, d)) => {
            Err(stale(format!("deployment {id} already finished as {}", d.outcome)).into())
        }
        None => Err(Error::not_found(format!("deployment {id} does not exist")).into()),
    }
}

fn record_stage(tx: &mut Tx, p: &str, record: StageRecord) -> TxResult<()> {
    let at = truncate(record.at);
    // A record that may become this one (a failure retried, a retry decided) is replaced.
    let replaceable: Vec<&str> = [
        StageRecordKind::Approved,
        StageRecordKind::Failed,
        StageRecordKind::Superseded,
        StageRecordKind::Retried,
    ]
    .into_iter()
    .filter(|k| k.may_become(record.record))
    .map(StageRecordKind::as_str)
    .collect();
    // The record and, when it was written, its audit event: one statement.
    let action = format!("stage.{}", record.record.as_str());
    let details = serde_json::json!({"release": record.release, "by": record.by});
    let inserted: i64 = tx
        .one(
            "WITH s AS (
                 INSERT INTO captain.stage_records (pipeline, stage, release, record, by_release, reason, actor, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (pipeline, stage, release) DO UPDATE SET record = excluded.record,
                     by_release = excluded.by_release, reason = excluded.reason, actor = excluded.actor,
                     at = excluded.at
                 WHERE captain.stage_records.record = ANY($9)
                 RETURNING 1),
             a AS (
                 INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
                 SELECT $1, $8, $7, $10, $2, $6, $11 FROM s)
             SELECT count(*) FROM s",
            &[
                &p,
                &record.stage,
                &num(record.release),
                &record.record.as_str(),
                &record.by.map(num),
                &record.reason,
                &record.actor,
                &at,
                &replaceable,
                &action,
                &details,
            ],
        )?
        .try_get(0)?;
    if inserted == 0 {
        let existing: Option<String> = tx
            .opt(
                "SELECT record FROM captain.stage_records WHERE pipeline = $1 AND stage = $2 AND release = $3",
                &[&p, &record.stage, &num(record.release)],
            )?
            .map(|row| row.try_get(0))
            .transpose()?;
        return match existing {
            Some(kind) if kind == record.record.as_str() => Ok(()),
            Some(kind) => Err(stale(format!(
                "{} is already recorded as {kind} in stage {}",
                record.release, record.stage
            ))
            .into()),
            None => Err(Error::internal(format!(
                "the record of {} in stage {} vanished",
                record.release, record.stage
            ))
            .into()),
        };
    }
    Ok(())
}

fn set_phase(tx: &mut Tx, seq: i64, phase: &Phase, at: Timestamp) -> TxResult<()> {
    let (name, step, started, since) = phase_columns(phase);
    let since = since.unwrap_or(at);
    tx.exec(
        "INSERT INTO captain.deployment_progress (deployment, phase, step, step_started, since)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (deployment) DO UPDATE SET phase = excluded.phase, step = excluded.step,
             step_started = excluded.step_started, since = excluded.since,
             pid = CASE WHEN excluded.phase = 'deploying' THEN deployment_progress.pid END,
             pid_start = CASE WHEN excluded.phase = 'deploying' THEN deployment_progress.pid_start END",
        &[&seq, &name, &step, &started, &since],
    )?;
    Ok(())
}

fn set_owner(tx: &mut Tx, seq: i64, runner: Option<&RunnerId>) -> TxResult<()> {
    tx.exec(
        "UPDATE captain.deployment_progress SET runner_host = $2, runner_pid = $3, runner_start = $4,
             pid = NULL, pid_start = NULL
         WHERE deployment = $1",
        &[
            &seq,
            &runner.map(|r| r.host.clone()),
            &runner.map(|r| i64::from(r.pid)),
            &runner.and_then(|r| opt_i64(r.start_time)),
        ],
    )?;
    Ok(())
}

/// Records a pass's decisions, in a transaction that holds the pipeline's decisions lock
/// (`lock_key("decisions", p)`, taken by the caller with its BEGIN).
pub(super) fn apply_decisions(
    tx: &mut Tx,
    p: &str,
    batch: &DecisionBatch,
) -> TxResult<super::super::Applied> {
    let at = truncate(batch.at);
    // A deployment this batch finishes has no use for the phase an earlier decision
    // moves it to: its progress row goes with the finish.
    let finishes: HashSet<&DeploymentId> = batch
        .decisions
        .iter()
        .filter_map(|d| match d {
            Decision::ApproveEnvironment { deployment, .. }
            | Decision::FailDeployment { deployment, .. } => Some(deployment),
            _ => None,
        })
        .collect();
    let actor = batch.actor.as_str();
    let mut started = Vec::new();
    let mut finished = Vec::new();
    let mut held = Held::new();
    for decision in &batch.decisions {
        let stage_record = |stage: &String, release, record, by, reason| StageRecord {
            stage: stage.clone(),
            release,
            record,
            by,
            reason,
            actor: actor.to_string(),
            at,
        };
        match decision {
            Decision::Supersede { stage, release, by } => record_stage(
                tx,
                p,
                stage_record(
                    stage,
                    *release,
                    StageRecordKind::Superseded,
                    Some(*by),
                    Some(format!("superseded by {by}")),
                ),
            )?,
            Decision::ApproveStage { stage, release } => record_stage(
                tx,
                p,
                stage_record(stage, *release, StageRecordKind::Approved, None, None),
            )?,
            Decision::FailStage {
                stage,
                release,
                reason,
            } => record_stage(
                tx,
                p,
                stage_record(
                    stage,
                    *release,
                    StageRecordKind::Failed,
                    None,
                    Some(reason.clone()),
                ),
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
                    let decided = tx.opt(
                        "SELECT record, at FROM captain.stage_records WHERE pipeline = $1 AND stage = $2 AND release = $3",
                        &[&p, stage, &num(*release)],
                    )?;
                    // A retried release starts again; what started before the retry
                    // does not count.
                    let mut retried_at: Option<Timestamp> = None;
                    if let Some(row) = decided {
                        let record: String = row.try_get(0)?;
                        if record != StageRecordKind::Retried.as_str() {
                            return Err(stale(format!(
                                "{release} is already {record} in stage {stage}"
                            ))
                            .into());
                        }
                        retried_at = Some(row.try_get(1)?);
                    }
                    // The environment's row first: nothing can start there meanwhile.
                    tx.exec(
                        "INSERT INTO captain.environment_state (pipeline, environment) VALUES ($1, $2)
                         ON CONFLICT (pipeline, environment) DO UPDATE SET environment = excluded.environment",
                        &[&p, environment],
                    )?;
                    let newer: Option<i64> = tx
                        .one(
                            "SELECT max(release) FROM captain.deployments
                             WHERE pipeline = $1 AND environment = $2 AND release >= $3 AND kind = 'normal'
                               AND (release > $3 OR $4::timestamptz IS NULL OR started_at > $4)",
                            &[&p, environment, &num(*release), &retried_at],
                        )?
                        .try_get(0)?;
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
                    tx,
                    p,
                    &NewDeployment {
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
                let (seq, _) = in_progress(tx, p, &deployment.id)?;
                set_phase(tx, seq, &Phase::Deploying, at)?;
                set_owner(tx, seq, batch.runner.as_ref())?;
                if let Some(o) = overridden {
                    audit(
                        tx,
                        p,
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
                let (seq, _) = in_progress_held(tx, p, deployment, &mut held)?;
                if !finishes.contains(deployment) {
                    set_phase(tx, seq, to, at)?;
                }
            }
            Decision::RunApprovalStep {
                deployment, step, ..
            } => {
                let (seq, _) = in_progress_held(tx, p, deployment, &mut held)?;
                let running = tx
                    .opt(
                        "SELECT 1 FROM captain.deployment_progress
                         WHERE deployment = $1 AND phase = 'verifying' AND step = $2 AND step_started",
                        &[&seq, &step_index(*step)],
                    )?
                    .is_some();
                if running {
                    return Err(stale(format!(
                        "approval step {step} of {deployment} is already running"
                    ))
                    .into());
                }
                set_phase(
                    tx,
                    seq,
                    &Phase::Verifying {
                        step: *step,
                        started: true,
                    },
                    at,
                )?;
                set_owner(tx, seq, batch.runner.as_ref())?;
            }
            Decision::ApproveEnvironment { deployment, .. } => {
                finishing_held(tx, p, deployment, &mut held)?;
                finished.push(finish_locked_deployment(
                    tx,
                    p,
                    &FinishDeployment {
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
                finishing_held(tx, p, deployment, &mut held)?;
                finished.push(finish_locked_deployment(
                    tx,
                    p,
                    &FinishDeployment {
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
        tx.exec(
            "UPDATE captain.deployment_progress SET data_points = $3
             WHERE phase = 'baking' AND deployment = (
                 SELECT seq FROM captain.deployments
                 WHERE pipeline = $1 AND id = $2 AND outcome = 'in progress')",
            &[&p, &id.0, &i64::try_from(*points).unwrap_or(i64::MAX)],
        )?;
    }
    for (stage, seen) in &batch.blockers {
        let recorded: Option<bool> = tx
            .opt(
                "SELECT alarm FROM captain.blocker_states WHERE pipeline = $1 AND stage = $2
                 FOR UPDATE",
                &[&p, stage],
            )?
            .map(|row| row.try_get(0))
            .transpose()?;
        // Another pass recorded it first.
        if !blocker_changed(recorded, seen.alarm) {
            continue;
        }
        tx.exec(
            "INSERT INTO captain.blocker_states (pipeline, stage, alarm, since)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (pipeline, stage) DO UPDATE SET alarm = excluded.alarm,
                 since = excluded.since",
            &[&p, stage, &seen.alarm, &at],
        )?;
        audit(
            tx,
            p,
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

fn owner_of(tx: &mut Tx, seq: i64) -> TxResult<Option<RunnerId>> {
    match tx.opt(
        "SELECT runner_host, runner_pid, runner_start FROM captain.deployment_progress
         WHERE deployment = $1 FOR UPDATE",
        &[&seq],
    )? {
        Some(row) => runner_at(&row, 0),
        None => Ok(None),
    }
}

pub(super) fn record_process(
    tx: &mut Tx,
    p: &str,
    id: &DeploymentId,
    runner: &RunnerId,
    process: ProcessRecord,
) -> TxResult<()> {
    let (seq, _) = in_progress(tx, p, id)?;
    if owner_of(tx, seq)?.as_ref() != Some(runner) {
        return Err(stale(format!(
            "deployment {id} is driven by another `captain run`"
        ))
        .into());
    }
    tx.exec(
        "UPDATE captain.deployment_progress SET pid = $2, pid_start = $3 WHERE deployment = $1",
        &[&seq, &i64::from(process.pid), &opt_i64(process.start_time)],
    )?;
    Ok(())
}

pub(super) fn claim_deployments(
    tx: &mut Tx,
    p: &str,
    runner: Option<&RunnerId>,
    claims: &[Claim],
) -> TxResult<Vec<DeploymentId>> {
    let mut taken = Vec::new();
    for claim in claims {
        let Some((seq, d)) = locked(tx, p, &claim.deployment)? else {
            continue;
        };
        if d.outcome != Outcome::InProgress {
            continue;
        }
        tx.exec(
            "INSERT INTO captain.deployment_progress (deployment, phase, since) VALUES ($1, 'deploying', $2)
             ON CONFLICT (deployment) DO NOTHING",
            &[&seq, &d.started_at],
        )?;
        // Only if the owner is still the expected one (re-checked on the newest row).
        let expected = claim.expected.as_ref();
        let changed = tx.exec(
            "UPDATE captain.deployment_progress SET runner_host = $5, runner_pid = $6, runner_start = $7,
                 pid = NULL, pid_start = NULL,
                 step_started = CASE WHEN phase = 'verifying' THEN false ELSE step_started END
             WHERE deployment = $1 AND runner_host IS NOT DISTINCT FROM $2
               AND runner_pid IS NOT DISTINCT FROM $3 AND runner_start IS NOT DISTINCT FROM $4",
            &[
                &seq,
                &expected.map(|r| r.host.clone()),
                &expected.map(|r| i64::from(r.pid)),
                &expected.and_then(|r| opt_i64(r.start_time)),
                &runner.map(|r| r.host.clone()),
                &runner.map(|r| i64::from(r.pid)),
                &runner.and_then(|r| opt_i64(r.start_time)),
            ],
        )?;
        if changed == 1 {
            taken.push(claim.deployment.clone());
        }
    }
    Ok(taken)
}

pub(super) fn record_override(tx: &mut Tx, p: &str, record: &BlockerOverride) -> TxResult<()> {
    if record.reason.trim().is_empty() {
        return Err(Error::usage(format!(
            "overriding the blocker of {} needs a reason",
            record.target
        ))
        .with_hint("add `--reason TEXT`")
        .into());
    }
    let created_at = truncate(record.created_at);
    let until = record.until.map(truncate);
    tx.exec(
        "INSERT INTO captain.blocker_overrides (pipeline, target, actor, reason, created_at, until)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &p,
            &record.target,
            &record.actor,
            &record.reason,
            &created_at,
            &until,
        ],
    )?;
    audit(
        tx,
        p,
        created_at,
        &record.actor,
        "blocker.override",
        &record.target,
        Some(&record.reason),
        serde_json::json!({"until": record.until}),
    )
}

pub(super) fn record_step_result(tx: &mut Tx, p: &str, verdict: &StepVerdict) -> TxResult<()> {
    let seq = match locked(tx, p, &verdict.deployment)? {
        Some((seq, d)) if d.outcome == Outcome::InProgress => seq,
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
    let step = step_index(verdict.step);
    let existing: Option<(bool, String)> = tx
        .opt(
            "SELECT passed, actor FROM captain.step_results WHERE deployment = $1 AND step = $2",
            &[&seq, &step],
        )?
        .map(|row| -> TxResult<(bool, String)> { Ok((row.try_get(0)?, row.try_get(1)?)) })
        .transpose()?;
    let at = truncate(verdict.at);
    if verdict.passed {
        // One row per person: the step passes once enough distinct people approved.
        let again = tx
            .opt(
                "SELECT 1 FROM captain.step_approvals
                 WHERE deployment = $1 AND step = $2 AND actor = $3",
                &[&seq, &step, &verdict.actor],
            )?
            .is_some();
        let same_person = again
            || existing
                .as_ref()
                .is_some_and(|(passed, actor)| *passed && *actor == verdict.actor);
        if let Some(refusal) = verdict.refusal(existing.as_ref(), same_person) {
            return Err(refusal.into());
        }
        tx.exec(
            "INSERT INTO captain.step_approvals (deployment, step, actor, name, reason, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &seq,
                &step,
                &verdict.actor,
                &verdict.name,
                &verdict.reason,
                &at,
            ],
        )?;
        let count: i64 = tx
            .one(
                "SELECT count(*) FROM captain.step_approvals WHERE deployment = $1 AND step = $2",
                &[&seq, &step],
            )?
            .try_get(0)?;
        let legacy = i64::from(existing.is_some_and(|(passed, _)| passed));
        return audit(
            tx,
            p,
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
    tx.exec(
        "INSERT INTO captain.step_results (deployment, step, name, passed, actor, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &seq,
            &step,
            &verdict.name,
            &verdict.passed,
            &verdict.actor,
            &verdict.reason,
            &at,
        ],
    )?;
    audit(
        tx,
        p,
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

fn stage_record_from_row(row: &Row) -> TxResult<StageRecord> {
    let kind: String = row.try_get(2)?;
    Ok(StageRecord {
        stage: row.try_get(0)?,
        release: release_number(row.try_get(1)?)?,
        record: StageRecordKind::from_stored(&kind),
        by: row
            .try_get::<_, Option<i64>>(3)?
            .map(release_number)
            .transpose()?,
        reason: row.try_get(4)?,
        actor: row.try_get(5)?,
        at: row.try_get(6)?,
    })
}

pub(super) fn stage_records(
    tx: &mut Tx,
    p: &str,
    stages: &[String],
    limit: usize,
) -> TxResult<Vec<StageRecord>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // Every stage in one statement (a statement per stage was a round trip each: 33 for
    // the large case's status), in the order asked, newest first within each.
    tx.query(
        "SELECT r.stage, r.release, r.record, r.by_release, r.reason, r.actor, r.at
         FROM unnest($2::text[]) WITH ORDINALITY AS s(stage, n)
         CROSS JOIN LATERAL (
             SELECT stage, release, record, by_release, reason, actor, at
             FROM captain.stage_records
             WHERE pipeline = $1 AND stage = s.stage ORDER BY release DESC LIMIT $3) AS r
         ORDER BY s.n, r.release DESC",
        &[&p, &stages, &limit],
    )?
    .iter()
    .map(stage_record_from_row)
    .collect()
}

/// Every stage record, by release then stage (for `state export`).
pub(super) fn all_stage_records(tx: &mut Tx, p: &str) -> TxResult<Vec<StageRecord>> {
    tx.query(
        "SELECT stage, release, record, by_release, reason, actor, at FROM captain.stage_records
         WHERE pipeline = $1 ORDER BY release, stage COLLATE \"C\"",
        &[&p],
    )?
    .iter()
    .map(stage_record_from_row)
    .collect()
}

/// Loads one exported stage record: one already there and equal is skipped, a different
/// one is a conflict (a release is decided once in a stage).
pub(super) fn import_stage_record(
    tx: &mut Tx,
    p: &str,
    record: StageRecord,
    summary: &mut crate::store::ImportSummary,
) -> TxResult<()> {
    let record = StageRecord {
        at: truncate(record.at),
        ..record
    };
    let existing = tx
        .opt(
            "SELECT stage, release, record, by_release, reason, actor, at FROM captain.stage_records
             WHERE pipeline = $1 AND stage = $2 AND release = $3",
            &[&p, &record.stage, &num(record.release)],
        )?
        .map(|row| stage_record_from_row(&row))
        .transpose()?;
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
    let release_exists = tx
        .opt(
            "SELECT 1 FROM captain.releases WHERE pipeline = $1 AND number = $2",
            &[&p, &num(record.release)],
        )?
        .is_some();
    if !release_exists {
        return Err(Error::not_found(format!(
            "the stage record of {} in {} names a release that is not in the ledger",
            record.release, record.stage
        ))
        .into());
    }
    tx.exec(
        "INSERT INTO captain.stage_records (pipeline, stage, release, record, by_release, reason, actor, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &p,
            &record.stage,
            &num(record.release),
            &record.record.as_str(),
            &record.by.map(num),
            &record.reason,
            &record.actor,
            &record.at,
        ],
    )?;
    summary.stage_records += 1;
    Ok(())
}

pub(super) fn deployment_phases(
    tx: &mut Tx,
    p: &str,
    ids: &[DeploymentId],
) -> TxResult<Vec<Option<ActiveRecord>>> {
    let wanted: Vec<&str> = ids.iter().map(|id| id.0.as_str()).collect();
    // One id (finishing a deployment) is a text parameter: PostgreSQL settles on one plan
    // for it, where an array is planned again on every call (see `Tx::generic_plans`).
    let (matching, one) = match wanted.as_slice() {
        [one] => ("d.id = $2", Some(*one)),
        _ => ("d.id = ANY($2)", None),
    };
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS}, {PROGRESS_COLUMNS}
         FROM captain.deployments d
         JOIN captain.environment_state s
           ON s.pipeline = d.pipeline AND s.environment = d.environment AND s.in_progress_seq = d.seq
         LEFT JOIN captain.deployment_progress p ON p.deployment = d.seq
         WHERE d.pipeline = $1 AND {matching}"
    );
    let rows = match one {
        Some(one) => tx.query(&sql, &[&p, &one])?,
        None => tx.query(&sql, &[&p, &wanted])?,
    };
    let found: HashMap<DeploymentId, ActiveRecord> = rows
        .iter()
        .map(|row| active_from_row(row).map(|a| (a.record.deployment.clone(), a.record)))
        .collect::<TxResult<_>>()?;
    Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
}

/// `captain retry`: the release failed in the stage is recorded as retried there.
pub(super) fn retry_release(tx: &mut Tx, p: &str, retry: &RetryRequest) -> TxResult<StageRecord> {
    let release = num(retry.release);
    let recorded: Option<String> = tx
        .opt(
            "SELECT record FROM captain.stage_records WHERE pipeline = $1 AND stage = $2 AND release = $3",
            &[&p, &retry.stage, &release],
        )?
        .map(|row| row.try_get(0))
        .transpose()?;
    let newer: Option<i64> = tx
        .one(
            "SELECT max(release) FROM (
                 SELECT release FROM captain.stage_records
                 WHERE pipeline = $1 AND stage = $2 AND release > $3
                 UNION ALL
                 SELECT release FROM captain.deployments
                 WHERE pipeline = $1 AND stage = $2 AND kind = 'normal' AND release > $3) newer",
            &[&p, &retry.stage, &release],
        )?
        .try_get(0)?;
    let failed_deployment = tx
        .opt(
            "SELECT 1 FROM captain.deployments
             WHERE pipeline = $1 AND stage = $2 AND kind = 'normal' AND release = $3
               AND outcome NOT IN ('approved', 'in progress') LIMIT 1",
            &[&p, &retry.stage, &release],
        )?
        .is_some();
    let newer = newer.map(release_number).transpose()?;
    let again = crate::store::checks::require_retryable(
        retry,
        recorded.as_deref().map(StageRecordKind::from_stored),
        newer,
        failed_deployment,
    )?;
    let record = StageRecord {
        stage: retry.stage.clone(),
        release: retry.release,
        record: StageRecordKind::Retried,
        by: None,
        reason: retry.reason.clone(),
        actor: retry.actor.clone(),
        at: truncate(retry.at),
    };
    if !again {
        record_stage(tx, p, record.clone())?;
    }
    Ok(record)
}

//! Recording a deployment's start or finish on its own (a CI job's `deploy start` and
//! `deploy finish`, the team server's busiest writes) in two round trips and one short
//! transaction: one call reads what the decision needs (`captain.start_facts`, migration
//! 6, for a start; the deployment for a finish), captain decides in Rust
//! (the same checks as every other way of starting), and one call of
//! `captain.record_start` / `captain.record_finish` (migrations 5 and 7) makes the change if
//! what was read still holds under the environment's row lock, with the idempotency key
//! and its answer when the server passes one. If it no longer holds, captain reads and
//! decides again.
//!
//! A release created with an idempotency key is one call too (`captain.create_release`,
//! migration 23: the pipeline's lock, the checks, the insert, its commits and audit event,
//! the key with its answer), when it simply succeeds; otherwise the ordinary way answers.
//!
//! A store remembers what its own committed recordings left behind ([`Recent`]): the
//! releases it created, the environment a finish settled (recorded on its own or by a
//! pass of the engine, the team server's way of finishing), the deployment a start began.
//! A start or finish that follows it there is decided from memory and skips the read: one
//! round trip. That is
//! safe because memory is only ever used to accept, never to refuse (a refusal is decided
//! again from a fresh read), and everything an acceptance relies on is either checked
//! again by the recording function under the lock (nothing running, the current
//! deployment, the locks, the deployment still in progress) or can no longer change
//! (a release exists; an environment approved a release). Another writer (a replica, the
//! run loop, a rollback) makes the function say 'changed', and captain reads and decides
//! again. Inside an idempotent transaction memory is neither used nor changed: that
//! transaction may still roll back.
//!
//! Starts and finishes inside bigger transactions (a rollback, the run loop's decisions)
//! take the environment's lock first and write with the statements in the parent room.

use std::collections::{HashMap, HashSet};
use std::sync::MutexGuard;

use postgres::error::SqlState;

use super::{
    Fail, PostgresStore, Tx, TxResult, backoff, deployment_at, deployment_by_id, num, random_id,
    retryable, truncate,
};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{IdempotentRequest, answer_body, checks};

/// `record_start` / `record_finish` found the environment changed since the read.
const CHANGED: &str = "CPT01";
/// `record_start`'s random deployment id is taken: pick another.
const ID_TAKEN: &str = "CPT02";

/// How often a change that lost a race with another writer is decided again.
const MAX_ROUNDS: u32 = 50;

/// What became of a recording.
pub(crate) enum Recorded {
    /// Recorded (with the key and its answer, when one was given).
    Done(Deployment),
    /// Nothing was recorded: the key was seen before.
    KeySeen,
    /// Nothing was recorded: the deployment had already finished with this outcome (an
    /// answer the caller gives without writing).
    AlreadyFinished(Deployment),
}

/// The idempotency key's columns for the recording functions, or NULLs.
struct KeyArgs<'a> {
    token: Option<&'a str>,
    key: Option<&'a str>,
    digest: Option<&'a [u8]>,
    body: Option<Vec<u8>>,
    now: Option<i64>,
    expired_before: Option<i64>,
    abandoned_before: Option<i64>,
}

impl<'a> KeyArgs<'a> {
    /// The answer stored for the key is the deployment as the server sends it (JSON).
    fn new(request: Option<&'a IdempotentRequest>, answer: &Deployment) -> TxResult<Self> {
        let Some(request) = request else {
            return Ok(KeyArgs {
                token: None,
                key: None,
                digest: None,
                body: None,
                now: None,
                expired_before: None,
                abandoned_before: None,
            });
        };
        let body = answer_body(answer)?;
        Ok(KeyArgs {
            token: Some(request.token),
            key: Some(request.key),
            digest: Some(&request.request[..]),
            body: Some(body),
            now: Some(request.now),
            expired_before: Some(request.expired_before),
            abandoned_before: Some(request.abandoned_before),
        })
    }
}

/// How many environments, started deployments, releases or approvals a store remembers
/// at most; past that it forgets them all (and reads again).
const RECENT_LIMIT: usize = 10_000;

/// What a store's own committed recordings showed it (see the module doc).
#[derive(Default)]
pub(crate) struct Recent {
    /// Environments with nothing running, as this store's last finish there left them.
    settled: HashMap<String, Settled>,
    /// Deployments this store started and has not finished, with the environment as it
    /// was when they started.
    started: HashMap<DeploymentId, Started>,
    /// Releases seen to exist (a release is never removed).
    releases: HashSet<ReleaseNumber>,
    /// Environments seen to have approved a release (a finished deployment never changes).
    approved: HashSet<(String, ReleaseNumber)>,
}

/// An environment with nothing running.
#[derive(Clone)]
struct Settled {
    current_seq: Option<i64>,
    current: Option<Deployment>,
    locks: Vec<Lock>,
}

struct Started {
    seq: i64,
    deployment: Deployment,
    before: Settled,
}

impl Recent {
    /// A start's facts from memory, when its environment and release are remembered.
    fn start_facts(&self, new: &NewDeployment) -> Option<StartFacts> {
        let settled = self.settled.get(&new.environment)?;
        if !self.releases.contains(&new.release) {
            return None;
        }
        let approved = new
            .promotion_check
            .iter()
            .flat_map(|check| &check.previous_environments)
            .filter(|e| self.approved.contains(&((*e).clone(), new.release)))
            .cloned()
            .collect();
        Some(StartFacts {
            release_exists: true,
            current_seq: settled.current_seq,
            current: settled.current.clone(),
            running: None,
            locks: settled.locks.clone(),
            approved,
        })
    }

    /// A start committed, decided on `facts`.
    fn started(&mut self, facts: &StartFacts, seq: i64, deployment: &Deployment) {
        self.bound();
        self.settled.remove(&deployment.environment);
        if facts.release_exists {
            self.releases.insert(deployment.release);
        }
        for environment in &facts.approved {
            self.approved
                .insert((environment.clone(), deployment.release));
        }
        self.started.insert(
            deployment.id.clone(),
            Started {
                seq,
                deployment: deployment.clone(),
                before: Settled {
                    current_seq: facts.current_seq,
                    current: facts.current.clone(),
                    locks: facts.locks.clone(),
                },
            },
        );
    }

    /// A release this store created.
    fn created(&mut self, number: ReleaseNumber) {
        self.bound();
        self.releases.insert(number);
    }

    /// A deployment this store started and has not finished.
    fn running(&self, id: &DeploymentId) -> Option<Deployment> {
        self.started.get(id).map(|s| s.deployment.clone())
    }

    /// A finish committed: its environment is settled again if this store started the
    /// deployment (and so knows what came before), else forgotten.
    fn finished(&mut self, finished: &Deployment) {
        self.bound();
        let environment = &finished.environment;
        if finished.outcome == Outcome::Approved {
            self.approved
                .insert((environment.clone(), finished.release));
        }
        let Some(Started { seq, before, .. }) = self.started.remove(&finished.id) else {
            self.settled.remove(environment);
            return;
        };
        let mut settled = before;
        if finished.outcome.reached() && settled.current_seq.is_none_or(|current| seq > current) {
            settled.current_seq = Some(seq);
            settled.current = Some(finished.clone());
        }
        self.settled.insert(environment.clone(), settled);
    }

    /// Forgets a deployment found finished by someone else.
    fn forget(&mut self, id: &DeploymentId) {
        if let Some(started) = self.started.remove(id) {
            self.settled.remove(&started.deployment.environment);
        }
    }

    fn bound(&mut self) {
        if self.settled.len() >= RECENT_LIMIT {
            self.settled.clear();
        }
        if self.started.len() >= RECENT_LIMIT {
            self.started.clear();
        }
        if self.releases.len() >= RECENT_LIMIT {
            self.releases.clear();
        }
        if self.approved.len() >= RECENT_LIMIT {
            self.approved.clear();
        }
    }
}

/// Which round of a recording this is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Round {
    /// Inside this thread's idempotent transaction: memory is neither used nor changed.
    Joined,
    /// The first round on its own: decided from memory when it can be.
    First,
    /// A round after another writer changed the environment: decided from a fresh read.
    Again,
}

/// What deciding a start needs, read in one call without locks.
struct StartFacts {
    release_exists: bool,
    current_seq: Option<i64>,
    current: Option<Deployment>,
    running: Option<Deployment>,
    locks: Vec<Lock>,
    /// The previous stage's environments that approved the release.
    approved: HashSet<String>,
}

fn start_facts(tx: &mut Tx, p: &str, new: &NewDeployment) -> TxResult<StartFacts> {
    let previous: &[String] = new
        .promotion_check
        .as_ref()
        .map_or(&[], |check| &check.previous_environments);
    // `captain.start_facts` (migration 6): the columns below in this order.
    let row = tx.one(
        "SELECT * FROM captain.start_facts($1, $2, $3, $4)",
        &[&p, &new.environment, &num(new.release), &previous],
    )?;
    let running = match row.try_get::<_, Option<i64>>(2)? {
        Some(_) => Some(deployment_at(&row, 2)?.1),
        None => None,
    };
    let current = match row.try_get::<_, Option<i64>>(13)? {
        Some(_) => Some(deployment_at(&row, 13)?.1),
        None => None,
    };
    let approved: Vec<String> = row.try_get(24)?;
    let kinds: Option<Vec<String>> = row.try_get(25)?;
    let targets: Option<Vec<String>> = row.try_get(26)?;
    let directions: Option<Vec<String>> = row.try_get(27)?;
    let actors: Option<Vec<String>> = row.try_get(28)?;
    let reasons: Option<Vec<String>> = row.try_get(29)?;
    let created: Option<Vec<Timestamp>> = row.try_get(30)?;
    let mut locks = Vec::new();
    for (((((kind, target), direction), actor), reason), created_at) in kinds
        .unwrap_or_default()
        .into_iter()
        .zip(targets.unwrap_or_default())
        .zip(directions.unwrap_or_default())
        .zip(actors.unwrap_or_default())
        .zip(reasons.unwrap_or_default())
        .zip(created.unwrap_or_default())
    {
        locks.push(Lock {
            target_kind: super::ledger_word(&kind, "lock kind")?,
            target,
            direction: super::ledger_word(&direction, "lock direction")?,
            actor,
            reason,
            created_at,
            // Only a freeze has one, and no store check reads freezes.
            until: None,
        });
    }
    Ok(StartFacts {
        release_exists: row.try_get(0)?,
        current_seq: row.try_get(1)?,
        current,
        running,
        locks,
        approved: approved.into_iter().collect(),
    })
}

/// The refusals of a start (the shared rules, in the order every backend asks them).
fn decide_start(new: &NewDeployment, facts: &StartFacts) -> Result<()> {
    checks::require_valid_start(new)?;
    checks::require_startable(new, facts.release_exists, facts.running.as_ref())?;
    if checks::is_promotion(new) {
        if let Some(check) = &new.promotion_check {
            let missing: Vec<&str> = check
                .previous_environments
                .iter()
                .filter(|e| !facts.approved.contains(*e))
                .map(String::as_str)
                .collect();
            checks::require_approved(new, &missing)?;
        }
        checks::require_unlocked(new, &facts.locks)?;
        checks::require_not_older(new, facts.current.as_ref())?;
    }
    Ok(())
}

/// The answer for a created release as the server sends it, in two parts: the JSON
/// before the release's number and after it, which `captain.create_release` joins around
/// the number it gives the release. `None` if the encoding does not begin with the
/// number (it does: `number` is `Release`'s first field; a test pins it).
fn answer_around_number(created: &CreatedRelease) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    const HEAD: &[u8] = br#"{"release":{"number":"v"#;
    let mut body = answer_body(created)?;
    let digits = created.release.number.0.to_string();
    if !body.starts_with(HEAD) || !body[HEAD.len()..].starts_with(digits.as_bytes()) {
        return Ok(None);
    }
    let tail = body.split_off(HEAD.len() + digits.len());
    body.truncate(HEAD.len());
    Ok(Some((body, tail)))
}

/// The locks as `record_start` compares them: `kind/target/direction`, sorted.
fn lock_keys(locks: &[Lock]) -> Vec<String> {
    let mut keys: Vec<String> = locks
        .iter()
        .map(|l| {
            format!(
                "{}/{}/{}",
                l.target_kind.as_str(),
                l.target,
                l.direction.as_str()
            )
        })
        .collect();
    keys.sort();
    keys
}

fn sql_state(fail: &Fail) -> Option<&str> {
    match fail {
        Fail::Db(e) => e.code().map(SqlState::code),
        Fail::Ledger(_) => None,
    }
}

impl PostgresStore {
    /// Starts a deployment (see the module doc), recording `key` with it when given.
    pub(crate) fn record_start(
        &self,
        new: &NewDeployment,
        key: Option<&IdempotentRequest>,
    ) -> Result<Recorded> {
        let started_at = truncate(new.started_at);
        let details = serde_json::json!({"environment": new.environment, "stage": new.stage,
                                         "release": new.release, "kind": new.kind, "force": new.force});
        let kind = new.kind.as_str();
        let mut attempt = 0u32;
        self.each_statement(|tx, p, round| {
            let remembered = match round {
                Round::First => self.recent().start_facts(new),
                Round::Joined | Round::Again => None,
            };
            let facts = match remembered {
                Some(facts) if decide_start(new, &facts).is_ok() => facts,
                _ => {
                    let facts = start_facts(tx, p, new)?;
                    decide_start(new, &facts)?;
                    facts
                }
            };
            let deployment = new.starting(random_id(attempt), started_at);
            attempt += 1;
            let k = KeyArgs::new(key, &deployment)?;
            let row = tx.one(
                "SELECT result, seq FROM captain.record_start($1, $2, $3, $4, $5, $6, $7, $8,
                     $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                &[
                    &p,
                    &new.environment,
                    &new.stage,
                    &deployment.id.0,
                    &num(new.release),
                    &kind,
                    &new.actor,
                    &new.reason,
                    &started_at,
                    &details,
                    &facts.current_seq,
                    &lock_keys(&facts.locks),
                    &k.token,
                    &k.key,
                    &k.digest,
                    &k.body,
                    &k.now,
                    &k.expired_before,
                    &k.abandoned_before,
                ],
            )?;
            let result: String = row.try_get(0)?;
            if result == "key seen" {
                return Ok(Recorded::KeySeen);
            }
            if round != Round::Joined {
                let seq: i64 = row.try_get(1)?;
                self.recent().started(&facts, seq, &deployment);
            }
            Ok(Recorded::Done(deployment))
        })
    }

    /// Finishes a deployment (see the module doc), recording `key` with it when given.
    pub(crate) fn record_finish(
        &self,
        finish: &FinishDeployment,
        key: Option<&IdempotentRequest>,
    ) -> Result<Recorded> {
        checks::require_finishing_outcome(finish)?;
        let finished_at = truncate(finish.finished_at);
        self.each_statement(|tx, p, round| {
            let remembered = match round {
                Round::First => self.recent().running(&finish.id),
                Round::Joined | Round::Again => None,
            };
            let deployment = match remembered {
                Some(deployment) => deployment,
                None => {
                    let Some((_, deployment)) = deployment_by_id(tx, p, &finish.id)? else {
                        return Err(checks::unknown_deployment(&finish.id).into());
                    };
                    if deployment.outcome.is_finished() {
                        if round != Round::Joined {
                            self.recent().forget(&finish.id);
                        }
                        let recorded = checks::finished_already(finish, deployment)?;
                        return Ok(Recorded::AlreadyFinished(recorded));
                    }
                    deployment
                }
            };
            let finished = Deployment {
                outcome: finish.outcome,
                finished_at: Some(finished_at),
                ..deployment
            };
            let k = KeyArgs::new(key, &finished)?;
            let row = tx.one(
                "SELECT result FROM captain.record_finish($1, $2, $3, $4, $5, $6, $7, $8,
                     $9, $10, $11, $12, $13, $14, $15)",
                &[
                    &p,
                    &finish.id.0,
                    &finished.environment,
                    &finish.outcome.as_str(),
                    &finished_at,
                    &finish.outcome.reached(),
                    &finish.actor,
                    &finish.reason,
                    &k.token,
                    &k.key,
                    &k.digest,
                    &k.body,
                    &k.now,
                    &k.expired_before,
                    &k.abandoned_before,
                ],
            )?;
            let result: String = row.try_get(0)?;
            if result == "key seen" {
                return Ok(Recorded::KeySeen);
            }
            if round != Round::Joined {
                self.recent().finished(&finished);
            }
            Ok(Recorded::Done(finished))
        })
    }

    /// Creates a release with `key` and its answer in one call (`captain.create_release`,
    /// migration 23) when it simply succeeds: the release's answer. `None` when nothing
    /// was recorded — the commit has a release or is in one, the base is missing, the
    /// request is refused, or the key was seen before — and the ordinary way answers.
    pub(crate) fn create_release_keyed(
        &self,
        new: &NewRelease,
        key: &IdempotentRequest,
    ) -> Result<Option<Vec<u8>>> {
        let Ok(commit) = super::full_sha(&new.commit, "release commit") else {
            return Ok(None);
        };
        let Ok(hotfix) = checks::hotfix(new.hotfix_reason.as_deref(), &new.actor, &commit) else {
            return Ok(None);
        };
        let Ok(c) = super::CommitColumns::of(&new.commits) else {
            return Ok(None);
        };
        let release = super::release_of(new, ReleaseNumber(0), commit, hotfix);
        let Some((head, tail)) = answer_around_number(&CreatedRelease {
            release: release.clone(),
            created: true,
        })?
        else {
            return Ok(None);
        };
        let (Ok(artifacts), Ok((snapshot_hash, snapshot_body))) = (
            super::to_json(&release.artifacts, "artifacts"),
            super::snapshot_content(&new.dependencies),
        ) else {
            return Ok(None);
        };
        let details = super::release_details(&release);
        let commit_count = i64::try_from(release.commit_count).unwrap_or(i64::MAX);
        let hotfix_reason = release.hotfix.as_ref().map(|h| h.reason.as_str());
        let recorded = self.each_statement(|tx, p, round| {
            let row = tx.one(
                "SELECT result, rel_number FROM captain.create_release($1, $2, $3, $4, $5, $6, $7,
                     $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                     $23, $24, $25, $26)",
                &[
                    &p,
                    &release.commit,
                    &release.base.map(num),
                    &artifacts,
                    &release.actor,
                    &release.created_at,
                    &commit_count,
                    &release.first_commit,
                    &hotfix_reason,
                    &snapshot_hash,
                    &snapshot_body,
                    &c.positions,
                    &c.shas,
                    &c.authors,
                    &c.times,
                    &c.subjects,
                    &c.parents,
                    &details,
                    &key.token,
                    &key.key,
                    &&key.request[..],
                    &head,
                    &tail,
                    &key.now,
                    &key.expired_before,
                    &key.abandoned_before,
                ],
            )?;
            let result: String = row.try_get(0)?;
            if result != "created" {
                return Ok(None);
            }
            let number = super::release_number(row.try_get(1)?)?;
            if round != Round::Joined {
                self.recent().created(number);
            }
            Ok(Some(number))
        })?;
        Ok(recorded.map(|number| {
            let mut body = head;
            body.extend_from_slice(number.0.to_string().as_bytes());
            body.extend_from_slice(&tail);
            body
        }))
    }

    /// What a committed pass of this store's (the run loop's, the server's) finished
    /// and started: an environment it left with nothing running is settled, one where it
    /// started a deployment (a rollback after a failure) is not.
    pub(crate) fn remember_pass(&self, finished: &[Deployment], started: &[Deployment]) {
        let mut recent = self.recent();
        for deployment in finished {
            recent.finished(deployment);
        }
        for deployment in started {
            recent.settled.remove(&deployment.environment);
        }
    }

    fn recent(&self) -> MutexGuard<'_, Recent> {
        // Memory is only a shortcut: what a panicking thread left there is still checked.
        self.recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `round` with every statement its own transaction (or inside this thread's
    /// idempotent transaction, once), again while another writer changed the environment
    /// in between or a random id was taken.
    fn each_statement<T>(
        &self,
        mut round: impl FnMut(&mut Tx, &str, Round) -> TxResult<T>,
    ) -> Result<T> {
        // Inside a transaction a failed call aborts it: no second round there (the server
        // then takes the ordinary way, which comes back here on its own).
        if let Some(joined) = self.join_ambient(|tx| round(tx, &self.pipeline, Round::Joined)) {
            return joined;
        }
        let mut lease = self.conns.lease()?;
        for attempt in 1..=MAX_ROUNDS {
            let Some(conn) = lease.conn.as_mut() else {
                return Err(Error::internal("a pooled connection went missing"));
            };
            let mut tx = Tx {
                tx: &mut conn.client,
                statements: &mut conn.statements,
            };
            let this = if attempt == 1 {
                Round::First
            } else {
                Round::Again
            };
            match round(&mut tx, &self.pipeline, this) {
                Err(fail) if matches!(sql_state(&fail), Some(CHANGED | ID_TAKEN)) => continue,
                Err(Fail::Db(e)) if attempt < MAX_ROUNDS && retryable(&e) => backoff(attempt),
                other => return other.map_err(|e| self.conns.fail(e)),
            }
        }
        Err(Error::conflict(format!(
            "the ledger of {} kept changing while recording ({MAX_ROUNDS} attempts)",
            self.pipeline
        ))
        .with_hint("try again"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// `captain.create_release` joins the answer around the number: the parts and the
    /// number must give exactly the answer the server would have sent.
    #[test]
    fn a_created_release_answer_splits_around_its_number() {
        let release = |number| CreatedRelease {
            release: Release {
                number: ReleaseNumber(number),
                commit: "a".repeat(40),
                base: Some(ReleaseNumber(7)),
                artifacts: [("number".to_string(), "\"number\":\"v0\"".to_string())].into(),
                actor: "ci".into(),
                created_at: Timestamp::UNIX_EPOCH,
                commit_count: 1,
                first_commit: None,
                hotfix: None,
            },
            created: true,
        };
        let (head, tail) = answer_around_number(&release(0)).unwrap().unwrap();
        for number in [1, 12, 123_456] {
            let mut joined = head.clone();
            joined.extend_from_slice(number.to_string().as_bytes());
            joined.extend_from_slice(&tail);
            assert_eq!(joined, answer_body(&release(number)).unwrap());
        }
    }
}

//! A team server's idempotency keys in the SQLite ledger (`idempotency_keys`, migration
//! 3), and [`Store::idempotent`] on it: a mutation, its key and the answer a retry gets
//! commit in one `BEGIN IMMEDIATE` transaction, or none of them does.
//!
//! While an idempotent request runs, its open transaction holds the store's connection
//! in a thread-local [`Ambient`]: every read and write the mutation makes on this store
//! (on this thread) runs inside it instead of starting its own, so a retry never finds
//! the change without its answer. The store's mutex stays locked meanwhile, so no other
//! thread of the process gets between them; other processes wait on the file's write
//! lock. A failure or a panic rolls everything back and gives the connection back.
//!
//! The same table serves the server's ordinary way (claim, run, answer: [`KeyTable`]),
//! used when the mutation failed or the key was seen before, so both ways see every key
//! of this pipeline, as on PostgreSQL.

use std::cell::RefCell;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, Tx};
use crate::error::{Error, Result};
use crate::store::{IdempotentRequest, KeyTable, SeenKey, Store};

/// The transaction an idempotent request runs in, with the connection it holds.
struct Ambient {
    /// Which store the connection belongs to ([`SqliteStore::id`]).
    store: u64,
    conn: Connection,
    /// A read or write inside failed: the whole transaction is rolled back.
    failed: bool,
}

thread_local! {
    static AMBIENT: RefCell<Option<Ambient>> = const { RefCell::new(None) };
}

/// What [`join`] did with a read or write.
pub(super) enum Joined<T, F> {
    /// It ran inside this thread's idempotent transaction.
    Ran(Result<T>),
    /// There is none on this store: the caller runs it in its own transaction.
    Alone(F),
}

/// Runs `f` in this thread's idempotent transaction on `store`, if there is one. A
/// failure marks the transaction for rollback (part of `f` may have been written).
pub(super) fn join<T, F>(store: &SqliteStore, f: F) -> Joined<T, F>
where
    F: FnOnce(&Connection) -> Tx<T>,
{
    let mut f = Some(f);
    let ran = AMBIENT
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            let ambient = slot.as_mut().filter(|a| a.store == store.id)?;
            let result = f.take()?(&ambient.conn);
            if result.is_err() {
                ambient.failed = true;
            }
            Some(result)
        })
        .ok()
        .flatten();
    match (ran, f) {
        (Some(result), _) => Joined::Ran(result.map_err(|e| store.fail(e))),
        (None, Some(f)) => Joined::Alone(f),
        (None, None) => Joined::Ran(Err(Error::internal(
            "a read or write of the state file ran without an answer",
        ))),
    }
}

/// Whether this thread already runs an idempotent request (on any store): they do not
/// nest.
fn ambient_in_use() -> bool {
    AMBIENT
        .try_with(|cell| cell.try_borrow().map_or(true, |slot| slot.is_some()))
        .unwrap_or(true)
}

/// Gives the connection of this thread's [`Ambient`] back to its store when dropped,
/// rolled back — on an early return or a panic of the mutation. After
/// [`leave`](Self::leave) it has nothing left to do.
struct Held<'a, 'g> {
    slot: &'a mut MutexGuard<'g, Option<Connection>>,
}

impl Held<'_, '_> {
    fn leave(&mut self) -> Option<Ambient> {
        AMBIENT
            .try_with(|cell| cell.try_borrow_mut().ok()?.take())
            .ok()
            .flatten()
    }
}

impl Drop for Held<'_, '_> {
    fn drop(&mut self) {
        if let Some(ambient) = self.leave() {
            // Nothing more can be done here about a ROLLBACK that fails (a broken
            // connection): the next BEGIN on the connection reports it.
            let _ = ambient.conn.execute_batch("ROLLBACK");
            **self.slot = Some(ambient.conn);
        }
    }
}

/// What `idempotency_keys` holds for the key of `request` if the key is not free (new,
/// expired, or claimed without an answer by a server that died: the same rule as the
/// server's own tables).
fn seen(conn: &Connection, request: &IdempotentRequest) -> Tx<Option<SeenKey>> {
    let row = conn
        .query_row(
            "SELECT request_digest, status, body FROM idempotency_keys
             WHERE token = ?1 AND key = ?2 AND claimed_at >= ?3
               AND (status IS NOT NULL OR claimed_at > ?4)",
            params![
                request.token,
                request.key,
                request.expired_before,
                request.abandoned_before
            ],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<Vec<u8>>>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((digest, status, body)) = row else {
        return Ok(None);
    };
    let answer = match status {
        None => None,
        Some(status) => Some((
            u16::try_from(status).map_err(|_| {
                Error::failed(format!(
                    "idempotency key `{}` has a bad stored status {status}",
                    request.key
                ))
            })?,
            body.unwrap_or_default(),
        )),
    };
    Ok(Some(SeenKey {
        request: digest,
        answer,
    }))
}

/// Takes the (free) key of `request`, with its answer or, for the ordinary way, without.
fn take(conn: &Connection, request: &IdempotentRequest, answer: Option<&[u8]>) -> Tx<()> {
    conn.execute(
        "INSERT OR REPLACE INTO idempotency_keys
             (token, key, request_digest, status, body, claimed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            request.token,
            request.key,
            &request.request[..],
            answer.map(|_| 200),
            answer,
            request.now
        ],
    )?;
    // Expired keys go now and then, in a transaction that writes anyway.
    if rand::random::<u8>() < 4 {
        conn.execute(
            "DELETE FROM idempotency_keys WHERE claimed_at < ?1",
            params![request.expired_before],
        )?;
    }
    Ok(())
}

/// [`Store::idempotent`] for the SQLite ledger (see the module doc).
pub(super) fn idempotent(
    store: &SqliteStore,
    request: &IdempotentRequest,
    run: &mut dyn FnMut(&dyn Store) -> Result<Vec<u8>>,
) -> Result<Option<Vec<u8>>> {
    if ambient_in_use() {
        return Ok(None);
    }
    let mut guard = store.conn()?;
    let Some(conn) = guard.take() else {
        return Err(store.missing());
    };
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        *guard = Some(conn);
        return Err(store.fail(e.into()));
    }
    // Under the write lock nobody can take the key between this look and the insert
    // below. A key seen before is the ordinary way's: it replays the answer, waits for
    // the first request, or refuses a reused key — without running the mutation.
    let free = match seen(&conn, request) {
        Ok(found) => Ok(found.is_none()),
        Err(e) => Err(store.fail(e)),
    };
    if !matches!(free, Ok(true)) {
        let _ = conn.execute_batch("ROLLBACK");
        *guard = Some(conn);
        return free.map(|_| None);
    }
    AMBIENT.with(|cell| {
        *cell.borrow_mut() = Some(Ambient {
            store: store.id,
            conn,
            failed: false,
        });
    });
    let mut held = Held { slot: &mut guard };
    let outcome = run(store);
    let Some(ambient) = held.leave() else {
        return Err(Error::internal(
            "the idempotent transaction on the state file went missing",
        ));
    };
    let kept = match outcome {
        Ok(body) if !ambient.failed => {
            let committed = take(&ambient.conn, request, Some(&body))
                .and_then(|()| Ok(ambient.conn.execute_batch("COMMIT")?));
            committed.is_ok().then_some(body)
        }
        // The mutation failed: the ordinary way runs it again and keeps its error as
        // the key's answer.
        _ => None,
    };
    if kept.is_none() {
        let _ = ambient.conn.execute_batch("ROLLBACK");
    }
    **held.slot = Some(ambient.conn);
    Ok(kept)
}

impl KeyTable for SqliteStore {
    fn claim_key(&self, request: &IdempotentRequest) -> Result<Option<SeenKey>> {
        self.write(|conn| {
            if let Some(found) = seen(conn, request)? {
                return Ok(Some(found));
            }
            take(conn, request, None)?;
            Ok(None)
        })
    }

    fn answer_key(&self, token: &str, key: &str, status: u16, body: &[u8]) -> Result<()> {
        self.write(|conn| {
            conn.execute(
                "UPDATE idempotency_keys SET status = ?3, body = ?4 WHERE token = ?1 AND key = ?2",
                params![token, key, status, body],
            )?;
            Ok(())
        })
    }

    fn release_key(&self, token: &str, key: &str) -> Result<()> {
        self.write(|conn| {
            conn.execute(
                "DELETE FROM idempotency_keys WHERE token = ?1 AND key = ?2 AND status IS NULL",
                params![token, key],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::model::*;

    fn release(store: &SqliteStore) {
        store
            .create_release(NewRelease {
                commit: "a".repeat(40),
                base: None,
                artifacts: [("app".to_string(), "img@1".to_string())].into(),
                actor: "ci".into(),
                created_at: Timestamp::UNIX_EPOCH,
                commits: Vec::new(),
                dependencies: DependencySnapshot::default(),
                hotfix_reason: None,
            })
            .unwrap();
    }

    fn start(environment: &str) -> NewDeployment {
        NewDeployment {
            environment: environment.into(),
            stage: environment.into(),
            release: ReleaseNumber(1),
            kind: DeploymentKind::Normal,
            actor: "ci".into(),
            reason: None,
            started_at: Timestamp::UNIX_EPOCH,
            promotion_check: None,
            force: false,
        }
    }

    fn request(key: &str) -> IdempotentRequest<'_> {
        IdempotentRequest {
            token: "ci",
            key,
            request: &[7u8; 32],
            now: 1_000,
            expired_before: 0,
            abandoned_before: 880,
        }
    }

    /// The key's row as another connection to the file sees it (so: committed).
    fn key_row(path: &Path, key: &str) -> Option<(Option<i64>, Option<Vec<u8>>)> {
        let conn = Connection::open(path).unwrap();
        conn.query_row(
            "SELECT status, body FROM idempotency_keys WHERE token = 'ci' AND key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap()
    }

    fn deployments(store: &SqliteStore, environment: &str) -> usize {
        store
            .history(environment, &Default::default())
            .unwrap()
            .len()
    }

    /// A mutation run through `idempotent` commits with its key's claim and answer, or
    /// leaves neither: there is no moment where the change is in and its answer is not.
    #[test]
    fn an_idempotent_mutation_commits_with_its_key_and_answer_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        let store = SqliteStore::open(&path, "app").unwrap();
        release(&store);

        // A mutation that writes and then fails: nothing of it, and no claim, remains.
        let answered = store
            .idempotent(&request("k1"), &mut |s| {
                s.start_deployment(start("beta"))?;
                s.start_deployment(start("beta"))?; // a conflict: beta is busy
                Ok(b"unreachable".to_vec())
            })
            .unwrap();
        assert_eq!(answered, None);
        assert_eq!(deployments(&store, "beta"), 0);
        assert_eq!(key_row(&path, "k1"), None);

        // One whose write failed though it answered: rolled back all the same.
        let answered = store
            .idempotent(&request("k1"), &mut |s| {
                s.start_deployment(start("beta"))?;
                let _ = s.start_deployment(start("beta"));
                Ok(b"swallowed".to_vec())
            })
            .unwrap();
        assert_eq!(answered, None);
        assert_eq!(deployments(&store, "beta"), 0);
        assert_eq!(key_row(&path, "k1"), None);

        // One that succeeds commits the deployment, the key and the answer together; its
        // reads see its own writes, and another connection sees none of it before.
        let other = SqliteStore::open(&path, "app").unwrap();
        let answered = store
            .idempotent(&request("k2"), &mut |s| {
                let d = s.start_deployment(start("beta"))?;
                assert_eq!(s.history("beta", &Default::default())?.len(), 1);
                assert_eq!(deployments(&other, "beta"), 0);
                Ok(d.id.0.into_bytes())
            })
            .unwrap()
            .unwrap();
        let history = store.history("beta", &Default::default()).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(answered, history[0].deployment.id.0.as_bytes());
        assert_eq!(
            key_row(&path, "k2"),
            Some((Some(200), Some(answered.clone())))
        );

        // A key seen before keeps nothing of a second run (it does not even run): the
        // caller replays it the ordinary way, from the same table.
        let mut runs = 0;
        let again = store
            .idempotent(&request("k2"), &mut |s| {
                runs += 1;
                s.start_deployment(start("epsilon"))?;
                Ok(b"second".to_vec())
            })
            .unwrap();
        assert_eq!((again, runs), (None, 0));
        assert_eq!(deployments(&store, "epsilon"), 0);
        assert_eq!(
            store.claim_key(&request("k2")).unwrap(),
            Some(SeenKey {
                request: vec![7u8; 32],
                answer: Some((200, answered)),
            })
        );

        // A key claimed the ordinary way and still running is not taken over either;
        // once its server is presumed dead (`abandoned_before`), it is.
        assert_eq!(store.claim_key(&request("k3")).unwrap(), None);
        let running = store
            .idempotent(&request("k3"), &mut |s| {
                s.start_deployment(start("gamma"))?;
                Ok(b"gamma".to_vec())
            })
            .unwrap();
        assert_eq!(running, None);
        assert_eq!(deployments(&store, "gamma"), 0);
        let later = IdempotentRequest {
            now: 2_000,
            abandoned_before: 1_000,
            ..request("k3")
        };
        let taken = store
            .idempotent(&later, &mut |s| {
                s.start_deployment(start("gamma"))?;
                Ok(b"gamma".to_vec())
            })
            .unwrap();
        assert_eq!(taken.as_deref(), Some(&b"gamma"[..]));
        assert_eq!(
            key_row(&path, "k3"),
            Some((Some(200), Some(b"gamma".to_vec())))
        );

        // Outside `idempotent`, writes are their own transactions again.
        store.start_deployment(start("delta")).unwrap();
        assert_eq!(deployments(&store, "delta"), 1);
    }

    /// A mutation that panics leaves nothing, and leaves the thread free of its
    /// transaction: other stores on it work as before.
    #[test]
    fn a_panicking_mutation_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        let store = SqliteStore::open(&path, "app").unwrap();
        release(&store);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.idempotent(&request("k1"), &mut |s| {
                s.start_deployment(start("beta"))?;
                panic!("the mutation panics");
            })
        }));
        assert!(panicked.is_err());
        assert!(!ambient_in_use());
        assert_eq!(key_row(&path, "k1"), None);
        let other = SqliteStore::open(&path, "app").unwrap();
        assert_eq!(deployments(&other, "beta"), 0);
        let answered = other
            .idempotent(&request("k1"), &mut |s| {
                s.start_deployment(start("beta"))?;
                Ok(b"ok".to_vec())
            })
            .unwrap();
        assert_eq!(answered.as_deref(), Some(&b"ok"[..]));
        assert_eq!(deployments(&other, "beta"), 1);
    }

    /// Requests with one key at once — on one store, and on two connections to the file
    /// as two servers would have — record one change: each would deploy to an
    /// environment of its own, and exactly one environment gets a deployment.
    #[test]
    fn concurrent_requests_with_one_key_record_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        let stores = [
            Arc::new(SqliteStore::open(&path, "app").unwrap()),
            Arc::new(SqliteStore::open(&path, "app").unwrap()),
        ];
        release(&stores[0]);
        let environments: Vec<String> = (0..8).map(|i| format!("env{i}")).collect();
        let answers: Vec<Option<Vec<u8>>> = std::thread::scope(|scope| {
            let threads: Vec<_> = environments
                .iter()
                .enumerate()
                .map(|(i, environment)| {
                    let store = stores[i % 2].clone();
                    scope.spawn(move || {
                        store
                            .idempotent(&request("k"), &mut |s| {
                                s.start_deployment(start(environment))?;
                                Ok(environment.clone().into_bytes())
                            })
                            .unwrap()
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let kept: Vec<&Vec<u8>> = answers.iter().flatten().collect();
        assert_eq!(kept.len(), 1, "{answers:?}");
        let deployed: Vec<&String> = environments
            .iter()
            .filter(|e| deployments(&stores[0], e) > 0)
            .collect();
        assert_eq!(deployed.len(), 1);
        assert_eq!(deployed[0].as_bytes(), kept[0].as_slice());
        assert_eq!(
            key_row(&path, "k"),
            Some((Some(200), Some(kept[0].clone())))
        );
    }
}

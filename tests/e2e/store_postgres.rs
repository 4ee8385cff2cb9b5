//! The store story on PostgreSQL (a real throwaway server, see `pg_harness`), plus what
//! only a shared database has: several pipelines in one database, many concurrent
//! writers, a database that is not captain's.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use captain::ErrorKind;
use captain::model::*;
use captain::store::postgres::PostgresStore;
use captain::store::{NewRollback, ReleaseFilter, RollbackTarget, Store};

use super::pg_harness::{fresh_database, server};
use super::store_story::{self, at, new_release};

/// A fresh, empty database per store: the story wants pipeline `app` every time.
fn factory() -> impl Fn() -> Box<dyn Store> {
    || Box::new(PostgresStore::open(&fresh_database(), "app").unwrap())
}

#[test]
fn postgres_passes_the_store_story() {
    store_story::run_story(&factory());
}

#[test]
fn postgres_story_releases() {
    store_story::story_releases(&factory());
}

#[test]
fn postgres_story_release_rules() {
    store_story::story_release_rules(&factory());
}

#[test]
fn postgres_story_deployments() {
    store_story::story_deployments(&factory());
}

#[test]
fn postgres_story_history() {
    store_story::story_history(&factory());
}

#[test]
fn postgres_story_history_across_branches() {
    store_story::story_history_across_branches(&factory());
}

#[test]
fn postgres_story_locate() {
    store_story::story_locate(&factory());
}

#[test]
fn postgres_story_locate_long_histories() {
    store_story::story_locate_long_histories(&factory());
}

#[test]
fn postgres_story_rollback() {
    store_story::story_rollback(&factory());
}

#[test]
fn postgres_story_export_import() {
    store_story::story_export_import(&factory());
}

#[test]
fn postgres_story_run_loop() {
    store_story::story_run_loop(&factory());
}

#[test]
fn postgres_story_retry() {
    store_story::story_retry(&factory());
}

#[test]
fn postgres_story_export_import_expedites_and_overrides() {
    store_story::story_export_import_expedites_and_overrides(&factory());
}

#[test]
fn postgres_story_freezes() {
    store_story::story_freezes(&factory());
}

fn start(env: &str, release: u64) -> NewDeployment {
    NewDeployment {
        environment: env.into(),
        stage: "s".into(),
        release: ReleaseNumber(release),
        kind: DeploymentKind::Normal,
        actor: "ci".into(),
        reason: None,
        started_at: at(100),
        promotion_check: None,
        force: false,
    }
}

fn finish(id: &DeploymentId, outcome: Outcome) -> FinishDeployment {
    FinishDeployment {
        id: id.clone(),
        outcome,
        actor: "ci".into(),
        finished_at: at(200),
        reason: None,
    }
}

#[test]
fn pipelines_sharing_a_database_never_see_each_other() {
    let url = fresh_database();
    let app = PostgresStore::open(&url, "app").unwrap();
    let infra = PostgresStore::open(&url, "infra").unwrap();
    let a = app
        .create_release(new_release("same", None, &["same"], "app@1"))
        .unwrap();
    // The same commit is a new release, numbered from 1, in the other pipeline.
    let i = infra
        .create_release(new_release("same", None, &["same"], "infra@1"))
        .unwrap();
    assert!(a.created && i.created);
    assert_eq!(
        (a.release.number, i.release.number),
        (ReleaseNumber(1), ReleaseNumber(1))
    );
    let d = app.start_deployment(start("prod", 1)).unwrap();
    // infra's prod is free, and infra knows nothing of app's deployment.
    let e = infra.start_deployment(start("prod", 1)).unwrap();
    assert_eq!(infra.deployment(&d.id).unwrap(), None);
    assert_eq!(
        infra
            .environment_states(&["prod".into()])
            .unwrap()
            .first()
            .and_then(|s| s.in_progress.as_ref().map(|d| d.id.clone())),
        Some(e.id.clone())
    );
    assert_eq!(
        kind_of(infra.finish_deployment(finish(&d.id, Outcome::Approved))),
        ErrorKind::NotFound
    );
    assert!(
        app.audit_events(&Default::default())
            .unwrap()
            .iter()
            .all(|ev| ev.target != e.id.0)
    );
    assert_eq!(
        infra
            .locate_commit(&store_story::sha("same"), &["prod".into()])
            .unwrap()
            .release,
        Some(ReleaseNumber(1))
    );
    // Reopening keeps each ledger, and the location names the database, not a password.
    drop(app);
    let app = PostgresStore::open(&url, "app").unwrap();
    assert_eq!(app.releases(&ReleaseFilter::default()).unwrap().len(), 1);
    assert!(app.location().starts_with("postgres://postgres@127.0.0.1:"));
}

fn kind_of<T: std::fmt::Debug>(result: captain::Result<T>) -> ErrorKind {
    result.unwrap_err().kind
}

#[test]
fn a_database_that_is_not_captains_or_is_newer_is_refused() {
    let url = fresh_database();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute("CREATE SCHEMA captain; CREATE TABLE captain.notes (text text);")
        .unwrap();
    let e = PostgresStore::open(&url, "app").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Failed);
    assert!(e.message.contains("not captain's"), "{}", e.message);
    // Untouched.
    let tables: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'captain'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);

    let url = fresh_database();
    drop(PostgresStore::open(&url, "app").unwrap());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute("INSERT INTO captain.schema_migrations (version) VALUES (999)")
        .unwrap();
    let e = PostgresStore::open(&url, "app").unwrap_err();
    assert!(
        e.message.contains("newer captain") && e.message.contains("999"),
        "{}",
        e.message
    );

    // Nothing listens there: unavailable (a server answers 503, the CLI may retry).
    let e = PostgresStore::open("postgres://postgres:pw@127.0.0.1:1/nothing", "app").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unavailable);
    assert!(
        e.message.contains("could not connect") && !e.message.contains("pw"),
        "{}",
        e.message
    );
}

#[test]
fn many_servers_migrating_one_new_database_at_once_agree() {
    let url = Arc::new(fresh_database());
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (url, barrier) = (Arc::clone(&url), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                PostgresStore::open(&url, "app").map(|_| ())
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap().unwrap();
    }
}

#[test]
fn postgres_keeps_every_write_of_32_concurrent_stores_exactly_once() {
    // Each thread its own store: separate connections and memories, as separate servers.
    keeps_every_write_of_32_concurrent_writers(false);
}

#[test]
fn postgres_keeps_every_write_of_32_threads_sharing_one_store_exactly_once() {
    // One store, as in one server: its pool and its memory of recent writes are shared.
    keeps_every_write_of_32_concurrent_writers(true);
}

fn keeps_every_write_of_32_concurrent_writers(one_store: bool) {
    let url = Arc::new(fresh_database());
    const THREADS: usize = 32;
    const DEPLOYS: usize = 20;
    let barrier = Arc::new(Barrier::new(THREADS));
    let shared_store = one_store.then(|| Arc::new(PostgresStore::open(&url, "app").unwrap()));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (url, barrier) = (Arc::clone(&url), Arc::clone(&barrier));
            let shared_store = shared_store.clone();
            std::thread::spawn(move || -> captain::Result<Vec<DeploymentId>> {
                let store = match shared_store {
                    Some(store) => store,
                    None => Arc::new(PostgresStore::open(&url, "app")?),
                };
                barrier.wait();
                // Everyone records the same first commit at once, and one of its own.
                let shared =
                    store.create_release(new_release("shared", None, &["shared"], "img@1"))?;
                assert_eq!(shared.release.number, ReleaseNumber(1));
                store.create_release(new_release(
                    &format!("own-{t}"),
                    Some(1),
                    &[&format!("own-{t}")],
                    "img",
                ))?;
                let mut ids = Vec::new();
                for i in 0..DEPLOYS {
                    // Half the environments are shared by two threads: they contend.
                    let env = format!("env-{}-{}", t / 2, i % 4);
                    let started = loop {
                        match store.start_deployment(start(&env, 1)) {
                            Ok(started) => break started,
                            Err(e) if e.kind == ErrorKind::Conflict => {
                                std::thread::sleep(Duration::from_millis(1));
                            }
                            Err(e) => return Err(e),
                        }
                    };
                    store.finish_deployment(finish(&started.id, Outcome::Approved))?;
                    ids.push(started.id);
                }
                Ok(ids)
            })
        })
        .collect();
    let mut all_ids = Vec::new();
    for handle in handles {
        all_ids.extend(handle.join().unwrap().unwrap());
    }
    let store = PostgresStore::open(&url, "app").unwrap();
    let numbers: Vec<u64> = store
        .releases(&ReleaseFilter::default())
        .unwrap()
        .iter()
        .map(|r| r.number.0)
        .collect();
    assert_eq!(
        numbers,
        (1..=THREADS as u64 + 1).rev().collect::<Vec<_>>(),
        "contiguous, none doubled"
    );
    let unique: BTreeSet<_> = all_ids.iter().cloned().collect();
    assert_eq!(unique.len(), THREADS * DEPLOYS);
    let mut count = 0;
    store
        .export(&mut |record| {
            if let captain::store::LedgerRecord::Deployment { deployment } = record {
                assert!(unique.contains(&deployment.id));
                assert_eq!(deployment.outcome, Outcome::Approved);
                count += 1;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        count,
        THREADS * DEPLOYS,
        "every deployment kept exactly once"
    );
    let events = store.audit_events(&Default::default()).unwrap();
    let count_of = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!(count_of("release.create"), THREADS + 1);
    assert_eq!(count_of("deployment.start"), THREADS * DEPLOYS);
    assert_eq!(count_of("deployment.finish"), THREADS * DEPLOYS);
    // Every environment ends idle, its current deployment its last one.
    let environments: Vec<String> = (0..THREADS / 2)
        .flat_map(|t| (0..4).map(move |i| format!("env-{t}-{i}")))
        .collect();
    for state in store.environment_states(&environments).unwrap() {
        assert_eq!(state.in_progress, None, "{}", state.environment);
        assert_eq!(state.current, state.last_finished, "{}", state.environment);
    }
}

#[test]
fn of_32_concurrent_starts_in_one_environment_exactly_one_wins() {
    let url = Arc::new(fresh_database());
    let setup = PostgresStore::open(&url, "app").unwrap();
    setup
        .create_release(new_release("a", None, &["a"], "img@1"))
        .unwrap();
    const THREADS: usize = 32;
    let store = Arc::new(setup);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                store.start_deployment(start("prod", 1))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for loser in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(loser.kind, ErrorKind::Conflict, "{loser}");
        assert!(
            loser.message.contains(&winners[0].id.0),
            "{}",
            loser.message
        );
    }
    let history = store.history("prod", &Default::default()).unwrap();
    assert_eq!(history.len(), 1);
}

#[test]
fn two_concurrent_rollbacks_with_the_same_view_one_wins() {
    let url = Arc::new(fresh_database());
    let store = PostgresStore::open(&url, "app").unwrap();
    for (name, base) in [("a", None), ("b", Some(1))] {
        store
            .create_release(new_release(name, base, &[name], name))
            .unwrap();
    }
    let mut current = Vec::new();
    for env in ["prod-1", "prod-2"] {
        for release in [1, 2] {
            let d = store.start_deployment(start(env, release)).unwrap();
            let d = store
                .finish_deployment(finish(&d.id, Outcome::Approved))
                .unwrap();
            if release == 2 {
                current.push(d);
            }
        }
    }
    let store = Arc::new(store);
    let barrier = Arc::new(Barrier::new(2));
    // Opposite orders: the environment locks are taken in name order, so no deadlock.
    let handles: Vec<_> = [("alice", [0, 1]), ("bob", [1, 0])]
        .into_iter()
        .map(|(actor, order)| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            let targets: Vec<RollbackTarget> = order
                .iter()
                .map(|&i| RollbackTarget {
                    environment: format!("prod-{}", i + 1),
                    stage: "prod".into(),
                    release: ReleaseNumber(1),
                    expected_current: Some(current[i].id.clone()),
                    expected_in_progress: None,
                })
                .collect();
            std::thread::spawn(move || {
                barrier.wait();
                store.start_rollback(NewRollback {
                    environments: targets,
                    actor: actor.into(),
                    reason: Some("race".into()),
                    at: at(400),
                })
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    let lost = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(lost.kind, ErrorKind::Conflict, "{lost}");
    assert!(lost.message.contains("started first"), "{}", lost.message);
    // Nothing of the loser: two rollback deployments, two locks, by the winner.
    let winner = &won[0][0].actor;
    let rollbacks: Vec<_> = store
        .audit_events(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "rollback.start")
        .collect();
    assert_eq!(rollbacks.len(), 2);
    assert!(rollbacks.iter().all(|e| &e.actor == winner));
    assert!(store.locks().unwrap().iter().all(|l| &l.actor == winner));
}

/// Write rates on the throwaway server (fsync off): one client, then 16 threads, each
/// deployment a start and a finish. A measurement, not a timed test:
/// `cargo test --release --test e2e -- --ignored --nocapture postgres_write_rates`.
#[test]
#[ignore]
fn postgres_write_rates() {
    let url = fresh_database();
    let store = Arc::new(PostgresStore::open_with_pool(&url, "app", 16).unwrap());
    store
        .create_release(new_release("a", None, &["a"], "img@1"))
        .unwrap();
    let measure = |threads: usize, per_thread: usize| {
        let started = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || {
                    for i in 0..per_thread {
                        let env = format!("rate-{threads}-{t}-{}", i % 8);
                        let d = store.start_deployment(start(&env, 1)).unwrap();
                        store
                            .finish_deployment(finish(&d.id, Outcome::Approved))
                            .unwrap();
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        let writes = (threads * per_thread * 2) as f64;
        let took = started.elapsed();
        println!(
            "{threads:>2} thread(s): {writes} writes (start + finish) in {took:.2?}: {:.0} writes/s",
            writes / took.as_secs_f64()
        );
    };
    measure(1, 2000);
    measure(16, 500);
    println!("server: 127.0.0.1:{}", server().port);
}

/// A mutation run through `idempotent` commits with its key's claim and answer, or
/// leaves neither: there is no moment where the change is in and its answer is not.
#[test]
fn an_idempotent_mutation_commits_with_its_key_and_answer_or_not_at_all() {
    let url = fresh_database();
    let store = PostgresStore::open(&url, "app").unwrap();
    store
        .create_release(new_release("a", None, &["a"], "img@1"))
        .unwrap();
    let request = |key: &'static str| captain::store::IdempotentRequest {
        token: "ci",
        key,
        request: &[7u8; 32],
        now: 1_000,
        expired_before: 0,
        abandoned_before: 880,
    };
    let start = |environment: &str| NewDeployment {
        environment: environment.into(),
        stage: environment.into(),
        release: ReleaseNumber(1),
        kind: DeploymentKind::Normal,
        actor: "ci".into(),
        reason: None,
        started_at: at(10),
        promotion_check: None,
        force: false,
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let key_row = |client: &mut postgres::Client, key: &str| {
        client
            .query_opt(
                "SELECT status, body FROM captain.idempotency_keys WHERE token = 'ci' AND key = $1",
                &[&key],
            )
            .unwrap()
            .map(|r| (r.get::<_, Option<i32>>(0), r.get::<_, Option<Vec<u8>>>(1)))
    };

    // A mutation that writes and then fails: nothing of it, and no claim, remains.
    let answered = store
        .idempotent(&request("k1"), &mut |s| {
            s.start_deployment(start("beta"))?;
            s.start_deployment(start("beta"))?; // a conflict: beta is busy
            Ok(b"unreachable".to_vec())
        })
        .unwrap();
    assert_eq!(answered, None);
    assert!(
        store
            .history("beta", &Default::default())
            .unwrap()
            .is_empty()
    );
    assert_eq!(key_row(&mut client, "k1"), None);

    // One that succeeds commits the deployment, the claim and the answer together; its
    // reads see its own writes. (The key has quotes and backslashes: it is sent quoted.)
    let k2 = r"k2'\';--";
    let answered = store
        .idempotent(&request(k2), &mut |s| {
            let d = s.start_deployment(start("beta"))?;
            let seen = s.history("beta", &Default::default())?;
            assert_eq!(seen.len(), 1);
            Ok(d.id.0.into_bytes())
        })
        .unwrap()
        .unwrap();
    let history = store.history("beta", &Default::default()).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(answered, history[0].deployment.id.0.as_bytes());
    assert_eq!(key_row(&mut client, k2), Some((Some(200), Some(answered))));

    // A key seen before keeps nothing of a second run: the caller replays it.
    let answered = store
        .idempotent(&request(k2), &mut |s| {
            s.start_deployment(start("epsilon"))?;
            Ok(b"second".to_vec())
        })
        .unwrap();
    assert_eq!(answered, None);
    assert!(
        store
            .history("epsilon", &Default::default())
            .unwrap()
            .is_empty()
    );
    // Outside `idempotent`, writes are their own transactions again.
    store.start_deployment(start("gamma")).unwrap();
    assert_eq!(
        store.history("gamma", &Default::default()).unwrap().len(),
        1
    );
}

/// An import long enough to refresh the planner's statistics on the way (after its
/// 1,000th record) is still one transaction: a bad last line leaves nothing, the same
/// records without it all go in, and merging them again skips every one (each looked up
/// by its id after the refresh).
#[test]
fn a_long_import_refreshes_statistics_and_stays_all_or_nothing() {
    use captain::store::ImportMode;
    use captain::store::export::{FORMAT, LedgerRecord, VERSION};

    let url = fresh_database();
    let store = PostgresStore::open(&url, "app").unwrap();
    store
        .create_release(new_release("a", None, &["a"], "img@1"))
        .unwrap();
    let count = 2_500;
    let records = |bad_last_line: bool| {
        let header = LedgerRecord::Header {
            format: FORMAT.to_string(),
            version: VERSION,
            pipeline: Some("app".into()),
            exported_at: at(0),
        };
        let deployment = move |i: usize, release: u64| LedgerRecord::Deployment {
            deployment: Deployment {
                id: DeploymentId(format!("deploy-{:08x}", i)),
                environment: format!("env-{}", i % 40),
                stage: "s".into(),
                release: ReleaseNumber(release),
                kind: DeploymentKind::Normal,
                actor: "history".into(),
                reason: None,
                started_at: at(i as i64 * 60),
                finished_at: Some(at(i as i64 * 60 + 30)),
                outcome: Outcome::Approved,
            },
        };
        std::iter::once(header)
            .chain((0..count).map(move |i| deployment(i, 1)))
            // Release v9 does not exist: the whole import is refused at this line.
            .chain(bad_last_line.then(|| deployment(count, 9)))
            .map(Ok)
            .collect::<Vec<captain::Result<LedgerRecord>>>()
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut stored = || -> i64 {
        client
            .query_one(
                "SELECT count(*) FROM captain.deployments WHERE pipeline = 'app'",
                &[],
            )
            .unwrap()
            .get(0)
    };

    let refused = store.import(&mut records(true).into_iter(), ImportMode::Merge);
    let error = refused.unwrap_err();
    assert!(
        error.message.starts_with(&format!("line {}:", count + 2)),
        "{}",
        error.message
    );
    assert_eq!(stored(), 0);

    let summary = store
        .import(&mut records(false).into_iter(), ImportMode::Merge)
        .unwrap();
    assert_eq!(summary.deployments, count as u64);
    assert_eq!(stored(), count as i64);

    let again = store
        .import(&mut records(false).into_iter(), ImportMode::Merge)
        .unwrap();
    assert_eq!((again.deployments, again.skipped), (0, count as u64));
    assert_eq!(stored(), count as i64);
}

/// A store decides a start or finish that follows its own last one from memory (one
/// round trip). Another writer in between (here a second store on the same database,
/// as a replica would be) must still be seen: an older release is refused after the
/// other store moved the environment on, a lock set by the other store holds, and a
/// deployment the other store finished is answered as recorded there.
#[test]
fn a_store_deciding_from_memory_still_sees_other_writers() {
    use captain::store::Unlock;

    let url = fresh_database();
    let a = PostgresStore::open(&url, "app").unwrap();
    let b = PostgresStore::open(&url, "app").unwrap();
    for (name, artifact) in [("one", "img@1"), ("two", "img@2")] {
        a.create_release(new_release(name, None, &[name], artifact))
            .unwrap();
    }
    let deployed = |store: &PostgresStore, release: u64, outcome: Outcome| {
        let d = store.start_deployment(start("prod", release)).unwrap();
        store.finish_deployment(finish(&d.id, outcome)).unwrap()
    };
    let history = || a.history("prod", &Default::default()).unwrap().len();

    // a remembers prod at v1; b then takes it to v2.
    deployed(&a, 1, Outcome::Approved);
    deployed(&b, 2, Outcome::Approved);
    let refused = a.start_deployment(start("prod", 1)).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Blocked, "{}", refused.message);
    assert!(
        refused.message.contains("older than v2"),
        "{}",
        refused.message
    );
    assert_eq!(history(), 2);

    // a remembers prod settled again (no locks); b locks it.
    deployed(&a, 2, Outcome::Approved);
    let lock = Lock {
        target_kind: LockTargetKind::Environment,
        target: "prod".into(),
        direction: LockDirection::In,
        actor: "oncall".into(),
        reason: "incident".into(),
        created_at: at(300),
        until: None,
    };
    b.set_lock(lock).unwrap();
    assert_eq!(
        kind_of(a.start_deployment(start("prod", 2))),
        ErrorKind::Blocked
    );
    assert_eq!(history(), 3);
    b.remove_lock(Unlock {
        target_kind: LockTargetKind::Environment,
        target: "prod".into(),
        direction: LockDirection::In,
        actor: "oncall".into(),
        reason: None,
        at: at(400),
    })
    .unwrap();

    // a starts a deployment, b finishes it: a's finish is answered as b recorded it.
    let d = a.start_deployment(start("prod", 2)).unwrap();
    b.finish_deployment(finish(&d.id, Outcome::DeployFailed))
        .unwrap();
    assert_eq!(
        kind_of(a.finish_deployment(finish(&d.id, Outcome::Approved))),
        ErrorKind::Conflict
    );
    let again = a
        .finish_deployment(finish(&d.id, Outcome::DeployFailed))
        .unwrap();
    assert_eq!(again.outcome, Outcome::DeployFailed);

    // And b running something blocks a's next start until it finishes.
    deployed(&a, 2, Outcome::Approved);
    let running = b.start_deployment(start("prod", 2)).unwrap();
    assert_eq!(
        kind_of(a.start_deployment(start("prod", 2))),
        ErrorKind::Conflict
    );
    b.finish_deployment(finish(&running.id, Outcome::Approved))
        .unwrap();
    deployed(&a, 2, Outcome::Approved);
    let events = a.audit_events(&Default::default()).unwrap();
    let starts = events
        .iter()
        .filter(|e| e.action == "deployment.start")
        .count();
    assert_eq!((history(), starts), (7, 7));
}

/// Several people asking to expedite one release at the same moment, each through its own
/// connection (as several server replicas would): one request is recorded, every other is
/// refused as already asked — none fails with a key violation (which answered 500). The
/// same for one person's approval sent twice at once.
#[test]
fn simultaneous_expedite_requests_record_one_and_refuse_the_rest() {
    use captain::store::ExpediteEvent;
    let url = Arc::new(fresh_database());
    let store = PostgresStore::open(&url, "app").unwrap();
    store
        .create_release(new_release("one", None, &["one"], "app:1"))
        .unwrap();
    const THREADS: usize = 8;
    let race = |event: Arc<dyn Fn(usize) -> ExpediteEvent + Send + Sync>| -> Vec<ErrorKind> {
        let barrier = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|i| {
                let (url, barrier, event) = (url.clone(), barrier.clone(), event.clone());
                std::thread::spawn(move || {
                    let store = PostgresStore::open(&url, "app").unwrap();
                    barrier.wait();
                    store.record_expedite(event(i)).err().map(|e| e.kind)
                })
            })
            .collect();
        threads
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect()
    };
    let refused = race(Arc::new(|i| ExpediteEvent {
        release: ReleaseNumber(1),
        approve: false,
        actor: format!("asker-{i}"),
        reason: Some("hotfix".into()),
        at: at(10),
    }));
    assert_eq!(refused.len(), THREADS - 1, "{refused:?}");
    assert!(
        refused.iter().all(|k| *k == ErrorKind::Conflict),
        "{refused:?}"
    );
    let asked = store
        .audit_events(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "release.expedite")
        .count();
    assert_eq!(asked, 1);

    let refused = race(Arc::new(|_| ExpediteEvent {
        release: ReleaseNumber(1),
        approve: true,
        actor: "approver".into(),
        reason: None,
        at: at(20),
    }));
    assert_eq!(refused.len(), THREADS - 1, "{refused:?}");
    assert!(
        refused.iter().all(|k| *k != ErrorKind::Internal),
        "{refused:?}"
    );
}

/// A server's view reads in one snapshot ([`Store::read_together`]): a release created
/// by another connection between two of its reads is seen by neither; after it, by the
/// next read. A write inside is refused (the transaction is read-only) and the store
/// goes on.
#[test]
fn reads_together_see_one_snapshot() {
    let url = fresh_database();
    let viewer = PostgresStore::open(&url, "app").unwrap();
    let writer = PostgresStore::open(&url, "app").unwrap();
    writer
        .create_release(new_release("a1", None, &["a1"], "i1"))
        .unwrap();
    let count = |s: &dyn Store| s.releases(&ReleaseFilter::default()).unwrap().len();
    let mut seen = Vec::new();
    viewer
        .read_together(&mut || {
            seen.push(count(&viewer));
            writer
                .create_release(new_release("b1", Some(1), &["b1"], "i2"))
                .unwrap();
            seen.push(count(&viewer));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec![1, 1], "both reads saw the moment the view began");
    assert_eq!(count(&viewer), 2);

    let refused = viewer.read_together(&mut || {
        viewer
            .create_release(new_release("c1", Some(2), &["c1"], "i3"))
            .map(|_| ())
    });
    assert!(refused.is_err());
    assert_eq!(
        count(&viewer),
        2,
        "nothing written, and the store still reads"
    );
}

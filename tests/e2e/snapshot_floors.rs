//! The engine snapshot reads only what a decision needs (issue 16, point 2): each stage
//! from its floor up (`captain::store::run_records::snapshot_floors`), each environment's
//! approved releases from there and the few below. These drive a pipeline through a
//! history long enough that the releases a decision depends on lie below the floors —
//! a CI deploying an old failed release, a rollback past a blocked release — on a local
//! ledger, through `captain serve` on SQLite and on PostgreSQL, and check the answers
//! are those the whole history gives.

#![allow(clippy::unwrap_used)]

use captain::server::auth::Role;
use serde_json::Value;

use super::common::{Run, SMALL_PIPELINE, TestEnv, hours_ago};
use super::pg_harness::fresh_database;
use super::server_cli::run;
use super::server_harness::Server;
use crate::on_both_backends;

fn old_releases_below_the_floors_are_answered_as_the_whole_history_would() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    story(&sandbox, &|args| env.run(args));
}

on_both_backends!(old_releases_below_the_floors_are_answered_as_the_whole_history_would);

#[test]
fn old_releases_below_the_floors_are_answered_as_the_whole_history_would_on_postgres() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let database = fresh_database();
    let server = Server::start_on(&env.path().join("server"), &database, &[], None);
    server.register(SMALL_PIPELINE);
    let oncall = server.token("oncall", Role::Operator, true);
    story(&sandbox, &|args| run(&env, Some((&server, &oncall)), args));
}

fn story(sandbox: &captain::git::sandbox::Sandbox, r: &dyn Fn(&[&str]) -> Run) {
    let mut releases = 0;
    let mut release = || {
        releases += 1;
        let name = format!("change-{releases}.txt");
        sandbox
            .commit(
                &[(name.as_str(), "x")],
                &format!("Change {releases}"),
                "Ana Lima",
                hours_ago(20 - releases),
            )
            .unwrap();
        r(&["release", "create", "-q"]).ok();
        format!("v{}", releases + 1)
    };
    let deploy = |environment: &str, release: &str, outcome: &str| {
        let id = r(&["deploy", "start", environment, "--release", release, "-q"])
            .ok()
            .stdout;
        r(&["deploy", "finish", id.trim(), "--outcome", outcome]).ok();
    };
    let through = |release: &str| {
        for environment in ["beta", "gamma", "prod-1", "prod-2", "prod-3"] {
            deploy(environment, release, "approved");
        }
    };
    r(&["release", "create", "-q"]).ok();
    through("v1");
    for _ in 0..3 {
        let v = release();
        through(&v);
    }
    // v5 fails in gamma; v6 goes past it. gamma's floor is now v6.
    let v5 = release();
    deploy("beta", &v5, "approved");
    deploy("gamma", &v5, "tests-failed");
    let v6 = release();
    through(&v6);
    let refused = r(&["deploy", "start", "gamma", "--release", &v5]).code(3);
    assert!(
        refused.stderr.contains("v5 failed in stage gamma"),
        "{}",
        refused.stderr
    );
    let superseded = r(&["deploy", "start", "gamma", "--release", "v2"]).code(3);
    assert!(
        superseded.stderr.contains("v2") && superseded.stderr.contains("gamma"),
        "{}",
        superseded.stderr
    );

    // v4 and v6 are blocked (v6 runs everywhere in production); v7 fails in prod-1:
    // prod-1 (whose floor is v6, what prod-2 took) rolls back past v6, v5 (which never
    // got there) and v4 to v3, below the floor.
    r(&["release", "block", "v4", "--reason", "leaks sessions"]).ok();
    r(&["release", "block", &v6, "--reason", "corrupts carts"]).ok();
    let v7 = release();
    deploy("beta", &v7, "approved");
    deploy("gamma", &v7, "approved");
    deploy("prod-1", &v7, "alarm-fired");
    let history = r(&["history", "prod-1", "--json"]).ok().json();
    let rollback = history["deployments"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "rollback"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(rollback["release"], "v3", "{history:#}");

    // The stages' views agree: gamma approved v7 and offers it to nobody (prod-1 failed
    // it); prod-1 works on nothing.
    let next = r(&["next", "prod-1", "--json"]).ok().json();
    assert_ne!(next["release"], "v7", "{next:#}");
    let status = r(&["status", "--json"]).ok().json();
    let prod = status["stages"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "prod-1"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_ne!(prod["working"], "v7", "{prod:#}");
}

use captain::model::ReleaseNumber;
use captain::store::run_records::{
    StageMarks, StageRecordKind, StageScope, snapshot_floors, stage_ledger,
};

fn v(n: u64) -> ReleaseNumber {
    ReleaseNumber(n)
}

fn scope(name: &str, environments: &[&str]) -> StageScope {
    StageScope {
        name: name.into(),
        environments: environments.iter().map(|e| e.to_string()).collect(),
        also: None,
    }
}

/// A release a CI left half-deployed is worked on only while nothing newer is decided:
/// once the stage approved a newer one, it is left behind, never deployed over it (the
/// whole history and the part above any floor then say the same).
#[test]
fn an_older_release_left_half_deployed_is_not_worked_on_after_a_newer_one_is_decided() {
    let stage = scope("prod", &["prod-1", "prod-2"]);
    let rows = |rows: &[(u64, &'static str, &'static str)]| {
        rows.iter()
            .map(|(r, outcome, env)| Ok::<_, ()>((v(*r), *outcome, *env)))
            .collect::<Vec<_>>()
    };
    let no_records = Vec::<Result<(ReleaseNumber, StageRecordKind), ()>>::new;
    let half = rows(&[(3, "approved", "prod-1")]);
    let ledger = stage_ledger(&stage, no_records(), half, &Default::default()).unwrap();
    assert_eq!(ledger.working, Some(v(3)));

    let past = rows(&[
        (3, "approved", "prod-1"),
        (4, "approved", "prod-1"),
        (4, "approved", "prod-2"),
    ]);
    let ledger = stage_ledger(&stage, no_records(), past.clone(), &Default::default()).unwrap();
    assert_eq!(ledger.working, None);
    assert!(ledger.approved.contains(&v(4)));
    assert_eq!(ledger.high_water(), Some(v(4)));
    // From a floor at v4, the same ledger above it.
    let above = past
        .into_iter()
        .filter(|row| row.as_ref().unwrap().0 >= v(4));
    let bounded = stage_ledger(&stage, no_records(), above, &Default::default()).unwrap();
    assert_eq!((bounded.working, bounded.high_water()), (None, Some(v(4))));
}

#[test]
fn a_stage_is_read_from_what_it_and_the_next_stage_took() {
    let scopes = [
        scope("beta", &["beta"]),
        StageScope {
            also: Some(v(2)),
            ..scope("gamma", &["gamma"])
        },
        scope("prod", &["prod-1"]),
        scope("late", &["late-1"]),
    ];
    let marks = [
        StageMarks {
            deployed: Some(v(90)),
            recorded: Some(v(95)),
            oldest_active: None,
        },
        StageMarks {
            deployed: Some(v(80)),
            recorded: Some(v(85)),
            oldest_active: Some(v(70)),
        },
        StageMarks {
            deployed: Some(v(60)),
            recorded: None,
            oldest_active: None,
        },
        StageMarks::default(),
    ];
    assert_eq!(
        snapshot_floors(&scopes, &marks),
        // beta: what gamma took (85, a superseded record); gamma: the release a caller
        // asks about; prod: nothing after it took anything, so all of it; late: nothing.
        vec![v(85), v(2), v(0), v(0)]
    );
}

//! `captain history` against the truth of `git rev-list`: every row of every
//! environment's history counts the commits the deployment added (`previous..this`) and
//! removed (`this..previous`), on a generated history with merges, two hotfix branches
//! (one merged back into main, one not), rollbacks along and across branches, failed
//! deployments that change nothing, and first deployments of late releases.

use captain::git::sandbox::Sandbox;

use super::common::{SMALL_PIPELINE, TestEnv, hours_ago};
use super::scenario::{Record, Recorded, Rng, Scenario, git, head};

const ENVIRONMENTS: [&str; 5] = ["beta", "gamma", "prod-1", "prod-2", "prod-3"];

/// How many commits `git rev-list RANGE` lists.
fn count(repo: &std::path::Path, range: &str) -> u64 {
    git(repo, &["rev-list", "--count", range])
        .parse()
        .expect("a count")
}

fn listed(repo: &std::path::Path, range: &str) -> Vec<String> {
    git(repo, &["rev-list", range])
        .lines()
        .map(str::to_string)
        .collect()
}

/// Main-line work for one release: a few commits, sometimes a side branch merged back.
fn trunk_work(sandbox: &Sandbox, repo: &std::path::Path, rng: &mut Rng, round: i64) {
    let at = hours_ago(24 * 19 - round * 3);
    for i in 0..=rng.below(3) {
        let path = format!("src/file{}.txt", rng.below(5));
        sandbox
            .commit(
                &[(&path, &format!("round {round} change {i}\n"))],
                &format!("round {round} change {i}"),
                "Ben Okafor",
                at,
            )
            .expect("commit");
    }
    if rng.below(2) == 0 {
        let tip = head(repo);
        let mut side = tip.clone();
        for i in 0..=rng.below(2) {
            side = sandbox
                .commit_with_parents(
                    &[(
                        &format!("src/feature{round}.txt"),
                        &format!("feature {i}\n"),
                    )],
                    &format!("feature {round}.{i}"),
                    "Chen Wei",
                    at,
                    &[side],
                    None,
                )
                .expect("side commit");
        }
        sandbox
            .commit_with_parents(
                &[],
                &format!("Merge feature {round}"),
                "Chen Wei",
                at,
                &[tip, side],
                Some("HEAD"),
            )
            .expect("merge");
    }
}

/// A hotfix branch cut at `base` with `n` commits; its tip.
fn hotfix(sandbox: &Sandbox, name: &str, base: &str, n: usize) -> String {
    let reference = format!("refs/heads/{name}");
    sandbox.set_branch(name, base).expect("branch");
    let mut tip = base.to_string();
    for i in 0..n {
        tip = sandbox
            .commit_with_parents(
                &[(&format!("src/{name}.txt"), &format!("fix {i}\n"))],
                &format!("{name}: fix {i}"),
                "Dana Cruz",
                hours_ago(24 * 5),
                &[tip],
                Some(&reference),
            )
            .expect("hotfix commit");
    }
    tip
}

/// Deployments are forced (`--force --reason`): this test is about what each deployment
/// changed, so the ledger records exactly the outcomes it is told (no bake, no automatic
/// rollback), and the environments take releases in orders the pipeline would not choose
/// (prod before gamma, hotfixes anywhere).
const FORCED: Record = Record {
    force: true,
    ..Record::APPROVED
};

fn outcome(outcome: &'static str) -> Record {
    Record {
        outcome: Some(outcome),
        ..FORCED
    }
}

fn rollback(outcome: Option<&'static str>) -> Record {
    Record {
        rollback: true,
        force: true,
        outcome,
    }
}

/// The ledger of the test: see the comments for what each step exercises.
fn generate() -> (Scenario, std::path::PathBuf) {
    let env = TestEnv::new();
    let sandbox: Sandbox = env.init_repo(SMALL_PIPELINE);
    let repo = env.repo_path();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut s = Scenario::new(env, 24 * 18);
    for i in 0..6 {
        let path = format!("src/old{}.txt", i % 3);
        sandbox
            .commit(
                &[(&path, &format!("old {i}\n"))],
                &format!("old work {i}"),
                "Ana Lima",
                hours_ago(24 * 25 - i),
            )
            .expect("commit");
    }
    let trunk = |s: &mut Scenario, rng: &mut Rng, round: i64| {
        trunk_work(&sandbox, &repo, rng, round);
        s.release("HEAD")
    };

    // v1, v2: gamma waits (prod goes first); each first deployment here brings
    // v1's whole prehistory.
    for round in 0..2 {
        let v = trunk(&mut s, &mut rng, round);
        s.record("beta", v, FORCED);
        s.record("prod-1", v, FORCED);
        s.record("prod-2", v, FORCED);
    }
    // v3: gamma's first deployment brings everything up to v3.
    let v3 = trunk(&mut s, &mut rng, 2);
    for environment in ["beta", "gamma", "prod-1", "prod-2"] {
        s.record(environment, v3, FORCED);
    }
    let v4 = trunk(&mut s, &mut rng, 3);
    for environment in ["beta", "gamma", "prod-1", "prod-2"] {
        s.record(environment, v4, FORCED);
    }
    // v5: the alarm fires in prod-1 (v5 ran there); prod-2's deploy fails (it keeps v4).
    let v5 = trunk(&mut s, &mut rng, 4);
    s.record("beta", v5, FORCED);
    s.record("gamma", v5, FORCED);
    s.record("prod-1", v5, outcome("alarm-fired"));
    s.record("prod-2", v5, outcome("deploy-failed"));

    // Hotfix A, cut at v3, over v5 in prod-1 and over v4 in prod-2: both directions.
    let v3_commit = s.releases[&v3].clone();
    let hotfix_a = hotfix(&sandbox, "hotfix-a", &v3_commit, 2);
    let ha = s.release_with(&hotfix_a, &["--hotfix", "--reason", "hotfix a"]);
    s.record("prod-1", ha, FORCED);
    s.record("prod-2", ha, FORCED);

    // Hotfix A merged back into main: v7's base is the hotfix release.
    let tip = head(&repo);
    sandbox
        .commit_with_parents(
            &[],
            "Merge hotfix-a",
            "Dana Cruz",
            hours_ago(24 * 4),
            &[tip, hotfix_a],
            Some("HEAD"),
        )
        .expect("merge");
    let v7 = trunk(&mut s, &mut rng, 5);
    for environment in ["beta", "gamma", "prod-1", "prod-2"] {
        s.record(environment, v7, FORCED);
    }
    // prod-3's first deployment: everything v7 has, not just its own commits.
    s.record("prod-3", v7, FORCED);

    // v8: tests fail in prod-1 after it ran; rolled back to v7 along the chain.
    let v8 = trunk(&mut s, &mut rng, 6);
    s.record("beta", v8, FORCED);
    s.record("gamma", v8, FORCED);
    s.record("prod-1", v8, outcome("tests-failed"));
    s.record("prod-2", v8, FORCED);
    s.record("prod-3", v8, FORCED);
    s.record("prod-1", v7, rollback(Some("approved")));

    // Hotfix B, cut at v5 (before hotfix A was merged), never merged back.
    let v5_commit = s.releases[&v5].clone();
    let hotfix_b = hotfix(&sandbox, "hotfix-b", &v5_commit, 2);
    let hb = s.release_with(&hotfix_b, &["--hotfix", "--reason", "hotfix b"]);
    s.record("prod-2", hb, FORCED);
    s.record("prod-3", hb, FORCED);

    let v10 = trunk(&mut s, &mut rng, 7);
    for environment in ENVIRONMENTS {
        s.record(environment, v10, FORCED);
    }
    // Back to hotfix B across the branches; back to hotfix A along v10's chain, after
    // a cancelled attempt.
    s.record("prod-2", hb, rollback(Some("approved")));
    s.record("prod-3", ha, rollback(Some("cancelled")));
    s.record("prod-3", ha, rollback(Some("approved")));

    let v11 = trunk(&mut s, &mut rng, 8);
    for environment in ["beta", "gamma", "prod-1"] {
        s.record(environment, v11, FORCED);
    }
    // beta back to hotfix B from v11, then forward again.
    s.record("beta", hb, rollback(Some("approved")));
    s.record("beta", v11, FORCED);
    // Over hotfix B, still in progress.
    s.record(
        "prod-2",
        v11,
        Record {
            outcome: None,
            ..FORCED
        },
    );
    (s, repo)
}

/// Checks one row against git; true if it both added and removed commits.
fn check_row(
    s: &Scenario,
    repo: &std::path::Path,
    environment: &str,
    row: &serde_json::Value,
    recorded: &Recorded,
) -> bool {
    let at = format!("{environment} {}", recorded.id);
    assert_eq!(row["id"], recorded.id.as_str(), "{at}");
    assert_eq!(row["release"], format!("v{}", recorded.release), "{at}");
    let this = s.releases[&recorded.release].as_str();
    let previous = recorded.previous.map(|p| s.releases[&p].as_str());
    let (added, removed) = (&row["added"], &row["removed"]);
    // The ranges as a person pastes them into git.
    assert_eq!(added["from"].as_str(), previous, "{at}: added.from");
    assert_eq!(added["to"], this, "{at}: added.to");
    assert_eq!(removed["from"], this, "{at}: removed.from");
    assert_eq!(removed["to"], previous.unwrap_or(this), "{at}: removed.to");
    let added_range = match previous {
        Some(previous) => format!("{previous}..{this}"),
        None => this.to_string(),
    };
    let removed_range = format!("{this}..{}", previous.unwrap_or(this));
    assert_eq!(
        added["count"].as_u64(),
        Some(count(repo, &added_range)),
        "{at}: added = git rev-list --count {added_range}"
    );
    assert_eq!(
        removed["count"].as_u64(),
        Some(count(repo, &removed_range)),
        "{at}: removed = git rev-list --count {removed_range}"
    );
    // `commits` is `added` for a normal deployment, `removed` for a rollback.
    let (range, newest) = if recorded.rollback {
        assert_eq!(row["kind"], "rollback", "{at}");
        (removed_range, previous.unwrap_or(this))
    } else {
        assert_eq!(row["kind"], "normal", "{at}");
        (added_range, this)
    };
    let commits = &row["commits"];
    let direction = if recorded.rollback { removed } else { added };
    assert_eq!(commits["count"], direction["count"], "{at}: commits.count");
    if commits["count"] == 0 {
        assert!(
            commits["first"].is_null() && commits["last"].is_null(),
            "{at}"
        );
    } else {
        assert_eq!(commits["last"], newest, "{at}: commits.last");
        let first = commits["first"].as_str().expect("first").to_string();
        assert!(
            listed(repo, &range).contains(&first),
            "{at}: commits.first {first} is in {range}"
        );
    }
    added["count"].as_u64() > Some(0) && removed["count"].as_u64() > Some(0)
}

fn history_agrees_with_git_rev_list_on_branches_rollbacks_and_first_deployments() {
    let (s, repo) = generate();
    let mut both_ways = 0;
    for environment in ENVIRONMENTS {
        let json = s
            .env
            .run(&["history", environment, "--json", "--limit", "100"])
            .ok()
            .json();
        let rows = json["deployments"].as_array().expect("deployments");
        let recorded = &s.deployments[environment];
        assert_eq!(rows.len(), recorded.len(), "{environment}: {json}");
        for (row, recorded) in rows.iter().rev().zip(recorded) {
            if check_row(&s, &repo, environment, row, recorded) {
                both_ways += 1;
            }
        }
    }
    assert!(
        both_ways >= 5,
        "the scenario should cross branches often: {both_ways}"
    );

    // The regressions of issue 10: prod-3's first deployment (v7) brings all of v7, far
    // more than the release's own commits; the hotfix over v5 removes what it lacks.
    let prod3 = s
        .env
        .run(&["history", "prod-3", "--json", "--limit", "100"])
        .ok()
        .json();
    let first = prod3["deployments"]
        .as_array()
        .and_then(|rows| rows.last())
        .expect("a first deployment");
    let v7 = &s.releases[&7];
    let own = count(&repo, &format!("{}..{v7}", s.releases[&6]));
    assert_eq!(first["added"]["count"].as_u64(), Some(count(&repo, v7)));
    assert!(
        first["added"]["count"].as_u64() > Some(2 * own),
        "own {own}: {first}"
    );
    assert!(first["added"]["from"].is_null());

    // The table shows both directions.
    let table = s.env.run(&["history", "prod-2"]).ok().stdout;
    let newest = &s.env.run(&["history", "prod-2", "--json"]).ok().json()["deployments"][0];
    let changes = format!(
        "+{} \u{2212}{}",
        newest["added"]["count"], newest["removed"]["count"]
    );
    assert!(table.contains(&changes), "{changes} in\n{table}");
    assert!(table.contains("rollback +"), "{table}");
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    history_agrees_with_git_rev_list_on_branches_rollbacks_and_first_deployments,
);

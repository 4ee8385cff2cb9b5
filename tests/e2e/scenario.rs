//! Generated histories for the tests that hold captain against git itself (`where`,
//! `history`): a deterministic generator, `git` as the oracle, and a ledger recorded
//! through the CLI that remembers what each environment had.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::common::{TestEnv, hours_ago};

/// A tiny deterministic generator (xorshift), so the history is the same every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs git in `repo` (the oracle) and returns its stdout, trimmed.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

pub fn head(repo: &Path) -> String {
    git(repo, &["rev-parse", "HEAD"])
}

/// How a deployment is recorded: its kind, whether it is forced (`--force --reason`: the
/// start skips the order checks, the finish is recorded as told), and how it ends
/// (`None`: still in progress).
#[derive(Clone, Copy, Debug)]
pub struct Record {
    pub rollback: bool,
    pub force: bool,
    pub outcome: Option<&'static str>,
}

impl Record {
    pub const APPROVED: Record = Record {
        rollback: false,
        force: false,
        outcome: Some("approved"),
    };
}

/// One deployment as the test recorded it, with the release its environment had when it
/// started (the SPEC's current release, by the test's own bookkeeping).
#[derive(Clone, Debug)]
pub struct Recorded {
    pub id: String,
    pub release: u64,
    pub rollback: bool,
    pub previous: Option<u64>,
}

/// A ledger driven through the CLI, one tick of the clock per command.
pub struct Scenario {
    pub env: TestEnv,
    /// Release number → commit.
    pub releases: BTreeMap<u64, String>,
    /// Environment → current release number.
    pub current: BTreeMap<String, u64>,
    /// Environment → its deployments, oldest first.
    pub deployments: BTreeMap<String, Vec<Recorded>>,
    /// Hours before `NOW` of the next command.
    pub clock: i64,
}

impl Scenario {
    pub fn new(env: TestEnv, clock: i64) -> Scenario {
        Scenario {
            env,
            releases: BTreeMap::new(),
            current: BTreeMap::new(),
            deployments: BTreeMap::new(),
            clock,
        }
    }

    fn tick(&mut self) -> captain::model::Timestamp {
        self.clock -= 1;
        hours_ago(self.clock)
    }

    /// `captain release create --commit COMMIT`; the new release's number.
    pub fn release(&mut self, commit: &str) -> u64 {
        self.release_with(commit, &[])
    }

    /// [`Scenario::release`] with more flags (`--hotfix --reason TEXT` for a commit off
    /// the trunk).
    pub fn release_with(&mut self, commit: &str, flags: &[&str]) -> u64 {
        let now = self.tick();
        let mut args = vec!["release", "create", "--commit", commit, "--json"];
        args.extend_from_slice(flags);
        let json = self.env.run_at(now, &args).ok().json();
        let number: u64 = json["release"].as_str().expect("release")[1..]
            .parse()
            .expect("number");
        self.releases
            .insert(number, json["commit"].as_str().expect("commit").to_string());
        number
    }

    /// `deploy start` and `deploy finish … --outcome approved`.
    pub fn deploy(&mut self, environment: &str, release: u64, rollback: bool) {
        self.record(
            environment,
            release,
            Record {
                rollback,
                ..Record::APPROVED
            },
        );
    }

    /// `deploy start` (with `--rollback`, `--force --reason` as asked), then `deploy
    /// finish` with the outcome if there is one; the deployment's id.
    pub fn record(&mut self, environment: &str, release: u64, how: Record) -> String {
        let now = self.tick();
        let release_arg = format!("v{release}");
        let mut args = vec![
            "deploy",
            "start",
            environment,
            "--release",
            &release_arg,
            "--json",
        ];
        if how.rollback {
            args.push("--rollback");
        }
        if how.force {
            args.extend(["--force", "--reason", "the test says so"]);
        }
        let started = self.env.run_at(now, &args).ok().json();
        let id = started["deployment"]
            .as_str()
            .expect("deployment id")
            .to_string();
        let previous = self.current.get(environment).copied();
        self.deployments
            .entry(environment.to_string())
            .or_default()
            .push(Recorded {
                id: id.clone(),
                release,
                rollback: how.rollback,
                previous,
            });
        if let Some(outcome) = how.outcome {
            let now = self.tick();
            let mut args = vec!["deploy", "finish", &id, "--outcome", outcome];
            if how.force {
                // As told: no steps or bake to wait for, no automatic rollback.
                args.extend(["--force", "--reason", "the test says so"]);
            }
            self.env.run_at(now, &args).ok();
            // SPEC §1: these outcomes leave the release running there.
            if matches!(outcome, "approved" | "tests-failed" | "alarm-fired") {
                self.current.insert(environment.to_string(), release);
            }
        }
        id
    }

    pub fn deploy_everywhere(&mut self, release: u64) {
        for environment in ["beta", "gamma", "prod-1", "prod-2", "prod-3"] {
            self.deploy(environment, release, false);
        }
    }
}

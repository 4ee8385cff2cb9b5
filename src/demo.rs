//! `captain demo`: a self-contained tour in a directory the caller owns (a temporary one).
//!
//! It builds a sandbox git repository and a small pipeline, creates releases from real
//! commits (with lockfile changes and a merged branch), "deploys" them to local
//! directories — a new directory per deployment and a symlink switch, as the article
//! describes — records every deployment in a SQLite ledger inside the directory, including
//! a failed test run, an alarm and a rollback, and returns what the CLI should show.
//! Nothing outside `dir` is touched. Times are virtual (days back from `now`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::git::sandbox::Sandbox;
use crate::model::*;
use crate::ops::{deploy, release};
use crate::store::sqlite::SqliteStore;

/// The demo's pipeline: pre-production, then production in two waves.
pub const PIPELINE_TOML: &str = include_str!("demo_pipeline.toml");

/// What the tour built, for the CLI to show.
pub struct Tour {
    pub repo: PathBuf,
    pub pipeline: PathBuf,
    pub state: PathBuf,
    /// The environment whose history is worth showing.
    pub history_environment: String,
    /// A commit that reached some environments and was rolled back from another.
    pub interesting_commit: String,
}

/// Builds the sandbox and plays the timeline. `say` receives one line per step.
pub fn run(dir: &Path, now: Timestamp, say: &mut dyn FnMut(&str)) -> Result<Tour> {
    let repo_dir = dir.join("repo");
    let sandbox = Sandbox::init(&repo_dir, "main")?;
    let pipeline_path = repo_dir.join("pipeline.toml");
    let state_path = dir.join("state").join("ledger.sqlite");
    let clock = Clock { now };

    let first = sandbox.commit(
        &[
            ("pipeline.toml", PIPELINE_TOML),
            ("src/main.rs", "fn main() { println!(\"hello\"); }\n"),
            ("Cargo.lock", &cargo_lock("1.0.100", "1.0.210")),
        ],
        "Start the checkout service",
        "Ana Lima",
        clock.days_ago(7.0),
    )?;
    let _ = first;
    let pipeline = Pipeline::load(&pipeline_path)?;
    let store = SqliteStore::open(&state_path, &pipeline.name)?;
    let repo = Repo::discover(&repo_dir)?;
    let world = World {
        store: &store,
        pipeline: &pipeline,
        repo: &repo,
        dir,
        clock,
    };
    say(&format!("sandbox: {}", dir.display()));
    say(&format!(
        "pipeline `{}`: {} stages, {} environments",
        pipeline.name,
        pipeline.stages.len(),
        pipeline.environment_names().len()
    ));

    sandbox.commit(
        &[("src/cart.rs", "pub fn total() -> u32 { 0 }\n")],
        "Add the cart",
        "Ben Okafor",
        clock.days_ago(6.5),
    )?;
    let v1 = world.release(6.4, "v1-image")?;
    say(&format!("{v1}: first release"));
    world.roll_forward(v1, 6.3, &[])?;

    // A feature branch merged with a merge commit, and a dependency bump.
    let main_tip = sandbox.commit(
        &[("README.md", "# checkout\n")],
        "Document the service",
        "Ana Lima",
        clock.days_ago(5.0),
    )?;
    let feature = sandbox.commit_with_parents(
        &[("src/discount.rs", "pub fn discount() -> u32 { 5 }\n")],
        "Add discounts",
        "Chen Wei",
        clock.days_ago(4.9),
        std::slice::from_ref(&main_tip),
        None,
    )?;
    sandbox.commit_with_parents(
        &[],
        "Merge branch 'discounts'",
        "Chen Wei",
        clock.days_ago(4.8),
        &[main_tip, feature],
        Some("HEAD"),
    )?;
    sandbox.commit(
        &[("Cargo.lock", &cargo_lock("1.0.100", "1.0.215"))],
        "Bump serde to 1.0.215",
        "Ben Okafor",
        clock.days_ago(4.7),
    )?;
    let v2 = world.release(4.6, "v2-image")?;
    say(&format!("{v2}: a merged branch and a serde bump"));
    world.roll_forward(v2, 4.5, &[])?;

    sandbox.commit(
        &[("src/cart.rs", "pub fn total() -> u32 { 1 }\n")],
        "Count items in the cart",
        "Dana Cruz",
        clock.days_ago(3.2),
    )?;
    let v3 = world.release(3.1, "v3-image")?;
    say(&format!(
        "{v3}: its integration tests fail in gamma, so it stops there"
    ));
    world.roll_forward(v3, 3.0, &[("gamma", Outcome::TestsFailed)])?;

    sandbox.commit(
        &[("src/cart.rs", "pub fn total() -> u32 { 2 }\n")],
        "Fix the cart total",
        "Dana Cruz",
        clock.days_ago(2.2),
    )?;
    let fix = sandbox.commit(
        &[("Cargo.lock", &cargo_lock("1.0.101", "1.0.215"))],
        "Bump anyhow to 1.0.101",
        "Ana Lima",
        clock.days_ago(2.1),
    )?;
    let v4 = world.release(2.0, "v4-image")?;
    say(&format!(
        "{v4}: the fix; an alarm fires in prod-ap-south-1, which is rolled back to {v2}"
    ));
    world.roll_forward(v4, 1.9, &[("prod-ap-south-1", Outcome::AlarmFired)])?;
    world.rollback("prod-ap-south-1", v2, 1.2)?;

    sandbox.commit(
        &[("src/discount.rs", "pub fn discount() -> u32 { 10 }\n")],
        "Raise the discount",
        "Chen Wei",
        clock.days_ago(0.3),
    )?;
    let v5 = world.release(0.2, "v5-image")?;
    say(&format!("{v5}: approved in beta, deploying to gamma now"));
    world.deploy_to("beta", v5, 0.15, Outcome::Approved, DeploymentKind::Normal)?;
    world.start("gamma", v5, 0.1, DeploymentKind::Normal)?;

    Ok(Tour {
        repo: repo_dir,
        pipeline: pipeline_path,
        state: state_path,
        history_environment: "prod-ap-south-1".to_string(),
        interesting_commit: fix,
    })
}

fn cargo_lock(anyhow: &str, serde: &str) -> String {
    format!(
        "version = 4\n\n[[package]]\nname = \"anyhow\"\nversion = \"{anyhow}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
         [[package]]\nname = \"checkout\"\nversion = \"0.1.0\"\ndependencies = [\n \"anyhow\",\n \"serde\",\n]\n\n\
         [[package]]\nname = \"serde\"\nversion = \"{serde}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

#[derive(Clone, Copy)]
struct Clock {
    now: Timestamp,
}

impl Clock {
    fn days_ago(self, days: f64) -> Timestamp {
        let seconds = (days * 86_400.0) as i64;
        Timestamp::from_second(self.now.as_second() - seconds).unwrap_or(self.now)
    }
}

struct World<'a> {
    store: &'a SqliteStore,
    pipeline: &'a Pipeline,
    repo: &'a Repo,
    dir: &'a Path,
    clock: Clock,
}

impl World<'_> {
    fn release(&self, days_ago: f64, image: &str) -> Result<ReleaseNumber> {
        let mut artifacts = BTreeMap::new();
        artifacts.insert(
            "image".to_string(),
            format!("registry.example.com/checkout@sha256:{image}"),
        );
        let outcome = release::create(
            self.store,
            self.repo,
            release::CreateRequest {
                rev: "HEAD".to_string(),
                artifacts,
                actor: "ci-bot".to_string(),
                now: self.clock.days_ago(days_ago),
            },
        )?;
        Ok(outcome.created.release.number)
    }

    /// Deploys `release` stage by stage; an environment listed in `failures` ends with that
    /// outcome, and the release goes no further.
    fn roll_forward(
        &self,
        release: ReleaseNumber,
        days_ago: f64,
        failures: &[(&str, Outcome)],
    ) -> Result<()> {
        let mut at = days_ago;
        for stage in &self.pipeline.stages {
            let mut failed = false;
            for environment in &stage.environments {
                let outcome = failures
                    .iter()
                    .find(|(name, _)| *name == environment.name)
                    .map_or(Outcome::Approved, |(_, o)| *o);
                failed |= outcome != Outcome::Approved;
                self.deploy_to(
                    &environment.name,
                    release,
                    at,
                    outcome,
                    DeploymentKind::Normal,
                )?;
            }
            if failed {
                return Ok(());
            }
            at -= 0.1;
        }
        Ok(())
    }

    fn rollback(&self, environment: &str, release: ReleaseNumber, days_ago: f64) -> Result<()> {
        self.deploy_to(
            environment,
            release,
            days_ago,
            Outcome::Approved,
            DeploymentKind::Rollback,
        )
    }

    fn start(
        &self,
        environment: &str,
        release: ReleaseNumber,
        days_ago: f64,
        kind: DeploymentKind,
    ) -> Result<Deployment> {
        deploy::start(
            self.store,
            self.pipeline,
            deploy::StartRequest {
                environment: environment.to_string(),
                release,
                rollback: kind == DeploymentKind::Rollback,
                force: false,
                reason: (kind == DeploymentKind::Rollback)
                    .then(|| "alarm fired after the deployment".to_string()),
                actor: "captain".to_string(),
                now: self.clock.days_ago(days_ago),
            },
        )
    }

    fn deploy_to(
        &self,
        environment: &str,
        release: ReleaseNumber,
        days_ago: f64,
        outcome: Outcome,
        kind: DeploymentKind,
    ) -> Result<()> {
        let deployment = self.start(environment, release, days_ago, kind)?;
        if outcome != Outcome::DeployFailed {
            switch_symlink(
                &self.dir.join("envs").join(environment),
                &deployment,
                release,
            )?;
        }
        deploy::finish(
            self.store,
            deployment.id,
            outcome,
            "captain".to_string(),
            None,
            self.clock.days_ago(days_ago - 0.04),
        )?;
        Ok(())
    }
}

/// A new directory for the deployment, then the `current` symlink switched to it.
fn switch_symlink(env_dir: &Path, deployment: &Deployment, release: ReleaseNumber) -> Result<()> {
    let target = env_dir.join("releases").join(deployment.id.to_string());
    let io = |what: &str, e: std::io::Error| Error::failed(format!("demo: cannot {what}: {e}"));
    std::fs::create_dir_all(&target).map_err(|e| io("create a release directory", e))?;
    std::fs::write(target.join("RELEASE"), format!("{release}\n"))
        .map_err(|e| io("write a release file", e))?;
    let link = env_dir.join("current");
    let staged = env_dir.join("current.new");
    let _ = std::fs::remove_file(&staged);
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &staged).map_err(|e| io("create a symlink", e))?;
    #[cfg(not(unix))]
    std::fs::write(&staged, target.display().to_string()).map_err(|e| io("write a pointer", e))?;
    std::fs::rename(&staged, &link).map_err(|e| io("switch the current symlink", e))
}

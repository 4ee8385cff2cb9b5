//! `captain demo`: a self-contained tour in a directory the caller owns (a temporary one).
//!
//! It builds a sandbox git repository with a small pipeline, "builds" each release (an
//! `app.sh` artifact), and lets the real release captain loop ([`crate::runner`]) deploy
//! it with real deploy commands: `deploy.sh` makes a new directory per deployment and
//! switches a `current` symlink, as the article describes, and production runs an
//! integration test (`check.sh`) against what it deployed. Along the way a release waits
//! in front of a slow stage and is superseded by a newer one, and a release whose test
//! fails is rolled back automatically. Nothing outside `dir` is touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Pipeline;
use crate::engine::Decision;
use crate::error::{Error, Result};
use crate::exec::Probes;
use crate::git::Repo;
use crate::git::sandbox::Sandbox;
use crate::model::*;
use crate::ops::release;
use crate::runner::{RunEvent, RunObserver, RunOptions, Runner};
use crate::store::Store;
use crate::store::sqlite::SqliteStore;

/// The demo's pipeline: pre-production, then production in two waves.
pub const PIPELINE_TOML: &str = include_str!("demo_pipeline.toml");

const DEPLOY_SH: &str = r#"#!/bin/sh
# Deploys $CAPTAIN_RELEASE to environment $1 the immutable way: a new directory per
# deployment, then the `current` symlink switched to it. $2: seconds the deployment
# takes, or `hold`: wait while the demo holds this stage (so releases queue behind it).
set -eu
env_dir="../envs/$1"
release_dir="$env_dir/releases/$CAPTAIN_DEPLOYMENT_ID"
mkdir -p "$release_dir"
cp "$CAPTAIN_ARTIFACT_APP" "$release_dir/app.sh"
echo "$CAPTAIN_RELEASE" > "$release_dir/RELEASE"
if [ "$2" = hold ]; then
  waited=0
  while [ -e ../envs/hold ] && [ "$waited" -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
else
  sleep "$2"
fi
ln -sfn "releases/$CAPTAIN_DEPLOYMENT_ID" "$env_dir/current.next"
mv -Tf "$env_dir/current.next" "$env_dir/current"
echo "deployed $CAPTAIN_RELEASE to $1 (rollback: $CAPTAIN_ROLLBACK)"
"#;

const CHECK_SH: &str = r#"#!/bin/sh
# The integration test: run what was deployed to environment $1 and check the cart total.
set -eu
total=$(sh "../envs/$1/current/app.sh")
if [ "$total" != "total=42" ]; then
  echo "expected total=42, got $total" >&2
  exit 1
fi
echo "cart total ok"
"#;

/// Longest the tour waits for the pipeline to reach a point.
const PATIENCE: Duration = Duration::from_secs(90);

/// What the tour built, for the CLI to show.
pub struct Tour {
    pub repo: PathBuf,
    pub pipeline: PathBuf,
    pub state: PathBuf,
    /// The environment whose history is worth showing.
    pub history_environment: String,
    /// A commit that reached some environments and was rolled back from another.
    pub interesting_commit: String,
    /// An environment worth previewing a rollback of.
    pub rollback_environment: String,
}

/// Builds the sandbox and plays the story. `clock` gives the current time; `say`
/// receives one line per step.
pub fn run(dir: &Path, clock: &dyn Fn() -> Timestamp, say: &mut dyn FnMut(&str)) -> Result<Tour> {
    let repo_dir = dir.join("repo");
    let sandbox = Sandbox::init(&repo_dir, "main")?;
    let pipeline_path = repo_dir.join("pipeline.toml");
    let state_path = dir.join("state").join("ledger.sqlite");
    sandbox.commit(
        &[
            ("pipeline.toml", PIPELINE_TOML),
            ("deploy.sh", DEPLOY_SH),
            ("check.sh", CHECK_SH),
            ("src/app.sh", "echo total=42\n"),
            ("Cargo.lock", &cargo_lock("1.0.100", "1.0.210")),
        ],
        "Start the checkout service",
        "Ana Lima",
        clock(),
    )?;
    let pipeline = Pipeline::load(&pipeline_path)?;
    let store = SqliteStore::open(&state_path, &pipeline.name)?;
    let repo = Repo::discover(&repo_dir)?;
    say(&format!("sandbox {}", dir.display()));
    say(&format!(
        "pipeline `{}`: {} stages, {} environments; prod-2 deploys slowly",
        pipeline.name,
        pipeline.stages.len(),
        pipeline.environment_names().len()
    ));
    let options = RunOptions {
        actor: "captain".to_string(),
        cwd: Some(repo_dir.clone()),
        probes: Probes {
            cwd: Some(repo_dir.clone()),
            ..Probes::default()
        },
    };
    let mut tour = Story {
        store: &store,
        pipeline: &pipeline,
        repo: &repo,
        sandbox: &sandbox,
        dir,
        clock,
        runner: Runner::new(&store, &pipeline, options),
    };

    let (v1, _) = tour.release(
        "Add the cart",
        &[("src/cart.rs", "pub fn total() -> u32 { 42 }\n")],
        "Ben Okafor",
        say,
    )?;
    say(&format!(
        "{v1}: the first release flows through every stage"
    ));
    tour.drive(say, |s| s.everywhere(v1))?;

    let tip = tour.head()?;
    let feature = sandbox.commit_with_parents(
        &[("src/discount.rs", "pub fn discount() -> u32 { 5 }\n")],
        "Add discounts",
        "Chen Wei",
        clock(),
        std::slice::from_ref(&tip),
        None,
    )?;
    sandbox.commit_with_parents(
        &[],
        "Merge branch 'discounts'",
        "Chen Wei",
        clock(),
        &[tip, feature],
        Some("HEAD"),
    )?;
    tour.hold(true)?;
    let (v2, _) = tour.release(
        "Bump serde to 1.0.215",
        &[("Cargo.lock", &cargo_lock("1.0.100", "1.0.215"))],
        "Ben Okafor",
        say,
    )?;
    say(&format!(
        "{v2}: a merged branch and a serde bump; prod-2 takes a while to deploy it"
    ));
    tour.drive(say, |s| s.deploying("prod-2", v2))?;

    let (v3, _) = tour.release(
        "Count items in the cart",
        &[("src/items.rs", "pub fn items() -> u32 { 3 }\n")],
        "Dana Cruz",
        say,
    )?;
    say(&format!(
        "{v3}: approved up to prod-1, then waits for prod-2"
    ));
    tour.drive(say, |s| s.has("prod-us-east-1", v3))?;
    let (v4, _) = tour.release(
        "Bump anyhow to 1.0.101",
        &[("Cargo.lock", &cargo_lock("1.0.101", "1.0.215"))],
        "Ana Lima",
        say,
    )?;
    say(&format!(
        "{v4}: catches up with {v3} in front of prod-2 and supersedes it"
    ));
    tour.drive(say, |s| s.superseded("prod-2", v3))?;
    tour.hold(false)?;
    tour.drive(say, |s| s.everywhere(v4))?;

    let (v5, bug) = tour.release(
        "Round the cart total",
        &[("src/app.sh", "echo total=41\n")],
        "Dana Cruz",
        say,
    )?;
    say(&format!(
        "{v5}: its integration test fails in prod-1, which rolls back to {v4} by itself"
    ));
    tour.drive(say, |s| s.rolled_back("prod-us-east-1", v4))?;

    Ok(Tour {
        repo: repo_dir,
        pipeline: pipeline_path,
        state: state_path,
        history_environment: "prod-us-east-1".to_string(),
        interesting_commit: bug,
        rollback_environment: "prod-eu-west-1".to_string(),
    })
}

struct Story<'a> {
    store: &'a SqliteStore,
    pipeline: &'a Pipeline,
    repo: &'a Repo,
    sandbox: &'a Sandbox,
    dir: &'a Path,
    clock: &'a dyn Fn() -> Timestamp,
    runner: Runner<'a>,
}

impl Story<'_> {
    fn head(&self) -> Result<String> {
        self.repo.head_commit()
    }

    /// Commits `files`, builds the release's artifact and records the release.
    fn release(
        &mut self,
        message: &str,
        files: &[(&str, &str)],
        author: &str,
        say: &mut dyn FnMut(&str),
    ) -> Result<(ReleaseNumber, String)> {
        let commit = self
            .sandbox
            .commit(files, message, author, (self.clock)())?;
        let app = self.build(&commit)?;
        let mut artifacts = BTreeMap::new();
        artifacts.insert("app".to_string(), app.display().to_string());
        let outcome = release::create(
            self.store,
            self.repo,
            release::CreateRequest {
                rev: commit.clone(),
                artifacts,
                trunk: self.pipeline.trunk.clone(),
                hotfix_reason: None,
                actor: "ci".to_string(),
                now: (self.clock)(),
            },
        )?;
        let number = outcome.created.release.number;
        say(&format!("{number}: \"{message}\" ({})", &commit[..7]));
        Ok((number, commit))
    }

    /// The "build": the commit's app.sh, copied to an immutable place named by the commit.
    fn build(&self, commit: &str) -> Result<PathBuf> {
        let source = self.sandbox.path().join("src/app.sh");
        let target = self.dir.join("builds").join(&commit[..12]).join("app.sh");
        let io = |what: &str, e: std::io::Error| Error::failed(format!("demo: cannot {what}: {e}"));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create the build directory", e))?;
        }
        std::fs::copy(&source, &target).map_err(|e| io("copy the build", e))?;
        Ok(target)
    }

    /// Runs the loop until `done` holds, or gives up.
    fn drive(
        &mut self,
        say: &mut dyn FnMut(&str),
        done: impl Fn(&Self) -> Result<bool>,
    ) -> Result<()> {
        let started = Instant::now();
        let mut narrator = Narrator { say };
        loop {
            let report = self.runner.pass((self.clock)(), &mut narrator)?;
            if report.decisions == 0 && done(self)? {
                return Ok(());
            }
            if started.elapsed() > PATIENCE {
                return Err(Error::failed(
                    "demo: the pipeline did not get where the tour expected within 90 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Holds (or lets go of) the deployments of the slow stage, whose deploy command
    /// waits while `envs/hold` exists.
    fn hold(&self, on: bool) -> Result<()> {
        let marker = self.dir.join("envs").join("hold");
        let done = if on {
            std::fs::create_dir_all(self.dir.join("envs"))
                .and_then(|()| std::fs::write(&marker, "held\n"))
        } else {
            std::fs::remove_file(&marker)
        };
        done.map_err(|e| Error::failed(format!("demo: cannot change {}: {e}", marker.display())))
    }

    fn superseded(&self, stage: &str, release: ReleaseNumber) -> Result<bool> {
        let records = self.store.stage_records(&[stage.to_string()], 100)?;
        Ok(records
            .iter()
            .any(|r| r.release == release && r.by.is_some()))
    }

    fn state(&self, environment: &str) -> Result<EnvironmentState> {
        let states = self.store.environment_states(&[environment.to_string()])?;
        states
            .into_iter()
            .next()
            .ok_or_else(|| Error::internal(format!("demo: no state for {environment}")))
    }

    fn has(&self, environment: &str, release: ReleaseNumber) -> Result<bool> {
        let state = self.state(environment)?;
        Ok(state.in_progress.is_none()
            && state
                .current
                .is_some_and(|d| d.release == release && d.outcome == Outcome::Approved))
    }

    fn everywhere(&self, release: ReleaseNumber) -> Result<bool> {
        for environment in self.pipeline.environment_names() {
            if !self.has(&environment, release)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn deploying(&self, stage: &str, release: ReleaseNumber) -> Result<bool> {
        let Some(stage) = self.pipeline.stage(stage) else {
            return Ok(false);
        };
        let first = &stage.environments[0].name;
        Ok(self
            .state(first)?
            .in_progress
            .is_some_and(|d| d.release == release))
    }

    fn rolled_back(&self, environment: &str, release: ReleaseNumber) -> Result<bool> {
        let state = self.state(environment)?;
        Ok(state.in_progress.is_none()
            && state.current.is_some_and(|d| {
                d.release == release
                    && d.kind == DeploymentKind::Rollback
                    && d.outcome == Outcome::Approved
            }))
    }
}

/// Tells the story of what the loop does, one line per notable event.
struct Narrator<'a, 'b> {
    say: &'a mut (dyn FnMut(&str) + 'b),
}

impl RunObserver for Narrator<'_, '_> {
    fn event(&mut self, event: RunEvent) {
        let line = match event {
            RunEvent::Started(d) if d.kind == DeploymentKind::Rollback => {
                format!("  {} rolls {} back to {}", d.id, d.environment, d.release)
            }
            RunEvent::Started(d) => {
                format!("  {} deploys {} to {}", d.id, d.release, d.environment)
            }
            RunEvent::Decision(Decision::Supersede { stage, release, by }) => {
                format!(
                    "  {stage}: {release} is superseded by {by} and will never be deployed there"
                )
            }
            RunEvent::Decision(Decision::ApproveStage { stage, release }) => {
                format!("  {stage} approves {release}")
            }
            RunEvent::Decision(Decision::FailStage {
                stage,
                release,
                reason,
            }) => format!("  {stage}: {release} failed ({reason})"),
            _ => return,
        };
        (self.say)(&line);
    }
}

fn cargo_lock(anyhow: &str, serde: &str) -> String {
    format!(
        "version = 4\n\n[[package]]\nname = \"anyhow\"\nversion = \"{anyhow}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
         [[package]]\nname = \"checkout\"\nversion = \"0.1.0\"\ndependencies = [\n \"anyhow\",\n \"serde\",\n]\n\n\
         [[package]]\nname = \"serde\"\nversion = \"{serde}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

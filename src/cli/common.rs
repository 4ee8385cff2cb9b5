//! What most commands need, resolved once and lazily: the repository, the pipeline, the
//! store, the actor and the current time.

use std::path::PathBuf;

use captain::config::{Outline, Pipeline};
use captain::git::Repo;
use captain::model::Timestamp;
use captain::ops::{ci, state};
use captain::store::Store;
use captain::{Error, Result};

use super::GlobalArgs;

pub struct Context {
    pub global: GlobalArgs,
    /// `CAPTAIN_NOW` (RFC 3339) pins the clock for tests and the demo.
    pub now: Timestamp,
    /// The checkout around the start directory, opened once (finding pipeline.toml and
    /// resolving a rev both need it).
    checkout: std::cell::OnceCell<Option<Repo>>,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Context {
        let now = std::env::var("CAPTAIN_NOW")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(Timestamp::now);
        Context {
            global,
            now,
            checkout: std::cell::OnceCell::new(),
        }
    }

    /// The same context with the clock pinned at `now`.
    pub fn with_now(self, now: Timestamp) -> Context {
        Context { now, ..self }
    }

    /// The time now, for an action that may come long after the command started (after
    /// a confirmation prompt): `CAPTAIN_NOW` when pinned, else the clock.
    pub fn fresh_now(&self) -> Timestamp {
        fresh_now()
    }

    fn start_dir(&self) -> PathBuf {
        self.global
            .repo
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The repository, required.
    pub fn repo(&self) -> Result<Repo> {
        Repo::discover(&self.start_dir()).map_err(|e| match &self.global.repo {
            Some(_) => e,
            None => e.with_hint("run captain inside a git checkout, or pass --repo PATH"),
        })
    }

    /// The repository, if there is one (views work without a checkout).
    pub fn repo_if_any(&self) -> Result<Option<Repo>> {
        match &self.global.repo {
            Some(_) => self.repo().map(Some),
            None => Repo::open_if_any(&self.start_dir()),
        }
    }

    /// The repository if there is one, as [`Context::repo_if_any`], opened once per process.
    pub fn checkout(&self) -> Result<Option<&Repo>> {
        if let Some(repo) = self.checkout.get() {
            return Ok(repo.as_ref());
        }
        let repo = self.repo_if_any()?;
        Ok(self.checkout.get_or_init(|| repo).as_ref())
    }

    /// `--pipeline`, else pipeline.toml at the repository root, else in the current directory.
    pub fn pipeline_path(&self) -> PathBuf {
        if let Some(path) = self.global.pipeline.last() {
            return path.clone();
        }
        match self.checkout() {
            Ok(Some(repo)) => repo.root().join("pipeline.toml"),
            _ => PathBuf::from("pipeline.toml"),
        }
    }

    pub fn pipeline(&self) -> Result<Pipeline> {
        Pipeline::load(&self.pipeline_path())
    }

    /// The pipeline for a view that reads it once and exits: kept until the process ends
    /// instead of freed. Freeing the expansion of a 160-environment pipeline (thousands of
    /// small allocations) cost 0.58 M instructions, 7% of `where` (issue 16). Not for a
    /// command that reloads the file (the run loop does, each pass).
    pub fn pipeline_for_view(&self) -> Result<&'static Pipeline> {
        Ok(Box::leak(Box::new(self.pipeline()?)))
    }

    /// The pipeline's outline, for a view that needs only its name, `[state]` and
    /// environments: kept between commands (see [`captain::ops::outline`]).
    pub fn outline(&self) -> Result<Outline> {
        captain::ops::outline::load(&self.pipeline_path())
    }

    pub fn state_location(&self, pipeline: &Outline) -> Result<state::StateLocation> {
        let from_env = std::env::var("CAPTAIN_STATE")
            .ok()
            .filter(|v| !v.is_empty());
        let given = self.global.state.as_deref();
        state::resolve_location(
            given,
            from_env.as_deref() == given && given.is_some(),
            pipeline,
        )
    }

    pub fn store(&self, pipeline: &Pipeline) -> anyhow::Result<Box<dyn Store>> {
        self.store_of(&pipeline.outline())
    }

    /// The store of a view, which opens it once and exits after printing: a SQLite
    /// ledger's connection is left to the process's end instead of closed (see
    /// [`captain::store::sqlite::leave_connections_to_the_process_end`]).
    pub fn store_for_view(&self, pipeline: &Outline) -> anyhow::Result<Box<dyn Store>> {
        captain::store::sqlite::leave_connections_to_the_process_end();
        self.store_of(pipeline)
    }

    /// The store of the pipeline `outline` names.
    pub fn store_of(&self, pipeline: &Outline) -> anyhow::Result<Box<dyn Store>> {
        let location = self.state_location(pipeline)?;
        let store = state::open_with(&location.location, pipeline, &self.remote()?)?;
        Ok(store)
    }

    /// The token and CA for a team server.
    pub fn remote(&self) -> Result<captain::store::http::Remote> {
        state::remote(self.global.ca_file.as_deref())
    }

    /// The team server's URL, for commands that talk to the server itself (tokens):
    /// --state / CAPTAIN_STATE, else the pipeline's [state], else the user config file.
    pub fn server_url(&self) -> Result<String> {
        let pipeline_state = self.pipeline().ok().and_then(|p| p.state);
        let candidate = self
            .global
            .state
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or(pipeline_state)
            .or(state::UserConfig::load()?.state);
        match candidate {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => Ok(url),
            _ => Err(super::token::no_server()),
        }
    }

    /// Who is acting: CI variables first, then the login name.
    pub fn actor(&self) -> String {
        ci::actor_from_env(&ci::process_env)
    }
}

/// Reads a `--since` value: an RFC 3339 time, a date, or a duration back from now ("2d").
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        if let Ok(zoned) = date.to_zoned(jiff::tz::TimeZone::UTC) {
            return Ok(zoned.timestamp());
        }
    }
    let duration = humantime::parse_duration(text).map_err(|_| {
        Error::usage(format!(
            "--since `{text}` is neither a time, a date nor a duration"
        ))
        .with_hint("e.g. --since 2d, --since 2026-11-01, --since 2026-11-01T09:00:00Z")
    })?;
    let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
    Timestamp::from_second(now.as_second().saturating_sub(seconds))
        .map_err(|_| Error::usage(format!("--since `{text}` reaches too far back")))
}

/// `CAPTAIN_NOW` when pinned, else the clock.
pub fn fresh_now() -> Timestamp {
    std::env::var("CAPTAIN_NOW")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(Timestamp::now)
}

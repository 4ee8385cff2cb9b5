//! Where the ledger lives and how to open it: `--state`, then `CAPTAIN_STATE`, then
//! `[state] location` in pipeline.toml, then one SQLite file per pipeline under the user's
//! data directory.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::sqlite::SqliteStore;

/// Which setting chose the state location.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateSource {
    Flag,
    Environment,
    PipelineFile,
    Default,
}

impl StateSource {
    pub fn describe(self) -> &'static str {
        match self {
            StateSource::Flag => "--state",
            StateSource::Environment => "CAPTAIN_STATE",
            StateSource::PipelineFile => "[state] in pipeline.toml",
            StateSource::Default => "default (user data directory)",
        }
    }
}

/// The state location in effect and where it came from.
#[derive(Clone, Debug, Serialize)]
pub struct StateLocation {
    pub location: String,
    pub source: StateSource,
}

/// Decides the state location. `given` is the `--state` value (clap also fills it from
/// `CAPTAIN_STATE`; `from_env` says whether it did).
pub fn resolve_location(
    given: Option<&str>,
    from_env: bool,
    pipeline: &Pipeline,
) -> Result<StateLocation> {
    if let Some(value) = given.filter(|v| !v.trim().is_empty()) {
        let source = if from_env {
            StateSource::Environment
        } else {
            StateSource::Flag
        };
        return Ok(StateLocation {
            location: value.to_string(),
            source,
        });
    }
    if let Some(value) = pipeline.state.as_deref() {
        let location = relative_to(value, pipeline.source.parent());
        return Ok(StateLocation {
            location,
            source: StateSource::PipelineFile,
        });
    }
    Ok(StateLocation {
        location: default_path(&pipeline.name)?.display().to_string(),
        source: StateSource::Default,
    })
}

/// A relative path in pipeline.toml is relative to the file, not the current directory.
fn relative_to(value: &str, base: Option<&Path>) -> String {
    if is_url(value) || value.starts_with("sqlite:") || Path::new(value).is_absolute() {
        return value.to_string();
    }
    match base {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(value).display().to_string(),
        _ => value.to_string(),
    }
}

fn is_url(value: &str) -> bool {
    value.starts_with("http://")
        || value.starts_with("https://")
        || value.starts_with("postgres://")
        || value.starts_with("postgresql://")
}

/// `<data dir>/captain/<pipeline>.sqlite` (e.g. `~/.local/share/captain/checkout.sqlite`).
pub fn default_path(pipeline: &str) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "captain").ok_or_else(|| {
        Error::failed("cannot find the user's data directory (is HOME set?)")
            .with_hint("pass --state PATH or set CAPTAIN_STATE")
    })?;
    let file_name: String = pipeline
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(dirs.data_dir().join(format!("{file_name}.sqlite")))
}

/// Opens the store at `location` for `pipeline`.
pub fn open(location: &str, pipeline: &str) -> Result<Box<dyn Store>> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Err(Error::usage(format!(
            "state `{location}` is a team server, which this build of captain cannot reach yet"
        ))
        .with_hint("use a local SQLite file for now: --state PATH"));
    }
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        return Err(Error::usage(format!("state `{location}` is a PostgreSQL database; the CLI reaches PostgreSQL through `captain serve`"))
            .with_hint("point --state at the team server's https:// URL, or at a local SQLite file"));
    }
    let path = location.strip_prefix("sqlite:").unwrap_or(location);
    Ok(Box::new(SqliteStore::open(Path::new(path), pipeline)?))
}

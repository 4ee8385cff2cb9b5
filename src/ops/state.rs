//! Where the ledger lives and how to open it: `--state`, then `CAPTAIN_STATE`, then
//! `[state] location` in pipeline.toml, then `state` in the user's config file
//! (`~/.config/captain/config.toml`, or `CAPTAIN_CONFIG`), then one SQLite file per
//! pipeline under the user's data directory. A `http://` or `https://` location is a team
//! server, reached with the token of `CAPTAIN_TOKEN` (or `token` in the config file).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Outline;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::http::{HttpStore, Remote};
use crate::store::sqlite::SqliteStore;

/// Which setting chose the state location.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StateSource {
    Flag,
    Environment,
    PipelineFile,
    UserConfig,
    Default,
}

impl StateSource {
    pub fn describe(self) -> &'static str {
        match self {
            StateSource::Flag => "--state",
            StateSource::Environment => "CAPTAIN_STATE",
            StateSource::PipelineFile => "[state] in pipeline.toml",
            StateSource::UserConfig => "state in the user config file",
            StateSource::Default => "default (user data directory)",
        }
    }
}

/// The state location in effect and where it came from.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct StateLocation {
    pub location: String,
    pub source: StateSource,
}

/// Decides the state location. `given` is the `--state` value (clap also fills it from
/// `CAPTAIN_STATE`; `from_env` says whether it did).
pub fn resolve_location(
    given: Option<&str>,
    from_env: bool,
    pipeline: &Outline,
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
    if let Some(value) = UserConfig::load()?.state {
        return Ok(StateLocation {
            location: value,
            source: StateSource::UserConfig,
        });
    }
    Ok(StateLocation {
        location: default_path(&pipeline.name)?.display().to_string(),
        source: StateSource::Default,
    })
}

/// The user's own settings (`config.toml` in the config directory), for people who work
/// against one team server: where the state is, the token, the CA to trust.
#[derive(Clone, Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub state: Option<String>,
    pub token: Option<String>,
    pub ca_file: Option<PathBuf>,
}

impl UserConfig {
    /// `CAPTAIN_CONFIG` if set, else `<config dir>/captain/config.toml`.
    pub fn path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("CAPTAIN_CONFIG").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        directories::ProjectDirs::from("", "", "captain")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// The file's settings; none if there is no file.
    pub fn load() -> Result<UserConfig> {
        let Some(path) = Self::path() else {
            return Ok(UserConfig::default());
        };
        let read = crate::input::read_regular_file(&path, crate::input::SMALL_FILE_LIMIT);
        let text = match read.and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
            })
        }) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(UserConfig::default()),
            Err(e) => {
                return Err(Error::failed(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        toml::from_str(&text).map_err(|e| {
            Error::usage(format!(
                "{} is not a valid captain config file: {}",
                path.display(),
                e.message()
            ))
            .with_hint("it may set state = \"https://…\", token = \"cpt_…\" and ca_file = \"PATH\"")
        })
    }
}

/// How to reach a team server: `CAPTAIN_TOKEN` (else the config file's token), and the CA
/// file given (`--ca-file`, `CAPTAIN_CA_FILE`) or the config file's.
pub fn remote(ca_file: Option<&Path>) -> Result<Remote> {
    let config = UserConfig::load()?;
    let token = std::env::var("CAPTAIN_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or(config.token);
    let ca_file = ca_file
        .map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os("CAPTAIN_CA_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or(config.ca_file);
    Ok(Remote {
        token,
        ca_file,
        attempts: None,
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

/// Opens the store at `location`, reaching a team server with `remote`.
pub fn open_with(location: &str, pipeline: &Outline, remote: &Remote) -> Result<Box<dyn Store>> {
    if location.starts_with("http://") || location.starts_with("https://") {
        // The server decides with its own definition; saying which one this client read
        // lets it refuse when the two differ.
        return Ok(Box::new(
            HttpStore::open(location, &pipeline.name, remote)?
                .with_pipeline_digest(&pipeline.digest),
        ));
    }
    let pipeline = pipeline.name.as_str();
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        return Err(Error::usage(format!("state `{location}` is a PostgreSQL database; the CLI reaches PostgreSQL through `captain serve`"))
            .with_hint("point --state at the team server's https:// URL, or at a local SQLite file"));
    }
    let path = location.strip_prefix("sqlite:").unwrap_or(location);
    Ok(Box::new(SqliteStore::open(Path::new(path), pipeline)?))
}

//! The pipelines a team server holds. A pipeline exists on a server only once an operator
//! registered its definition (`captain pipeline push`, or `serve --pipeline PATH` at
//! start-up); the server decides every rule from the newest registered version, never
//! from a client's copy of pipeline.toml. A request for a name nobody registered is
//! `not found`, and opens or creates nothing for it.
//!
//! Definitions live in each pipeline's ledger (`Store::pipeline_version`), versioned and
//! audited there. This room finds out, cheaply, whether a name is registered and which
//! version is the newest — a file check with SQLite, one indexed row with PostgreSQL —
//! and keeps each newest version parsed, looking again at most once a second (so a push
//! on one replica is in force on every replica within a second).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Database, Stores, check_pipeline_name};
use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::model::{NewPipelineVersion, PipelineVersion, PushedPipeline, Timestamp};
use crate::store::postgres::{Connections, Fail};

/// How long a replica trusts what it last read of a pipeline's newest version.
const FRESH: Duration = Duration::from_secs(1);

/// A registered pipeline's newest version, parsed.
pub(crate) struct Registered {
    pub version: u32,
    pub digest: String,
    pub actor: String,
    pub at: Timestamp,
    /// What the server decides with.
    pub pipeline: Arc<Pipeline>,
}

/// One row of `GET /v1/pipelines`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RegisteredPipeline {
    pub pipeline: String,
    pub version: u32,
    pub digest: String,
    pub actor: String,
    pub at: Timestamp,
}

pub(crate) struct Registry {
    database: Database,
    /// With PostgreSQL: for the one-row question "what is the newest version of …" (the
    /// server's one pool).
    heads: Option<Arc<Connections>>,
    known: Mutex<HashMap<String, (Instant, Arc<Registered>)>>,
}

/// The error for a name no one registered.
pub(crate) fn not_registered(name: &str) -> Error {
    Error::not_found(format!("pipeline `{name}` is not registered on this server"))
        .with_hint("an operator registers it with `captain pipeline push` (or `captain serve --pipeline PATH`)")
}

impl Registry {
    pub(crate) fn new(database: &Database, pool: Option<Arc<Connections>>) -> Result<Registry> {
        let heads = match (database, pool) {
            (Database::Postgres(_), Some(pool)) => Some(pool),
            (Database::Postgres(url), None) => Some(Arc::new(Connections::new(url, 2)?)),
            (Database::Sqlite(_), _) => None,
        };
        Ok(Registry {
            database: database.clone(),
            heads,
            known: Mutex::new(HashMap::new()),
        })
    }

    /// The newest registered version of `name` (number and digest), without opening a
    /// ledger for a name that has none.
    fn head(&self, name: &str, stores: &Stores) -> Result<Option<(u32, String)>> {
        match (&self.database, &self.heads) {
            (Database::Postgres(_), Some(conns)) => conns.with_client(|client, _| {
                let row = client.query_opt(
                    "SELECT version, digest FROM captain.pipeline_versions
                     WHERE pipeline = $1 ORDER BY version DESC LIMIT 1",
                    &[&name],
                )?;
                row.map(|row| {
                    let version: i32 = row.try_get(0)?;
                    Ok::<_, Fail>((u32::try_from(version).unwrap_or_default(), row.try_get(1)?))
                })
                .transpose()
            }),
            (Database::Sqlite(dir), _) => {
                if !ledger_file(dir, name).is_file() {
                    return Ok(None);
                }
                Ok(stores
                    .get(name)?
                    .pipeline_version(None)?
                    .map(|v| (v.version, v.digest)))
            }
            (Database::Postgres(_), None) => Err(Error::internal("no connection for the registry")),
        }
    }

    /// The newest registered version of `name`, parsed; `not found` when none is.
    pub(crate) fn get(&self, name: &str, stores: &Stores) -> Result<Arc<Registered>> {
        check_pipeline_name(name)?;
        let cached = self.cached(name);
        if let Some((checked, registered)) = &cached
            && checked.elapsed() < FRESH
        {
            return Ok(registered.clone());
        }
        let Some((version, _)) = self.head(name, stores)? else {
            self.forget(name);
            return Err(not_registered(name));
        };
        if let Some((_, registered)) = cached
            && registered.version == version
        {
            self.remember(name, registered.clone());
            return Ok(registered);
        }
        let stored = stores
            .get(name)?
            .pipeline_version(Some(version))?
            .ok_or_else(|| not_registered(name))?;
        let registered = Arc::new(Registered {
            pipeline: Arc::new(parse(name, &stored)?),
            version: stored.version,
            digest: stored.digest,
            actor: stored.actor,
            at: stored.at,
        });
        self.remember(name, registered.clone());
        Ok(registered)
    }

    /// Registers a definition of `name` (validated here: the server must be able to
    /// decide with it) as its next version.
    pub(crate) fn push(
        &self,
        name: &str,
        push: NewPipelineVersion,
        stores: &Stores,
    ) -> Result<PushedPipeline> {
        check_pipeline_name(name)?;
        let pipeline = crate::config::validate_text(&push.definition, Path::new("pipeline.toml"))
            .map_err(|problems| invalid_definition(name, &problems))?;
        require_named(name, &pipeline)?;
        let pushed = stores.get(name)?.push_pipeline(push)?;
        self.forget(name);
        Ok(pushed)
    }

    /// Every registered pipeline and its newest version, by name.
    pub(crate) fn list(&self, stores: &Stores) -> Result<Vec<RegisteredPipeline>> {
        let mut out = Vec::new();
        match (&self.database, &self.heads) {
            (Database::Postgres(_), Some(conns)) => {
                let rows = conns.with_client(|client, _| {
                    Ok(client.query(
                        "SELECT DISTINCT ON (pipeline) pipeline, version, digest, actor, at
                         FROM captain.pipeline_versions ORDER BY pipeline, version DESC",
                        &[],
                    )?)
                })?;
                for row in rows {
                    let version: i32 = row.try_get(1).map_err(db_error)?;
                    out.push(RegisteredPipeline {
                        pipeline: row.try_get(0).map_err(db_error)?,
                        version: u32::try_from(version).unwrap_or_default(),
                        digest: row.try_get(2).map_err(db_error)?,
                        actor: row.try_get(3).map_err(db_error)?,
                        at: row.try_get(4).map_err(db_error)?,
                    });
                }
            }
            (Database::Sqlite(dir), _) => {
                let entries = std::fs::read_dir(dir)
                    .map_err(|e| Error::failed(format!("could not list the ledgers: {e}")))?;
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        let stem = name.strip_suffix(".sqlite")?.to_string();
                        (stem != "server" && check_pipeline_name(&stem).is_ok()).then_some(stem)
                    })
                    .collect();
                names.sort();
                for name in names {
                    if let Some(v) = stores.get(&name)?.pipeline_version(None)? {
                        out.push(RegisteredPipeline {
                            pipeline: name,
                            version: v.version,
                            digest: v.digest,
                            actor: v.actor,
                            at: v.at,
                        });
                    }
                }
            }
            (Database::Postgres(_), None) => {}
        }
        Ok(out)
    }

    fn cached(&self, name: &str) -> Option<(Instant, Arc<Registered>)> {
        self.known.lock().ok()?.get(name).cloned()
    }

    fn remember(&self, name: &str, registered: Arc<Registered>) {
        if let Ok(mut known) = self.known.lock() {
            known.insert(name.to_string(), (Instant::now(), registered));
        }
    }

    fn forget(&self, name: &str) {
        if let Ok(mut known) = self.known.lock() {
            known.remove(name);
        }
    }
}

/// A definition pushed to `name` must name that pipeline.
pub(crate) fn require_named(name: &str, pipeline: &Pipeline) -> Result<()> {
    if pipeline.name == name {
        return Ok(());
    }
    Err(Error::usage(format!(
        "the pipeline.toml pushed to `{name}` names pipeline `{}`",
        pipeline.name
    ))
    .with_hint("push it to the pipeline it names, or change its `name`"))
}

fn ledger_file(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join(format!("{name}.sqlite"))
}

fn db_error(e: postgres::Error) -> Error {
    Error::internal(format!("reading the registered pipelines failed: {e}"))
}

/// A registered definition, parsed as the server decides with it.
fn parse(name: &str, stored: &PipelineVersion) -> Result<Pipeline> {
    let source = format!("{name} v{} (registered)", stored.version);
    crate::config::validate_text(&stored.definition, Path::new(&source))
        .map_err(|problems| invalid_definition(name, &problems))
}

pub(crate) fn invalid_definition(name: &str, problems: &[crate::config::Diagnostic]) -> Error {
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Error::usage(format!(
        "the pipeline.toml of `{name}` is not valid: {}",
        listed.join("; ")
    ))
    .with_hint("`captain validate` shows every problem with its position")
}

//! The server's own tables, beside the pipelines' ledgers: API tokens (hashed, each
//! perhaps limited to some pipelines), their audit events (`token.create`,
//! `token.revoke`: who, when, why — written in the same transaction as the change),
//! idempotency keys with the responses they produced, and the token creations made with
//! a key (a digest of the key and the secret sealed with it, see
//! [`auth::CreationKey`]), so a retried `token create` answers the same secret.
//!
//! Each replica caches the live tokens for at most `TOKEN_CACHE` (1 s); a revocation waits
//! that out ([`REVOCATION_SETTLES`]) before it is reported, so once `token revoke`
//! returns no replica accepts the token.
//!
//! Kept beside the ledgers: in one SQLite file (`server.sqlite` in the `sqlite:DIR`
//! database directory, or the file `--auth-db` names), or, with a PostgreSQL database, in
//! that database's `captain` schema ([`pg`], migrated with the ledger), so every replica
//! of a server sees the same tokens and keys. Migrations are append-only, like the
//! ledger's. This room never decides a role and never touches a ledger (a ledger's own key
//! table only through `KeyTable`).
//!
//! A mutation with an idempotency key runs, and its key is recorded with its response,
//! in one transaction (`Store::idempotent`): the change and the answer a retry gets
//! commit together, and a key seen before keeps nothing of the change. So the keys live
//! beside the ledger: on PostgreSQL in this database's table (the store writes the same
//! one), on SQLite in each pipeline's ledger file (`Store::idempotency_keys`), not in
//! `server.sqlite`. The ordinary way here — for a key seen before (replayed, waited for,
//! or refused if reused for another request) and for a mutation that failed (its error
//! becomes the key's answer) — claims the key in that same place before the operation
//! runs and stores its response right after, each in its own short transaction. Only an
//! operation that failed in `Store::idempotent` and then succeeded on its second run
//! here is exposed to a server killed between its commit and its response's: a retry
//! would take the claim over after [`ABANDONED_AFTER`] and run it again. Keys of a
//! pipeline whose ledger keeps none of its own go to this room's tables.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::auth::{self, CreatedToken, CreationKey, NewToken, Role, TokenInfo};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Timestamp};
use crate::store::{AuditFilter, IdempotentRequest, KeyTable, SeenKey};

pub mod pg;

/// The SQLite server tables' migrations, numbered like the ledger's
/// (`src/server/db/sqlite/NNNN_*.sql`, recorded in `schema_migrations`). Append-only: a
/// shipped migration is never edited; changes are new files.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("db/sqlite/0001_tokens.sql")),
    (2, include_str!("db/sqlite/0002_audit.sql")),
    (3, include_str!("db/sqlite/0003_token_scopes.sql")),
];

/// How long a stored response answers a retry.
pub const KEY_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// A claim without a response this old belongs to a request that died with its server.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(120);
/// How long a retry waits for the first request with its key to finish.
pub(crate) const WAIT_FOR_FIRST: Duration = Duration::from_secs(60);
/// How long a looked-up token list stays fresh (revocations on this server apply at
/// once). It is also the bound on how long another replica may still accept a revoked
/// token, so a revocation answers only after [`REVOCATION_SETTLES`].
const TOKEN_CACHE: Duration = Duration::from_secs(1);
/// How long after a revocation's commit every replica refuses the token: each replica's
/// token list was read at most `TOKEN_CACHE` before it is used (its age is counted
/// from before the read), plus a margin for the clocks of the waiting. `token revoke`
/// answers only after this, so when it returns the token works nowhere.
pub const REVOCATION_SETTLES: Duration = Duration::from_millis(1100);

/// What [`ServerDb::claim`] found for an idempotency key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First time: run the operation, then [`ServerDb::complete`].
    Fresh,
    /// Done before: send this response again.
    Replay { status: u16, body: Vec<u8> },
}

/// A stored key: request digest, and status and body once answered.
type KeyRow = (Vec<u8>, Option<u16>, Option<Vec<u8>>);

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// The key of one request (its token, key, and digest of method, path and body) as the
/// key tables take it, `now` being unix seconds: expired after [`KEY_LIFETIME`],
/// abandoned after [`ABANDONED_AFTER`].
pub fn key_request<'a>(
    token: &'a str,
    key: &'a str,
    request: &'a [u8; 32],
    now: i64,
) -> IdempotentRequest<'a> {
    IdempotentRequest {
        token,
        key,
        request,
        now,
        expired_before: now.saturating_sub(seconds(KEY_LIFETIME)),
        abandoned_before: now.saturating_sub(seconds(ABANDONED_AFTER)),
    }
}

/// Claims a key by the rules every key table shares, `attempt` being one try at the
/// table: a key seen with another request is a usage error, one answered is replayed,
/// and one whose first request still runs is waited for (up to [`WAIT_FOR_FIRST`]).
fn claim_with(
    key: &str,
    request: &[u8; 32],
    mut attempt: impl FnMut() -> Result<Option<SeenKey>>,
) -> Result<Claim> {
    let started = Instant::now();
    loop {
        let Some(seen) = attempt()? else {
            return Ok(Claim::Fresh);
        };
        if !auth::digests_match(&seen.request, request) {
            return Err(key_reused(key));
        }
        if let Some((status, body)) = seen.answer {
            return Ok(Claim::Replay { status, body });
        }
        if started.elapsed() > WAIT_FOR_FIRST {
            return Err(Error::conflict(format!(
                "the first request with idempotency key `{key}` is still running"
            ))
            .with_hint("try again later"));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

type CachedTokens = (Instant, Vec<([u8; 32], TokenInfo)>);

/// A `token create` with an idempotency key, as the backends record it beside the token.
pub(crate) struct NewCreation<'a> {
    key_digest: &'a [u8; 32],
    request_digest: &'a [u8; 32],
    sealed: &'a [u8],
    /// Unix seconds.
    now: i64,
    /// Rows older than this are expired (and deleted).
    expired_before: i64,
}

/// A creation found under the key of a `token create`: what the first one recorded.
pub(crate) struct SeenCreation {
    request_digest: Vec<u8>,
    token: String,
    sealed: Vec<u8>,
}

pub struct ServerDb {
    backend: Backend,
    tokens: Mutex<Option<CachedTokens>>,
}

enum Backend {
    Sqlite(SqliteTables),
    Postgres(Box<pg::PgTables>),
}

struct SqliteTables {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// Dispatches one method call to the backend.
macro_rules! backend {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match &$self.backend {
            Backend::Sqlite(db) => db.$method($($arg),*),
            Backend::Postgres(db) => db.$method($($arg),*),
        }
    };
}

impl ServerDb {
    /// The server tables for `database`: in the PostgreSQL database itself, or for
    /// `sqlite:DIR` in the file `auth_db` if given, else in `DIR/server.sqlite`.
    ///
    /// With PostgreSQL a separate file is refused: the ledger records a mutation's key
    /// in the database, and a file beside it would not see that key (a retry could then
    /// record twice).
    pub fn open_for(database: &super::Database, auth_db: Option<&Path>) -> Result<ServerDb> {
        match (database, auth_db) {
            (super::Database::Postgres(url), None) => Ok(ServerDb {
                backend: Backend::Postgres(Box::new(pg::PgTables::open(url)?)),
                tokens: Mutex::new(None),
            }),
            (super::Database::Postgres(_), Some(path)) => Err(Error::usage(format!(
                "--auth-db {} cannot be used with a PostgreSQL database",
                path.display()
            ))
            .with_hint("drop --auth-db: with PostgreSQL the server keeps its tokens and idempotency keys in the database")),
            _ => ServerDb::open(&database.server_db_path(auth_db)?),
        }
    }

    /// The server tables in PostgreSQL, on the server's one pool (already migrated).
    pub(crate) fn on_postgres(
        conns: std::sync::Arc<crate::store::postgres::Connections>,
    ) -> Result<ServerDb> {
        Ok(ServerDb {
            backend: Backend::Postgres(Box::new(pg::PgTables::on(conns)?)),
            tokens: Mutex::new(None),
        })
    }

    /// Does the database answer (a trivial query)? For `/readyz`.
    pub fn ping(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(db) => db
                .conn()?
                .query_row("SELECT 1", [], |_| Ok(()))
                .map_err(|e| {
                    Error::unavailable(format!(
                        "the server database {} does not answer: {e}",
                        db.path.display()
                    ))
                }),
            Backend::Postgres(db) => db.ping(),
        }
    }

    /// The server tables in a SQLite file.
    pub fn open(path: &Path) -> Result<ServerDb> {
        Ok(ServerDb {
            backend: Backend::Sqlite(SqliteTables::open(path)?),
            tokens: Mutex::new(None),
        })
    }

    /// Where the tables live, for messages.
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite(db) => db.path.display().to_string(),
            Backend::Postgres(db) => db.location(),
        }
    }

    fn forget_tokens(&self) {
        if let Ok(mut cache) = self.tokens.lock() {
            *cache = None;
        }
    }

    /// Creates a token; a token of the same name is a conflict, active or revoked (names
    /// are not reused: the audit log keeps one meaning for each). Writes a `token.create`
    /// audit event by `by` in the same transaction.
    pub fn create_token(&self, new: &NewToken, by: &str, at: Timestamp) -> Result<CreatedToken> {
        self.create_token_keyed(new, by, at, None)
            .map(|(created, _)| created)
    }

    /// [`create_token`](Self::create_token) with the request's idempotency key: a retry
    /// by the same creator with the same key and request gets the same token and secret
    /// back (`true`: a replay) for [`KEY_LIFETIME`]; the same key with another request is
    /// a usage error.
    pub fn create_token_keyed(
        &self,
        new: &NewToken,
        by: &str,
        at: Timestamp,
        key: Option<&str>,
    ) -> Result<(CreatedToken, bool)> {
        auth::check_name(&new.name)?;
        let new = NewToken {
            pipelines: auth::check_pipelines(&new.pipelines)?,
            ..new.clone()
        };
        // As PostgreSQL keeps it: the first answer and a replay say the same time.
        let at = Timestamp::from_microsecond(at.as_microsecond()).unwrap_or(at);
        let secret = auth::new_secret();
        let digest = auth::digest(&secret);
        let creation = key.map(|key| {
            let key = CreationKey::new(key, &new);
            let sealed = key.seal(&secret);
            (key, sealed)
        });
        let now = at.as_second();
        let record = creation.as_ref().map(|(key, sealed)| NewCreation {
            key_digest: &key.key_digest,
            request_digest: &key.request_digest,
            sealed,
            now,
            expired_before: now.saturating_sub(seconds(KEY_LIFETIME)),
        });
        let seen = backend!(self.insert_token(&new, &digest, by, at, record.as_ref()))?;
        self.forget_tokens();
        if let (Some(seen), Some((key, _))) = (seen, &creation) {
            return self.replay_creation(&new, key, seen).map(|c| (c, true));
        }
        Ok((
            CreatedToken {
                token: TokenInfo {
                    name: new.name.clone(),
                    role: new.role,
                    delegate: new.delegate,
                    created_at: at,
                    created_by: by.to_string(),
                    revoked_at: None,
                    pipelines: new.pipelines.clone(),
                },
                secret,
            },
            false,
        ))
    }

    /// The answer to a `token create` retried with a key seen before.
    fn replay_creation(
        &self,
        new: &NewToken,
        key: &CreationKey,
        seen: SeenCreation,
    ) -> Result<CreatedToken> {
        if !auth::digests_match(&seen.request_digest, &key.request_digest) {
            return Err(Error::usage(
                "this idempotency key was already used to create another token",
            )
            .with_hint(
                "send a new key for each token; reuse a key only to retry the same request",
            ));
        }
        let gone = || {
            Error::conflict(format!(
                "the token `{}` this key created is no longer there",
                new.name
            ))
        };
        let secret = key.unseal(&seen.sealed).ok_or_else(gone)?;
        let (_, token) = backend!(self.tokens_with_digests())?
            .into_iter()
            .find(|(digest, t)| {
                t.name == seen.token && auth::digests_match(digest, &auth::digest(&secret))
            })
            .ok_or_else(gone)?;
        Ok(CreatedToken { token, secret })
    }

    /// Every token, revoked ones included, by name.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        Ok(backend!(self.tokens_with_digests())?
            .into_iter()
            .map(|(_, t)| t)
            .collect())
    }

    /// Revokes a token (not found if there is no active one of that name). Writes a
    /// `token.revoke` audit event by `by` in the same transaction. This server refuses
    /// the token at once; other replicas within [`REVOCATION_SETTLES`], which the caller
    /// waits out before it reports the revocation done.
    pub fn revoke_token(
        &self,
        name: &str,
        by: &str,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<TokenInfo> {
        let changed = backend!(self.revoke(name, by, reason, at))?;
        self.forget_tokens();
        if !changed {
            return Err(
                Error::not_found(format!("there is no active token named `{name}`"))
                    .with_hint("`captain token list` shows the tokens"),
            );
        }
        self.tokens()?
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::internal(format!("token `{name}` vanished while revoked")))
    }

    /// The server's own audit events (tokens), newest first, filtered like the ledger's.
    pub fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        backend!(self.audit_events(filter))
    }

    /// Are there any tokens at all (for the bootstrap token)?
    pub fn has_tokens(&self) -> Result<bool> {
        backend!(self.has_tokens())
    }

    /// [`verify`](Self::verify) without waiting and without the database: the answer if
    /// the token list is cached and fresh (the common case, which then needs no blocking
    /// thread), None otherwise.
    pub fn verify_cached(&self, secret: &str) -> Option<Option<TokenInfo>> {
        let cache = self.tokens.try_lock().ok()?;
        let (when, live) = cache.as_ref()?;
        if when.elapsed() >= TOKEN_CACHE {
            return None;
        }
        // A miss may be a token made on another replica since: the slow way decides.
        matching(live, &auth::digest(secret)).map(Some)
    }

    /// The live token whose secret this is, comparing digests in constant time against
    /// every live token (so timing says nothing about how close a guess came).
    ///
    /// A secret not in the cached list reloads it, unless it was read since this call
    /// began (so a token just made on another replica works here at once, and misses
    /// arriving together cost one read).
    pub fn verify(&self, secret: &str) -> Result<Option<TokenInfo>> {
        let began = Instant::now();
        let presented = auth::digest(secret);
        let mut cache = self
            .tokens
            .lock()
            .map_err(|_| Error::internal("the token cache was poisoned"))?;
        if let Some((when, live)) = &*cache
            && when.elapsed() < TOKEN_CACHE
        {
            let found = matching(live, &presented);
            if found.is_some() || *when >= began {
                return Ok(found);
            }
        }
        // Stamped before the read: the list is never older than its stamp says.
        let read_at = Instant::now();
        let live: Vec<_> = backend!(self.tokens_with_digests())?
            .into_iter()
            .filter(|(_, t)| t.revoked_at.is_none())
            .filter_map(|(d, t)| <[u8; 32]>::try_from(d.as_slice()).ok().map(|d| (d, t)))
            .collect();
        let found = matching(&live, &presented);
        *cache = Some((read_at, live));
        Ok(found)
    }

    /// Claims an idempotency key for one request (by its token, key and a digest of
    /// method, path and body), in the pipeline's `ledger` key table if it has one, else
    /// here. A key seen with another request is a usage error; a key whose first request
    /// is still running makes this wait for its response.
    pub fn claim(
        &self,
        ledger: Option<&dyn KeyTable>,
        request: &IdempotentRequest,
    ) -> Result<Claim> {
        match ledger {
            Some(keys) => claim_with(request.key, request.request, || keys.claim_key(request)),
            None => backend!(self.claim(request.token, request.key, request.request, request.now)),
        }
    }

    /// Stores the response of a claimed key (where [`claim`](Self::claim) claimed it).
    pub fn complete(
        &self,
        ledger: Option<&dyn KeyTable>,
        token: &str,
        key: &str,
        status: u16,
        body: &[u8],
    ) -> Result<()> {
        match ledger {
            Some(keys) => keys.answer_key(token, key, status, body),
            None => backend!(self.complete(token, key, status, body)),
        }
    }

    /// Drops a claim whose request failed in a way worth retrying (a server-side failure).
    pub fn release(&self, ledger: Option<&dyn KeyTable>, token: &str, key: &str) -> Result<()> {
        match ledger {
            Some(keys) => keys.release_key(token, key),
            None => backend!(self.release(token, key)),
        }
    }
}

/// Applies the pending [`MIGRATIONS`] in one transaction, as the ledger does: the
/// versions applied are rows of `schema_migrations`; a file of a newer captain is refused.
/// A file from before that table (its version in `PRAGMA user_version`) is adopted.
fn migrate_sqlite(conn: &mut Connection, shown: &str) -> Result<()> {
    let db_err =
        |e: rusqlite::Error| Error::failed(format!("the server database {shown} failed: {e}"));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let tracked: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    if !tracked {
        let adopted: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(db_err)?;
        tx.execute_batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);")
            .map_err(db_err)?;
        for version in 1..=adopted {
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )
            .map_err(db_err)?;
        }
    }
    let current: i64 = tx
        .query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > newest {
        return Err(Error::failed(format!(
            "the server database {shown} was written by a newer captain (server schema version {current}; this captain knows up to {newest})"
        ))
        .with_hint("upgrade captain"));
    }
    for (number, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql).map_err(db_err)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [number],
        )
        .map_err(db_err)?;
    }
    tx.commit().map_err(db_err)
}

impl SqliteTables {
    fn open(path: &Path) -> Result<SqliteTables> {
        let shown = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            super::files::create_private_dir(parent).map_err(|e| {
                Error::failed(format!("could not create {}: {e}", parent.display()))
            })?;
        }
        super::files::create_private_file(path)
            .map_err(|e| Error::failed(format!("could not create {shown}: {e}")))?;
        let mut conn = Connection::open(path).map_err(|e| {
            Error::failed(format!("could not open the server database {shown}: {e}"))
        })?;
        let db_err =
            |e: rusqlite::Error| Error::failed(format!("the server database {shown} failed: {e}"));
        conn.busy_timeout(Duration::from_secs(30)).map_err(db_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db_err)?;
        migrate_sqlite(&mut conn, &shown)?;
        Ok(SqliteTables {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| Error::internal("the server database connection was poisoned"))
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        Error::failed(format!(
            "the server database {} failed: {e}",
            self.path.display()
        ))
    }

    fn insert_token(
        &self,
        new: &NewToken,
        digest: &[u8; 32],
        by: &str,
        at: Timestamp,
        creation: Option<&NewCreation>,
    ) -> Result<Option<SeenCreation>> {
        let mut conn = self.conn()?;
        let conn = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        if let Some(c) = creation {
            conn.execute(
                "DELETE FROM token_creations WHERE created_at < ?1",
                params![c.expired_before],
            )
            .map_err(|e| self.err(e))?;
            let seen = conn
                .query_row(
                    "SELECT request_digest, token, sealed_secret FROM token_creations
                     WHERE creator = ?1 AND key_digest = ?2",
                    params![by, &c.key_digest[..]],
                    |r| {
                        Ok(SeenCreation {
                            request_digest: r.get(0)?,
                            token: r.get(1)?,
                            sealed: r.get(2)?,
                        })
                    },
                )
                .optional()
                .map_err(|e| self.err(e))?;
            if seen.is_some() {
                return Ok(seen);
            }
        }
        let existing: Option<Option<String>> = conn
            .query_row(
                "SELECT revoked_at FROM tokens WHERE name = ?1",
                params![new.name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match existing {
            Some(None) => return Err(token_exists(&new.name)),
            Some(Some(revoked_at)) => return Err(token_retired(&new.name, &revoked_at)),
            None => {}
        }
        let pipelines = (!new.pipelines.is_empty())
            .then(|| serde_json::to_string(&new.pipelines).unwrap_or_default());
        conn.execute(
            "INSERT INTO tokens (name, role, digest, delegate, created_at, created_by, revoked_at, pipelines)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
            params![new.name, new.role.as_str(), &digest[..], new.delegate, at.to_string(), by, pipelines],
        )
        .map_err(|e| self.err(e))?;
        if let Some(c) = creation {
            conn.execute(
                "INSERT INTO token_creations (creator, key_digest, request_digest, token, sealed_secret, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![by, &c.key_digest[..], &c.request_digest[..], new.name, c.sealed, c.now],
            )
            .map_err(|e| self.err(e))?;
        }
        let details = token_details(new);
        self.audit(
            &conn,
            at,
            by,
            "token.create",
            &new.name,
            new.reason.as_deref(),
            &details,
        )?;
        conn.commit().map_err(|e| self.err(e))?;
        Ok(None)
    }

    fn tokens_with_digests(&self) -> Result<Vec<(Vec<u8>, TokenInfo)>> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare(
                "SELECT digest, name, role, delegate, created_at, created_by, revoked_at, pipelines
                 FROM tokens ORDER BY name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (digest, name, role, delegate, created_at, created_by, revoked_at, pipelines) =
                row.map_err(|e| self.err(e))?;
            let bad = |what: &str| {
                Error::failed(format!(
                    "the server database {} holds a token `{name}` with a bad {what}",
                    self.path.display()
                ))
            };
            let info = TokenInfo {
                role: role.parse::<Role>().map_err(|_| bad("role"))?,
                delegate,
                created_at: created_at.parse().map_err(|_| bad("creation time"))?,
                created_by,
                revoked_at: match revoked_at {
                    Some(t) => Some(t.parse().map_err(|_| bad("revocation time"))?),
                    None => None,
                },
                pipelines: match pipelines {
                    Some(list) => serde_json::from_str(&list).map_err(|_| bad("pipeline list"))?,
                    None => Vec::new(),
                },
                name,
            };
            out.push((digest, info));
        }
        Ok(out)
    }

    fn revoke(&self, name: &str, by: &str, reason: Option<&str>, at: Timestamp) -> Result<bool> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let changed = tx
            .execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                params![name, at.to_string()],
            )
            .map_err(|e| self.err(e))?;
        if changed > 0 {
            let details = serde_json::json!({});
            self.audit(&tx, at, by, "token.revoke", name, reason, &details)?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(changed > 0)
    }

    #[allow(clippy::too_many_arguments)]
    fn audit(
        &self,
        conn: &Connection,
        at: Timestamp,
        actor: &str,
        action: &str,
        target: &str,
        reason: Option<&str>,
        details: &serde_json::Value,
    ) -> Result<()> {
        conn.execute(
            "INSERT INTO audit (at, actor, action, target, reason, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                at.to_string(),
                actor,
                action,
                target,
                reason,
                details.to_string()
            ],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare(
                "SELECT seq, at, actor, action, target, reason, details FROM audit
                 WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR actor = ?2)
                 ORDER BY seq DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let limit = filter
            .limit
            .and_then(|l| i64::try_from(l).ok())
            .unwrap_or(-1);
        let rows = stmt
            .query_map(params![filter.target, filter.actor, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(seq, at, actor, action, target, reason, details)| {
                Ok(AuditEvent {
                    seq,
                    at: at.parse().map_err(|e| {
                        Error::failed(format!(
                            "the server database {} holds a bad audit time `{at}`: {e}",
                            self.path.display()
                        ))
                    })?,
                    actor,
                    action,
                    target,
                    reason,
                    details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }

    fn has_tokens(&self) -> Result<bool> {
        let conn = self.conn()?;
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM tokens", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// See [`ServerDb::claim`].
    fn claim(&self, token: &str, key: &str, request: &[u8; 32], now: i64) -> Result<Claim> {
        claim_with(key, request, || self.try_claim(token, key, request, now))
    }

    /// One try at claiming a key: `None` if it was free (new, expired, or abandoned by a
    /// server that died mid-request) and is now claimed, else what is stored for it.
    fn try_claim(
        &self,
        token: &str,
        key: &str,
        request: &[u8; 32],
        now: i64,
    ) -> Result<Option<SeenKey>> {
        let IdempotentRequest {
            expired_before,
            abandoned_before,
            ..
        } = key_request(token, key, request, now);
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let row: Option<KeyRow> = tx
            .query_row(
                "SELECT request_digest, status, body FROM idempotency
                 WHERE token = ?1 AND key = ?2 AND claimed_at >= ?3
                   AND (status IS NOT NULL OR claimed_at > ?4)",
                params![token, key, expired_before, abandoned_before],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some((digest, status, body)) = row {
            return Ok(Some(SeenKey {
                request: digest,
                answer: status.map(|status| (status, body.unwrap_or_default())),
            }));
        }
        tx.execute(
            "INSERT OR REPLACE INTO idempotency (token, key, request_digest, status, body, claimed_at)
             VALUES (?1, ?2, ?3, NULL, NULL, ?4)",
            params![token, key, &request[..], now],
        )
        .map_err(|e| self.err(e))?;
        // Expired keys go now and then, in the same short transaction.
        if rand::random::<u8>() < 4 {
            tx.execute(
                "DELETE FROM idempotency WHERE claimed_at < ?1",
                params![expired_before],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(None)
    }

    /// Stores the response of a claimed key.
    fn complete(&self, token: &str, key: &str, status: u16, body: &[u8]) -> Result<()> {
        let conn = self.conn()?;
        conn.execute(
            "UPDATE idempotency SET status = ?3, body = ?4 WHERE token = ?1 AND key = ?2",
            params![token, key, status, body],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Drops a claim whose request failed in a way worth retrying (a server-side failure).
    fn release(&self, token: &str, key: &str) -> Result<()> {
        let conn = self.conn()?;
        conn.execute(
            "DELETE FROM idempotency WHERE token = ?1 AND key = ?2 AND status IS NULL",
            params![token, key],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// The token among `live` with this digest, comparing against every one in constant
/// time (so timing says nothing about how close a guess came).
fn matching(live: &[([u8; 32], TokenInfo)], presented: &[u8; 32]) -> Option<TokenInfo> {
    let mut found = None;
    for (digest, info) in live {
        if auth::digests_match(digest, presented) {
            found = Some(info.clone());
        }
    }
    found
}

/// What a `token.create` event records besides actor, target and reason.
fn token_details(new: &NewToken) -> serde_json::Value {
    let mut details = serde_json::json!({"role": new.role.as_str(), "delegate": new.delegate});
    if !new.pipelines.is_empty() {
        details["pipelines"] = serde_json::json!(new.pipelines);
    }
    details
}

fn token_exists(name: &str) -> Error {
    Error::conflict(format!("a token named `{name}` already exists"))
        .with_hint("pick another name (or revoke that token and pick another name)")
}

/// A name once given to a token, now revoked: names are not reused, so every audit event
/// with a token's name means that one token.
fn token_retired(name: &str, revoked_at: &dyn std::fmt::Display) -> Error {
    Error::conflict(format!(
        "the name `{name}` belonged to a token revoked at {revoked_at}; names of revoked tokens are not reused"
    ))
    .with_hint(format!("pick another name, e.g. {name}-2"))
}

pub(crate) fn key_reused(key: &str) -> Error {
    Error::usage(format!(
        "idempotency key `{key}` was already used for a different request"
    ))
    .with_hint("send a new key for each operation; reuse a key only to retry the same request")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_are_created_verified_and_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let db = ServerDb::open(&dir.path().join("server.sqlite")).unwrap();
        assert!(!db.has_tokens().unwrap());
        let new = NewToken {
            name: "ci".into(),
            role: Role::Deploy,
            delegate: true,
            reason: Some("for CI".into()),
            pipelines: Vec::new(),
        };
        let created = db
            .create_token(&new, "admin", Timestamp::UNIX_EPOCH)
            .unwrap();
        assert_eq!(
            db.verify(&created.secret).unwrap().map(|t| t.role),
            Some(Role::Deploy)
        );
        assert_eq!(db.verify("cpt_nope").unwrap(), None);
        let again = db
            .create_token(&new, "admin", Timestamp::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(again.kind, crate::ErrorKind::Conflict);
        // The secret is not stored anywhere in the file.
        let raw = std::fs::read(dir.path().join("server.sqlite")).unwrap();
        assert!(
            !raw.windows(20)
                .any(|w| w == &created.secret.as_bytes()[4..24])
        );
        db.revoke_token("ci", "alice", Some("leaked"), Timestamp::UNIX_EPOCH)
            .unwrap();
        assert_eq!(db.verify(&created.secret).unwrap(), None);
        assert_eq!(
            db.revoke_token("ci", "alice", None, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .kind,
            crate::ErrorKind::NotFound
        );
        // A revoked name is not reused: its audit events keep meaning that token.
        let reused = db
            .create_token(&new, "admin", Timestamp::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(reused.kind, crate::ErrorKind::Conflict);
        assert!(reused.message.contains("revoked"), "{}", reused.message);
        let new = NewToken {
            name: "ci-2".into(),
            pipelines: vec!["web".into(), "app".into()],
            ..new
        };
        let limited = db
            .create_token(&new, "admin", Timestamp::UNIX_EPOCH)
            .unwrap();
        assert_eq!(limited.token.pipelines, ["app", "web"]);
        assert_eq!(
            db.verify(&limited.secret).unwrap().map(|t| t.pipelines),
            Some(vec!["app".to_string(), "web".to_string()])
        );
        // Each change is an audit event, newest first; a refused one is not.
        let events = db.audit_events(&AuditFilter::default()).unwrap();
        let seen: Vec<_> = events
            .iter()
            .map(|e| (e.action.as_str(), e.actor.as_str(), e.reason.as_deref()))
            .collect();
        assert_eq!(
            seen,
            [
                ("token.create", "admin", Some("for CI")),
                ("token.revoke", "alice", Some("leaked")),
                ("token.create", "admin", Some("for CI")),
            ]
        );
        assert_eq!(events[2].details["role"], "deploy");
        assert_eq!(
            events[0].details["pipelines"],
            serde_json::json!(["app", "web"])
        );
        let by_alice = AuditFilter {
            actor: Some("alice".into()),
            ..AuditFilter::default()
        };
        assert_eq!(db.audit_events(&by_alice).unwrap().len(), 1);
    }

    #[test]
    fn a_create_retried_with_its_key_gets_the_same_token() {
        let dir = tempfile::tempdir().unwrap();
        let db = ServerDb::open(&dir.path().join("server.sqlite")).unwrap();
        let new = NewToken {
            name: "ci".into(),
            role: Role::Deploy,
            delegate: false,
            reason: None,
            pipelines: Vec::new(),
        };
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let (first, replayed) = db
            .create_token_keyed(&new, "admin", at, Some("k1"))
            .unwrap();
        assert!(!replayed);
        let (again, replayed) = db
            .create_token_keyed(&new, "admin", at, Some("k1"))
            .unwrap();
        assert!(replayed);
        assert_eq!((&again.secret, &again.token), (&first.secret, &first.token));
        // Neither the key nor the secret is in the file.
        let raw = std::fs::read(dir.path().join("server.sqlite")).unwrap();
        assert!(
            !raw.windows(20)
                .any(|w| w == &first.secret.as_bytes()[4..24])
        );
        // The same key for another request; another creator's key space; a new key.
        let other = NewToken {
            role: Role::Admin,
            ..new.clone()
        };
        let e = db
            .create_token_keyed(&other, "admin", at, Some("k1"))
            .unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Usage);
        let e = db
            .create_token_keyed(&new, "bob", at, Some("k1"))
            .unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Conflict);
        let e = db
            .create_token_keyed(&new, "admin", at, Some("k2"))
            .unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Conflict);
        // Only one token and one audit event.
        assert_eq!(db.tokens().unwrap().len(), 1);
        assert_eq!(db.audit_events(&AuditFilter::default()).unwrap().len(), 1);
        // A day later the key is forgotten.
        let later = Timestamp::from_second(1_800_000_000 + 90_000).unwrap();
        let e = db
            .create_token_keyed(&new, "admin", later, Some("k1"))
            .unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Conflict);
    }

    #[test]
    fn migrations_are_numbered_and_an_older_file_is_adopted() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
        assert_eq!(versions, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>());
        // A file of a captain from before `schema_migrations`: its version in user_version.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0].1).unwrap();
            conn.execute_batch(MIGRATIONS[1].1).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
        }
        let db = ServerDb::open(&path).unwrap();
        assert!(!db.has_tokens().unwrap());
        drop(db);
        let conn = Connection::open(&path).unwrap();
        let applied: Vec<i64> = conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(applied, versions);
        // A newer captain's file is refused, untouched.
        conn.execute("INSERT INTO schema_migrations (version) VALUES (99)", [])
            .unwrap();
        drop(conn);
        let e = ServerDb::open(&path).err().unwrap();
        assert!(e.message.contains("newer captain"), "{}", e.message);
    }

    #[test]
    fn a_key_answers_its_retries_and_refuses_other_requests() {
        let dir = tempfile::tempdir().unwrap();
        let db = ServerDb::open(&dir.path().join("server.sqlite")).unwrap();
        let req = [1u8; 32];
        assert_eq!(
            db.claim(None, &key_request("ci", "k1", &req, 100)).unwrap(),
            Claim::Fresh
        );
        db.complete(None, "ci", "k1", 201, b"{}").unwrap();
        assert_eq!(
            db.claim(None, &key_request("ci", "k1", &req, 101)).unwrap(),
            Claim::Replay {
                status: 201,
                body: b"{}".to_vec()
            }
        );
        assert_eq!(
            db.claim(None, &key_request("ci", "k1", &[2u8; 32], 101))
                .unwrap_err()
                .kind,
            crate::ErrorKind::Usage
        );
        // Another token's key space is its own.
        assert_eq!(
            db.claim(None, &key_request("other", "k1", &[2u8; 32], 101))
                .unwrap(),
            Claim::Fresh
        );
        // A released claim runs again; an abandoned one is taken over.
        assert_eq!(
            db.claim(None, &key_request("ci", "k2", &req, 100)).unwrap(),
            Claim::Fresh
        );
        db.release(None, "ci", "k2").unwrap();
        assert_eq!(
            db.claim(None, &key_request("ci", "k2", &req, 100)).unwrap(),
            Claim::Fresh
        );
        assert_eq!(
            db.claim(None, &key_request("ci", "k2", &req, 100 + 121))
                .unwrap(),
            Claim::Fresh
        );
    }
}

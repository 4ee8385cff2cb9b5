//! The server's own tables, beside the pipelines' ledgers: API tokens (hashed), their
//! audit events (`token.create`, `token.revoke`: who, when, why — written in the same
//! transaction as the change), and idempotency keys with the responses they produced.
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

use super::auth::{self, CreatedToken, NewToken, Role, TokenInfo};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Timestamp};
use crate::store::{AuditFilter, IdempotentRequest, KeyTable, SeenKey};

pub mod pg;

/// Append-only: a shipped migration is never edited; changes are new entries.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        digest BLOB NOT NULL,
        delegate INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE idempotency (
        token TEXT NOT NULL,
        key TEXT NOT NULL,
        request_digest BLOB NOT NULL,
        status INTEGER,
        body BLOB,
        claimed_at INTEGER NOT NULL,
        PRIMARY KEY (token, key)
    );
    CREATE INDEX idempotency_claimed_at ON idempotency (claimed_at);",
    ),
    (
        2,
        "CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        reason TEXT,
        details TEXT NOT NULL
    );",
    ),
];

/// How long a stored response answers a retry.
pub const KEY_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// A claim without a response this old belongs to a request that died with its server.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(120);
/// How long a retry waits for the first request with its key to finish.
pub(crate) const WAIT_FOR_FIRST: Duration = Duration::from_secs(60);
/// How long a looked-up token list stays fresh (revocations on this server apply at once).
const TOKEN_CACHE: Duration = Duration::from_secs(2);

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
    ) -> ServerDb {
        ServerDb {
            backend: Backend::Postgres(Box::new(pg::PgTables::on(conns))),
            tokens: Mutex::new(None),
        }
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

    /// Creates a token; an active token of the same name is a conflict (a revoked one is
    /// replaced). Writes a `token.create` audit event by `by` in the same transaction.
    pub fn create_token(&self, new: &NewToken, by: &str, at: Timestamp) -> Result<CreatedToken> {
        auth::check_name(&new.name)?;
        let secret = auth::new_secret();
        let digest = auth::digest(&secret);
        backend!(self.insert_token(new, &digest, by, at))?;
        self.forget_tokens();
        Ok(CreatedToken {
            token: TokenInfo {
                name: new.name.clone(),
                role: new.role,
                delegate: new.delegate,
                created_at: at,
                created_by: by.to_string(),
                revoked_at: None,
            },
            secret,
        })
    }

    /// Every token, revoked ones included, by name.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        Ok(backend!(self.tokens_with_digests())?
            .into_iter()
            .map(|(_, t)| t)
            .collect())
    }

    /// Revokes a token (not found if there is no active one of that name). Writes a
    /// `token.revoke` audit event by `by` in the same transaction.
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
        Some(matching(live, &auth::digest(secret)))
    }

    /// The live token whose secret this is, comparing digests in constant time against
    /// every live token (so timing says nothing about how close a guess came).
    pub fn verify(&self, secret: &str) -> Result<Option<TokenInfo>> {
        let presented = auth::digest(secret);
        let mut cache = self
            .tokens
            .lock()
            .map_err(|_| Error::internal("the token cache was poisoned"))?;
        let fresh = matches!(&*cache, Some((when, _)) if when.elapsed() < TOKEN_CACHE);
        if !fresh {
            let live = backend!(self.tokens_with_digests())?
                .into_iter()
                .filter(|(_, t)| t.revoked_at.is_none())
                .filter_map(|(d, t)| <[u8; 32]>::try_from(d.as_slice()).ok().map(|d| (d, t)))
                .collect();
            *cache = Some((Instant::now(), live));
        }
        Ok(cache
            .as_ref()
            .and_then(|(_, live)| matching(live, &presented)))
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

impl SqliteTables {
    fn open(path: &Path) -> Result<SqliteTables> {
        let shown = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::failed(format!("could not create {}: {e}", parent.display()))
            })?;
        }
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
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(db_err)?;
        let newest = MIGRATIONS.last().map_or(0, |m| m.0);
        if version > newest {
            return Err(Error::failed(format!(
                "the server database {shown} was written by a newer captain (schema {version})"
            ))
            .with_hint("upgrade captain"));
        }
        for (number, sql) in MIGRATIONS.iter().filter(|m| m.0 > version) {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            tx.execute_batch(sql).map_err(db_err)?;
            tx.pragma_update(None, "user_version", number)
                .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
        }
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
    ) -> Result<()> {
        let mut conn = self.conn()?;
        let conn = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let active: Option<String> = conn
            .query_row(
                "SELECT name FROM tokens WHERE name = ?1 AND revoked_at IS NULL",
                params![new.name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if active.is_some() {
            return Err(token_exists(&new.name));
        }
        conn.execute(
            "INSERT OR REPLACE INTO tokens (name, role, digest, delegate, created_at, created_by, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)",
            params![new.name, new.role.as_str(), &digest[..], new.delegate, at.to_string(), by],
        )
        .map_err(|e| self.err(e))?;
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
        Ok(())
    }

    fn tokens_with_digests(&self) -> Result<Vec<(Vec<u8>, TokenInfo)>> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare(
                "SELECT digest, name, role, delegate, created_at, created_by, revoked_at
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
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (digest, name, role, delegate, created_at, created_by, revoked_at) =
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
    serde_json::json!({"role": new.role.as_str(), "delegate": new.delegate})
}

fn token_exists(name: &str) -> Error {
    Error::conflict(format!("a token named `{name}` already exists"))
        .with_hint("revoke it first, or pick another name")
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
        // A revoked name can be reused.
        db.create_token(&new, "admin", Timestamp::UNIX_EPOCH)
            .unwrap();
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
        let by_alice = AuditFilter {
            actor: Some("alice".into()),
            ..AuditFilter::default()
        };
        assert_eq!(db.audit_events(&by_alice).unwrap().len(), 1);
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

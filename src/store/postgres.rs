//! The PostgreSQL ledger: the team backend, many pipelines in one database.
//!
//! Same contract as [`sqlite`](super::sqlite) (the store story runs on both); what
//! differs is how it stays correct with many writers at once:
//!
//! - Every operation is one transaction (READ COMMITTED with explicit row locks for
//!   writes, REPEATABLE READ READ ONLY for reads, so each answer is one snapshot).
//! - An environment's `environment_state` row is its lock: `start_deployment`,
//!   `finish_deployment` and `start_rollback` take it (upsert or `FOR UPDATE`) before
//!   looking at what runs there, so "one deployment at a time", the older-release check
//!   and a rollback's optimistic checks cannot race. A rollback takes the rows of all
//!   its environments up front, in name order, so two rollbacks cannot deadlock.
//! - Release numbers: `create_release` locks its pipeline's row, then takes max + 1.
//! - Serialization failures and deadlocks (should one happen anyway) are retried a few
//!   times with jittered backoff; a transaction that failed wrote nothing, so a retry
//!   never doubles a record.
//! - The hot writes are few round trips: a start is lock-and-read, one insert (a
//!   statement whose CTEs also update the state row and write the audit event), commit.
//! - A team server's mutation with an idempotency key runs in one transaction with the
//!   key's claim and stored answer ([`Store::idempotent`]): every read and write of the
//!   mutation on this thread joins that transaction (a thread-local [`Ambient`]).
//!
//! Tables live in the `captain` schema; migrations in `postgres/NNNN_*.sql` are applied
//! on open under an advisory lock, in order, never edited. This room stores and answers;
//! it never reads the clock or talks to git.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::checks;
use super::export::{ExpediteApproval, ExpediteExport, ImportMode, ImportSummary, LedgerRecord};
use super::location::{self, Containing, ReleaseGraph};
use super::ranges::{CommitRanges, RangeInfo, ReleaseFacts};
use super::{
    AuditFilter, Delivery, DeliveryUpdate, HistoryFilter, IdempotentRequest, KeyedChange, LogLine,
    NewRollback, NotifyState, ParkedEvent, ReleaseFilter, Store, Unlock, answer_body,
};
use crate::engine::BlockerOverride;
use crate::error::{Error, Result};
use crate::model::*;
use crate::views::metrics::{MetricInputs, MetricRelease};

/// Append-only: a shipped migration is never edited; changes are new entries.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("postgres/0001_initial.sql")),
    (2, include_str!("postgres/0002_run_loop.sql")),
    (3, include_str!("postgres/0003_server.sql")),
    (4, include_str!("postgres/0004_server_audit.sql")),
    (5, include_str!("postgres/0005_recording_functions.sql")),
    (6, include_str!("postgres/0006_start_facts.sql")),
    (7, include_str!("postgres/0007_finish_by_id.sql")),
    (8, include_str!("postgres/0008_retried_stage_records.sql")),
    (9, include_str!("postgres/0009_observed_data_points.sql")),
    (10, include_str!("postgres/0010_hotfix.sql")),
    (11, include_str!("postgres/0011_pipeline_versions.sql")),
    (12, include_str!("postgres/0012_release_blocks.sql")),
    (13, include_str!("postgres/0013_event_order.sql")),
    (14, include_str!("postgres/0014_notify.sql")),
    (15, include_str!("postgres/0015_freezes.sql")),
    (16, include_str!("postgres/0016_step_approvals.sql")),
    (17, include_str!("postgres/0017_expedites.sql")),
    (18, include_str!("postgres/0018_deployments_by_start.sql")),
    (19, include_str!("postgres/0019_blocker_states.sql")),
    (20, include_str!("postgres/0020_release_forks.sql")),
    (21, include_str!("postgres/0021_reached_by_release.sql")),
    (22, include_str!("postgres/0022_release_gaps.sql")),
    (23, include_str!("postgres/0023_create_release.sql")),
];

mod pool;
mod record;
mod run;

use pool::{Pool, Slot, TakeError};

pub use run::lock_key;

/// How many connections one store keeps open at most.
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;

/// How long a connection may wait for PostgreSQL to accept it, unless the URL says
/// (`connect_timeout=`).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// TCP keepalive: an idle connection is probed after this long, so one to a database
/// that vanished (a host gone, a cut network) is found dead instead of hanging.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);

/// A pooled connection idle longer than this is checked (one empty query) before it is
/// lent out: after PostgreSQL restarted, every pooled connection is stale, and each would
/// otherwise fail one request.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(2);
/// How long that check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The bounds of a set of pooled connections ([`Connections::with_limits`]).
#[derive(Clone, Debug)]
pub struct DbLimits {
    /// Connections open at most (at least 1).
    pub max_connections: usize,
    /// How long a caller waits for a connection when all are busy before it gets
    /// `unavailable` (None: as long as it takes).
    pub acquire_timeout: Option<Duration>,
    /// How long opening a connection may take (unless the URL sets `connect_timeout`).
    pub connect_timeout: Duration,
    /// PostgreSQL's `statement_timeout` for this pool's sessions (None: the database's).
    pub statement_timeout: Option<Duration>,
}

impl DbLimits {
    /// What a CLI command's store uses: waits as long as it takes, the database's own
    /// statement timeout.
    pub fn client(max_connections: usize) -> DbLimits {
        DbLimits {
            max_connections,
            acquire_timeout: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            statement_timeout: None,
        }
    }
}

/// How often a transaction that lost a serialization race or a deadlock is retried.
const MAX_ATTEMPTS: u32 = 8;

/// The advisory lock key that serializes migrations ("captain!" in ASCII).
const MIGRATION_LOCK: i64 = 0x6361_7074_6169_6e21;

/// Columns read by [`deployment_from_row`], in order (prefix `d.`).
const DEPLOYMENT_COLUMNS: &str = "d.seq, d.id, d.environment, d.stage, d.release, d.kind, d.actor, d.reason, d.started_at, d.finished_at, d.outcome";

/// Columns read by [`release_from_row`], in order.
const RELEASE_COLUMNS: &str = "number, commit_sha, base, artifacts, actor, created_at, commit_count, first_commit, hotfix_reason";

const LOCK_COLUMNS: &str = "target_kind, target, direction, actor, reason, created_at, until";

/// The PostgreSQL ledger of one pipeline.
pub struct PostgresStore {
    /// Shared by every pipeline of a team server ([`PostgresStore::on`]).
    conns: Arc<Connections>,
    pipeline: String,
    /// What this store's own recordings left behind, to skip their reads (record.rs).
    recent: std::sync::Mutex<record::Recent>,
}

/// Pooled connections to one captain database: the ledger's, and the team server's own
/// tables (tokens, idempotency keys, see `server::db`) in the same database.
pub(crate) struct Connections {
    config: Config,
    shown: String,
    pool: Pool<Conn>,
    limits: DbLimits,
}

/// One connection with its prepared statements (prepared once per connection: a
/// statement then costs one round trip instead of two).
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Since when it waits in the pool.
    idle_since: Instant,
}

/// A connection borrowed from the pool; given back on drop (its slot only, if it broke).
struct Lease<'p> {
    pool: &'p Pool<Conn>,
    conn: Option<Conn>,
    /// It failed as a broken connection does: never lend it again.
    broken: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let broken = self.broken;
        if broken {
            // The database restarted or went away: the idle ones are stale as well, and
            // the retry that follows must get a new connection, not the next stale one.
            drop(self.pool.take_idle());
        }
        self.pool.give_back(
            self.conn
                .take()
                .filter(|conn| !broken && !conn.client.is_closed())
                .map(|mut conn| {
                    conn.idle_since = Instant::now();
                    conn
                }),
        );
    }
}

/// Did this error come from a connection that no longer works (closed, cut off, or
/// ended by a PostgreSQL shutting down or restarting)? Such a connection is dropped,
/// and the database may well answer on a new one.
fn broken(e: &postgres::Error) -> bool {
    if e.is_closed() || e.as_db_error().is_none() && e.code().is_none() && !conversion(e) {
        return true;
    }
    e.code().is_some_and(|c| {
        *c == SqlState::ADMIN_SHUTDOWN
            || *c == SqlState::CRASH_SHUTDOWN
            || *c == SqlState::CANNOT_CONNECT_NOW
            || c.code().starts_with("08")
    })
}

/// A value that did not convert between a column and captain's types (a parameter, a
/// column, a row count): the connection is fine, only this statement failed. The driver
/// tells these apart by their words alone.
fn conversion(e: &postgres::Error) -> bool {
    let said = e.to_string();
    [
        "error serializing parameter",
        "error deserializing column",
        "invalid column",
        "query returned an unexpected number of",
    ]
    .iter()
    .any(|prefix| said.starts_with(prefix))
        || said.starts_with("expected ") && said.contains(" parameters but got ")
}

/// Text PostgreSQL cannot store (a NUL character) or a number past its column: the
/// request's fault, told without the database's words.
fn refused_data(e: &postgres::Error) -> Option<Error> {
    match e.code() {
        Some(c)
            if *c == SqlState::CHARACTER_NOT_IN_REPERTOIRE
                || *c == SqlState::UNTRANSLATABLE_CHARACTER =>
        {
            Some(
                Error::usage("the request has text with a character the ledger cannot store (NUL)")
                    .with_hint(
                        "remove NUL characters (\\u0000) from names, reasons and other text",
                    ),
            )
        }
        Some(c) if *c == SqlState::NUMERIC_VALUE_OUT_OF_RANGE => Some(Error::usage(
            "the request has a number larger than the ledger stores",
        )),
        _ => None,
    }
}

/// The BEGIN of a read: one snapshot of the whole ledger, and no write by mistake.
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// How a read begins its snapshot (see [`PostgresStore::read`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Snapshot,
    /// The snapshot's statements run on generic plans ([`Tx::generic_plans`]).
    GenericPlans,
}

/// An error inside a transaction: the database's, or captain's own verdict.
pub(crate) enum Fail {
    Db(postgres::Error),
    Ledger(Error),
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Fail::Db(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Ledger(e)
    }
}

pub(crate) type TxResult<T> = std::result::Result<T, Fail>;
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A connection with its statement cache: inside a transaction (begun and ended by
/// [`in_begun`]'s callers or [`PostgresStore::idempotent`](Store::idempotent)), or
/// running statements that each commit by themselves ([`PostgresStore::read_one`],
/// [`Connections::with_statements`]).
pub(crate) struct Tx<'c> {
    tx: &'c mut Client,
    statements: &'c mut HashMap<String, Statement>,
}

/// The transaction an idempotent request runs in (see `Store::idempotent`): while it is
/// set, this thread's reads and writes on the same pool join it instead of leasing
/// another connection, so the mutation, its key and its stored answer commit together.
struct Ambient {
    /// Which pool the connection belongs to ([`Connections::id`]).
    pool: usize,
    conn: Conn,
    /// A read or write failed inside: the whole transaction is rolled back.
    failed: bool,
}

thread_local! {
    static AMBIENT: RefCell<Option<Ambient>> = const { RefCell::new(None) };
}

/// Takes this thread's [`Ambient`] out when dropped (on a panic too).
struct ClearAmbient;

impl ClearAmbient {
    fn take(self) -> Option<Ambient> {
        AMBIENT.with(|cell| cell.borrow_mut().take())
    }
}

impl Drop for ClearAmbient {
    fn drop(&mut self) {
        let _ = AMBIENT.try_with(|cell| cell.try_borrow_mut().map(|mut slot| slot.take()));
    }
}

/// Records the key of `request` with its answer, in the mutation's transaction, after
/// the mutation: true if the key was new (or expired, or abandoned by a server that
/// died mid-request). False if it was seen before: the caller rolls the mutation back.
/// A concurrent request with the same key waits here on the uncommitted row (the
/// primary key), then finds it taken.
fn claim_answered(tx: &mut Tx, request: &IdempotentRequest, body: &[u8]) -> TxResult<bool> {
    let claimed = tx.one(
        "SELECT captain.claim_key($1, $2, $3, 200, $4, $5, $6, $7)",
        &[
            &request.token,
            &request.key,
            &&request.request[..],
            &body,
            &request.now,
            &request.expired_before,
            &request.abandoned_before,
        ],
    )?;
    Ok(claimed.try_get(0)?)
}

/// Runs `f` on `conn`, whose BEGIN succeeded, then COMMIT; rolls back when `f` fails.
fn in_begun<T>(conn: &mut Conn, f: impl FnOnce(&mut Tx) -> TxResult<T>) -> TxResult<T> {
    let mut tx = Tx {
        tx: &mut conn.client,
        statements: &mut conn.statements,
    };
    match f(&mut tx) {
        Ok(value) => {
            conn.client.batch_execute("COMMIT")?;
            Ok(value)
        }
        Err(e) => {
            // A broken connection fails this too, and is dropped by its lease.
            let _ = conn.client.batch_execute("ROLLBACK");
            Err(e)
        }
    }
}

impl Tx<'_> {
    /// Until this transaction ends, its prepared statements run on their generic plan,
    /// planned once per connection. By default PostgreSQL plans a statement anew for its
    /// parameters on every run whenever the generic plan looks costlier, which it always
    /// does when a parameter is an array (it guesses ten elements where the real plan
    /// sees one or two): the engine snapshot's statements spent more time being planned
    /// than running. Only for statements whose generic plan reads as little as a custom
    /// one (index lookups on the pipeline's key, arrays unnested into LATERAL lookups).
    fn generic_plans(&mut self) -> TxResult<()> {
        self.tx
            .batch_execute("SET LOCAL plan_cache_mode = force_generic_plan")?;
        Ok(())
    }

    /// `sql` prepared once per connection: a prepared statement costs one round trip
    /// instead of two, and is parsed once.
    fn statement(&mut self, sql: &str) -> TxResult<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn query(&mut self, sql: &str, params: Params) -> TxResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        Ok(self.tx.query(&statement, params)?)
    }

    pub(crate) fn opt(&mut self, sql: &str, params: Params) -> TxResult<Option<Row>> {
        let statement = self.statement(sql)?;
        Ok(self.tx.query_opt(&statement, params)?)
    }

    pub(crate) fn one(&mut self, sql: &str, params: Params) -> TxResult<Row> {
        let statement = self.statement(sql)?;
        Ok(self.tx.query_one(&statement, params)?)
    }

    pub(crate) fn exec(&mut self, sql: &str, params: Params) -> TxResult<u64> {
        let statement = self.statement(sql)?;
        Ok(self.tx.execute(&statement, params)?)
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`, or
    /// libpq's `host=… dbname=…`), applies pending migrations, and opens the ledger of
    /// `pipeline` in it (creating it if new). Refuses a database whose `captain` schema
    /// is not captain's or was migrated by a newer captain.
    pub fn open(url: &str, pipeline: &str) -> Result<PostgresStore> {
        Self::open_with_pool(url, pipeline, DEFAULT_MAX_CONNECTIONS)
    }

    /// [`open`](Self::open) with at most `max_connections` connections (at least 1).
    pub fn open_with_pool(
        url: &str,
        pipeline: &str,
        max_connections: usize,
    ) -> Result<PostgresStore> {
        if pipeline.trim().is_empty() {
            return Err(Error::usage("the pipeline name is empty"));
        }
        let store = PostgresStore {
            conns: Arc::new(Connections::new(url, max_connections)?),
            pipeline: pipeline.to_string(),
            recent: Default::default(),
        };
        store.conns.migrate(Some(pipeline))?;
        Ok(store)
    }

    /// The ledger of `pipeline` on connections shared with other pipelines (a team
    /// server's one pool), already migrated ([`Connections::migrate`]); registers the
    /// pipeline if it is new.
    pub(crate) fn on(conns: Arc<Connections>, pipeline: &str) -> Result<PostgresStore> {
        if pipeline.trim().is_empty() {
            return Err(Error::usage("the pipeline name is empty"));
        }
        conns.with_client(|client, _| {
            client.execute(
                "INSERT INTO captain.pipelines (name) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&pipeline],
            )?;
            Ok(())
        })?;
        Ok(PostgresStore {
            conns,
            pipeline: pipeline.to_string(),
            recent: Default::default(),
        })
    }

    /// The pipeline this ledger belongs to.
    pub fn pipeline(&self) -> &str {
        &self.pipeline
    }

    /// Runs `f` in one READ COMMITTED transaction, all of it or nothing, retrying it
    /// when it lost a serialization race or a deadlock (nothing of a failed attempt was
    /// written, so `f` must only be re-runnable, which every operation here is).
    fn write<T>(&self, f: impl FnMut(&mut Tx, &str) -> TxResult<T>) -> Result<T> {
        self.write_locked(None, f)
    }

    /// [`write`](Self::write) holding the transaction-scoped advisory lock `lock` (when
    /// given) before `f` runs: taken in the BEGIN's round trip (the key is a number
    /// captain computes, written into the batch as such), or as the first statement when
    /// `f` joins this thread's idempotent transaction.
    fn write_locked<T>(
        &self,
        lock: Option<i64>,
        mut f: impl FnMut(&mut Tx, &str) -> TxResult<T>,
    ) -> Result<T> {
        if let Some(joined) = self.join_ambient(|tx| {
            if let Some(lock) = lock {
                tx.exec("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
            }
            f(tx, &self.pipeline)
        }) {
            return joined;
        }
        let begin = match lock {
            Some(lock) => format!("BEGIN; SELECT pg_advisory_xact_lock({lock})"),
            None => "BEGIN".to_string(),
        };
        let begin = begin.as_str();
        let mut attempt = 0;
        let mut replaced = false;
        loop {
            attempt += 1;
            let mut lease = self.conns.lease()?;
            let Some(conn) = lease.conn.as_mut() else {
                return Err(Error::internal("a pooled connection went missing"));
            };
            // A connection that breaks before its BEGIN went through wrote nothing: it is
            // replaced, and the change tried once more on a new one.
            if let Err(e) = conn.client.batch_execute(begin) {
                lease.broken = broken(&e);
                if lease.broken && !replaced {
                    replaced = true;
                    continue;
                }
                if !lease.broken {
                    // A statement after the BEGIN failed: the transaction is open, and
                    // aborted. It wrote nothing.
                    let _ = conn.client.batch_execute("ROLLBACK");
                    if attempt < MAX_ATTEMPTS && retryable(&e) {
                        drop(lease);
                        backoff(attempt);
                        continue;
                    }
                }
                return Err(self.conns.fail(e.into()));
            }
            let result = in_begun(conn, |tx| f(tx, &self.pipeline));
            match result {
                Err(Fail::Db(e)) if attempt < MAX_ATTEMPTS && retryable(&e) => {
                    drop(lease);
                    backoff(attempt);
                }
                Err(Fail::Db(e)) => {
                    lease.broken = broken(&e);
                    return Err(self.conns.fail(Fail::Db(e)));
                }
                other => return other.map_err(|e| self.conns.fail(e)),
            }
        }
    }

    /// Runs `f` in one read-only snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut Tx, &str) -> TxResult<T>) -> Result<T> {
        self.read_as(Read::Snapshot, f)
    }

    /// [`read`](Self::read) with [`Tx::generic_plans`] from the start, in the same
    /// round trip as the BEGIN.
    fn read_generic<T>(&self, f: impl FnOnce(&mut Tx, &str) -> TxResult<T>) -> Result<T> {
        self.read_as(Read::GenericPlans, f)
    }

    /// Runs `f`, which reads with one statement, on its own: a statement sees one
    /// snapshot by itself, so BEGIN and COMMIT would only add two round trips. A read
    /// changes nothing, so when the connection turns out broken (a database restarted
    /// since it was pooled) `f` runs once more on a fresh one.
    fn read_one<T>(&self, f: impl Fn(&mut Tx, &str) -> TxResult<T>) -> Result<T> {
        if let Some(joined) = self.join_ambient(|tx| f(tx, &self.pipeline)) {
            return joined;
        }
        let mut replaced = false;
        loop {
            let mut lease = self.conns.lease()?;
            let Some(conn) = lease.conn.as_mut() else {
                return Err(Error::internal("a pooled connection went missing"));
            };
            let mut tx = Tx {
                tx: &mut conn.client,
                statements: &mut conn.statements,
            };
            match f(&mut tx, &self.pipeline) {
                Err(Fail::Db(e)) if broken(&e) => {
                    lease.broken = true;
                    if !replaced {
                        replaced = true;
                        continue;
                    }
                    return Err(self.conns.fail(Fail::Db(e)));
                }
                other => return other.map_err(|e| self.conns.fail(e)),
            }
        }
    }

    fn read_as<T>(&self, kind: Read, f: impl FnOnce(&mut Tx, &str) -> TxResult<T>) -> Result<T> {
        let mut f = Some(f);
        if let Some(joined) = self.join_ambient(|tx| match f.take() {
            Some(f) => {
                if kind == Read::GenericPlans {
                    tx.generic_plans()?;
                }
                f(tx, &self.pipeline)
            }
            None => Err(Error::internal("a read ran twice").into()),
        }) {
            return joined;
        }
        let Some(f) = f else {
            return Err(Error::internal("a read ran twice"));
        };
        let begin = match kind {
            Read::Snapshot => BEGIN_READ,
            // One round trip for both (the simple protocol runs a batch).
            Read::GenericPlans => {
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
                 SET LOCAL plan_cache_mode = force_generic_plan"
            }
        };
        let mut lease = self.begun(begin)?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(Error::internal("a pooled connection went missing"));
        };
        let result = in_begun(conn, |tx| f(tx, &self.pipeline));
        if let Err(Fail::Db(e)) = &result {
            lease.broken = broken(e);
        }
        result.map_err(|e| self.conns.fail(e))
    }

    /// A leased connection with `begin` run on it; one that turns out broken at its BEGIN
    /// is replaced once.
    fn begun(&self, begin: &str) -> Result<Lease<'_>> {
        let mut lease = self.conns.lease()?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(Error::internal("a pooled connection went missing"));
        };
        if let Err(e) = conn.client.batch_execute(begin) {
            lease.broken = broken(&e);
            if !lease.broken {
                return Err(self.conns.fail(e.into()));
            }
            drop(lease);
            lease = self.conns.lease()?;
            let Some(conn) = lease.conn.as_mut() else {
                return Err(Error::internal("a pooled connection went missing"));
            };
            if let Err(e) = conn.client.batch_execute(begin) {
                lease.broken = broken(&e);
                return Err(self.conns.fail(e.into()));
            }
        }
        Ok(lease)
    }

    /// Runs `run` with the transaction begun on `conn` as this thread's [`Ambient`] one,
    /// which every read and write of this store's pool joins, and gives it back with
    /// whether anything inside failed. `what` names the transaction in the error should
    /// it go missing.
    fn as_ambient<T>(
        &self,
        conn: Conn,
        what: &str,
        run: impl FnOnce() -> T,
    ) -> Result<(T, Ambient)> {
        AMBIENT.with(|cell| {
            *cell.borrow_mut() = Some(Ambient {
                pool: self.conns.id(),
                conn,
                failed: false,
            });
        });
        // Should `run` panic, the transaction must not outlive it on this thread.
        let clear = ClearAmbient;
        let value = run();
        let ambient = clear
            .take()
            .ok_or_else(|| Error::internal(format!("the {what} transaction went missing")))?;
        Ok((value, ambient))
    }

    /// Whether this thread is inside an idempotent transaction on this store's pool,
    /// which this store's reads and writes join (and which may still roll back).
    fn in_ambient(&self) -> bool {
        let pool = self.conns.id();
        AMBIENT.with(|cell| {
            cell.try_borrow()
                .map_or(true, |slot| slot.as_ref().is_some_and(|a| a.pool == pool))
        })
    }

    /// Runs `f` in this thread's idempotent transaction on this store's pool, if there
    /// is one (None otherwise). A failure marks the transaction for rollback.
    fn join_ambient<T>(&self, f: impl FnOnce(&mut Tx) -> TxResult<T>) -> Option<Result<T>> {
        let pool = self.conns.id();
        AMBIENT.with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            let ambient = slot.as_mut().filter(|a| a.pool == pool)?;
            let mut tx = Tx {
                tx: &mut ambient.conn.client,
                statements: &mut ambient.conn.statements,
            };
            let result = f(&mut tx);
            if result.is_err() {
                ambient.failed = true;
            }
            Some(result.map_err(|e| self.conns.fail(e)))
        })
    }
}

impl Connections {
    /// Parses `url`; connects on first use, at most `max_connections` at once (at least 1).
    pub(crate) fn new(url: &str, max_connections: usize) -> Result<Connections> {
        Self::with_limits(url, DbLimits::client(max_connections))
    }

    /// [`new`](Self::new) with every bound set: connections, how long to wait for one,
    /// to connect, and for a statement. Connections use TCP keepalive
    /// ([`KEEPALIVE_IDLE`]).
    pub(crate) fn with_limits(url: &str, limits: DbLimits) -> Result<Connections> {
        let mut config: Config = url.parse().map_err(|e| {
            Error::usage(format!("`{}` is not a PostgreSQL URL: {e}", redact(url)))
                .with_hint("write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(limits.connect_timeout);
        }
        config.keepalives(true).keepalives_idle(KEEPALIVE_IDLE);
        if let Some(timeout) = limits.statement_timeout {
            let mut options = config.get_options().unwrap_or_default().to_string();
            if !options.is_empty() {
                options.push(' ');
            }
            options.push_str(&format!("-c statement_timeout={}", timeout.as_millis()));
            config.options(&options);
        }
        Ok(Connections {
            shown: shown(&config),
            config,
            pool: Pool::new(limits.max_connections),
            limits,
        })
    }

    /// Does the database answer (one empty query on a pooled connection)?
    pub(crate) fn ping(&self) -> Result<()> {
        let mut lease = self.lease()?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(Error::internal("a pooled connection went missing"));
        };
        if let Err(e) = conn.client.simple_query("") {
            lease.broken = broken(&e);
            return Err(self.fail(e.into()));
        }
        Ok(())
    }

    /// Which pool this is, to tell pools apart while this one lives.
    fn id(&self) -> usize {
        std::ptr::from_ref(&self.pool) as usize
    }

    /// `postgres://user@host:port/db`, without the password.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// A dedicated connection outside the pool (e.g. one that holds a session-level
    /// advisory lock for as long as it lives).
    pub(crate) fn dedicated(&self) -> Result<Client> {
        self.connect().map(|c| c.client)
    }

    /// [`with_client`](Self::with_client) with the connection as a [`Tx`]: each
    /// statement prepared once per connection, and committed by itself.
    pub(crate) fn with_statements<T>(&self, f: impl FnOnce(&mut Tx) -> TxResult<T>) -> Result<T> {
        self.with_client(|client, statements| {
            f(&mut Tx {
                tx: client,
                statements,
            })
        })
    }

    /// Runs `f` on a pooled connection, outside any transaction `f` does not open itself,
    /// with the connection's prepared-statement cache.
    pub(crate) fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client, &mut HashMap<String, Statement>) -> TxResult<T>,
    ) -> Result<T> {
        let mut lease = self.lease()?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(Error::internal("a pooled connection went missing"));
        };
        let result = f(&mut conn.client, &mut conn.statements);
        if let Err(Fail::Db(e)) = &result {
            lease.broken = broken(e);
        }
        result.map_err(|e| self.fail(e))
    }

    fn connect(&self) -> Result<Conn> {
        let client = self.config.connect(NoTls).map_err(|e| {
            // A database that is down, restarting or full of clients may answer later;
            // a wrong password or a missing database will not.
            let message = format!("could not connect to PostgreSQL at {}: {e}", self.shown);
            let refused = e.code().is_some_and(|c| {
                c.code().starts_with("28") || *c == SqlState::INVALID_CATALOG_NAME
            });
            if refused {
                Error::failed(message)
            } else {
                Error::unavailable(message)
            }
            .with_hint("check that the server is running and the URL, user and password are right")
        })?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
            idle_since: Instant::now(),
        })
    }

    /// A connection of the pool: an idle one, a new one when there is room, or else the
    /// next one given back (first come, first served).
    fn lease(&self) -> Result<Lease<'_>> {
        loop {
            let slot = self
                .pool
                .take(self.limits.acquire_timeout)
                .map_err(|e| match e {
                    TakeError::Poisoned => {
                        Error::internal("the PostgreSQL connection pool was poisoned by a panic")
                    }
                    TakeError::TimedOut(waited) => Error::unavailable(format!(
                        "all {} database connections stayed busy for {}",
                        self.limits.max_connections,
                        humantime::format_duration(waited)
                    ))
                    .with_hint("try again shortly"),
                })?;
            let conn = match slot {
                Slot::Idle(conn) if conn.client.is_closed() => {
                    self.pool.give_back(None);
                    continue;
                }
                Slot::Idle(mut conn) => {
                    // Idle a while: maybe PostgreSQL restarted since. Check, replace if stale.
                    if conn.idle_since.elapsed() > CHECK_IDLE_AFTER
                        && conn.client.is_valid(CHECK_TIMEOUT).is_err()
                    {
                        drop(conn);
                        self.pool.give_back(None);
                        continue;
                    }
                    conn
                }
                // Connect outside the pool's lock; give the slot back if that fails.
                Slot::Open => match self.connect() {
                    Ok(conn) => conn,
                    Err(e) => {
                        self.pool.give_back(None);
                        return Err(e);
                    }
                },
            };
            return Ok(Lease {
                pool: &self.pool,
                conn: Some(conn),
                broken: false,
            });
        }
    }

    pub(crate) fn fail(&self, fail: Fail) -> Error {
        match fail {
            Fail::Ledger(e) => e,
            Fail::Db(e) => db_error(&self.shown, &e),
        }
    }

    /// Applies pending migrations (under an advisory lock: many servers may start at
    /// once) and registers `pipeline` if given.
    pub(crate) fn migrate(&self, pipeline: Option<&str>) -> Result<()> {
        let mut conn = self.connect()?;
        let shown = self.shown.clone();
        let result = (|| -> TxResult<()> {
            let mut tx = conn.client.transaction()?;
            // Many servers may start at once against a fresh database.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let schema_exists: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'captain')",
                    &[],
                )?
                .try_get(0)?;
            let marked: bool = tx
                .query_one(
                    "SELECT to_regclass('captain.schema_migrations') IS NOT NULL",
                    &[],
                )?
                .try_get(0)?;
            if schema_exists && !marked {
                return Err(Error::failed(format!(
                    "the database at {shown} has a `captain` schema that is not captain's ledger"
                ))
                .with_hint("use another database, or rename that schema; captain left it untouched")
                .into());
            }
            if !schema_exists {
                tx.batch_execute(
                    "CREATE SCHEMA captain;
                     CREATE TABLE captain.schema_migrations (
                         version    integer PRIMARY KEY,
                         applied_at timestamptz NOT NULL DEFAULT now()
                     );",
                )?;
            }
            let current: i32 = tx
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM captain.schema_migrations",
                    &[],
                )?
                .try_get(0)?;
            let latest = MIGRATIONS.last().map_or(0, |(v, _)| *v);
            if current > latest {
                return Err(Error::failed(format!(
                    "the database at {shown} was migrated by a newer captain (schema version {current}; this captain knows up to {latest})"
                ))
                .with_hint("upgrade captain to use this database")
                .into());
            }
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
                tx.batch_execute(sql)?;
                tx.execute(
                    "INSERT INTO captain.schema_migrations (version) VALUES ($1)",
                    &[version],
                )?;
            }
            if let Some(pipeline) = pipeline {
                tx.execute(
                    "INSERT INTO captain.pipelines (name) VALUES ($1) ON CONFLICT DO NOTHING",
                    &[&pipeline],
                )?;
            }
            tx.commit()?;
            Ok(())
        })();
        result.map_err(|e| self.fail(e))?;
        // The migration connection is a good first member of the pool.
        self.pool.adopt(Conn {
            client: conn.client,
            statements: HashMap::new(),
            idle_since: Instant::now(),
        });
        Ok(())
    }
}

fn retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// Jittered exponential backoff: 2, 4, 8 … ms (at most 128), times 0.5–1.5.
fn backoff(attempt: u32) {
    let base = 1u64 << attempt.min(7);
    let jitter = rand::rng().random_range(0.5..1.5);
    std::thread::sleep(Duration::from_secs_f64(base as f64 * jitter / 1000.0));
}

/// `postgres://user@host:port/db` without the password.
fn shown(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}{host}:{port}/{db}")
}

/// The URL with any password replaced, for error messages about an unparsable URL.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn db_error(shown: &str, e: &postgres::Error) -> Error {
    if broken(e) {
        return Error::unavailable(format!("lost the connection to PostgreSQL at {shown}: {e}"))
            .with_hint("check that the server is running, then try again");
    }
    if let Some(refused) = refused_data(e) {
        return refused;
    }
    match e.code() {
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
            Error::failed(format!(
                "PostgreSQL at {shown} kept refusing the change because of concurrent changes ({MAX_ATTEMPTS} attempts)"
            ))
            .with_hint("try again")
        }
        // A row a concurrent change wrote first: the request met a change it did not see,
        // not a fault of the server (each write checks what it can first; this is the net).
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => Error::conflict(
            "a concurrent change recorded the same thing first",
        )
        .with_hint("look at the ledger again (`captain status`, `captain audit`), then retry if still needed"),
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => Error::failed(format!(
            "the PostgreSQL user at {shown} lacks a privilege captain needs: {e}"
        )),
        Some(c) if *c == SqlState::DISK_FULL => {
            Error::failed(format!("the disk of PostgreSQL at {shown} is full"))
        }
        Some(c) if *c == SqlState::TOO_MANY_CONNECTIONS || *c == SqlState::QUERY_CANCELED => {
            Error::unavailable(format!("PostgreSQL at {shown} is too busy to answer: {e}"))
                .with_hint("try again shortly")
        }
        Some(c) if *c == SqlState::ADMIN_SHUTDOWN || *c == SqlState::CANNOT_CONNECT_NOW => {
            Error::unavailable(format!("PostgreSQL at {shown} is shutting down: {e}"))
                .with_hint("try again once it is back")
        }
        _ if conversion(e) => {
            let cause = std::error::Error::source(e)
                .map(|cause| format!(": {cause}"))
                .unwrap_or_default();
            Error::internal(format!(
                "PostgreSQL at {shown} answered a value captain cannot convert ({e}{cause})"
            ))
        }
        _ => Error::internal(format!("PostgreSQL at {shown} failed: {e}")),
    }
}

// ---- conversions -------------------------------------------------------------------

/// The ledger keeps microseconds; callers get back exactly what a later read returns.
fn truncate(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

fn num(r: ReleaseNumber) -> i64 {
    i64::try_from(r.0).unwrap_or(i64::MAX)
}

fn release_number(value: i64) -> TxResult<ReleaseNumber> {
    u64::try_from(value)
        .map(ReleaseNumber)
        .map_err(|_| Error::internal(format!("release number {value} in the ledger")).into())
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A word the ledger wrote with the model's `as_str` (a kind, an outcome, a direction),
/// read back with its `FromStr`; another word is the ledger's fault, not the caller's.
pub(crate) fn ledger_word<T: std::str::FromStr<Err = Error>>(
    word: &str,
    what: &str,
) -> TxResult<T> {
    word.parse()
        .map_err(|_| Error::internal(format!("unknown {what} `{word}` in the ledger")).into())
}

/// Reads [`DEPLOYMENT_COLUMNS`] starting at column `at`.
fn deployment_at(row: &Row, at: usize) -> TxResult<(i64, Deployment)> {
    let kind: String = row.try_get(at + 5)?;
    let outcome: String = row.try_get(at + 10)?;
    Ok((
        row.try_get(at)?,
        Deployment {
            id: DeploymentId(row.try_get(at + 1)?),
            environment: row.try_get(at + 2)?,
            stage: row.try_get(at + 3)?,
            release: release_number(row.try_get(at + 4)?)?,
            kind: ledger_word(&kind, "deployment kind")?,
            actor: row.try_get(at + 6)?,
            reason: row.try_get(at + 7)?,
            started_at: row.try_get(at + 8)?,
            finished_at: row.try_get(at + 9)?,
            outcome: ledger_word(&outcome, "outcome")?,
        },
    ))
}

fn deployment_from_row(row: &Row) -> TxResult<(i64, Deployment)> {
    deployment_at(row, 0)
}

fn release_from_row(row: &Row) -> TxResult<Release> {
    let artifacts: serde_json::Value = row.try_get(3)?;
    let actor: String = row.try_get(4)?;
    let hotfix = row.try_get::<_, Option<String>>(8)?.map(|reason| Hotfix {
        reason,
        actor: actor.clone(),
    });
    Ok(Release {
        number: release_number(row.try_get(0)?)?,
        commit: row.try_get(1)?,
        base: row
            .try_get::<_, Option<i64>>(2)?
            .map(release_number)
            .transpose()?,
        artifacts: serde_json::from_value(artifacts)
            .map_err(|e| Error::internal(format!("artifacts in the ledger: {e}")))?,
        actor,
        created_at: row.try_get(5)?,
        commit_count: count(row.try_get(6)?),
        first_commit: row.try_get(7)?,
        hotfix,
    })
}

fn lock_from_row(row: &Row) -> TxResult<Lock> {
    lock_at(row, 0)
}

/// A lock from [`LOCK_COLUMNS`] starting at column `at`.
fn lock_at(row: &Row, at: usize) -> TxResult<Lock> {
    let kind: String = row.try_get(at)?;
    let direction: String = row.try_get(at + 2)?;
    Ok(Lock {
        target_kind: ledger_word(&kind, "lock kind")?,
        target: row.try_get(at + 1)?,
        direction: ledger_word(&direction, "lock direction")?,
        actor: row.try_get(at + 3)?,
        reason: row.try_get(at + 4)?,
        created_at: row.try_get(at + 5)?,
        until: row.try_get(at + 6)?,
    })
}

/// An audit event from its columns `seq, at, actor, action, target, reason, details`.
pub(crate) fn audit_from_row(row: &Row) -> TxResult<AuditEvent> {
    Ok(AuditEvent {
        seq: row.try_get(0)?,
        at: row.try_get(1)?,
        actor: row.try_get(2)?,
        action: row.try_get(3)?,
        target: row.try_get(4)?,
        reason: row.try_get(5)?,
        details: row.try_get(6)?,
    })
}

/// `LIMIT NULL` is no limit.
fn limit(value: Option<usize>) -> Option<i64> {
    value.map(|l| i64::try_from(l).unwrap_or(i64::MAX))
}

fn to_json<T: serde::Serialize>(value: &T, what: &str) -> TxResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::internal(format!("{what}: {e}")).into())
}

// ---- queries shared by operations ------------------------------------------------

fn release_by_number(tx: &mut Tx, p: &str, number: ReleaseNumber) -> TxResult<Option<Release>> {
    let sql = format!(
        "SELECT {RELEASE_COLUMNS} FROM captain.releases WHERE pipeline = $1 AND number = $2"
    );
    tx.opt(&sql, &[&p, &num(number)])?
        .map(|row| release_from_row(&row))
        .transpose()
}

fn release_with_commit(tx: &mut Tx, p: &str, commit: &str) -> TxResult<Option<Release>> {
    let sql = format!(
        "SELECT {RELEASE_COLUMNS} FROM captain.releases WHERE pipeline = $1 AND commit_sha = $2"
    );
    tx.opt(&sql, &[&p, &commit])?
        .map(|row| release_from_row(&row))
        .transpose()
}

fn deployment_by_seq(tx: &mut Tx, seq: i64) -> TxResult<Option<Deployment>> {
    let sql = format!("SELECT {DEPLOYMENT_COLUMNS} FROM captain.deployments d WHERE d.seq = $1");
    Ok(tx
        .opt(&sql, &[&seq])?
        .map(|row| deployment_from_row(&row))
        .transpose()?
        .map(|(_, d)| d))
}

fn deployment_by_id(
    tx: &mut Tx,
    p: &str,
    id: &DeploymentId,
) -> TxResult<Option<(i64, Deployment)>> {
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM captain.deployments d WHERE d.pipeline = $1 AND d.id = $2"
    );
    tx.opt(&sql, &[&p, &id.0])?
        .map(|row| deployment_from_row(&row))
        .transpose()
}

/// What an environment's locked state row says.
struct Locked {
    current: Option<Deployment>,
    running: Option<Deployment>,
    release_exists: bool,
}

/// Takes the environment's lock (creating its state row if new) and reads what runs
/// there and what is current, plus whether `release` exists: one round trip.
fn lock_environment(
    tx: &mut Tx,
    p: &str,
    environment: &str,
    release: ReleaseNumber,
) -> TxResult<Locked> {
    let sql = format!(
        "WITH st AS (
             INSERT INTO captain.environment_state (pipeline, environment) VALUES ($1, $2)
             ON CONFLICT (pipeline, environment) DO UPDATE SET environment = excluded.environment
             RETURNING current_seq, in_progress_seq)
         SELECT EXISTS (SELECT 1 FROM captain.releases WHERE pipeline = $1 AND number = $3),
                st.current_seq, st.in_progress_seq,
                {run}, {cur}
         FROM st LEFT JOIN captain.deployments r ON r.seq = st.in_progress_seq
                 LEFT JOIN captain.deployments c ON c.seq = st.current_seq",
        run = DEPLOYMENT_COLUMNS.replace("d.", "r."),
        cur = DEPLOYMENT_COLUMNS.replace("d.", "c."),
    );
    let row = tx.one(&sql, &[&p, &environment, &num(release)])?;
    let current_seq: Option<i64> = row.try_get(1)?;
    let in_progress_seq: Option<i64> = row.try_get(2)?;
    let running = match row.try_get::<_, Option<i64>>(3)? {
        Some(_) => Some(deployment_at(&row, 3)?.1),
        // The row was changed by a transaction that committed while this statement
        // waited for the lock: its deployment is not in this statement's snapshot, but
        // is in the next one's.
        None => match in_progress_seq {
            Some(seq) => deployment_by_seq(tx, seq)?,
            None => None,
        },
    };
    let current = match row.try_get::<_, Option<i64>>(14)? {
        Some(_) => Some(deployment_at(&row, 14)?.1),
        None => match current_seq {
            Some(seq) => deployment_by_seq(tx, seq)?,
            None => None,
        },
    };
    Ok(Locked {
        current,
        running,
        release_exists: row.try_get(0)?,
    })
}

// The event's fields, in the order of the table; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn audit(
    tx: &mut Tx,
    p: &str,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    reason: Option<&str>,
    details: serde_json::Value,
) -> TxResult<()> {
    tx.exec(
        "INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&p, &at, &actor, &action, &target, &reason, &details],
    )?;
    Ok(())
}

const PIPELINE_VERSION_COLUMNS: &str = "version, definition, digest, actor, reason, at";

fn pipeline_version_from_row(row: &Row) -> TxResult<PipelineVersion> {
    Ok(PipelineVersion {
        version: u32::try_from(row.try_get::<_, i32>(0)?).unwrap_or_default(),
        definition: row.try_get(1)?,
        digest: row.try_get(2)?,
        actor: row.try_get(3)?,
        reason: row.try_get(4)?,
        at: row.try_get(5)?,
    })
}

fn pipeline_version(
    tx: &mut Tx,
    p: &str,
    version: Option<u32>,
) -> TxResult<Option<PipelineVersion>> {
    let version = version.and_then(|v| i32::try_from(v).ok());
    tx.opt(
        &format!(
            "SELECT {PIPELINE_VERSION_COLUMNS} FROM captain.pipeline_versions
             WHERE pipeline = $1 AND ($2::integer IS NULL OR version = $2)
             ORDER BY version DESC LIMIT 1"
        ),
        &[&p, &version],
    )?
    .map(|row| pipeline_version_from_row(&row))
    .transpose()
}

fn push_pipeline(tx: &mut Tx, p: &str, push: &NewPipelineVersion) -> TxResult<PushedPipeline> {
    // Pushes of one pipeline take turns: each sees the version before it.
    tx.query(
        "SELECT 1 FROM captain.pipelines WHERE name = $1 FOR UPDATE",
        &[&p],
    )?;
    let newest = pipeline_version(tx, p, None)?;
    if crate::store::checks::require_valid_push(push, newest.as_ref())? {
        if let Some(version) = newest {
            return Ok(PushedPipeline {
                version,
                created: false,
            });
        }
    }
    let version = PipelineVersion {
        version: newest.map_or(1, |n| n.version + 1),
        digest: pipeline_digest(&push.definition),
        definition: push.definition.clone(),
        actor: push.actor.clone(),
        reason: push.reason.clone(),
        at: truncate(push.at),
    };
    tx.exec(
        &format!(
            "INSERT INTO captain.pipeline_versions (pipeline, {PIPELINE_VERSION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ),
        &[
            &p,
            &i32::try_from(version.version).unwrap_or(i32::MAX),
            &version.definition,
            &version.digest,
            &version.actor,
            &version.reason,
            &version.at,
        ],
    )?;
    audit(
        tx,
        p,
        version.at,
        &version.actor,
        "pipeline.push",
        &format!("v{}", version.version),
        version.reason.as_deref(),
        serde_json::json!({"version": version.version, "digest": version.digest}),
    )?;
    Ok(PushedPipeline {
        version,
        created: true,
    })
}

/// A dependency snapshot as it is stored: the hash of its content, and its body.
fn snapshot_content(snapshot: &DependencySnapshot) -> TxResult<(String, serde_json::Value)> {
    let body = to_json(snapshot, "dependency snapshot")?;
    let hash = format!("{:x}", Sha256::digest(body.to_string().as_bytes()));
    Ok((hash, body))
}

/// Stores a snapshot once per distinct content and returns its id.
fn snapshot_id(tx: &mut Tx, snapshot: &DependencySnapshot) -> TxResult<i64> {
    let (hash, body) = snapshot_content(snapshot)?;
    // Most releases share their snapshot with the one before: look it up first.
    let stored = "SELECT id FROM captain.dependency_snapshots WHERE hash = $1";
    if let Some(row) = tx.opt(stored, &[&hash])? {
        return Ok(row.try_get(0)?);
    }
    let inserted = tx.opt(
        "INSERT INTO captain.dependency_snapshots (hash, body) VALUES ($1, $2)
         ON CONFLICT (hash) DO NOTHING RETURNING id",
        &[&hash, &body],
    )?;
    if let Some(row) = inserted {
        return Ok(row.try_get(0)?);
    }
    // Committed by another transaction while this one waited: a new statement sees it.
    Ok(tx.one(stored, &[&hash])?.try_get(0)?)
}

/// All commits of a release in one statement.
fn insert_commits(
    tx: &mut Tx,
    p: &str,
    release: ReleaseNumber,
    commits: &[CommitInfo],
) -> TxResult<()> {
    if commits.is_empty() {
        return Ok(());
    }
    let c = CommitColumns::of(commits)?;
    tx.exec(
        "INSERT INTO captain.release_commits (pipeline, release, position, sha, author, time, subject, parents)
         SELECT $1, $2, * FROM unnest($3::integer[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::integer[])",
        &[&p, &num(release), &c.positions, &c.shas, &c.authors, &c.times, &c.subjects, &c.parents],
    )?;
    Ok(())
}

/// A release's commits as the columns of `captain.release_commits`, one array each.
struct CommitColumns<'a> {
    positions: Vec<i32>,
    shas: Vec<String>,
    authors: Vec<&'a str>,
    times: Vec<Timestamp>,
    subjects: Vec<&'a str>,
    parents: Vec<i32>,
}

impl<'a> CommitColumns<'a> {
    fn of(commits: &'a [CommitInfo]) -> TxResult<Self> {
        let mut c = CommitColumns {
            positions: Vec::with_capacity(commits.len()),
            shas: Vec::with_capacity(commits.len()),
            authors: Vec::with_capacity(commits.len()),
            times: Vec::with_capacity(commits.len()),
            subjects: Vec::with_capacity(commits.len()),
            parents: Vec::with_capacity(commits.len()),
        };
        for (position, commit) in commits.iter().enumerate() {
            c.positions
                .push(i32::try_from(position).unwrap_or(i32::MAX));
            c.shas.push(full_sha(&commit.sha, "commit")?);
            c.authors.push(commit.author.as_str());
            c.times.push(truncate(commit.time));
            c.subjects.push(commit.subject.as_str());
            c.parents
                .push(i32::try_from(commit.parents).unwrap_or(i32::MAX));
        }
        Ok(c)
    }
}

fn insert_release(
    tx: &mut Tx,
    p: &str,
    release: &Release,
    snapshot: i64,
    floor: i64,
) -> TxResult<()> {
    let artifacts = to_json(&release.artifacts, "artifacts")?;
    let commit_count = i64::try_from(release.commit_count).unwrap_or(i64::MAX);
    tx.exec(
        "INSERT INTO captain.releases (pipeline, number, commit_sha, base, artifacts, actor, created_at,
                                       commit_count, first_commit, snapshot, deploy_floor, hotfix_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &p,
            &num(release.number),
            &release.commit,
            &release.base.map(num),
            &artifacts,
            &release.actor,
            &release.created_at,
            &commit_count,
            &release.first_commit,
            &snapshot,
            &floor,
            &release.hotfix.as_ref().map(|h| h.reason.as_str()),
        ],
    )?;
    Ok(())
}

/// A fresh random id: six hex digits, more when the space looks crowded.
fn random_id(attempt: u32) -> DeploymentId {
    let digits = 6 + 2 * (attempt / 3).min(5);
    let value: u64 = rand::rng().random_range(0..(1u64 << (4 * digits)));
    DeploymentId(format!("deploy-{value:0width$x}", width = digits as usize))
}

/// The ledger's answers for [`CommitRanges`], in one transaction.
struct Facts<'t, 'c> {
    tx: &'t mut Tx<'c>,
    pipeline: &'t str,
}

impl ReleaseFacts for Facts<'_, '_> {
    type Error = Fail;

    fn releases(&mut self, low: ReleaseNumber, high: ReleaseNumber) -> TxResult<Vec<RangeInfo>> {
        self.tx
            .query(
                "SELECT number, base, commit_sha, commit_count, first_commit FROM captain.releases
                 WHERE pipeline = $1 AND number BETWEEN $2 AND $3",
                &[&self.pipeline, &num(low), &num(high)],
            )?
            .iter()
            .map(|row| {
                Ok(RangeInfo {
                    number: release_number(row.try_get(0)?)?,
                    base: row
                        .try_get::<_, Option<i64>>(1)?
                        .and_then(|b| u64::try_from(b).ok())
                        .map(ReleaseNumber),
                    commit: row.try_get(2)?,
                    commit_count: count(row.try_get(3)?),
                    first_commit: row.try_get(4)?,
                })
            })
            .collect()
    }

    fn introduced(&mut self, numbers: &[ReleaseNumber]) -> TxResult<Vec<(ReleaseNumber, String)>> {
        let numbers: Vec<i64> = numbers.iter().map(|n| num(*n)).collect();
        self.tx
            .query(
                "SELECT release, sha FROM captain.release_commits
                 WHERE pipeline = $1 AND release = ANY($2) ORDER BY release, position",
                &[&self.pipeline, &numbers],
            )?
            .iter()
            .map(|row| Ok((release_number(row.try_get(0)?)?, row.try_get(1)?)))
            .collect()
    }
}

// ---- operations ---------------------------------------------------------------------

fn create_release(tx: &mut Tx, p: &str, new: &NewRelease) -> TxResult<CreatedRelease> {
    let commit = full_sha(&new.commit, "release commit")?;
    // Serializes release creation in this pipeline: numbering and the same-commit check
    // below cannot race.
    tx.exec(
        "SELECT 1 FROM captain.pipelines WHERE name = $1 FOR UPDATE",
        &[&p],
    )?;
    // What the checks below need, in one statement (each is a round trip): the release
    // of this commit, the first release containing it (each release lists the commits it
    // added to its base, the first its whole history), whether the base exists, the
    // next number, and the newest deployment.
    let row = tx.one(
        "SELECT (SELECT number FROM captain.releases WHERE pipeline = $1 AND commit_sha = $2),
                (SELECT min(release) FROM captain.release_commits
                 WHERE pipeline = $1 AND sha = $2),
                $3::bigint IS NULL OR EXISTS (SELECT 1 FROM captain.releases
                                              WHERE pipeline = $1 AND number = $3),
                coalesce((SELECT max(number) FROM captain.releases WHERE pipeline = $1), 0) + 1,
                coalesce((SELECT max(seq) FROM captain.deployments), 0)",
        &[&p, &commit, &new.base.map(num)],
    )?;
    if row.try_get::<_, Option<i64>>(0)?.is_some()
        && let Some(existing) = release_with_commit(tx, p, &commit)?
    {
        return Ok(checks::release_again(existing, new, &commit)?);
    }
    if let Some(containing) = row.try_get::<_, Option<i64>>(1)? {
        return Err(checks::contained_already(&commit, release_number(containing)?).into());
    }
    let hotfix = checks::hotfix(new.hotfix_reason.as_deref(), &new.actor, &commit)?;
    if let Some(base) = new.base
        && !row.try_get::<_, bool>(2)?
    {
        return Err(checks::missing_base(base, &commit).into());
    }
    let number = release_number(row.try_get(3)?)?;
    // Any deployment of this release starts after it commits, so takes a larger seq.
    let floor: i64 = row.try_get(4)?;
    let release = release_of(new, number, commit, hotfix);
    let snapshot = snapshot_id(tx, &new.dependencies)?;
    insert_release(tx, p, &release, snapshot, floor)?;
    insert_commits(tx, p, number, &new.commits)?;
    let hotfix = release.hotfix.as_ref().map(|h| h.reason.as_str());
    audit(
        tx,
        p,
        release.created_at,
        &release.actor,
        "release.create",
        &number.to_string(),
        hotfix,
        release_details(&release),
    )?;
    Ok(CreatedRelease {
        release,
        created: true,
    })
}

/// The release `new` records as number `number`, of the full sha `commit`.
fn release_of(
    new: &NewRelease,
    number: ReleaseNumber,
    commit: String,
    hotfix: Option<Hotfix>,
) -> Release {
    Release {
        number,
        commit,
        base: new.base,
        artifacts: new.artifacts.clone(),
        actor: new.actor.clone(),
        created_at: truncate(new.created_at),
        commit_count: new.commits.len() as u64,
        first_commit: new.commits.last().map(|c| c.sha.to_ascii_lowercase()),
        hotfix,
    }
}

/// The details of a release's `release.create` audit event.
fn release_details(release: &Release) -> serde_json::Value {
    serde_json::json!({"commit": release.commit, "base": release.base, "artifacts": release.artifacts,
                       "commits": release.commit_count, "hotfix": release.hotfix.is_some()})
}

fn start_deployment(tx: &mut Tx, p: &str, new: &NewDeployment) -> TxResult<Deployment> {
    checks::require_valid_start(new)?;
    let state = lock_environment(tx, p, &new.environment, new.release)?;
    checks::require_startable(new, state.release_exists, state.running.as_ref())?;
    if checks::is_promotion(new) {
        check_promotion(tx, p, new)?;
        checks::require_not_older(new, state.current.as_ref())?;
    }
    let started_at = truncate(new.started_at);
    let details = serde_json::json!({"environment": new.environment, "stage": new.stage,
                                     "release": new.release, "kind": new.kind, "force": new.force});
    let kind = new.kind.as_str();
    for attempt in 0u32.. {
        let id = random_id(attempt);
        // Insert, point the state row at it and write the audit event: one statement.
        // An id already taken inserts nothing, and nothing else happens: pick another.
        let inserted = tx.opt(
            "WITH d AS (
                 INSERT INTO captain.deployments (pipeline, id, environment, stage, release, kind, actor,
                                                  reason, started_at, outcome, reached)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'in progress', false)
                 ON CONFLICT (pipeline, id) DO NOTHING
                 RETURNING seq),
             s AS (
                 UPDATE captain.environment_state SET in_progress_seq = d.seq FROM d
                 WHERE pipeline = $1 AND environment = $3),
             a AS (
                 INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
                 SELECT $1, $9, $7, 'deployment.start', $2, $8, $10 FROM d)
             SELECT seq FROM d",
            &[
                &p,
                &id.0,
                &new.environment,
                &new.stage,
                &num(new.release),
                &kind,
                &new.actor,
                &new.reason,
                &started_at,
                &details,
            ],
        )?;
        if inserted.is_some() {
            return Ok(new.starting(id, started_at));
        }
        if attempt > 40 {
            break;
        }
    }
    Err(Error::internal("could not pick a free deployment id").into())
}

/// The previous stage approved the release, and no lock stands in the way.
fn check_promotion(tx: &mut Tx, p: &str, new: &NewDeployment) -> TxResult<()> {
    if let Some(check) = &new.promotion_check
        && !check.previous_environments.is_empty()
    {
        let approved: HashSet<String> = tx
            .query(
                "SELECT DISTINCT environment FROM captain.deployments
                 WHERE pipeline = $1 AND environment = ANY($2) AND release = $3 AND outcome = 'approved'",
                &[&p, &check.previous_environments, &num(new.release)],
            )?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        let missing: Vec<&str> = check
            .previous_environments
            .iter()
            .filter(|e| !approved.contains(*e))
            .map(String::as_str)
            .collect();
        checks::require_approved(new, &missing)?;
    }
    let sql = format!("SELECT {LOCK_COLUMNS} FROM captain.locks WHERE pipeline = $1");
    let locks = tx
        .query(&sql, &[&p])?
        .iter()
        .map(lock_from_row)
        .collect::<TxResult<Vec<_>>>()?;
    checks::require_unlocked(new, &locks)?;
    Ok(())
}

fn finish_deployment(tx: &mut Tx, p: &str, finish: &FinishDeployment) -> TxResult<Deployment> {
    // The environment's lock first (the same order as start and rollback take locks).
    lock_environment_of(tx, p, &finish.id)?;
    finish_locked_deployment(tx, p, finish)
}

/// Locks the `environment_state` row of deployment `id`'s environment (nothing, for a
/// deployment that does not exist): what every change to one deployment takes first.
fn lock_environment_of(tx: &mut Tx, p: &str, id: &DeploymentId) -> TxResult<()> {
    tx.query(
        "SELECT 1 FROM captain.environment_state
         WHERE pipeline = $1
           AND environment = (SELECT environment FROM captain.deployments WHERE pipeline = $1 AND id = $2)
         FOR UPDATE",
        &[&p, &id.0],
    )?;
    Ok(())
}

/// [`finish_deployment`] in a transaction that holds the environment's lock already.
fn finish_locked_deployment(
    tx: &mut Tx,
    p: &str,
    finish: &FinishDeployment,
) -> TxResult<Deployment> {
    checks::require_finishing_outcome(finish)?;
    let finished_at = truncate(finish.finished_at);
    let outcome = finish.outcome.as_str();
    let reached = finish.outcome.reached();
    let sql = format!(
        "WITH d AS (
             UPDATE captain.deployments d SET outcome = $3, finished_at = $4, reached = $5
             WHERE d.pipeline = $1 AND d.id = $2 AND d.outcome = 'in progress'
             RETURNING {DEPLOYMENT_COLUMNS}),
         s AS (
             UPDATE captain.environment_state st SET
                 in_progress_seq = CASE WHEN st.in_progress_seq = d.seq THEN NULL ELSE st.in_progress_seq END,
                 last_finished_seq = greatest(coalesce(st.last_finished_seq, 0), d.seq),
                 current_seq = CASE WHEN $5 AND d.seq > coalesce(st.current_seq, 0) THEN d.seq
                                    ELSE st.current_seq END
             FROM d WHERE st.pipeline = $1 AND st.environment = d.environment),
         -- The loop's progress row belongs to deployments in progress only.
         pr AS (
             DELETE FROM captain.deployment_progress WHERE deployment IN (SELECT seq FROM d)),
         a AS (
             INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
             SELECT $1, $4, $6, 'deployment.finish', d.id, $7,
                    jsonb_build_object('environment', d.environment, 'release', 'v' || d.release,
                                       'outcome', $3::text)
             FROM d)
         SELECT * FROM d"
    );
    if let Some(row) = tx.opt(
        &sql,
        &[
            &p,
            &finish.id.0,
            &outcome,
            &finished_at,
            &reached,
            &finish.actor,
            &finish.reason,
        ],
    )? {
        return Ok(deployment_from_row(&row)?.1);
    }
    // Not in progress (the update matched nothing): unknown, a repeat, or a conflict.
    let Some((_, deployment)) = deployment_by_id(tx, p, &finish.id)? else {
        return Err(checks::unknown_deployment(&finish.id).into());
    };
    Ok(checks::finished_already(finish, deployment)?)
}

fn start_rollback(tx: &mut Tx, p: &str, rollback: &NewRollback) -> TxResult<Vec<Deployment>> {
    if rollback.environments.is_empty() {
        return Err(Error::usage("a rollback needs at least one environment").into());
    }
    let mut named = BTreeSet::new();
    for target in &rollback.environments {
        if !named.insert(target.environment.as_str()) {
            return Err(Error::usage(format!(
                "environment {} is named twice in one rollback",
                target.environment
            ))
            .into());
        }
    }
    // Every environment's lock, in name order, before looking at any: two rollbacks of
    // overlapping environments wait for each other instead of deadlocking.
    let names: Vec<&str> = named.into_iter().collect();
    tx.exec(
        "INSERT INTO captain.environment_state (pipeline, environment)
         SELECT $1, e FROM unnest($2::text[]) AS e ORDER BY e
         ON CONFLICT (pipeline, environment) DO UPDATE SET environment = excluded.environment",
        &[&p, &names],
    )?;
    let at = truncate(rollback.at);
    let reason = rollback
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let mut started = Vec::with_capacity(rollback.environments.len());
    for target in &rollback.environments {
        let state = lock_environment(tx, p, &target.environment, target.release)?;
        checks::require_unchanged(
            target,
            state.current.as_ref(),
            state.running.as_ref(),
            at,
            |id| Ok::<_, Fail>(deployment_by_id(tx, p, id)?.map(|(_, d)| d)),
        )?;
        let cancelled = match state.running {
            Some(running) if running.kind == DeploymentKind::Rollback => {
                return Err(
                    checks::refuse_second_rollback(&target.environment, &running, at).into(),
                );
            }
            Some(running) => Some(finish_deployment(
                tx,
                p,
                &FinishDeployment {
                    id: running.id,
                    outcome: Outcome::Cancelled,
                    actor: rollback.actor.clone(),
                    finished_at: at,
                    reason: Some(format!(
                        "cancelled by a rollback of {} to {}",
                        target.environment, target.release
                    )),
                },
            )?),
            None => None,
        };
        let already_locked = tx
            .opt(
                "SELECT 1 FROM captain.locks
                 WHERE pipeline = $1 AND target_kind = 'environment' AND target = $2 AND direction = 'both'",
                &[&p, &target.environment],
            )?
            .is_some();
        if !already_locked {
            set_lock(
                tx,
                p,
                &Lock {
                    target_kind: LockTargetKind::Environment,
                    target: target.environment.clone(),
                    direction: LockDirection::Both,
                    actor: rollback.actor.clone(),
                    reason: match &reason {
                        Some(reason) => format!("rollback to {}: {reason}", target.release),
                        None => format!("rollback to {}", target.release),
                    },
                    created_at: at,
                    until: None,
                },
            )?;
        }
        let deployment = start_deployment(
            tx,
            p,
            &NewDeployment {
                environment: target.environment.clone(),
                stage: target.stage.clone(),
                release: target.release,
                kind: DeploymentKind::Rollback,
                actor: rollback.actor.clone(),
                reason: reason.clone(),
                started_at: at,
                promotion_check: None,
                force: false,
            },
        )?;
        audit(
            tx,
            p,
            at,
            &rollback.actor,
            "rollback.start",
            &target.environment,
            reason.as_deref(),
            serde_json::json!({"deployment": deployment.id, "from": state.current.map(|d| d.release),
                               "to": deployment.release, "cancelled": cancelled.map(|d| d.id),
                               "locked": !already_locked}),
        )?;
        started.push(deployment);
    }
    Ok(started)
}

fn history(
    tx: &mut Tx,
    p: &str,
    environment: &str,
    filter: &HistoryFilter,
) -> TxResult<Vec<HistoryEntry>> {
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM captain.deployments d
         WHERE d.pipeline = $1 AND d.environment = $2 AND ($3::timestamptz IS NULL OR d.started_at >= $3)
         ORDER BY d.seq DESC LIMIT $4"
    );
    let mut rows = tx
        .query(
            &sql,
            &[&p, &environment, &filter.since, &limit(filter.limit)],
        )?
        .iter()
        .map(deployment_from_row)
        .collect::<TxResult<Vec<_>>>()?;
    rows.reverse();
    let Some((oldest, _)) = rows.first() else {
        return Ok(Vec::new());
    };
    let mut current: Option<ReleaseNumber> = tx
        .opt(
            "SELECT release FROM captain.deployments
             WHERE pipeline = $1 AND environment = $2 AND reached AND seq < $3
             ORDER BY seq DESC LIMIT 1",
            &[&p, &environment, oldest],
        )?
        .map(|row| release_number(row.try_get(0)?))
        .transpose()?;
    let mut ranges = CommitRanges::new(Facts { tx, pipeline: p });
    ranges.read_span(rows.iter().map(|(_, d)| d.release).chain(current))?;
    let mut entries = Vec::with_capacity(rows.len());
    for (_, deployment) in rows {
        let reached = deployment.outcome.reached().then_some(deployment.release);
        entries.push(ranges.entry(deployment, current)?);
        current = reached.or(current);
    }
    entries.reverse();
    Ok(entries)
}

fn metric_inputs(
    tx: &mut Tx,
    p: &str,
    since: Timestamp,
    until: Timestamp,
) -> TxResult<MetricInputs> {
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM captain.deployments d
         WHERE d.pipeline = $1 AND d.started_at >= $2 AND d.started_at <= $3 ORDER BY d.seq"
    );
    let rows = tx
        .query(&sql, &[&p, &since, &until])?
        .iter()
        .map(deployment_from_row)
        .collect::<TxResult<Vec<_>>>()?;
    let Some((first_seq, _)) = rows.first() else {
        return Ok(MetricInputs::default());
    };
    let mut prior = std::collections::BTreeMap::new();
    for row in tx.query(
        "SELECT e.environment, d.release FROM captain.environment_state e
         CROSS JOIN LATERAL (
             SELECT release FROM captain.deployments
             WHERE pipeline = $1 AND environment = e.environment AND reached AND seq < $2
             ORDER BY seq DESC LIMIT 1
         ) d
         WHERE e.pipeline = $1",
        &[&p, first_seq],
    )? {
        let environment: String = row.try_get(0)?;
        prior.insert(environment, release_number(row.try_get(1)?)?);
    }
    let numbers = rows
        .iter()
        .map(|(_, d)| d.release)
        .chain(prior.values().copied());
    let (low, high) = super::metric_release_range(numbers, rows.iter().map(|(_, d)| d.release));
    let mut times: HashMap<ReleaseNumber, Vec<Timestamp>> = HashMap::new();
    for row in tx.query(
        "SELECT release, time FROM captain.release_commits
         WHERE pipeline = $1 AND release >= $2 AND release <= $3",
        &[&p, &num(low), &num(high)],
    )? {
        times
            .entry(release_number(row.try_get(0)?)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    let mut releases = Vec::new();
    for row in tx.query(
        "SELECT number, base, created_at, artifacts <> '{}'::jsonb FROM captain.releases
         WHERE pipeline = $1 AND number >= $2 AND number <= $3 ORDER BY number",
        &[&p, &num(low), &num(high)],
    )? {
        let number = release_number(row.try_get(0)?)?;
        releases.push(MetricRelease {
            number,
            base: row
                .try_get::<_, Option<i64>>(1)?
                .map(release_number)
                .transpose()?,
            created_at: row.try_get(2)?,
            has_artifacts: row.try_get(3)?,
            commit_times: times.remove(&number).unwrap_or_default(),
        });
    }
    Ok(MetricInputs {
        deployments: rows.into_iter().map(|(_, d)| d).collect(),
        prior,
        releases,
    })
}

fn ledger_counts(tx: &mut Tx, p: &str) -> TxResult<super::LedgerCounts> {
    let buckets: String = super::DURATION_BUCKETS
        .iter()
        .map(|b| {
            format!(", count(*) FILTER (WHERE finished_at - started_at <= interval '{b} seconds')")
        })
        .collect();
    let sql = format!(
        "SELECT stage, kind, outcome, count(*),
                coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float8{buckets}
         FROM captain.deployments WHERE pipeline = $1
         GROUP BY stage, kind, outcome ORDER BY stage, kind, outcome"
    );
    let mut deployments = Vec::new();
    for row in tx.query(&sql, &[&p])? {
        let kind: String = row.try_get(1)?;
        let outcome: String = row.try_get(2)?;
        let mut duration_buckets = Vec::with_capacity(super::DURATION_BUCKETS.len());
        for i in 0..super::DURATION_BUCKETS.len() {
            duration_buckets.push(count(row.try_get(5 + i)?));
        }
        deployments.push(super::DeploymentTotals {
            stage: row.try_get(0)?,
            kind: ledger_word(&kind, "deployment kind")?,
            outcome: ledger_word(&outcome, "outcome")?,
            count: count(row.try_get(3)?),
            duration_sum_seconds: row.try_get(4)?,
            duration_buckets,
        });
    }
    let mut lock_changes = Vec::new();
    for action in super::LOCK_ACTIONS {
        let n: i64 = tx
            .one(
                "SELECT count(*) FROM captain.audit_events WHERE pipeline = $1 AND action = $2",
                &[&p, &action],
            )?
            .try_get(0)?;
        lock_changes.push((action.to_string(), count(n)));
    }
    Ok(super::LedgerCounts {
        deployments,
        lock_changes,
    })
}

fn environment_states(
    tx: &mut Tx,
    p: &str,
    environments: &[String],
) -> TxResult<Vec<EnvironmentState>> {
    // One statement for the states and their deployments (the pipeline's every state:
    // filtering by a list of 160 names cost more than the rows it leaves out).
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS}, s.environment, s.current_seq, s.in_progress_seq, s.last_finished_seq
         FROM captain.environment_state s
         JOIN captain.deployments d ON d.seq IN (s.current_seq, s.in_progress_seq, s.last_finished_seq)
         WHERE s.pipeline = $1"
    );
    let mut seqs: HashMap<String, [Option<i64>; 3]> = HashMap::new();
    let mut deployments = HashMap::new();
    for row in tx.query(&sql, &[&p])? {
        let at = row.len() - 4;
        seqs.insert(
            row.try_get(at)?,
            [
                row.try_get(at + 1)?,
                row.try_get(at + 2)?,
                row.try_get(at + 3)?,
            ],
        );
        let (seq, deployment) = deployment_from_row(&row)?;
        deployments.insert(seq, deployment);
    }
    let load = |seq: Option<i64>| seq.and_then(|s| deployments.get(&s).cloned());
    Ok(environments
        .iter()
        .map(|environment| {
            let [current, in_progress, last_finished] =
                seqs.get(environment).copied().unwrap_or([None; 3]);
            EnvironmentState {
                environment: environment.clone(),
                current: load(current),
                in_progress: load(in_progress),
                last_finished: load(last_finished),
            }
        })
        .collect())
}

/// Resolves a full sha or a unique prefix (≥ 4 hex digits) among recorded commits.
fn resolve_commit(tx: &mut Tx, p: &str, text: &str) -> TxResult<String> {
    let (prefix, upper) = checks::commit_prefix_range(text)?;
    let rows = tx.query(
        "(SELECT DISTINCT sha FROM captain.release_commits
          WHERE pipeline = $1 AND sha >= $2 AND sha < $3 LIMIT 3)
         UNION
         (SELECT commit_sha FROM captain.releases
          WHERE pipeline = $1 AND commit_sha >= $2 AND commit_sha < $3 LIMIT 3)",
        &[&p, &prefix, &upper],
    )?;
    let matches = rows
        .iter()
        .map(|row| row.try_get::<_, String>(0))
        .collect::<std::result::Result<BTreeSet<_>, _>>()?;
    Ok(checks::one_commit(text, matches)?)
}

fn locate_commit(
    tx: &mut Tx,
    p: &str,
    text: &str,
    environments: &[String],
) -> TxResult<CommitLocation> {
    // A full sha (what the CLI sends, resolved by git) is looked up as it is; only a
    // prefix, or a sha no release has, needs resolving first (and that answers "not
    // found" or "ambiguous").
    let mut given = None;
    if let Ok(sha) = full_sha(text, "commit") {
        let facts = commit_facts(tx, p, &sha)?;
        given = Some((sha, facts)).filter(|(_, f)| !f.introduced_by.is_empty());
    }
    let (commit, facts) = match given {
        Some(found) => found,
        None => {
            let commit = resolve_commit(tx, p, text)?;
            let facts = commit_facts(tx, p, &commit)?;
            (commit, facts)
        }
    };
    let CommitFacts {
        introduced_by,
        mut graph,
        first_floor,
        currents,
    } = facts;
    if !graph.dense
        && let Some(first) = introduced_by.first()
    {
        graph.listed = tx
            .query(
                "SELECT number, base FROM captain.releases WHERE pipeline = $1 AND number >= $2",
                &[&p, &num(*first)],
            )?
            .iter()
            .map(|row| Ok((release_number(row.try_get(0)?)?, base_of(row.try_get(1)?))))
            .collect::<TxResult<_>>()?;
    }
    let containing = location::containing_releases(&graph, &introduced_by);
    let release = location::first_containing(&containing);
    let floor: i64 = match release {
        Some(first) if Some(&first) == introduced_by.first() => first_floor.unwrap_or(0),
        Some(first) => tx
            .one(
                "SELECT deploy_floor FROM captain.releases WHERE pipeline = $1 AND number = $2",
                &[&p, &num(first)],
            )?
            .try_get(0)?,
        None => i64::MAX,
    };
    let mut location = CommitLocation {
        commit,
        release,
        deployed_to: Vec::new(),
        not_deployed_to: Vec::new(),
        history: Vec::new(),
    };
    let mut arrivals = first_arrivals(tx, p, environments, &containing, floor)?;
    for environment in environments {
        if currents
            .get(environment)
            .is_some_and(|r| containing.contains(r))
        {
            location.deployed_to.push(environment.clone());
        } else {
            location.not_deployed_to.push(environment.clone());
        }
        if let Some(arrival) = arrivals.remove(environment) {
            location.history.push(arrival);
        }
    }
    Ok(location)
}

/// How many reached deployments of each environment the batched look at environments
/// the ledger's first page after the floor missed reads: the first normally is one; an
/// environment whose first two are not is walked further on its own.
const FIRST_PAGE: i64 = 2;

/// The reached deployments after the floor that the first look reads, in the order they
/// started, per environment of the pipeline: a containing release reaches every
/// environment soon after its first deployment (on the large case, all 160 within the
/// first 292 reached deployments).
const LEDGER_PAGE_PER_ENVIRONMENT: i64 = 2;

/// The first deployment that brought a containing release to each environment, in one
/// statement for most commits (a statement per environment was a round trip each): a
/// few containing releases are looked up directly. For many (a commit of long ago is in
/// thousands), the ledger is read from the floor in the order deployments started, one
/// page of a few per environment, and each environment's first deployment there of a
/// release between the first and the last containing one is its arrival when it does
/// contain the commit. 160 lookups by environment took 3.1 ms on the large case, this
/// page 0.6 ms. Environments the page misses are looked up from its end in one more
/// statement, and one whose candidate is not a containing release (a hotfix between
/// them) is walked on its own.
fn first_arrivals(
    tx: &mut Tx,
    p: &str,
    environments: &[String],
    containing: &Containing,
    floor: i64,
) -> TxResult<HashMap<String, CommitArrival>> {
    let mut found = HashMap::new();
    let (Some(low), Some(high)) = (containing.first(), containing.last()) else {
        return Ok(found);
    };
    if containing.len() <= 16 {
        let releases: Vec<i64> = containing.iter().map(num).collect();
        for row in tx.query(
            "SELECT DISTINCT ON (environment) environment, id, release, finished_at
             FROM captain.deployments
             WHERE pipeline = $1 AND release = ANY($3) AND reached AND environment = ANY($2)
             ORDER BY environment, seq",
            &[&p, &environments, &releases],
        )? {
            let a = arrival_at(&row, 0)?;
            found.insert(a.environment.clone(), a);
        }
        return Ok(found);
    }
    let page = LEDGER_PAGE_PER_ENVIRONMENT
        * i64::try_from(environments.len())
            .unwrap_or(i64::MAX / 4)
            .max(32);
    // Part 0: each environment's first candidate in the page; part 1: the page's size
    // and last seq. Environments sort bytewise: the order does not matter, the cost of
    // the collation's does.
    let rows = tx.query(
        "WITH page AS MATERIALIZED (
             SELECT environment, id, release, finished_at, seq FROM captain.deployments
             WHERE pipeline = $1 AND reached AND seq > $2 ORDER BY seq LIMIT $3)
         SELECT 0 AS part, environment, id, release, finished_at, seq FROM (
             SELECT DISTINCT ON (environment COLLATE \"C\") environment, id, release, finished_at, seq
             FROM page WHERE release BETWEEN $4 AND $5
             ORDER BY environment COLLATE \"C\", seq) AS first
         UNION ALL
         SELECT 1, NULL, NULL, count(*), NULL, max(seq) FROM page",
        &[&p, &floor, &page, &num(low), &num(high)],
    )?;
    let mut candidates: HashMap<String, (CommitArrival, i64)> = HashMap::new();
    let (mut read, mut last) = (0, floor);
    for row in &rows {
        if row.try_get::<_, i32>(0)? == 1 {
            read = row.try_get::<_, i64>(3)?;
            last = row.try_get::<_, Option<i64>>(5)?.unwrap_or(floor);
            continue;
        }
        let a = arrival_at(row, 1)?;
        candidates.insert(a.environment.clone(), (a, row.try_get(5)?));
    }
    let mut missed = Vec::new();
    for environment in environments {
        match candidates.remove(environment) {
            Some((a, _)) if containing.contains(&a.release) => {
                found.insert(environment.clone(), a);
            }
            // A release between the first and last containing one that does not: a
            // hotfix. Walk on from it.
            Some((_, seq)) => {
                if let Some(a) = first_arrival(tx, p, environment, containing, seq)? {
                    found.insert(environment.clone(), a);
                }
            }
            // The page held every reached deployment after the floor: none came here.
            None if read < page => {}
            None => missed.push(environment.clone()),
        }
    }
    if !missed.is_empty() {
        found.extend(arrivals_after(tx, p, &missed, containing, last)?);
    }
    Ok(found)
}

/// The arrival in `row`'s columns from `at` on: environment, deployment id, release and
/// when it finished.
fn arrival_at(row: &Row, at: usize) -> TxResult<CommitArrival> {
    Ok(CommitArrival {
        environment: row.try_get(at)?,
        deployment: DeploymentId(row.try_get(at + 1)?),
        release: release_number(row.try_get(at + 2)?)?,
        finished_at: row.try_get(at + 3)?,
    })
}

/// [`first_arrivals`] of `environments` from `floor` on, an environment at a time in one
/// statement: the first [`FIRST_PAGE`] reached deployments of each; an environment
/// whose first page holds none that contains is walked further on its own.
fn arrivals_after(
    tx: &mut Tx,
    p: &str,
    environments: &[String],
    containing: &Containing,
    floor: i64,
) -> TxResult<HashMap<String, CommitArrival>> {
    let mut found: HashMap<String, CommitArrival> = HashMap::new();
    let mut further: HashMap<String, i64> = HashMap::new();
    let mut seen: HashMap<String, i64> = HashMap::new();
    for row in tx.query(
        "SELECT e.environment, d.id, d.release, d.finished_at, d.seq
         FROM unnest($2::text[]) AS e(environment)
         CROSS JOIN LATERAL (
             SELECT id, release, finished_at, seq FROM captain.deployments
             WHERE pipeline = $1 AND environment = e.environment AND reached AND seq > $3
             ORDER BY seq LIMIT $4) AS d
         ORDER BY e.environment, d.seq",
        &[&p, &environments, &floor, &FIRST_PAGE],
    )? {
        let a = arrival_at(&row, 0)?;
        let seq: i64 = row.try_get(4)?;
        *seen.entry(a.environment.clone()).or_default() += 1;
        if found.contains_key(&a.environment) {
            continue;
        }
        if containing.contains(&a.release) {
            further.remove(&a.environment);
            found.insert(a.environment.clone(), a);
        } else {
            further.insert(a.environment.clone(), seq);
        }
    }
    // A full first page without a containing release: walk on from its last row.
    for (environment, after) in further {
        if seen.get(&environment).copied().unwrap_or(0) < FIRST_PAGE {
            continue;
        }
        if let Some(a) = first_arrival(tx, p, &environment, containing, after)? {
            found.insert(environment, a);
        }
    }
    Ok(found)
}

/// What `where` needs to know of a recorded commit, besides the deployments.
struct CommitFacts {
    /// The releases that introduced it.
    introduced_by: BTreeSet<ReleaseNumber>,
    /// The releases from the first of those on; when dense, only the forks are listed.
    graph: ReleaseGraph,
    /// The first introducer's deploy floor.
    first_floor: Option<i64>,
    /// Each environment's current release.
    currents: HashMap<String, ReleaseNumber>,
}

/// [`CommitFacts`] of `commit` in one statement (four were a round trip each), one part
/// of it per row shape: 0 an introducing release; 1 whether the pipeline's release
/// numbers have gaps (kept with it: count(*) visited every release) and the first
/// introducer's floor; 2 its highest release number; 3 a release from the first
/// introducer on whose base is not the release before; 4 an environment's current
/// release. With gaps, the caller reads every release from the first introducer on.
fn commit_facts(tx: &mut Tx, p: &str, commit: &str) -> TxResult<CommitFacts> {
    let rows = tx.query(
        "WITH introducers AS (
             SELECT release AS n FROM captain.release_commits WHERE pipeline = $1 AND sha = $2
             UNION SELECT number FROM captain.releases WHERE pipeline = $1 AND commit_sha = $2),
         first AS (SELECT min(n) AS n FROM introducers)
         SELECT 0 AS part, n AS a, NULL::bigint AS b, NULL::text AS environment FROM introducers
         UNION ALL
         SELECT 1, (SELECT release_gaps::int FROM captain.pipelines WHERE name = $1),
                (SELECT r.deploy_floor FROM captain.releases r, first
                 WHERE r.pipeline = $1 AND r.number = first.n), NULL
         UNION ALL
         SELECT 2, NULL, (SELECT max(number) FROM captain.releases WHERE pipeline = $1), NULL
         UNION ALL
         SELECT 3, r.number, r.base, NULL FROM captain.releases r, first
         WHERE r.pipeline = $1 AND r.number >= first.n AND (r.base IS NULL OR r.base <> r.number - 1)
         UNION ALL
         SELECT 4, d.release, NULL, s.environment FROM captain.environment_state s
         JOIN captain.deployments d ON d.seq = s.current_seq
         WHERE s.pipeline = $1",
        &[&p, &commit],
    )?;
    let mut facts = CommitFacts {
        introduced_by: BTreeSet::new(),
        graph: ReleaseGraph::default(),
        first_floor: None,
        currents: HashMap::new(),
    };
    let mut gaps = None;
    for row in &rows {
        let a: Option<i64> = row.try_get(1)?;
        let b: Option<i64> = row.try_get(2)?;
        match row.try_get::<_, i32>(0)? {
            0 => {
                if let Some(a) = a {
                    facts.introduced_by.insert(release_number(a)?);
                }
            }
            1 => (gaps, facts.first_floor) = (a, b),
            2 => facts.graph.last = b.map(release_number).transpose()?,
            3 => {
                if let Some(a) = a {
                    facts.graph.listed.insert(release_number(a)?, base_of(b));
                }
            }
            _ => {
                if let (Some(a), Some(environment)) = (a, row.try_get::<_, Option<String>>(3)?) {
                    facts.currents.insert(environment, release_number(a)?);
                }
            }
        }
    }
    facts.graph.dense = gaps == Some(0) && facts.graph.last.is_some();
    Ok(facts)
}

/// A release's recorded base.
fn base_of(base: Option<i64>) -> Option<ReleaseNumber> {
    base.and_then(|b| u64::try_from(b).ok()).map(ReleaseNumber)
}

/// The first deployment after `floor` (a seq) that brought a containing release to the
/// environment, walking its reached deployments in pages.
fn first_arrival(
    tx: &mut Tx,
    p: &str,
    environment: &str,
    containing: &Containing,
    floor: i64,
) -> TxResult<Option<CommitArrival>> {
    if containing.is_empty() {
        return Ok(None);
    }
    let arrival = |row: &Row| -> TxResult<CommitArrival> {
        Ok(CommitArrival {
            environment: environment.to_string(),
            deployment: DeploymentId(row.try_get(0)?),
            release: release_number(row.try_get(1)?)?,
            finished_at: row.try_get(2)?,
        })
    };
    // In pages, so a long history is not read whole when the first rows answer.
    let mut after = floor;
    loop {
        let rows = tx.query(
            "SELECT id, release, finished_at, seq FROM captain.deployments
             WHERE pipeline = $1 AND environment = $2 AND reached AND seq > $3
             ORDER BY seq LIMIT 256",
            &[&p, &environment, &after],
        )?;
        for row in &rows {
            let found = arrival(row)?;
            if containing.contains(&found.release) {
                return Ok(Some(found));
            }
            after = row.try_get(3)?;
        }
        if rows.len() < 256 {
            return Ok(None);
        }
    }
}

fn set_lock(tx: &mut Tx, p: &str, lock: &Lock) -> TxResult<()> {
    checks::require_valid_lock(lock)?;
    if lock.target_kind == LockTargetKind::Release {
        let number: ReleaseNumber = lock.target.parse()?;
        if release_by_number(tx, p, number)?.is_none() {
            return Err(Error::not_found(format!("release {number} does not exist")).into());
        }
    }
    let created_at = upsert_lock(tx, p, lock)?;
    audit(
        tx,
        p,
        created_at,
        &lock.actor,
        lock.target_kind.set_action(),
        &lock.target,
        Some(&lock.reason),
        checks::lock_details(lock),
    )
}

/// Stores `lock`, replacing the one on the same target and direction; returns the time
/// it was stored with.
fn upsert_lock(tx: &mut Tx, p: &str, lock: &Lock) -> TxResult<Timestamp> {
    let created_at = truncate(lock.created_at);
    tx.exec(
        "INSERT INTO captain.locks (pipeline, target_kind, target, direction, actor, reason, created_at, until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (pipeline, target_kind, target, direction)
         DO UPDATE SET actor = excluded.actor, reason = excluded.reason,
                       created_at = excluded.created_at, until = excluded.until",
        &[
            &p,
            &lock.target_kind.as_str(),
            &lock.target,
            &lock.direction.as_str(),
            &lock.actor,
            &lock.reason,
            &created_at,
            &lock.until.map(truncate),
        ],
    )?;
    Ok(created_at)
}

fn remove_lock(tx: &mut Tx, p: &str, unlock: &Unlock) -> TxResult<bool> {
    let kind = unlock.target_kind.as_str();
    let sql = format!(
        "SELECT {LOCK_COLUMNS} FROM captain.locks WHERE pipeline = $1 AND target_kind = $2 AND target = $3
         FOR UPDATE"
    );
    let existing = tx
        .query(&sql, &[&p, &kind, &unlock.target])?
        .iter()
        .map(lock_from_row)
        .collect::<TxResult<Vec<_>>>()?;
    let mut lifted = false;
    for lock in existing {
        let remaining = lock.direction.after_lifting(unlock.direction);
        if remaining == Some(lock.direction) {
            continue;
        }
        lifted = true;
        tx.exec(
            "DELETE FROM captain.locks WHERE pipeline = $1 AND target_kind = $2 AND target = $3 AND direction = $4",
            &[&p, &kind, &unlock.target, &lock.direction.as_str()],
        )?;
        if let Some(direction) = remaining {
            tx.exec(
                "INSERT INTO captain.locks (pipeline, target_kind, target, direction, actor, reason, created_at, until)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                &[
                    &p,
                    &kind,
                    &unlock.target,
                    &direction.as_str(),
                    &lock.actor,
                    &lock.reason,
                    &lock.created_at,
                    &lock.until,
                ],
            )?;
        }
    }
    if lifted {
        audit(
            tx,
            p,
            truncate(unlock.at),
            &unlock.actor,
            unlock.target_kind.lift_action(),
            &unlock.target,
            unlock.reason.as_deref(),
            serde_json::json!({"target_kind": unlock.target_kind, "direction": unlock.direction}),
        )?;
    }
    Ok(lifted)
}

fn all_locks(tx: &mut Tx, p: &str) -> TxResult<Vec<Lock>> {
    let sql = format!(
        "SELECT {LOCK_COLUMNS} FROM captain.locks WHERE pipeline = $1 ORDER BY target_kind, target, direction"
    );
    tx.query(&sql, &[&p])?.iter().map(lock_from_row).collect()
}

fn commits_of(tx: &mut Tx, p: &str, number: ReleaseNumber) -> TxResult<Vec<CommitInfo>> {
    tx.query(
        "SELECT sha, author, time, subject, parents FROM captain.release_commits
         WHERE pipeline = $1 AND release = $2 ORDER BY position",
        &[&p, &num(number)],
    )?
    .iter()
    .map(|row| {
        Ok(CommitInfo {
            sha: row.try_get(0)?,
            author: row.try_get(1)?,
            time: row.try_get(2)?,
            subject: row.try_get(3)?,
            parents: u32::try_from(row.try_get::<_, i32>(4)?).unwrap_or(0),
        })
    })
    .collect()
}

fn snapshot_body(tx: &mut Tx, snapshot: Option<i64>) -> TxResult<DependencySnapshot> {
    let Some(id) = snapshot else {
        return Ok(DependencySnapshot::default());
    };
    let body: Option<serde_json::Value> = tx
        .opt(
            "SELECT body FROM captain.dependency_snapshots WHERE id = $1",
            &[&id],
        )?
        .map(|row| row.try_get(0))
        .transpose()?;
    match body {
        Some(body) => Ok(serde_json::from_value(body).map_err(|e| {
            Error::internal(format!(
                "dependency snapshot {id} in the ledger is unreadable: {e}"
            ))
        })?),
        None => Ok(DependencySnapshot::default()),
    }
}

/// Rows an export fetches at a time (see [`each_row`]).
const EXPORT_BATCH: usize = 1000;

fn export(tx: &mut Tx, p: &str, sink: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> TxResult<()> {
    let sql = format!(
        "SELECT {RELEASE_COLUMNS}, snapshot FROM captain.releases WHERE pipeline = $1 ORDER BY number"
    );
    each_row(tx, "export_releases", &sql, &[&p], |tx, row| {
        let release = release_from_row(row)?;
        let snapshot: Option<i64> = row.try_get(9)?;
        let commits = commits_of(tx, p, release.number)?;
        let dependencies = snapshot_body(tx, snapshot)?;
        Ok(sink(LedgerRecord::Release {
            release,
            commits,
            dependencies,
        })?)
    })?;
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM captain.deployments d WHERE d.pipeline = $1 ORDER BY d.seq"
    );
    each_row(tx, "export_deployments", &sql, &[&p], |_, row| {
        let (_, deployment) = deployment_from_row(row)?;
        Ok(sink(LedgerRecord::Deployment { deployment })?)
    })?;
    for record in run::all_stage_records(tx, p)? {
        sink(LedgerRecord::StageRecord { record })?;
    }
    for lock in all_locks(tx, p)? {
        sink(LedgerRecord::Lock { lock })?;
    }
    for expedite in all_expedites(tx, p)? {
        sink(LedgerRecord::Expedite { expedite })?;
    }
    for record in all_overrides(tx, p)? {
        sink(LedgerRecord::Override { record })?;
    }
    each_row(
        tx,
        "export_audit_events",
        // A server's registrations of the pipeline's definition stay with that server.
        "SELECT seq, at, actor, action, target, reason, details FROM captain.audit_events
         WHERE pipeline = $1 AND action <> 'pipeline.push' ORDER BY seq",
        &[&p],
        |_, row| {
            Ok(sink(LedgerRecord::Audit {
                event: audit_from_row(row)?,
            })?)
        },
    )?;
    Ok(())
}

/// Calls `f` with each row of `sql`, fetched [`EXPORT_BATCH`] at a time through a cursor
/// named `cursor`, so that a big ledger is never in memory whole (an export of a million
/// deployments). Only inside a transaction, which the cursor lives in.
fn each_row(
    tx: &mut Tx,
    cursor: &str,
    sql: &str,
    params: Params,
    mut f: impl FnMut(&mut Tx, &Row) -> TxResult<()>,
) -> TxResult<()> {
    tx.exec(
        &format!("DECLARE {cursor} NO SCROLL CURSOR FOR {sql}"),
        params,
    )?;
    let fetch = format!("FETCH {EXPORT_BATCH} FROM {cursor}");
    loop {
        let rows = tx.query(&fetch, &[])?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            f(tx, row)?;
        }
    }
    tx.exec(&format!("CLOSE {cursor}"), &[])?;
    Ok(())
}

/// Every request to expedite a release with its approvals (and when each was given), by
/// release.
fn all_expedites(tx: &mut Tx, p: &str) -> TxResult<Vec<ExpediteExport>> {
    let mut expedites = Vec::new();
    for row in tx.query(
        "SELECT release, actor, reason, at FROM captain.expedites WHERE pipeline = $1 ORDER BY release",
        &[&p],
    )? {
        expedites.push(ExpediteExport {
            release: release_number(row.try_get(0)?)?,
            actor: row.try_get(1)?,
            reason: row.try_get(2)?,
            at: row.try_get(3)?,
            approvals: Vec::new(),
        });
    }
    if expedites.is_empty() {
        return Ok(expedites);
    }
    for row in tx.query(
        "SELECT release, actor, at FROM captain.expedite_approvals WHERE pipeline = $1
         ORDER BY release, actor",
        &[&p],
    )? {
        let release = release_number(row.try_get(0)?)?;
        if let Some(expedite) = expedites.iter_mut().find(|e| e.release == release) {
            expedite.approvals.push(ExpediteApproval {
                actor: row.try_get(1)?,
                at: row.try_get(2)?,
            });
        }
    }
    Ok(expedites)
}

/// Every blocker override ever recorded, oldest first (expired ones too: the ledger's
/// history of them).
fn all_overrides(tx: &mut Tx, p: &str) -> TxResult<Vec<BlockerOverride>> {
    tx.query(
        "SELECT target, actor, reason, created_at, until FROM captain.blocker_overrides
         WHERE pipeline = $1 ORDER BY seq",
        &[&p],
    )?
    .iter()
    .map(|row| {
        Ok(BlockerOverride {
            target: row.try_get(0)?,
            actor: row.try_get(1)?,
            reason: row.try_get(2)?,
            created_at: row.try_get(3)?,
            until: row.try_get(4)?,
        })
    })
    .collect()
}

/// An imported expedite: a new one as it is; in a merge, one already there (same asker,
/// reason and time) gains the approvals it lacks, and a different one is a conflict.
fn import_expedite(
    tx: &mut Tx,
    p: &str,
    expedite: ExpediteExport,
    mode: ImportMode,
    summary: &mut ImportSummary,
) -> TxResult<()> {
    expedite.check()?;
    let release = expedite.release;
    if release_by_number(tx, p, release)?.is_none() {
        return Err(Error::not_found(format!(
            "the expedite of {release} names a release the ledger does not have"
        ))
        .with_hint("an export lists each release before what refers to it")
        .into());
    }
    let existing = all_expedites(tx, p)?
        .into_iter()
        .find(|e| e.release == release);
    let approvals_to_add: Vec<&ExpediteApproval> = match &existing {
        Some(existing) if mode == ImportMode::Merge => {
            if (&existing.actor, &existing.reason, existing.at)
                != (&expedite.actor, &expedite.reason, truncate(expedite.at))
            {
                return Err(Error::conflict(format!(
                    "the expedite of {release} differs from the one already in the ledger (asked by {})",
                    existing.actor
                ))
                .into());
            }
            expedite
                .approvals
                .iter()
                .filter(|a| !existing.approvals.iter().any(|e| e.actor == a.actor))
                .collect()
        }
        Some(_) => {
            return Err(Error::conflict(format!(
                "the ledger has an expedite of {release} already"
            ))
            .into());
        }
        None => {
            tx.exec(
                "INSERT INTO captain.expedites (pipeline, release, actor, reason, at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &p,
                    &num(release),
                    &expedite.actor,
                    &expedite.reason,
                    &truncate(expedite.at),
                ],
            )?;
            expedite.approvals.iter().collect()
        }
    };
    if existing.is_some() && approvals_to_add.is_empty() {
        summary.skipped += 1;
        return Ok(());
    }
    for approval in approvals_to_add {
        tx.exec(
            "INSERT INTO captain.expedite_approvals (pipeline, release, actor, at)
             VALUES ($1, $2, $3, $4)",
            &[&p, &num(release), &approval.actor, &truncate(approval.at)],
        )?;
    }
    summary.expedites += 1;
    Ok(())
}

/// An imported blocker override; in a merge, one already there (same everything) is
/// skipped.
fn import_override(
    tx: &mut Tx,
    p: &str,
    record: BlockerOverride,
    mode: ImportMode,
    summary: &mut ImportSummary,
) -> TxResult<()> {
    checks::require_valid_override(&record)?;
    let record = BlockerOverride {
        created_at: truncate(record.created_at),
        until: record.until.map(truncate),
        ..record
    };
    if mode == ImportMode::Merge && all_overrides(tx, p)?.contains(&record) {
        summary.skipped += 1;
        return Ok(());
    }
    tx.exec(
        "INSERT INTO captain.blocker_overrides (pipeline, target, actor, reason, created_at, until)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &p,
            &record.target,
            &record.actor,
            &record.reason,
            &record.created_at,
            &record.until,
        ],
    )?;
    summary.overrides += 1;
    Ok(())
}

fn ledger_is_empty(tx: &mut Tx, p: &str) -> TxResult<bool> {
    Ok(tx
        .one(
            "SELECT NOT EXISTS (SELECT 1 FROM captain.releases WHERE pipeline = $1)
                AND NOT EXISTS (SELECT 1 FROM captain.deployments WHERE pipeline = $1)
                AND NOT EXISTS (SELECT 1 FROM captain.locks WHERE pipeline = $1)
                AND NOT EXISTS (SELECT 1 FROM captain.blocker_overrides WHERE pipeline = $1)
                AND NOT EXISTS (SELECT 1 FROM captain.audit_events
                                WHERE pipeline = $1 AND action <> 'pipeline.push')",
            &[&p],
        )?
        .try_get(0)?)
}

/// Deployments read but not yet written by an import into an empty ledger: written in
/// batches, one statement each.
#[derive(Default)]
struct PendingDeployments {
    rows: Vec<Deployment>,
}

const IMPORT_BATCH: usize = 2000;

/// An import refreshes the planner's statistics after this many records, and again after
/// four times as many each time (see [`import`]).
const IMPORT_FIRST_ANALYZE: usize = 1000;

impl PendingDeployments {
    fn flush(&mut self, tx: &mut Tx, p: &str) -> TxResult<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let n = self.rows.len();
        let mut ids = Vec::with_capacity(n);
        let mut environments = Vec::with_capacity(n);
        let mut stages = Vec::with_capacity(n);
        let mut releases = Vec::with_capacity(n);
        let mut kinds = Vec::with_capacity(n);
        let mut actors = Vec::with_capacity(n);
        let mut reasons = Vec::with_capacity(n);
        let mut started = Vec::with_capacity(n);
        let mut finished = Vec::with_capacity(n);
        let mut outcomes = Vec::with_capacity(n);
        let mut reached = Vec::with_capacity(n);
        for d in &self.rows {
            ids.push(d.id.0.as_str());
            environments.push(d.environment.as_str());
            stages.push(d.stage.as_str());
            releases.push(num(d.release));
            kinds.push(d.kind.as_str());
            actors.push(d.actor.as_str());
            reasons.push(d.reason.as_deref());
            started.push(d.started_at);
            finished.push(d.finished_at);
            outcomes.push(d.outcome.as_str());
            reached.push(d.outcome.reached());
        }
        // WITH ORDINALITY keeps the file's order in the seqs.
        tx.exec(
            "INSERT INTO captain.deployments (pipeline, id, environment, stage, release, kind, actor, reason,
                                              started_at, finished_at, outcome, reached)
             SELECT $1, id, environment, stage, release, kind, actor, reason, started_at, finished_at, outcome, reached
             FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                         $9::timestamptz[], $10::timestamptz[], $11::text[], $12::boolean[])
                  WITH ORDINALITY AS u(id, environment, stage, release, kind, actor, reason, started_at,
                                       finished_at, outcome, reached, n)
             ORDER BY n",
            &[
                &p, &ids, &environments, &stages, &releases, &kinds, &actors, &reasons, &started, &finished,
                &outcomes, &reached,
            ],
        )?;
        self.rows.clear();
        Ok(())
    }
}

/// What an import into an empty ledger has loaded so far, to check records against
/// without asking the database.
#[derive(Default)]
struct Loaded {
    releases: HashSet<ReleaseNumber>,
    deployments: HashSet<DeploymentId>,
}

fn import(
    tx: &mut Tx,
    p: &str,
    records: &mut dyn Iterator<Item = Result<LedgerRecord>>,
    mode: ImportMode,
) -> TxResult<ImportSummary> {
    let keep_numbers = mode == ImportMode::EmptyOnly
        && tx
            .one(
                "SELECT NOT EXISTS (SELECT 1 FROM captain.audit_events WHERE pipeline = $1)",
                &[&p],
            )?
            .try_get::<_, bool>(0)?;
    if mode == ImportMode::EmptyOnly && !ledger_is_empty(tx, p)? {
        return Err(Error::conflict(format!(
            "the ledger of pipeline `{p}` is not empty; refusing to import"
        ))
        .with_hint("import with `--merge` to add to it, or import into a new pipeline")
        .into());
    }
    let mut summary = ImportSummary::default();
    let mut pending = PendingDeployments::default();
    let mut loaded = Loaded::default();
    let mut max_audit_seq = 0i64;
    let mut next_analyze = IMPORT_FIRST_ANALYZE;
    // Records are numbered like the lines of the export: the header is line 1.
    for (index, record) in records.enumerate() {
        let line = index + 1;
        let at_line = |e: Error| -> Fail {
            let message = if e.message.starts_with("line ") {
                e.message
            } else {
                format!("line {line}: {}", e.message)
            };
            Fail::Ledger(Error { message, ..e })
        };
        let record = record.map_err(Fail::Ledger)?;
        if !matches!(record, LedgerRecord::Deployment { .. }) {
            pending.flush(tx, p)?;
        }
        if let LedgerRecord::Audit { event } = &record {
            max_audit_seq = max_audit_seq.max(event.seq);
        }
        import_record(
            tx,
            p,
            record,
            mode,
            keep_numbers,
            &mut summary,
            &mut pending,
            &mut loaded,
        )
        .map_err(|e| match e {
            Fail::Ledger(e) => at_line(e),
            Fail::Db(e) => match refused_data(&e) {
                Some(refused) => at_line(refused),
                // The transaction's retry and the pool's reconnect still see these.
                None if retryable(&e) || broken(&e) => Fail::Db(e),
                None => at_line(Error::failed(format!(
                    "could not store the record: {}",
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |db| db.message().to_string())
                ))),
            },
        })?;
        if pending.rows.len() >= IMPORT_BATCH {
            pending.flush(tx, p)?;
        }
        if line >= next_analyze {
            pending.flush(tx, p)?;
            analyze_ledger(tx)?;
            next_analyze *= 4;
        }
    }
    pending.flush(tx, p)?;
    if keep_numbers && max_audit_seq > 0 {
        // Imported events kept their numbers: later ones must come after them.
        tx.exec(
            "SELECT setval(pg_get_serial_sequence('captain.audit_events', 'seq'),
                           greatest($1, coalesce(pg_sequence_last_value(
                               pg_get_serial_sequence('captain.audit_events', 'seq')::regclass), 1)))",
            &[&max_audit_seq],
        )?;
    }
    rebuild_derived(tx, p)?;
    Ok(summary)
}

/// Refreshes the planner's statistics of the tables an import fills, its own rows
/// counted. The plans this connection keeps were made when the tables were as the import
/// found them, often empty, and autovacuum cannot see rows not yet committed: without
/// this, looking a deployment up by its id went through an index on the pipeline alone
/// and every lookup read all the deployments imported so far (20,000 took 49 s; 5.6 s with it).
/// ANALYZE reads a sample of at most 30,000 rows, and after each one the kept plans are
/// made again. A user that may not analyze gets a warning from PostgreSQL, not an error.
fn analyze_ledger(tx: &mut Tx) -> TxResult<()> {
    tx.tx.batch_execute(
        "ANALYZE captain.releases, captain.release_commits, captain.deployments, \
         captain.audit_events",
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn import_record(
    tx: &mut Tx,
    p: &str,
    record: LedgerRecord,
    mode: ImportMode,
    keep_numbers: bool,
    summary: &mut ImportSummary,
    pending: &mut PendingDeployments,
    loaded: &mut Loaded,
) -> TxResult<()> {
    match record {
        LedgerRecord::Header {
            pipeline: Some(from),
            ..
        } if from != p => Err(Error::conflict(format!(
            "this export is of pipeline `{from}`, not `{p}`"
        ))
        .with_hint("import it into that pipeline's ledger")
        .into()),
        LedgerRecord::Header { .. } => Ok(()),
        LedgerRecord::Release {
            release,
            commits,
            dependencies,
        } => {
            let number = release.number;
            import_release(tx, p, release, commits, dependencies, mode, summary)?;
            loaded.releases.insert(number);
            Ok(())
        }
        LedgerRecord::Deployment { deployment } => {
            DeploymentId::parse(&deployment.id.0)?;
            let stored = Deployment {
                started_at: truncate(deployment.started_at),
                finished_at: deployment.finished_at.map(truncate),
                ..deployment
            };
            if mode == ImportMode::EmptyOnly {
                // The ledger was empty: what this import loaded is all there is.
                if !loaded.releases.contains(&stored.release) {
                    return Err(missing_release(&stored));
                }
                if !loaded.deployments.insert(stored.id.clone()) {
                    return Err(
                        Error::conflict(format!("deployment {} appears twice", stored.id)).into(),
                    );
                }
                pending.rows.push(stored);
                summary.deployments += 1;
                return Ok(());
            }
            if let Some((_, existing)) = deployment_by_id(tx, p, &stored.id)? {
                if existing == stored {
                    summary.skipped += 1;
                    return Ok(());
                }
                return Err(Error::conflict(format!(
                    "deployment {} differs from the one already in the ledger",
                    stored.id
                ))
                .into());
            }
            if release_by_number(tx, p, stored.release)?.is_none() {
                return Err(missing_release(&stored));
            }
            pending.rows.push(stored);
            pending.flush(tx, p)?;
            summary.deployments += 1;
            Ok(())
        }
        LedgerRecord::StageRecord { record } => run::import_stage_record(tx, p, record, summary),
        LedgerRecord::Lock { lock } => {
            // An imported lock obeys what a new one does: a target and a reason.
            checks::require_valid_lock(&lock)?;
            if mode == ImportMode::Merge && all_locks(tx, p)?.contains(&lock) {
                summary.skipped += 1;
                return Ok(());
            }
            upsert_lock(tx, p, &lock)?;
            summary.locks += 1;
            Ok(())
        }
        LedgerRecord::Expedite { expedite } => import_expedite(tx, p, expedite, mode, summary),
        LedgerRecord::Override { record } => import_override(tx, p, record, mode, summary),
        LedgerRecord::Audit { event } => {
            let at = truncate(event.at);
            if mode == ImportMode::Merge {
                let seen = tx
                    .opt(
                        "SELECT 1 FROM captain.audit_events
                         WHERE pipeline = $1 AND at = $2 AND actor = $3 AND action = $4 AND target = $5
                           AND details = $6",
                        &[&p, &at, &event.actor, &event.action, &event.target, &event.details],
                    )?
                    .is_some();
                if seen {
                    summary.skipped += 1;
                    return Ok(());
                }
            }
            // An empty ledger keeps the events' numbers, so export → import → export is
            // identical; a merge (or a ledger with its definition's registrations) appends
            // them after the ledger's own.
            let seq = keep_numbers.then_some(event.seq);
            tx.exec(
                "INSERT INTO captain.audit_events (pipeline, seq, at, actor, action, target, reason, details)
                 VALUES ($1, coalesce($2, nextval(pg_get_serial_sequence('captain.audit_events', 'seq'))),
                         $3, $4, $5, $6, $7, $8)",
                &[&p, &seq, &at, &event.actor, &event.action, &event.target, &event.reason, &event.details],
            )?;
            summary.audit_events += 1;
            Ok(())
        }
    }
}

fn missing_release(deployment: &Deployment) -> Fail {
    Error::not_found(format!(
        "deployment {} is of release {}, which is not in the ledger",
        deployment.id, deployment.release
    ))
    .into()
}

fn import_release(
    tx: &mut Tx,
    p: &str,
    release: Release,
    commits: Vec<CommitInfo>,
    dependencies: DependencySnapshot,
    mode: ImportMode,
    summary: &mut ImportSummary,
) -> TxResult<()> {
    let commit = full_sha(&release.commit, "release commit")?;
    if let Some(existing) = release_by_number(tx, p, release.number)? {
        checks::imported_release_known(&release, &commit, &existing, mode)?;
        summary.skipped += 1;
        return Ok(());
    }
    if let Some(existing) = release_with_commit(tx, p, &commit)? {
        return Err(checks::commit_released_already(&release, &commit, &existing).into());
    }
    let base_found = match release.base {
        Some(base) if base < release.number => release_by_number(tx, p, base)?.is_some(),
        _ => false,
    };
    checks::require_sound_imported_release(&release, commits.len(), base_found)?;
    let hotfix = checks::hotfix(
        release.hotfix.as_ref().map(|h| h.reason.as_str()),
        &release.actor,
        &commit,
    )?;
    let stored = Release {
        commit,
        created_at: truncate(release.created_at),
        hotfix,
        ..release
    };
    let snapshot = snapshot_id(tx, &dependencies)?;
    insert_release(tx, p, &stored, snapshot, 0)?;
    insert_commits(tx, p, stored.number, &commits)?;
    summary.releases += 1;
    Ok(())
}

/// Recomputes what is derived after a bulk load: whether the release numbers have gaps,
/// each environment's state row, and each release's deploy floor (one less than the
/// smallest seq of any deployment of it or a newer release).
fn rebuild_derived(tx: &mut Tx, p: &str) -> TxResult<()> {
    // Whether the numbers have gaps (only an import can make one).
    tx.exec(
        "UPDATE captain.pipelines SET release_gaps = coalesce(
             (SELECT max(number) - min(number) + 1 <> count(*) FROM captain.releases WHERE pipeline = $1),
             false)
         WHERE name = $1",
        &[&p],
    )?;
    tx.exec(
        "DELETE FROM captain.environment_state WHERE pipeline = $1",
        &[&p],
    )?;
    tx.exec(
        "INSERT INTO captain.environment_state (pipeline, environment, current_seq, in_progress_seq, last_finished_seq)
         SELECT $1, environment,
                max(seq) FILTER (WHERE reached),
                max(seq) FILTER (WHERE outcome = 'in progress'),
                max(seq) FILTER (WHERE outcome <> 'in progress')
         FROM captain.deployments WHERE pipeline = $1 GROUP BY environment",
        &[&p],
    )?;
    tx.exec(
        "UPDATE captain.releases r SET deploy_floor = f.floor
         FROM (SELECT rel.number,
                      coalesce(min(firsts.first) OVER (ORDER BY rel.number DESC),
                               (SELECT coalesce(max(seq), 0) + 1 FROM captain.deployments)) - 1 AS floor
               FROM captain.releases rel
               LEFT JOIN (SELECT release, min(seq) AS first FROM captain.deployments
                          WHERE pipeline = $1 GROUP BY release) firsts ON firsts.release = rel.number
               WHERE rel.pipeline = $1) f
         WHERE r.pipeline = $1 AND r.number = f.number",
        &[&p],
    )?;
    Ok(())
}

fn logs_of(tx: &mut Tx, p: &str, id: &DeploymentId) -> TxResult<Vec<LogLine>> {
    let Some((seq, _)) = deployment_by_id(tx, p, id)? else {
        return Err(Error::not_found(format!("deployment {id} does not exist")).into());
    };
    tx.query(
        "SELECT at, stream, text FROM captain.deployment_logs WHERE deployment = $1 ORDER BY seq",
        &[&seq],
    )?
    .iter()
    .map(|row| {
        Ok(LogLine {
            at: row.try_get(0)?,
            stream: row.try_get(1)?,
            text: row.try_get(2)?,
        })
    })
    .collect()
}

impl Store for PostgresStore {
    fn idempotent(
        &self,
        request: &IdempotentRequest,
        run: &mut dyn FnMut(&dyn Store) -> Result<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>> {
        let mut lease = self.conns.lease()?;
        let Some(mut conn) = lease.conn.take() else {
            return Err(Error::internal("a pooled connection went missing"));
        };
        if let Err(e) = conn.client.batch_execute("BEGIN") {
            lease.conn = Some(conn);
            return Err(self.conns.fail(e.into()));
        }
        let (answer, mut ambient) = self.as_ambient(conn, "idempotent", || run(self))?;
        let finished = match answer {
            Ok(body) if !ambient.failed => {
                let stored = (|| -> TxResult<bool> {
                    let mut tx = Tx {
                        tx: &mut ambient.conn.client,
                        statements: &mut ambient.conn.statements,
                    };
                    if !claim_answered(&mut tx, request, &body)? {
                        return Ok(false);
                    }
                    ambient.conn.client.batch_execute("COMMIT")?;
                    Ok(true)
                })();
                matches!(stored, Ok(true)).then_some(body)
            }
            _ => None,
        };
        if finished.is_none() {
            // Nothing of it stays; the caller runs it the ordinary way (which replays a
            // key seen before, waits for one running, refuses a reused one, or answers
            // with the mutation's error).
            let _ = ambient.conn.client.batch_execute("ROLLBACK");
        }
        lease.conn = Some(ambient.conn);
        Ok(finished)
    }

    fn read_together(&self, run: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        if AMBIENT.with(|cell| cell.try_borrow().map_or(true, |slot| slot.is_some())) {
            return run();
        }
        let mut lease = self.begun(BEGIN_READ)?;
        let Some(conn) = lease.conn.take() else {
            return Err(Error::internal("a pooled connection went missing"));
        };
        let (result, mut ambient) = self.as_ambient(conn, "read", run)?;
        let end = if result.is_ok() && !ambient.failed {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let ended = ambient.conn.client.batch_execute(end);
        let broken_now = ended.as_ref().is_err_and(broken);
        lease.conn = Some(ambient.conn);
        lease.broken = broken_now;
        result?;
        ended.map_err(|e| self.conns.fail(e.into()))
    }

    fn location(&self) -> String {
        self.conns.shown.clone()
    }

    fn create_release(&self, release: NewRelease) -> Result<CreatedRelease> {
        self.write(|tx, p| create_release(tx, p, &release))
    }

    fn release(&self, number: ReleaseNumber) -> Result<Option<Release>> {
        self.read(|tx, p| release_by_number(tx, p, number))
    }

    fn releases_numbered(&self, numbers: &[ReleaseNumber]) -> Result<Vec<Release>> {
        let numbers: Vec<i64> = numbers.iter().copied().map(num).collect();
        self.read(|tx, p| {
            let sql = format!(
                "SELECT {RELEASE_COLUMNS} FROM captain.releases WHERE pipeline = $1 AND number = ANY($2)"
            );
            tx.query(&sql, &[&p, &numbers])?
                .iter()
                .map(release_from_row)
                .collect()
        })
    }

    fn release_by_commit(&self, commit: &str) -> Result<Option<Release>> {
        let commit = commit.trim().to_ascii_lowercase();
        self.read(|tx, p| release_with_commit(tx, p, &commit))
    }

    fn releases(&self, filter: &ReleaseFilter) -> Result<Vec<Release>> {
        self.read(|tx, p| {
            let sql = format!(
                "SELECT {RELEASE_COLUMNS} FROM captain.releases WHERE pipeline = $1 ORDER BY number DESC LIMIT $2"
            );
            tx.query(&sql, &[&p, &limit(filter.limit)])?
                .iter()
                .map(release_from_row)
                .collect()
        })
    }

    fn release_commits(&self, number: ReleaseNumber) -> Result<Vec<CommitInfo>> {
        self.read(|tx, p| {
            if release_by_number(tx, p, number)?.is_none() {
                return Err(Error::not_found(format!("release {number} does not exist")).into());
            }
            commits_of(tx, p, number)
        })
    }

    fn release_dependencies(&self, number: ReleaseNumber) -> Result<DependencySnapshot> {
        self.read(|tx, p| {
            let snapshot: Option<Option<i64>> = tx
                .opt(
                    "SELECT snapshot FROM captain.releases WHERE pipeline = $1 AND number = $2",
                    &[&p, &num(number)],
                )?
                .map(|row| row.try_get(0))
                .transpose()?;
            match snapshot {
                Some(id) => snapshot_body(tx, id),
                None => Err(Error::not_found(format!("release {number} does not exist")).into()),
            }
        })
    }

    fn start_deployment(&self, deployment: NewDeployment) -> Result<Deployment> {
        match self.record_start(&deployment, None)? {
            record::Recorded::Done(d) | record::Recorded::AlreadyFinished(d) => Ok(d),
            record::Recorded::KeySeen => Err(Error::internal("a start without a key saw a key")),
        }
    }

    fn start_rollback(&self, rollback: NewRollback) -> Result<Vec<Deployment>> {
        self.write(|tx, p| start_rollback(tx, p, &rollback))
    }

    fn finish_deployment(&self, finish: FinishDeployment) -> Result<Deployment> {
        match self.record_finish(&finish, None)? {
            record::Recorded::Done(d) | record::Recorded::AlreadyFinished(d) => Ok(d),
            record::Recorded::KeySeen => Err(Error::internal("a finish without a key saw a key")),
        }
    }

    fn record_with_key(
        &self,
        change: KeyedChange,
        request: &IdempotentRequest,
    ) -> Result<Option<Vec<u8>>> {
        let recorded = match &change {
            KeyedChange::Release(new) => return self.create_release_keyed(new, request),
            KeyedChange::Start(new) => self.record_start(new, Some(request)),
            KeyedChange::Finish(finish) => self.record_finish(finish, Some(request)),
        };
        // A refusal, a replay or a finish already recorded: the ordinary way answers
        // those (and stores the answer with the key).
        match recorded {
            Ok(record::Recorded::Done(deployment)) => Ok(Some(answer_body(&deployment)?)),
            _ => Ok(None),
        }
    }

    fn deployment(&self, id: &DeploymentId) -> Result<Option<Deployment>> {
        self.read_one(|tx, p| Ok(deployment_by_id(tx, p, id)?.map(|(_, d)| d)))
    }

    fn history(&self, environment: &str, filter: &HistoryFilter) -> Result<Vec<HistoryEntry>> {
        self.read(|tx, p| history(tx, p, environment, filter))
    }

    fn metric_inputs(&self, since: Timestamp, until: Timestamp) -> Result<MetricInputs> {
        self.read(|tx, p| metric_inputs(tx, p, since, until))
    }

    fn ledger_counts(&self) -> Result<super::LedgerCounts> {
        self.read(ledger_counts)
    }

    fn environment_states(&self, environments: &[String]) -> Result<Vec<EnvironmentState>> {
        self.read(|tx, p| environment_states(tx, p, environments))
    }

    fn locate_commit(&self, commit: &str, environments: &[String]) -> Result<CommitLocation> {
        self.read(|tx, p| locate_commit(tx, p, commit, environments))
    }

    fn stage_approved(&self, release: ReleaseNumber, environments: &[String]) -> Result<bool> {
        self.read(|tx, p| {
            let approved: i64 = tx
                .one(
                    "SELECT count(DISTINCT environment) FROM captain.deployments
                     WHERE pipeline = $1 AND environment = ANY($2) AND release = $3 AND outcome = 'approved'",
                    &[&p, &environments, &num(release)],
                )?
                .try_get(0)?;
            let wanted = environments.iter().collect::<HashSet<_>>().len();
            Ok(usize::try_from(approved).unwrap_or(0) >= wanted)
        })
    }

    fn locks(&self) -> Result<Vec<Lock>> {
        self.read(all_locks)
    }

    fn set_lock(&self, lock: Lock) -> Result<()> {
        self.write(|tx, p| set_lock(tx, p, &lock))
    }

    fn remove_lock(&self, unlock: Unlock) -> Result<bool> {
        self.write(|tx, p| remove_lock(tx, p, &unlock))
    }

    fn append_log(&self, id: &DeploymentId, lines: &[LogLine]) -> Result<()> {
        self.write(|tx, p| {
            let Some((seq, _)) = deployment_by_id(tx, p, id)? else {
                return Err(Error::not_found(format!("deployment {id} does not exist")).into());
            };
            let ats: Vec<Timestamp> = lines.iter().map(|l| truncate(l.at)).collect();
            let streams: Vec<&str> = lines.iter().map(|l| l.stream.as_str()).collect();
            let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
            tx.exec(
                "INSERT INTO captain.deployment_logs (deployment, at, stream, text)
                 SELECT $1, at, stream, text
                 FROM unnest($2::timestamptz[], $3::text[], $4::text[]) WITH ORDINALITY AS u(at, stream, text, n)
                 ORDER BY n",
                &[&seq, &ats, &streams, &texts],
            )?;
            Ok(())
        })
    }

    fn deployment_log(&self, id: &DeploymentId) -> Result<Vec<LogLine>> {
        self.read(|tx, p| logs_of(tx, p, id))
    }

    fn engine_snapshot(
        &self,
        stages: &[super::StageScope],
        at: Timestamp,
    ) -> Result<super::EngineSnapshot> {
        self.read_generic(|tx, p| run::engine_snapshot(tx, p, stages, at))
    }

    fn apply_decisions(&self, batch: super::DecisionBatch) -> Result<super::Applied> {
        let joined = self.in_ambient();
        // Two loops' batches on one pipeline apply one after the other; the second then
        // sees the first's records and is refused as stale where they contradict.
        let lock = run::lock_key("decisions", &self.pipeline);
        let applied = self.write_locked(Some(lock), |tx, p| run::apply_decisions(tx, p, &batch))?;
        // Committed: a start that follows a finish here is decided from memory (see
        // `record`), as after a finish recorded on its own.
        if !joined {
            self.remember_pass(&applied.finished, &applied.started);
        }
        Ok(applied)
    }

    fn record_process(
        &self,
        deployment: &DeploymentId,
        runner: &super::RunnerId,
        process: super::ProcessRecord,
    ) -> Result<()> {
        self.write(|tx, p| run::record_process(tx, p, deployment, runner, process))
    }

    fn claim_deployments(
        &self,
        runner: Option<&super::RunnerId>,
        claims: &[super::Claim],
    ) -> Result<Vec<DeploymentId>> {
        self.write(|tx, p| run::claim_deployments(tx, p, runner, claims))
    }

    fn record_override(&self, record: super::run_records::OverrideRecord) -> Result<()> {
        self.write(|tx, p| run::record_override(tx, p, &record))
    }

    fn record_expedite(&self, event: super::ExpediteEvent) -> Result<()> {
        self.write(|tx, p| run::record_expedite(tx, p, &event))
    }

    fn record_step_result(&self, verdict: super::StepVerdict) -> Result<()> {
        self.write(|tx, p| run::record_step_result(tx, p, &verdict))
    }

    fn retry_release(&self, retry: super::RetryRequest) -> Result<super::StageRecord> {
        self.write(|tx, p| run::retry_release(tx, p, &retry))
    }

    fn stage_records(&self, stages: &[String], limit: usize) -> Result<Vec<super::StageRecord>> {
        self.read(|tx, p| run::stage_records(tx, p, stages, limit))
    }

    fn deployment_phases(&self, ids: &[DeploymentId]) -> Result<Vec<Option<super::ActiveRecord>>> {
        self.read_one(|tx, p| run::deployment_phases(tx, p, ids))
    }

    fn pipeline_version(&self, version: Option<u32>) -> Result<Option<PipelineVersion>> {
        self.read(|tx, p| pipeline_version(tx, p, version))
    }

    fn pipeline_versions(&self) -> Result<Vec<PipelineVersion>> {
        self.read(|tx, p| {
            tx.query(
                &format!(
                    "SELECT {PIPELINE_VERSION_COLUMNS} FROM captain.pipeline_versions
                     WHERE pipeline = $1 ORDER BY version DESC"
                ),
                &[&p],
            )?
            .iter()
            .map(pipeline_version_from_row)
            .collect()
        })
    }

    fn push_pipeline(&self, push: NewPipelineVersion) -> Result<PushedPipeline> {
        self.write(|tx, p| push_pipeline(tx, p, &push))
    }

    fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        self.read(|tx, p| {
            tx.query(
                "SELECT seq, at, actor, action, target, reason, details FROM captain.audit_events
                 WHERE pipeline = $1 AND ($2::text IS NULL OR target = $2) AND ($3::text IS NULL OR actor = $3)
                 ORDER BY seq DESC LIMIT $4",
                &[&p, &filter.target, &filter.actor, &limit(filter.limit)],
            )?
            .iter()
            .map(audit_from_row)
            .collect()
        })
    }

    fn events_after(
        &self,
        after: EventCursor,
        min_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|tx, p| {
            tx.query(
                "SELECT seq, at, actor, action, target, reason, details, txid FROM captain.audit_events
                 WHERE pipeline = $1 AND (txid, seq) > ($2, $3) AND seq > $4
                   AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                 ORDER BY txid, seq LIMIT $5",
                &[&p, &after.txid, &after.seq, &min_seq.unwrap_or(0), &limit],
            )?
            .iter()
            .map(|row| {
                let event = audit_from_row(row)?;
                Ok(LoggedEvent {
                    cursor: EventCursor {
                        txid: row.try_get(7)?,
                        seq: event.seq,
                    },
                    event,
                })
            })
            .collect()
        })
    }

    fn notify_states(&self) -> Result<Vec<NotifyState>> {
        self.read(|tx, p| {
            tx.query(
                "SELECT target, cursor_txid, cursor_seq, attempts, last_error
                 FROM captain.notify_cursors WHERE pipeline = $1 ORDER BY target",
                &[&p],
            )?
            .iter()
            .map(|row| {
                Ok(NotifyState {
                    target: row.try_get(0)?,
                    cursor: EventCursor {
                        txid: row.try_get(1)?,
                        seq: row.try_get(2)?,
                    },
                    attempts: u32::try_from(row.try_get::<_, i32>(3)?).unwrap_or_default(),
                    last_error: row.try_get(4)?,
                })
            })
            .collect()
        })
    }

    fn record_delivery(&self, update: DeliveryUpdate) -> Result<bool> {
        self.write(|tx, p| {
            let current = tx.opt(
                "SELECT cursor_txid, cursor_seq, attempts FROM captain.notify_cursors
                 WHERE pipeline = $1 AND target = $2 FOR UPDATE",
                &[&p, &update.target.as_str()],
            )?;
            let (cursor, tried) = match &current {
                Some(row) => (
                    EventCursor {
                        txid: row.try_get(0)?,
                        seq: row.try_get(1)?,
                    },
                    row.try_get::<_, i32>(2)?,
                ),
                None => (EventCursor::START, 0),
            };
            if cursor != update.from {
                return Ok(false);
            }
            let (to, attempts, error) = match &update.outcome {
                Delivery::Passed => (update.to, 0, None),
                Delivery::Failed { error } => (update.from, tried + 1, Some(error.clone())),
                Delivery::Parked { error, at } => {
                    tx.exec(
                        "INSERT INTO captain.notify_parked (pipeline, target, seq, txid, attempts, error, parked_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (pipeline, target, seq) DO UPDATE SET attempts = excluded.attempts,
                             error = excluded.error, parked_at = excluded.parked_at",
                        &[&p, &update.target.as_str(), &update.to.seq, &update.to.txid, &(tried + 1), error, at],
                    )?;
                    (update.to, 0, None)
                }
            };
            tx.exec(
                "INSERT INTO captain.notify_cursors (pipeline, target, cursor_txid, cursor_seq, attempts, last_error)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (pipeline, target) DO UPDATE SET cursor_txid = excluded.cursor_txid,
                     cursor_seq = excluded.cursor_seq, attempts = excluded.attempts,
                     last_error = excluded.last_error",
                &[&p, &update.target.as_str(), &to.txid, &to.seq, &attempts, &error],
            )?;
            Ok(true)
        })
    }

    fn parked_events(&self, target: Option<&str>) -> Result<Vec<ParkedEvent>> {
        self.read(|tx, p| {
            tx.query(
                "SELECT target, seq, txid, attempts, error, parked_at FROM captain.notify_parked
                 WHERE pipeline = $1 AND ($2::text IS NULL OR target = $2) ORDER BY seq, target",
                &[&p, &target],
            )?
            .iter()
            .map(|row| {
                Ok(ParkedEvent {
                    target: row.try_get(0)?,
                    seq: row.try_get(1)?,
                    cursor: EventCursor {
                        txid: row.try_get(2)?,
                        seq: row.try_get(1)?,
                    },
                    attempts: u32::try_from(row.try_get::<_, i32>(3)?).unwrap_or_default(),
                    error: row.try_get(4)?,
                    parked_at: row.try_get(5)?,
                })
            })
            .collect()
        })
    }

    fn resolve_parked(&self, target: &str, seq: i64, error: Option<&str>) -> Result<()> {
        self.write(|tx, p| {
            match error {
                None => tx.exec(
                    "DELETE FROM captain.notify_parked WHERE pipeline = $1 AND target = $2 AND seq = $3",
                    &[&p, &target, &seq],
                )?,
                Some(error) => tx.exec(
                    "UPDATE captain.notify_parked SET attempts = attempts + 1, error = $4
                     WHERE pipeline = $1 AND target = $2 AND seq = $3",
                    &[&p, &target, &seq, &error],
                )?,
            };
            Ok(())
        })
    }

    fn export(&self, sink: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> Result<()> {
        self.read(|tx, p| export(tx, p, sink))
    }

    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<LedgerRecord>>,
        mode: ImportMode,
    ) -> Result<ImportSummary> {
        // Not retried: the records are read as they are applied.
        let mut records = Some(records);
        self.write(|tx, p| match records.take() {
            Some(records) => import(tx, p, records, mode),
            None => Err(Error::failed(
                "the import lost a race with a concurrent change; run it again",
            )
            .into()),
        })
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.conns.shown)
            .field("pipeline", &self.pipeline)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_never_show_a_password() {
        let config: Config = "postgres://captain:s3cret@db.example:5433/ledger"
            .parse()
            .unwrap_or_else(|_| Config::new());
        assert_eq!(shown(&config), "postgres://captain@db.example:5433/ledger");
        assert_eq!(
            redact("postgres://captain:s3cret@db/ledger"),
            "postgres://captain:***@db/ledger"
        );
        assert_eq!(redact("host=/tmp dbname=x"), "host=/tmp dbname=x");
    }

    #[test]
    fn migrations_are_numbered_in_order() {
        let versions: Vec<i32> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        let expected: Vec<i32> = (1..=MIGRATIONS.len() as i32).collect();
        assert_eq!(versions, expected);
    }
}

//! The SQLite ledger: the embedded default, one file per pipeline.
//!
//! Safe for many processes on one file: WAL mode, a 30 s busy timeout, and every write
//! in one short `BEGIN IMMEDIATE` transaction (taking the write lock up front means a
//! writer waits in the busy handler instead of failing on a lock upgrade), so no write
//! is lost or doubled and no "database is locked" reaches a user. Reads run in a
//! deferred transaction so each answer is one consistent snapshot.
//!
//! A team server's idempotency keys live in the ledger file too ([`keys`]): a mutation
//! with a key commits with the key and its answer in one transaction.
//!
//! The file carries a marker (`captain_meta`) and the pipeline's name. A file that is
//! not captain's — not SQLite, SQLite without the marker, a newer schema, another
//! pipeline — is refused with a clear error before anything is written to it.
//! Migrations live in `sqlite/NNNN_*.sql`, are applied in order and never edited.
//!
//! This room stores and answers; it never reads the clock or talks to git.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rand::Rng;
use rusqlite::types::Type;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior, params,
};
use sha2::{Digest, Sha256};

use super::checks;
use super::export::{ExpediteApproval, ExpediteExport, ImportMode, ImportSummary, LedgerRecord};
use super::location::{self, Containing, ReleaseGraph};
use super::ranges::{CommitRanges, RangeInfo, ReleaseFacts};
use super::{
    AuditFilter, Delivery, DeliveryUpdate, DeploymentTotals, HistoryFilter, LedgerCounts, LogLine,
    NewRollback, NotifyState, ParkedEvent, ReleaseFilter, Store, Unlock,
};
use crate::engine::BlockerOverride;
use crate::error::{Error, Result};
use crate::model::*;
use crate::views::metrics::{MetricInputs, MetricRelease};

/// The marker stored in `captain_meta.format`.
const FORMAT_MARKER: &str = "captain-ledger";

/// Append-only: a shipped migration is never edited; changes are new entries.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("sqlite/0001_initial.sql")),
    (2, include_str!("sqlite/0002_run_loop.sql")),
    (3, include_str!("sqlite/0003_idempotency.sql")),
    (4, include_str!("sqlite/0004_observed_data_points.sql")),
    (5, include_str!("sqlite/0005_hotfix.sql")),
    (6, include_str!("sqlite/0006_pipeline_versions.sql")),
    (7, include_str!("sqlite/0007_notify.sql")),
    (8, include_str!("sqlite/0008_freezes.sql")),
    (9, include_str!("sqlite/0009_step_approvals.sql")),
    (10, include_str!("sqlite/0010_expedites.sql")),
    (11, include_str!("sqlite/0011_deployments_by_start.sql")),
    (12, include_str!("sqlite/0012_blocker_states.sql")),
    (13, include_str!("sqlite/0013_release_forks.sql")),
    (14, include_str!("sqlite/0014_reached_by_release.sql")),
    (15, include_str!("sqlite/0015_release_count.sql")),
    (16, include_str!("sqlite/0016_current_release.sql")),
];

mod keys;
mod run;

/// Numbers the stores of this process, so an idempotent transaction knows its own.
static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(0);

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Columns read by [`deployment_from_row`], in order.
macro_rules! deployment_columns {
    () => {
        "seq, id, environment, stage, release, kind, actor, reason, started_at, finished_at, outcome"
    };
}
const DEPLOYMENT_COLUMNS: &str = deployment_columns!();

/// Columns read by [`release_from_row`], in order.
const RELEASE_COLUMNS: &str = "number, commit_sha, base, artifacts, actor, created_at, commit_count, first_commit, hotfix_reason";

/// The SQLite ledger of one pipeline.
pub struct SqliteStore {
    path: PathBuf,
    pipeline: String,
    /// Unique in the process (see `keys`).
    id: u64,
    /// Empty only while this store's idempotent transaction holds the connection, under
    /// this lock (see `keys`): other threads never see it empty.
    conn: Mutex<Option<Connection>>,
}

/// How much a store leaves in the write-ahead log when it is dropped: 64 frames of 4 KiB
/// pages (and the log's header). The next process to open the ledger alone reads each
/// frame to rebuild the log's index — about 2.5 µs a frame here, so at most 0.2 ms —
/// while emptying the log costs the closing command a checkpoint and three `fsync`s
/// (0.5–3 ms each on this machine's disk). Small writes (a deployment's start or finish)
/// leave their frames for a later command to move; a large one (a release of 100 commits
/// on the large case: 851 frames) empties the log as it exits.
const LOG_KEPT_BYTES: u64 = 32 + 64 * (24 + 4096);

/// Set by [`leave_connections_to_the_process_end`].
static LEAVE_OPEN: AtomicBool = AtomicBool::new(false);

/// Says that this process ends right after its command: a dropped store then leaves its
/// connection to the process's end instead of closing it. Closing frees the schema and
/// the statements one by one (0.32 M instructions on the large case, 3% of `status`); the
/// ledger needs nothing of it — the log is never checkpointed on close, the process's
/// locks go with it — and the log is still emptied at drop as [`SqliteStore`] always
/// does. Not for a process that opens stores again and again (a server, a loop).
pub fn leave_connections_to_the_process_end() {
    LEAVE_OPEN.store(true, Ordering::Relaxed);
}

impl Drop for SqliteStore {
    /// Empties a log that holds more than [`LOG_KEPT_BYTES`] (this store wrote, or
    /// another process did and left them): otherwise every later process that opens the
    /// ledger first reads every frame in it. After a `state import` that was half a
    /// gigabyte read by every view (300 ms each on the large case). A view that wrote
    /// nothing finds the log short or empty: one `stat`.
    fn drop(&mut self) {
        let Ok(slot) = self.conn.get_mut() else {
            return;
        };
        let Some(conn) = slot.as_ref() else {
            return;
        };
        let mut log = self.path.as_os_str().to_owned();
        log.push("-wal");
        if std::fs::metadata(&log).is_ok_and(|m| m.len() > LOG_KEPT_BYTES) {
            empty_log(conn);
        }
        if LEAVE_OPEN.load(Ordering::Relaxed) {
            std::mem::forget(slot.take());
        }
    }
}

/// Checkpoints the whole log into the database and truncates it to nothing, without
/// waiting: while another connection reads or writes it answers busy and leaves the log
/// as it is, for the last of them to empty when it closes.
fn empty_log(conn: &Connection) {
    if conn.busy_timeout(Duration::ZERO).is_ok() {
        // The answer (busy, frames in the log, frames checkpointed) changes nothing here.
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// An error inside a transaction: the database's, or captain's own verdict.
enum Fail {
    Db(rusqlite::Error),
    Ledger(Error),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Db(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Ledger(e)
    }
}

type Tx<T> = std::result::Result<T, Fail>;

/// What a file turned out to be, before captain writes to it.
enum FileKind {
    Empty,
    Captain {
        version: i64,
        pipeline: Option<String>,
    },
    Foreign,
}

impl SqliteStore {
    /// Opens (creating if needed) the ledger file of `pipeline` at `path`, applying any
    /// pending migrations. Refuses, without writing to it, a file that is not captain's,
    /// was written by a newer captain, or belongs to another pipeline.
    pub fn open(path: &Path, pipeline: &str) -> Result<SqliteStore> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::failed(format!(
                    "could not create {} for the state file: {e}",
                    parent.display()
                ))
            })?;
        }
        let shown = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::failed(format!("could not open the state file {shown}: {e}")))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(&shown, e))?;
        // Plans never depend on bound values: else a statement with `LIMIT ?` (or a
        // parameter SQLite might plan by) is compiled again each time it runs with new
        // values — `status` compiled one 33 times, once per stage.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(|e| open_error(&shown, e))?;
        // Closing leaves the -wal and -shm files in place: the last connection to close
        // otherwise checkpoints, deletes both, and the next command creates and sizes them
        // again — 30 system calls and two inodes per view (issue 16). Commits still
        // checkpoint the log every 1,000 pages, and a store that leaves more than
        // `LOG_KEPT_BYTES` in the log empties it when it is dropped (see its `Drop`).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(|e| open_error(&shown, e))?;

        // Look before writing anything: a foreign file must stay untouched.
        let kind = inspect(&conn).map_err(|e| open_error(&shown, e))?;
        // A ledger at the newest schema needs no migration transaction (which takes the
        // write lock: every read-only command took it).
        let current =
            matches!(&kind, FileKind::Captain { version, .. } if *version == latest_version());
        check_kind(&shown, kind, pipeline)?;

        set_wal(&conn).map_err(|e| open_error(&shown, e))?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;",
        )
        .map_err(|e| open_error(&shown, e))?;
        if !current {
            migrate(&mut conn, &shown, pipeline)?;
        }

        Ok(SqliteStore {
            path: path.to_path_buf(),
            pipeline: pipeline.to_string(),
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            conn: Mutex::new(Some(conn)),
        })
    }

    /// The pipeline this ledger belongs to.
    pub fn pipeline(&self) -> &str {
        &self.pipeline
    }

    fn conn(&self) -> Result<MutexGuard<'_, Option<Connection>>> {
        self.conn
            .lock()
            .map_err(|_| Error::internal("the state file connection was poisoned by a panic"))
    }

    fn missing(&self) -> Error {
        Error::internal(format!(
            "the connection to the state file {} went missing",
            self.path.display()
        ))
    }

    fn fail(&self, fail: Fail) -> Error {
        match fail {
            Fail::Ledger(e) => e,
            Fail::Db(e) => db_error(&self.path.display().to_string(), e),
        }
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it or nothing. Inside an
    /// idempotent request on this store, in its transaction instead.
    fn write<T>(&self, f: impl FnOnce(&Connection) -> Tx<T>) -> Result<T> {
        let f = match keys::join(self, f) {
            keys::Joined::Ran(result) => return result,
            keys::Joined::Alone(f) => f,
        };
        let mut guard = self.conn()?;
        let conn = guard.as_mut().ok_or_else(|| self.missing())?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.fail(e.into()))?;
        let value = f(&tx).map_err(|e| self.fail(e))?;
        tx.commit().map_err(|e| self.fail(e.into()))?;
        Ok(value)
    }

    /// Runs `f` in one read transaction (one consistent snapshot). Inside an idempotent
    /// request on this store, in its transaction instead (which sees its own writes).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Tx<T>) -> Result<T> {
        let f = match keys::join(self, f) {
            keys::Joined::Ran(result) => return result,
            keys::Joined::Alone(f) => f,
        };
        let mut guard = self.conn()?;
        let conn = guard.as_mut().ok_or_else(|| self.missing())?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| self.fail(e.into()))?;
        let value = f(&tx).map_err(|e| self.fail(e))?;
        tx.finish().map_err(|e| self.fail(e.into()))?;
        Ok(value)
    }
}

fn open_error(path: &str, e: rusqlite::Error) -> Error {
    if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) {
        return Error::failed(format!(
            "{path} is not a captain state file (it is not an SQLite database)"
        ))
        .with_hint("point --state (or CAPTAIN_STATE) at another file, or move this one away");
    }
    db_error(path, e)
}

fn db_error(path: &str, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::failed(format!(
            "the state file {path} stayed busy for {} s while other captain processes wrote to it",
            BUSY_TIMEOUT.as_secs()
        ))
        .with_hint("try again; if it persists, look for a stuck captain process"),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            Error::failed(format!("the state file {path} is corrupt: {e}"))
                .with_hint("restore it from a `captain state export` backup")
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            Error::failed(format!("cannot write the state file {path}: {e}"))
        }
        Some(ErrorCode::DiskFull) => {
            Error::failed(format!("the disk holding the state file {path} is full"))
        }
        _ => Error::internal(format!("the state file {path} failed: {e}")),
    }
}

fn inspect(conn: &Connection) -> rusqlite::Result<FileKind> {
    // Inside a migration's transaction already, or else one read transaction of its own:
    // each statement on its own took and dropped the read lock (two `fcntl`s and an
    // `fstat` each) before every command.
    if !conn.is_autocommit() {
        return inspect_in_snapshot(conn);
    }
    let snapshot = conn.unchecked_transaction()?;
    let kind = inspect_in_snapshot(&snapshot)?;
    snapshot.commit()?;
    Ok(kind)
}

fn inspect_in_snapshot(conn: &Connection) -> rusqlite::Result<FileKind> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let tables = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<BTreeSet<_>>>()?;
    if tables.is_empty() {
        return Ok(FileKind::Empty);
    }
    if !tables.contains("captain_meta") || !tables.contains("schema_migrations") {
        return Ok(FileKind::Foreign);
    }
    let (format, pipeline, version) = conn.query_row(
        "SELECT (SELECT value FROM captain_meta WHERE key = 'format'),
                (SELECT value FROM captain_meta WHERE key = 'pipeline'),
                (SELECT coalesce(max(version), 0) FROM schema_migrations)",
        [],
        |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, i64>(2)?,
            ))
        },
    )?;
    if format.as_deref() != Some(FORMAT_MARKER) {
        return Ok(FileKind::Foreign);
    }
    Ok(FileKind::Captain { version, pipeline })
}

fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |(version, _)| *version)
}

fn check_kind(path: &str, kind: FileKind, pipeline: &str) -> Result<()> {
    match kind {
        FileKind::Empty => Ok(()),
        FileKind::Foreign => Err(Error::failed(format!(
            "{path} is not a captain state file (it is an SQLite database without captain's tables)"
        ))
        .with_hint("point --state (or CAPTAIN_STATE) at another file; captain left this one untouched")),
        FileKind::Captain { version, .. } if version > latest_version() => Err(Error::failed(format!(
            "the state file {path} was written by a newer captain (schema version {version}; this captain knows up to {})",
            latest_version()
        ))
        .with_hint("upgrade captain to use this state file")),
        FileKind::Captain { pipeline: Some(owner), .. } if owner != pipeline => Err(Error::failed(format!(
            "the state file {path} holds the ledger of pipeline `{owner}`, not `{pipeline}`"
        ))
        .with_hint("each pipeline has its own state file; choose another with --state")),
        FileKind::Captain { .. } => Ok(()),
    }
}

/// Switches to WAL. Converting needs a moment alone with the file, which many processes
/// opening a new file at once may not give on the first try.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Ok(_) => return Ok(()),
            Err(e)
                if tries < 200
                    && matches!(
                        e.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) =>
            {
                tries += 1;
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(e) => return Err(e),
        }
    }
}

fn migrate(conn: &mut Connection, path: &str, pipeline: &str) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| open_error(path, e))?;
    // Another process may have created or migrated the file since we looked.
    let kind = inspect(&tx).map_err(|e| open_error(path, e))?;
    let current = match &kind {
        FileKind::Captain { version, .. } => *version,
        _ => 0,
    };
    let fresh = matches!(kind, FileKind::Empty);
    check_kind(path, kind, pipeline)?;
    let apply = || -> rusqlite::Result<()> {
        if fresh {
            tx.execute_batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);")?;
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )?;
        }
        if fresh {
            tx.execute(
                "INSERT INTO captain_meta (key, value) VALUES ('format', ?1)",
                [FORMAT_MARKER],
            )?;
            tx.execute(
                "INSERT INTO captain_meta (key, value) VALUES ('pipeline', ?1)",
                [pipeline],
            )?;
        }
        Ok(())
    };
    apply().map_err(|e| db_error(path, e))?;
    tx.commit().map_err(|e| db_error(path, e))
}

// ---- conversions -------------------------------------------------------------------

fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The ledger keeps microseconds; callers get back exactly what a later read returns.
fn truncate(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

fn conversion(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

/// Column `idx`, text captain wrote, parsed as `T` (a kind, an outcome, a direction)
/// without copying it out of the row first.
fn parsed<T>(row: &Row, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text = row.get_ref(idx)?.as_str().map_err(|e| conversion(idx, e))?;
    text.parse().map_err(|e| conversion(idx, e))
}

fn ts(row: &Row, idx: usize) -> rusqlite::Result<Timestamp> {
    Timestamp::from_microsecond(row.get(idx)?).map_err(|e| conversion(idx, e))
}

fn opt_ts(row: &Row, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<i64>>(idx)?
        .map(|v| Timestamp::from_microsecond(v).map_err(|e| conversion(idx, e)))
        .transpose()
}

fn release_number(row: &Row, idx: usize) -> rusqlite::Result<ReleaseNumber> {
    Ok(ReleaseNumber(
        row.get::<_, i64>(idx)?
            .try_into()
            .map_err(|e| conversion(idx, e))?,
    ))
}

fn num(r: ReleaseNumber) -> i64 {
    i64::try_from(r.0).unwrap_or(i64::MAX)
}

fn deployment_from_row(row: &Row) -> rusqlite::Result<(i64, Deployment)> {
    Ok((
        row.get(0)?,
        Deployment {
            id: DeploymentId(row.get(1)?),
            environment: row.get(2)?,
            stage: row.get(3)?,
            release: release_number(row, 4)?,
            kind: parsed(row, 5)?,
            actor: row.get(6)?,
            reason: row.get(7)?,
            started_at: ts(row, 8)?,
            finished_at: opt_ts(row, 9)?,
            outcome: parsed(row, 10)?,
        },
    ))
}

fn release_from_row(row: &Row) -> rusqlite::Result<Release> {
    let artifacts: String = row.get(3)?;
    let actor: String = row.get(4)?;
    let hotfix = row.get::<_, Option<String>>(8)?.map(|reason| Hotfix {
        reason,
        actor: actor.clone(),
    });
    Ok(Release {
        number: release_number(row, 0)?,
        commit: row.get(1)?,
        base: row
            .get::<_, Option<i64>>(2)?
            .map(|b| u64::try_from(b).map(ReleaseNumber))
            .transpose()
            .map_err(|e| conversion(2, e))?,
        artifacts: serde_json::from_str(&artifacts).map_err(|e| conversion(3, e))?,
        actor,
        created_at: ts(row, 5)?,
        commit_count: u64::try_from(row.get::<_, i64>(6)?).map_err(|e| conversion(6, e))?,
        first_commit: row.get(7)?,
        hotfix,
    })
}

fn lock_from_row(row: &Row) -> rusqlite::Result<Lock> {
    Ok(Lock {
        target_kind: parsed(row, 0)?,
        target: row.get(1)?,
        direction: parsed(row, 2)?,
        actor: row.get(3)?,
        reason: row.get(4)?,
        created_at: ts(row, 5)?,
        until: row
            .get::<_, Option<i64>>(6)?
            .map(|t| Timestamp::from_microsecond(t).map_err(|e| conversion(6, e)))
            .transpose()?,
    })
}

fn audit_from_row(row: &Row) -> rusqlite::Result<AuditEvent> {
    let details: String = row.get(6)?;
    Ok(AuditEvent {
        seq: row.get(0)?,
        at: ts(row, 1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        target: row.get(4)?,
        reason: row.get(5)?,
        details: serde_json::from_str(&details).map_err(|e| conversion(6, e))?,
    })
}

fn limit(value: Option<usize>) -> i64 {
    value.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX))
}

// ---- queries shared by operations ------------------------------------------------

fn release_by_number(conn: &Connection, number: ReleaseNumber) -> Tx<Option<Release>> {
    let sql = format!("SELECT {RELEASE_COLUMNS} FROM releases WHERE number = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([num(number)], release_from_row)
        .optional()?)
}

/// The first release that introduced `commit` (full sha), by the ledger's commit lists.
/// Every release lists what it added to its base (the first one its whole history), so
/// this is the first release that contains the commit, if any does.
fn first_release_introducing(conn: &Connection, commit: &str) -> Tx<Option<ReleaseNumber>> {
    Ok(conn
        .prepare_cached("SELECT min(release) FROM release_commits WHERE sha = ?1")?
        .query_row([commit], |row| {
            row.get::<_, Option<i64>>(0)?
                .map(|n| u64::try_from(n).map(ReleaseNumber))
                .transpose()
                .map_err(|e| conversion(0, e))
        })?)
}

fn release_with_commit(conn: &Connection, commit: &str) -> Tx<Option<Release>> {
    let sql = format!("SELECT {RELEASE_COLUMNS} FROM releases WHERE commit_sha = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([commit], release_from_row)
        .optional()?)
}

fn deployment_by_seq(conn: &Connection, seq: i64) -> Tx<Option<Deployment>> {
    // A literal: status reads three deployments per environment.
    let sql = concat!(
        "SELECT ",
        deployment_columns!(),
        " FROM deployments WHERE seq = ?1"
    );
    Ok(conn
        .prepare_cached(sql)?
        .query_row([seq], deployment_from_row)
        .optional()?
        .map(|(_, d)| d))
}

fn deployment_by_id(conn: &Connection, id: &DeploymentId) -> Tx<Option<(i64, Deployment)>> {
    let sql = concat!(
        "SELECT ",
        deployment_columns!(),
        " FROM deployments WHERE id = ?1"
    );
    Ok(conn
        .prepare_cached(sql)?
        .query_row([&id.0], deployment_from_row)
        .optional()?)
}

/// `(current, in progress, last finished)` deployment seqs of an environment.
fn state_seqs(conn: &Connection, environment: &str) -> Tx<(Option<i64>, Option<i64>, Option<i64>)> {
    Ok(conn
        .prepare_cached(
            "SELECT current_seq, in_progress_seq, last_finished_seq FROM environment_state WHERE environment = ?1",
        )?
        .query_row([environment], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?
        .unwrap_or((None, None, None)))
}

/// Every environment's current release, in one statement (a view of 160 environments
/// asked 160 times). `environments`: how many the caller expects, to size the map
/// (growing it rehashes every key it holds).
fn current_releases(conn: &Connection, environments: usize) -> Tx<HashMap<String, ReleaseNumber>> {
    let mut currents = HashMap::with_capacity(environments);
    for row in conn
        .prepare_cached(
            "SELECT environment, current_release FROM environment_state
             WHERE current_release IS NOT NULL",
        )?
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, release_number(row, 1)?))
        })?
    {
        let (environment, release) = row?;
        currents.insert(environment, release);
    }
    Ok(currents)
}

fn audit(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    reason: Option<&str>,
    details: serde_json::Value,
) -> Tx<()> {
    conn.prepare_cached(
        "INSERT INTO audit_events (at, actor, action, target, reason, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![micros(at), actor, action, target, reason, details.to_string()])?;
    Ok(())
}

fn pipeline_version_from_row(row: &Row) -> rusqlite::Result<PipelineVersion> {
    Ok(PipelineVersion {
        version: u32::try_from(row.get::<_, i64>(0)?).unwrap_or_default(),
        definition: row.get(1)?,
        digest: row.get(2)?,
        actor: row.get(3)?,
        reason: row.get(4)?,
        at: ts(row, 5)?,
    })
}

const PIPELINE_VERSION_COLUMNS: &str = "version, definition, digest, actor, reason, at";

fn pipeline_version(conn: &Connection, version: Option<u32>) -> Tx<Option<PipelineVersion>> {
    let sql = format!(
        "SELECT {PIPELINE_VERSION_COLUMNS} FROM pipeline_versions
         WHERE ?1 IS NULL OR version = ?1 ORDER BY version DESC LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([version.map(i64::from)], pipeline_version_from_row)
        .optional()?)
}

fn push_pipeline(conn: &Connection, push: NewPipelineVersion) -> Tx<PushedPipeline> {
    let newest = pipeline_version(conn, None)?;
    if checks::require_valid_push(&push, newest.as_ref())? {
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
        definition: push.definition,
        actor: push.actor,
        reason: push.reason,
        at: truncate(push.at),
    };
    let sql = format!(
        "INSERT INTO pipeline_versions ({PIPELINE_VERSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    );
    conn.prepare_cached(&sql)?.execute(params![
        i64::from(version.version),
        version.definition,
        version.digest,
        version.actor,
        version.reason,
        micros(version.at)
    ])?;
    audit(
        conn,
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

fn max_deployment_seq(conn: &Connection) -> Tx<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(seq), 0) FROM deployments", [], |row| {
            row.get(0)
        })?,
    )
}

/// Stores a snapshot once per distinct content and returns its id.
fn snapshot_id(conn: &Connection, snapshot: &DependencySnapshot) -> Tx<i64> {
    let body = serde_json::to_string(snapshot)
        .map_err(|e| Error::internal(format!("dependency snapshot: {e}")))?;
    let hash = format!("{:x}", Sha256::digest(body.as_bytes()));
    conn.prepare_cached("INSERT INTO dependency_snapshots (hash, body) VALUES (?1, ?2) ON CONFLICT (hash) DO NOTHING")?
        .execute(params![hash, body])?;
    Ok(conn
        .prepare_cached("SELECT id FROM dependency_snapshots WHERE hash = ?1")?
        .query_row([hash], |row| row.get(0))?)
}

fn insert_commits(conn: &Connection, release: ReleaseNumber, commits: &[CommitInfo]) -> Tx<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO release_commits (release, position, sha, author, time, subject, parents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (position, commit) in commits.iter().enumerate() {
        let sha = full_sha(&commit.sha, "commit")?;
        stmt.execute(params![
            num(release),
            i64::try_from(position).unwrap_or(i64::MAX),
            sha,
            commit.author,
            micros(commit.time),
            commit.subject,
            commit.parents
        ])?;
    }
    Ok(())
}

fn insert_release(conn: &Connection, release: &Release, snapshot: i64, floor: i64) -> Tx<()> {
    let artifacts = serde_json::to_string(&release.artifacts)
        .map_err(|e| Error::internal(format!("artifacts: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO releases (number, commit_sha, base, artifacts, actor, created_at, commit_count, first_commit,
                               snapshot, deploy_floor, hotfix_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        num(release.number),
        release.commit,
        release.base.map(num),
        artifacts,
        release.actor,
        micros(release.created_at),
        i64::try_from(release.commit_count).unwrap_or(i64::MAX),
        release.first_commit,
        snapshot,
        floor,
        release.hotfix.as_ref().map(|h| h.reason.as_str())
    ])?;
    Ok(())
}

fn insert_deployment(conn: &Connection, d: &Deployment) -> Tx<i64> {
    conn.prepare_cached(
        "INSERT INTO deployments (id, environment, stage, release, kind, actor, reason, started_at, finished_at,
                                  outcome, reached)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        d.id.0,
        d.environment,
        d.stage,
        num(d.release),
        d.kind.as_str(),
        d.actor,
        d.reason,
        micros(d.started_at),
        d.finished_at.map(micros),
        d.outcome.as_str(),
        d.outcome.reached()
    ])?;
    Ok(conn.last_insert_rowid())
}

fn new_deployment_id(conn: &Connection) -> Tx<DeploymentId> {
    let mut rng = rand::rng();
    let mut exists = conn.prepare_cached("SELECT 1 FROM deployments WHERE id = ?1")?;
    for attempt in 0u32.. {
        // Six digits normally; after a few collisions the id space is crowded: grow it.
        let digits = 6 + 2 * (attempt / 3).min(5);
        let value: u64 = rng.random_range(0..(1u64 << (4 * digits)));
        let id = format!("deploy-{value:0width$x}", width = digits as usize);
        if !exists.exists([&id])? {
            return Ok(DeploymentId(id));
        }
    }
    Err(Error::internal("could not pick a free deployment id").into())
}

/// The ledger's answers for [`CommitRanges`].
struct Facts<'c>(&'c Connection);

impl ReleaseFacts for Facts<'_> {
    type Error = Fail;

    fn releases(&mut self, low: ReleaseNumber, high: ReleaseNumber) -> Tx<Vec<RangeInfo>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT number, base, commit_sha, commit_count, first_commit FROM releases
             WHERE number BETWEEN ?1 AND ?2",
        )?;
        let releases = stmt
            .query_map(params![num(low), num(high)], |row| {
                Ok(RangeInfo {
                    number: release_number(row, 0)?,
                    base: row
                        .get::<_, Option<i64>>(1)?
                        .and_then(|b| u64::try_from(b).ok())
                        .map(ReleaseNumber),
                    commit: row.get(2)?,
                    commit_count: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                    first_commit: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(releases)
    }

    fn introduced(&mut self, numbers: &[ReleaseNumber]) -> Tx<Vec<(ReleaseNumber, String)>> {
        // In-process, a prepared statement per release costs no round trip.
        let mut stmt = self.0.prepare_cached(
            "SELECT sha FROM release_commits WHERE release = ?1 ORDER BY position",
        )?;
        let mut pairs = Vec::new();
        for &number in numbers {
            for sha in stmt.query_map([num(number)], |row| row.get::<_, String>(0))? {
                pairs.push((number, sha?));
            }
        }
        Ok(pairs)
    }
}

// ---- operations ---------------------------------------------------------------------

fn create_release(conn: &Connection, new: NewRelease) -> Tx<CreatedRelease> {
    let commit = full_sha(&new.commit, "release commit")?;
    if let Some(existing) = release_with_commit(conn, &commit)? {
        return Ok(checks::release_again(existing, &new, &commit)?);
    }
    if let Some(containing) = first_release_introducing(conn, &commit)? {
        return Err(checks::contained_already(&commit, containing).into());
    }
    let hotfix = checks::hotfix(new.hotfix_reason.as_deref(), &new.actor, &commit)?;
    if let Some(base) = new.base
        && release_by_number(conn, base)?.is_none()
    {
        return Err(checks::missing_base(base, &commit).into());
    }
    let next: i64 = conn.query_row(
        "SELECT coalesce(max(number), 0) + 1 FROM releases",
        [],
        |row| row.get(0),
    )?;
    let number = ReleaseNumber(
        u64::try_from(next).map_err(|e| Error::internal(format!("release number: {e}")))?,
    );
    let release = Release {
        number,
        commit: commit.clone(),
        base: new.base,
        artifacts: new.artifacts,
        actor: new.actor,
        created_at: truncate(new.created_at),
        commit_count: new.commits.len() as u64,
        first_commit: new.commits.last().map(|c| c.sha.to_ascii_lowercase()),
        hotfix,
    };
    let snapshot = snapshot_id(conn, &new.dependencies)?;
    insert_release(conn, &release, snapshot, max_deployment_seq(conn)?)?;
    insert_commits(conn, number, &new.commits)?;
    let hotfix = release.hotfix.as_ref().map(|h| h.reason.as_str());
    audit(
        conn,
        release.created_at,
        &release.actor,
        "release.create",
        &number.to_string(),
        hotfix,
        serde_json::json!({"commit": commit, "base": release.base, "artifacts": release.artifacts,
                           "commits": release.commit_count, "hotfix": hotfix.is_some()}),
    )?;
    Ok(CreatedRelease {
        release,
        created: true,
    })
}

fn start_deployment(conn: &Connection, new: NewDeployment) -> Tx<Deployment> {
    checks::require_valid_start(&new)?;
    let release_exists = release_by_number(conn, new.release)?.is_some();
    let (current_seq, in_progress, _) = state_seqs(conn, &new.environment)?;
    let running = match in_progress {
        Some(seq) => deployment_by_seq(conn, seq)?,
        None => None,
    };
    checks::require_startable(&new, release_exists, running.as_ref())?;
    if checks::is_promotion(&new) {
        check_promotion(conn, &new)?;
        let current = match current_seq {
            Some(seq) => deployment_by_seq(conn, seq)?,
            None => None,
        };
        checks::require_not_older(&new, current.as_ref())?;
    }
    let deployment = new.starting(new_deployment_id(conn)?, truncate(new.started_at));
    let seq = insert_deployment(conn, &deployment)?;
    conn.prepare_cached(
        "INSERT INTO environment_state (environment, in_progress_seq) VALUES (?1, ?2)
         ON CONFLICT (environment) DO UPDATE SET in_progress_seq = excluded.in_progress_seq",
    )?
    .execute(params![deployment.environment, seq])?;
    audit(
        conn,
        deployment.started_at,
        &deployment.actor,
        "deployment.start",
        &deployment.id.0,
        deployment.reason.as_deref(),
        serde_json::json!({"environment": deployment.environment, "stage": deployment.stage,
                           "release": deployment.release, "kind": deployment.kind, "force": new.force}),
    )?;
    Ok(deployment)
}

fn start_rollback(conn: &Connection, rollback: NewRollback) -> Tx<Vec<Deployment>> {
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
    let at = truncate(rollback.at);
    let reason = rollback
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let mut started = Vec::with_capacity(rollback.environments.len());
    for target in rollback.environments {
        let (current_seq, in_progress_seq, _) = state_seqs(conn, &target.environment)?;
        let current = match current_seq {
            Some(seq) => deployment_by_seq(conn, seq)?,
            None => None,
        };
        let running = match in_progress_seq {
            Some(seq) => deployment_by_seq(conn, seq)?,
            None => None,
        };
        checks::require_unchanged(&target, current.as_ref(), running.as_ref(), at, |id| {
            Ok::<_, Fail>(deployment_by_id(conn, id)?.map(|(_, d)| d))
        })?;
        let cancelled = match running {
            Some(running) if running.kind == DeploymentKind::Rollback => {
                return Err(
                    checks::refuse_second_rollback(&target.environment, &running, at).into(),
                );
            }
            Some(running) => Some(finish_deployment(
                conn,
                FinishDeployment {
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
        let already_locked = conn
            .prepare_cached(
                "SELECT 1 FROM locks WHERE target_kind = 'environment' AND target = ?1 AND direction = 'both'",
            )?
            .exists([&target.environment])?;
        if !already_locked {
            set_lock(
                conn,
                Lock {
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
            conn,
            NewDeployment {
                environment: target.environment.clone(),
                stage: target.stage,
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
            conn,
            at,
            &rollback.actor,
            "rollback.start",
            &target.environment,
            reason.as_deref(),
            serde_json::json!({"deployment": deployment.id, "from": current.map(|d| d.release),
                               "to": deployment.release, "cancelled": cancelled.map(|d| d.id),
                               "locked": !already_locked}),
        )?;
        started.push(deployment);
    }
    Ok(started)
}

/// The previous stage approved the release, and no lock stands in the way.
fn check_promotion(conn: &Connection, new: &NewDeployment) -> Tx<()> {
    if let Some(check) = &new.promotion_check {
        let mut missing = Vec::new();
        for environment in &check.previous_environments {
            if !approved_in(conn, new.release, environment)? {
                missing.push(environment.as_str());
            }
        }
        checks::require_approved(new, &missing)?;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT target_kind, target, direction, actor, reason, created_at, until FROM locks",
    )?;
    let locks = stmt
        .query_map([], lock_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    checks::require_unlocked(new, &locks)?;
    Ok(())
}

fn approved_in(conn: &Connection, release: ReleaseNumber, environment: &str) -> Tx<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM deployments INDEXED BY deployments_by_release
             WHERE environment = ?1 AND release = ?2 AND outcome = 'approved'",
        )?
        .exists(params![environment, num(release)])?)
}

fn finish_deployment(conn: &Connection, finish: FinishDeployment) -> Tx<Deployment> {
    checks::require_finishing_outcome(&finish)?;
    let Some((seq, mut deployment)) = deployment_by_id(conn, &finish.id)? else {
        return Err(checks::unknown_deployment(&finish.id).into());
    };
    if deployment.outcome.is_finished() {
        return Ok(checks::finished_already(&finish, deployment)?);
    }
    let finished_at = truncate(finish.finished_at);
    conn.prepare_cached(
        "UPDATE deployments SET outcome = ?1, finished_at = ?2, reached = ?3 WHERE seq = ?4",
    )?
    .execute(params![
        finish.outcome.as_str(),
        micros(finished_at),
        finish.outcome.reached(),
        seq
    ])?;
    conn.prepare_cached(
        "UPDATE environment_state SET
             in_progress_seq = CASE WHEN in_progress_seq = ?2 THEN NULL ELSE in_progress_seq END,
             last_finished_seq = max(coalesce(last_finished_seq, 0), ?2),
             current_seq = CASE WHEN ?3 AND ?2 > coalesce(current_seq, 0) THEN ?2 ELSE current_seq END,
             current_release = CASE WHEN ?3 AND ?2 > coalesce(current_seq, 0) THEN ?4 ELSE current_release END
         WHERE environment = ?1",
    )?
    .execute(params![
        deployment.environment,
        seq,
        finish.outcome.reached(),
        num(deployment.release)
    ])?;
    // The loop's progress row belongs to deployments in progress only.
    conn.prepare_cached("DELETE FROM deployment_progress WHERE deployment = ?1")?
        .execute([seq])?;
    deployment.outcome = finish.outcome;
    deployment.finished_at = Some(finished_at);
    audit(
        conn,
        finished_at,
        &finish.actor,
        "deployment.finish",
        &deployment.id.0,
        finish.reason.as_deref(),
        serde_json::json!({"environment": deployment.environment, "release": deployment.release,
                           "outcome": deployment.outcome}),
    )?;
    Ok(deployment)
}

fn history(conn: &Connection, environment: &str, filter: &HistoryFilter) -> Tx<Vec<HistoryEntry>> {
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM deployments
         WHERE environment = ?1 AND started_at >= ?2 ORDER BY seq DESC LIMIT ?3"
    );
    let since = filter.since.map_or(i64::MIN, micros);
    let mut rows = conn
        .prepare_cached(&sql)?
        .query_map(
            params![environment, since, limit(filter.limit)],
            deployment_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.reverse();
    let Some((oldest, _)) = rows.first() else {
        return Ok(Vec::new());
    };
    let mut current: Option<ReleaseNumber> = conn
        .prepare_cached(
            "SELECT release FROM deployments WHERE environment = ?1 AND reached = 1 AND seq < ?2
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row(params![environment, oldest], |row| release_number(row, 0))
        .optional()?;
    let mut ranges = CommitRanges::new(Facts(conn));
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

fn metric_inputs(conn: &Connection, since: Timestamp, until: Timestamp) -> Tx<MetricInputs> {
    let sql = format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM deployments
         WHERE started_at >= ?1 AND started_at <= ?2 ORDER BY seq"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![micros(since), micros(until)], deployment_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let Some((first_seq, _)) = rows.first() else {
        return Ok(MetricInputs::default());
    };
    let mut prior = BTreeMap::new();
    let environments = conn
        .prepare_cached("SELECT environment FROM environment_state")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut before = conn.prepare_cached(
        "SELECT release FROM deployments WHERE environment = ?1 AND reached = 1 AND seq < ?2
         ORDER BY seq DESC LIMIT 1",
    )?;
    for environment in environments {
        let release = before
            .query_row(params![environment, first_seq], |row| {
                release_number(row, 0)
            })
            .optional()?;
        if let Some(release) = release {
            prior.insert(environment, release);
        }
    }
    let numbers = rows
        .iter()
        .map(|(_, d)| d.release)
        .chain(prior.values().copied());
    let (low, high) = super::metric_release_range(numbers, rows.iter().map(|(_, d)| d.release));
    let mut times: HashMap<ReleaseNumber, Vec<Timestamp>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT release, time FROM release_commits WHERE release >= ?1 AND release <= ?2",
    )?;
    let mut commit_rows = stmt.query(params![num(low), num(high)])?;
    while let Some(row) = commit_rows.next()? {
        times
            .entry(release_number(row, 0)?)
            .or_default()
            .push(ts(row, 1)?);
    }
    let releases = conn
        .prepare_cached(
            "SELECT number, base, created_at, artifacts <> '{}' FROM releases
             WHERE number >= ?1 AND number <= ?2 ORDER BY number",
        )?
        .query_map(params![num(low), num(high)], |row| {
            let base: Option<i64> = row.get(1)?;
            Ok(MetricRelease {
                number: release_number(row, 0)?,
                base: base
                    .map(|b| u64::try_from(b).map(ReleaseNumber))
                    .transpose()
                    .map_err(|e| conversion(1, e))?,
                created_at: ts(row, 2)?,
                has_artifacts: row.get(3)?,
                commit_times: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|mut r| {
            r.commit_times = times.remove(&r.number).unwrap_or_default();
            r
        })
        .collect();
    Ok(MetricInputs {
        deployments: rows.into_iter().map(|(_, d)| d).collect(),
        prior,
        releases,
    })
}

fn ledger_counts(conn: &Connection) -> Tx<LedgerCounts> {
    let buckets: String = super::DURATION_BUCKETS
        .iter()
        .map(|b| format!(", sum(finished_at - started_at <= {})", b * 1_000_000))
        .collect();
    let sql = format!(
        "SELECT stage, kind, outcome, count(*),
                coalesce(sum(finished_at - started_at), 0) / 1000000.0{buckets}
         FROM deployments GROUP BY stage, kind, outcome ORDER BY stage, kind, outcome"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let deployments = stmt
        .query_map([], |row| {
            let mut duration_buckets = Vec::with_capacity(super::DURATION_BUCKETS.len());
            for i in 0..super::DURATION_BUCKETS.len() {
                let n: Option<i64> = row.get(5 + i)?;
                duration_buckets.push(u64::try_from(n.unwrap_or(0)).unwrap_or(0));
            }
            Ok(DeploymentTotals {
                stage: row.get(0)?,
                kind: parsed(row, 1)?,
                outcome: parsed(row, 2)?,
                count: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                duration_sum_seconds: row.get(4)?,
                duration_buckets,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lock_changes = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM audit_events WHERE action = ?1")?;
    for action in super::LOCK_ACTIONS {
        let n: i64 = stmt.query_row([action], |row| row.get(0))?;
        lock_changes.push((action.to_string(), u64::try_from(n).unwrap_or(0)));
    }
    Ok(LedgerCounts {
        deployments,
        lock_changes,
    })
}

/// The states of `environments`, in their order, in two statements (status asks for 160
/// environments: one statement per deployment was 640).
fn environment_states(conn: &Connection, environments: &[String]) -> Tx<Vec<EnvironmentState>> {
    type Seqs = (Option<i64>, Option<i64>, Option<i64>);
    let mut seqs: HashMap<String, Seqs> = HashMap::new();
    for row in conn
        .prepare_cached(
            "SELECT environment, current_seq, in_progress_seq, last_finished_seq FROM environment_state",
        )?
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?, row.get(3)?)))
        })?
    {
        let (environment, found) = row?;
        seqs.insert(environment, found);
    }
    let wanted: Vec<i64> = environments
        .iter()
        .filter_map(|e| seqs.get(e))
        .flat_map(|(a, b, c)| [*a, *b, *c])
        .flatten()
        .collect();
    let mut deployments: HashMap<i64, Deployment> = HashMap::with_capacity(wanted.len());
    if !wanted.is_empty() {
        let list = serde_json::to_string(&wanted).map_err(|e| conversion(0, e))?;
        let sql = concat!(
            "SELECT ",
            deployment_columns!(),
            " FROM deployments WHERE seq IN (SELECT value FROM json_each(?1))"
        );
        for row in conn
            .prepare_cached(sql)?
            .query_map([list], deployment_from_row)?
        {
            let (seq, deployment) = row?;
            deployments.insert(seq, deployment);
        }
    }
    // A deployment is often two of an environment's three (current and last finished):
    // it is copied for all but its last use, which takes it.
    let mut uses: HashMap<i64, usize> = HashMap::with_capacity(wanted.len());
    for seq in &wanted {
        *uses.entry(*seq).or_default() += 1;
    }
    let mut take = |seq: Option<i64>| {
        let seq = seq?;
        let left = uses.get_mut(&seq)?;
        *left -= 1;
        if *left == 0 {
            deployments.remove(&seq)
        } else {
            deployments.get(&seq).cloned()
        }
    };
    Ok(environments
        .iter()
        .map(|environment| {
            let (current, in_progress, last_finished) =
                seqs.get(environment).copied().unwrap_or((None, None, None));
            EnvironmentState {
                environment: environment.clone(),
                current: take(current),
                in_progress: take(in_progress),
                last_finished: take(last_finished),
            }
        })
        .collect())
}

/// Resolves a full sha or a unique prefix (≥ 4 hex digits) among recorded commits.
fn resolve_commit(conn: &Connection, text: &str) -> Tx<String> {
    let (prefix, upper) = checks::commit_prefix_range(text)?;
    let mut matches = BTreeSet::new();
    for sql in [
        "SELECT DISTINCT sha FROM release_commits WHERE sha >= ?1 AND sha < ?2 LIMIT 3",
        "SELECT commit_sha FROM releases WHERE commit_sha >= ?1 AND commit_sha < ?2 LIMIT 3",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        for sha in stmt.query_map(params![prefix, upper], |row| row.get::<_, String>(0))? {
            matches.insert(sha?);
        }
    }
    Ok(checks::one_commit(text, matches)?)
}

fn locate_commit(conn: &Connection, text: &str, environments: &[String]) -> Tx<CommitLocation> {
    let commit = resolve_commit(conn, text)?;
    let mut introduced_by = BTreeSet::new();
    for sql in [
        "SELECT release FROM release_commits WHERE sha = ?1",
        "SELECT number FROM releases WHERE commit_sha = ?1",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        for number in stmt.query_map([&commit], |row| release_number(row, 0))? {
            introduced_by.insert(number?);
        }
    }
    let graph = match introduced_by.iter().next() {
        Some(first) => release_graph(conn, *first)?,
        None => ReleaseGraph::default(),
    };
    let containing = location::containing_releases(&graph, &introduced_by);
    let release = location::first_containing(&containing);
    let floor: i64 = match release {
        Some(first) => conn
            .prepare_cached("SELECT deploy_floor FROM releases WHERE number = ?1")?
            .query_row([num(first)], |row| row.get(0))?,
        None => i64::MAX,
    };

    let mut location = CommitLocation {
        commit,
        release,
        deployed_to: Vec::new(),
        not_deployed_to: Vec::new(),
        history: Vec::new(),
    };
    let currents = current_releases(conn, environments.len())?;
    let mut few = if !containing.is_empty() && containing.len() <= FEW_CONTAINING {
        Some(first_arrivals_of_few(conn, environments, &containing)?)
    } else {
        None
    };
    let mut paged = match (&few, containing.is_empty()) {
        (None, false) => Some(first_arrivals_in_page(
            conn,
            environments,
            &containing,
            floor,
        )?),
        _ => None,
    };
    // Prepared once for all environments the page leaves open: looking a statement up in
    // the cache hashes its text, and handing it back resets it.
    let mut walk = None;
    for environment in environments {
        let current = currents.get(environment).copied();
        if current.is_some_and(|r| containing.contains(&r)) {
            location.deployed_to.push(environment.clone());
        } else {
            location.not_deployed_to.push(environment.clone());
        }
        let arrival = match (&mut few, &mut paged) {
            (Some(found), _) => found.remove(environment).map(|(_, a)| a),
            (None, Some(page)) => match page.arrivals.remove(environment.as_str()) {
                Some(arrival) => arrival,
                None => {
                    let walk = match &mut walk {
                        Some(walk) => walk,
                        None => walk.insert(conn.prepare_cached(
                            "SELECT seq, id, release, finished_at FROM deployments
                             WHERE environment = ?1 AND reached = 1 AND seq > ?2 ORDER BY seq",
                        )?),
                    };
                    first_arrival(walk, environment, &containing, page.walk_from)?
                }
            },
            (None, None) => None,
        };
        if let Some(arrival) = arrival {
            location.history.push(arrival);
        }
    }
    Ok(location)
}

/// The releases from `first` on, as [`location::containing_releases`] reads them: when
/// their numbers have no gap, only those whose base is not the release before.
fn release_graph(conn: &Connection, first: ReleaseNumber) -> Tx<ReleaseGraph> {
    // Numbers have no gap when the whole table has none: one cheap question (the count is
    // kept by triggers; count(*) would visit every page of an index).
    let (count, lowest, last): (i64, Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT (SELECT n FROM release_count),
                    (SELECT min(number) FROM releases), (SELECT max(number) FROM releases)",
        )?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    let dense = matches!((lowest, last), (Some(lowest), Some(last)) if last - lowest + 1 == count);
    let sql = if dense {
        // The partial index `releases_forks` holds just these.
        "SELECT number, base FROM releases
         WHERE number >= ?1 AND (base IS NULL OR base <> number - 1)"
    } else {
        "SELECT number, base FROM releases WHERE number >= ?1"
    };
    let listed = conn
        .prepare_cached(sql)?
        .query_map([num(first)], |row| {
            Ok((
                release_number(row, 0)?,
                row.get::<_, Option<i64>>(1)?
                    .and_then(|b| u64::try_from(b).ok())
                    .map(ReleaseNumber),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ReleaseGraph {
        last: last.and_then(|l| u64::try_from(l).ok()).map(ReleaseNumber),
        listed,
        dense,
    })
}

/// What the ledger's first page after the floor says of each environment (see
/// [`first_arrivals_in_page`]).
struct PagedArrivals<'e> {
    /// The environments the page decided: its first deployment of a containing release
    /// there, or `None` when the page held every reached deployment after the floor.
    arrivals: HashMap<&'e str, Option<CommitArrival>>,
    /// Where each environment the page did not decide is walked on from: the page's last seq.
    walk_from: i64,
}

/// Reached deployments per environment of the pipeline that the first page after the
/// floor holds: a containing release reaches every environment soon after its first
/// deployment (on the large case, all 160 within the first 292 reached deployments).
const LEDGER_PAGE_PER_ENVIRONMENT: usize = 2;

/// For many containing releases (a trunk commit), the first deployment that brought one
/// to each environment, from one page of the ledger read from the floor in the order
/// deployments started: in that order an environment's first row of a containing release
/// is its arrival. A statement per environment, each walking from the floor, was a third
/// of `where` on the large case (160 of them: 2.3 M instructions of stepping and resets).
fn first_arrivals_in_page<'e>(
    conn: &Connection,
    environments: &'e [String],
    containing: &Containing,
    floor: i64,
) -> Tx<PagedArrivals<'e>> {
    let page = LEDGER_PAGE_PER_ENVIRONMENT * environments.len().max(32);
    let mut open: HashSet<&'e str> = environments.iter().map(String::as_str).collect();
    let mut arrivals = HashMap::with_capacity(environments.len());
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, release, finished_at, environment FROM deployments
         WHERE seq > ?1 AND reached = 1 ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![floor, i64::try_from(page).unwrap_or(i64::MAX)])?;
    let (mut read, mut last) = (0, floor);
    while let Some(row) = rows.next()? {
        read += 1;
        last = row.get(0)?;
        if open.is_empty() {
            break;
        }
        let release = release_number(row, 2)?;
        if !containing.contains(&release) {
            continue;
        }
        let Some(environment) = open.take(row.get_ref(4)?.as_str().map_err(|e| conversion(4, e))?)
        else {
            continue;
        };
        let arrival = CommitArrival {
            environment: environment.to_string(),
            deployment: DeploymentId(row.get(1)?),
            release,
            finished_at: opt_ts(row, 3)?,
        };
        arrivals.insert(environment, Some(arrival));
    }
    if read < page {
        // Every reached deployment after the floor was read: the rest saw none.
        arrivals.extend(open.into_iter().map(|e| (e, None)));
    }
    Ok(PagedArrivals {
        arrivals,
        walk_from: last,
    })
}

/// At most this many containing releases (a hotfix-only commit, a recent one) are looked
/// up release by release; more are found in a page of the ledger after the floor.
const FEW_CONTAINING: u64 = 16;

/// For a few containing releases, the first deployment that brought one to each of
/// `environments`: one seek per release into the reached deployments by release, which
/// holds what the answer shows (by environment it was a seek per environment and release:
/// 640 for 160 environments and 4 releases, a third of the command).
fn first_arrivals_of_few(
    conn: &Connection,
    environments: &[String],
    containing: &Containing,
) -> Tx<HashMap<String, (i64, CommitArrival)>> {
    let wanted: HashSet<&str> = environments.iter().map(String::as_str).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, release, finished_at, environment
         FROM deployments INDEXED BY deployments_reached_by_release
         WHERE release = ?1 AND reached = 1",
    )?;
    // Sized up front: growing a map rehashes every key it holds.
    let mut best: HashMap<String, (i64, CommitArrival)> =
        HashMap::with_capacity(environments.len());
    for release in containing.iter() {
        let mut rows = stmt.query(params![num(release)])?;
        while let Some(row) = rows.next()? {
            let environment: String = row.get(4)?;
            if !wanted.contains(environment.as_str()) {
                continue;
            }
            let seq: i64 = row.get(0)?;
            if best
                .get(&environment)
                .is_some_and(|(earlier, _)| *earlier < seq)
            {
                continue;
            }
            let arrival = CommitArrival {
                environment: environment.clone(),
                deployment: DeploymentId(row.get(1)?),
                release: release_number(row, 2)?,
                finished_at: opt_ts(row, 3)?,
            };
            best.insert(environment, (seq, arrival));
        }
    }
    Ok(best)
}

/// The first deployment that brought a containing release to the environment, walking
/// `walk` (the environment's reached deployments after a seq, in order).
fn first_arrival(
    walk: &mut rusqlite::Statement<'_>,
    environment: &str,
    containing: &Containing,
    floor: i64,
) -> Tx<Option<CommitArrival>> {
    let arrival = |row: &Row| -> rusqlite::Result<(i64, CommitArrival)> {
        Ok((
            row.get(0)?,
            CommitArrival {
                environment: environment.to_string(),
                deployment: DeploymentId(row.get(1)?),
                release: release_number(row, 2)?,
                finished_at: opt_ts(row, 3)?,
            },
        ))
    };
    // Many containing releases (a trunk commit): walk the environment's reached
    // deployments from the first one that can hold a containing release; the first few
    // normally do. (A few: `first_arrivals_of_few`, for every environment at once.)
    let mut rows = walk.query(params![environment, floor])?;
    while let Some(row) = rows.next()? {
        let (_, found) = arrival(row)?;
        if containing.contains(&found.release) {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

fn set_lock(conn: &Connection, lock: Lock) -> Tx<()> {
    checks::require_valid_lock(&lock)?;
    if lock.target_kind == LockTargetKind::Release {
        let number: ReleaseNumber = lock.target.parse()?;
        if release_by_number(conn, number)?.is_none() {
            return Err(Error::not_found(format!("release {number} does not exist")).into());
        }
    }
    let created_at = upsert_lock(conn, &lock)?;
    audit(
        conn,
        created_at,
        &lock.actor,
        lock.target_kind.set_action(),
        &lock.target,
        Some(&lock.reason),
        checks::lock_details(&lock),
    )
}

/// Stores `lock`, replacing the one on the same target and direction; returns the time
/// it was stored with.
fn upsert_lock(conn: &Connection, lock: &Lock) -> Tx<Timestamp> {
    let created_at = truncate(lock.created_at);
    conn.prepare_cached(
        "INSERT INTO locks (target_kind, target, direction, actor, reason, created_at, until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (target_kind, target, direction)
         DO UPDATE SET actor = excluded.actor, reason = excluded.reason,
                       created_at = excluded.created_at, until = excluded.until",
    )?
    .execute(params![
        lock.target_kind.as_str(),
        lock.target,
        lock.direction.as_str(),
        lock.actor,
        lock.reason,
        micros(created_at),
        lock.until.map(|u| micros(truncate(u)))
    ])?;
    Ok(created_at)
}

fn remove_lock(conn: &Connection, unlock: Unlock) -> Tx<bool> {
    let kind = unlock.target_kind.as_str();
    let mut stmt = conn.prepare_cached(
        "SELECT target_kind, target, direction, actor, reason, created_at, until FROM locks
         WHERE target_kind = ?1 AND target = ?2",
    )?;
    let existing = stmt
        .query_map(params![kind, unlock.target], lock_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lifted = false;
    for lock in existing {
        let remaining = lock.direction.after_lifting(unlock.direction);
        if remaining == Some(lock.direction) {
            continue;
        }
        lifted = true;
        conn.prepare_cached(
            "DELETE FROM locks WHERE target_kind = ?1 AND target = ?2 AND direction = ?3",
        )?
        .execute(params![kind, unlock.target, lock.direction.as_str()])?;
        if let Some(direction) = remaining {
            conn.prepare_cached(
                "INSERT INTO locks (target_kind, target, direction, actor, reason, created_at, until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                kind,
                unlock.target,
                direction.as_str(),
                lock.actor,
                lock.reason,
                micros(lock.created_at),
                lock.until.map(micros)
            ])?;
        }
    }
    if lifted {
        audit(
            conn,
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

fn all_locks(conn: &Connection) -> Tx<Vec<Lock>> {
    let mut stmt = conn.prepare_cached(
        "SELECT target_kind, target, direction, actor, reason, created_at, until FROM locks
         ORDER BY target_kind, target, direction",
    )?;
    Ok(stmt
        .query_map([], lock_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

fn export(conn: &Connection, sink: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> Tx<()> {
    let mut releases = conn.prepare(&format!(
        "SELECT {RELEASE_COLUMNS}, snapshot FROM releases ORDER BY number"
    ))?;
    let mut rows = releases.query([])?;
    while let Some(row) = rows.next()? {
        let release = release_from_row(row)?;
        let snapshot: Option<i64> = row.get(9)?;
        let commits = commits_of(conn, release.number)?;
        let dependencies = snapshot_body(conn, snapshot)?;
        sink(LedgerRecord::Release {
            release,
            commits,
            dependencies,
        })?;
    }
    let mut deployments = conn.prepare(&format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM deployments ORDER BY seq"
    ))?;
    let mut rows = deployments.query([])?;
    while let Some(row) = rows.next()? {
        let (_, deployment) = deployment_from_row(row)?;
        sink(LedgerRecord::Deployment { deployment })?;
    }
    for record in run::all_stage_records(conn)? {
        sink(LedgerRecord::StageRecord { record })?;
    }
    for lock in all_locks(conn)? {
        sink(LedgerRecord::Lock { lock })?;
    }
    for expedite in all_expedites(conn)? {
        sink(LedgerRecord::Expedite { expedite })?;
    }
    for record in all_overrides(conn)? {
        sink(LedgerRecord::Override { record })?;
    }
    // A server's registrations of the pipeline's definition stay with that server.
    let mut events = conn.prepare(
        "SELECT seq, at, actor, action, target, reason, details FROM audit_events
         WHERE action <> 'pipeline.push' ORDER BY seq",
    )?;
    let mut rows = events.query([])?;
    while let Some(row) = rows.next()? {
        sink(LedgerRecord::Audit {
            event: audit_from_row(row)?,
        })?;
    }
    Ok(())
}

/// Every request to expedite a release with its approvals (and when each was given), by
/// release.
fn all_expedites(conn: &Connection) -> Tx<Vec<ExpediteExport>> {
    let mut asked =
        conn.prepare_cached("SELECT release, actor, reason, at FROM expedites ORDER BY release")?;
    let mut expedites = asked
        .query_map([], |row| {
            Ok(ExpediteExport {
                release: release_number(row, 0)?,
                actor: row.get(1)?,
                reason: row.get(2)?,
                at: ts(row, 3)?,
                approvals: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut approvals = conn.prepare_cached(
        "SELECT actor, at FROM expedite_approvals WHERE release = ?1 ORDER BY actor",
    )?;
    for expedite in &mut expedites {
        expedite.approvals = approvals
            .query_map([num(expedite.release)], |row| {
                Ok(ExpediteApproval {
                    actor: row.get(0)?,
                    at: ts(row, 1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(expedites)
}

/// Every blocker override ever recorded, oldest first (expired ones too: the ledger's
/// history of them).
fn all_overrides(conn: &Connection) -> Tx<Vec<BlockerOverride>> {
    let mut stmt = conn.prepare_cached(
        "SELECT target, actor, reason, created_at, until FROM blocker_overrides ORDER BY seq",
    )?;
    let overrides = stmt
        .query_map([], |row| {
            Ok(BlockerOverride {
                target: row.get(0)?,
                actor: row.get(1)?,
                reason: row.get(2)?,
                created_at: ts(row, 3)?,
                until: opt_ts(row, 4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(overrides)
}

/// An imported expedite: a new one as it is; in a merge, one already there (same asker,
/// reason and time) gains the approvals it lacks, and a different one is a conflict.
fn import_expedite(
    conn: &Connection,
    expedite: ExpediteExport,
    mode: ImportMode,
    summary: &mut ImportSummary,
) -> Tx<()> {
    expedite.check()?;
    let release = expedite.release;
    if release_by_number(conn, release)?.is_none() {
        return Err(Error::not_found(format!(
            "the expedite of {release} names a release the ledger does not have"
        ))
        .with_hint("an export lists each release before what refers to it")
        .into());
    }
    let existing = all_expedites(conn)?
        .into_iter()
        .find(|e| e.release == release);
    match existing {
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
            let mut added = false;
            for approval in &expedite.approvals {
                if existing.approvals.iter().any(|a| a.actor == approval.actor) {
                    continue;
                }
                insert_expedite_approval(conn, release, approval)?;
                added = true;
            }
            if added {
                summary.expedites += 1;
            } else {
                summary.skipped += 1;
            }
        }
        Some(_) => {
            return Err(Error::conflict(format!(
                "the ledger has an expedite of {release} already"
            ))
            .into());
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO expedites (release, actor, reason, at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                num(release),
                expedite.actor,
                expedite.reason,
                micros(expedite.at)
            ])?;
            for approval in &expedite.approvals {
                insert_expedite_approval(conn, release, approval)?;
            }
            summary.expedites += 1;
        }
    }
    Ok(())
}

fn insert_expedite_approval(
    conn: &Connection,
    release: ReleaseNumber,
    approval: &ExpediteApproval,
) -> Tx<()> {
    if approval.actor.trim().is_empty() {
        return Err(Error::usage(format!(
            "an approval of the expedite of {release} names no one"
        ))
        .into());
    }
    conn.prepare_cached("INSERT INTO expedite_approvals (release, actor, at) VALUES (?1, ?2, ?3)")?
        .execute(params![num(release), approval.actor, micros(approval.at)])?;
    Ok(())
}

/// An imported blocker override; in a merge, one already there (same everything) is
/// skipped.
fn import_override(
    conn: &Connection,
    record: BlockerOverride,
    mode: ImportMode,
    summary: &mut ImportSummary,
) -> Tx<()> {
    checks::require_valid_override(&record)?;
    let record = BlockerOverride {
        created_at: truncate(record.created_at),
        until: record.until.map(truncate),
        ..record
    };
    if mode == ImportMode::Merge && all_overrides(conn)?.contains(&record) {
        summary.skipped += 1;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO blocker_overrides (target, actor, reason, created_at, until) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        record.target,
        record.actor,
        record.reason,
        micros(record.created_at),
        record.until.map(micros)
    ])?;
    summary.overrides += 1;
    Ok(())
}

fn commits_of(conn: &Connection, number: ReleaseNumber) -> Tx<Vec<CommitInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sha, author, time, subject, parents FROM release_commits WHERE release = ?1 ORDER BY position",
    )?;
    let commits = stmt
        .query_map([num(number)], |row| {
            Ok(CommitInfo {
                sha: row.get(0)?,
                author: row.get(1)?,
                time: ts(row, 2)?,
                subject: row.get(3)?,
                parents: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(commits)
}

fn snapshot_body(conn: &Connection, snapshot: Option<i64>) -> Tx<DependencySnapshot> {
    let Some(id) = snapshot else {
        return Ok(DependencySnapshot::default());
    };
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM dependency_snapshots WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    match body {
        Some(body) => Ok(serde_json::from_str(&body).map_err(|e| {
            Error::internal(format!(
                "dependency snapshot {id} in the ledger is unreadable: {e}"
            ))
        })?),
        None => Ok(DependencySnapshot::default()),
    }
}

/// Nothing recorded yet: no release, deployment, lock or audit event — but a registered
/// pipeline definition (a team server's, and its `pipeline.push` events), which is not
/// part of what an export carries.
fn ledger_is_empty(conn: &Connection) -> Tx<bool> {
    Ok(conn.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM releases) AND NOT EXISTS (SELECT 1 FROM deployments)
             AND NOT EXISTS (SELECT 1 FROM locks) AND NOT EXISTS (SELECT 1 FROM blocker_overrides)
             AND NOT EXISTS (SELECT 1 FROM audit_events WHERE action <> 'pipeline.push')",
        [],
        |row| row.get(0),
    )?)
}

fn import(
    conn: &Connection,
    pipeline: &str,
    records: &mut dyn Iterator<Item = Result<LedgerRecord>>,
    mode: ImportMode,
) -> Tx<ImportSummary> {
    let keep_numbers = mode == ImportMode::EmptyOnly
        && conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM audit_events)",
            [],
            |row| row.get::<_, bool>(0),
        )?;
    if mode == ImportMode::EmptyOnly && !ledger_is_empty(conn)? {
        return Err(Error::conflict(format!(
            "the ledger of pipeline `{pipeline}` is not empty; refusing to import"
        ))
        .with_hint("import with `--merge` to add to it, or import into a new state file")
        .into());
    }
    // Loading into an empty ledger: building the secondary indexes once at the end is
    // several times faster than maintaining them row by row. Their definitions are read
    // from the file itself, so this follows whatever the migrations made.
    let deferred_indexes: Vec<(String, String)> = if mode == ImportMode::EmptyOnly {
        let mut stmt = conn.prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('deployments', 'release_commits')",
        )?;
        let indexes = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (name, _) in &indexes {
            conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        indexes
    } else {
        Vec::new()
    };
    let mut summary = ImportSummary::default();
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
        import_record(conn, pipeline, record?, mode, keep_numbers, &mut summary).map_err(|e| {
            match e {
                Fail::Ledger(e) => at_line(e),
                Fail::Db(e) => at_line(Error::failed(format!("could not store the record: {e}"))),
            }
        })?;
    }
    for (_, sql) in &deferred_indexes {
        conn.execute_batch(sql)?;
    }
    rebuild_derived(conn)?;
    // Fresh statistics so the planner knows the new shape of the tables.
    conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE;")?;
    Ok(summary)
}

fn import_record(
    conn: &Connection,
    pipeline: &str,
    record: LedgerRecord,
    mode: ImportMode,
    keep_numbers: bool,
    summary: &mut ImportSummary,
) -> Tx<()> {
    match record {
        LedgerRecord::Header {
            pipeline: Some(from),
            ..
        } if from != pipeline => Err(Error::conflict(format!(
            "this export is of pipeline `{from}`, not `{pipeline}`"
        ))
        .with_hint("import it into that pipeline's state file")
        .into()),
        LedgerRecord::Header { .. } => Ok(()),
        LedgerRecord::Release {
            release,
            commits,
            dependencies,
        } => import_release(conn, release, commits, dependencies, mode, summary),
        LedgerRecord::Deployment { deployment } => {
            if mode == ImportMode::Merge
                && let Some((_, existing)) = deployment_by_id(conn, &deployment.id)?
            {
                if existing == deployment {
                    summary.skipped += 1;
                    return Ok(());
                }
                return Err(Error::conflict(format!(
                    "deployment {} differs from the one already in the ledger",
                    deployment.id
                ))
                .into());
            }
            DeploymentId::parse(&deployment.id.0)?;
            if !conn
                .prepare_cached("SELECT 1 FROM releases WHERE number = ?1")?
                .exists([num(deployment.release)])?
            {
                return Err(Error::not_found(format!(
                    "deployment {} is of release {}, which is not in the ledger",
                    deployment.id, deployment.release
                ))
                .into());
            }
            let stored = Deployment {
                started_at: truncate(deployment.started_at),
                finished_at: deployment.finished_at.map(truncate),
                ..deployment
            };
            match insert_deployment(conn, &stored) {
                Err(Fail::Db(e))
                    if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) =>
                {
                    Err(Error::conflict(format!("deployment {} appears twice", stored.id)).into())
                }
                other => other.map(|_| ()),
            }?;
            summary.deployments += 1;
            Ok(())
        }
        LedgerRecord::StageRecord { record } => run::import_stage_record(conn, record, summary),
        LedgerRecord::Lock { lock } => {
            // An imported lock obeys what a new one does: a target and a reason.
            checks::require_valid_lock(&lock)?;
            if mode == ImportMode::Merge && all_locks(conn)?.contains(&lock) {
                summary.skipped += 1;
                return Ok(());
            }
            upsert_lock(conn, &lock)?;
            summary.locks += 1;
            Ok(())
        }
        LedgerRecord::Expedite { expedite } => import_expedite(conn, expedite, mode, summary),
        LedgerRecord::Override { record } => import_override(conn, record, mode, summary),
        LedgerRecord::Audit { event } => {
            let details = event.details.to_string();
            if mode == ImportMode::Merge {
                let seen = conn
                    .prepare_cached(
                        "SELECT 1 FROM audit_events WHERE at = ?1 AND actor = ?2 AND action = ?3 AND target = ?4
                         AND details = ?5",
                    )?
                    .exists(params![micros(event.at), event.actor, event.action, event.target, details])?;
                if seen {
                    summary.skipped += 1;
                    return Ok(());
                }
            }
            // An empty ledger keeps the events' numbers, so export → import → export is
            // identical; a merge (or a ledger with its definition's registrations) appends
            // them after the ledger's own.
            let seq = keep_numbers.then_some(event.seq);
            conn.prepare_cached(
                "INSERT INTO audit_events (seq, at, actor, action, target, reason, details)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                seq,
                micros(event.at),
                event.actor,
                event.action,
                event.target,
                event.reason,
                details
            ])?;
            summary.audit_events += 1;
            Ok(())
        }
    }
}

fn import_release(
    conn: &Connection,
    release: Release,
    commits: Vec<CommitInfo>,
    dependencies: DependencySnapshot,
    mode: ImportMode,
    summary: &mut ImportSummary,
) -> Tx<()> {
    let commit = full_sha(&release.commit, "release commit")?;
    if let Some(existing) = release_by_number(conn, release.number)? {
        checks::imported_release_known(&release, &commit, &existing, mode)?;
        summary.skipped += 1;
        return Ok(());
    }
    if let Some(existing) = release_with_commit(conn, &commit)? {
        return Err(checks::commit_released_already(&release, &commit, &existing).into());
    }
    let base_found = match release.base {
        Some(base) if base < release.number => release_by_number(conn, base)?.is_some(),
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
    let snapshot = snapshot_id(conn, &dependencies)?;
    insert_release(conn, &stored, snapshot, 0)?;
    insert_commits(conn, stored.number, &commits)?;
    summary.releases += 1;
    Ok(())
}

/// Recomputes what is derived from deployments after a bulk load: each environment's
/// state row, and each release's deploy floor (one less than the smallest seq of any
/// deployment of it or a newer release).
fn rebuild_derived(conn: &Connection) -> Tx<()> {
    conn.execute_batch(
        "DELETE FROM environment_state;
         INSERT INTO environment_state (environment, current_seq, in_progress_seq, last_finished_seq)
         SELECT environment,
                max(CASE WHEN reached = 1 THEN seq END),
                max(CASE WHEN outcome = 'in progress' THEN seq END),
                max(CASE WHEN outcome <> 'in progress' THEN seq END)
         FROM deployments GROUP BY environment;
         UPDATE environment_state SET current_release =
             (SELECT release FROM deployments WHERE seq = environment_state.current_seq);",
    )?;
    let mut firsts: BTreeMap<i64, i64> = BTreeMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT release, min(seq) FROM deployments GROUP BY release")?;
        for row in stmt.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))? {
            let (release, seq) = row?;
            firsts.insert(release, seq);
        }
    }
    let mut numbers = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT number FROM releases ORDER BY number DESC")?;
        for row in stmt.query_map([], |row| row.get::<_, i64>(0))? {
            numbers.push(row?);
        }
    }
    let mut update = conn.prepare("UPDATE releases SET deploy_floor = ?1 WHERE number = ?2")?;
    let mut min_seq = max_deployment_seq(conn)? + 1;
    for number in numbers {
        if let Some(seq) = firsts.get(&number) {
            min_seq = min_seq.min(*seq);
        }
        update.execute(params![min_seq - 1, number])?;
    }
    Ok(())
}

fn logs_of(conn: &Connection, id: &DeploymentId) -> Tx<Vec<LogLine>> {
    let Some((seq, _)) = deployment_by_id(conn, id)? else {
        return Err(Error::not_found(format!("deployment {id} does not exist")).into());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT at, stream, text FROM deployment_logs WHERE deployment = ?1 ORDER BY seq",
    )?;
    Ok(stmt
        .query_map([seq], |row| {
            Ok(LogLine {
                at: ts(row, 0)?,
                stream: row.get(1)?,
                text: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn idempotent(
        &self,
        request: &super::IdempotentRequest,
        run: &mut dyn FnMut(&dyn Store) -> Result<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>> {
        keys::idempotent(self, request, run)
    }

    fn idempotency_keys(&self) -> Option<&dyn super::KeyTable> {
        Some(self)
    }

    fn create_release(&self, release: NewRelease) -> Result<CreatedRelease> {
        self.write(|conn| create_release(conn, release))
    }

    fn release(&self, number: ReleaseNumber) -> Result<Option<Release>> {
        self.read(|conn| release_by_number(conn, number))
    }

    fn release_by_commit(&self, commit: &str) -> Result<Option<Release>> {
        let commit = commit.trim().to_ascii_lowercase();
        self.read(|conn| release_with_commit(conn, &commit))
    }

    fn releases(&self, filter: &ReleaseFilter) -> Result<Vec<Release>> {
        self.read(|conn| {
            let sql =
                format!("SELECT {RELEASE_COLUMNS} FROM releases ORDER BY number DESC LIMIT ?1");
            let mut stmt = conn.prepare_cached(&sql)?;
            Ok(stmt
                .query_map([limit(filter.limit)], release_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn release_commits(&self, number: ReleaseNumber) -> Result<Vec<CommitInfo>> {
        self.read(|conn| {
            if release_by_number(conn, number)?.is_none() {
                return Err(Error::not_found(format!("release {number} does not exist")).into());
            }
            commits_of(conn, number)
        })
    }

    fn release_dependencies(&self, number: ReleaseNumber) -> Result<DependencySnapshot> {
        self.read(|conn| {
            let snapshot: Option<Option<i64>> = conn
                .prepare_cached("SELECT snapshot FROM releases WHERE number = ?1")?
                .query_row([num(number)], |row| row.get(0))
                .optional()?;
            match snapshot {
                Some(id) => snapshot_body(conn, id),
                None => Err(Error::not_found(format!("release {number} does not exist")).into()),
            }
        })
    }

    fn start_deployment(&self, deployment: NewDeployment) -> Result<Deployment> {
        self.write(|conn| start_deployment(conn, deployment))
    }

    fn start_rollback(&self, rollback: NewRollback) -> Result<Vec<Deployment>> {
        self.write(|conn| start_rollback(conn, rollback))
    }

    fn finish_deployment(&self, finish: FinishDeployment) -> Result<Deployment> {
        self.write(|conn| finish_deployment(conn, finish))
    }

    fn deployment(&self, id: &DeploymentId) -> Result<Option<Deployment>> {
        self.read(|conn| Ok(deployment_by_id(conn, id)?.map(|(_, d)| d)))
    }

    fn history(&self, environment: &str, filter: &HistoryFilter) -> Result<Vec<HistoryEntry>> {
        self.read(|conn| history(conn, environment, filter))
    }

    fn metric_inputs(&self, since: Timestamp, until: Timestamp) -> Result<MetricInputs> {
        self.read(|conn| metric_inputs(conn, since, until))
    }

    fn ledger_counts(&self) -> Result<LedgerCounts> {
        self.read(ledger_counts)
    }

    fn environment_states(&self, environments: &[String]) -> Result<Vec<EnvironmentState>> {
        self.read(|conn| environment_states(conn, environments))
    }

    fn locate_commit(&self, commit: &str, environments: &[String]) -> Result<CommitLocation> {
        self.read(|conn| locate_commit(conn, commit, environments))
    }

    fn stage_approved(&self, release: ReleaseNumber, environments: &[String]) -> Result<bool> {
        self.read(|conn| {
            for environment in environments {
                if !approved_in(conn, release, environment)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }

    fn locks(&self) -> Result<Vec<Lock>> {
        self.read(all_locks)
    }

    fn set_lock(&self, lock: Lock) -> Result<()> {
        self.write(|conn| set_lock(conn, lock))
    }

    fn remove_lock(&self, unlock: Unlock) -> Result<bool> {
        self.write(|conn| remove_lock(conn, unlock))
    }

    fn append_log(&self, id: &DeploymentId, lines: &[LogLine]) -> Result<()> {
        self.write(|conn| {
            let Some((seq, _)) = deployment_by_id(conn, id)? else {
                return Err(Error::not_found(format!("deployment {id} does not exist")).into());
            };
            let mut stmt = conn
                .prepare_cached("INSERT INTO deployment_logs (deployment, at, stream, text) VALUES (?1, ?2, ?3, ?4)")?;
            for line in lines {
                stmt.execute(params![seq, micros(line.at), line.stream, line.text])?;
            }
            Ok(())
        })
    }

    fn deployment_log(&self, id: &DeploymentId) -> Result<Vec<LogLine>> {
        self.read(|conn| logs_of(conn, id))
    }

    fn engine_snapshot(
        &self,
        stages: &[super::StageScope],
        at: Timestamp,
    ) -> Result<super::EngineSnapshot> {
        self.read(|conn| run::engine_snapshot(conn, stages, at))
    }

    fn apply_decisions(&self, batch: super::DecisionBatch) -> Result<super::Applied> {
        self.write(|conn| run::apply_decisions(conn, batch))
    }

    fn record_process(
        &self,
        deployment: &DeploymentId,
        runner: &super::RunnerId,
        process: super::ProcessRecord,
    ) -> Result<()> {
        self.write(|conn| run::record_process(conn, deployment, runner, process))
    }

    fn claim_deployments(
        &self,
        runner: Option<&super::RunnerId>,
        claims: &[super::Claim],
    ) -> Result<Vec<DeploymentId>> {
        self.write(|conn| run::claim_deployments(conn, runner, claims))
    }

    fn record_override(&self, record: super::run_records::OverrideRecord) -> Result<()> {
        self.write(|conn| run::record_override(conn, record))
    }

    fn record_expedite(&self, event: super::ExpediteEvent) -> Result<()> {
        self.write(|conn| run::record_expedite(conn, &event))
    }

    fn record_step_result(&self, verdict: super::StepVerdict) -> Result<()> {
        self.write(|conn| run::record_step_result(conn, verdict))
    }

    fn retry_release(&self, retry: super::RetryRequest) -> Result<super::StageRecord> {
        self.write(|conn| run::retry_release(conn, retry))
    }

    fn stage_records(&self, stages: &[String], limit: usize) -> Result<Vec<super::StageRecord>> {
        self.read(|conn| run::stage_records(conn, stages, limit))
    }

    fn deployment_phases(&self, ids: &[DeploymentId]) -> Result<Vec<Option<super::ActiveRecord>>> {
        self.read(|conn| run::deployment_phases(conn, ids))
    }

    fn pipeline_version(&self, version: Option<u32>) -> Result<Option<PipelineVersion>> {
        self.read(|conn| pipeline_version(conn, version))
    }

    fn pipeline_versions(&self) -> Result<Vec<PipelineVersion>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {PIPELINE_VERSION_COLUMNS} FROM pipeline_versions ORDER BY version DESC"
            );
            Ok(conn
                .prepare_cached(&sql)?
                .query_map([], pipeline_version_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn push_pipeline(&self, push: NewPipelineVersion) -> Result<PushedPipeline> {
        self.write(|conn| push_pipeline(conn, push))
    }

    fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, actor, action, target, reason, details FROM audit_events
                 WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR actor = ?2) ORDER BY seq DESC LIMIT ?3",
            )?;
            Ok(stmt
                .query_map(params![filter.target, filter.actor, limit(filter.limit)], audit_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn events_after(
        &self,
        after: EventCursor,
        min_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>> {
        // One writer at a time: seq order is commit order, and txid is always 0.
        let from = after.seq.max(min_seq.unwrap_or(0));
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, actor, action, target, reason, details FROM audit_events
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            Ok(stmt
                .query_map(params![from, self::limit(Some(limit))], |row| {
                    let event = audit_from_row(row)?;
                    Ok(LoggedEvent {
                        cursor: EventCursor {
                            txid: 0,
                            seq: event.seq,
                        },
                        event,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn notify_states(&self) -> Result<Vec<NotifyState>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT target, cursor_txid, cursor_seq, attempts, last_error FROM notify_cursors
                 ORDER BY target",
            )?;
            Ok(stmt
                .query_map([], |row| {
                    Ok(NotifyState {
                        target: row.get(0)?,
                        cursor: EventCursor {
                            txid: row.get(1)?,
                            seq: row.get(2)?,
                        },
                        attempts: row.get(3)?,
                        last_error: row.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn record_delivery(&self, update: DeliveryUpdate) -> Result<bool> {
        self.write(|conn| {
            let current = conn
                .prepare_cached(
                    "SELECT cursor_txid, cursor_seq FROM notify_cursors WHERE target = ?1",
                )?
                .query_row(params![update.target], |row| {
                    Ok(EventCursor {
                        txid: row.get(0)?,
                        seq: row.get(1)?,
                    })
                })
                .optional()?
                .unwrap_or(EventCursor::START);
            if current != update.from {
                return Ok(false);
            }
            let (to, attempts, error) = match &update.outcome {
                Delivery::Passed => (update.to, 0, None),
                Delivery::Failed { error } => (update.from, 1, Some(error.as_str())),
                Delivery::Parked { error, at } => {
                    let tried: i64 = conn
                        .prepare_cached("SELECT attempts FROM notify_cursors WHERE target = ?1")?
                        .query_row(params![update.target], |row| row.get(0))
                        .optional()?
                        .unwrap_or(0);
                    conn.prepare_cached(
                        "INSERT OR REPLACE INTO notify_parked (target, seq, txid, attempts, error, parked_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        update.target,
                        update.to.seq,
                        update.to.txid,
                        tried + 1,
                        error,
                        micros(*at)
                    ])?;
                    (update.to, 0, None)
                }
            };
            conn.prepare_cached(
                "INSERT INTO notify_cursors (target, cursor_txid, cursor_seq, attempts, last_error)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (target) DO UPDATE SET cursor_txid = excluded.cursor_txid,
                     cursor_seq = excluded.cursor_seq,
                     attempts = CASE WHEN excluded.attempts = 0 THEN 0
                                     ELSE notify_cursors.attempts + excluded.attempts END,
                     last_error = coalesce(excluded.last_error, CASE WHEN excluded.attempts = 0
                                     THEN NULL ELSE notify_cursors.last_error END)",
            )?
            .execute(params![update.target, to.txid, to.seq, attempts, error])?;
            Ok(true)
        })
    }

    fn parked_events(&self, target: Option<&str>) -> Result<Vec<ParkedEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT target, seq, txid, attempts, error, parked_at FROM notify_parked
                 WHERE (?1 IS NULL OR target = ?1) ORDER BY seq, target",
            )?;
            Ok(stmt
                .query_map(params![target], |row| {
                    Ok(ParkedEvent {
                        target: row.get(0)?,
                        seq: row.get(1)?,
                        cursor: EventCursor {
                            txid: row.get(2)?,
                            seq: row.get(1)?,
                        },
                        attempts: row.get(3)?,
                        error: row.get(4)?,
                        parked_at: ts(row, 5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn resolve_parked(&self, target: &str, seq: i64, error: Option<&str>) -> Result<()> {
        self.write(|conn| {
            match error {
                None => conn
                    .prepare_cached("DELETE FROM notify_parked WHERE target = ?1 AND seq = ?2")?
                    .execute(params![target, seq])?,
                Some(error) => conn
                    .prepare_cached(
                        "UPDATE notify_parked SET attempts = attempts + 1, error = ?3
                         WHERE target = ?1 AND seq = ?2",
                    )?
                    .execute(params![target, seq, error])?,
            };
            Ok(())
        })
    }

    fn export(&self, sink: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> Result<()> {
        // On a read-only connection of its own when the ledger is a file: a long export
        // (a big ledger, a slow reader on the other end of a team server) then never holds
        // the ledger's connection, and writes go on beside it (WAL: one snapshot each).
        let own = self.path.is_file().then(|| {
            Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        });
        let Some(Ok(mut conn)) = own else {
            return self.read(|conn| export(conn, sink));
        };
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.fail(e.into()))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| self.fail(e.into()))?;
        export(&tx, sink).map_err(|e| self.fail(e))?;
        tx.finish().map_err(|e| self.fail(e.into()))
    }

    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<LedgerRecord>>,
        mode: ImportMode,
    ) -> Result<ImportSummary> {
        self.write(|conn| import(conn, &self.pipeline, records, mode))
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("pipeline", &self.pipeline)
            .finish()
    }
}

#[cfg(test)]
mod build_options {
    #![allow(clippy::unwrap_used)]

    /// `.cargo/config.toml` builds the bundled SQLite without memory statistics and without
    /// `sqlite_stat4` (see there): a build that lost them is slower, not wrong, and this
    /// test says so.
    #[test]
    fn sqlite_is_built_with_the_projects_options() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(!options.iter().any(|o| o == "ENABLE_STAT4"), "{options:?}");
    }
}

//! The server's own tables in PostgreSQL (`captain.api_tokens`,
//! `captain.idempotency_keys`, migration 0003 of the ledger; `captain.server_audit_events`,
//! migration 0004; then the server's own numbered migrations, `MIGRATIONS`), for a
//! server whose ledgers are in that database: every replica sharing the database shares
//! tokens, their audit events and keys. A token change and its audit event are one
//! transaction.
//!
//! Same answers as the SQLite tables. A claim is one statement in the common case (an
//! upsert that only takes over a key that is new, expired, or abandoned by a server that
//! died mid-request), so concurrent retries of one key race safely on its primary key.

use std::sync::Arc;

use postgres::Client;

use super::{Claim, NewCreation, SeenCreation, token_details, token_exists, token_retired};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Timestamp};
use crate::server::auth::{NewToken, Role, TokenInfo};
use crate::store::postgres::{Connections, Fail, Tx, TxResult, audit_from_row};
use crate::store::{AuditFilter, IdempotentRequest, SeenKey};

/// The server tables' migrations after the ledger's 0003 and 0004 made the first ones,
/// numbered like the ledger's (`src/server/db/postgres/NNNN_*.sql`, recorded in
/// `captain.server_schema_migrations`, applied under an advisory lock so replicas may
/// start together). Append-only: a shipped migration is never edited.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("postgres/0001_token_scopes.sql"))];

/// The advisory lock the server's migrations take ("captain server" in ASCII).
const MIGRATION_LOCK: i64 = 0x6361_7074_7365_7276;

/// Connections for the server tables: few, they are short statements.
const MAX_CONNECTIONS: usize = 8;

/// A stored key: the request's digest, and the status and body once answered.
type StoredKey = (Vec<u8>, Option<i32>, Option<Vec<u8>>);

pub struct PgTables {
    conns: Arc<Connections>,
}

impl PgTables {
    /// Connects and applies the ledger's migrations (which include these tables).
    pub fn open(url: &str) -> Result<PgTables> {
        let conns = Connections::new(url, MAX_CONNECTIONS)?;
        conns.migrate(None)?;
        let tables = PgTables {
            conns: Arc::new(conns),
        };
        tables.migrate()?;
        Ok(tables)
    }

    /// Applies the pending [`MIGRATIONS`] in one transaction; a database migrated by a
    /// newer captain is refused.
    fn migrate(&self) -> Result<()> {
        let location = self.location();
        self.run(|client| {
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS captain.server_schema_migrations (
                     version    integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 )",
            )?;
            let current: i32 = tx
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM captain.server_schema_migrations",
                    &[],
                )?
                .try_get(0)?;
            let newest = MIGRATIONS.last().map_or(0, |m| m.0);
            if current > newest {
                return Err(Error::failed(format!(
                    "the database at {location} was migrated by a newer captain (server schema version {current}; this captain knows up to {newest})"
                ))
                .with_hint("upgrade captain to use this database")
                .into());
            }
            for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
                tx.batch_execute(sql)?;
                tx.execute(
                    "INSERT INTO captain.server_schema_migrations (version) VALUES ($1)",
                    &[version],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// On connections whose ledger tables are migrated (a team server's one pool); the
    /// server's own tables are migrated here.
    pub(crate) fn on(conns: Arc<Connections>) -> Result<PgTables> {
        let tables = PgTables { conns };
        tables.migrate()?;
        Ok(tables)
    }

    /// Does the database answer?
    pub fn ping(&self) -> Result<()> {
        self.conns.ping()
    }

    pub fn location(&self) -> String {
        self.conns.shown().to_string()
    }

    fn run<T>(&self, f: impl FnOnce(&mut Client) -> TxResult<T>) -> Result<T> {
        self.conns.with_client(|client, _| f(client))
    }

    /// [`run`](Self::run) for the statements of every keyed request (claim, answer,
    /// release): each prepared once per connection.
    fn run_prepared<T>(&self, f: impl FnOnce(&mut Tx) -> TxResult<T>) -> Result<T> {
        self.conns.with_statements(f)
    }

    pub(super) fn insert_token(
        &self,
        new: &NewToken,
        digest: &[u8; 32],
        by: &str,
        at: Timestamp,
        creation: Option<&NewCreation>,
    ) -> Result<Option<SeenCreation>> {
        let details = token_details(new);
        let pipelines = (!new.pipelines.is_empty()).then_some(&new.pipelines);
        let outcome = self.run(|client| {
            let mut tx = client.transaction()?;
            if let Some(c) = creation {
                // The key first: a concurrent retry with it waits here for this one's
                // commit, then finds its row.
                tx.execute(
                    "DELETE FROM captain.token_creations
                     WHERE creator = $1 AND key_digest = $2 AND created_at < $3",
                    &[&by, &&c.key_digest[..], &c.expired_before],
                )?;
                let claimed = tx.execute(
                    "INSERT INTO captain.token_creations
                         (creator, key_digest, request_digest, token, sealed_secret, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    &[&by, &&c.key_digest[..], &&c.request_digest[..], &new.name, &c.sealed, &c.now],
                )?;
                if claimed == 0 {
                    let row = tx.query_one(
                        "SELECT request_digest, token, sealed_secret FROM captain.token_creations
                         WHERE creator = $1 AND key_digest = $2",
                        &[&by, &&c.key_digest[..]],
                    )?;
                    return Ok(Err(SeenCreation {
                        request_digest: row.try_get(0)?,
                        token: row.try_get(1)?,
                        sealed: row.try_get(2)?,
                    }));
                }
                if rand::random::<u8>() < 4 {
                    tx.execute(
                        "DELETE FROM captain.token_creations WHERE created_at < $1",
                        &[&c.expired_before],
                    )?;
                }
            }
            // Names are never reused: an existing row, revoked or not, refuses.
            let inserted = tx.execute(
                "INSERT INTO captain.api_tokens (name, role, digest, delegate, created_at, created_by, revoked_at, pipelines)
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)
                 ON CONFLICT (name) DO NOTHING",
                &[&new.name, &new.role.as_str(), &&digest[..], &new.delegate, &at, &by, &pipelines],
            )?;
            if inserted == 0 {
                let revoked: Option<Timestamp> = tx
                    .query_opt(
                        "SELECT revoked_at FROM captain.api_tokens WHERE name = $1",
                        &[&new.name],
                    )?
                    .map(|row| row.try_get(0))
                    .transpose()?
                    .flatten();
                return Ok(Ok(Some(revoked)));
            }
            audit(&mut tx, at, by, "token.create", &new.name, new.reason.as_deref(), &details)?;
            tx.commit()?;
            Ok(Ok(None))
        })?;
        match outcome {
            Err(seen) => Ok(Some(seen)),
            Ok(None) => Ok(None),
            Ok(Some(Some(revoked_at))) => Err(token_retired(&new.name, &revoked_at)),
            Ok(Some(None)) => Err(token_exists(&new.name)),
        }
    }

    pub(super) fn tokens_with_digests(&self) -> Result<Vec<(Vec<u8>, TokenInfo)>> {
        let location = self.location();
        self.run(|client| {
            let rows = client.query(
                "SELECT digest, name, role, delegate, created_at, created_by, revoked_at, pipelines
                 FROM captain.api_tokens ORDER BY name",
                &[],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let name: String = row.try_get(1)?;
                let role: String = row.try_get(2)?;
                let role = role.parse::<Role>().map_err(|_| {
                    Fail::from(Error::failed(format!(
                        "the token `{name}` in {location} has an unknown role `{role}`"
                    )))
                })?;
                out.push((
                    row.try_get(0)?,
                    TokenInfo {
                        role,
                        delegate: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                        created_by: row.try_get(5)?,
                        revoked_at: row.try_get(6)?,
                        pipelines: row
                            .try_get::<_, Option<Vec<String>>>(7)?
                            .unwrap_or_default(),
                        name,
                    },
                ));
            }
            Ok(out)
        })
    }

    pub(super) fn revoke(
        &self,
        name: &str,
        by: &str,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<bool> {
        self.run(|client| {
            let mut tx = client.transaction()?;
            let changed = tx.execute(
                "UPDATE captain.api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
                &[&name, &at],
            )? > 0;
            if changed {
                let details = serde_json::json!({});
                audit(&mut tx, at, by, "token.revoke", name, reason, &details)?;
            }
            tx.commit()?;
            Ok(changed)
        })
    }

    pub(super) fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let limit = filter.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        self.run(|client| {
            client
                .query(
                    "SELECT seq, at, actor, action, target, reason, details
                     FROM captain.server_audit_events
                     WHERE ($1::text IS NULL OR target = $1) AND ($2::text IS NULL OR actor = $2)
                     ORDER BY seq DESC LIMIT $3",
                    &[&filter.target, &filter.actor, &limit],
                )?
                .iter()
                .map(audit_from_row)
                .collect()
        })
    }

    pub(super) fn has_tokens(&self) -> Result<bool> {
        self.run(|client| {
            Ok(client
                .query_one("SELECT EXISTS (SELECT 1 FROM captain.api_tokens)", &[])?
                .try_get(0)?)
        })
    }

    pub(super) fn claim(
        &self,
        token: &str,
        key: &str,
        request: &[u8; 32],
        now: i64,
    ) -> Result<Claim> {
        super::claim_with(key, request, || self.try_claim(token, key, request, now))
    }

    /// One try at claiming a key (`captain.claim_key`, the rule every claim shares):
    /// `None` if it was free and is now claimed, else what is stored for it.
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
        } = super::key_request(token, key, request, now);
        loop {
            let (fresh, row) = self.run_prepared(|tx| {
                let fresh: bool = tx
                    .one(
                        "SELECT captain.claim_key($1, $2, $3, NULL, NULL, $4, $5, $6)",
                        &[
                            &token,
                            &key,
                            &&request[..],
                            &now,
                            &expired_before,
                            &abandoned_before,
                        ],
                    )?
                    .try_get(0)?;
                if fresh {
                    return Ok((true, None));
                }
                let row = tx
                    .opt(
                        "SELECT request_digest, status, body FROM captain.idempotency_keys
                         WHERE token = $1 AND key = $2",
                        &[&token, &key],
                    )?
                    .map(|row| -> TxResult<StoredKey> {
                        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
                    })
                    .transpose()?;
                Ok((false, row))
            })?;
            if fresh {
                return Ok(None);
            }
            // None: released between the two statements; claim again.
            if let Some((digest, status, body)) = row {
                return Ok(Some(SeenKey {
                    request: digest,
                    answer: status
                        .and_then(|s| u16::try_from(s).ok())
                        .map(|status| (status, body.unwrap_or_default())),
                }));
            }
        }
    }

    pub(super) fn complete(&self, token: &str, key: &str, status: u16, body: &[u8]) -> Result<()> {
        self.run_prepared(|tx| {
            tx.exec(
                "UPDATE captain.idempotency_keys SET status = $3, body = $4 WHERE token = $1 AND key = $2",
                &[&token, &key, &i32::from(status), &body],
            )?;
            Ok(())
        })
    }

    pub(super) fn release(&self, token: &str, key: &str) -> Result<()> {
        self.run_prepared(|tx| {
            tx.exec(
                "DELETE FROM captain.idempotency_keys WHERE token = $1 AND key = $2 AND status IS NULL",
                &[&token, &key],
            )?;
            Ok(())
        })
    }
}

/// One audit event, inside the transaction of the change it records.
fn audit(
    tx: &mut postgres::Transaction<'_>,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    reason: Option<&str>,
    details: &serde_json::Value,
) -> TxResult<()> {
    tx.execute(
        "INSERT INTO captain.server_audit_events (at, actor, action, target, reason, details)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&at, &actor, &action, &target, &reason, details],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn migrations_are_numbered_in_order() {
        let versions: Vec<i32> = MIGRATIONS.iter().map(|m| m.0).collect();
        let expected: Vec<i32> = (1..=MIGRATIONS.len() as i32).collect();
        assert_eq!(versions, expected);
    }
}

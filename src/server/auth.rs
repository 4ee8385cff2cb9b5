//! Who may do what on the team server: API tokens and their roles.
//!
//! A token is a random 256-bit secret shown once at creation (`cpt_` + 64 hex digits).
//! The server keeps only its SHA-256 — a fast hash is enough because the secret has full
//! entropy, so there is nothing to brute-force — and compares digests in constant time
//! (`subtle`). Roles are ordered: each includes the ones below it.
//!
//! This room decides; it stores nothing itself (see [`super::db`]).

use std::fmt;
use std::str::FromStr;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::model::Timestamp;

/// What a token may do. `read` < `deploy` < `operator` < `admin`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Views: status, history, where, releases, logs, audit, export.
    Read,
    /// CI: create releases, record deployments (start, finish), append logs.
    Deploy,
    /// People on call: rollbacks, locks, `--force` overrides, rollback deployment records.
    Operator,
    /// Tokens and bulk imports.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Read, Role::Deploy, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Deploy => "deploy",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::usage(format!("`{s}` is not a role"))
                    .with_hint("use one of read, deploy, operator, admin")
            })
    }
}

/// A token as listed (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    /// May record the actor its client names (a CI token passing `GITHUB_ACTOR`); without
    /// it every change made with the token is recorded under the token's name.
    pub delegate: bool,
    pub created_at: Timestamp,
    pub created_by: String,
    pub revoked_at: Option<Timestamp>,
}

/// What `token create` asks for.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub delegate: bool,
    /// Why (recorded with the `token.create` audit event).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A new token and its secret, which is shown this once and never stored.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CreatedToken {
    pub token: TokenInfo,
    pub secret: String,
}

/// The prefix of every secret, so a leaked one is recognisable in logs and scanners.
pub const SECRET_PREFIX: &str = "cpt_";

/// A fresh secret: `cpt_` + 32 random bytes in hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{SECRET_PREFIX}{hex}")
}

/// The stored form of a secret.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Constant-time comparison of two digests.
pub fn digests_match(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Token names: 1–64 of letters, digits, `.`, `_`, `-`, `@` (they appear in audit events
/// and URLs).
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("`{name}` is not a valid token name"))
            .with_hint("use 1 to 64 letters, digits, `.`, `_`, `-` or `@`, e.g. ci-github"))
    }
}

/// Who made a request, as the server sees it.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A header that names no live token (unknown, revoked or malformed).
    Invalid,
    Token(TokenInfo),
}

impl Caller {
    /// The token's name for request logs, `-` otherwise.
    pub fn log_name(&self) -> &str {
        match self {
            Caller::Token(t) => &t.name,
            Caller::Anonymous => "-",
            Caller::Invalid => "(invalid)",
        }
    }
}

/// Why a request was refused before reaching the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// 401: no token or a bad one.
    Unauthenticated(String),
    /// 403: a good token whose role is too low.
    Forbidden(String),
}

/// What a refused token's holder can do about it (with every 403).
pub const FORBIDDEN_HINT: &str = "ask an admin for a token with that role";

/// Lets `caller` through if its role is at least `needed`; `what` names the operation.
pub fn require(
    caller: &Caller,
    needed: Role,
    what: &str,
) -> std::result::Result<TokenInfo, Denied> {
    match caller {
        Caller::Anonymous => Err(Denied::Unauthenticated(format!(
            "{what} needs an API token and the request carried none"
        ))),
        Caller::Invalid => Err(Denied::Unauthenticated(format!(
            "the API token given for {what} is unknown or revoked"
        ))),
        Caller::Token(token) if token.role >= needed => Ok(token.clone()),
        Caller::Token(token) => Err(Denied::Forbidden(format!(
            "token `{}` has role {} and {what} needs role {needed}",
            token.name, token.role
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(role: Role) -> Caller {
        Caller::Token(TokenInfo {
            name: "t".into(),
            role,
            delegate: false,
            created_at: Timestamp::UNIX_EPOCH,
            created_by: "admin".into(),
            revoked_at: None,
        })
    }

    #[test]
    fn roles_include_the_ones_below() {
        assert!(require(&token(Role::Admin), Role::Operator, "x").is_ok());
        assert!(require(&token(Role::Operator), Role::Deploy, "x").is_ok());
        assert!(matches!(
            require(&token(Role::Read), Role::Operator, "a rollback"),
            Err(Denied::Forbidden(m)) if m.contains("role read") && m.contains("operator")
        ));
        assert!(matches!(
            require(&Caller::Anonymous, Role::Read, "x"),
            Err(Denied::Unauthenticated(_))
        ));
    }

    #[test]
    fn secrets_are_random_and_digests_compare() {
        let a = new_secret();
        let b = new_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX) && a.len() == 4 + 64);
        assert!(digests_match(&digest(&a), &digest(&a)));
        assert!(!digests_match(&digest(&a), &digest(&b)));
    }

    #[test]
    fn names_and_roles_are_checked() {
        assert!(check_name("ci-github").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert_eq!("Operator".parse::<Role>().ok(), Some(Role::Operator));
        assert!("root".parse::<Role>().is_err());
    }
}

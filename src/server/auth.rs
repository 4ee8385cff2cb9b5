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
    /// The pipelines the token may reach, by name; empty: every pipeline.
    #[serde(default)]
    pub pipelines: Vec<String>,
}

impl TokenInfo {
    /// May this token reach `pipeline` at all (before its role is asked)?
    pub fn may_reach(&self, pipeline: &str) -> bool {
        self.pipelines.is_empty() || self.pipelines.iter().any(|p| p == pipeline)
    }

    /// Does this token reach every pipeline `other` reaches (so it may hand `other` out)?
    pub fn covers(&self, other: &[String]) -> bool {
        self.pipelines.is_empty() || (!other.is_empty() && other.iter().all(|p| self.may_reach(p)))
    }
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
    /// Limit the token to these pipelines (empty: every pipeline).
    #[serde(default)]
    pub pipelines: Vec<String>,
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

/// The pipelines of a new token, checked (each a pipeline name), sorted, each once.
pub fn check_pipelines(pipelines: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(pipelines.len());
    for name in pipelines {
        crate::model::check_pipeline_name(name).map_err(|e| {
            Error::usage(format!("--pipeline: {}", e.message))
                .with_hint(crate::model::PIPELINE_NAME_HINT)
        })?;
        out.push(name.clone());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// What a `token create` with an idempotency key keeps so that a retry presenting the
/// same key gets the same token and secret back: a digest of the key (never the key), a
/// digest of the request, and the secret sealed with a pad derived from the key. Without
/// the key the sealed secret says nothing (the key is 128 random bits from captain's
/// client); a key reused for another request is refused.
#[derive(Clone, Debug)]
pub struct CreationKey {
    pub key_digest: [u8; 32],
    pub request_digest: [u8; 32],
    pad: [u8; 32],
}

impl CreationKey {
    pub fn new(key: &str, new: &NewToken) -> CreationKey {
        let derive = |purpose: &str| -> [u8; 32] {
            let mut hash = Sha256::new();
            hash.update(purpose.as_bytes());
            hash.update([0]);
            hash.update(key.as_bytes());
            hash.finalize().into()
        };
        let mut request = Sha256::new();
        // The fields as JSON: unambiguous, and the same on every replica.
        request.update(serde_json::to_vec(new).unwrap_or_default());
        CreationKey {
            key_digest: derive("captain token-create key"),
            request_digest: request.finalize().into(),
            pad: derive("captain token-create seal"),
        }
    }

    /// The secret's 32 random bytes XOR the pad.
    pub fn seal(&self, secret: &str) -> Vec<u8> {
        let hex = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .filter_map(|i| hex.get(2 * i..2 * i + 2))
            .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
            .collect();
        bytes.iter().zip(self.pad).map(|(b, p)| b ^ p).collect()
    }

    /// The secret a [`seal`](Self::seal) sealed, if `sealed` is one.
    pub fn unseal(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() != 32 {
            return None;
        }
        let hex: String = sealed
            .iter()
            .zip(self.pad)
            .map(|(b, p)| format!("{:02x}", b ^ p))
            .collect();
        Some(format!("{SECRET_PREFIX}{hex}"))
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

/// Lets `caller` reach `pipeline` if its token is not limited to others. Checked before
/// the pipeline is looked up, so the answer (403) says nothing about whether it exists.
/// A request without a valid token passes here and is refused by its role check.
pub fn require_pipeline(caller: &Caller, pipeline: &str) -> std::result::Result<(), Denied> {
    match caller {
        Caller::Token(token) if !token.may_reach(pipeline) => Err(Denied::Forbidden(format!(
            "token `{}` is limited to pipeline{} {}; `{}` is not one of them",
            token.name,
            if token.pipelines.len() == 1 { "" } else { "s" },
            token
                .pipelines
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            pipeline.escape_debug()
        ))),
        _ => Ok(()),
    }
}

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
            pipelines: Vec::new(),
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
    fn a_limited_token_reaches_only_its_pipelines() {
        let Caller::Token(mut info) = token(Role::Deploy) else {
            unreachable!()
        };
        let all = Caller::Token(info.clone());
        assert!(require_pipeline(&all, "anything").is_ok());
        info.pipelines = vec!["app".into(), "web".into()];
        assert!(
            info.covers(&["app".into()]) && !info.covers(&[]) && !info.covers(&["infra".into()])
        );
        let limited = Caller::Token(info);
        assert!(require_pipeline(&limited, "app").is_ok());
        assert!(matches!(
            require_pipeline(&limited, "infra"),
            Err(Denied::Forbidden(m)) if m == "token `t` is limited to pipelines `app`, `web`; `infra` is not one of them"
        ));
        assert!(require_pipeline(&Caller::Anonymous, "infra").is_ok());
        assert_eq!(
            check_pipelines(&["web".into(), "app".into(), "web".into()]).ok(),
            Some(vec!["app".into(), "web".into()])
        );
        assert!(check_pipelines(&["x/../app".into()]).is_err());
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let new = NewToken {
            name: "ci".into(),
            role: Role::Deploy,
            delegate: false,
            reason: None,
            pipelines: Vec::new(),
        };
        let secret = new_secret();
        let key = CreationKey::new("k1", &new);
        let sealed = key.seal(&secret);
        assert_eq!(sealed.len(), 32);
        assert!(
            !sealed
                .windows(8)
                .any(|w| secret.as_bytes().windows(8).any(|s| s == w))
        );
        assert_eq!(key.unseal(&sealed), Some(secret.clone()));
        assert_ne!(CreationKey::new("k2", &new).unseal(&sealed), Some(secret));
        assert_ne!(key.key_digest, key.pad);
        let other = NewToken {
            role: Role::Admin,
            ..new
        };
        assert_ne!(
            CreationKey::new("k1", &other).request_digest,
            key.request_digest
        );
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

//! Sign-in sessions of the web pages on a server: a `read` (or higher) token exchanged
//! for a random session id kept in an HttpOnly, SameSite=Strict cookie.
//!
//! The server keeps each session's token secret in memory (never on disk, never in the
//! cookie) and checks it again on every page, so a revoked token's sessions stop working
//! at once. Sessions end at sign-out, after [`SESSION_TTL`], or when the server restarts;
//! at most [`MAX_SESSIONS`] are kept (the oldest goes first).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::RngCore;

/// How long a sign-in lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at once.
pub const MAX_SESSIONS: usize = 10_000;
/// The cookie's name.
pub const COOKIE: &str = "captain_session";

struct Session {
    secret: String,
    expires: Instant,
}

pub(crate) struct Sessions {
    ttl: Duration,
    open: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    pub(crate) fn new(ttl: Duration) -> Sessions {
        Sessions {
            ttl,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A new session for a verified token's secret: its id, for the cookie.
    pub(crate) fn create(&self, secret: &str) -> String {
        let mut id = [0u8; 32];
        rand::rng().fill_bytes(&mut id);
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        if let Ok(mut open) = self.open.lock() {
            open.retain(|_, s| s.expires > now);
            if open.len() >= MAX_SESSIONS
                && let Some(oldest) = open
                    .iter()
                    .min_by_key(|(_, s)| s.expires)
                    .map(|(key, _)| *key)
            {
                open.remove(&oldest);
            }
            open.insert(
                crate::server::auth::digest(&id),
                Session {
                    secret: secret.to_string(),
                    expires: now + self.ttl,
                },
            );
        }
        id
    }

    /// The token secret of a live session.
    pub(crate) fn secret(&self, id: &str) -> Option<String> {
        let key = crate::server::auth::digest(id);
        let mut open = self.open.lock().ok()?;
        match open.get(&key) {
            Some(s) if s.expires > Instant::now() => Some(s.secret.clone()),
            Some(_) => {
                open.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends a session (sign-out, or its token is no longer valid).
    pub(crate) fn end(&self, id: &str) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&crate::server::auth::digest(id));
        }
    }
}

/// The session id in a request's `Cookie` header.
pub(crate) fn cookie_of(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value that opens a session (`secure` over TLS).
pub(crate) fn set_cookie(id: &str, ttl: Duration, secure: bool) -> String {
    format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ttl.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes it.
pub(crate) fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_session_holds_its_secret_until_it_ends_or_expires() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let id = sessions.create("cpt_secret");
        assert_eq!(sessions.secret(&id).as_deref(), Some("cpt_secret"));
        assert_eq!(sessions.secret(&"0".repeat(64)), None);
        sessions.end(&id);
        assert_eq!(sessions.secret(&id), None);

        let short = Sessions::new(Duration::from_millis(20));
        let id = short.create("cpt_secret");
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(short.secret(&id), None, "an expired session is gone");
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let cookie = set_cookie(&"a".repeat(64), SESSION_TTL, false);
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Strict"));
        assert!(!cookie.contains("Secure"));
        assert!(set_cookie("x", SESSION_TTL, true).ends_with("; Secure"));
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            format!("other=1; {COOKIE}={}", "b".repeat(64))
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie_of(&headers), Some("b".repeat(64)));
        headers.insert(
            axum::http::header::COOKIE,
            format!("{COOKIE}=short").parse().unwrap(),
        );
        assert_eq!(cookie_of(&headers), None);
    }
}

//! HTTP for the executors: the `http` approval probe, and the GET behind the Prometheus and
//! Alertmanager clients. Failures come back as one sentence naming the URL, never a panic.
//!
//! Blocking (reqwest's blocking client with rustls): the callers are loop threads, not
//! async tasks. Must not be called from inside an async runtime.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::redirect::Policy;

/// The longest body captain keeps from a service's answer, for error messages and parsing.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// One client per redirect policy for the whole process: a blocking client owns a runtime
/// thread, too costly to build per request. Per-request timeouts are set on each request.
fn client(follow_redirects: bool) -> Result<&'static Client, String> {
    static FOLLOWING: OnceLock<Result<Client, String>> = OnceLock::new();
    static EXACT: OnceLock<Result<Client, String>> = OnceLock::new();
    let (cell, policy) = if follow_redirects {
        (&FOLLOWING, Policy::limited(10))
    } else {
        (&EXACT, Policy::none())
    };
    cell.get_or_init(|| {
        Client::builder()
            .redirect(policy)
            .user_agent(concat!("captain/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("could not set up an HTTP client: {}", chain(&e)))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// An HTTP answer: status and body (decoded as UTF-8, lossily).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// GET `url` with `query` parameters. `Err` is a sentence naming the URL: not a valid URL,
/// no connection, no answer within `timeout`, an unreadable body.
pub fn get(
    url: &str,
    query: &[(&str, &str)],
    timeout: Duration,
    follow_redirects: bool,
) -> Result<Answer, String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a valid URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}` is not an http:// or https:// URL"));
    }
    let response = client(follow_redirects)?
        .get(parsed)
        .query(query)
        .timeout(timeout)
        .send()
        .map_err(|e| request_error(url, timeout, &e))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .map_err(|e| request_error(url, timeout, &e))?;
    let body = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_BODY)]).into_owned();
    Ok(Answer { status, body })
}

/// The `http` approval probe: passes when a GET of `url` answers `expected` within
/// `timeout`. Redirects are followed unless `expected` is itself a redirect status, so
/// `status = 302` checks the URL's own answer.
pub fn probe(url: &str, expected: u16, timeout: Duration) -> Result<(), String> {
    let follow = !(300..400).contains(&expected);
    let answer = get(url, &[], timeout, follow)?;
    if answer.status == expected {
        Ok(())
    } else {
        Err(format!(
            "GET {url} answered {} instead of {expected}{}",
            answer.status,
            excerpt(&answer.body)
        ))
    }
}

/// `": <first line of the body>"`, short, or nothing for an empty body.
pub(crate) fn excerpt(body: &str) -> String {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        Some(line) if line.chars().count() > 200 => {
            format!(": {}…", line.chars().take(200).collect::<String>())
        }
        Some(line) => format!(": {line}"),
        None => String::new(),
    }
}

fn request_error(url: &str, timeout: Duration, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!(
            "no answer from {url} within {}",
            humantime::format_duration(timeout)
        )
    } else if e.is_connect() {
        format!("could not connect to {url}: {}", chain(e))
    } else {
        format!("request to {url} failed: {}", chain(e))
    }
}

/// An error and its causes, most specific last, without repeats ("error sending request:
/// tcp connect error: Connection refused (os error 111)").
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last().is_none_or(|last| !last.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_named() {
        let e = get("not a url", &[], Duration::from_secs(1), true).unwrap_err();
        assert!(e.contains("`not a url` is not a valid URL"), "{e}");
        let e = get("ftp://example.org/", &[], Duration::from_secs(1), true).unwrap_err();
        assert!(e.contains("not an http"), "{e}");
    }

    #[test]
    fn refused_connection_names_the_url() {
        // Bind and drop a listener to find a loopback port where nothing listens.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let url = format!("http://127.0.0.1:{port}/health");
        let e = probe(&url, 200, Duration::from_secs(2)).unwrap_err();
        assert!(e.starts_with(&format!("could not connect to {url}")), "{e}");
    }

    #[test]
    fn excerpt_is_short_and_skips_blank_lines() {
        assert_eq!(excerpt(""), "");
        assert_eq!(excerpt("\n  down  \nmore"), ": down");
        assert!(excerpt(&"x".repeat(500)).ends_with('…'));
    }
}

//! A real headless Chromium for the web pages' tests, driven over WebDriver: Debian's
//! `chromedriver` (package chromium-driver) started on a free loopback port, one browser
//! session per [`Browser`], both ended when it is dropped. Only the few WebDriver
//! commands the tests need, over the blocking HTTP client the tests already use.

#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::panic)] // a failing harness should stop loudly

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

/// An element on the page.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

fn program(name: &str, fallback: &str) -> PathBuf {
    for candidate in [
        format!("/usr/bin/{name}"),
        format!("/usr/lib/chromium/{name}"),
    ] {
        if Path::new(&candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "{name} is not installed: the web tests need Debian's {fallback} (`apt-get install chromium chromium-driver`; .ci/test installs them)"
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// A new headless browser with a fresh profile and a window of `width`×`height`.
    pub fn start(width: u32, height: u32) -> Browser {
        let chromium = program("chromium", "chromium");
        let chromedriver = program("chromedriver", "chromium-driver");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let started = Instant::now();
        loop {
            let ready = client
                .get(format!("{base}/status"))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let created: Value = client
            .post(format!("{base}/session"))
            .json(&json!({
                "capabilities": { "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": chromium, "args": args },
                } }
            }))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {created}"))
            .to_string();
        Browser {
            driver,
            base,
            session,
            client,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    fn answer(&self, response: reqwest::blocking::Response, what: &str) -> Value {
        let status = response.status();
        let body: Value = response.json().unwrap();
        assert!(status.is_success(), "{what}: {status} {body}");
        body["value"].clone()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let response = self.client.post(self.url(path)).json(&body).send().unwrap();
        self.answer(response, path)
    }

    fn get(&self, path: &str) -> Value {
        let response = self.client.get(self.url(path)).send().unwrap();
        self.answer(response, path)
    }

    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    pub fn current_url(&self) -> String {
        self.get("/url").as_str().unwrap().to_string()
    }

    pub fn title(&self) -> String {
        self.get("/title").as_str().unwrap().to_string()
    }

    /// The first element matching a CSS selector, if any.
    pub fn try_find(&self, css: &str) -> Option<Element<'_>> {
        let response = self
            .client
            .post(self.url("/element"))
            .json(&json!({ "using": "css selector", "value": css }))
            .send()
            .unwrap();
        if !response.status().is_success() {
            return None;
        }
        let value: Value = response.json().unwrap();
        Some(Element {
            browser: self,
            id: value["value"][ELEMENT].as_str()?.to_string(),
        })
    }

    pub fn find(&self, css: &str) -> Element<'_> {
        self.try_find(css)
            .unwrap_or_else(|| panic!("no element `{css}` on {}", self.current_url()))
    }

    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self.post(
            "/elements",
            json!({ "using": "css selector", "value": css }),
        );
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| Element {
                browser: self,
                id: e[ELEMENT].as_str().unwrap().to_string(),
            })
            .collect()
    }

    /// Presses a key (a WebDriver key code such as `\u{E004}`, Tab) where the focus is.
    pub fn press(&self, key: &str) {
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
                { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
            ] }] }),
        );
    }

    /// Runs a script in the page; its return value.
    pub fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// The page's visible text (read in one go: a live update cannot make it stale).
    pub fn text(&self) -> String {
        self.script("return document.body ? document.body.innerText : ''")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits for the page's heading to be `expected` (a click's navigation may still be
    /// on its way).
    pub fn wait_for_heading(&self, expected: &str) {
        let heading = |b: &Browser| {
            b.script("const h = document.querySelector('h1'); return h ? h.innerText.trim() : ''")
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        self.wait_for(
            Duration::from_secs(10),
            &format!("the heading `{expected}`"),
            |b| heading(b) == expected,
        );
    }

    /// Waits up to `limit` for `check` to hold on the page; how long it took.
    pub fn wait_for(
        &self,
        limit: Duration,
        what: &str,
        check: impl Fn(&Browser) -> bool,
    ) -> Duration {
        let started = Instant::now();
        loop {
            if check(self) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "waited {limit:?} for {what}; the page says:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Writes a PNG of the page as the browser shows it.
    pub fn screenshot(&self, file: &Path) {
        let data = self.get("/screenshot");
        let png = decode_base64(data.as_str().unwrap());
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, png).unwrap();
    }

    /// Writes a PNG of the whole page (the window grown to its height for the shot).
    pub fn screenshot_full(&self, file: &Path, width: u32) {
        let height = self
            .script("return Math.ceil(document.documentElement.scrollHeight)")
            .as_u64()
            .unwrap_or(900)
            .clamp(300, 6000) as u32;
        let before = self.get("/window/rect");
        self.post(
            "/window/rect",
            json!({ "width": width, "height": height + 120 }),
        );
        self.screenshot(file);
        self.post(
            "/window/rect",
            json!({ "width": before["width"], "height": before["height"] }),
        );
    }
}

impl Element<'_> {
    pub fn text(&self) -> String {
        self.browser
            .get(&format!("/element/{}/text", self.id))
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn click(&self) {
        self.browser
            .post(&format!("/element/{}/click", self.id), json!({}));
    }

    pub fn type_text(&self, text: &str) {
        self.browser.post(
            &format!("/element/{}/value", self.id),
            json!({ "text": text }),
        );
    }

    pub fn attribute(&self, name: &str) -> Option<String> {
        self.browser
            .get(&format!("/element/{}/attribute/{name}", self.id))
            .as_str()
            .map(str::to_string)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.client.delete(self.url("")).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= d << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// Where the tests write their screenshots: the test's output folder.
pub fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots")
}

#[test]
fn base64_decodes() {
    assert_eq!(decode_base64("aGVsbG8="), b"hello");
    assert_eq!(decode_base64("aGk="), b"hi");
    assert_eq!(decode_base64("YWJj"), b"abc");
}

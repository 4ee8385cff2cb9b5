//! The test environment: a temporary directory with a sandbox repository, an isolated
//! HOME, a pinned clock, and a helper that runs the real binary with a clean environment.
//!
//! Every command must behave the same on either backend (SPEC §5), so a test environment
//! has one: a local state file, or a real `captain serve` child over its own SQLite
//! database with a delegating admin token in CAPTAIN_TOKEN. [`on_both_backends!`] runs a
//! test on each; `CAPTAIN_TEST_BACKEND=http cargo test` runs every other test over HTTP.

#![allow(dead_code)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use captain::store::Store;
use captain::store::sqlite::SqliteStore;

use super::server_harness::Server;

use captain::git::sandbox::Sandbox;
use captain::model::Timestamp;

pub const NOW: &str = "2026-11-21T12:00:00Z";

pub fn now() -> Timestamp {
    NOW.parse().expect("NOW is a valid timestamp")
}

/// A time `hours` before [`NOW`].
pub fn hours_ago(hours: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() - hours * 3600).expect("in range")
}

/// Where a test environment keeps its ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A state file in the test's directory.
    Local,
    /// `captain serve` over SQLite, reached over HTTP.
    Http,
}

thread_local! {
    /// The backend [`TestEnv::new`] uses on this test's thread (see [`on_backend`]).
    static BACKEND: Cell<Option<Backend>> = const { Cell::new(None) };
}

/// Runs `test` with every [`TestEnv::new`] on this thread using `backend`.
pub fn on_backend(backend: Backend, test: impl FnOnce()) {
    BACKEND.with(|b| b.set(Some(backend)));
    test();
}

/// The backend of new test environments: the one set for this thread, else
/// `CAPTAIN_TEST_BACKEND` (`local` or `http`), else local.
pub fn current_backend() -> Backend {
    BACKEND.with(Cell::get).unwrap_or_else(|| {
        match std::env::var("CAPTAIN_TEST_BACKEND").as_deref() {
            Ok("http") => Backend::Http,
            Ok("local") | Ok("") | Err(_) => Backend::Local,
            Ok(other) => panic!("CAPTAIN_TEST_BACKEND={other}: expected `local` or `http`"),
        }
    })
}

/// Turns test functions into a module each with a `local` and an `http` test.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[test]
                fn local() {
                    $crate::common::on_backend($crate::common::Backend::Local, super::$name);
                }

                #[test]
                fn http() {
                    $crate::common::on_backend($crate::common::Backend::Http, super::$name);
                }
            }
        )+
    };
}

pub struct TestEnv {
    /// Dropped (killed) before the directory it lives in is removed.
    pub server: Option<Server>,
    pub dir: tempfile::TempDir,
    /// On a server: the digest of the repository's pipeline.toml last registered there.
    /// Each run registers the file again when it changed, as an operator keeping the
    /// server in step would (`captain pipeline push`); tests of registration itself
    /// turn this off with [`TestEnv::manual_registration`].
    registered: std::cell::RefCell<Option<String>>,
    auto_register: std::cell::Cell<bool>,
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        let server = match current_backend() {
            Backend::Local => None,
            Backend::Http => Some(Server::start(&dir.path().join("server"))),
        };
        TestEnv {
            server,
            dir,
            registered: std::cell::RefCell::new(None),
            auto_register: std::cell::Cell::new(true),
        }
    }

    /// On a server, registers another definition (a pipeline.toml outside the repository,
    /// given with `--pipeline`); the repository's file is registered again before the next
    /// run that reads it.
    pub fn register(&self, definition: &str) {
        if let Some(server) = &self.server {
            server.register(definition);
            *self.registered.borrow_mut() = None;
        }
    }

    /// Stops registering the repository's pipeline.toml on the server before each run.
    pub fn manual_registration(&self) {
        self.auto_register.set(false);
    }

    /// Registers the repository's pipeline.toml before each run again (after
    /// [`TestEnv::manual_registration`]).
    pub fn auto_registration(&self) {
        self.auto_register.set(true);
        *self.registered.borrow_mut() = None;
    }

    /// On a server, registers the repository's pipeline.toml when it changed since the
    /// last registration.
    fn register_pipeline(&self) {
        let Some(server) = &self.server else { return };
        if !self.auto_register.get() {
            return;
        }
        let Ok(text) = std::fs::read_to_string(self.repo_path().join("pipeline.toml")) else {
            return;
        };
        let digest = captain::model::pipeline_digest(&text);
        if self.registered.borrow().as_deref() == Some(digest.as_str()) {
            return;
        }
        // Only a valid file can be registered; a test of an invalid one runs without.
        if captain::config::validate_text(&text, std::path::Path::new("pipeline.toml")).is_ok() {
            server.register(&text);
        }
        *self.registered.borrow_mut() = Some(digest);
    }

    /// A test environment on the local backend whatever the current one is, for what
    /// only a local file has (a broken state file, `--state PATH`).
    pub fn local() -> TestEnv {
        let previous = BACKEND.with(|b| b.replace(Some(Backend::Local)));
        let env = TestEnv::new();
        BACKEND.with(|b| b.set(previous));
        env
    }

    pub fn backend(&self) -> Backend {
        if self.server.is_some() {
            Backend::Http
        } else {
            Backend::Local
        }
    }

    /// The ledger of `pipeline`, as the CLI in this environment sees it.
    pub fn store(&self, pipeline: &str) -> Box<dyn Store> {
        match &self.server {
            Some(server) => Box::new(server.store(pipeline)),
            None => Box::new(SqliteStore::open(&self.state_path(), pipeline).expect("open state")),
        }
    }

    /// What CAPTAIN_STATE says: the state file, or the server's URL.
    pub fn state(&self) -> String {
        match &self.server {
            Some(server) => server.url.clone(),
            None => self.state_path().display().to_string(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn repo_path(&self) -> PathBuf {
        self.path().join("repo")
    }

    pub fn state_path(&self) -> PathBuf {
        self.path().join("state.sqlite")
    }

    /// A new repository with `pipeline` committed as pipeline.toml.
    pub fn init_repo(&self, pipeline: &str) -> Sandbox {
        self.init_repo_with(&[("pipeline.toml", pipeline)])
    }

    /// A new repository whose first commit holds `files`.
    pub fn init_repo_with(&self, files: &[(&str, &str)]) -> Sandbox {
        let sandbox = Sandbox::init(&self.repo_path(), "main").expect("init repo");
        sandbox
            .commit(files, "First commit", "Ana Lima", hours_ago(24 * 30))
            .expect("first commit");
        sandbox
    }

    /// The binary with a clean environment, run from the repository.
    pub fn command(&self) -> Command {
        self.register_pipeline();
        self.program(env!("CARGO_BIN_EXE_captain"))
    }

    /// Any program with the same clean environment (e.g. `sh` driving the binary).
    pub fn program(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("XDG_DATA_HOME", self.path().join("home/data"))
            .env("XDG_CONFIG_HOME", self.path().join("home/config"))
            .env("CAPTAIN_STATE", self.state())
            .env("CAPTAIN_NOW", NOW)
            .env("CAPTAIN_ACTOR", "tester")
            .env("NO_COLOR", "1")
            .current_dir(if self.repo_path().exists() {
                self.repo_path()
            } else {
                self.path().to_path_buf()
            });
        if let Some(server) = &self.server {
            command.env("CAPTAIN_TOKEN", &server.admin);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command()
            .args(args)
            .output()
            .expect("run captain")
            .into()
    }

    pub fn run_at(&self, now: Timestamp, args: &[&str]) -> Run {
        self.command()
            .env("CAPTAIN_NOW", now.to_string())
            .args(args)
            .output()
            .expect("run captain")
            .into()
    }
}

/// A small pipeline: beta → gamma → two production stages.
pub const SMALL_PIPELINE: &str = r#"
name = "checkout"
trunk = "main"
timezone = "UTC"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma"]

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1"] }]

[[waves]]
name = "wave-2"
stages = [{ name = "prod-2", environments = ["prod-2", "prod-3"] }]
"#;

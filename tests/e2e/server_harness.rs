//! A real `captain serve` child process on a free loopback port over a SQLite database
//! directory or a PostgreSQL database, with an admin token made the documented way
//! (`captain token create --database`), killed when dropped.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // a failing harness should panic with the error it got

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use captain::server::auth::{NewToken, Role};
use captain::store::Store;
use captain::store::http::{HttpStore, Remote};

pub struct Server {
    child: Child,
    pub url: String,
    /// The secret of the admin token `admin` (a delegating token).
    pub admin: String,
    pub dir: PathBuf,
    pub ca_file: Option<PathBuf>,
}

fn command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_captain"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("home/config"))
        .env("XDG_DATA_HOME", dir.join("home/data"))
        .env("NO_COLOR", "1")
        .current_dir(dir);
    command
}

/// How [`Server::spawn_inner`] starts the process.
#[derive(Default)]
struct Spawn {
    /// An open-files limit (`ulimit -n`).
    nofile: Option<u32>,
    /// `CAPTAIN_NOW` for the server itself.
    now: Option<&'static str>,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        Self::start_with(dir, &[], None)
    }

    /// Starts with extra `serve` arguments; `ca_file` is the CA the clients must trust.
    pub fn start_with(dir: &Path, extra: &[&str], ca_file: Option<PathBuf>) -> Server {
        let database = format!("sqlite:{}", dir.join("db").display());
        Self::start_on(dir, &database, extra, ca_file)
    }

    /// Starts on a given `--database` (sqlite:DIR or postgres://…).
    pub fn start_on(
        dir: &Path,
        database: &str,
        extra: &[&str],
        ca_file: Option<PathBuf>,
    ) -> Server {
        let admin = Self::admin_token(dir, database);
        Self::spawn(dir, database, extra, ca_file, admin)
    }

    /// Creates the admin token `admin` on `database` the documented way (`captain token
    /// create --database`), before any server runs on it; its secret.
    pub fn admin_token(dir: &Path, database: &str) -> String {
        std::fs::create_dir_all(dir).unwrap();
        let created = command(dir)
            .args(["token", "create", "admin", "--role", "admin", "--delegate"])
            .args(["--database", database])
            .output()
            .unwrap();
        assert!(
            created.status.success(),
            "token create: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        let admin = String::from_utf8_lossy(&created.stdout).trim().to_string();
        assert!(admin.starts_with("cpt_"), "{admin}");
        admin
    }

    /// Starts one more server (a replica) on `database`, using an existing admin token.
    /// The tests pin the clients' clock (CAPTAIN_NOW) and the server decides with it.
    pub fn spawn(
        dir: &Path,
        database: &str,
        extra: &[&str],
        ca_file: Option<PathBuf>,
        admin: String,
    ) -> Server {
        Self::spawn_with(dir, database, extra, ca_file, admin, true)
    }

    /// [`Server::spawn`]; `client_clock: false` starts it deciding with its own clock, as
    /// in production.
    pub fn spawn_with(
        dir: &Path,
        database: &str,
        extra: &[&str],
        ca_file: Option<PathBuf>,
        admin: String,
        client_clock: bool,
    ) -> Server {
        Self::spawn_inner(
            dir,
            database,
            extra,
            ca_file,
            admin,
            client_clock,
            Spawn::default(),
        )
    }

    /// [`Server::start`] with the server's own clock pinned to the tests' `NOW`
    /// (`CAPTAIN_NOW`: what `/metrics` ends its windows at).
    pub fn start_pinned(dir: &Path) -> Server {
        let database = format!("sqlite:{}", dir.join("db").display());
        Self::start_pinned_on(dir, &database)
    }

    /// [`Server::start_pinned`] on a given `--database`.
    pub fn start_pinned_on(dir: &Path, database: &str) -> Server {
        let admin = Self::admin_token(dir, database);
        let how = Spawn {
            nofile: None,
            now: Some(super::common::NOW),
        };
        Self::spawn_inner(dir, database, &[], None, admin, true, how)
    }

    /// [`Server::spawn`] under an open-files limit of `nofile` (`ulimit -n`).
    pub fn spawn_with_fd_limit(
        dir: &Path,
        database: &str,
        extra: &[&str],
        admin: String,
        nofile: u32,
    ) -> Server {
        let how = Spawn {
            nofile: Some(nofile),
            now: None,
        };
        Self::spawn_inner(dir, database, extra, None, admin, true, how)
    }

    fn spawn_inner(
        dir: &Path,
        database: &str,
        extra: &[&str],
        ca_file: Option<PathBuf>,
        admin: String,
        client_clock: bool,
        how: Spawn,
    ) -> Server {
        std::fs::create_dir_all(dir).unwrap();
        let log = std::fs::File::create(dir.join("serve.log")).unwrap();
        let mut command = match how.nofile {
            None => command(dir),
            Some(n) => {
                let inner = command(dir);
                let mut sh = Command::new("sh");
                sh.env_clear()
                    .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
                    .current_dir(dir)
                    .args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\"")])
                    .arg(inner.get_program());
                sh
            }
        };
        if let Some(now) = how.now {
            command.env("CAPTAIN_NOW", now);
        }
        command.args(["serve", "--database", database, "--listen", "127.0.0.1:0"]);
        if client_clock {
            command.arg("--trust-client-clock");
        }
        let mut child = command
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("captain serve: listening on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "serve did not start: {line:?}\n{}",
                    std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
                )
            })
            .to_string();
        Server {
            child,
            url,
            admin,
            dir: dir.to_path_buf(),
            ca_file,
        }
    }

    pub fn remote(&self, token: &str) -> Remote {
        Remote {
            token: Some(token.to_string()),
            ca_file: self.ca_file.clone(),
            attempts: None,
        }
    }

    /// A store of `pipeline` on this server with the admin token.
    pub fn store(&self, pipeline: &str) -> HttpStore {
        HttpStore::open(&self.url, pipeline, &self.remote(&self.admin)).unwrap()
    }

    /// Registers `definition` (pipeline.toml's text) as the next version of the
    /// pipeline it names, as an operator's `captain pipeline push` does.
    pub fn register(&self, definition: &str) {
        let name = captain::config::validate_text(definition, Path::new("pipeline.toml"))
            .unwrap_or_else(|problems| panic!("an invalid test pipeline: {problems:?}"))
            .name;
        self.store(&name)
            .push_pipeline(captain::model::NewPipelineVersion {
                definition: definition.to_string(),
                actor: "test-harness".into(),
                reason: Some("the test's pipeline".into()),
                at: captain::model::Timestamp::now(),
            })
            .unwrap();
    }

    /// A new token's secret.
    pub fn token(&self, name: &str, role: Role, delegate: bool) -> String {
        self.store("-")
            .create_token(&NewToken {
                name: name.into(),
                role,
                delegate,
                reason: None,
                pipelines: Vec::new(),
            })
            .unwrap()
            .secret
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("serve.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, then reap: a replica dying without a word.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM, then wait: the server should drain and exit 0.
    pub fn terminate(&mut self) -> Option<i32> {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! A real, throwaway PostgreSQL for tests: one server per test process, a fresh
//! database per test.
//!
//! How it works, and why:
//! - The binaries (`initdb`, `pg_ctl`, `postgres`) are looked up in `CAPTAIN_TEST_PG_BIN`,
//!   then `PATH`, then Debian's `/usr/lib/postgresql/<newest>/bin` (where the
//!   `postgresql` package puts them without linking them into `PATH`). None found is a
//!   test failure, not a skip: `.ci/run` installs the package.
//! - `initdb` refuses to run as root. As root, the cluster belongs to `nobody`: the
//!   temporary directory is made traversable, its `data` and `run` subdirectories are
//!   given to `nobody`, and `initdb`/`pg_ctl` run through `runuser -u nobody` (or
//!   `setpriv` where `runuser` is missing). As any other user they run directly.
//! - The server listens on a free loopback port (trust authentication, user
//!   `postgres`) with its socket inside the temporary directory; `fsync` is off (the
//!   data is thrown away) unless `CAPTAIN_TEST_PG_FSYNC=on`.
//! - Cleanup must happen even when a test panics or the process is killed, and a
//!   static never drops. So a small watchdog shell waits for the test process to exit,
//!   then stops the server (`pg_ctl stop -m immediate`) and removes the directory.

#![allow(clippy::unwrap_used)]
#![allow(dead_code)] // `dir` and `bin` are for later users (the server tests, pgbench)

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The running throwaway server.
pub struct PgServer {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
    /// `postgres`' options, to start it again with them ([`PgServer::start_again`]).
    options: String,
    /// The cluster's owner when the tests run as root (`nobody`).
    owner: Option<u32>,
}

static SERVER: OnceLock<PgServer> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The process's server, started on first use.
pub fn server() -> &'static PgServer {
    SERVER.get_or_init(|| PgServer::start().unwrap_or_else(|e| panic!("{e}")))
}

/// A server of the test's own, to stop and start again (an outage); stopped and removed
/// with the test process, like the shared one.
pub fn private_server() -> PgServer {
    PgServer::start().unwrap_or_else(|e| panic!("{e}"))
}

/// A URL to a new, empty database on the process's server.
pub fn fresh_database() -> String {
    let server = server();
    let n = DATABASES.fetch_add(1, Ordering::SeqCst);
    let name = format!("captain_test_{}_{n}", std::process::id());
    let mut admin = postgres::Client::connect(&server.url("postgres"), postgres::NoTls)
        .unwrap_or_else(|e| panic!("connecting to the test PostgreSQL: {}", server.explain(&e)));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("creating database {name}: {}", server.explain(&e)));
    server.url(&name)
}

/// How many lines of the server's log a failure shows.
const LOG_TAIL_LINES: usize = 20;

impl PgServer {
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// What went wrong, as PostgreSQL said it (a bare `db error` says nothing), with the
    /// end of the server's log: a crashed or full-disk server explains itself there.
    pub fn explain(&self, error: &postgres::Error) -> String {
        let said = match error.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => error.to_string(),
        };
        let log =
            std::fs::read_to_string(self.dir.join("data").join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
        format!("{said}\nend of the test server's log:\n{tail}")
    }

    /// The directory of the PostgreSQL binaries (also used by benchmarks for pgbench).
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// A URL to a new, empty database on this server.
    pub fn database(&self) -> String {
        let n = DATABASES.fetch_add(1, Ordering::SeqCst);
        let name = format!("captain_test_{}_{n}", std::process::id());
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to the test PostgreSQL: {}", self.explain(&e)));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("creating database {name}: {}", self.explain(&e)));
        self.url(&name)
    }

    /// Stops the server (`pg_ctl stop -m fast`: sessions are ended, as in a restart).
    pub fn stop(&self) {
        run_ok(
            as_owner(&self.bin, self.owner, "pg_ctl")
                .arg("-D")
                .arg(self.dir.join("data"))
                .args(["-w", "-m", "fast", "stop"]),
            "pg_ctl stop",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Starts a stopped server again, on the same port.
    pub fn start_again(&self) {
        let data = self.dir.join("data");
        run_ok(
            as_owner(&self.bin, self.owner, "pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(data.join("server.log"))
                .args(["-w", "-t", "60", "-o", &self.options, "start"]),
            "pg_ctl start",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    fn start() -> Result<PgServer, String> {
        let bin = find_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("captain-pg-")
            .tempdir()
            .map_err(|e| format!("creating a temp dir for PostgreSQL: {e}"))?
            .keep(); // removed by the watchdog, after the server stopped
        let data = dir.join("data");
        let run = dir.join("run");
        for sub in [&data, &run] {
            std::fs::create_dir(sub).map_err(|e| format!("creating {}: {e}", sub.display()))?;
        }
        let owner = if is_root() {
            let (uid, gid) = nobody()?;
            set_mode(&dir, 0o755)?;
            for sub in [&data, &run] {
                std::os::unix::fs::chown(sub, Some(uid), Some(gid))
                    .map_err(|e| format!("giving {} to nobody: {e}", sub.display()))?;
            }
            Some(uid)
        } else {
            None
        };
        let as_owner = |program: &str| as_owner(&bin, owner, program);
        initdb(&bin, owner, &data)?;
        // A free port can be taken between choosing and binding it: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            // `CAPTAIN_TEST_PG_FSYNC=on` measures with durable commits.
            let fsync = match std::env::var("CAPTAIN_TEST_PG_FSYNC").as_deref() {
                Ok("on") => "on",
                _ => "off",
            };
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync={fsync} -c full_page_writes={fsync} \
                 -c max_connections=300 -c shared_buffers=128MB",
                run.display()
            );
            let started = run_ok(
                as_owner("pg_ctl")
                    .arg("-D")
                    .arg(&data)
                    .arg("-l")
                    .arg(data.join("server.log"))
                    .args(["-w", "-t", "60", "-o", &options, "start"]),
                "pg_ctl start",
            );
            match started {
                Ok(()) => {
                    watchdog(&bin, &data, &dir, owner.is_some())?;
                    return Ok(PgServer {
                        port,
                        dir,
                        bin,
                        options,
                        owner,
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(format!(
            "{last}\n{}",
            std::fs::read_to_string(data.join("server.log")).unwrap_or_default()
        ))
    }
}

/// A new cluster in `data` (trust authentication, user `postgres`, UTF-8, no locale), made
/// as its owner.
pub fn initdb(bin: &Path, owner: Option<u32>, data: &Path) -> Result<(), String> {
    run_ok(
        as_owner(bin, owner, "initdb")
            .args([
                "--auth=trust",
                "--username=postgres",
                "--no-locale",
                "--encoding=UTF8",
            ])
            .arg("-D")
            .arg(data),
        "initdb",
    )
}

/// `program` of the PostgreSQL binaries, run as the cluster's owner.
pub fn as_owner(bin: &Path, owner: Option<u32>, program: &str) -> Command {
    let program = bin.join(program);
    match owner {
        None => Command::new(program),
        Some(_) if which("runuser").is_some() => {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(program);
            c
        }
        Some(_) => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
                .arg(program);
            c
        }
    }
}

pub fn find_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CAPTAIN_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(initdb) = which("initdb") {
        // Follow a symlink into the real directory, so pg_ctl finds its `postgres`.
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(parent) = real.parent() {
            return Ok(parent.to_path_buf());
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL is not installed: no initdb in CAPTAIN_TEST_PG_BIN, PATH or /usr/lib/postgresql/*/bin \
         (install Debian's `postgresql` package; .ci/run does)"
            .to_string()
    })
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn nobody() -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id")
            .args([flag, "nobody"])
            .output()
            .map_err(|e| format!("id {flag} nobody: {e}"))?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| "there is no user `nobody` to own the test PostgreSQL".to_string())
    };
    Ok((id("-u")?, id("-g")?))
}

pub fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

pub fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

pub fn run_ok(command: &mut Command, what: &str) -> Result<(), String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Stops the server and removes its directory once this test process is gone, however
/// it ends.
fn watchdog(bin: &Path, data: &Path, dir: &Path, as_nobody: bool) -> Result<(), String> {
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
    let stop = format!(
        "{} -D {} stop -m immediate",
        quote(&bin.join("pg_ctl")),
        quote(data)
    );
    let stop = if !as_nobody {
        stop
    } else if which("runuser").is_some() {
        format!("runuser -u nobody -- {stop}")
    } else {
        format!("setpriv --reuid=nobody --regid=nogroup --clear-groups -- {stop}")
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = quote(dir),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("starting the PostgreSQL watchdog: {e}"))
}

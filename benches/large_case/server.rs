//! The server rows of the large case (issue 16, point 3, and point 2's "also through
//! `captain serve`"): the same ledger held by `captain serve` on PostgreSQL, and the
//! views and the loop's passes asked over HTTP on loopback — whole processes, as every
//! other row.
//!
//! - The PostgreSQL cluster lives beside the case (`pg/data`), made once with `initdb`
//!   (owned by `nobody` when the bench runs as root, as in the test harness). Each bench
//!   run starts it on a free loopback port and stops it at the end.
//! - Made once too (the `pg` step): the database `captain`, an admin token (`pg/token`,
//!   mode 0600, made with `captain token create --database`) and the ledger imported
//!   through the server (`captain state import --state http://…`), as a team moves a
//!   local ledger onto its server.
//! - Each run starts `captain serve` on it (`--pipeline` registers the case's
//!   pipeline.toml; `--trust-client-clock` lets the loop rows' pinned clock through).
//!   The loop's `run --once` writes, so it runs on a copy of the database made for the
//!   run (`CREATE DATABASE … TEMPLATE captain`, dropped at the end) behind a second
//!   server, settled by one untimed pass first (the pass after a restart, which takes
//!   over the deployments in flight).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};

use crate::generate::Case;
use crate::pg_harness;

/// The case's PostgreSQL cluster, running; stopped when dropped.
pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    owner: Option<u32>,
    pub port: u16,
}

impl Cluster {
    /// Starts the case's cluster, making it first when it does not exist.
    pub fn start(case: &Case) -> Result<Cluster> {
        let bin = pg_harness::find_bin().map_err(|e| anyhow!(e))?;
        let dir = case.dir.join("pg");
        let data = dir.join("data");
        let run = dir.join("run");
        let owner = if pg_harness::is_root() {
            Some(pg_harness::nobody().map_err(|e| anyhow!(e))?.0)
        } else {
            None
        };
        if !data.join("PG_VERSION").exists() {
            let _ = std::fs::remove_dir_all(&dir);
            for sub in [&data, &run] {
                std::fs::create_dir_all(sub)
                    .with_context(|| format!("cannot create {}", sub.display()))?;
            }
            if owner.is_some() {
                // `nobody` must reach the cluster's directories.
                for path in [&case.dir, &dir] {
                    pg_harness::set_mode(path, 0o755).map_err(|e| anyhow!(e))?;
                }
                let (uid, gid) = pg_harness::nobody().map_err(|e| anyhow!(e))?;
                for sub in [&data, &run] {
                    std::os::unix::fs::chown(sub, Some(uid), Some(gid))
                        .with_context(|| format!("cannot give {} to nobody", sub.display()))?;
                }
            }
            pg_harness::initdb(&bin, owner, &data).map_err(|e| anyhow!(e))?;
        }
        let port = pg_harness::free_port().map_err(|e| anyhow!(e))?;
        // The case is rebuilt from the generator when lost: no need for durable commits.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c full_page_writes=off \
             -c shared_buffers=512MB -c max_connections=100",
            run.display()
        );
        pg_harness::run_ok(
            pg_harness::as_owner(&bin, owner, "pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(data.join("server.log"))
                .args(["-w", "-t", "120", "-o", &options, "start"]),
            "pg_ctl start",
        )
        .map_err(|e| anyhow!(e))?;
        Ok(Cluster {
            bin,
            data,
            owner,
            port,
        })
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs SQL on the cluster's `postgres` database (outside any transaction, as
    /// `CREATE DATABASE` must be).
    pub fn sql(&self, sql: &str) -> Result<()> {
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .context("cannot connect to the case's PostgreSQL")?;
        client
            .batch_execute(sql)
            .with_context(|| format!("PostgreSQL refused `{sql}`"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg_harness::run_ok(
            pg_harness::as_owner(&self.bin, self.owner, "pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-w", "-m", "fast", "stop"]),
            "pg_ctl stop",
        );
    }
}

/// A running `captain serve`; stopped (SIGTERM, then killed) when dropped.
pub struct Serve {
    child: Child,
    pub url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `captain serve` on `database`, registering the case's pipeline, and waits
/// until it answers `/readyz` (the first start on a database migrates it).
pub fn serve(captain: &Path, case: &Case, database: &str, log: &str) -> Result<Serve> {
    let port = pg_harness::free_port().map_err(|e| anyhow!(e))?;
    let url = format!("http://127.0.0.1:{port}");
    let log_path = case.dir.join("pg").join(log);
    let log_file = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let child = Command::new(captain)
        .current_dir(&case.repo)
        .env("HOME", &case.dir)
        .env("NO_COLOR", "1")
        .args(["serve", "--database", database, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--pipeline")
        .arg(&case.pipeline)
        // The import of the whole ledger is one request of about a minute.
        .args(["--request-timeout", "1800", "--idle-timeout", "1900"])
        .arg("--trust-client-clock")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .context("cannot start captain serve")?;
    let mut serve = Serve { child, url };
    let deadline = Instant::now() + Duration::from_secs(300);
    let client = reqwest::blocking::Client::new();
    loop {
        if let Ok(Some(status)) = serve.child.try_wait() {
            bail!("captain serve exited {status}; see {}", log_path.display());
        }
        let ready = client
            .get(format!("{}/readyz", serve.url))
            .timeout(Duration::from_secs(2))
            .send()
            .is_ok_and(|r| r.status().is_success());
        if ready {
            return Ok(serve);
        }
        if Instant::now() > deadline {
            let _ = serve.child.kill();
            bail!(
                "captain serve was not ready within 5 minutes; see {}",
                log_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The case's admin token on the cluster, made once.
pub fn token(captain: &Path, case: &Case, cluster: &Cluster) -> Result<String> {
    let path = case.dir.join("pg").join("token");
    if let Ok(secret) = std::fs::read_to_string(&path)
        && secret.trim().starts_with("cpt_")
    {
        return Ok(secret.trim().to_string());
    }
    let out = Command::new(captain)
        .env("HOME", &case.dir)
        .args(["token", "create", "bench", "--role", "admin", "--database"])
        .arg(cluster.url("captain"))
        .output()
        .context("cannot run captain token create")?;
    ensure!(
        out.status.success(),
        "captain token create failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let secret = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|w| w.starts_with("cpt_"))
        .context("captain token create printed no secret")?
        .to_string();
    write_private(&path, &secret)?;
    Ok(secret)
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// Makes the database `captain` and imports the case's ledger into it through `serve`
/// (the `pg` step).
pub fn import(captain: &Path, case: &Case, cluster: &Cluster) -> Result<()> {
    cluster.sql("DROP DATABASE IF EXISTS captain")?;
    cluster.sql("CREATE DATABASE captain")?;
    let _ = std::fs::remove_file(case.dir.join("pg").join("token"));
    let secret = token(captain, case, cluster)?;
    let server = serve(captain, case, &cluster.url("captain"), "import.log")?;
    let input = std::fs::File::open(&case.ledger).context("cannot open the ledger")?;
    let out = Command::new(captain)
        .current_dir(&case.repo)
        .env("HOME", &case.dir)
        .env("CAPTAIN_STATE", &server.url)
        .env("CAPTAIN_TOKEN", &secret)
        .args(["state", "import"])
        .stdin(input)
        .output()
        .context("cannot run captain state import")?;
    ensure!(
        out.status.success(),
        "captain state import through the server failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    eprintln!("  {}", String::from_utf8_lossy(&out.stdout).trim());
    // Settle the planner's statistics and the visibility map, as autovacuum would.
    let mut client = postgres::Client::connect(&cluster.url("captain"), postgres::NoTls)?;
    client.batch_execute("VACUUM ANALYZE")?;
    Ok(())
}

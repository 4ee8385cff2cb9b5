//! Writes the large case to disk: the git repository (through `git fast-import`), the
//! tag-per-deployment repository of the usual git approach, `pipeline.toml`, the ledger
//! as JSON Lines in captain's export format, and the SQLite state loaded from it with
//! `captain state import`.
//!
//! Each product is written once per set of parameters and marked done; a later run reuses
//! it. Spawning `git` is fine here: this is the benchmark's scaffolding, not captain.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, Result, bail, ensure};
use sha2::{Digest, Sha256};

use captain::model::{
    CommitInfo, Dependency, DependencySnapshot, Deployment, DeploymentId, DeploymentKind, Lock,
    LockDirection, LockTargetKind, Release, ReleaseNumber, Timestamp,
};
use captain::store::LedgerRecord;
use captain::store::export::{FORMAT, VERSION};

use super::history::{self, AUTHORS, History, Ledger, Stage};

pub const PIPELINE: &str = "storefront";

/// The files of one case.
pub struct Case {
    pub dir: PathBuf,
    /// The repository captain runs in (pipeline.toml at its root, no tags).
    pub repo: PathBuf,
    /// A bare repository sharing `repo`'s objects, with one tag per deployment.
    pub tags: PathBuf,
    pub pipeline: PathBuf,
    pub ledger: PathBuf,
    pub state: PathBuf,
}

impl Case {
    pub fn new(dir: &Path) -> Case {
        Case {
            dir: dir.to_path_buf(),
            repo: dir.join("repo"),
            tags: dir.join("tags.git"),
            pipeline: dir.join("repo").join("pipeline.toml"),
            ledger: dir.join("ledger.jsonl"),
            state: dir.join("state.sqlite"),
        }
    }

    fn marker(&self, step: &str) -> PathBuf {
        self.dir.join(format!("{step}.done"))
    }

    pub fn is_done(&self, step: &str) -> bool {
        self.marker(step).exists()
    }

    fn mark_done(&self, step: &str, seconds: f64) -> Result<()> {
        fs::write(self.marker(step), format!("{seconds:.1}\n"))
            .with_context(|| format!("cannot mark step {step} done"))
    }

    /// Seconds a cached step took when it was made.
    pub fn step_seconds(&self, step: &str) -> Option<f64> {
        fs::read_to_string(self.marker(step))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    pub fn forget(&self, step: &str) {
        let _ = fs::remove_file(self.marker(step));
    }
}

/// Runs `step` unless it is already done; returns how long it took (or took when made).
pub fn step(case: &Case, name: &str, run: impl FnOnce() -> Result<()>) -> Result<(f64, bool)> {
    if case.is_done(name) {
        return Ok((case.step_seconds(name).unwrap_or(0.0), true));
    }
    eprintln!("  generating {name} …");
    let started = Instant::now();
    run().with_context(|| format!("generating {name}"))?;
    let seconds = started.elapsed().as_secs_f64();
    case.mark_done(name, seconds)?;
    eprintln!("  generated {name} in {seconds:.1} s");
    Ok((seconds, false))
}

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir);
    command
}

fn run_git(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .context("cannot run git (is it installed?)")?;
    ensure!(status.success(), "{command:?} failed with {status}");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The repository.

/// Builds the repository with `git fast-import` and writes the commit-graph (what `git gc`
/// would do on a real server, so the git approach gets its best case).
pub fn write_repo(case: &Case, history: &History) -> Result<()> {
    // pipeline.toml stays: it sits untracked at the root, as in a real checkout.
    let dot_git = case.repo.join(".git");
    if dot_git.exists() {
        fs::remove_dir_all(&dot_git).context("cannot remove the old repository")?;
    }
    fs::create_dir_all(&case.repo)?;
    run_git(git(&case.repo).args(["init", "--quiet", "--initial-branch=main"]))?;
    let marks = case.dir.join("marks");
    let mut child = git(&case.repo)
        .args(["fast-import", "--quiet", "--done"])
        .arg(format!("--export-marks={}", marks.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start git fast-import")?;
    let stdin = child.stdin.take().context("git fast-import has no stdin")?;
    let mut out = BufWriter::with_capacity(1 << 20, stdin);
    let tip_branch = |i: usize| format!("refs/heads/bench/next-{}", i + 1);
    let mut branch_of = vec![None; history.commits.len()];
    for (i, branch) in history.next_branches.iter().enumerate() {
        for &c in branch {
            branch_of[c as usize] = Some(i);
        }
    }
    let mut is_side = vec![false; history.commits.len()];
    for commit in &history.commits {
        if let Some((start, len)) = commit.side {
            is_side[start as usize..(start + len) as usize]
                .iter_mut()
                .for_each(|s| *s = true);
        }
    }
    for (index, commit) in history.commits.iter().enumerate() {
        let author = AUTHORS[commit.author as usize];
        let reference = match branch_of[index] {
            Some(i) => tip_branch(i),
            // Side branches get a ref of their own while they are written: every commit
            // names its parents with `from`/`merge`, so the ref only carries the tip.
            None if is_side[index] => "refs/heads/topic".to_string(),
            None => "refs/heads/main".to_string(),
        };
        let message = format!(
            "{}\n\nChange {} of the storefront.\n",
            commit.subject,
            index + 1
        );
        writeln!(out, "commit {reference}\nmark :{}", index + 1)?;
        writeln!(
            out,
            "author {author} <{}> {} +0000",
            history::email(author),
            commit.time
        )?;
        writeln!(
            out,
            "committer {author} <{}> {} +0000",
            history::email(author),
            commit.time
        )?;
        write!(out, "data {}\n{message}", message.len())?;
        if commit.parents[0] != history::NONE {
            writeln!(out, "from :{}", commit.parents[0] + 1)?;
        }
        if commit.parents[1] != history::NONE {
            writeln!(out, "merge :{}", commit.parents[1] + 1)?;
        }
        let content = format!(
            "// {}\npub const REVISION: u32 = {};\n",
            commit.subject,
            index + 1
        );
        write!(
            out,
            "M 100644 inline {}\ndata {}\n{content}\n",
            history::file_path(commit.file),
            content.len()
        )?;
        if let Some(v) = commit
            .lock_version
            .or(if index == 0 { Some(0) } else { None })
        {
            let lock = history::cargo_lock(v);
            write!(
                out,
                "M 100644 inline Cargo.lock\ndata {}\n{lock}\n",
                lock.len()
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "done")?;
    out.flush()?;
    drop(out);
    let status = child.wait()?;
    ensure!(status.success(), "git fast-import failed with {status}");
    // The side-branch ref was only a vehicle; the history is reachable from main.
    let _ = git(&case.repo)
        .args(["update-ref", "-d", "refs/heads/topic"])
        .status();
    run_git(git(&case.repo).args(["commit-graph", "write", "--reachable"]))?;
    Ok(())
}

/// Full shas by commit index, from fast-import's marks file.
/// Points `origin/main` at `sha`, as a CI checkout sees a new trunk commit (fetched, with
/// the local `main` behind); `None` removes it. `release create` releases trunk commits.
pub fn set_remote_trunk(case: &Case, sha: Option<&str>) -> Result<()> {
    let mut command = git(&case.repo);
    command.args(["update-ref"]);
    match sha {
        Some(sha) => command.args(["refs/remotes/origin/main", sha]),
        None => command.args(["-d", "refs/remotes/origin/main"]),
    };
    run_git(&mut command)
}

pub fn read_shas(case: &Case, count: usize) -> Result<Vec<String>> {
    let file = File::open(case.dir.join("marks"))
        .context("cannot open the marks file of git fast-import")?;
    let mut shas = vec![String::new(); count];
    for line in BufReader::new(file).lines() {
        let line = line?;
        let Some((mark, sha)) = line.split_once(' ') else {
            continue;
        };
        let Ok(mark) = mark.trim_start_matches(':').parse::<usize>() else {
            continue;
        };
        if mark >= 1 && mark <= count {
            shas[mark - 1] = sha.to_string();
        }
    }
    ensure!(
        shas.iter().all(|s| s.len() == 40),
        "the marks file does not list every commit"
    );
    Ok(shas)
}

/// Checks the generator's idea of what a release introduces against git itself
/// (`git rev-list --count prev..this`) for a few releases, first and last included.
pub fn check_history(case: &Case, history: &History, shas: &[String]) -> Result<()> {
    let n = history.release_positions.len();
    for k in [0, 1, n / 2, n - 1] {
        let this = &shas[history.release_commit(k) as usize];
        let range = if k == 0 {
            this.clone()
        } else {
            format!("{}..{this}", shas[history.release_commit(k - 1) as usize])
        };
        let output = git(&case.repo)
            .args(["rev-list", "--count", &range])
            .output()?;
        ensure!(
            output.status.success(),
            "git rev-list --count {range} failed"
        );
        let counted: usize = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .context("git rev-list --count printed no number")?;
        let expected = history.introduced(k).len();
        ensure!(
            counted == expected,
            "release v{} introduces {expected} commits by the generator but {counted} by git",
            k + 1
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The pipeline.

/// The pipeline of the large case: the layout of pipeline.example.toml (alpha, beta, gamma,
/// then 26 regions in 5 waves of increasing size, one-box + zonal per AZ), 160 environments
/// in 33 stages, expanded by captain itself.
pub const PIPELINE_TOML: &str = r#"# The large case of SPEC §6 (written by benches/large_case.rs): pipeline.example.toml's layout.
name = "storefront"
trunk = "main"
timezone = "America/Los_Angeles"
prometheus = "http://localhost:9090"
alertmanager = "http://localhost:9093"

stages = [
  { name = "alpha", environments = ["alpha"] },
  { name = "beta", environments = ["beta"] },
  { name = "gamma", environments = ["gamma-onebox", "gamma"], bake_time = "1h" },
]

waves = [
  { name = "wave-1", regions = ["us-west-1"], bake_time = "12h" },
  { name = "wave-2", regions = ["eu-north-1", "ap-southeast-2"], bake_time = "4h" },
  { name = "wave-3", regions = ["us-west-2", "eu-central-1", "ap-northeast-1", "ca-central-1", "sa-east-1"] },
  { name = "wave-4", bake_time = "2h", regions = ["eu-west-2", "eu-west-3", "ap-south-1", "ap-northeast-2",
    "ap-southeast-1", "me-south-1", "af-south-1", "us-east-2"] },
  { name = "wave-5", bake_time = "2h", regions = ["us-east-1", "eu-west-1", "ap-northeast-3", "ap-east-1",
    "ap-southeast-3", "eu-south-1", "eu-central-2", "me-central-1", "ap-south-2", "il-central-1"] },
]

[wave_template]
azs = ["a", "b", "c"]
stages = [
  { name = "{wave}-az{n}-onebox", environment = "prod-{region}{az}-onebox", bake_time = "1h",
    rollback_alarm = 'ALARM("HighSeverity") OR ALARM("OneBoxFaults")' },
  { name = "{wave}-az{n}", environment = "prod-{region}{az}" },
]

[alarms]
HighSeverity = { kind = "prometheus", query = 'sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m])) > 0.01' }
OneBoxFaults = { kind = "prometheus", query = 'sum(rate(http_errors_total{onebox="true"}[5m])) > 0' }
LargeScaleEvent = { kind = "alertmanager", alertname = "LargeScaleEvent", labels = { scope = "org" } }

[defaults]
deploy = { argv = ["./deploy.sh", "{environment}"], timeout = "30m" }
approvals = [{ kind = "command", argv = ["./integration-tests.sh", "{environment}"], timeout = "20m" }]
rollback_alarm = 'ALARM("HighSeverity")'

[production]
blocker = 'ALARM("HighSeverity") OR ALARM("LargeScaleEvent")'
window = { days = "mon-thu", hours = "09:00-16:00", exclude = ["2026-11-26", "2026-12-24", "2026-12-25"] }
bake_time = "3h"
min_data_points = { query = 'sum(increase(http_requests_total{api="Create"}[3h]))', count = 100 }
"#;

/// Writes pipeline.toml at the repository root and expands it with captain's own loader,
/// so the ledger uses exactly the stage and environment names captain will.
pub fn pipeline_stages(case: &Case) -> Result<Vec<Stage>> {
    fs::create_dir_all(&case.repo)?;
    fs::write(&case.pipeline, PIPELINE_TOML).context("cannot write pipeline.toml")?;
    let pipeline = captain::config::Pipeline::load(&case.pipeline)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    ensure!(
        pipeline.name == PIPELINE,
        "the pipeline is named {}, not {PIPELINE}",
        pipeline.name
    );
    Ok(pipeline
        .stages
        .iter()
        .map(|s| Stage {
            name: s.name.clone(),
            wave: s.wave.clone(),
            environments: s.environments.iter().map(|e| e.name.clone()).collect(),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// The ledger.

fn timestamp(seconds: i64) -> Result<Timestamp> {
    Timestamp::from_second(seconds).with_context(|| format!("time {seconds} is out of range"))
}

pub fn artifact(k: usize) -> String {
    let digest = Sha256::digest(format!("storefront release {}", k + 1).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("registry.example.com/storefront@sha256:{hex}")
}

fn snapshot(version: u32) -> DependencySnapshot {
    DependencySnapshot::new(
        history::lock_packages(version)
            .into_iter()
            .map(|(name, version)| Dependency {
                lockfile: "Cargo.lock".into(),
                ecosystem: "cargo".into(),
                name,
                version,
            })
            .collect(),
    )
}

pub fn deployment_name(id: u64) -> String {
    format!("deploy-{id:010x}")
}

/// Writes the ledger as JSON Lines with captain's own record types: the header, the
/// releases with their commits, the deployments in start order, then the locks.
pub fn write_ledger(
    case: &Case,
    history: &History,
    shas: &[String],
    stages: &[Stage],
    ledger: &Ledger,
) -> Result<()> {
    let file = File::create(&case.ledger).context("cannot create the ledger file")?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let line = |record: &LedgerRecord, out: &mut BufWriter<File>| -> Result<()> {
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    let exported_at = timestamp(ledger.release_times.last().copied().unwrap_or(0) + 86_400)?;
    line(
        &LedgerRecord::Header {
            format: FORMAT.into(),
            version: VERSION,
            pipeline: Some(PIPELINE.into()),
            exported_at,
        },
        &mut out,
    )?;
    for k in 0..history.release_positions.len() {
        let introduced = history.introduced(k);
        let commits = introduced
            .iter()
            .map(|&c| {
                let commit = &history.commits[c as usize];
                Ok(CommitInfo {
                    sha: shas[c as usize].clone(),
                    author: AUTHORS[commit.author as usize].to_string(),
                    time: timestamp(commit.time)?,
                    subject: commit.subject.clone(),
                    parents: commit.parent_count(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let release = Release {
            number: ReleaseNumber(k as u64 + 1),
            commit: shas[history.release_commit(k) as usize].clone(),
            base: (k > 0).then_some(ReleaseNumber(k as u64)),
            artifacts: BTreeMap::from([("image".to_string(), artifact(k))]),
            actor: "ci-bot".into(),
            created_at: timestamp(ledger.release_times[k])?,
            commit_count: commits.len() as u64,
            first_commit: commits.last().map(|c| c.sha.clone()),
            hotfix: None,
        };
        let dependencies = snapshot(history.release_lock(k));
        line(
            &LedgerRecord::Release {
                release,
                commits,
                dependencies,
            },
            &mut out,
        )?;
    }
    let env_names: Vec<(&str, &str)> = stages
        .iter()
        .flat_map(|s| s.environments.iter().map(|e| (e.as_str(), s.name.as_str())))
        .collect();
    for d in &ledger.deployments {
        let (environment, stage) = env_names[d.environment as usize];
        let deployment = Deployment {
            id: DeploymentId(deployment_name(d.id)),
            environment: environment.into(),
            stage: stage.into(),
            release: ReleaseNumber(u64::from(d.release) + 1),
            kind: if d.rollback {
                DeploymentKind::Rollback
            } else {
                DeploymentKind::Normal
            },
            actor: if d.rollback {
                "oncall-bot".into()
            } else {
                "captain".into()
            },
            reason: d
                .rollback
                .then(|| format!("rolled back {environment} after a failed deployment")),
            started_at: timestamp(d.started_at)?,
            finished_at: d
                .duration
                .map(|s| timestamp(d.started_at + i64::from(s)))
                .transpose()?,
            outcome: d.outcome,
        };
        line(&LedgerRecord::Deployment { deployment }, &mut out)?;
    }
    for &(env, at, id) in &ledger.locked {
        let lock = Lock {
            target_kind: LockTargetKind::Environment,
            target: env_names[env as usize].0.into(),
            direction: LockDirection::Both,
            actor: "oncall-bot".into(),
            reason: format!("automatic rollback {}", deployment_name(id)),
            created_at: timestamp(at)?,
            until: None,
        };
        line(&LedgerRecord::Lock { lock }, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The usual git approach.

/// A bare repository that borrows `repo`'s objects (and its commit-graph) through
/// alternates and holds one lightweight tag per deployment record,
/// `refs/tags/deploy/<environment>/<deployment id>`, in a packed-refs file.
pub fn write_tags(
    case: &Case,
    shas: &[String],
    history: &History,
    stages: &[Stage],
    ledger: &Ledger,
) -> Result<usize> {
    if case.tags.exists() {
        fs::remove_dir_all(&case.tags).context("cannot remove the old tag repository")?;
    }
    fs::create_dir_all(&case.tags)?;
    run_git(git(&case.tags).args(["init", "--quiet", "--bare"]))?;
    let objects = case.repo.join(".git").join("objects").canonicalize()?;
    fs::write(
        case.tags.join("objects").join("info").join("alternates"),
        format!("{}\n", objects.display()),
    )?;
    let env_names: Vec<&str> = stages
        .iter()
        .flat_map(|s| s.environments.iter().map(String::as_str))
        .collect();
    let mut lines: Vec<String> = ledger
        .deployments
        .iter()
        .map(|d| {
            let sha = &shas[history.release_commit(d.release as usize) as usize];
            format!(
                "{sha} refs/tags/deploy/{}/{}\n",
                env_names[d.environment as usize],
                deployment_name(d.id)
            )
        })
        .collect();
    lines.sort_unstable_by(|a, b| a[41..].cmp(&b[41..]));
    let mut out = BufWriter::new(File::create(case.tags.join("packed-refs"))?);
    out.write_all(b"# pack-refs with: peeled fully-peeled sorted \n")?;
    for l in &lines {
        out.write_all(l.as_bytes())?;
    }
    out.flush()?;
    Ok(lines.len())
}

/// The best git approach for "is it there now": a bare repository borrowing `repo`'s
/// objects and commit-graph with one ref per environment, `refs/env/<environment>`, at
/// the commit each runs (`current`: environment and commit, from the ledger). Rewritten
/// each run (160 refs), so it always matches the state measured.
pub fn write_env_refs(case: &Case, current: &[(String, String)]) -> Result<PathBuf> {
    let dir = case.dir.join("env-refs.git");
    if dir.exists() {
        fs::remove_dir_all(&dir).context("cannot remove the old env-ref repository")?;
    }
    fs::create_dir_all(&dir)?;
    run_git(git(&dir).args(["init", "--quiet", "--bare"]))?;
    let objects = case.repo.join(".git").join("objects").canonicalize()?;
    fs::write(
        dir.join("objects").join("info").join("alternates"),
        format!("{}\n", objects.display()),
    )?;
    let mut lines: Vec<String> = current
        .iter()
        .map(|(environment, sha)| format!("{sha} refs/env/{environment}\n"))
        .collect();
    lines.sort_unstable_by(|a, b| a[41..].cmp(&b[41..]));
    let mut out = BufWriter::new(File::create(dir.join("packed-refs"))?);
    out.write_all(b"# pack-refs with: peeled fully-peeled sorted \n")?;
    for l in &lines {
        out.write_all(l.as_bytes())?;
    }
    out.flush()?;
    Ok(dir)
}

// ---------------------------------------------------------------------------------------
// The state.

/// Loads the ledger into a fresh SQLite state with `captain state import`.
pub fn import_state(case: &Case, captain: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(with_suffix(&case.state, suffix));
    }
    let input = File::open(&case.ledger).context("cannot open the ledger")?;
    let output = Command::new(captain)
        .args(["state", "import"])
        .current_dir(&case.repo)
        .env("CAPTAIN_STATE", &case.state)
        .stdin(input)
        .output()
        .context("cannot run captain state import")?;
    if !output.status.success() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = fs::remove_file(with_suffix(&case.state, suffix));
        }
        bail!(
            "captain state import failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    eprintln!("  {}", String::from_utf8_lossy(&output.stdout).trim());
    Ok(())
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    PathBuf::from(text)
}

/// Copies the state (and its WAL files, if any) to `to` for a run that changes it.
pub fn copy_state(case: &Case, to: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let from = with_suffix(&case.state, suffix);
        let dest = with_suffix(to, suffix);
        let _ = fs::remove_file(&dest);
        if from.exists() {
            fs::copy(&from, &dest).with_context(|| format!("cannot copy {}", from.display()))?;
        }
    }
    Ok(())
}

/// How many deployments of each outcome, for the report.
pub fn outcome_counts(ledger: &Ledger) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for d in &ledger.deployments {
        let key = if d.rollback {
            "rollback"
        } else {
            d.outcome.as_str()
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

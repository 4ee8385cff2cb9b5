//! The large case of SPEC §6: captain against the usual git approach, whole processes,
//! side by side in one run.
//!
//! # What it builds (once, cached under `<build>/bench-data/<params-hash>/`, `<build>` being
//! the directory above the release profile's: `target/x86_64-unknown-linux-gnu/` here)
//!
//! - `repo/`: a git repository of ≥ 200,000 commits with merges (a main line where short
//!   side branches of 1–5 commits are merged), written with `git fast-import`, seeded and
//!   deterministic; small source files, realistic authors and subjects, a Cargo.lock that
//!   changes now and then. Plus branches `bench/next-N` of exactly 100 new commits on top
//!   of the last release, for `release create`. `repo/pipeline.toml`: alpha, beta, gamma,
//!   then 26 regions × 3 AZs × (one-box + zonal) in 5 waves = 160 environments (gamma has a one-box too), 33 stages.
//! - `ledger.jsonl`: the ledger in captain's export format, written with captain's own
//!   types (`captain::store::LedgerRecord`): 10,000 releases with the commits each
//!   introduced (the first introduces its whole prehistory) and the deployment
//!   records (~1.19 million; mostly approved; tests failed, alarm fired, deploy failed, rollbacks,
//!   releases superseded between waves, the newest releases still in progress).
//! - `state.sqlite`: that ledger loaded with `captain state import`.
//! - `tags.git/`: the usual git approach — a bare repository sharing `repo`'s objects and
//!   commit-graph, with one lightweight tag per deployment record
//!   (`refs/tags/deploy/<environment>/<deployment id>`, ~1.19 million tags, packed).
//!
//! # What it measures (whole process, spawn to exit, median / p90 / min of N runs)
//!
//! - `captain where SHA` for a commit inside a merged branch in the middle of history, a
//!   commit older than the first release, and a recent commit still moving through the
//!   waves — next to `git tag --contains SHA` and `git for-each-ref --contains SHA
//!   refs/tags` on the tag repository for the same commits (a git run over the bound,
//!   60 s by default, is killed and reported as "> bound"), and `git for-each-ref
//!   --contains SHA refs/env/` on a repository with one ref per environment at the commit
//!   it runs (the best git approach for "is it there now"); target ≤ 5 ms, ≥ 20× faster
//!   than `git tag --contains` and never slower than the per-environment refs;
//! - `captain status` and `captain history ENV --limit 50`: target ≤ 5 ms;
//! - `captain metrics --since 90d` (the production metrics of the last 90 days of the
//!   ledger, the clock pinned an hour after its last deployment): target ≤ 300 ms;
//! - `captain release create` of a commit 100 commits past the last release, each run on
//!   a fresh copy of the state (the copy is not timed), with `origin/main` pointed at it
//!   as in a CI checkout (the local `main` stays at the last release): target ≤ 30 ms;
//! - the loop (see `large_case/loop_pass.rs`): `captain next` (one pass, nothing recorded),
//!   `captain run --once` right after a restart and again with nothing new, and a CI's
//!   `deploy start` into the next wave: targets 100 ms, 1 s after a restart;
//! - the same views through `captain serve` on PostgreSQL holding the case (see
//!   `large_case/server.rs`; the cluster is made once beside the case, the ledger
//!   imported through the server): `where` for the three commits, `status` and `history`,
//!   target ≤ 10 ms on loopback; `next` and `run --once` with nothing new through the
//!   server, target ≤ 100 ms (`--no-server` leaves these rows out);
//! - `captain --help`: target ≤ 3 ms;
//! - the web view's pipeline page (`captain ui`, a GET of `/pipelines/NAME`), the server's
//!   time over a keep-alive connection: target ≤ 20 ms; and the same page loaded in
//!   headless Chromium (Debian's `chromium` and `chromium-driver`), navigation start to
//!   the end of the load event: target ≤ 300 ms.
//!
//! captain runs as installed: the built binary is copied to `<data>/bin/captain` first,
//! as `cargo install` does (the linker's own output file starts 0.6–0.7 ms slower).
//!
//! Each captain row's first run is an untimed warm-up whose JSON twin is checked (the
//! release `where` names, 100 new commits, 50 history rows), so a fast wrong answer does
//! not pass. The table is printed and written to `<build>/bench-data/results.json`.
//!
//! # How to run
//!
//! ```text
//! cargo bench --bench large_case                 # the full case (first run generates it)
//! cargo bench --bench large_case -- --quick      # 20,000 commits, 1,000 releases, ~117,000 deployments
//! cargo bench --bench large_case -- --runs 31    # more runs per row (default 15)
//! cargo bench --bench large_case -- --fresh      # regenerate everything
//! cargo bench --bench large_case -- --reimport   # re-import the state (after a store change)
//! cargo bench --bench large_case -- --no-server  # without the rows through captain serve
//! cargo bench --bench large_case -- --server-only  # only those rows
//! cargo bench --bench large_case -- --bound 120  # bound of one git run, seconds
//! ```
//!
//! `CAPTAIN_BENCH_DATA=DIR` puts the cache elsewhere. Needs `git` on the PATH, PostgreSQL's
//! binaries for the server rows (found as the test harness finds them) and about 4 GB of
//! disk for the full case. Not part of CI.

#[path = "large_case/generate.rs"]
mod generate;
#[path = "large_case/history.rs"]
mod history;
#[path = "large_case/loop_pass.rs"]
mod loop_pass;
#[path = "large_case/measure.rs"]
mod measure;
#[path = "../tests/e2e/pg_harness.rs"]
mod pg_harness;
#[path = "large_case/server.rs"]
mod server;
#[path = "large_case/web.rs"]
mod web;
#[path = "../tests/e2e/web_driver.rs"]
mod web_driver;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use serde_json::json;
use sha2::{Digest, Sha256};

use generate::Case;
use history::{History, Params};
use measure::{Plan, Row, measure};

/// Bump when the generator's output changes, so old caches are not reused.
const GENERATOR_VERSION: u32 = 2;
const BUILT: &str = env!("CARGO_BIN_EXE_captain");

/// captain as installed: the built binary copied to `<data>/bin/captain` at the start of a
/// run, as `cargo install` or a package puts it. The linker's output file itself is
/// slower to start — 0.6–0.7 ms a process here (it writes the file out of order, and the
/// kernel maps the page cache it left in more, smaller pieces) — which no installed
/// binary pays.
static INSTALLED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn installed() -> &'static Path {
    INSTALLED.get().map_or(Path::new(BUILT), PathBuf::as_path)
}

fn install(root: &Path) -> Result<()> {
    let dir = root.join("bin");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let to = dir.join("captain");
    // A new file (not written over one a process may still run).
    let fresh = dir.join("captain.new");
    std::fs::copy(BUILT, &fresh).with_context(|| format!("cannot copy {BUILT}"))?;
    std::fs::rename(&fresh, &to)?;
    let _ = INSTALLED.set(to);
    Ok(())
}

struct Options {
    quick: bool,
    runs: usize,
    fresh: bool,
    reimport: bool,
    no_server: bool,
    server_only: bool,
    bound: Duration,
}

fn options() -> Result<Options> {
    let mut o = Options {
        quick: false,
        runs: 15,
        fresh: false,
        reimport: false,
        no_server: false,
        server_only: false,
        bound: Duration::from_secs(60),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => o.quick = true,
            "--fresh" => o.fresh = true,
            "--reimport" => o.reimport = true,
            "--no-server" => o.no_server = true,
            "--server-only" => o.server_only = true,
            "--runs" => {
                let value = args.next().context("--runs needs a number")?;
                o.runs = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("--runs `{value}` is not a positive number"))?;
            }
            "--bound" => {
                let value = args.next().context("--bound needs a number of seconds")?;
                let secs: u64 = value
                    .parse()
                    .with_context(|| format!("--bound `{value}` is not a number of seconds"))?;
                o.bound = Duration::from_secs(secs.max(1));
            }
            // `cargo bench` passes --bench to every bench binary.
            "--bench" => {}
            "-h" | "--help" => {
                println!(
                    "cargo bench --bench large_case -- [--quick] [--runs N] [--fresh] [--reimport] [--no-server | --server-only] [--bound SECS]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}`; see the top of benches/large_case.rs"),
        }
    }
    Ok(o)
}

/// `<build>/bench-data`: the bench binary lives in `<build>/release/deps/`.
fn data_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAPTAIN_BENCH_DATA") {
        return PathBuf::from(dir);
    }
    let from_exe = std::env::current_exe().ok().and_then(|exe| {
        let deps = exe.parent()?;
        (deps.file_name()? == "deps")
            .then(|| deps.parent()?.parent().map(Path::to_path_buf))
            .flatten()
    });
    from_exe
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench-data")
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("large_case: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Three commits to look up, with the release that first contains each.
struct Pick {
    name: &'static str,
    sha: String,
    release: u64,
}

fn picks(history: &History, shas: &[String]) -> Vec<Pick> {
    let n = history.release_positions.len();
    // Inside a merged side branch, about the middle of history.
    let k = n / 2;
    let range =
        &history.main_line[history.release_positions[k - 1] + 1..=history.release_positions[k]];
    let middle = range
        .iter()
        .find_map(|&c| {
            history.commits[c as usize]
                .side
                .map(|(start, len)| start + len / 2)
        })
        .unwrap_or(history.release_commit(k));
    // Halfway through the prehistory that release 1 introduced.
    let old = history.main_line[history.release_positions[0] / 2];
    // A commit of a release that is still moving through the waves.
    let r = n - 4;
    let introduced = history.introduced(r);
    let recent = introduced[introduced.len() / 2];
    vec![
        Pick {
            name: "middle (in a merged branch)",
            sha: shas[middle as usize].clone(),
            release: k as u64 + 1,
        },
        Pick {
            name: "older than the first release",
            sha: shas[old as usize].clone(),
            release: 1,
        },
        Pick {
            name: "recent (in flight)",
            sha: shas[recent as usize].clone(),
            release: r as u64 + 1,
        },
    ]
}

/// captain as a developer runs it, in the case's repository: the bench's own working
/// directory while it measures (see [`run`]), so the command sets none of its own.
fn captain(case: &Case, state: &Path) -> Command {
    let mut command = Command::new(installed());
    command
        .env("CAPTAIN_STATE", state)
        .env("NO_COLOR", "1")
        .env("HOME", &case.dir);
    for name in [
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
        "GITHUB_ACTOR",
        "GITLAB_USER_LOGIN",
        "CAPTAIN_NOW",
        "GIT_DIR",
    ] {
        command.env_remove(name);
    }
    command
}

fn git_tags(case: &Case) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(&case.tags)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", &case.dir);
    command
}

fn run() -> Result<bool> {
    let options = options()?;
    let params = if options.quick {
        Params::quick()
    } else {
        Params::full()
    };
    let key = {
        let digest = Sha256::digest(
            format!(
                "v{GENERATOR_VERSION} {params:?} {}",
                generate::PIPELINE_TOML
            )
            .as_bytes(),
        );
        digest
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    // Absolute: the bench changes its working directory before it measures.
    let root = std::path::absolute(data_root()).context("cannot resolve the data directory")?;
    let dir = root.join(&key);
    if options.fresh && dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let case = Case::new(&dir);
    install(&root)?;
    if options.reimport {
        case.forget("state");
        case.forget("pg");
    }
    eprintln!(
        "large_case: {} case in {}",
        if options.quick { "quick" } else { "full" },
        dir.display()
    );

    let started = Instant::now();
    let model_started = Instant::now();
    let history = history::build(&params);
    let stages = generate::pipeline_stages(&case)?;
    let ledger = history::deployments(&history, &stages, params.seed);
    let model_seconds = model_started.elapsed().as_secs_f64();
    let environments: usize = stages.iter().map(|s| s.environments.len()).sum();
    let merges = history
        .commits
        .iter()
        .filter(|c| c.parent_count() > 1)
        .count();
    ensure!(
        history.commits.len() >= params.commits,
        "the history has too few commits"
    );
    ensure!(
        environments >= 150,
        "the pipeline has only {environments} environments"
    );
    ensure!(
        ledger.deployments.len() >= params.min_deployments,
        "only {} deployments were generated (want ≥ {}); tune the model in history.rs",
        ledger.deployments.len(),
        params.min_deployments
    );
    eprintln!(
        "  model: {} commits ({merges} merges), {} releases, {environments} environments in {} stages, {} deployments ({model_seconds:.1} s)",
        history.commits.len(),
        history.release_positions.len(),
        stages.len(),
        ledger.deployments.len()
    );

    let mut generation = serde_json::Map::new();
    generation.insert("model_s".into(), json!(model_seconds));
    let mut record = |name: &str, (seconds, cached): (f64, bool)| {
        generation.insert(format!("{name}_s"), json!(seconds));
        generation.insert(format!("{name}_cached"), json!(cached));
    };
    record(
        "repo",
        generate::step(&case, "repo", || generate::write_repo(&case, &history))?,
    );
    let shas = generate::read_shas(&case, history.commits.len())?;
    generate::check_history(&case, &history, &shas)?;
    record(
        "ledger",
        generate::step(&case, "ledger", || {
            generate::write_ledger(&case, &history, &shas, &stages, &ledger)
        })?,
    );
    let mut tag_count = 0;
    record(
        "tags",
        generate::step(&case, "tags", || {
            tag_count = generate::write_tags(&case, &shas, &history, &stages, &ledger)?;
            Ok(())
        })?,
    );
    if tag_count == 0 {
        tag_count = ledger.deployments.len();
    }
    let state_error = match generate::step(&case, "state", || {
        generate::import_state(&case, installed())
    }) {
        Ok(done) => {
            record("state_import", done);
            None
        }
        Err(e) => {
            eprintln!("  the state could not be made: {e:#}");
            Some(format!("{e:#}"))
        }
    };
    let generation_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "  case ready in {generation_seconds:.1} s (cached steps count their original time in results.json)"
    );

    let picks = picks(&history, &shas);
    // The ledger's clock stops at its last deployment: `metrics --since 90d` looks back
    // from an hour after it.
    let last_start = ledger.deployments.iter().map(|d| d.started_at).max();
    let metrics_now = last_start.unwrap_or(0) + 3_600;
    // Every timed process starts in the case's repository without a directory of its own
    // (`Command::current_dir`): with one, Rust's std in a static binary (this bench is
    // one, like captain, see .cargo/config.toml) cannot use posix_spawn and forks, and a
    // fork of this process, which holds the whole ledger, costs 3–4 ms that the git rows
    // (started with `-C`) did not pay.
    std::env::set_current_dir(&case.repo)
        .with_context(|| format!("cannot enter {}", case.repo.display()))?;
    let rows = measure_all(
        &case,
        &options,
        &history,
        &stages,
        &shas,
        &picks,
        metrics_now,
        state_error.as_deref(),
    );
    // `--server-only` measures no local `where` and no git row to compare.
    let ratios = if options.server_only {
        Vec::new()
    } else {
        ratios(&rows, &picks)
    };
    print_table(&rows, &ratios);

    let results = json!({
        "case": if options.quick { "quick" } else { "full" },
        "dir": dir,
        "params": {
            "commits": history.commits.len(),
            "merges": merges,
            "releases": history.release_positions.len(),
            "environments": environments,
            "stages": stages.len(),
            "deployments": ledger.deployments.len(),
            "deployment_outcomes": generate::outcome_counts(&ledger),
            "tags": tag_count,
            "tag_scheme": "one lightweight tag per deployment record: refs/tags/deploy/<environment>/<deployment id>",
            "seed": params.seed,
        },
        "generation": generation,
        "runs_per_row": options.runs,
        "bound_s": options.bound.as_secs(),
        "commits": picks.iter().map(|p| json!({"name": p.name, "sha": p.sha, "release": format!("v{}", p.release)})).collect::<Vec<_>>(),
        "rows": rows,
        "ratios": ratios,
    });
    let path = root.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("results written to {}", path.display());
    let all_pass = rows.iter().all(|r| r.pass != Some(false)) && ratios.iter().all(|r| r.pass);
    Ok(all_pass)
}

#[allow(clippy::too_many_arguments)]
fn measure_all(
    case: &Case,
    options: &Options,
    history: &History,
    stages: &[history::Stage],
    shas: &[String],
    picks: &[Pick],
    metrics_now: i64,
    state_error: Option<&str>,
) -> Vec<Row> {
    let plan = |name: &'static str, target_ms: Option<f64>| Plan {
        name,
        runs: options.runs,
        bound: options.bound,
        target_ms,
        slow_after: Duration::from_secs(5),
        exit: 0,
    };
    let state = case.state.clone();
    let mut rows = Vec::new();
    if options.server_only {
        let environment = wave_environment(stages);
        let now = jiff::Timestamp::from_second(metrics_now)
            .map(|t| t.to_string())
            .unwrap_or_default();
        if let Some(error) = state_error {
            return vec![no_state_row("server rows", error)];
        }
        return server_rows(case, options, stages.len(), picks, environment, &now);
    }
    rows.push(measure(
        plan("captain --help", Some(3.0)),
        |_| {
            let mut c = captain(case, &state);
            c.arg("--help");
            Ok(c)
        },
        |_| Ok(None),
    ));
    let no_state = |name: &str, command: String| {
        Row::failed(
            name,
            command,
            format!("no state: {}", state_error.unwrap_or_default()),
        )
    };
    let where_names = ["where: middle", "where: old", "where: recent"];
    let git_names = [
        "git tag --contains: middle",
        "git tag --contains: old",
        "git tag --contains: recent",
    ];
    let ref_names = [
        "git for-each-ref --contains: middle",
        "git for-each-ref --contains: old",
        "git for-each-ref --contains: recent",
    ];
    let env_ref_names = [
        "git for-each-ref --contains refs/env: middle",
        "git for-each-ref --contains refs/env: old",
        "git for-each-ref --contains refs/env: recent",
    ];
    let env_refs = if state_error.is_some() {
        None
    } else {
        match env_ref_repo(case, &state) {
            Ok(dir) => Some(dir),
            Err(e) => {
                eprintln!("no per-environment refs: {e:#}");
                None
            }
        }
    };
    for (i, pick) in picks.iter().enumerate() {
        if let Some(dir) = &env_refs {
            rows.push(measure(
                plan(env_ref_names[i], None),
                |_| {
                    let mut c = Command::new("git");
                    c.arg("-C")
                        .arg(dir)
                        .env("GIT_CONFIG_NOSYSTEM", "1")
                        .env("HOME", &case.dir);
                    c.args([
                        "for-each-ref",
                        "--format=%(refname)",
                        "--contains",
                        &pick.sha,
                        "refs/env/",
                    ]);
                    Ok(c)
                },
                |out| {
                    Ok(Some(format!(
                        "runs in {} environments",
                        out.stdout.iter().filter(|b| **b == b'\n').count()
                    )))
                },
            ));
        }
        if state_error.is_some() {
            rows.push(no_state(
                where_names[i],
                format!("captain where {}", pick.sha),
            ));
        } else {
            rows.push(where_row(plan(where_names[i], Some(5.0)), pick, &|| {
                captain(case, &state)
            }));
        }
    }
    // The tag-based git runs come after every commit's fast rows: one of them runs into
    // the bound, and whatever ran right after it (the next commit's `where` and refs)
    // came out slower for it (4.1–5.5 ms for `where` recent against 3.2–3.3 alone).
    for (i, pick) in picks.iter().enumerate() {
        rows.push(measure(
            plan(git_names[i], None),
            |_| {
                let mut c = git_tags(case);
                c.args(["tag", "--contains", &pick.sha]);
                Ok(c)
            },
            |out| {
                Ok(Some(format!(
                    "{} tags contain it",
                    out.stdout.iter().filter(|b| **b == b'\n').count()
                )))
            },
        ));
        rows.push(measure(
            plan(ref_names[i], None),
            |_| {
                let mut c = git_tags(case);
                c.args([
                    "for-each-ref",
                    "--format=%(refname)",
                    "--contains",
                    &pick.sha,
                    "refs/tags",
                ]);
                Ok(c)
            },
            |out| {
                Ok(Some(format!(
                    "{} refs contain it",
                    out.stdout.iter().filter(|b| **b == b'\n').count()
                )))
            },
        ));
    }
    if state_error.is_some() {
        rows.push(no_state("status", "captain status".into()));
    } else {
        rows.push(status_row(plan("status", Some(5.0)), stages.len(), &|| {
            captain(case, &state)
        }));
    }
    if state_error.is_none() {
        rows.push(web::pipeline_page(
            captain(case, &state),
            options.runs,
            stages.len(),
        ));
        rows.push(web::browser_ready(
            captain(case, &state),
            options.runs,
            stages.len(),
        ));
    }
    let environment = wave_environment(stages);
    if state_error.is_some() {
        rows.push(no_state(
            "history --limit 50",
            format!("captain history {environment} --limit 50"),
        ));
    } else {
        rows.push(history_row(
            plan("history --limit 50", Some(5.0)),
            environment,
            &|| captain(case, &state),
        ));
    }
    let now = jiff::Timestamp::from_second(metrics_now)
        .map(|t| t.to_string())
        .unwrap_or_default();
    if state_error.is_some() {
        rows.push(no_state(
            "metrics --since 90d",
            "captain metrics --since 90d".into(),
        ));
    } else {
        rows.push(measure(
            plan("metrics --since 90d", Some(300.0)),
            |_| {
                let mut c = captain(case, &state);
                c.env("CAPTAIN_NOW", &now).args(["metrics", "--since", "90d"]);
                Ok(c)
            },
            |_| {
                let mut c = captain(case, &state);
                c.env("CAPTAIN_NOW", &now)
                    .args(["--json", "metrics", "--since", "90d"]);
                let value = measure::json(&measure::capture(c)?)?;
                let deployments = value["deployments"]["total"].as_u64().unwrap_or(0);
                let commits = value["lead_time"]["first"]["count"].as_u64().unwrap_or(0);
                ensure!(
                    deployments > 0 && commits > 0,
                    "metrics saw {deployments} production deployments and {commits} commits in 90 days"
                );
                Ok(Some(format!(
                    "{deployments} production deployments, {commits} commits reaching production, until {now}"
                )))
            },
        ));
    }
    if state_error.is_none() {
        rows.extend(loop_pass::rows(
            case,
            options.runs,
            options.bound,
            &now,
            &|state: &Path| captain(case, state),
        ));
    }
    if state_error.is_none() && !options.no_server {
        rows.extend(server_rows(
            case,
            options,
            stages.len(),
            picks,
            environment,
            &now,
        ));
    }
    if state_error.is_some() {
        rows.push(no_state(
            "release create (100 new commits)",
            "captain release create".into(),
        ));
    } else {
        let scratch = case.dir.join("scratch");
        let copy = scratch.join("state.sqlite");
        let branches: Vec<String> = history
            .next_branches
            .iter()
            .map(|b| shas[b[b.len() - 1] as usize].clone())
            .collect();
        let next = history.release_positions.len() + 1;
        rows.push(measure(
            plan("release create (100 new commits)", Some(30.0)),
            |i| {
                std::fs::create_dir_all(&scratch)?;
                generate::copy_state(case, &copy)?;
                generate::set_remote_trunk(case, Some(&branches[i % branches.len()]))?;
                // Let the copy reach the disk before the clock starts.
                let _ = Command::new("sync").status();
                let mut c = captain(case, &copy);
                c.args([
                    "--json",
                    "release",
                    "create",
                    "--commit",
                    &branches[i % branches.len()],
                ]);
                c.arg("--artifact")
                    .arg(format!("image={}", generate::artifact(next - 1)));
                Ok(c)
            },
            |out| {
                let value = measure::json(out)?;
                ensure!(
                    value["created"] == json!(true),
                    "the release was not created: {value}"
                );
                ensure!(
                    value["commits"] == json!(100),
                    "the release introduced {} commits, not 100",
                    value["commits"]
                );
                ensure!(
                    value["release"] == json!(format!("v{next}")),
                    "the release is {}, not v{next}",
                    value["release"]
                );
                Ok(Some(format!(
                    "v{next}, 100 new commits, on a fresh copy of the state each run"
                )))
            },
        ));
        if let Err(e) = generate::set_remote_trunk(case, None) {
            eprintln!("could not remove the bench's origin/main: {e:#}");
        }
    }
    rows
}

/// A zonal environment of wave 1: it has about as many deployments as any.
fn wave_environment(stages: &[history::Stage]) -> &str {
    stages
        .iter()
        .find(|s| s.wave.is_some() && !s.name.ends_with("onebox"))
        .map_or("alpha", |s| &s.environments[0])
}

fn no_state_row(name: &str, error: &str) -> Row {
    Row::failed(name, String::new(), format!("no state: {error}"))
}

/// The rows through `captain serve` on PostgreSQL holding the case (see
/// `large_case/server.rs`): the views (target ≤ 10 ms), the loop's read-only pass and a
/// pass with nothing new (≤ 100 ms).
fn server_rows(
    case: &Case,
    options: &Options,
    stages: usize,
    picks: &[Pick],
    environment: &str,
    now: &str,
) -> Vec<Row> {
    match server_rows_or_why(case, options, stages, picks, environment, now) {
        Ok(rows) => rows,
        Err(e) => vec![Row::failed(
            "server rows",
            "captain serve --database postgres://…".into(),
            format!("{e:#}"),
        )],
    }
}

fn server_rows_or_why(
    case: &Case,
    options: &Options,
    stages: usize,
    picks: &[Pick],
    environment: &str,
    now: &str,
) -> Result<Vec<Row>> {
    let captain_bin = installed();
    let cluster = server::Cluster::start(case)?;
    let (import_seconds, _) =
        generate::step(case, "pg", || server::import(captain_bin, case, &cluster))?;
    let token = server::token(captain_bin, case, &cluster)?;
    cluster.sql("DROP DATABASE IF EXISTS captain_loop")?;
    // Nothing left to write back while the rows are timed.
    cluster.sql("CHECKPOINT")?;
    let held = server::serve(captain_bin, case, &cluster.url("captain"), "serve.log")?;
    let plan = |name: &'static str, target_ms: f64| Plan {
        name,
        runs: options.runs,
        bound: options.bound,
        target_ms: Some(target_ms),
        slow_after: Duration::from_secs(5),
        exit: 0,
    };
    let over = |serve: &server::Serve| {
        let mut c = captain(case, Path::new(&serve.url));
        c.env("CAPTAIN_TOKEN", &token);
        c
    };
    // A team server answers all day: a few untimed requests of each view first (its
    // connections' statements prepared, its caches warm), as the rows' own warm-up
    // gives a local command.
    for _ in 0..3 {
        for args in [
            vec!["status"],
            vec!["history", environment, "--limit", "50"],
            vec!["where", &picks[0].sha],
        ] {
            let mut c = over(&held);
            c.args(&args);
            measure::capture(c)?;
        }
    }
    let mut rows = Vec::new();
    let names = [
        "server: where: middle",
        "server: where: old",
        "server: where: recent",
    ];
    for (pick, name) in picks.iter().zip(names) {
        rows.push(where_row(plan(name, 10.0), pick, &|| over(&held)));
    }
    rows.push(status_row(plan("server: status", 10.0), stages, &|| {
        over(&held)
    }));
    rows.push(history_row(
        plan("server: history --limit 50", 10.0),
        environment,
        &|| over(&held),
    ));
    if let Some(row) = rows.first_mut() {
        let note = row.note.take().unwrap_or_default();
        row.note = Some(format!(
            "{note}; the ledger imported through the server in {import_seconds:.0} s"
        ));
    }

    let pinned = |serve: &server::Serve| {
        let mut c = over(serve);
        c.env("CAPTAIN_NOW", now);
        c
    };
    let status = measure::json(&measure::capture({
        let mut c = pinned(&held);
        c.args(["--json", "status"]);
        c
    })?)?;
    let stage = loop_pass::find_promotion(&status)?.stage;
    rows.push(loop_pass::next_row(
        plan("server: next (one pass)", 100.0),
        &stage,
        &|| pinned(&held),
    ));
    drop(held);
    // The loop's passes write: a database of their own, copied while no session is
    // connected to the original (file by file: PostgreSQL 15's default copy writes the
    // whole database through the WAL, which the disk is still writing back minutes later).
    cluster
        .sql("CREATE DATABASE captain_loop TEMPLATE captain STRATEGY FILE_COPY")
        // Before PostgreSQL 15 every copy is file by file, and the word unknown.
        .or_else(|_| cluster.sql("CREATE DATABASE captain_loop TEMPLATE captain"))?;
    let looping = server::serve(captain_bin, case, &cluster.url("captain_loop"), "loop.log")?;
    // The pass after a restart takes over what was in flight (exit 6: it failed); then
    // the passes have nothing new to do.
    let settle = measure::capture({
        let mut c = pinned(&looping);
        c.args(["run", "--once"]);
        c
    })?;
    ensure!(
        matches!(settle.status.code(), Some(0 | 6)),
        "the settling run --once through the server exited {:?}: {}",
        settle.status.code(),
        String::from_utf8_lossy(&settle.stderr).trim()
    );
    rows.push(loop_pass::quiet_pass_row(
        plan("server: run --once, nothing new", 100.0),
        &|| pinned(&looping),
    ));
    drop(looping);
    cluster.sql("DROP DATABASE IF EXISTS captain_loop")?;
    Ok(rows)
}

/// `captain where SHA`, its warm-up's JSON twin checked against the generator's release.
fn where_row(plan: Plan<'_>, pick: &Pick, captain: &dyn Fn() -> Command) -> Row {
    measure(
        plan,
        |_| {
            let mut c = captain();
            c.args(["where", &pick.sha]);
            Ok(c)
        },
        |_| {
            let mut c = captain();
            c.args(["--json", "where", &pick.sha]);
            let value = measure::json(&measure::capture(c)?)?;
            let release = value["release"].as_str().unwrap_or("null");
            ensure!(
                release == format!("v{}", pick.release),
                "where says {release}, the generator says v{}",
                pick.release
            );
            let deployed = value["deployed_to"].as_array().map_or(0, Vec::len);
            let not = value["not_deployed_to"].as_array().map_or(0, Vec::len);
            Ok(Some(format!(
                "{}: first in {release}, deployed to {deployed}, not to {not}",
                pick.name
            )))
        },
    )
}

/// `captain status`, its JSON twin checked to show every stage.
fn status_row(plan: Plan<'_>, stages: usize, captain: &dyn Fn() -> Command) -> Row {
    measure(
        plan,
        |_| {
            let mut c = captain();
            c.arg("status");
            Ok(c)
        },
        |_| {
            let mut c = captain();
            c.args(["--json", "status"]);
            let value = measure::json(&measure::capture(c)?)?;
            let count = value["stages"].as_array().map_or(0, Vec::len);
            ensure!(
                count == stages,
                "status shows {count} stages, the pipeline has {stages}"
            );
            Ok(None)
        },
    )
}

/// `captain history ENV --limit 50`, its JSON twin checked to hold 50 deployments.
fn history_row(plan: Plan<'_>, environment: &str, captain: &dyn Fn() -> Command) -> Row {
    measure(
        plan,
        |_| {
            let mut c = captain();
            c.args(["history", environment, "--limit", "50"]);
            Ok(c)
        },
        |_| {
            let mut c = captain();
            c.args(["--json", "history", environment, "--limit", "50"]);
            let value = measure::json(&measure::capture(c)?)?;
            let count = value["deployments"].as_array().map_or(0, Vec::len);
            ensure!(count == 50, "history shows {count} deployments, not 50");
            Ok(Some(format!("environment {environment}")))
        },
    )
}

/// The per-environment-ref repository at each environment's current commit, as the
/// ledger says (`captain status`).
fn env_ref_repo(case: &Case, state: &Path) -> Result<PathBuf> {
    let mut c = captain(case, state);
    c.args(["--json", "status"]);
    let status = measure::json(&measure::capture(c)?)?;
    let mut current = Vec::new();
    for stage in status["stages"].as_array().into_iter().flatten() {
        for env in stage["environments"].as_array().into_iter().flatten() {
            if let (Some(name), Some(sha)) = (env["name"].as_str(), env["commit"].as_str()) {
                current.push((name.to_string(), sha.to_string()));
            }
        }
    }
    ensure!(!current.is_empty(), "status names no environment's commit");
    generate::write_env_refs(case, &current)
}

#[derive(serde::Serialize)]
struct Ratio {
    commit: String,
    where_median_ms: Option<f64>,
    git_median_ms: Option<f64>,
    /// git / where; a lower bound when git went over the bound.
    ratio: Option<f64>,
    at_least: bool,
    /// `git for-each-ref --contains SHA refs/env/` on one ref per environment.
    env_ref_median_ms: Option<f64>,
    /// env refs / where: at least 1 to pass (never slower than the best git approach).
    env_ref_ratio: Option<f64>,
    pass: bool,
}

fn ratios(rows: &[Row], picks: &[Pick]) -> Vec<Ratio> {
    let find = |name: String| rows.iter().find(|r| r.name == name);
    ["middle", "old", "recent"]
        .iter()
        .zip(picks)
        .map(|(short, pick)| {
            let captain = find(format!("where: {short}")).and_then(|r| r.median_ms);
            let git = find(format!("git tag --contains: {short}"));
            let (git_ms, at_least) = match git {
                Some(r) if r.over_bound_ms.is_some() => (r.over_bound_ms, true),
                Some(r) => (r.median_ms, false),
                None => (None, false),
            };
            let ratio = match (captain, git_ms) {
                (Some(c), Some(g)) if c > 0.0 => Some(g / c),
                _ => None,
            };
            let env_ref = find(format!("git for-each-ref --contains refs/env: {short}"))
                .and_then(|r| r.median_ms);
            let env_ref_ratio = match (captain, env_ref) {
                (Some(c), Some(g)) if c > 0.0 => Some(g / c),
                _ => None,
            };
            Ratio {
                commit: format!("{} ({})", pick.name, &pick.sha[..12]),
                where_median_ms: captain,
                git_median_ms: git_ms,
                ratio,
                at_least,
                env_ref_median_ms: env_ref,
                env_ref_ratio,
                pass: ratio.is_some_and(|r| r >= 20.0) && env_ref_ratio.is_none_or(|r| r >= 1.0),
            }
        })
        .collect()
}

fn print_table(rows: &[Row], ratios: &[Ratio]) {
    println!();
    println!(
        "{:<38} {:>5} {:>10} {:>9} {:>9} {:>9}  result",
        "row", "runs", "median ms", "p90 ms", "min ms", "target"
    );
    for r in rows {
        let target = r.target_ms.map_or("-".into(), |t| format!("≤ {t:.0}"));
        let result = match (r.pass, r.over_bound_ms) {
            (_, Some(b)) => format!("> {:.0} s (bound)", b / 1000.0),
            (Some(true), _) => "pass".into(),
            (Some(false), _) => "FAIL".into(),
            (None, _) => "baseline".into(),
        };
        println!(
            "{:<38} {:>5} {:>10} {:>9} {:>9} {:>9}  {result}",
            r.name,
            r.runs,
            measure::ms(r.median_ms),
            measure::ms(r.p90_ms),
            measure::ms(r.min_ms),
            target
        );
    }
    if !ratios.is_empty() {
        println!();
        println!(
            "where vs git tag --contains (target ≥ 20×) and vs one ref per environment (target ≥ 1×):"
        );
    }
    for r in ratios {
        let ratio = match r.ratio {
            Some(x) if r.at_least => format!("> {x:.0}×"),
            Some(x) => format!("{x:.0}×"),
            None => "-".into(),
        };
        let env_ratio = r.env_ref_ratio.map_or("-".into(), |x| format!("{x:.2}×"));
        println!(
            "  {:<44} captain {:>6} ms   tags {:>9} ms {ratio:>7}   env refs {:>6} ms {env_ratio:>6}  {}",
            r.commit,
            measure::ms(r.where_median_ms),
            measure::ms(r.git_median_ms),
            measure::ms(r.env_ref_median_ms),
            if r.pass { "pass" } else { "FAIL" }
        );
    }
    let notes: Vec<&Row> = rows.iter().filter(|r| r.note.is_some()).collect();
    if !notes.is_empty() {
        println!();
        for r in notes {
            println!("  {}: {}", r.name, r.note.as_deref().unwrap_or_default());
        }
    }
}

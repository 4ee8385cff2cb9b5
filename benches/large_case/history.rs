//! The synthetic history of the large case, in memory: a main line where short side
//! branches are merged, the releases cut from it, the pipeline's stages and the
//! deployments of every release through them.
//!
//! Everything here is deterministic for a seed and cheap (about a second for the full
//! case), so it is recomputed on every run; only the expensive products (the git
//! repository, the ledger file, the SQLite state) are cached on disk. Nothing here
//! touches a file or a process.

use captain::model::Outcome;

/// The sizes of one case. Any change here changes the cache key.
#[derive(Clone, Debug)]
pub struct Params {
    pub commits: usize,
    pub releases: usize,
    pub min_deployments: usize,
    pub seed: u64,
    /// Branches of exactly 100 new commits on top of the last release, for `release create`.
    pub next_branches: usize,
}

impl Params {
    pub fn full() -> Params {
        Params {
            commits: 200_000,
            releases: 10_000,
            min_deployments: 1_000_000,
            seed: 0x5eed_c0de,
            next_branches: 5,
        }
    }

    pub fn quick() -> Params {
        Params {
            commits: 20_000,
            releases: 1_000,
            min_deployments: 100_000,
            seed: 0x5eed_c0de,
            next_branches: 5,
        }
    }
}

/// A small, seeded generator (SplitMix64): the case must be the same on every machine
/// and with every version of the `rand` crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub const NONE: u32 = u32::MAX;
/// 2017-01-02T09:00:00Z: the first commit.
const START: i64 = 1_483_347_600;
/// A commit writes a new Cargo.lock (one dependency bumped) about this often, on the main line.
const LOCK_EVERY: usize = 1_500;

/// One commit. Indices are creation order, which is also time order.
#[derive(Clone, Debug)]
pub struct Commit {
    pub parents: [u32; 2],
    pub time: i64,
    pub author: u16,
    pub subject: String,
    /// For a merge: the side branch it merges, as a range of commit indices.
    pub side: Option<(u32, u32)>,
    /// The file the commit changes.
    pub file: u16,
    /// The Cargo.lock version this commit writes, if it writes one.
    pub lock_version: Option<u32>,
}

impl Commit {
    pub fn parent_count(&self) -> u32 {
        self.parents.iter().filter(|p| **p != NONE).count() as u32
    }
}

pub struct History {
    pub commits: Vec<Commit>,
    /// The first-parent chain of `main`, oldest first.
    pub main_line: Vec<u32>,
    /// The Cargo.lock version in effect at each main-line position.
    pub main_lock: Vec<u32>,
    /// Main-line position of release k+1 (index k); the last one is the tip of `main`.
    pub release_positions: Vec<usize>,
    /// Branches of 100 commits each on top of the tip, oldest first.
    pub next_branches: Vec<Vec<u32>>,
}

pub const AUTHORS: &[&str] = &[
    "Ana Silva",
    "Bjorn Lindqvist",
    "Chen Wei",
    "Dana Whitfield",
    "Emeka Okafor",
    "Fatima Zahra",
    "Gustavo Reyes",
    "Hana Kobayashi",
    "Ivan Petrov",
    "Jasmine Patel",
    "Kofi Mensah",
    "Laura Becker",
    "Mateo Rossi",
    "Nadia Haddad",
    "Oliver Grant",
    "Priya Raman",
    "Quentin Moreau",
    "Rosa Delgado",
    "Sven Larsen",
    "Tomasz Nowak",
    "Uma Krishnan",
    "Victor Hugo Lima",
    "Wen Zhao",
    "Ximena Torres",
    "Yusuf Demir",
    "Zoe Carter",
    "Aiko Tanaka",
    "Ben Adeyemi",
    "Clara Novak",
    "Diego Fernandez",
    "Elif Yilmaz",
    "Farid Karimi",
];

pub fn email(author: &str) -> String {
    format!(
        "{}@example.com",
        author.to_ascii_lowercase().replace(' ', ".")
    )
}

const AREAS: &[&str] = &[
    "api",
    "cart",
    "checkout",
    "catalog",
    "search",
    "payments",
    "auth",
    "inventory",
    "shipping",
    "web",
];
const FILES_PER_AREA: u16 = 20;
const VERBS: &[&str] = &[
    "Fix", "Add", "Remove", "Refactor", "Speed up", "Simplify", "Log", "Test", "Document", "Rename",
];
const THINGS: &[&str] = &[
    "retry loop",
    "timeout handling",
    "price rounding",
    "cache invalidation",
    "pagination",
    "error message",
    "metrics",
    "feature flag",
    "rate limiter",
    "input validation",
    "null check",
    "connection pool",
    "batch size",
    "tax calculation",
    "session expiry",
    "health check",
];

pub fn file_path(file: u16) -> String {
    let area = AREAS[(file / FILES_PER_AREA) as usize % AREAS.len()];
    format!("src/{area}/{area}_{}.rs", file % FILES_PER_AREA)
}

fn subject(rng: &mut Rng, file: u16) -> String {
    let area = AREAS[(file / FILES_PER_AREA) as usize % AREAS.len()];
    format!("{} {} in {area}", rng.pick(VERBS), rng.pick(THINGS))
}

struct Builder {
    rng: Rng,
    commits: Vec<Commit>,
    time: i64,
    lock_version: u32,
}

impl Builder {
    fn push(&mut self, parents: [u32; 2], side: Option<(u32, u32)>, main_direct: bool) -> u32 {
        self.time += 180 + self.rng.below(1_500) as i64;
        let file = self
            .rng
            .below(u64::from(FILES_PER_AREA) * AREAS.len() as u64) as u16;
        let author = self.rng.below(AUTHORS.len() as u64) as u16;
        let subject = match side {
            Some(_) => {
                let login = AUTHORS[author as usize]
                    .split(' ')
                    .next()
                    .unwrap_or("dev")
                    .to_ascii_lowercase();
                let topic = subject(&mut self.rng, file)
                    .to_ascii_lowercase()
                    .replace(' ', "-");
                format!(
                    "Merge pull request #{} from {login}/{topic}",
                    self.commits.len() / 3 + 1
                )
            }
            None => subject(&mut self.rng, file),
        };
        // Cargo.lock changes only on the main line: a merge takes its first parent's
        // tree, so a change made on a side branch would be lost there.
        let lock_version =
            if main_direct && self.commits.len() / LOCK_EVERY > self.lock_version as usize {
                self.lock_version += 1;
                Some(self.lock_version)
            } else {
                None
            };
        let index = self.commits.len() as u32;
        self.commits.push(Commit {
            parents,
            time: self.time,
            author,
            subject,
            side,
            file,
            lock_version,
        });
        index
    }
}

/// Builds the history: blocks of either one direct commit on main, or a side branch of
/// 1–5 commits forked from main, 0–2 more commits on main meanwhile, and a merge.
pub fn build(params: &Params) -> History {
    let mut b = Builder {
        rng: Rng::new(params.seed),
        commits: Vec::new(),
        time: START,
        lock_version: 0,
    };
    let mut main_line = Vec::new();
    let mut tip = NONE;
    let push_main =
        |b: &mut Builder, main_line: &mut Vec<u32>, parents: [u32; 2], side: Option<(u32, u32)>| {
            let index = b.push(parents, side, side.is_none());
            main_line.push(index);
            index
        };
    while b.commits.len() < params.commits {
        if tip == NONE || b.rng.chance(500) {
            tip = push_main(&mut b, &mut main_line, [tip, NONE], None);
            continue;
        }
        let fork = tip;
        let len = 1 + b.rng.below(5) as u32;
        let start = b.commits.len() as u32;
        let mut side_tip = fork;
        for _ in 0..len {
            side_tip = b.push([side_tip, NONE], None, false);
        }
        for _ in 0..b.rng.below(3) {
            tip = push_main(&mut b, &mut main_line, [tip, NONE], None);
        }
        tip = push_main(&mut b, &mut main_line, [tip, side_tip], Some((start, len)));
    }
    // The Cargo.lock version in effect at each main-line commit.
    let mut version = 0;
    let main_lock = main_line
        .iter()
        .map(|&c| {
            if let Some(v) = b.commits[c as usize].lock_version {
                version = v;
            }
            version
        })
        .collect();

    // Release 1 comes after about 5% of the main line, so the first release introduces
    // a long prehistory; the last release is the tip of main.
    let length = main_line.len();
    let first = (length / 20).max(1);
    let n = params.releases.max(2);
    let release_positions = (0..n)
        .map(|k| first + k * (length - 1 - first) / (n - 1))
        .collect();

    // Branches for `release create`: exactly 100 commits each (merges included) on top of
    // the tip, none of them merged anywhere.
    let mut next_branches = Vec::new();
    for _ in 0..params.next_branches {
        let mut branch = Vec::new();
        let mut head = tip;
        while branch.len() < 100 {
            let room = 100 - branch.len();
            if room >= 3 && b.rng.chance(300) {
                let fork = head;
                let len = 1 + b.rng.below((room as u64 - 1).min(4)) as u32;
                let start = b.commits.len() as u32;
                let mut side_tip = fork;
                for _ in 0..len {
                    side_tip = b.push([side_tip, NONE], None, false);
                    branch.push(side_tip);
                }
                head = b.push([head, side_tip], Some((start, len)), false);
            } else {
                head = b.push([head, NONE], None, false);
            }
            branch.push(head);
        }
        next_branches.push(branch);
    }
    History {
        commits: b.commits,
        main_line,
        main_lock,
        release_positions,
        next_branches,
    }
}

impl History {
    /// The commits release `k` (0-based) introduced, newest first: the main-line commits
    /// after the previous release up to its own, plus the side branches those merge.
    pub fn introduced(&self, k: usize) -> Vec<u32> {
        let end = self.release_positions[k];
        let start = if k == 0 {
            0
        } else {
            self.release_positions[k - 1] + 1
        };
        let mut out = Vec::new();
        for &c in &self.main_line[start..=end] {
            out.push(c);
            if let Some((s, len)) = self.commits[c as usize].side {
                out.extend(s..s + len);
            }
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        out
    }

    /// Commit index of release `k` (0-based).
    pub fn release_commit(&self, k: usize) -> u32 {
        self.main_line[self.release_positions[k]]
    }

    pub fn release_lock(&self, k: usize) -> u32 {
        self.main_lock[self.release_positions[k]]
    }
}

/// The Cargo.lock packages and their versions at lock version `v`.
pub fn lock_packages(v: u32) -> Vec<(String, String)> {
    const PACKAGES: &[(&str, u32, u32)] = &[
        ("anyhow", 1, 0),
        ("axum", 0, 7),
        ("bytes", 1, 5),
        ("chrono", 0, 4),
        ("clap", 4, 5),
        ("futures", 0, 3),
        ("http", 1, 1),
        ("hyper", 1, 4),
        ("itoa", 1, 0),
        ("log", 0, 4),
        ("memchr", 2, 7),
        ("mime", 0, 3),
        ("once_cell", 1, 19),
        ("parking_lot", 0, 12),
        ("prost", 0, 13),
        ("rand", 0, 8),
        ("regex", 1, 10),
        ("reqwest", 0, 12),
        ("rustls", 0, 23),
        ("serde", 1, 0),
        ("serde_json", 1, 0),
        ("sqlx", 0, 8),
        ("thiserror", 1, 0),
        ("tokio", 1, 38),
        ("tonic", 0, 12),
        ("tower", 0, 4),
        ("tracing", 0, 1),
        ("url", 2, 5),
        ("uuid", 1, 10),
        ("zstd", 0, 13),
    ];
    PACKAGES
        .iter()
        .enumerate()
        .map(|(j, (name, major, minor))| {
            let bumps = (1..=v)
                .filter(|b| (*b as usize * 7) % PACKAGES.len() == j)
                .count();
            (name.to_string(), format!("{major}.{minor}.{bumps}"))
        })
        .collect()
}

pub fn cargo_lock(v: u32) -> String {
    let mut text = String::from(
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n",
    );
    for (name, version) in lock_packages(v) {
        let checksum = format!("{:016x}", fnv(&format!("{name}{version}"))).repeat(4);
        text.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{checksum}\"\n"
        ));
    }
    text
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------------------
// The pipeline and the deployments.

/// A stage as the generator needs it (from the expanded pipeline.toml).
pub struct Stage {
    pub name: String,
    pub wave: Option<String>,
    pub environments: Vec<String>,
}

/// One deployment record, compact (there are over a million).
#[derive(Clone, Copy, Debug)]
pub struct Dep {
    pub started_at: i64,
    /// Creation order: ties of `started_at` keep it.
    pub order: u32,
    pub id: u64,
    pub environment: u16,
    /// 0-based release index.
    pub release: u32,
    pub rollback: bool,
    pub outcome: Outcome,
    /// Seconds from start to finish; `None` while in progress.
    pub duration: Option<u16>,
}

pub struct Ledger {
    /// Release creation times, per 0-based release.
    pub release_times: Vec<i64>,
    /// Sorted by start time.
    pub deployments: Vec<Dep>,
    /// Environments with an automatic lock after their last rollback.
    pub locked: Vec<(u16, i64, u64)>,
}

const STAGE_GAP: i64 = 15 * 60;
const DEPLOY_TIME: u16 = 8 * 60;
/// How many of the newest releases are still moving through the pipeline.
const IN_FLIGHT: usize = 8;

/// A bijection on 40 bits: distinct, random-looking deployment ids from a counter.
fn deployment_id(counter: u64) -> u64 {
    const MASK: u64 = (1 << 40) - 1;
    let mut x = counter & MASK;
    x = x.wrapping_mul(0x009e_3779_b97f) & MASK;
    x ^= x >> 20;
    x = x.wrapping_mul(0x00bf_5847_6d1d) & MASK;
    x ^= x >> 17;
    x
}

/// Moves every release through the pipeline in order. Each release deploys to alpha, beta
/// and gamma, then wave by wave; before each production wave after the first it may be
/// superseded (it stops; the next release goes on). About 1.5% fail (tests or an alarm)
/// in one environment, which is rolled back to its last approved release; 0.5% fail to
/// deploy; 0.3% are rolled back by hand after approval. The newest releases are still in
/// flight, their last stage `in progress`.
pub fn deployments(history: &History, stages: &[Stage], seed: u64) -> Ledger {
    let mut rng = Rng::new(seed ^ DEPLOY_SEED);
    let n = history.release_positions.len();
    let env_count: usize = stages.iter().map(|s| s.environments.len()).sum();
    let mut env_base = Vec::new();
    let mut base = 0u16;
    for s in stages {
        env_base.push(base);
        base += s.environments.len() as u16;
    }
    let wave_starts: Vec<usize> = (1..stages.len())
        .filter(|&i| stages[i].wave.is_some() && stages[i].wave != stages[i - 1].wave)
        .collect();
    let mut approved: Vec<Option<u32>> = vec![None; env_count];
    let mut out = Vec::new();
    let mut locked = Vec::new();
    let mut release_times = Vec::with_capacity(n);
    let mut counter = 0u64;
    let mut last_time = 0i64;
    for k in 0..n {
        let commit_time = history.commits[history.release_commit(k) as usize].time;
        let t = (commit_time + 20 * 60).max(last_time + 30 * 60);
        last_time = t;
        release_times.push(t);
        let from_end = n - 1 - k;
        let in_flight = from_end < IN_FLIGHT;
        let mut reach = if in_flight {
            (1 + 4 * from_end).min(stages.len())
        } else {
            stages.len()
        };
        if !in_flight {
            for &w in wave_starts.iter().skip(1) {
                if w < reach && rng.chance(100) {
                    reach = w;
                }
            }
        }
        // 0: none, 1: tests failed / alarm fired, 2: deploy failed, 3: rolled back by hand.
        let roll = rng.below(1000);
        let trouble = if in_flight {
            0
        } else if roll < 15 {
            1
        } else if roll < 20 {
            2
        } else if roll < 23 {
            3
        } else {
            0
        };
        let trouble_stage = rng.below(reach as u64) as usize;
        let trouble_env = rng.below(stages[trouble_stage].environments.len() as u64) as usize;
        for (s, stage) in stages.iter().enumerate().take(reach) {
            let start = t + s as i64 * STAGE_GAP;
            for e in 0..stage.environments.len() {
                let env = env_base[s] + e as u16;
                let here = trouble != 0 && s == trouble_stage && e == trouble_env;
                let (outcome, duration) = if in_flight && s + 1 == reach {
                    (Outcome::InProgress, None)
                } else if here && trouble == 1 {
                    (
                        if rng.chance(500) {
                            Outcome::TestsFailed
                        } else {
                            Outcome::AlarmFired
                        },
                        Some(DEPLOY_TIME),
                    )
                } else if here && trouble == 2 {
                    (Outcome::DeployFailed, Some(DEPLOY_TIME / 2))
                } else if here && trouble == 3 {
                    (Outcome::RolledBack, Some(DEPLOY_TIME))
                } else {
                    (Outcome::Approved, Some(DEPLOY_TIME))
                };
                counter += 1;
                let jitter = rng.below(90) as i64;
                out.push(Dep {
                    started_at: start + jitter,
                    order: out.len() as u32,
                    id: deployment_id(counter),
                    environment: env,
                    release: k as u32,
                    rollback: false,
                    outcome,
                    duration,
                });
                if outcome == Outcome::Approved {
                    approved[env as usize] = Some(k as u32);
                }
                if here && (trouble == 1 || trouble == 3) {
                    if let Some(target) = approved[env as usize] {
                        counter += 1;
                        let id = deployment_id(counter);
                        let at = start + 10 * 60 + jitter;
                        out.push(Dep {
                            started_at: at,
                            order: out.len() as u32,
                            id,
                            environment: env,
                            release: target,
                            rollback: true,
                            outcome: Outcome::Approved,
                            duration: Some(DEPLOY_TIME / 2),
                        });
                        if s >= 3 {
                            locked.retain(|(e, _, _)| *e != env);
                            locked.push((env, at, id));
                        }
                    }
                }
            }
            if trouble != 0 && s == trouble_stage {
                break;
            }
        }
    }
    out.sort_by_key(|d| (d.started_at, d.order));
    // Keep the two newest automatic locks: a ledger has a few, not hundreds.
    locked.sort_by_key(|(_, at, _)| *at);
    let keep = locked.len().saturating_sub(2);
    locked.drain(..keep);
    Ledger {
        release_times,
        deployments: out,
        locked,
    }
}

/// Mixed into the seed of the deployments so they do not repeat the history's draws.
const DEPLOY_SEED: u64 = 0xd3b1_0e5e_ed00_0001;

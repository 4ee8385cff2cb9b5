//! The typed, validated settings of a pipeline: what a stage inherits (bake time, window,
//! alarms, deploy command, approval steps, auto-rollback) and the alarm sources.
//!
//! These are plain data for the engine and the executors; nothing here runs a command,
//! queries a server or reads a clock.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::alarm_expr::AlarmExpr;
use super::window::Window;

/// Default time a deploy command may run before it is killed and the deployment fails.
pub const DEFAULT_DEPLOY_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Default time an approval command may run.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Default time an HTTP probe waits for an answer.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time an alarm command may run.
pub const DEFAULT_ALARM_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// A stage's effective settings, after inheritance (defaults → wave → stage → override).
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long the stage watches its rollback alarm after its deployments succeed.
    pub bake_time: Duration,
    /// Bake also waits until this metric has at least `count` data points.
    pub min_data_points: Option<DataPoints>,
    /// When deployments may start; `None` means at any time.
    pub window: Option<Window>,
    /// In ALARM state during a deployment or bake: the release fails in this stage (and is
    /// rolled back if `auto_rollback`).
    pub rollback_alarm: Option<AlarmExpr>,
    /// In ALARM state: no new deployment into this stage starts (a person may override).
    pub blocker: Option<AlarmExpr>,
    /// How to deploy; `None` when deployments are run by an external CI and only recorded.
    pub deploy: Option<DeployCommand>,
    /// Checks after the deployments, in order; all must pass before bake ends.
    pub approvals: Vec<ApprovalStep>,
    /// Roll failed environments back to their last approved release automatically.
    pub auto_rollback: bool,
    /// One-off ranges in which nothing is promoted into or started in the stage: the
    /// pipeline-wide `freezes` first, then the stage's own (inherited like any setting).
    pub freezes: Vec<Freeze>,
}

/// `freezes = [{ from = …, to = …, reason = … }]`: from `from` (inclusive) to `to`
/// (exclusive) nothing is promoted into or started in the stage — rollbacks still run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freeze {
    pub from: jiff::Timestamp,
    pub to: jiff::Timestamp,
    /// Why (shown wherever a start is refused).
    pub reason: String,
    /// Where it is written: `pipeline` for the top-level list, else the table it is in
    /// (`[defaults]`, `[[waves]] wave-1`, …).
    pub scope: String,
}

impl Freeze {
    /// Does it hold at `now`?
    pub fn holds(&self, now: jiff::Timestamp) -> bool {
        self.from <= now && now < self.to
    }
}

/// "At least 100 requests to the Create API": a Prometheus query whose value must reach
/// `count` before the bake can end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataPoints {
    /// Prometheus base URL (`http://host:9090`).
    pub url: String,
    /// An instant query returning one number, e.g. `sum(increase(requests_total{api="Create"}[2h]))`.
    pub query: String,
    pub count: u64,
}

/// A deploy command: run without a shell, with the `CAPTAIN_*` variables of SPEC §2 and
/// `env` added to its environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployCommand {
    /// Program and arguments. `{environment}` and environment labels (`{region}`, `{az}`…)
    /// are substituted per environment by [`super::Environment::render`].
    pub argv: Vec<String>,
    pub timeout: Duration,
    pub env: BTreeMap<String, String>,
}

/// One approval step of a stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalStep {
    /// A name for status views and `captain approve`; defaults from the kind.
    pub name: String,
    pub kind: ApprovalKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApprovalKind {
    /// Passes if the command exits 0 within `timeout`.
    Command {
        argv: Vec<String>,
        timeout: Duration,
        env: BTreeMap<String, String>,
    },
    /// Passes if a GET of `url` answers `status` within `timeout`.
    Http {
        url: String,
        status: u16,
        timeout: Duration,
    },
    /// Passes if the expression over `[alarms]` stays out of ALARM for `duration`
    /// (checked once if zero).
    Alarm { expr: AlarmExpr, duration: Duration },
    /// Passes if the query returns no series with a non-zero value for `duration`.
    Prometheus {
        url: String,
        query: String,
        duration: Duration,
    },
    /// Passes if no alert `alertname` with these labels is firing for `duration`.
    Alertmanager {
        url: String,
        alertname: String,
        labels: BTreeMap<String, String>,
        duration: Duration,
    },
    /// Passes when as many distinct people as `approvers` asks, each allowed by it, ran
    /// `captain approve` for it.
    External(Approvers),
}

/// Who must approve what people approve (an `external` step, an expedited release): how
/// many distinct people, which ones, and whether the people behind the change count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approvers {
    /// How many distinct people must approve (at least 1).
    pub count: usize,
    /// Who may approve, as written: people by name and groups as `group:NAME`. Empty:
    /// anyone who may call `captain approve`.
    pub allowed: Vec<String>,
    /// Every person `allowed` names, groups expanded.
    pub people: BTreeSet<String>,
    /// May the release's author or the actor who started the deployment approve it?
    pub self_approval: bool,
}

impl Default for Approvers {
    /// One approval by anyone, the author included: an `external` step as it always was.
    fn default() -> Self {
        Approvers {
            count: 1,
            allowed: Vec::new(),
            people: BTreeSet::new(),
            self_approval: true,
        }
    }
}

impl Approvers {
    /// Does `allowed` admit `actor` (anyone, when it names nobody)?
    pub fn admits(&self, actor: &str) -> bool {
        self.allowed.is_empty() || self.people.contains(actor)
    }
}

impl ApprovalKind {
    pub fn kind_name(&self) -> &'static str {
        match self {
            ApprovalKind::Command { .. } => "command",
            ApprovalKind::Http { .. } => "http",
            ApprovalKind::Alarm { .. } => "alarm",
            ApprovalKind::Prometheus { .. } => "prometheus",
            ApprovalKind::Alertmanager { .. } => "alertmanager",
            ApprovalKind::External(_) => "external",
        }
    }
}

/// `[expedite]`: what an expedited release may skip (`captain release expedite vN`), and
/// who must approve the expedite before it counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Expedite {
    /// Every bake of an expedited release (a stage's and a wave's) multiplied by this,
    /// from 0 to 1.
    pub bake_scale: f64,
    /// Per wave: how long each of the wave's stages bakes for an expedited release, in
    /// place of its scaled bake (the wave's own bake included).
    pub wave_bake: BTreeMap<String, Duration>,
    /// Do stage windows still hold for an expedited release?
    pub keep_windows: bool,
    /// Who must approve an expedite: never the one who asked, never the release's author.
    pub approvers: Approvers,
}

impl Expedite {
    /// How long a deployment of an expedited release bakes in `stage`.
    pub fn bake_time(&self, stage: &super::Stage) -> Duration {
        match stage.wave.as_ref().and_then(|w| self.wave_bake.get(w)) {
            Some(set) => *set,
            None => stage.bake_time().mul_f64(self.bake_scale.clamp(0.0, 1.0)),
        }
    }
}

/// `[alarms.NAME]`: where the state of one named alarm comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlarmSource {
    pub name: String,
    pub kind: AlarmKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlarmKind {
    /// In ALARM when the query returns any series with a non-zero value.
    Prometheus { url: String, query: String },
    /// In ALARM when an alert `alertname` carrying all of `labels` is firing.
    Alertmanager {
        url: String,
        alertname: String,
        labels: BTreeMap<String, String>,
    },
    /// OK when the command exits 0, in ALARM when it exits 1; any other exit, or no exit
    /// within `timeout`, leaves the state unknown.
    Command {
        argv: Vec<String>,
        timeout: Duration,
        env: BTreeMap<String, String>,
    },
}

/// Where the file names what `captain validate` checks against the repository and the
/// machine rather than against the file: the trunk branch and the programs it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Places {
    /// Where `trunk` is written; `None` when the default (`main`) is in effect.
    pub trunk: Option<Place>,
    /// Every program (argv\[0\]) of a deploy command, an approval command or an alarm
    /// command, as written, in file order.
    pub programs: Vec<WrittenProgram>,
}

/// A line and column in the pipeline file (from 1; columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
}

/// A program a command runs, where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenProgram {
    /// argv\[0\] as written (placeholders such as `{environment}` not filled in).
    pub program: String,
    pub kind: CommandKind,
    pub place: Place,
}

/// What runs a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandKind {
    Deploy,
    Approval,
    Alarm,
}

impl CommandKind {
    /// "deploy", "approval", "alarm": as messages name the command.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Deploy => "deploy",
            CommandKind::Approval => "approval",
            CommandKind::Alarm => "alarm",
        }
    }
}

/// A production wave after expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wave {
    pub name: String,
    /// The regions it covers (empty for a wave that lists its stages explicitly).
    pub regions: Vec<String>,
    /// Its stages' names, in order.
    pub stages: Vec<String>,
    /// `wave_bake_time`: how long the release bakes after the wave as a whole (carried by
    /// its last stage, see [`super::Stage::wave_bake_time`]).
    pub wave_bake_time: Duration,
}

/// Default time a notification's receiver has to answer.
pub const DEFAULT_NOTIFY_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of failed deliveries after which an event is parked.
pub const DEFAULT_NOTIFY_ATTEMPTS: u32 = 8;

/// `[[notify]]`: which events to send where, in which format, signed with which secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyTarget {
    /// Names the target's place in the event log (its delivery cursor) and its parked
    /// events: renaming a target starts it over.
    pub name: String,
    pub url: NotifyUrl,
    /// Event names ([`crate::ops::events::EVENT_NAMES`]); `*` is every event.
    pub events: Vec<String>,
    pub format: NotifyFormat,
    /// The environment variable holding the HMAC-SHA256 key of the signature header;
    /// the secret itself is never in the file or the ledger.
    pub secret_env: Option<String>,
    /// Failed deliveries of one event before it is parked.
    pub max_attempts: u32,
    /// How long the receiver has to answer one delivery.
    pub timeout: Duration,
}

impl NotifyTarget {
    /// Does this target want events of this name?
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event)
    }
}

/// Where a target's requests go: a URL in the file, or one kept in an environment
/// variable (a Slack webhook URL is itself a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotifyUrl {
    Literal(String),
    Env(String),
}

/// The body of a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyFormat {
    /// The event as `captain events` prints it.
    Captain,
    /// `{"text": "…"}`, one readable line, as Slack's (and compatible) webhooks take it.
    Slack,
}

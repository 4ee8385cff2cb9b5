//! `pipeline.toml`: the schema, parsing with positions, validation that reports every
//! problem at once, and the expansion of waves into stages and environments.
//!
//! This room only reads and checks configuration; it never touches the ledger, git, the
//! network or the clock. The result, [`Pipeline`], is the expanded pipeline every other
//! room works from. `pipeline.example.toml` at the repository root is the annotated example.
//!
//! # Format reference
//!
//! ```toml
//! name = "frontend-api"             # required
//! trunk = "main"                    # default "main"; a release of a commit off it needs --hotfix
//! timezone = "America/Los_Angeles"  # IANA name, default "UTC"; windows use it unless they set their own
//! freezes = [                      # nothing promoted or started then, in every stage (rollbacks run)
//!   { from = 2026-12-21, to = 2027-01-04, reason = "holidays" },   # dates: whole days, `to` included
//!   { from = "2026-11-27T06:00", to = "2026-11-28T00:00", reason = "Black Friday" },  # pipeline's time zone
//! ]
//! prometheus = "http://prometheus:9090"     # default URL for prometheus alarms and data points
//! alertmanager = "http://alertmanager:9093" # default URL for alertmanager alarms
//!
//! [state]
//! location = "/var/lib/captain/frontend.db"   # a path or a URL (sqlite:…, postgres://…, https://…)
//!
//! [alarms.HighSeverity]             # named alarm sources, used by ALARM("HighSeverity")
//! kind = "prometheus"               # ALARM when the query returns a non-zero series
//! query = 'sum(rate(errors_total[5m])) > 0.01'
//! [alarms.LargeScaleEvent]
//! kind = "alertmanager"             # ALARM when this alert is firing with these labels
//! alertname = "LargeScaleEvent"
//! labels = { org = "retail" }
//! [alarms.Canary]
//! kind = "command"                  # OK on exit 0, ALARM on exit 1, else unknown
//! argv = ["./check-canary"]
//! timeout = "1m"
//!
//! [groups]                          # people, as approvals name them ("group:NAME")
//! principal-engineers = ["alice", "bob", "carol"]
//!
//! [expedite]                        # `captain release expedite vN`, once approved
//! bake_scale = 0.25                 # every bake of an expedited release × 0.25
//! wave_bake = { "wave-1" = "2h" }   # … or set per wave: each of its stages bakes this long
//! keep_windows = true               # default true; false: an expedited release ignores windows
//! approvers = 2                     # distinct people; never the one who asked, never the author
//! allowed = ["group:principal-engineers"]
//!
//! [defaults]                        # settings every stage inherits
//! bake_time = "1h"                  # humantime durations: 30m, 1h 30m, 2days
//! min_data_points = { query = 'sum(increase(requests_total{api="Create"}[2h]))', count = 100 }
//! window = { days = "mon-thu", hours = "09:00-16:00", exclude = ["2026-12-24"] }  # or "always",
//!                                   # or several: [{ days = "mon-thu", … }, { days = "fri", hours = "09:00-12:00" }]
//! freezes = [{ from = 2026-12-24, to = 2026-12-26, reason = "Christmas" }]  # the stage's own, inherited
//! rollback_alarm = 'ALARM("HighSeverity") OR ALARM("Canary")'   # fails (and rolls back) the stage
//! blocker = 'ALARM("HighSeverity") OR ALARM("LargeScaleEvent")' # stops deployments from starting
//! deploy = { argv = ["./deploy.sh", "{environment}"], timeout = "30m", env = { LOG = "info" } }
//! auto_rollback = true              # default: true in waves (production), false before them
//! approvals = [
//!   { kind = "command", argv = ["./integration-tests", "{environment}"], timeout = "20m" },
//!   { kind = "http", url = "https://{environment}.example.com/health", status = 200, timeout = "5s" },
//!   { kind = "alarm", alarm = 'ALARM("Canary")', duration = "10m" },
//!   { kind = "prometheus", query = 'up{job="api"} == 0' },
//!   { kind = "alertmanager", alertname = "ApiDown", labels = { env = "{environment}" } },
//!   { kind = "external", name = "security-review" },   # `captain approve`, by anyone
//!   { kind = "external", name = "sign-off", approvers = 2, allowed = ["group:principal-engineers", "dana"],
//!     self_approval = false },       # 2 distinct people of these; never the release's author or deployer
//! ]
//!
//! [production]                      # settings for stages inside waves, after [defaults]
//! window = { days = "mon-thu", hours = "09:00-16:00", timezone = "Europe/Dublin" }
//!
//! [[stages]]                        # pre-production stages, in order
//! name = "beta"
//! environments = ["beta"]           # deployed in parallel
//! bake_time = "0s"                  # any [defaults] setting can be overridden here
//!
//! [wave_template]                   # how a wave of regions expands into stages
//! azs = ["a", "b", "c"]             # one pass per AZ: {az} = "a", {n} = 1, …
//! stages = [
//!   { name = "{wave}-az{n}-onebox", environment = "prod-{region}{az}-onebox", bake_time = "1h" },
//!   { name = "{wave}-az{n}",        environment = "prod-{region}{az}" },
//! ]
//!
//! [[waves]]                         # production, after every [[stages]] entry, in order
//! name = "wave-1"
//! regions = ["us-east-1"]           # or: stages = [{ name = "prod", environments = ["prod"] }]
//! bake_time = "1h"                  # wave settings override [defaults]; stage settings override waves
//! wave_bake_time = "12h"            # after the wave as a whole: its last stage bakes 1h, then 12h more
//!
//! [overrides."wave-1-az1"]          # settings for one expanded stage, by name (highest precedence)
//! bake_time = "24h"
//! ```
//!
//! Precedence: `[defaults]` → `[production]` (stages in waves only) → the wave → the stage
//! (or template stage) → `[overrides.NAME]`.
//! Each setting is replaced whole, never merged (a stage's `approvals` replace the list).
//! Alarm expressions: `ALARM("NAME")` joined with `OR`, `AND`, `NOT` and parentheses; every
//! name must be defined under `[alarms]`. `{environment}` and the environment's labels
//! (`{wave}`, `{region}`, `{az}`, `{az_index}`) in argv and URLs are filled in per
//! environment by [`Environment::render`]. A program (argv\[0\]) with a slash is run from
//! the pipeline file's directory, a bare name is looked up on PATH; `captain validate`
//! checks that each exists and is executable (see [`Places`]), which loading does not.

mod alarm_expr;
mod diagnostic;
mod expand;
mod outline;
mod plan;
mod schema;
mod targets;
mod templates;
mod validate;
mod what_if;
mod window;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;

pub use alarm_expr::{AlarmExpr, ExprError};
pub use diagnostic::Diagnostic;
pub use outline::{Outline, unknown_environment};
pub use plan::{PlanDataPoints, PlanEnvironment, PlanFreeze, PlanStage, PlanView, PlanWave};
pub use schema::{
    AlarmKind, AlarmSource, ApprovalKind, ApprovalStep, Approvers, CommandKind, DataPoints,
    DeployCommand, Expedite, Freeze, NotifyFormat, NotifyTarget, NotifyUrl, Place, Places,
    Settings, Wave, WrittenProgram,
};
pub use targets::{Target, TargetKind, environments_of};
pub use templates::{Template, template, templates};
pub use what_if::apply_changes;
pub use window::{Window, parse_instant};

use crate::error::{Error, Result};

/// The expanded pipeline: stages in order, each with its environments and effective settings.
#[derive(Clone, Debug)]
pub struct Pipeline {
    pub name: String,
    pub trunk: String,
    /// IANA name of the pipeline's time zone.
    pub timezone: String,
    /// The same time zone, resolved.
    pub tz: TimeZone,
    /// `[state] location`, if the file names one.
    pub state: Option<String>,
    /// Top-level default Prometheus / Alertmanager URLs, if set.
    pub prometheus: Option<String>,
    pub alertmanager: Option<String>,
    /// `[alarms.NAME]` sources by name.
    pub alarms: BTreeMap<String, AlarmSource>,
    /// The top-level `freezes`: they hold in every stage (each stage's
    /// `settings.freezes` lists them first).
    pub freezes: Vec<Freeze>,
    /// `[groups]`: group name → its people, as approvals name them (`group:NAME`).
    pub groups: BTreeMap<String, Vec<String>>,
    /// `[expedite]`: how an expedited release is deployed; `None`: no release can be.
    pub expedite: Option<Expedite>,
    /// Production waves in order, with the names of their stages.
    pub waves: Vec<Wave>,
    pub stages: Vec<Stage>,
    /// The file it was read from.
    pub source: PathBuf,
    /// [`crate::model::pipeline_digest`] of the text it was read from: what a team
    /// server compares with its own definition.
    pub digest: String,
    /// Where the file names its trunk and its programs (see [`Places`]).
    pub places: Places,
    /// `[[notify]]` targets, in file order.
    pub notify: Vec<NotifyTarget>,
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    /// The production wave it belongs to; `None` for pre-production stages.
    pub wave: Option<String>,
    pub environments: Vec<Environment>,
    /// Effective settings after inheritance.
    pub settings: Settings,
    /// The bake of the wave as a whole (`wave_bake_time` in `[[waves]]`), on the wave's
    /// last stage only, zero elsewhere: once the wave's last deployments have baked the
    /// stage's own `bake_time`, they bake this much longer before the stage approves, so
    /// the next wave waits for it. It is not inherited.
    pub wave_bake_time: Duration,
}

#[derive(Clone, Debug)]
pub struct Environment {
    pub name: String,
    /// Values from the expansion (`wave`, `region`, `az`, `az_index`), passed to deploy
    /// commands. The names are those four, never copied (160 environments made 640 of them).
    pub labels: BTreeMap<&'static str, String>,
}

impl Pipeline {
    /// How long a deployment of a release bakes in `stage`: the stage's bake time, or,
    /// for an expedited release, what `[expedite]` makes of it.
    pub fn bake_time(&self, stage: &Stage, expedited: bool) -> Duration {
        match (&self.expedite, expedited) {
            (Some(rule), true) => rule.bake_time(stage),
            _ => stage.bake_time(),
        }
    }
}

impl Stage {
    /// Stages inside waves are production; the others are pre-production.
    pub fn is_production(&self) -> bool {
        self.wave.is_some()
    }

    /// How long a deployment of this stage bakes: its own `bake_time`, then, on a wave's
    /// last stage, the wave's `wave_bake_time`.
    pub fn bake_time(&self) -> Duration {
        self.settings.bake_time.saturating_add(self.wave_bake_time)
    }
}

impl Environment {
    /// `text` with `{environment}` and `{LABEL}` placeholders filled in for this environment;
    /// unknown placeholders are left as written, so literal braces survive.
    pub fn render(&self, text: &str) -> String {
        let mut out = text.replace("{environment}", &self.name);
        for (key, value) in &self.labels {
            out = out.replace(&format!("{{{key}}}"), value);
        }
        out
    }
}

impl Pipeline {
    /// Reads, parses, validates and expands `path`. A missing file is `not found`; an
    /// invalid one is an error (exit 1, as `captain validate`) whose message lists every
    /// problem, one per line.
    pub fn load(path: &Path) -> Result<Pipeline> {
        Pipeline::from_text(&read_pipeline_text(path)?, path)
    }

    /// Parses, validates and expands `text`, read from `path`, as [`Pipeline::load`].
    pub fn from_text(text: &str, path: &Path) -> Result<Pipeline> {
        match validate_text(text, path) {
            Ok(pipeline) => Ok(pipeline),
            Err(diagnostics) => {
                let count = diagnostics.len();
                let noun = if count == 1 { "problem" } else { "problems" };
                let mut message = format!(
                    "{} is not a valid pipeline ({count} {noun}):",
                    path.display()
                );
                for d in &diagnostics {
                    message.push_str("\n  ");
                    message.push_str(&d.to_string());
                }
                // README: an invalid pipeline.toml exits 1 in every command, as `validate`.
                Err(Error::failed(message).with_hint(format!(
                    "`captain validate --pipeline {}` lists the problems with their places",
                    path.display()
                )))
            }
        }
    }

    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// The stage before `name`, if `name` is not the first.
    pub fn previous_stage(&self, name: &str) -> Option<&Stage> {
        let index = self.stages.iter().position(|s| s.name == name)?;
        index.checked_sub(1).map(|i| &self.stages[i])
    }

    /// The stage after `name`, if `name` is not the last.
    pub fn next_stage(&self, name: &str) -> Option<&Stage> {
        let index = self.stages.iter().position(|s| s.name == name)?;
        self.stages.get(index + 1)
    }

    /// The environment named `name` and its stage.
    pub fn environment(&self, name: &str) -> Option<(&Stage, &Environment)> {
        self.stages.iter().find_map(|stage| {
            stage
                .environments
                .iter()
                .find(|e| e.name == name)
                .map(|e| (stage, e))
        })
    }

    /// Every environment name, in pipeline order.
    pub fn environment_names(&self) -> Vec<String> {
        self.stages
            .iter()
            .flat_map(|s| s.environments.iter().map(|e| e.name.clone()))
            .collect()
    }

    /// The stage called `name`, or a `not found` error with a did-you-mean hint.
    pub fn require_stage(&self, name: &str) -> Result<&Stage> {
        self.stage(name).ok_or_else(|| {
            let error = Error::not_found(format!(
                "unknown stage `{name}` in pipeline `{}`",
                self.name
            ));
            match crate::error::suggestion_hint(name, self.stages.iter().map(|s| s.name.as_str())) {
                Some(hint) => error.with_hint(hint),
                None => error.with_hint("`captain plan` lists the stages"),
            }
        })
    }

    /// The environment called `name` and its stage, or a `not found` error with a
    /// did-you-mean hint.
    pub fn require_environment(&self, name: &str) -> Result<(&Stage, &Environment)> {
        self.environment(name).ok_or_else(|| {
            let error = Error::not_found(format!(
                "unknown environment `{name}` in pipeline `{}`",
                self.name
            ));
            let names = self
                .stages
                .iter()
                .flat_map(|s| s.environments.iter().map(|e| e.name.as_str()));
            match crate::error::suggestion_hint(name, names) {
                Some(hint) => error.with_hint(hint),
                None => error.with_hint("`captain plan` lists the environments"),
            }
        })
    }

    /// Every stage name, in pipeline order.
    pub fn stage_names(&self) -> Vec<String> {
        self.stages.iter().map(|s| s.name.clone()).collect()
    }
}

/// Reads `path` and validates it: the outer error is for a file that cannot be read, the
/// inner one lists the problems in its content.
/// The text of a pipeline file, as `validate_file` reads it.
///
/// Only a regular file of at most [`crate::input::PIPELINE_FILE_LIMIT`] bytes is read: a
/// FIFO or a device (`--pipeline /dev/zero`) is refused before anything is read.
pub fn read_pipeline_text(path: &Path) -> Result<String> {
    let bytes = match crate::input::read_regular_file(path, crate::input::PIPELINE_FILE_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(
                Error::not_found(format!("no pipeline file at {}", path.display()))
                    .with_hint("`captain init` writes one, or pass --pipeline PATH"),
            );
        }
        Err(e) => {
            return Err(Error::failed(format!(
                "cannot read the pipeline file {}: {e}",
                path.display()
            ))
            .with_hint("point --pipeline at a pipeline.toml"));
        }
    };
    String::from_utf8(bytes).map_err(|_| {
        Error::failed(format!(
            "the pipeline file {} is not UTF-8 text",
            path.display()
        ))
    })
}

pub fn validate_file(path: &Path) -> Result<std::result::Result<Pipeline, Vec<Diagnostic>>> {
    let text = read_pipeline_text(path)?;
    Ok(validate_text(&text, path))
}

/// Parses, validates and expands the text of a pipeline file; `path` is used in the
/// diagnostics and kept as [`Pipeline::source`]. Every problem is reported, in file order.
pub fn validate_text(text: &str, path: &Path) -> std::result::Result<Pipeline, Vec<Diagnostic>> {
    let mut sink = diagnostic::Sink::new(text, path);
    let (root, errors) = toml::de::DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            // toml's messages can span lines (with a source excerpt); the first line says it.
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .trim()
                .to_string();
            sink.error(span, format!("TOML syntax error: {message}"), None);
        }
        // The recovered tree may be missing pieces; checking it would add noise.
        return Err(sink.finish());
    }
    let mut walker = validate::Walker::new(sink);
    let raw = walker.document(&root);
    let mut sink = walker.sink;
    let mut pipeline = expand::expand(raw, &mut sink, path.to_path_buf());
    pipeline.digest = crate::model::pipeline_digest(text);
    let diagnostics = sink.finish();
    if diagnostics.is_empty() {
        Ok(pipeline)
    } else {
        Err(diagnostics)
    }
}

#[cfg(test)]
mod tests;

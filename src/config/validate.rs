//! Reading `pipeline.toml` into checked, typed pieces, collecting every problem with its
//! position instead of stopping at the first.
//!
//! The file is parsed with toml's spanned document API (`toml::de::DeTable`), so every key
//! and value keeps its byte range; this module walks that tree by hand because serde's
//! derive stops at the first error. It does not expand waves (see `expand.rs`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

use jiff::tz::TimeZone;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::alarm_expr::AlarmExpr;
use super::diagnostic::Sink;
use super::schema::*;
use super::window::{self, Window};
use crate::error::suggestion_hint;

type Span = Range<usize>;
type Val<'i> = Spanned<DeValue<'i>>;

pub(crate) const TOP_KEYS: &[&str] = &[
    "name",
    "trunk",
    "timezone",
    "prometheus",
    "alertmanager",
    "freezes",
    "state",
    "alarms",
    "groups",
    "expedite",
    "defaults",
    "production",
    "stages",
    "wave_template",
    "waves",
    "overrides",
    "notify",
];
pub(crate) const SETTINGS_KEYS: &[&str] = &[
    "bake_time",
    "min_data_points",
    "window",
    "rollback_alarm",
    "blocker",
    "deploy",
    "approvals",
    "auto_rollback",
    "freezes",
];
/// The keys of one freeze in `freezes = [...]`.
pub(crate) const FREEZE_KEYS: &[&str] = &["from", "to", "reason"];

/// Settings as written at one level; `None` means "inherit". `Some(None)` is an explicit
/// "none" (`window = "always"`, `rollback_alarm = ""`) that stops inheritance.
#[derive(Clone, Debug, Default)]
pub(crate) struct Partial {
    pub bake_time: Option<Duration>,
    pub min_data_points: Option<Option<DataPoints>>,
    pub window: Option<Option<Window>>,
    pub rollback_alarm: Option<Option<AlarmExpr>>,
    pub blocker: Option<Option<AlarmExpr>>,
    pub deploy: Option<DeployCommand>,
    pub approvals: Option<Vec<ApprovalStep>>,
    pub auto_rollback: Option<bool>,
    pub freezes: Option<Vec<Freeze>>,
}

impl Partial {
    /// `self` with every field that `over` sets replaced by `over`'s.
    pub fn overlay(&self, over: &Partial) -> Partial {
        Partial {
            bake_time: over.bake_time.or(self.bake_time),
            min_data_points: over
                .min_data_points
                .clone()
                .or_else(|| self.min_data_points.clone()),
            window: over.window.clone().or_else(|| self.window.clone()),
            rollback_alarm: over
                .rollback_alarm
                .clone()
                .or_else(|| self.rollback_alarm.clone()),
            blocker: over.blocker.clone().or_else(|| self.blocker.clone()),
            deploy: over.deploy.clone().or_else(|| self.deploy.clone()),
            approvals: over.approvals.clone().or_else(|| self.approvals.clone()),
            auto_rollback: over.auto_rollback.or(self.auto_rollback),
            freezes: over.freezes.clone().or_else(|| self.freezes.clone()),
        }
    }

    /// The effective settings; auto-rollback defaults to on for production only.
    pub fn resolve(self, production: bool) -> Settings {
        Settings {
            bake_time: self.bake_time.unwrap_or(Duration::ZERO),
            min_data_points: self.min_data_points.flatten(),
            window: self.window.flatten(),
            rollback_alarm: self.rollback_alarm.flatten(),
            blocker: self.blocker.flatten(),
            deploy: self.deploy,
            approvals: self.approvals.unwrap_or_default(),
            auto_rollback: self.auto_rollback.unwrap_or(production),
            freezes: self.freezes.unwrap_or_default(),
        }
    }
}

pub(crate) struct RawStage {
    pub name: String,
    pub span: Span,
    pub environments: Vec<(String, Span)>,
    pub settings: Partial,
}

pub(crate) struct RawTemplateStage {
    pub name: String,
    pub name_span: Span,
    pub environment: String,
    pub environment_span: Span,
    pub settings: Partial,
}

pub(crate) struct RawTemplate {
    pub azs: Vec<String>,
    pub stages: Vec<RawTemplateStage>,
}

pub(crate) struct RawWave {
    pub name: String,
    pub span: Span,
    /// `wave_bake_time`: the bake after the wave as a whole.
    pub wave_bake_time: Option<Duration>,
    pub regions: Vec<(String, Span)>,
    pub azs: Option<Vec<String>>,
    pub stages: Vec<RawStage>,
    pub settings: Partial,
}

/// Everything read from the file, before expansion.
pub(crate) struct Raw {
    pub name: String,
    pub trunk: String,
    pub timezone: String,
    pub tz: TimeZone,
    pub state: Option<String>,
    pub prometheus: Option<String>,
    pub alertmanager: Option<String>,
    pub alarms: BTreeMap<String, AlarmSource>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub expedite: Option<Expedite>,
    /// The top-level `freezes` (every stage's).
    pub freezes: Vec<Freeze>,
    pub defaults: Partial,
    pub production: Partial,
    pub stages: Vec<RawStage>,
    pub template: Option<RawTemplate>,
    pub waves: Vec<RawWave>,
    pub overrides: Vec<(String, Span, Partial)>,
    pub places: Places,
    pub notify: Vec<NotifyTarget>,
}

pub(crate) struct Walker<'s> {
    pub sink: Sink<'s>,
    places: Places,
    tz: TimeZone,
    tz_name: String,
    prometheus: Option<String>,
    alertmanager: Option<String>,
    alarm_names: Vec<String>,
    groups: BTreeMap<String, Vec<String>>,
}

/// How an approval names a group of people (`group:NAME`).
pub(crate) const GROUP_PREFIX: &str = "group:";

fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Val<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'s> Walker<'s> {
    pub fn new(sink: Sink<'s>) -> Self {
        Walker {
            sink,
            places: Places::default(),
            tz: TimeZone::UTC,
            tz_name: "UTC".into(),
            prometheus: None,
            alertmanager: None,
            alarm_names: Vec::new(),
            groups: BTreeMap::new(),
        }
    }

    fn err(&mut self, span: Span, message: impl Into<String>) {
        self.sink.error(span, message, None);
    }

    fn err_hint(&mut self, span: Span, message: impl Into<String>, hint: Option<String>) {
        self.sink.error(span, message, hint);
    }

    fn check_keys(&mut self, table: &DeTable<'_>, known: &[&str], place: &str) {
        for (key, _) in table.iter() {
            let name = key.get_ref().as_ref();
            if !known.contains(&name) {
                let hint = if name == "wave_bake_time" {
                    Some(
                        "`wave_bake_time` is the bake after a wave as a whole; set it in a \
                         [[waves]] entry"
                            .to_string(),
                    )
                } else if name == "self_approval" && place == "in [expedite]" {
                    Some(
                        "an expedite is never approved by the one who asked nor by the \
                         release's author"
                            .to_string(),
                    )
                } else if ["approvers", "allowed", "self_approval"].contains(&name) {
                    Some(format!(
                        "`{name}` is for steps people approve: kind = \"external\""
                    ))
                } else {
                    suggestion_hint(name, known.iter().copied())
                        .or_else(|| Some(format!("known keys {place}: {}", known.join(", "))))
                };
                self.err_hint(key.span(), format!("unknown key `{name}` {place}"), hint);
            }
        }
    }

    fn table<'t, 'i>(&mut self, v: &'t Val<'i>, what: &str) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be a table, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Val<'_>, what: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn nonempty_string(&mut self, v: &Val<'_>, what: &str) -> Option<String> {
        let s = self.string(v, what)?;
        if s.trim().is_empty() {
            self.err(v.span(), format!("{what} must not be empty"));
            return None;
        }
        Some(s)
    }

    fn required<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        span: &Span,
        key: &str,
        place: &str,
    ) -> Option<&'t Val<'i>> {
        let v = get(table, key);
        if v.is_none() {
            self.err(span.clone(), format!("missing `{key}` {place}"));
        }
        v
    }

    fn strings(&mut self, v: &Val<'_>, what: &str) -> Option<Vec<(String, Span)>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v.span(),
                format!(
                    "{what} must be an array of strings, found {}",
                    type_name(v.get_ref())
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match self.nonempty_string(item, &format!("each item of {what}")) {
                Some(s) => out.push((s, item.span())),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn argv(&mut self, v: &Val<'_>, what: &str) -> Option<Vec<String>> {
        if let DeValue::String(s) = v.get_ref() {
            self.err_hint(
                v.span(),
                format!("{what} must be an array of arguments, not a shell string"),
                Some(format!(
                    "write it as {:?}",
                    s.split_whitespace().collect::<Vec<_>>()
                )),
            );
            return None;
        }
        let list = self.strings(v, what)?;
        if list.is_empty() {
            self.err(v.span(), format!("{what} must name a program"));
            return None;
        }
        Some(list.into_iter().map(|(s, _)| s).collect())
    }

    fn string_map(&mut self, v: &Val<'_>, what: &str) -> Option<BTreeMap<String, String>> {
        let table = self.table(v, what)?;
        let mut out = BTreeMap::new();
        for (k, v) in table.iter() {
            let key = k.get_ref().to_string();
            if let Some(s) = self.string(v, &format!("`{key}` in {what}")) {
                out.insert(key, s);
            }
        }
        Some(out)
    }

    fn duration(&mut self, v: &Val<'_>, what: &str) -> Option<Duration> {
        let s = self.string(v, what)?;
        match humantime::parse_duration(s.trim()) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err_hint(
                    v.span(),
                    format!("invalid duration `{s}` for {what}: {e}"),
                    Some("write durations like `30m`, `1h 30m` or `2days`".into()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Val<'_>, what: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be true or false, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn integer(&mut self, v: &Val<'_>, what: &str, max: u64) -> Option<u64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => {
                u64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
            }
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be an integer, found {}", type_name(other)),
                );
                return None;
            }
        };
        match parsed {
            Some(n) if n <= max => Some(n),
            _ => {
                self.err(
                    v.span(),
                    format!("{what} must be a whole number from 0 to {max}"),
                );
                None
            }
        }
    }

    fn url(&mut self, v: &Val<'_>, what: &str) -> Option<String> {
        let s = self.nonempty_string(v, what)?;
        if !(s.starts_with("http://") || s.starts_with("https://")) {
            self.err(
                v.span(),
                format!("{what} must be an http:// or https:// URL, found `{s}`"),
            );
            return None;
        }
        Some(s)
    }

    /// An alarm expression, with positions of syntax errors inside the string mapped back to
    /// the file, and every alarm name checked against `[alarms]`.
    fn alarm_expr(&mut self, v: &Val<'_>, what: &str) -> Option<AlarmExpr> {
        let text = self.string(v, what)?;
        let span = v.span();
        let raw = self.sink.text().get(span.clone()).unwrap_or("");
        let quote = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
            3
        } else {
            1
        };
        let at = |offset: usize| {
            let start =
                (span.start + quote + offset).min(span.end.saturating_sub(1).max(span.start));
            start..span.end
        };
        match AlarmExpr::parse(&text) {
            Err(e) => {
                self.err(at(e.offset), format!("{what}: {}", e.message));
                None
            }
            Ok(expr) => {
                let mut ok = true;
                for name in expr.names() {
                    if !self.alarm_names.iter().any(|n| n == name) {
                        ok = false;
                        let offset = text.find(&format!("\"{name}\"")).map_or(0, |i| i + 1);
                        let hint =
                            suggestion_hint(name, self.alarm_names.iter().map(String::as_str))
                                .or_else(|| Some(format!("define it as [alarms.{name}]")));
                        self.err_hint(
                            at(offset),
                            format!("unknown alarm `{name}` in {what}"),
                            hint,
                        );
                    }
                }
                ok.then_some(expr)
            }
        }
    }

    fn optional_alarm_expr(&mut self, v: &Val<'_>, what: &str) -> Option<Option<AlarmExpr>> {
        if let DeValue::String(s) = v.get_ref()
            && s.trim().is_empty()
        {
            return Some(None);
        }
        self.alarm_expr(v, what).map(Some)
    }

    pub fn document(&mut self, root: &Spanned<DeTable<'_>>) -> Raw {
        let table = root.get_ref();
        let top = 0..0;
        self.check_keys(table, TOP_KEYS, "at the top level");

        // Problems in these are reported and replaced by placeholders, so that the rest of the
        // file is still checked; a pipeline with any diagnostic is never returned.
        let name = self
            .required(
                table,
                &top,
                "name",
                "at the top level (the pipeline's name)",
            )
            .and_then(|v| {
                let name = self.nonempty_string(v, "`name`")?;
                // It becomes a file name and a URL segment: `x/../app` must never name `app`.
                if let Err(e) = crate::model::check_pipeline_name(&name) {
                    self.err_hint(v.span(), format!("`name`: {}", e.message), e.hint);
                    return None;
                }
                Some(name)
            })
            .unwrap_or_default();
        let trunk = match get(table, "trunk") {
            Some(v) => {
                self.places.trunk = Some(self.place(&v.span()));
                self.nonempty_string(v, "`trunk`").unwrap_or_default()
            }
            None => "main".to_string(),
        };
        let timezone = match get(table, "timezone") {
            Some(v) => self.nonempty_string(v, "`timezone`").and_then(|tz| {
                match window::parse_timezone(&tz) {
                    Ok(zone) => Some((tz, zone)),
                    Err(message) => {
                        self.err(v.span(), message);
                        None
                    }
                }
            }),
            None => None,
        };
        let timezone = timezone.unwrap_or_else(|| ("UTC".to_string(), TimeZone::UTC));
        self.tz = timezone.1.clone();
        self.tz_name = timezone.0.clone();
        if let Some(v) = get(table, "prometheus") {
            self.prometheus = self.url(v, "`prometheus`");
        }
        if let Some(v) = get(table, "alertmanager") {
            self.alertmanager = self.url(v, "`alertmanager`");
        }
        let state = get(table, "state").and_then(|v| self.state(v));
        let freezes = get(table, "freezes")
            .and_then(|v| self.freezes(v, "at the top level", "pipeline"))
            .unwrap_or_default();

        // Alarm names first: every expression below is checked against them.
        let mut alarms = BTreeMap::new();
        if let Some(v) = get(table, "alarms")
            && let Some(t) = self.table(v, "`alarms`")
        {
            self.alarm_names = t.iter().map(|(k, _)| k.get_ref().to_string()).collect();
            for (k, v) in t.iter() {
                if let Some(source) = self.alarm_source(k.get_ref(), v) {
                    alarms.insert(source.name.clone(), source);
                }
            }
        }

        // Groups next: approvals below name them.
        if let Some(v) = get(table, "groups") {
            self.groups(v);
        }

        let defaults = match get(table, "defaults") {
            Some(v) => self.table(v, "`defaults`").map(|t| {
                self.check_keys(t, SETTINGS_KEYS, "in [defaults]");
                self.settings(t, "[defaults]")
            }),
            None => None,
        }
        .unwrap_or_default();

        let production = match get(table, "production") {
            Some(v) => self.table(v, "`production`").map(|t| {
                self.check_keys(t, SETTINGS_KEYS, "in [production]");
                self.settings(t, "[production]")
            }),
            None => None,
        }
        .unwrap_or_default();

        let mut stages = Vec::new();
        if let Some(v) = get(table, "stages") {
            stages = self.stage_list(v, "[[stages]]");
        }
        let template = get(table, "wave_template").and_then(|v| self.template(v));
        let mut waves = Vec::new();
        if let Some(v) = get(table, "waves") {
            if let DeValue::Array(items) = v.get_ref() {
                for item in items.iter() {
                    if let Some(wave) = self.wave(item) {
                        waves.push(wave);
                    }
                }
            } else {
                self.err(v.span(), "`waves` must be an array of tables ([[waves]])");
            }
        }
        let mut overrides = Vec::new();
        if let Some(v) = get(table, "overrides")
            && let Some(t) = self.table(v, "`overrides`")
        {
            for (k, v) in t.iter() {
                let place = format!("in [overrides.\"{}\"]", k.get_ref());
                if let Some(t) = self.table(v, &format!("`overrides.{}`", k.get_ref())) {
                    self.check_keys(t, SETTINGS_KEYS, &place);
                    let settings = self.settings(t, &place);
                    overrides.push((k.get_ref().to_string(), k.span(), settings));
                }
            }
        }

        let expedite = get(table, "expedite").and_then(|v| self.expedite(v, &waves));
        let mut notify = Vec::new();
        if let Some(v) = get(table, "notify") {
            if let DeValue::Array(items) = v.get_ref() {
                for item in items.iter() {
                    if let Some(target) = self.notify_target(item) {
                        if notify.iter().any(|t: &NotifyTarget| t.name == target.name) {
                            self.err_hint(
                                item.span(),
                                format!("two [[notify]] targets are named `{}`", target.name),
                                Some("give each target its own `name`".to_string()),
                            );
                        } else {
                            notify.push(target);
                        }
                    }
                }
            } else {
                self.err(v.span(), "`notify` must be an array of tables ([[notify]])");
            }
        }

        let (timezone, tz) = timezone;
        Raw {
            name,
            trunk,
            timezone,
            tz,
            state,
            prometheus: self.prometheus.clone(),
            alertmanager: self.alertmanager.clone(),
            alarms,
            groups: std::mem::take(&mut self.groups),
            expedite,
            freezes,
            defaults,
            production,
            stages,
            template,
            waves,
            overrides,
            places: std::mem::take(&mut self.places),
            notify,
        }
    }

    fn notify_target(&mut self, v: &Val<'_>) -> Option<NotifyTarget> {
        let place = "in [[notify]]";
        let t = self.table(v, "each item of `notify`")?;
        let span = v.span();
        self.check_keys(
            t,
            &[
                "name",
                "url",
                "url_env",
                "events",
                "format",
                "secret_env",
                "max_attempts",
                "timeout",
            ],
            place,
        );
        let name = self
            .required(t, &span, "name", place)
            .and_then(|v| self.nonempty_string(v, "`notify.name`"));
        let url = match (get(t, "url"), get(t, "url_env")) {
            (Some(v), None) => self.url(v, "`notify.url`").map(NotifyUrl::Literal),
            (None, Some(v)) => self.env_name(v, "`notify.url_env`").map(NotifyUrl::Env),
            (Some(_), Some(v)) => {
                self.err(
                    v.span(),
                    format!("both `url` and `url_env` {place}; give one"),
                );
                None
            }
            (None, None) => {
                self.err_hint(
                    span.clone(),
                    format!("missing `url` {place}"),
                    Some("set `url = \"https://…\"`, or `url_env = \"NAME\"` to read it from the environment".to_string()),
                );
                None
            }
        };
        let events = self
            .required(t, &span, "events", place)
            .and_then(|v| self.strings(v, "`notify.events`"));
        let mut known = true;
        if let Some(events) = &events {
            for (event, span) in events {
                if event != "*" && !crate::ops::events::EVENT_NAMES.contains(&event.as_str()) {
                    known = false;
                    let hint =
                        suggestion_hint(event, crate::ops::events::EVENT_NAMES.iter().copied())
                            .or_else(|| {
                                Some("see the README's table of events, or `*` for all".to_string())
                            });
                    self.err_hint(span.clone(), format!("unknown event `{event}`"), hint);
                }
            }
        }
        let format = match get(t, "format") {
            Some(v) => match self.string(v, "`notify.format`")?.as_str() {
                "captain" => Some(NotifyFormat::Captain),
                "slack" => Some(NotifyFormat::Slack),
                other => {
                    let hint = suggestion_hint(other, ["captain", "slack"])
                        .or_else(|| Some("formats are: captain, slack".to_string()));
                    self.err_hint(v.span(), format!("unknown format `{other}`"), hint);
                    None
                }
            },
            None => Some(NotifyFormat::Captain),
        };
        let secret_env = match get(t, "secret_env") {
            Some(v) => self.env_name(v, "`notify.secret_env`").map(Some),
            None => Some(None),
        };
        let max_attempts = match get(t, "max_attempts") {
            Some(v) => match self.integer(v, "`notify.max_attempts`", 1000)? {
                0 => {
                    self.err(v.span(), "`notify.max_attempts` must be at least 1");
                    None
                }
                n => u32::try_from(n).ok(),
            },
            None => Some(DEFAULT_NOTIFY_ATTEMPTS),
        };
        let timeout = match get(t, "timeout") {
            Some(v) => self.duration(v, "`notify.timeout`"),
            None => Some(DEFAULT_NOTIFY_TIMEOUT),
        };
        Some(NotifyTarget {
            name: name?,
            url: url?,
            events: events?
                .into_iter()
                .map(|(e, _)| e)
                .filter(|_| known)
                .collect::<Vec<_>>(),
            format: format?,
            secret_env: secret_env?,
            max_attempts: max_attempts?,
            timeout: timeout?,
        })
        .filter(|_| known)
    }

    /// The name of an environment variable: letters, digits and `_`.
    fn env_name(&mut self, v: &Val<'_>, what: &str) -> Option<String> {
        let name = self.nonempty_string(v, what)?;
        if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
        {
            Some(name)
        } else {
            self.err_hint(
                v.span(),
                // Not echoed: it may be the secret itself, written in the wrong place.
                format!("{what} must name an environment variable"),
                Some("give the variable's name (letters, digits, `_`), not its value".to_string()),
            );
            None
        }
    }

    fn place(&self, span: &Span) -> Place {
        let (line, column) = self.sink.position(span.start);
        Place { line, column }
    }

    /// Notes where a command's program is written, for `captain validate`'s checks of the
    /// programs against the machine.
    fn written_program(&mut self, t: &DeTable<'_>, kind: CommandKind) {
        if let Some(v) = get(t, "argv")
            && let DeValue::Array(items) = v.get_ref()
            && let Some(first) = items.iter().next()
            && let DeValue::String(program) = first.get_ref()
        {
            let place = self.place(&first.span());
            self.places.programs.push(WrittenProgram {
                program: program.to_string(),
                kind,
                place,
            });
        }
    }

    fn state(&mut self, v: &Val<'_>) -> Option<String> {
        let t = self.table(v, "`state`")?;
        self.check_keys(t, &["location"], "in [state]");
        let location = get(t, "location")?;
        self.nonempty_string(location, "`state.location`")
    }

    fn alarm_source(&mut self, name: &str, v: &Val<'_>) -> Option<AlarmSource> {
        let place = format!("in [alarms.{name}]");
        let t = self.table(v, &format!("`alarms.{name}`"))?;
        let span = v.span();
        let kind = self
            .required(t, &span, "kind", &place)
            .and_then(|v| self.kind(v, &["prometheus", "alertmanager", "command"]))?;
        let kind = match kind.as_str() {
            "prometheus" => {
                self.check_keys(t, &["kind", "url", "query"], &place);
                let url = self.source_url(t, &span, "prometheus", &place);
                let query = self
                    .required(t, &span, "query", &place)
                    .and_then(|v| self.nonempty_string(v, "`query`"));
                AlarmKind::Prometheus {
                    url: url?,
                    query: query?,
                }
            }
            "alertmanager" => {
                self.check_keys(t, &["kind", "url", "alertname", "labels"], &place);
                let url = self.source_url(t, &span, "alertmanager", &place);
                let alertname = self
                    .required(t, &span, "alertname", &place)
                    .and_then(|v| self.nonempty_string(v, "`alertname`"));
                let labels = match get(t, "labels") {
                    Some(v) => self.string_map(v, "`labels`"),
                    None => Some(BTreeMap::new()),
                };
                AlarmKind::Alertmanager {
                    url: url?,
                    alertname: alertname?,
                    labels: labels?,
                }
            }
            _ => {
                self.check_keys(t, &["kind", "argv", "timeout", "env"], &place);
                let (argv, timeout, env) =
                    self.command_parts(t, &span, &place, DEFAULT_ALARM_COMMAND_TIMEOUT);
                self.written_program(t, CommandKind::Alarm);
                AlarmKind::Command {
                    argv: argv?,
                    timeout: timeout?,
                    env: env?,
                }
            }
        };
        Some(AlarmSource {
            name: name.to_string(),
            kind,
        })
    }

    fn kind(&mut self, v: &Val<'_>, kinds: &[&str]) -> Option<String> {
        let kind = self.string(v, "`kind`")?;
        if kinds.contains(&kind.as_str()) {
            Some(kind)
        } else {
            let hint = suggestion_hint(&kind, kinds.iter().copied())
                .or_else(|| Some(format!("kinds are: {}", kinds.join(", "))));
            self.err_hint(v.span(), format!("unknown kind `{kind}`"), hint);
            None
        }
    }

    /// `url`, or the pipeline's top-level `prometheus` / `alertmanager` URL.
    fn source_url(
        &mut self,
        t: &DeTable<'_>,
        span: &Span,
        service: &str,
        place: &str,
    ) -> Option<String> {
        if let Some(v) = get(t, "url") {
            return self.url(v, "`url`");
        }
        let fallback = if service == "prometheus" {
            self.prometheus.clone()
        } else {
            self.alertmanager.clone()
        };
        if fallback.is_none() {
            self.err_hint(
                span.clone(),
                format!("missing `url` {place}"),
                Some(format!(
                    "set `url` here or a top-level `{service} = \"http://…\"`"
                )),
            );
        }
        fallback
    }

    /// `argv`, `timeout` and `env` of a command (deploy, approval or alarm).
    #[allow(clippy::type_complexity)]
    fn command_parts(
        &mut self,
        t: &DeTable<'_>,
        span: &Span,
        place: &str,
        default_timeout: Duration,
    ) -> (
        Option<Vec<String>>,
        Option<Duration>,
        Option<BTreeMap<String, String>>,
    ) {
        let argv = self
            .required(t, span, "argv", place)
            .and_then(|v| self.argv(v, "`argv`"));
        let timeout = match get(t, "timeout") {
            Some(v) => self.duration(v, "`timeout`"),
            None => Some(default_timeout),
        };
        let env = match get(t, "env") {
            Some(v) => self.string_map(v, "`env`"),
            None => Some(BTreeMap::new()),
        };
        (argv, timeout, env)
    }

    fn settings(&mut self, t: &DeTable<'_>, place: &str) -> Partial {
        let mut p = Partial::default();
        if let Some(v) = get(t, "bake_time") {
            p.bake_time = self.duration(v, "`bake_time`");
        }
        if let Some(v) = get(t, "min_data_points") {
            p.min_data_points = self.data_points(v, place).map(Some);
        }
        if let Some(v) = get(t, "window") {
            p.window = self.window(v, place);
        }
        if let Some(v) = get(t, "rollback_alarm") {
            p.rollback_alarm = self.optional_alarm_expr(v, "`rollback_alarm`");
        }
        if let Some(v) = get(t, "blocker") {
            p.blocker = self.optional_alarm_expr(v, "`blocker`");
        }
        if let Some(v) = get(t, "deploy") {
            p.deploy = self.deploy(v, place);
        }
        if let Some(v) = get(t, "approvals") {
            p.approvals = self.approvals(v, place);
        }
        if let Some(v) = get(t, "auto_rollback") {
            p.auto_rollback = self.boolean(v, "`auto_rollback`");
        }
        if let Some(v) = get(t, "freezes") {
            let scope = place.strip_prefix("in ").unwrap_or(place).to_string();
            p.freezes = self.freezes(v, place, &scope);
        }
        p
    }

    /// `freezes = [{ from, to, reason }]`: date-times with an offset, or civil date-times
    /// and dates read in the pipeline's time zone (a date alone is the whole day: `from`
    /// its start, `to` its end).
    fn freezes(&mut self, v: &Val<'_>, place: &str, scope: &str) -> Option<Vec<Freeze>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err_hint(
                v.span(),
                format!(
                    "`freezes` must be an array of tables, found {}",
                    type_name(v.get_ref())
                ),
                Some(
                    "write freezes = [{ from = 2026-12-21, to = 2027-01-04, reason = \"holidays\" }]"
                        .into(),
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match self.freeze(item, place, scope) {
                Some(f) => out.push(f),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn freeze(&mut self, v: &Val<'_>, place: &str, scope: &str) -> Option<Freeze> {
        let t = self.table(v, "each freeze")?;
        let span = v.span();
        let place = format!("in a freeze {place}");
        self.check_keys(t, FREEZE_KEYS, &place);
        let from = self
            .required(t, &span, "from", &place)
            .and_then(|v| self.freeze_time(v, "`from`", false));
        let to = self
            .required(t, &span, "to", &place)
            .and_then(|v| self.freeze_time(v, "`to`", true));
        let reason = self
            .required(t, &span, "reason", &place)
            .and_then(|v| self.nonempty_string(v, "`reason` of a freeze"));
        let (from, to, reason) = (from?, to?, reason?);
        if to <= from {
            let zone = self.tz.clone();
            let shown = |t: jiff::Timestamp| {
                t.to_zoned(zone.clone())
                    .strftime("%Y-%m-%d %H:%M %Z")
                    .to_string()
            };
            self.err_hint(
                span,
                format!(
                    "the freeze `{reason}` ends ({}) before it starts ({})",
                    shown(to),
                    shown(from)
                ),
                Some(
                    "`to` must be after `from`; a date alone as `to` covers that whole day".into(),
                ),
            );
            return None;
        }
        Some(Freeze {
            from,
            to,
            reason: reason.trim().to_string(),
            scope: scope.to_string(),
        })
    }

    /// A freeze's `from` or `to`: a TOML date-time or a string in the same forms.
    fn freeze_time(&mut self, v: &Val<'_>, what: &str, end: bool) -> Option<jiff::Timestamp> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            DeValue::Datetime(d) => d.to_string(),
            other => {
                self.err(
                    v.span(),
                    format!(
                        "{what} of a freeze must be a date-time, found {}",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        match window::parse_instant(&text, &self.tz, end) {
            Ok(t) => Some(t),
            Err(message) => {
                self.err_hint(
                    v.span(),
                    format!("{what} of a freeze: {message}"),
                    Some(format!(
                        "write 2026-12-21 (a whole day), 2026-12-21T18:00 (in the pipeline's time zone, {}) or 2026-12-21T18:00:00Z",
                        self.tz_name
                    )),
                );
                None
            }
        }
    }

    fn data_points(&mut self, v: &Val<'_>, place: &str) -> Option<DataPoints> {
        let t = self.table(v, "`min_data_points`")?;
        let place = format!("in `min_data_points` {place}");
        self.check_keys(t, &["query", "count", "url"], &place);
        let span = v.span();
        let url = self.source_url(t, &span, "prometheus", &place);
        let query = self
            .required(t, &span, "query", &place)
            .and_then(|v| self.nonempty_string(v, "`query`"));
        let count = self
            .required(t, &span, "count", &place)
            .and_then(|v| self.integer(v, "`count`", u64::MAX >> 1));
        Some(DataPoints {
            url: url?,
            query: query?,
            count: count?,
        })
    }

    fn window(&mut self, v: &Val<'_>, place: &str) -> Option<Option<Window>> {
        if let DeValue::String(s) = v.get_ref() {
            if s.trim() == "always" {
                return Some(None);
            }
            self.err_hint(
                v.span(),
                format!("`window` must be a table, an array of tables or \"always\", found `{s}`"),
                Some("write window = { days = \"mon-thu\", hours = \"09:00-16:00\" }".into()),
            );
            return None;
        }
        // Several windows: the stage is open while any of them is.
        if let DeValue::Array(items) = v.get_ref() {
            if items.is_empty() {
                self.err_hint(
                    v.span(),
                    "`window` lists no window, so the stage would never open",
                    Some("write window = \"always\" for no window, or list at least one".into()),
                );
                return None;
            }
            let mut windows = Vec::new();
            let mut ok = true;
            for item in items.iter() {
                match self.window_table(item, place) {
                    Some(w) => windows.push(w),
                    None => ok = false,
                }
            }
            return ok.then(|| Window::any_of(windows));
        }
        self.window_table(v, place).map(Some)
    }

    /// One window written as a table (`{ days, hours, timezone, exclude }`).
    fn window_table(&mut self, v: &Val<'_>, place: &str) -> Option<Window> {
        let t = self.table(v, "`window`")?;
        let place = format!("in `window` {place}");
        self.check_keys(t, &["days", "hours", "timezone", "exclude"], &place);
        let mut ok = true;
        let mut days = [true; 7];
        if let Some(v) = get(t, "days") {
            match self.string(v, "`days`").map(|s| window::parse_days(&s)) {
                Some(Ok(d)) => days = d,
                Some(Err(message)) => {
                    self.err(v.span(), message);
                    ok = false;
                }
                None => ok = false,
            }
        }
        let (mut start, mut end) = (jiff::civil::Time::midnight(), None);
        if let Some(v) = get(t, "hours") {
            match self.string(v, "`hours`").map(|s| window::parse_hours(&s)) {
                Some(Ok((s, e))) => (start, end) = (s, e),
                Some(Err(message)) => {
                    self.err(v.span(), message);
                    ok = false;
                }
                None => ok = false,
            }
        }
        let (mut tz_name, mut tz) = (self.tz_name.clone(), self.tz.clone());
        if let Some(v) = get(t, "timezone") {
            match self
                .string(v, "`timezone`")
                .map(|s| (window::parse_timezone(&s), s))
            {
                Some((Ok(zone), name)) => (tz_name, tz) = (name, zone),
                Some((Err(message), _)) => {
                    self.err(v.span(), message);
                    ok = false;
                }
                None => ok = false,
            }
        }
        let mut exclude = std::collections::BTreeSet::new();
        if let Some(v) = get(t, "exclude") {
            if let DeValue::Array(items) = v.get_ref() {
                for item in items.iter() {
                    // TOML's own dates (`2026-12-25` unquoted) are accepted as well as strings.
                    let text = match item.get_ref() {
                        DeValue::String(s) => s.to_string(),
                        DeValue::Datetime(d) => d.to_string(),
                        other => {
                            self.err(
                                item.span(),
                                format!(
                                    "each excluded date must be YYYY-MM-DD, found {}",
                                    type_name(other)
                                ),
                            );
                            ok = false;
                            continue;
                        }
                    };
                    match window::parse_date(&text) {
                        Ok(date) => {
                            exclude.insert(date);
                        }
                        Err(message) => {
                            self.err(item.span(), message);
                            ok = false;
                        }
                    }
                }
            } else {
                self.err(
                    v.span(),
                    "`exclude` must be an array of dates like [\"2026-12-25\"]",
                );
                ok = false;
            }
        }
        if days == [false; 7] {
            ok = false;
        }
        ok.then(|| Window {
            days,
            start,
            end,
            timezone_name: tz_name,
            timezone: tz,
            exclude,
            also: Vec::new(),
        })
    }

    fn deploy(&mut self, v: &Val<'_>, place: &str) -> Option<DeployCommand> {
        let t = self.table(v, "`deploy`")?;
        let place = format!("in `deploy` {place}");
        self.check_keys(t, &["argv", "timeout", "env"], &place);
        let (argv, timeout, env) = self.command_parts(t, &v.span(), &place, DEFAULT_DEPLOY_TIMEOUT);
        self.written_program(t, CommandKind::Deploy);
        Some(DeployCommand {
            argv: argv?,
            timeout: timeout?,
            env: env?,
        })
    }

    fn approvals(&mut self, v: &Val<'_>, place: &str) -> Option<Vec<ApprovalStep>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v.span(),
                format!(
                    "`approvals` must be an array of tables, found {}",
                    type_name(v.get_ref())
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match self.approval(item, place) {
                Some(step) => out.push(step),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn approval(&mut self, v: &Val<'_>, place: &str) -> Option<ApprovalStep> {
        let t = self.table(v, "each approval step")?;
        let span = v.span();
        let place = format!("in an approval step {place}");
        let kinds = [
            "command",
            "http",
            "alarm",
            "prometheus",
            "alertmanager",
            "external",
        ];
        let kind = self
            .required(t, &span, "kind", &place)
            .and_then(|v| self.kind(v, &kinds))?;
        let name = match get(t, "name") {
            Some(v) => Some(self.nonempty_string(v, "`name`")?),
            None => None,
        };
        let duration = |w: &mut Self| match get(t, "duration") {
            Some(v) => w.duration(v, "`duration`"),
            None => Some(Duration::ZERO),
        };
        let (kind, default_name) = match kind.as_str() {
            "command" => {
                self.check_keys(t, &["kind", "name", "argv", "timeout", "env"], &place);
                let (argv, timeout, env) =
                    self.command_parts(t, &span, &place, DEFAULT_COMMAND_TIMEOUT);
                self.written_program(t, CommandKind::Approval);
                let argv = argv?;
                let default = argv.first().cloned().unwrap_or_default();
                (
                    ApprovalKind::Command {
                        argv,
                        timeout: timeout?,
                        env: env?,
                    },
                    default,
                )
            }
            "http" => {
                self.check_keys(t, &["kind", "name", "url", "status", "timeout"], &place);
                let url = self
                    .required(t, &span, "url", &place)
                    .and_then(|v| self.url(v, "`url`"));
                let status = match get(t, "status") {
                    Some(v) => self
                        .integer(v, "`status`", 599)
                        .and_then(|s| u16::try_from(s).ok()),
                    None => Some(200),
                };
                let timeout = match get(t, "timeout") {
                    Some(v) => self.duration(v, "`timeout`"),
                    None => Some(DEFAULT_HTTP_TIMEOUT),
                };
                let url = url?;
                (
                    ApprovalKind::Http {
                        url: url.clone(),
                        status: status?,
                        timeout: timeout?,
                    },
                    format!("GET {url}"),
                )
            }
            "alarm" => {
                self.check_keys(t, &["kind", "name", "alarm", "duration"], &place);
                let expr = self
                    .required(t, &span, "alarm", &place)
                    .and_then(|v| self.alarm_expr(v, "`alarm`"));
                let duration = duration(self);
                (
                    ApprovalKind::Alarm {
                        expr: expr?,
                        duration: duration?,
                    },
                    "alarms".to_string(),
                )
            }
            "prometheus" => {
                self.check_keys(t, &["kind", "name", "url", "query", "duration"], &place);
                let url = self.source_url(t, &span, "prometheus", &place);
                let query = self
                    .required(t, &span, "query", &place)
                    .and_then(|v| self.nonempty_string(v, "`query`"));
                let duration = duration(self);
                (
                    ApprovalKind::Prometheus {
                        url: url?,
                        query: query?,
                        duration: duration?,
                    },
                    "prometheus".to_string(),
                )
            }
            "alertmanager" => {
                self.check_keys(
                    t,
                    &["kind", "name", "url", "alertname", "labels", "duration"],
                    &place,
                );
                let url = self.source_url(t, &span, "alertmanager", &place);
                let alertname = self
                    .required(t, &span, "alertname", &place)
                    .and_then(|v| self.nonempty_string(v, "`alertname`"));
                let labels = match get(t, "labels") {
                    Some(v) => self.string_map(v, "`labels`"),
                    None => Some(BTreeMap::new()),
                };
                let duration = duration(self);
                let alertname = alertname?;
                (
                    ApprovalKind::Alertmanager {
                        url: url?,
                        alertname: alertname.clone(),
                        labels: labels?,
                        duration: duration?,
                    },
                    alertname,
                )
            }
            _ => {
                self.check_keys(
                    t,
                    &["kind", "name", "approvers", "allowed", "self_approval"],
                    &place,
                );
                let approvers = self.approvers(t, &span, &place);
                if name.is_none() {
                    self.err_hint(
                        span,
                        format!("missing `name` {place}"),
                        Some(
                            "an external approval is approved by name with `captain approve`"
                                .into(),
                        ),
                    );
                    return None;
                }
                (ApprovalKind::External(approvers?), String::new())
            }
        };
        Some(ApprovalStep {
            name: name.unwrap_or(default_name),
            kind,
        })
    }

    /// `[groups]`: each a list of people, for approvals to name as `group:NAME`.
    fn groups(&mut self, v: &Val<'_>) {
        let Some(t) = self.table(v, "`groups`") else {
            return;
        };
        for (k, v) in t.iter() {
            let group = k.get_ref().to_string();
            let what = format!("group `{group}`");
            if group.trim().is_empty() || group.contains(char::is_whitespace) {
                self.err(k.span(), format!("{what}: a group's name must be one word"));
                continue;
            }
            let Some(members) = self.strings(v, &what) else {
                continue;
            };
            if members.is_empty() {
                self.err_hint(
                    v.span(),
                    format!("{what} has nobody in it"),
                    Some(format!("list its people: {group} = [\"alice\", \"bob\"]")),
                );
                continue;
            }
            let mut people = Vec::new();
            for (member, span) in members {
                if member.starts_with(GROUP_PREFIX) {
                    self.err_hint(
                        span,
                        format!("{what} names `{member}`: a group lists people, not groups"),
                        Some("list that group's people here instead".into()),
                    );
                } else if people.contains(&member) {
                    self.err(span, format!("{what} names `{member}` twice"));
                } else {
                    people.push(member);
                }
            }
            self.groups.insert(group, people);
        }
    }

    /// `[expedite]`: bakes scaled or set per wave (names checked against `waves`), windows
    /// kept or not, and who approves an expedite (never the one who asked nor the author).
    fn expedite(&mut self, v: &Val<'_>, waves: &[RawWave]) -> Option<Expedite> {
        let t = self.table(v, "`expedite`")?;
        let place = "in [expedite]";
        self.check_keys(
            t,
            &[
                "bake_scale",
                "wave_bake",
                "keep_windows",
                "approvers",
                "allowed",
            ],
            place,
        );
        let mut ok = true;
        let bake_scale = match get(t, "bake_scale") {
            Some(v) => {
                let scale = match v.get_ref() {
                    DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
                    DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
                    _ => None,
                };
                match scale {
                    Some(s) if (0.0..=1.0).contains(&s) => s,
                    _ => {
                        self.err_hint(
                            v.span(),
                            format!("`bake_scale` {place} must be a number from 0 to 1"),
                            Some("0.25 bakes an expedited release a quarter as long".into()),
                        );
                        ok = false;
                        1.0
                    }
                }
            }
            None => 1.0,
        };
        let mut wave_bake = BTreeMap::new();
        if let Some(v) = get(t, "wave_bake")
            && let Some(table) = self.table(v, "`wave_bake`")
        {
            for (k, v) in table.iter() {
                let wave = k.get_ref().to_string();
                if !waves.iter().any(|w| w.name == wave) {
                    let hint = suggestion_hint(&wave, waves.iter().map(|w| w.name.as_str()))
                        .or_else(|| {
                            let names: Vec<&str> = waves.iter().map(|w| w.name.as_str()).collect();
                            Some(format!("the waves: {}", names.join(", ")))
                        });
                    self.err_hint(
                        k.span(),
                        format!("unknown wave `{wave}` in `wave_bake` {place}"),
                        hint,
                    );
                    ok = false;
                    continue;
                }
                match self.duration(v, &format!("`wave_bake.{wave}`")) {
                    Some(d) => {
                        wave_bake.insert(wave, d);
                    }
                    None => ok = false,
                }
            }
        }
        let keep_windows = match get(t, "keep_windows") {
            Some(v) => self.boolean(v, "`keep_windows`").unwrap_or_else(|| {
                ok = false;
                true
            }),
            None => true,
        };
        let mut approvers = self.approvers(t, &v.span(), place);
        if let Some(a) = approvers.as_mut() {
            // The one who asked and the release's author never approve an expedite.
            a.self_approval = false;
        }
        let approvers = approvers?;
        ok.then_some(Expedite {
            bake_scale,
            wave_bake,
            keep_windows,
            approvers,
        })
    }

    /// `approvers`, `allowed` and `self_approval` of a step (or an expedite) that people
    /// approve: how many distinct people, which ones, and whether the release's author or
    /// the deployment's starter counts.
    pub(crate) fn approvers(
        &mut self,
        t: &DeTable<'_>,
        span: &Span,
        place: &str,
    ) -> Option<Approvers> {
        let mut ok = true;
        let mut approvers = Approvers::default();
        if let Some(v) = get(t, "approvers") {
            match self.integer(v, "`approvers`", 100) {
                Some(0) => {
                    self.err_hint(
                        v.span(),
                        format!("`approvers` must be at least 1 {place}"),
                        Some("remove the step if nobody needs to approve".into()),
                    );
                    ok = false;
                }
                Some(n) => approvers.count = usize::try_from(n).unwrap_or(usize::MAX),
                None => ok = false,
            }
        }
        if let Some(v) = get(t, "allowed") {
            match self.strings(v, "`allowed`") {
                Some(list) if list.is_empty() => {
                    self.err_hint(
                        v.span(),
                        format!("`allowed` names nobody {place}"),
                        Some("name people or groups (\"group:NAME\"), or leave `allowed` out to let anyone approve".into()),
                    );
                    ok = false;
                }
                Some(list) => {
                    for (entry, entry_span) in list {
                        if let Some(group) = entry.strip_prefix(GROUP_PREFIX) {
                            match self.groups.get(group) {
                                Some(members) => {
                                    approvers.people.extend(members.iter().cloned());
                                }
                                None => {
                                    let hint = crate::error::did_you_mean(
                                        group,
                                        self.groups.keys().map(String::as_str),
                                    )
                                    .map(|g| format!("did you mean `group:{g}`?"))
                                    .or_else(|| {
                                        Some(format!("define it under [groups]: {group} = [\"alice\", \"bob\"]"))
                                    });
                                    self.err_hint(
                                        entry_span,
                                        format!("unknown group `{group}` in `allowed` {place}"),
                                        hint,
                                    );
                                    ok = false;
                                    continue;
                                }
                            }
                        } else {
                            approvers.people.insert(entry.clone());
                        }
                        approvers.allowed.push(entry);
                    }
                }
                None => ok = false,
            }
        }
        if let Some(v) = get(t, "self_approval") {
            match self.boolean(v, "`self_approval`") {
                Some(b) => approvers.self_approval = b,
                None => ok = false,
            }
        }
        if ok && !approvers.allowed.is_empty() && approvers.people.len() < approvers.count {
            self.err_hint(
                span.clone(),
                format!(
                    "{} approvers are needed {place}, but `allowed` names only {} {}",
                    approvers.count,
                    approvers.people.len(),
                    if approvers.people.len() == 1 {
                        "person"
                    } else {
                        "people"
                    }
                ),
                Some("lower `approvers` or allow more people".into()),
            );
            ok = false;
        }
        ok.then_some(approvers)
    }

    fn stage_list(&mut self, v: &Val<'_>, place: &str) -> Vec<RawStage> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v.span(),
                format!(
                    "`stages` must be an array of tables ({place}), found {}",
                    type_name(v.get_ref())
                ),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.stage(item, place))
            .collect()
    }

    fn stage(&mut self, v: &Val<'_>, place: &str) -> Option<RawStage> {
        let t = self.table(v, &format!("each entry of {place}"))?;
        let span = v.span();
        let known: Vec<&str> = ["name", "environments"]
            .iter()
            .chain(SETTINGS_KEYS)
            .copied()
            .collect();
        let name = self
            .required(t, &span, "name", &format!("in {place}"))
            .and_then(|v| self.nonempty_string(v, "`name`"));
        let stage_place = format!("in stage `{}`", name.as_deref().unwrap_or("?"));
        self.check_keys(t, &known, &stage_place);
        let name_span = get(t, "name").map_or(span.clone(), |v| v.span());
        let environments = match self.required(t, &span, "environments", &stage_place) {
            Some(v) => {
                let list = self.strings(v, "`environments`");
                if let Some(list) = &list
                    && list.is_empty()
                {
                    self.err(
                        v.span(),
                        format!(
                            "stage `{}` has no environments",
                            name.as_deref().unwrap_or("?")
                        ),
                    );
                    return None;
                }
                list
            }
            None => None,
        };
        let settings = self.settings(t, &stage_place);
        Some(RawStage {
            name: name?,
            span: name_span,
            environments: environments?,
            settings,
        })
    }

    fn template(&mut self, v: &Val<'_>) -> Option<RawTemplate> {
        let t = self.table(v, "`wave_template`")?;
        let span = v.span();
        self.check_keys(t, &["azs", "stages"], "in [wave_template]");
        let azs = match get(t, "azs") {
            Some(v) => self
                .strings(v, "`azs`")
                .map(|l| l.into_iter().map(|(s, _)| s).collect()),
            None => Some(Vec::new()),
        };
        let stages_value = self.required(t, &span, "stages", "in [wave_template]")?;
        let DeValue::Array(items) = stages_value.get_ref() else {
            self.err(
                stages_value.span(),
                "`stages` in [wave_template] must be an array of tables",
            );
            return None;
        };
        if items.is_empty() {
            self.err(stages_value.span(), "[wave_template] has no stages");
        }
        let known: Vec<&str> = ["name", "environment"]
            .iter()
            .chain(SETTINGS_KEYS)
            .copied()
            .collect();
        let mut stages = Vec::new();
        for item in items.iter() {
            let Some(st) = self.table(item, "each stage of [wave_template]") else {
                continue;
            };
            let place = "in a [wave_template] stage";
            self.check_keys(st, &known, place);
            let name = self
                .required(st, &item.span(), "name", place)
                .and_then(|v| self.nonempty_string(v, "`name`").map(|s| (s, v.span())));
            let env = self.required(st, &item.span(), "environment", place).and_then(|v| {
                if matches!(v.get_ref(), DeValue::Array(_)) {
                    self.err_hint(
                        v.span(),
                        "`environment` in [wave_template] is one name template, not a list",
                        Some("write it like \"prod-{region}{az}\"; it is expanded once per region".into()),
                    );
                    return None;
                }
                self.nonempty_string(v, "`environment`").map(|s| (s, v.span()))
            });
            let settings = self.settings(st, place);
            if let (Some((name, name_span)), Some((environment, environment_span))) = (name, env) {
                stages.push(RawTemplateStage {
                    name,
                    name_span,
                    environment,
                    environment_span,
                    settings,
                });
            }
        }
        Some(RawTemplate { azs: azs?, stages })
    }

    fn wave(&mut self, v: &Val<'_>) -> Option<RawWave> {
        let t = self.table(v, "each entry of [[waves]]")?;
        let span = v.span();
        let name = self
            .required(t, &span, "name", "in [[waves]]")
            .and_then(|v| self.nonempty_string(v, "`name`"));
        let place = format!("in wave `{}`", name.as_deref().unwrap_or("?"));
        let known: Vec<&str> = ["name", "regions", "azs", "stages", "wave_bake_time"]
            .iter()
            .chain(SETTINGS_KEYS)
            .copied()
            .collect();
        self.check_keys(t, &known, &place);
        let name_span = get(t, "name").map_or(span.clone(), |v| v.span());
        let regions = match get(t, "regions") {
            Some(v) => {
                let list = self.strings(v, "`regions`");
                if list.as_ref().is_some_and(Vec::is_empty) {
                    self.err(
                        v.span(),
                        format!("wave `{}` has no regions", name.as_deref().unwrap_or("?")),
                    );
                }
                list
            }
            None => Some(Vec::new()),
        };
        let azs = match get(t, "azs") {
            Some(v) => self
                .strings(v, "`azs`")
                .map(|l| Some(l.into_iter().map(|(s, _)| s).collect())),
            None => Some(None),
        };
        let stages = match get(t, "stages") {
            Some(v) => self.stage_list(
                v,
                &format!("the stages of wave `{}`", name.as_deref().unwrap_or("?")),
            ),
            None => Vec::new(),
        };
        match (get(t, "regions"), get(t, "stages")) {
            (Some(r), Some(_)) => self.err(
                r.span(),
                format!(
                    "wave `{}` has both `regions` and `stages`; use one",
                    name.as_deref().unwrap_or("?")
                ),
            ),
            (None, None) => self.err_hint(
                name_span.clone(),
                format!(
                    "wave `{}` has neither `regions` nor `stages`",
                    name.as_deref().unwrap_or("?")
                ),
                Some("list `regions` to expand through [wave_template], or its `stages`".into()),
            ),
            _ => {}
        }
        let settings = self.settings(t, &place);
        let wave_bake_time = match get(t, "wave_bake_time") {
            Some(v) => Some(self.duration(v, "`wave_bake_time`")?),
            None => None,
        };
        Some(RawWave {
            name: name?,
            span: name_span,
            wave_bake_time,
            regions: regions?,
            azs: azs?,
            stages,
            settings,
        })
    }
}

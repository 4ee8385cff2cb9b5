//! The observed state of alarms: one named source (`[alarms.NAME]`: Prometheus query,
//! Alertmanager alert, or command), an alarm expression over several, and the data-point
//! count that a bake waits for.
//!
//! This module observes and reports; what an ALARM means (a blocker, a rollback) is the
//! engine's to decide. A source that cannot be read is [`AlarmState::Unknown`] with the
//! reason — never OK by default, never a panic.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::deploy::command_spec;
use super::process::{RunOutcome, run};
use super::{alertmanager, prometheus};
use crate::config::{AlarmExpr, AlarmKind, AlarmSource, DataPoints};
use crate::error::{Error, Result};

/// An alarm's state at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    /// In ALARM, with what showed it (the series or alerts found, the command's exit).
    Alarm(String),
    /// Could not be observed, and why (a service unreachable, bad JSON, a command timeout).
    Unknown(String),
}

impl AlarmState {
    pub fn is_alarm(&self) -> bool {
        matches!(self, AlarmState::Alarm(_))
    }

    /// `"OK"`, `"ALARM"` or `"UNKNOWN"`, as status views write them.
    pub fn label(&self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm(_) => "ALARM",
            AlarmState::Unknown(_) => "UNKNOWN",
        }
    }
}

/// Settings shared by every check of one pass: how long an HTTP request may take (the
/// sources themselves have none) and where commands run.
#[derive(Clone, Debug)]
pub struct Probes {
    pub http_timeout: Duration,
    /// Working directory for alarm and approval commands; `None`: captain's own.
    pub cwd: Option<PathBuf>,
}

impl Default for Probes {
    fn default() -> Probes {
        Probes {
            // The same default as an `http` approval step's timeout in the configuration.
            http_timeout: Duration::from_secs(10),
            cwd: None,
        }
    }
}

/// The state of one alarm source now.
///
/// - Prometheus: ALARM when the query returns at least one sample with a non-zero value.
/// - Alertmanager: ALARM when at least one matching alert is active (not silenced).
/// - Command: exit 0 is OK, exit 1 is ALARM, anything else (another code, a signal, a
///   timeout, a program that cannot start) is UNKNOWN.
pub fn alarm_state(source: &AlarmSource, probes: &Probes) -> AlarmState {
    match &source.kind {
        AlarmKind::Prometheus { url, query } => prometheus_state(url, query, probes.http_timeout),
        AlarmKind::Alertmanager {
            url,
            alertname,
            labels,
        } => alertmanager_state(url, alertname, labels, probes.http_timeout),
        AlarmKind::Command { argv, timeout, env } => {
            let spec = command_spec(argv, env, *timeout, None, None, probes.cwd.clone());
            command_state(&spec)
        }
    }
}

pub(crate) fn prometheus_state(url: &str, query: &str, timeout: Duration) -> AlarmState {
    let result = match prometheus::query(url, query, timeout) {
        Ok(result) => result,
        Err(reason) => return AlarmState::Unknown(reason),
    };
    match prometheus::alarming(&result) {
        Ok(samples) if samples.is_empty() => AlarmState::Ok,
        Ok(samples) => {
            let shown: Vec<String> = samples
                .iter()
                .take(3)
                .map(|s| {
                    let labels: Vec<String> = s
                        .labels
                        .iter()
                        .map(|(k, v)| format!("{k}=\"{v}\""))
                        .collect();
                    format!("{{{}}} = {}", labels.join(","), s.value)
                })
                .collect();
            let more = if samples.len() > 3 {
                format!(" and {} more", samples.len() - 3)
            } else {
                String::new()
            };
            AlarmState::Alarm(format!(
                "`{query}` returned {} non-zero: {}{more}",
                plural(samples.len(), "series", "series"),
                shown.join(", ")
            ))
        }
        Err(what) => AlarmState::Unknown(format!(
            "Prometheus at {url} answered the query `{query}` oddly: {what}"
        )),
    }
}

pub(crate) fn alertmanager_state(
    url: &str,
    alertname: &str,
    labels: &BTreeMap<String, String>,
    timeout: Duration,
) -> AlarmState {
    match alertmanager::firing_alerts(url, alertname, labels, timeout) {
        Ok(alerts) if alerts.is_empty() => AlarmState::Ok,
        Ok(alerts) => AlarmState::Alarm(format!(
            "{} named `{alertname}` firing at {url}",
            plural(alerts.len(), "alert", "alerts")
        )),
        Err(reason) => AlarmState::Unknown(reason),
    }
}

fn command_state(spec: &super::CommandSpec) -> AlarmState {
    // Keep the last lines only: enough to say why, without holding a chatty command's
    // whole output.
    let mut tail: Vec<String> = Vec::new();
    let outcome = run(spec, &mut |line| {
        if line.stream != "captain" {
            tail.push(line.text);
            if tail.len() > 3 {
                tail.remove(0);
            }
        }
    });
    let shown = spec.argv.join(" ");
    let said = match tail.last() {
        Some(last) => format!(": {last}"),
        None => String::new(),
    };
    match outcome {
        RunOutcome::Succeeded => AlarmState::Ok,
        RunOutcome::Failed { code: Some(1), .. } => {
            AlarmState::Alarm(format!("`{shown}` exited with status 1{said}"))
        }
        RunOutcome::FailedToStart { message } => AlarmState::Unknown(message),
        other => AlarmState::Unknown(format!("`{shown}` {}{said}", other.describe())),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// An alarm expression in three-valued logic: `OR` is ALARM if either side is, OK if both
/// are; `AND` is OK if either side is, ALARM if both are; `NOT` swaps; anything else is
/// UNKNOWN. Pure: `lookup` gives each named alarm's observed state.
pub fn evaluate(expr: &AlarmExpr, lookup: &dyn Fn(&str) -> AlarmState) -> AlarmState {
    match expr {
        AlarmExpr::Alarm(name) => match lookup(name) {
            AlarmState::Alarm(why) => AlarmState::Alarm(format!("ALARM(\"{name}\"): {why}")),
            AlarmState::Unknown(why) => {
                AlarmState::Unknown(format!("ALARM(\"{name}\") is unknown: {why}"))
            }
            AlarmState::Ok => AlarmState::Ok,
        },
        AlarmExpr::Not(inner) => match evaluate(inner, lookup) {
            AlarmState::Ok => AlarmState::Alarm(format!("{expr}: the inner expression is OK")),
            AlarmState::Alarm(_) => AlarmState::Ok,
            unknown => unknown,
        },
        AlarmExpr::Or(a, b) => match (evaluate(a, lookup), evaluate(b, lookup)) {
            (alarm @ AlarmState::Alarm(_), _) | (_, alarm @ AlarmState::Alarm(_)) => alarm,
            (AlarmState::Ok, AlarmState::Ok) => AlarmState::Ok,
            (unknown @ AlarmState::Unknown(_), _) | (_, unknown) => unknown,
        },
        AlarmExpr::And(a, b) => match (evaluate(a, lookup), evaluate(b, lookup)) {
            (AlarmState::Ok, _) | (_, AlarmState::Ok) => AlarmState::Ok,
            (AlarmState::Alarm(x), AlarmState::Alarm(y)) => AlarmState::Alarm(format!("{x}; {y}")),
            (unknown @ AlarmState::Unknown(_), _) | (_, unknown) => unknown,
        },
    }
}

/// The states of the named alarms, each observed once (for the engine's "observed
/// signals"). A name without a source is UNKNOWN.
pub fn alarm_states<'a>(
    names: impl IntoIterator<Item = &'a str>,
    alarms: &BTreeMap<String, AlarmSource>,
    probes: &Probes,
) -> BTreeMap<String, AlarmState> {
    names
        .into_iter()
        .map(|name| {
            let state = match alarms.get(name) {
                Some(source) => alarm_state(source, probes),
                None => AlarmState::Unknown(format!("there is no alarm named `{name}`")),
            };
            (name.to_string(), state)
        })
        .collect()
}

/// Observes every alarm `expr` names and evaluates it.
pub fn expression_state(
    expr: &AlarmExpr,
    alarms: &BTreeMap<String, AlarmSource>,
    probes: &Probes,
) -> AlarmState {
    let states = alarm_states(expr.names(), alarms, probes);
    evaluate(expr, &|name| {
        states
            .get(name)
            .cloned()
            .unwrap_or_else(|| AlarmState::Unknown(format!("`{name}` was not observed")))
    })
}

/// The number of data points a bake waits for, from its Prometheus query: the sum of the
/// returned vector, or the scalar. A failure names the URL and the query.
pub fn data_points(points: &DataPoints, probes: &Probes) -> Result<u64> {
    let result = prometheus::query(&points.url, &points.query, probes.http_timeout)
        .map_err(Error::failed)?;
    prometheus::number(&result).map_err(|what| {
        Error::failed(format!(
            "Prometheus at {} answered the data-point query `{}` oddly: {what}",
            points.url, points.query
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;

    fn eval(text: &str, alarm: &[&str], unknown: &[&str]) -> &'static str {
        let expr = AlarmExpr::parse(text).unwrap();
        evaluate(&expr, &|name| {
            if alarm.contains(&name) {
                AlarmState::Alarm("x".into())
            } else if unknown.contains(&name) {
                AlarmState::Unknown("y".into())
            } else {
                AlarmState::Ok
            }
        })
        .label()
    }

    #[test]
    fn three_valued_logic() {
        let or = r#"ALARM("A") OR ALARM("B")"#;
        assert_eq!(eval(or, &[], &[]), "OK");
        assert_eq!(eval(or, &["A"], &["B"]), "ALARM");
        assert_eq!(eval(or, &[], &["B"]), "UNKNOWN");
        let and = r#"ALARM("A") AND ALARM("B")"#;
        assert_eq!(eval(and, &["A", "B"], &[]), "ALARM");
        assert_eq!(eval(and, &["A"], &[]), "OK");
        assert_eq!(eval(and, &[], &["B"]), "OK");
        assert_eq!(eval(and, &["A"], &["B"]), "UNKNOWN");
        assert_eq!(eval(r#"NOT ALARM("A")"#, &[], &[]), "ALARM");
        assert_eq!(eval(r#"NOT ALARM("A")"#, &[], &["A"]), "UNKNOWN");
    }

    #[test]
    fn alarm_reason_names_the_alarm() {
        let expr = AlarmExpr::parse(r#"ALARM("Latency")"#).unwrap();
        let state = evaluate(&expr, &|_| AlarmState::Alarm("p99 high".into()));
        assert_eq!(
            state,
            AlarmState::Alarm("ALARM(\"Latency\"): p99 high".into())
        );
    }

    #[test]
    fn unknown_names_are_unknown() {
        let states = alarm_states(["Nope"], &BTreeMap::new(), &Probes::default());
        assert!(matches!(states["Nope"], AlarmState::Unknown(_)));
    }
}

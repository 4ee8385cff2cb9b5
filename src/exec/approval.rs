//! One approval step, checked once: a command, an HTTP probe, a Prometheus query, an
//! Alertmanager alert, or an alarm expression.
//!
//! Steps with a `duration` ("stays out of ALARM for 10 minutes") are the engine's to repeat
//! over time: each call here is one observation. For those the engine can take the raw
//! [`AlarmState`] from [`step_alarm_state`] and decide itself what an UNKNOWN means;
//! [`run_approval_step`] counts UNKNOWN as a failure. An `external` step is not run at all.

use std::collections::BTreeMap;

use super::alarm::{self, AlarmState, Probes, expression_state};
use super::deploy::{CaptainVars, command_spec};
use super::http;
use super::process::{CommandSpec, run};
use crate::config::{AlarmSource, ApprovalKind, ApprovalStep, Environment};
use crate::model::Timestamp;
use crate::store::LogLine;

/// What a step needs besides itself.
#[derive(Clone, Copy, Debug)]
pub struct StepContext<'a> {
    /// The environment the step checks, if it checks one: its placeholders (`{environment}`,
    /// `{region}`, …) are filled into commands, URLs, queries and label values.
    pub environment: Option<&'a Environment>,
    /// The `CAPTAIN_*` variables for a command step.
    pub vars: Option<&'a CaptainVars>,
    /// The pipeline's `[alarms]`, for `alarm` steps.
    pub alarms: &'a BTreeMap<String, AlarmSource>,
    pub probes: &'a Probes,
}

/// The result of checking a step once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    Passed,
    /// Why, in one sentence naming the command or URL.
    Failed(String),
    /// An `external` step: nothing to run; it passes or fails by `captain approve` /
    /// `captain reject`.
    AwaitingApproval,
}

impl StepContext<'_> {
    fn render(&self, text: &str) -> String {
        match self.environment {
            Some(environment) => environment.render(text),
            None => text.to_string(),
        }
    }
}

/// The command of a `command` step, ready to run — for a caller that wants to spawn it
/// itself (to cancel it, or to run several at once). `None` for other kinds.
pub fn step_spec(step: &ApprovalStep, ctx: &StepContext<'_>) -> Option<CommandSpec> {
    match &step.kind {
        ApprovalKind::Command { argv, timeout, env } => Some(command_spec(
            argv,
            env,
            *timeout,
            ctx.environment,
            ctx.vars,
            ctx.probes.cwd.clone(),
        )),
        _ => None,
    }
}

/// The alarm state a `prometheus`, `alertmanager` or `alarm` step observes now; `None`
/// for the other kinds.
pub fn step_alarm_state(step: &ApprovalStep, ctx: &StepContext<'_>) -> Option<AlarmState> {
    let timeout = ctx.probes.http_timeout;
    match &step.kind {
        ApprovalKind::Prometheus { url, query, .. } => Some(alarm::prometheus_state(
            &ctx.render(url),
            &ctx.render(query),
            timeout,
        )),
        ApprovalKind::Alertmanager {
            url,
            alertname,
            labels,
            ..
        } => {
            let labels = labels
                .iter()
                .map(|(k, v)| (k.clone(), ctx.render(v)))
                .collect();
            Some(alarm::alertmanager_state(
                &ctx.render(url),
                &ctx.render(alertname),
                &labels,
                timeout,
            ))
        }
        ApprovalKind::Alarm { expr, .. } => Some(expression_state(expr, ctx.alarms, ctx.probes)),
        ApprovalKind::Command { .. } | ApprovalKind::Http { .. } | ApprovalKind::External(_) => {
            None
        }
    }
}

/// Checks `step` once. A command's output, and a line saying how each step went, go to
/// `sink` (for the deployment's log).
pub fn run_approval_step(
    step: &ApprovalStep,
    ctx: &StepContext<'_>,
    sink: &mut dyn FnMut(LogLine),
) -> StepResult {
    let result = check(step, ctx, sink);
    let text = match &result {
        StepResult::Passed => format!(
            "captain: approval step `{}` ({}) passed",
            step.name,
            step.kind.kind_name()
        ),
        StepResult::Failed(why) => format!(
            "captain: approval step `{}` ({}) failed: {why}",
            step.name,
            step.kind.kind_name()
        ),
        StepResult::AwaitingApproval => format!(
            "captain: approval step `{}` waits for `captain approve` or `captain reject`",
            step.name
        ),
    };
    sink(LogLine {
        at: Timestamp::now(),
        stream: "captain".to_string(),
        text,
    });
    result
}

fn check(step: &ApprovalStep, ctx: &StepContext<'_>, sink: &mut dyn FnMut(LogLine)) -> StepResult {
    if let Some(spec) = step_spec(step, ctx) {
        let outcome = run(&spec, sink);
        return if outcome.is_success() {
            StepResult::Passed
        } else {
            StepResult::Failed(format!("`{}` {}", spec.argv.join(" "), outcome.describe()))
        };
    }
    if let Some(state) = step_alarm_state(step, ctx) {
        return match state {
            AlarmState::Ok => StepResult::Passed,
            AlarmState::Alarm(why) => StepResult::Failed(format!("in ALARM: {why}")),
            AlarmState::Unknown(why) => StepResult::Failed(format!("could not check: {why}")),
        };
    }
    match &step.kind {
        ApprovalKind::Http {
            url,
            status,
            timeout,
        } => match http::probe(&ctx.render(url), *status, *timeout) {
            Ok(()) => StepResult::Passed,
            Err(why) => StepResult::Failed(why),
        },
        ApprovalKind::External(_) => StepResult::AwaitingApproval,
        // Handled above; kept exhaustive so a new kind is a compile error here.
        ApprovalKind::Command { .. }
        | ApprovalKind::Prometheus { .. }
        | ApprovalKind::Alertmanager { .. }
        | ApprovalKind::Alarm { .. } => StepResult::Failed(format!(
            "approval step `{}` could not be checked",
            step.name
        )),
    }
}

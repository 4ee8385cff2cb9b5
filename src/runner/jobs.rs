//! The executors one loop runs for approval steps: a command as a child process, an HTTP
//! probe on a thread, an alarm watched over the step's duration, or an external step
//! waiting for `captain approve` (whose verdict arrives through the ledger).

use std::sync::mpsc::{self, Receiver, TryRecvError};

use crate::config::{ApprovalKind, ApprovalStep, Stage};
use crate::engine::StepResult;
use crate::exec::{self, Running, StepContext};
use crate::model::Timestamp;
use crate::store::{LogLine, ProcessRecord};

/// A deploy command this loop runs.
pub struct DeployJob {
    pub running: Running,
}

pub enum StepJob {
    Process {
        step: usize,
        name: String,
        running: Running,
    },
    Thread {
        step: usize,
        name: String,
        answer: Receiver<(exec::StepResult, Vec<LogLine>)>,
    },
    Watch {
        step: usize,
        began: Timestamp,
    },
    External,
}

pub enum StepPoll {
    Waiting,
    Done {
        step: usize,
        result: StepResult,
        text: String,
    },
}

impl StepJob {
    /// Starts step number `step`.
    pub fn start(
        step: usize,
        approval: &ApprovalStep,
        ctx: &StepContext<'_>,
        now: Timestamp,
    ) -> Result<StepJob, String> {
        if let Some(spec) = exec::step_spec(approval, ctx) {
            let running = Running::spawn(&spec).map_err(|e| e.message)?;
            return Ok(StepJob::Process {
                step,
                name: approval.name.clone(),
                running,
            });
        }
        match &approval.kind {
            ApprovalKind::External(_) => Ok(StepJob::External),
            ApprovalKind::Http { .. } => {
                let (tx, answer) = mpsc::channel();
                let name = approval.name.clone();
                let approval = approval.clone();
                let environment = ctx.environment.cloned();
                let alarms = ctx.alarms.clone();
                let probes = ctx.probes.clone();
                std::thread::Builder::new()
                    .name(format!("step-{name}"))
                    .spawn(move || {
                        let ctx = StepContext {
                            environment: environment.as_ref(),
                            vars: None,
                            alarms: &alarms,
                            probes: &probes,
                        };
                        let mut lines = Vec::new();
                        let result =
                            exec::run_approval_step(&approval, &ctx, &mut |l| lines.push(l));
                        let _ = tx.send((result, lines));
                    })
                    .map_err(|e| format!("could not start a thread: {e}"))?;
                Ok(StepJob::Thread { step, name, answer })
            }
            _ => Ok(StepJob::Watch { step, began: now }),
        }
    }

    /// Counts as a command to wait for before `--once` exits.
    pub fn is_process(&self) -> bool {
        matches!(self, StepJob::Process { .. } | StepJob::Thread { .. })
    }

    pub fn process(&self) -> Option<ProcessRecord> {
        match self {
            StepJob::Process { running, .. } => Some(ProcessRecord {
                pid: running.pid(),
                start_time: running.start_time(),
            }),
            _ => None,
        }
    }

    pub fn cancel(&self) {
        if let StepJob::Process { running, .. } = self {
            running.cancel();
        }
    }

    pub fn poll(
        &mut self,
        stage: &Stage,
        ctx: &StepContext<'_>,
        now: Timestamp,
        sink: &mut dyn FnMut(LogLine),
    ) -> StepPoll {
        match self {
            StepJob::Process {
                step,
                name,
                running,
            } => match running.poll(sink) {
                None => StepPoll::Waiting,
                Some(outcome) => StepPoll::Done {
                    step: *step,
                    result: if outcome.is_success() {
                        StepResult::Passed
                    } else {
                        StepResult::Failed
                    },
                    text: format!("approval step `{name}`: the command {}", outcome.describe()),
                },
            },
            StepJob::Thread { step, name, answer } => match answer.try_recv() {
                Ok((result, lines)) => {
                    for line in lines {
                        sink(line);
                    }
                    let (result, text) = match result {
                        exec::StepResult::Passed => {
                            (StepResult::Passed, format!("approval step `{name}` passed"))
                        }
                        exec::StepResult::Failed(why) => (
                            StepResult::Failed,
                            format!("approval step `{name}` failed: {why}"),
                        ),
                        exec::StepResult::AwaitingApproval => return StepPoll::Waiting,
                    };
                    StepPoll::Done {
                        step: *step,
                        result,
                        text,
                    }
                }
                Err(TryRecvError::Empty) => StepPoll::Waiting,
                Err(TryRecvError::Disconnected) => StepPoll::Done {
                    step: *step,
                    result: StepResult::Failed,
                    text: "the approval step's thread ended without an answer".to_string(),
                },
            },
            StepJob::Watch { step, began } => {
                let Some(approval) = stage.settings.approvals.get(*step) else {
                    return StepPoll::Waiting;
                };
                let duration = match &approval.kind {
                    ApprovalKind::Alarm { duration, .. }
                    | ApprovalKind::Prometheus { duration, .. }
                    | ApprovalKind::Alertmanager { duration, .. } => *duration,
                    _ => std::time::Duration::ZERO,
                };
                let Some(state) = exec::step_alarm_state(approval, ctx) else {
                    return StepPoll::Waiting;
                };
                let elapsed = now.duration_since(*began).unsigned_abs();
                let name = &approval.name;
                match state {
                    exec::AlarmState::Alarm(why) => StepPoll::Done {
                        step: *step,
                        result: StepResult::Failed,
                        text: format!("approval step `{name}` failed: in ALARM: {why}"),
                    },
                    exec::AlarmState::Ok if elapsed >= duration => StepPoll::Done {
                        step: *step,
                        result: StepResult::Passed,
                        text: format!("approval step `{name}` passed"),
                    },
                    exec::AlarmState::Unknown(why) if elapsed >= duration => StepPoll::Done {
                        step: *step,
                        result: StepResult::Failed,
                        text: format!("approval step `{name}` failed: could not check: {why}"),
                    },
                    _ => StepPoll::Waiting,
                }
            }
            StepJob::External => StepPoll::Waiting,
        }
    }
}

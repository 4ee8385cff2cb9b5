//! The executors: the side effects that the engine decides on. Deploy commands run as child
//! processes with captured output; approval steps and alarm sources are checked against
//! commands, HTTP endpoints, Prometheus and Alertmanager.
//!
//! This room does the work and reports what happened; it decides nothing. Which release to
//! deploy where, when a stage is approved, what an alarm means for a release — that is the
//! engine's. Nothing here reads or writes the ledger either: output lines go to a sink the
//! caller provides (normally batched into [`crate::store::Store::append_log`]).
//!
//! - [`process`]: run one argv command in its own process group, with a timeout, output
//!   captured line by line, cancellation that kills the whole process tree, and
//!   [`process::process_alive`] for a restarted `captain run` to recognise its children.
//! - [`reaper`]: the helper process that kills a loop's commands when the loop dies.
//! - [`deploy`]: a deploy command made concrete for one environment and release, with the
//!   `CAPTAIN_*` variables of SPEC §2.
//! - [`http`]: HTTP probes; [`prometheus`] and [`alertmanager`]: the two alarm services.
//! - [`alarm`]: the state of a named alarm source and of an alarm expression.
//! - [`approval`]: one approval step, run once.

pub mod alarm;
pub mod alertmanager;
pub mod approval;
pub mod deploy;
pub mod http;
pub mod process;
pub mod prometheus;
pub mod reaper;

pub use alarm::{
    AlarmState, Probes, alarm_state, alarm_states, data_points, evaluate, expression_state,
};
pub use approval::{StepContext, StepResult, run_approval_step, step_alarm_state, step_spec};
pub use deploy::{CaptainVars, artifact_var, command_spec, deploy_spec};
pub use process::{
    CancelHandle, CommandSpec, RunOutcome, Running, SPAWN_MARK_VAR, kill_groups_marked_with,
    kill_marked_groups, kill_process_tree, process_alive, process_start_time, run,
};

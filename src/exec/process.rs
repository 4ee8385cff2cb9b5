//! One argv command as a child process: no shell, its own process group, a timeout, stdout
//! and stderr captured line by line with the time each line was read, and cancellation that
//! kills the child together with everything it started.
//!
//! [`Running`] has a non-blocking [`Running::poll`] for a loop that drives many jobs at once
//! and a blocking [`Running::wait`] for a thread per job; [`run`] is spawn + wait. A
//! [`CancelHandle`] can be sent to another thread. [`process_alive`] lets a restarted
//! `captain run` tell whether a process it recorded (pid + start time) is still the same
//! process, so a recycled pid is not mistaken for it.
//!
//! This module knows nothing about deployments or the ledger: the sink receives
//! [`LogLine`]s and the caller decides where they go.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::store::LogLine;

/// A line longer than this is split, so a program printing megabytes without a newline
/// cannot make captain hold it all in one string.
const MAX_LINE: usize = 16 * 1024;
/// How long a blocking wait sleeps between checks of the child when no output arrives.
const POLL_INTERVAL: Duration = Duration::from_millis(25);
/// After the child exits, how long to keep reading output still in its pipes. A
/// background process it left behind may hold them open forever; we stop reading then.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// What to run: a program and its arguments (no shell), extra environment variables
/// (added to captain's own), a time limit and a working directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSpec {
    pub argv: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    /// `None`: captain's own working directory.
    pub cwd: Option<PathBuf>,
}

impl CommandSpec {
    pub fn new(argv: Vec<String>, timeout: Duration) -> CommandSpec {
        CommandSpec {
            argv,
            env: BTreeMap::new(),
            timeout,
            cwd: None,
        }
    }

    /// The program, as written, for messages.
    pub fn program(&self) -> &str {
        self.argv.first().map(String::as_str).unwrap_or("")
    }
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Exit status 0.
    Succeeded,
    /// A non-zero exit `code`, or killed by `signal` from outside captain.
    Failed {
        code: Option<i32>,
        signal: Option<i32>,
    },
    /// Still running after its timeout; it and its descendants were killed.
    TimedOut { after: Duration },
    /// Cancelled through a [`CancelHandle`]; it and its descendants were killed.
    Cancelled,
    /// It never ran: a missing program, a program that is not executable, an empty argv.
    FailedToStart { message: String },
}

impl RunOutcome {
    pub fn is_success(&self) -> bool {
        matches!(self, RunOutcome::Succeeded)
    }

    /// A short phrase for logs and failure reasons ("exited with status 3").
    pub fn describe(&self) -> String {
        match self {
            RunOutcome::Succeeded => "exited with status 0".to_string(),
            RunOutcome::Failed {
                code: Some(code), ..
            } => format!("exited with status {code}"),
            RunOutcome::Failed {
                signal: Some(signal),
                ..
            } => format!("was killed by signal {signal}"),
            RunOutcome::Failed { .. } => "failed".to_string(),
            RunOutcome::TimedOut { after } => format!(
                "timed out after {} and was killed",
                humantime::format_duration(*after)
            ),
            RunOutcome::Cancelled => "was cancelled and killed".to_string(),
            RunOutcome::FailedToStart { message } => message.clone(),
        }
    }
}

/// Cancels a running command from any thread: kills its whole process group. Cheap to
/// clone; cancelling a finished command does nothing.
#[derive(Clone, Debug)]
pub struct CancelHandle {
    inner: Arc<CancelState>,
}

#[derive(Debug)]
struct CancelState {
    pgid: i32,
    cancelled: AtomicBool,
    finished: AtomicBool,
}

impl CancelHandle {
    pub fn cancel(&self) {
        if self.inner.finished.load(Ordering::SeqCst) {
            return;
        }
        self.inner.cancelled.store(true, Ordering::SeqCst);
        kill_group(self.inner.pgid);
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }
}

/// SIGKILL to a process group. Errors (the group is already gone) are ignored: the goal
/// is that nothing of it runs afterwards, and that already holds.
fn kill_group(pgid: i32) {
    if pgid > 1 {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}

/// A started command. Drive it with [`Running::poll`] or [`Running::wait`]; dropping it
/// before it finished kills its process tree, so no deploy runs on unobserved.
#[derive(Debug)]
pub struct Running {
    program: String,
    child: Child,
    pid: u32,
    start_time: Option<u64>,
    started_at: Timestamp,
    started: Instant,
    timeout: Duration,
    lines: Receiver<LogLine>,
    readers_done: bool,
    cancel: CancelHandle,
    timed_out: bool,
    /// The exit status, once seen, and when; output may still be draining.
    exited: Option<(ExitStatus, Instant)>,
    outcome: Option<RunOutcome>,
}

impl Running {
    /// Starts `spec` in a new process group with stdin closed and stdout/stderr piped. A
    /// program that cannot be started is an error naming it (see [`run`] for the same as a
    /// [`RunOutcome::FailedToStart`]).
    pub fn spawn(spec: &CommandSpec) -> Result<Running> {
        let Some((program, args)) = spec.argv.split_first() else {
            return Err(Error::usage(
                "the command is empty: give a program and its arguments",
            ));
        };
        if program.is_empty() {
            return Err(Error::usage("the command's program name is empty"));
        }
        if let Some(cwd) = spec.cwd.as_ref().filter(|cwd| !cwd.is_dir()) {
            return Err(Error::not_found(format!(
                "could not start `{program}`: its working directory `{}` does not exist",
                cwd.display()
            )));
        }
        let mut command = Command::new(program);
        command
            .args(args)
            .envs(&spec.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so cancelling or a timeout can kill every descendant at once
            // with one signal to the group, and a terminal's Ctrl-C aimed at captain does
            // not reach the deploy behind captain's back.
            .process_group(0);
        if let Some(cwd) = &spec.cwd {
            command.current_dir(cwd);
        }
        let mut child = command
            .spawn()
            .map_err(|e| start_error(program, &spec.argv, e))?;
        let pid = child.id();
        super::reaper::register(pid);
        let started_at = Timestamp::now();
        let start_time = process_start_time(pid);
        let cancel = CancelHandle {
            inner: Arc::new(CancelState {
                pgid: i32::try_from(pid).unwrap_or(0),
                cancelled: AtomicBool::new(false),
                finished: AtomicBool::new(false),
            }),
        };
        let (tx, lines) = mpsc::channel();
        let mut pumps = Vec::new();
        if let Some(out) = child.stdout.take() {
            pumps.push(start_pump(out, "stdout", tx.clone()));
        }
        if let Some(err) = child.stderr.take() {
            pumps.push(start_pump(err, "stderr", tx));
        }
        if let Some(Err(e)) = pumps.into_iter().find(|p| p.is_err()) {
            kill_group(cancel.inner.pgid);
            let _ = child.wait();
            return Err(Error::internal(format!(
                "could not start a thread to read the output of `{program}`: {e}"
            )));
        }
        Ok(Running {
            program: program.clone(),
            child,
            pid,
            start_time,
            started_at,
            started: Instant::now(),
            timeout: spec.timeout,
            lines,
            readers_done: false,
            cancel,
            timed_out: false,
            exited: None,
            outcome: None,
        })
    }

    /// The child's process id; also its process group id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// When it was started (wall clock), for the ledger.
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }

    /// The kernel's start time of the process (clock ticks since boot, from
    /// `/proc/PID/stat`), to record with the pid for [`process_alive`]. `None` where there
    /// is no `/proc`.
    pub fn start_time(&self) -> Option<u64> {
        self.start_time
    }

    /// The program as written in the command.
    pub fn program(&self) -> &str {
        &self.program
    }

    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Passes the output read so far to `sink`, enforces the timeout, and returns the
    /// outcome once the command has finished (and its output is drained). Never blocks for
    /// long: at most the moment a killed child takes to be reaped.
    pub fn poll(&mut self, sink: &mut dyn FnMut(LogLine)) -> Option<RunOutcome> {
        self.drain(sink);
        if let Some(outcome) = &self.outcome {
            return Some(outcome.clone());
        }
        if self.exited.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.exited = Some((status, Instant::now())),
                Ok(None) if self.started.elapsed() >= self.timeout => {
                    self.timed_out = true;
                    kill_group(self.cancel.inner.pgid);
                    sink(note(format!(
                        "captain: `{}` timed out after {}; killed it and its child processes",
                        self.program,
                        humantime::format_duration(self.timeout)
                    )));
                    self.reap();
                }
                Ok(None) => {}
                Err(e) => {
                    sink(note(format!(
                        "captain: could not check on `{}` ({e}); killed it",
                        self.program
                    )));
                    kill_group(self.cancel.inner.pgid);
                    self.reap();
                }
            }
        }
        let (status, at) = self.exited?;
        if !self.readers_done && at.elapsed() < DRAIN_GRACE {
            return None;
        }
        if !self.readers_done {
            sink(note(format!(
                "captain: `{}` exited but a process it started still holds its output open; \
                 no longer capturing it",
                self.program
            )));
        }
        let outcome = self.outcome_of(status);
        if self.cancel.is_cancelled() && outcome == RunOutcome::Cancelled {
            sink(note(format!(
                "captain: `{}` was cancelled; killed it and its child processes",
                self.program
            )));
        }
        self.cancel.inner.finished.store(true, Ordering::SeqCst);
        self.outcome = Some(outcome.clone());
        Some(outcome)
    }

    /// Blocks until the command finished, passing output to `sink` as it arrives.
    pub fn wait(&mut self, sink: &mut dyn FnMut(LogLine)) -> RunOutcome {
        loop {
            if let Some(outcome) = self.poll(sink) {
                return outcome;
            }
            if self.readers_done {
                std::thread::sleep(POLL_INTERVAL);
                continue;
            }
            // Sleeping on the channel hands lines over the moment they are read.
            match self.lines.recv_timeout(POLL_INTERVAL) {
                Ok(line) => sink(line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.readers_done = true,
            }
        }
    }

    fn drain(&mut self, sink: &mut dyn FnMut(LogLine)) {
        while !self.readers_done {
            match self.lines.try_recv() {
                Ok(line) => sink(line),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => self.readers_done = true,
            }
        }
    }

    /// Waits for a child that was just sent SIGKILL.
    fn reap(&mut self) {
        let status = self
            .child
            .wait()
            .unwrap_or_else(|_| ExitStatus::from_raw(Signal::SIGKILL as i32));
        self.exited = Some((status, Instant::now()));
    }

    fn outcome_of(&self, status: ExitStatus) -> RunOutcome {
        if status.success() {
            RunOutcome::Succeeded
        } else if self.timed_out {
            RunOutcome::TimedOut {
                after: self.timeout,
            }
        } else if self.cancel.is_cancelled() {
            RunOutcome::Cancelled
        } else {
            RunOutcome::Failed {
                code: status.code(),
                signal: status.signal(),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.exited.is_none() {
            kill_group(self.cancel.inner.pgid);
            let _ = self.child.wait();
        }
        self.cancel.inner.finished.store(true, Ordering::SeqCst);
        super::reaper::forget(self.pid);
    }
}

/// Runs `spec` to the end, passing output lines to `sink`. A program that cannot be
/// started is [`RunOutcome::FailedToStart`], also reported to the sink.
pub fn run(spec: &CommandSpec, sink: &mut dyn FnMut(LogLine)) -> RunOutcome {
    match Running::spawn(spec) {
        Ok(mut running) => running.wait(sink),
        Err(e) => {
            sink(note(format!("captain: {}", e.message)));
            RunOutcome::FailedToStart { message: e.message }
        }
    }
}

fn note(text: String) -> LogLine {
    LogLine {
        at: Timestamp::now(),
        stream: "captain".to_string(),
        text,
    }
}

fn start_error(program: &str, argv: &[String], e: std::io::Error) -> Error {
    let shown = argv.join(" ");
    match e.kind() {
        std::io::ErrorKind::NotFound if program.contains('/') => Error::not_found(format!(
            "could not start `{shown}`: there is no program `{program}`"
        )),
        std::io::ErrorKind::NotFound => Error::not_found(format!(
            "could not start `{shown}`: no program `{program}` on PATH"
        ))
        .with_hint("install it, or give its path in the command"),
        std::io::ErrorKind::PermissionDenied => Error::failed(format!(
            "could not start `{shown}`: `{program}` is not executable (permission denied)"
        ))
        .with_hint(format!("chmod +x {program}")),
        _ => Error::failed(format!("could not start `{shown}`: {e}")),
    }
}

fn start_pump(
    stream: impl Read + Send + 'static,
    name: &'static str,
    tx: Sender<LogLine>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("captain-{name}"))
        .spawn(move || pump(stream, name, tx))
}

/// Reads `stream` line by line until end of file, timestamping each line as it is read.
fn pump(stream: impl Read, name: &'static str, tx: Sender<LogLine>) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) => return,
            Ok(_) => {
                if buf.last() == Some(&b'\n') {
                    buf.pop();
                    if buf.last() == Some(&b'\r') {
                        buf.pop();
                    }
                }
                let line = LogLine {
                    at: Timestamp::now(),
                    stream: name.to_string(),
                    text: String::from_utf8_lossy(&buf).into_owned(),
                };
                if tx.send(line).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// What captain reads of a process from `/proc/PID/stat`.
#[derive(Clone, Copy, Debug)]
struct ProcStat {
    state: char,
    pgrp: i32,
    session: i32,
    /// Clock ticks since boot.
    start: u64,
}

/// From `/proc/PID/stat`: the state letter, the process group, the session and the start
/// time. The command name before them may itself contain spaces and parentheses (hence
/// the last `)`). `None` if the process does not exist or there is no `/proc`.
fn proc_stat(pid: u32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // Fields 3 (state), 5 (pgrp), 6 (session) and 22 (starttime) of proc(5).
    let state = fields.next()?.chars().next()?;
    let pgrp = fields.nth(1)?.parse().ok()?;
    let session = fields.next()?.parse().ok()?;
    let start = fields.nth(15)?.parse().ok()?;
    Some(ProcStat {
        state,
        pgrp,
        session,
        start,
    })
}

/// The kernel's start time of process `pid` in clock ticks since boot, from
/// `/proc/PID/stat`. Together with the pid it names one process for good: a pid recycled
/// later has a different start time. `None` if the process does not exist or there is no
/// `/proc`.
pub fn process_start_time(pid: u32) -> Option<u64> {
    proc_stat(pid).map(|stat| stat.start)
}

/// Whether process `pid` is running and, when `start_time` is given, is the same process
/// that was recorded with that start time (not a later process that reuses the pid). A
/// zombie counts as gone. Without `/proc` only the pid can be checked.
pub fn process_alive(pid: u32, start_time: Option<u64>) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    if raw <= 0 {
        return false;
    }
    if std::path::Path::new("/proc/self/stat").exists() {
        return match proc_stat(pid) {
            Some(stat) => {
                !matches!(stat.state, 'Z' | 'X' | 'x') && start_time.is_none_or(|t| t == stat.start)
            }
            None => false,
        };
    }
    // No /proc: signal 0 only checks that the pid exists (EPERM: exists, not ours).
    matches!(
        nix::sys::signal::kill(Pid::from_raw(raw), None),
        Ok(()) | Err(nix::errno::Errno::EPERM)
    )
}

/// For a restarted `captain run`: kills the process tree of a command that an earlier run
/// started (its pid is its process group id, as [`Running::spawn`] makes it). It acts only
/// when the recorded process is still the same one (see [`process_alive`]) or is gone
/// entirely — then the group, if it still exists, holds its leftover descendants, whose
/// group id cannot have been reused while they live. A live process that leads no group
/// is killed alone. Returns whether the recorded process itself was still running.
pub fn kill_process_tree(pid: u32, start_time: Option<u64>) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    let alive = process_alive(pid, start_time);
    if !std::path::Path::new("/proc/self/stat").exists() {
        if alive {
            kill_group(raw);
        }
        return alive;
    }
    match proc_stat(pid) {
        None => kill_group(raw),
        Some(stat) if start_time.is_none_or(|t| t == stat.start) => {
            if stat.pgrp == raw {
                kill_group(raw);
            } else if raw > 1 {
                let _ = nix::sys::signal::kill(Pid::from_raw(raw), Signal::SIGKILL);
            }
        }
        Some(_) => {}
    }
    alive
}

/// The variable [`Running::spawn`]'s callers set to mark a deploy command with the loop
/// and deployment it belongs to (see [`kill_marked_groups`]). Its children inherit it.
pub const SPAWN_MARK_VAR: &str = "CAPTAIN_SPAWN_MARK";

/// For a restarted `captain run`: kills the process groups of deploy commands that a
/// dead loop started but may not have recorded (it can die between spawning a command
/// and writing down its pid). Such a command leads its own process group inside the
/// loop's session and carries `SPAWN_MARK_VAR=mark` in its environment, and so do the
/// children that stayed in its group. A process that made a session of its own (a daemon
/// the deploy started on purpose) is left alone, exactly as a recorded group's kill
/// leaves it. Returns how many groups were killed; without `/proc` nothing is found.
pub fn kill_marked_groups(mark: &str) -> usize {
    let wanted = format!("{SPAWN_MARK_VAR}={mark}").into_bytes();
    kill_groups_marked(|variable| variable == wanted.as_slice())
}

/// As [`kill_marked_groups`], for every mark that starts with `prefix`: the reaper's way
/// to find all the deploy commands of its loop, registered or not.
pub fn kill_groups_marked_with(prefix: &str) -> usize {
    let wanted = format!("{SPAWN_MARK_VAR}={prefix}").into_bytes();
    kill_groups_marked(|variable| variable.starts_with(&wanted))
}

fn kill_groups_marked(is_the_mark: impl Fn(&[u8]) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut killed = 0;
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Some(stat) = proc_stat(pid) else { continue };
        let leads_a_group = i32::try_from(pid).is_ok_and(|raw| raw == stat.pgrp);
        if !leads_a_group || stat.session == stat.pgrp {
            continue;
        }
        // Another user's processes cannot be read; they are not ours to kill either.
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ.split(|byte| *byte == 0).any(&is_the_mark) {
            kill_group(stat.pgrp);
            killed += 1;
        }
    }
    killed
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;

    #[test]
    fn proc_stat_reads_this_process() {
        let me = std::process::id();
        let stat = proc_stat(me).unwrap();
        assert!(matches!(stat.state, 'R' | 'S'), "{}", stat.state);
        assert_eq!(stat.pgrp, nix::unistd::getpgrp().as_raw());
        assert_eq!(stat.session, nix::unistd::getsid(None).unwrap().as_raw());
        assert!(process_alive(me, Some(stat.start)));
        assert!(!process_alive(me, Some(stat.start + 1)));
    }

    #[test]
    fn a_process_that_leads_no_group_is_killed_alone() {
        // Spawned the plain way, `sleep` shares the test runner's process group: killing
        // that group would kill the tests, so this also proves only the pid is hit.
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        let start = process_start_time(pid);
        assert!(kill_process_tree(pid, start));
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(Signal::SIGKILL as i32));
    }

    #[test]
    fn a_marked_group_is_found_and_killed_and_a_daemon_it_started_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let daemon_pid = dir.path().join("daemon.pid");
        let mark = format!("test-{}-{:?}", std::process::id(), Instant::now());
        let mut spec = CommandSpec::new(
            vec![
                "sh".to_string(),
                "-c".to_string(),
                // One child stays in the group; one makes its own session.
                format!(
                    "sleep 30 & setsid sh -c 'echo $$ > {}; exec sleep 30' & wait",
                    daemon_pid.display()
                ),
            ],
            Duration::from_secs(60),
        );
        spec.env.insert(SPAWN_MARK_VAR.to_string(), mark.clone());
        let mut running = Running::spawn(&spec).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let daemon = loop {
            if let Some(pid) = std::fs::read_to_string(&daemon_pid)
                .ok()
                .and_then(|text| text.trim().parse::<u32>().ok())
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the daemon never started");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(kill_marked_groups("someone-else"), 0);
        assert_eq!(
            kill_marked_groups(&mark[..mark.len() - 1]),
            0,
            "a part is no match"
        );
        assert_eq!(kill_groups_marked_with("test-someone-else"), 0);
        assert_eq!(kill_groups_marked_with(&mark[..mark.len() - 1]), 1);
        let outcome = running.wait(&mut |_| {});
        assert!(!outcome.is_success(), "{outcome:?}");
        assert!(process_alive(daemon, None), "the daemon was killed too");
        let _ = nix::sys::signal::kill(Pid::from_raw(daemon as i32), Signal::SIGKILL);
    }
}

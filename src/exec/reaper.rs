//! The reaper: a small helper process that lets no command outlive the loop that started
//! it, however that loop ends.
//!
//! `captain run` and `captain serve --run` start one (`captain __captain-reaper`) before
//! their first command. The loop keeps the write end of a pipe whose read end is the
//! reaper's standard input, and nothing else holds it: it is close-on-exec, so the
//! commands never inherit it. [`Running::spawn`](super::Running::spawn) writes `+PID` into
//! the pipe right after starting a command and `-PID` once the command is over. When the
//! loop's process ends in any way (SIGKILL and crashes included) the kernel closes its
//! end, the reaper reads end of file, kills the process group of every command still
//! registered and of every deploy command carrying its loop's `CAPTAIN_SPAWN_MARK` (one
//! started in the instant before the loop died, not yet registered), and exits.
//!
//! This matters most where a restarted loop cannot clean up: `serve --run` replicas hand
//! a dead replica's deployments to a replica on another host, which can count a deploy
//! as failed but not kill a process on the dead replica's host. The restart recovery of
//! [`crate::runner`] stays as the second line (a reaper killed along with its loop).
//!
//! The reaper is opt-in ([`start`]) because it re-runs the current executable: a test
//! binary must not start one.

use std::collections::BTreeMap;
use std::io::{BufRead, PipeWriter, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, Result};

use super::process::{kill_groups_marked_with, kill_process_tree, process_start_time};

/// The first argument that makes `captain` the reaper. It is no subcommand of the CLI's
/// (so neither `--help`, the completions nor the man pages show it): [`invoked_as`] looks
/// for it before the command line is parsed.
const INVOCATION: &str = "__captain-reaper";
/// The argument after it: the start of the `CAPTAIN_SPAWN_MARK` of every deploy command
/// of its loop.
const MARKS_FLAG: &str = "--marks";

/// Whether this process was started as a reaper, and with which mark prefix.
pub fn invoked_as() -> Option<Option<String>> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != INVOCATION {
        return None;
    }
    let marks = match (args.next(), args.next()) {
        (Some(flag), Some(prefix)) if flag == MARKS_FLAG => prefix.into_string().ok(),
        _ => None,
    };
    Some(marks)
}

/// The loop's end of the reaper's pipe. The reaper itself needs no handle: it ends on
/// its own when the pipe closes.
static REAPER: OnceLock<Mutex<Option<PipeWriter>>> = OnceLock::new();

/// Starts this process's reaper (`exe __captain-reaper`), once; later calls do nothing. Without it
/// commands still run, and only the restart recovery cleans up after a killed loop.
pub fn start(exe: &Path, mark_prefix: &str) -> Result<()> {
    let slot = REAPER.get_or_init(|| Mutex::new(None));
    let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if slot.is_some() {
        return Ok(());
    }
    let (reader, writer) = std::io::pipe()
        .map_err(|e| Error::internal(format!("could not make the reaper's pipe: {e}")))?;
    Command::new(exe)
        .arg(INVOCATION)
        .arg(MARKS_FLAG)
        .arg(mark_prefix)
        .stdin(Stdio::from(reader))
        // It says nothing, and must not hold the loop's output pipes open after the loop.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group: a Ctrl-C meant for the loop must not stop the clean-up.
        .process_group(0)
        .spawn()
        .map_err(|e| {
            Error::internal(format!(
                "could not start the reaper `{} {INVOCATION}`: {e}",
                exe.display()
            ))
        })?;
    *slot = Some(writer);
    Ok(())
}

/// Tells the reaper about command `pid`, just started.
pub(crate) fn register(pid: u32) {
    send(&format!("+{pid}\n"));
}

/// Tells the reaper that command `pid` is over and must not be killed later (its pid may
/// be reused).
pub(crate) fn forget(pid: u32) {
    send(&format!("-{pid}\n"));
}

fn send(line: &str) {
    let Some(slot) = REAPER.get() else { return };
    let Ok(mut slot) = slot.lock() else { return };
    if let Some(writer) = slot.as_mut() {
        // A reaper that is gone is no reason to stop the loop.
        let _ = writer.write_all(line.as_bytes());
    }
}

/// The reaper's own work: reads `+PID` and `-PID` lines until end of file, then kills the
/// process tree of each command still registered (only if it is still the process that
/// registered: the start time is taken when it registers), and the group of every deploy
/// command whose `CAPTAIN_SPAWN_MARK` starts with `mark_prefix` (one the loop started but
/// died before registering). Returns how many it killed.
pub fn reap(input: impl BufRead, mark_prefix: Option<&str>) -> usize {
    let mut registered: BTreeMap<u32, Option<u64>> = BTreeMap::new();
    for line in input.lines() {
        let Ok(line) = line else { break };
        let (sign, pid) = line.split_at(line.len().min(1));
        let Ok(pid) = pid.trim().parse::<u32>() else {
            continue;
        };
        match sign {
            "+" => {
                registered.insert(pid, process_start_time(pid));
            }
            "-" => {
                registered.remove(&pid);
            }
            _ => {}
        }
    }
    let registered = registered
        .into_iter()
        .filter(|(pid, start)| kill_process_tree(*pid, *start))
        .count();
    let marked = mark_prefix
        .filter(|prefix| !prefix.is_empty())
        .map_or(0, kill_groups_marked_with);
    registered + marked
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn a_registered_command_is_killed_and_a_forgotten_one_is_not() {
        let mut alive = Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let mut done = Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let input = format!(
            "+{}\n+{}\n-{}\nnonsense\n+\n",
            alive.id(),
            done.id(),
            done.id()
        );
        assert_eq!(reap(input.as_bytes(), None), 1);
        assert_eq!(alive.wait().unwrap().signal(), Some(9));
        assert!(
            done.try_wait().unwrap().is_none(),
            "a forgotten command was killed"
        );
        done.kill().unwrap();
        done.wait().unwrap();
    }
}

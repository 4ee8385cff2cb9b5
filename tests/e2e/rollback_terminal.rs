//! The interactive rollback in a real terminal, driven by tmux (send-keys, capture-pane):
//! choose an older release from the pick list, see the preview, confirm; and decline,
//! which changes nothing.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::common::TestEnv;
use super::rollback_preview::{ledger, scenario};

/// A tmux server of our own (its socket in the test's directory), stopped on drop.
struct Tmux<'e> {
    env: &'e TestEnv,
    socket: PathBuf,
}

impl<'e> Tmux<'e> {
    /// Starts `captain ARGS` in a detached 200×60 terminal, then keeps the pane open so
    /// its last screen can be read.
    fn start(env: &'e TestEnv, args: &str) -> Option<Tmux<'e>> {
        let socket = env.path().join("tmux.sock");
        let script = format!(
            "\"{}\" {args}; echo \"EXIT=$?\"; sleep 120",
            env!("CARGO_BIN_EXE_captain")
        );
        let started = env
            .program("tmux")
            .env("TERM", "xterm-256color")
            .arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-s", "captain"])
            .args(["-x", "200", "-y", "60", "-c"])
            .arg(env.repo_path())
            .arg(script)
            .status();
        match started {
            Ok(status) if status.success() => Some(Tmux { env, socket }),
            Ok(status) => panic!("tmux could not start a session: {status}"),
            // Not installed: .ci/run installs it; say so instead of failing here.
            Err(e) => {
                eprintln!("skipping the terminal test: tmux is not available ({e})");
                None
            }
        }
    }

    fn tmux(&self) -> Command {
        let mut command = self.env.program("tmux");
        command.arg("-S").arg(&self.socket);
        command
    }

    fn screen(&self) -> String {
        let output = self
            .tmux()
            .args(["capture-pane", "-p", "-J", "-S", "-500", "-t", "captain"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Polls the screen until `ready` holds for it (a prompt is drawn in pieces, and a
    /// loaded machine draws slowly), and returns that screen; fails after a generous
    /// bound, showing what the terminal shows.
    fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal never showed {what}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = self
                .tmux()
                .args(["send-keys", "-t", "captain", key])
                .status()
                .expect("tmux send-keys");
            assert!(status.success());
            // One key at a time, as a person types: the prompt redraws in between.
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux<'_> {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

fn in_a_terminal_choose_an_older_release_see_the_preview_and_confirm() {
    let s = scenario();
    let Some(term) = Tmux::start(&s.env, "rollback prod-1 --pick --reason 'latent bug'") else {
        return;
    };
    // The pick list: v3 (tests failed), v2 (the default, selected), v1.
    // Wait for the whole list, not just its heading: it is drawn line by line.
    let screen = term.wait_until("the pick list with its selection", |screen| {
        screen.contains("Roll back to which release?")
            && screen.lines().filter(|l| l.contains("released")).count() >= 3
            && screen
                .lines()
                .any(|l| l.starts_with('>') && l.contains("(default)"))
    });
    let list: Vec<&str> = screen.lines().filter(|l| l.contains("released")).collect();
    assert_eq!(list.len(), 3, "{screen}");
    assert!(
        list[0].contains("v3") && list[0].contains("prod-1: tests failed"),
        "{screen}"
    );
    assert!(
        list[1].starts_with('>') && list[1].contains("v2"),
        "{screen}"
    );
    assert!(
        list[1].contains("approved") && list[1].contains("(default)"),
        "{screen}"
    );
    assert!(
        list[2].contains("v1") && list[2].contains("2 commits"),
        "{screen}"
    );

    term.keys(&["Down"]);
    // The selection moved before Enter takes it.
    term.wait_until("the selection on v1", |screen| {
        screen
            .lines()
            .any(|l| l.starts_with('>') && l.contains("v1") && !l.contains("(default)"))
    });
    term.keys(&["Enter"]);
    let screen = term.wait_until("the preview and its question", |screen| {
        screen.contains("[y/N]") && screen.contains("Roll back prod-1 to v1")
    });
    for expected in [
        "Rollback to v1",
        "Commits removed (6):",
        "Merge branch 'chalk' (merge)",
        "Dependencies (",
        "skips 2 releases deployed there: v3, v2",
        "Roll back prod-1 to v1 and disable promotions into and out of it?",
    ] {
        assert!(screen.contains(expected), "no {expected:?} in:\n{screen}");
    }
    term.keys(&["y"]);
    let screen = term.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("Started rollback deployments"), "{screen}");

    let history = s.env.run(&["history", "prod-1", "--json"]).ok().json();
    let newest = &history["deployments"][0];
    assert_eq!(newest["kind"], "rollback");
    assert_eq!(newest["release"], "v1");
    assert_eq!(newest["outcome"], "in progress");
    assert_eq!(newest["reason"], "latent bug");
    assert!(
        screen.contains(newest["id"].as_str().expect("id")),
        "{screen}"
    );
}

fn in_a_terminal_declining_changes_nothing() {
    let s = scenario();
    let before = ledger(&s.env);
    let Some(term) = Tmux::start(&s.env, "rollback prod-2") else {
        return;
    };
    let screen = term.wait_until("the preview and its question", |screen| {
        screen.contains("[y/N]") && screen.contains("Rollback to v1")
    });
    assert!(screen.contains("Rollback to v1"), "{screen}");
    term.keys(&["n"]);
    let screen = term.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("nothing changed"), "{screen}");
    assert_eq!(ledger(&s.env), before);
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(
    in_a_terminal_choose_an_older_release_see_the_preview_and_confirm,
    in_a_terminal_declining_changes_nothing,
);

//! The command line: the `Cli` definition (global flags and the subcommand enum) and the
//! dispatch. Each subcommand lives in its own file with an `Args` struct whose doc comment
//! is its help text and one `run` function. Only this room draws: tables, colours,
//! progress and prompts.

mod approve;
mod audit;
mod bake;
mod common;
mod completions;
mod config_cmd;
mod demo;
mod deploy;
mod diff;
mod events;
mod freeze;
mod history;
mod init;
mod logs;
mod metrics;
mod next;
mod notify;
mod override_cmd;
mod pipeline;
mod plan;
mod preview;
mod promotions;
mod release;
mod retry;
mod rollback;
mod run;
mod serve;
mod simulate;
mod state;
mod status;
mod token;
mod ui;
mod validate;
mod web_ui;
mod where_cmd;

use clap::{Parser, Subcommand};

pub use common::Context;
use ui::{OutputFormat, Ui};

/// The widest help clap wraps to.
const MAX_TERM_WIDTH: usize = 100;

const EXIT_CODES: &str = "\
Exit codes:
  0  ok
  1  error
  2  usage (bad arguments or input)
  3  blocked (gate closed, locked, frozen, window closed, blocker active)
  4  conflict (someone else changed the state first)
  5  not found (environment, release, deployment, revision)
  6  run --once: a deployment failed in that round";

/// captain — the release captain for trunk-based teams.
///
/// captain reads pipeline.toml, maps commits to releases, keeps the ledger of
/// deployments, and answers: what is where, what changed, and what to roll back.
#[derive(Debug, Parser)]
#[command(name = "captain", version, after_help = EXIT_CODES, max_term_width = MAX_TERM_WIDTH)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// The git repository (default: the one around the current directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub repo: Option<std::path::PathBuf>,
    /// The pipeline file (default: pipeline.toml at the repository root). `serve --run`
    /// takes it once per pipeline to drive.
    #[arg(long, global = true, value_name = "PATH", action = clap::ArgAction::Append)]
    pub pipeline: Vec<std::path::PathBuf>,
    /// Where the ledger lives: a SQLite file path, or a team server's https:// URL (with
    /// CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config
    /// file, else one file per pipeline under the user's data directory.
    #[arg(long, global = true, env = "CAPTAIN_STATE", value_name = "URL_OR_PATH")]
    pub state: Option<String>,
    /// A PEM file of CA certificates to trust when talking to a team server over HTTPS.
    #[arg(long, global = true, env = "CAPTAIN_CA_FILE", value_name = "PEM")]
    pub ca_file: Option<std::path::PathBuf>,
    /// Output format of views and results.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Short for --output json (not with --output: one format at a time).
    #[arg(long, global = true, conflicts_with = "output")]
    pub json: bool,
    /// Print results only: no status messages or progress.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Answer yes to confirmations (for scripts).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
// Each subcommand's arguments are built only when it runs (or for help and
// completions): a view pays for its own flags, not for every command's.
#[command(defer = true)]
pub enum Command {
    Init(init::Args),
    Validate(validate::Args),
    Plan(plan::Args),
    Config(config_cmd::Args),
    /// Record and inspect releases (create, list, show).
    #[command(subcommand)]
    Release(release::Command),
    /// Record deployments run by an external CI (start, finish).
    #[command(subcommand)]
    Deploy(deploy::Command),
    Run(run::Args),
    Next(next::NextArgs),
    Gate(next::GateArgs),
    Bake(bake::Args),
    Retry(retry::Args),
    Approve(approve::ApproveArgs),
    Reject(approve::RejectArgs),
    Logs(logs::Args),
    Status(status::Args),
    History(history::Args),
    Where(where_cmd::Args),
    Diff(diff::Args),
    Metrics(metrics::Args),
    Rollback(rollback::Args),
    Freeze(freeze::FreezeArgs),
    Unfreeze(freeze::UnfreezeArgs),
    /// Disable or enable promotions into and out of stages and environments (list, disable, enable).
    #[command(subcommand)]
    Promotions(promotions::Command),
    /// The pipeline's definition as a team server holds it (push, show, history, diff).
    #[command(subcommand)]
    Pipeline(pipeline::Command),
    /// Export or import the whole ledger as versioned JSON Lines.
    #[command(subcommand)]
    State(state::Command),
    Override(override_cmd::Args),
    Simulate(simulate::Args),
    Audit(audit::Args),
    Events(events::Args),
    /// Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver).
    #[command(subcommand)]
    Notify(notify::Command),
    Serve(serve::Args),
    Ui(web_ui::Args),
    /// API tokens of the team server (create, list, revoke).
    #[command(subcommand)]
    Token(token::Command),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
    Schemas(completions::SchemasArgs),
    Demo(demo::Args),
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> i32 {
    if let Some(marks) = captain::exec::reaper::invoked_as() {
        captain::exec::reaper::reap(std::io::stdin().lock(), marks.as_deref());
        return 0;
    }
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    let ui = Ui::new(&cli.global);
    let changes = changes_the_ledger(&cli.command);
    let result = run(cli, &ui);
    if changes && ci_mode() {
        deliver_after_command(&ui);
    }
    match result {
        Ok(()) => 0,
        Err(err) => ui.report_error(&err),
    }
}

/// The command line, parsed as [`Cli::try_parse`] does, with the definition clap builds for
/// it kept until the process ends instead of freed: freeing it (every argument of the
/// chosen subcommand, a stub of each other one) was 0.4 M instructions of each command,
/// 6% of `where` on the large case (issue 16).
fn parse_args() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command: &'static mut clap::Command = Box::leak(Box::new(definition_for(&args)));
    let mut matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|err| err.format(command))
}

/// The definition clap parses `args` with: when they name a subcommand, the root with that
/// subcommand alone, else the whole tree. Clap copies each global flag into every
/// subcommand of the tree it parses with (9 flags into 37 subcommands: 0.66 MB of the 1.4
/// MB a `where` allocated, 0.3 M instructions and a hundred page faults); with one
/// subcommand the copies are those the command uses. Help, version, typos and anything
/// the scan does not understand get the whole tree, so their output is unchanged.
fn definition_for(args: &[std::ffi::OsString]) -> clap::Command {
    use clap::{Args, CommandFactory};
    let mut whole = Cli::command();
    let Some(name) = named_subcommand(args, &whole) else {
        return whole;
    };
    let Some(chosen) = whole.find_subcommand_mut(&name) else {
        return whole;
    };
    let chosen = std::mem::take(chosen);
    // The root's own text (about, exit codes) shows only in its help, which is not asked;
    // its settings are read from the derived root rather than stated again.
    let root = clap::Command::new("captain")
        .version(env!("CARGO_PKG_VERSION"))
        .max_term_width(MAX_TERM_WIDTH)
        .subcommand_required(whole.is_subcommand_required_set())
        .arg_required_else_help(whole.is_arg_required_else_help_set());
    GlobalArgs::augment_args(root).subcommand(chosen)
}

/// The subcommand `args` name as clap reads them: the first argument that is neither a
/// root flag nor a root flag's value. None for anything else at the root (help, version,
/// `--`, an unknown flag), so that clap sees the whole tree.
fn named_subcommand(args: &[std::ffi::OsString], root: &clap::Command) -> Option<String> {
    let takes_value = |flag: &clap::Arg| flag.get_action().takes_values();
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        let text = arg.to_str()?;
        if let Some(long) = text.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            let flag = root.get_arguments().find(|a| a.get_long() == Some(name))?;
            if takes_value(flag) && !attached {
                rest.next()?;
            }
        } else if let Some(shorts) = text.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (at, short) in shorts.char_indices() {
                let flag = root
                    .get_arguments()
                    .find(|a| a.get_short() == Some(short))?;
                if takes_value(flag) {
                    if at + short.len_utf8() == shorts.len() {
                        rest.next()?;
                    }
                    break;
                }
            }
        } else {
            return Some(text.to_string());
        }
    }
    None
}

fn run(cli: Cli, ui: &Ui) -> anyhow::Result<()> {
    if ui.markdown() && !speaks_markdown(&cli.command) {
        return Err(captain::Error::usage(
            "--output markdown is for what a change brings: diff, next STAGE --preview, release show and rollback",
        )
        .with_hint("use --output table or --output json here")
        .into());
    }
    let ctx = Context::new(cli.global);
    match cli.command {
        Command::Init(args) => init::run(&ctx, ui, args),
        Command::Validate(args) => validate::run(&ctx, ui, args),
        Command::Plan(args) => plan::run(&ctx, ui, args),
        Command::Config(args) => config_cmd::run(&ctx, ui, args),
        Command::Release(command) => release::run(&ctx, ui, command),
        Command::Deploy(command) => deploy::run(&ctx, ui, command),
        Command::Run(args) => run::run(&ctx, ui, args),
        Command::Next(args) => next::run_next(&ctx, ui, args),
        Command::Gate(args) => next::run_gate(&ctx, ui, args),
        Command::Bake(args) => bake::run(&ctx, ui, args),
        Command::Retry(args) => retry::run(&ctx, ui, args),
        Command::Approve(args) => approve::run_approve(&ctx, ui, args),
        Command::Reject(args) => approve::run_reject(&ctx, ui, args),
        Command::Logs(args) => logs::run(&ctx, ui, args),
        Command::Status(args) => status::run(&ctx, ui, args),
        Command::History(args) => history::run(&ctx, ui, args),
        Command::Where(args) => where_cmd::run(&ctx, ui, args),
        Command::Diff(args) => diff::run(&ctx, ui, args),
        Command::Metrics(args) => metrics::run(&ctx, ui, args),
        Command::Rollback(args) => rollback::run(&ctx, ui, args),
        Command::Freeze(args) => freeze::freeze(&ctx, ui, args),
        Command::Unfreeze(args) => freeze::unfreeze(&ctx, ui, args),
        Command::Promotions(command) => promotions::run(&ctx, ui, command),
        Command::Pipeline(command) => pipeline::run(&ctx, ui, command),
        Command::State(command) => state::run(&ctx, ui, command),
        Command::Override(args) => override_cmd::run(&ctx, ui, args),
        Command::Simulate(args) => simulate::run(&ctx, ui, args),
        Command::Audit(args) => audit::run(&ctx, ui, args),
        Command::Events(args) => events::run(&ctx, ui, args),
        Command::Notify(command) => notify::run(&ctx, ui, command),
        Command::Serve(args) => serve::run(&ctx, ui, args),
        Command::Ui(args) => web_ui::run(&ctx, ui, args),
        Command::Token(command) => token::run(&ctx, ui, command),
        Command::Completions(args) => completions::run_completions(ui, args),
        Command::Man(args) => completions::run_man(ui, args),
        Command::Schemas(args) => completions::run_schemas(ui, args),
        Command::Demo(args) => demo::run(&ctx, ui, args),
    }
}

/// The commands that print release notes with `--output markdown`.
fn speaks_markdown(command: &Command) -> bool {
    match command {
        Command::Diff(_) | Command::Rollback(_) => true,
        Command::Next(args) => args.preview,
        Command::Release(command) => matches!(command, release::Command::Show(_)),
        _ => false,
    }
}

/// Does this command record a change in the ledger (and so, perhaps, an event to notify)?
fn changes_the_ledger(command: &Command) -> bool {
    matches!(
        command,
        Command::Release(_)
            | Command::Deploy(_)
            | Command::Approve(_)
            | Command::Reject(_)
            | Command::Retry(_)
            | Command::Rollback(_)
            | Command::Promotions(_)
            | Command::Override(_)
            | Command::Bake(_)
    )
}

/// In CI (`CI` set, as GitHub Actions, GitLab CI and most others do), a command that
/// changed a local ledger delivers its notifications before it exits: a CI job may be the
/// only captain process there is.
fn ci_mode() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// How long a CI command's deliveries may take.
const CI_NOTIFY_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Delivers, bounded in time, after a CI command (see [`ci_mode`]). The command's own
/// outcome stands whatever happens here; a failure is a warning.
fn deliver_after_command(ui: &Ui) {
    // The command is over: its arguments are gone, so read the same globals again.
    let Ok(cli) = Cli::try_parse() else { return };
    let ctx = Context::new(cli.global);
    let Ok(pipeline) = ctx.pipeline() else { return };
    if pipeline.notify.is_empty() {
        return;
    }
    // A team server delivers its own.
    match ctx.state_location(&pipeline.outline()) {
        Ok(state) if !state.location.starts_with("http") => {}
        _ => return,
    }
    let Ok(store) = ctx.store(&pipeline) else {
        return;
    };
    if let Err(e) = notify::deliver(&ctx, &pipeline, store.as_ref(), CI_NOTIFY_BUDGET) {
        ui.warn(&format!("notifications: {e}"));
    }
}

/// Starts the helper that kills this process's commands if it dies (see
/// [`captain::exec::reaper`]). Without it the loop still runs; a restarted loop then
/// cleans up after a killed one, as before.
fn start_reaper(ui: &Ui) {
    let started = std::env::current_exe()
        .map_err(|e| format!("could not find captain's own executable: {e}"))
        .and_then(|exe| {
            let marks = captain::runner::spawn_mark_prefix(&captain::runner::this_runner());
            captain::exec::reaper::start(&exe, &marks).map_err(|e| e.message)
        });
    if let Err(why) = started {
        ui.warn(&format!(
            "{why}; commands of a killed loop are stopped only when a loop starts again"
        ));
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use std::ffi::OsString;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    fn words(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    /// What clap makes of `args` with a definition: the parse's debug form, or the error
    /// (help text included) as the user sees it.
    fn outcome(mut command: clap::Command, args: &[OsString]) -> String {
        use clap::FromArgMatches;
        match command.try_get_matches_from_mut(args) {
            Ok(mut matches) => match super::Cli::from_arg_matches_mut(&mut matches) {
                Ok(cli) => format!("{cli:?}"),
                Err(e) => e.format(&mut command).render().to_string(),
            },
            Err(e) => e.render().to_string(),
        }
    }

    #[test]
    fn a_subcommand_alone_parses_and_helps_as_the_whole_tree() {
        let whole = super::Cli::command();
        let mut lines = Vec::new();
        for sub in whole.get_subcommands() {
            let name = sub.get_name();
            lines.push(format!("captain {name} --help"));
            lines.push(format!("captain {name}"));
            lines.push(format!("captain --json {name} --bogus"));
            for nested in sub.get_subcommands() {
                lines.push(format!("captain {name} {} --help", nested.get_name()));
                lines.push(format!("captain -q {name} {}", nested.get_name()));
            }
        }
        lines.extend(
            [
                "captain where HEAD --json",
                "captain --state s.sqlite where HEAD",
                "captain --state=s.sqlite --pipeline p.toml where HEAD~1 -q",
                "captain -qy --output json status",
                "captain status --output markdown",
                "captain --json --output json status",
                "captain history --limit 5 prod",
                "captain --state where status",
            ]
            .map(String::from),
        );
        for line in &lines {
            let args = words(line);
            assert_eq!(
                outcome(super::definition_for(&args), &args),
                outcome(super::Cli::command(), &args),
                "{line}"
            );
        }
    }

    #[test]
    fn the_scan_finds_the_subcommand_after_root_flags_only() {
        let root = super::Cli::command();
        let named = |line: &str| super::named_subcommand(&words(line), &root);
        assert_eq!(named("captain where HEAD").as_deref(), Some("where"));
        assert_eq!(
            named("captain --state where status").as_deref(),
            Some("status")
        );
        assert_eq!(named("captain --state=x where").as_deref(), Some("where"));
        assert_eq!(named("captain -qy status").as_deref(), Some("status"));
        assert_eq!(named("captain --help where"), None);
        assert_eq!(named("captain --version"), None);
        assert_eq!(named("captain --unknown where"), None);
        assert_eq!(named("captain --state"), None);
        assert_eq!(named("captain"), None);
    }
}

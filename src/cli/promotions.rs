//! `captain promotions list | disable TARGET… | enable TARGET…`: locks on stages and
//! environments, named directly or through their stages and waves.

use captain::model::LockDirection;
use captain::ops::promotions;
use captain::server::auth::Role;
use captain::views::promotions as views;

use super::Context;
use super::ui::{Ui, relative_time};

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    List(ListArgs),
    Disable(DisableArgs),
    Enable(EnableArgs),
}

/// List the locks in force: who disabled promotions into or out of what, when and why.
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Disable promotions into and/or out of environments, stages or waves.
///
/// While an environment (or its stage) is locked inbound, no release is promoted into it;
/// locked outbound, nothing leaves its stage. An environment gets a lock of its own, a
/// stage the stage's lock, a wave the locks of each of its stages. A name that is both a
/// stage and an environment is taken as the environment. `captain rollback` sets such
/// locks on the environments it rolls back by itself.
///
/// Prints each lock set (`--quiet`: only those).
#[derive(Debug, clap::Args)]
pub struct DisableArgs {
    /// Environments, stages or waves, e.g. prod-2 or wave-1.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Which promotions: into the targets, out of them, or both.
    #[arg(long, value_enum, default_value_t = Direction::Both)]
    pub direction: Direction,
    /// Why (required): shown by `captain promotions list` and kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
}

/// Enable promotions again, so the next approved release flows in.
///
/// An environment's own lock is lifted; for a stage, its lock and those on its
/// environments (as `captain rollback` sets them); for a wave, those of each of its stages.
/// A name that is both an environment and a stage is enabled as both (the environment,
/// and the stage with its environments). Enabling what is not disabled changes nothing
/// and is not an error (runbooks may repeat it). If locks remain there afterwards — the
/// other direction when one was asked, or a lock set meanwhile — it names them and exits 3.
///
/// Prints each lock lifted (`--quiet`: only those).
#[derive(Debug, clap::Args)]
pub struct EnableArgs {
    /// Environments, stages or waves, e.g. prod-2 or wave-1.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Which promotions: into the targets, out of them, or both.
    #[arg(long, value_enum, default_value_t = Direction::Both)]
    pub direction: Direction,
    /// Why (kept in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Direction {
    In,
    Out,
    Both,
}

impl From<Direction> for LockDirection {
    fn from(d: Direction) -> Self {
        match d {
            Direction::In => LockDirection::In,
            Direction::Out => LockDirection::Out,
            Direction::Both => LockDirection::Both,
        }
    }
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::List(_) => list(ctx, ui),
        Command::Disable(args) => disable(ctx, ui, args),
        Command::Enable(args) => enable(ctx, ui, args),
    }
}

fn list(ctx: &Context, ui: &Ui) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let mut locks = store.locks()?;
    // A freeze that ended by itself holds nothing any more.
    locks.retain(|l| l.in_force(ctx.now));
    if ui.json() {
        return ui.out_json(&views::PromotionsList {
            locks: views::locks(&locks),
        });
    }
    if locks.is_empty() {
        return ui.out("promotions are enabled everywhere");
    }
    let mut table = ui.table(&["target", "kind", "disabled", "by", "since", "reason"]);
    for lock in &locks {
        table.add_row(vec![
            lock.target.clone(),
            lock.target_kind.as_str().to_string(),
            lock.direction.words().to_string(),
            lock.actor.clone(),
            relative_time(ctx.now, lock.created_at),
            lock.reason.clone(),
        ]);
    }
    ui.out(&table.to_string())
}

/// Who may change locks on a team server (the role its routes ask for).
const ROLE: Role = Role::Operator;

fn disable(ctx: &Context, ui: &Ui, args: DisableArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let targets = pipeline.targets(&args.targets)?;
    let store = ctx.store(&pipeline)?;
    captain::ops::require_role(store.as_ref(), ROLE, "disabling promotions")?;
    let locks = promotions::disable(
        store.as_ref(),
        &targets,
        args.direction.into(),
        ctx.actor(),
        &args.reason,
        ctx.now,
    )?;
    if ui.json() {
        return ui.out_json(&views::PromotionsDisabled {
            first: locks.first().map(views::LockView::from),
            locks: views::locks(&locks),
        });
    }
    let lines: Vec<String> = locks
        .iter()
        .map(|lock| {
            format!(
                "promotions {} {} {} are disabled: {}",
                lock.direction.words(),
                lock.target_kind.as_str(),
                lock.target,
                lock.reason
            )
        })
        .collect();
    ui.out(&lines.join("\n"))?;
    ui.status(&format!(
        "enable them again with `captain promotions enable {}` when it is safe",
        args.targets.join(" ")
    ));
    Ok(())
}

fn enable(ctx: &Context, ui: &Ui, args: EnableArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let targets = pipeline.targets(&args.targets)?;
    let store = ctx.store(&pipeline)?;
    captain::ops::require_role(store.as_ref(), ROLE, "enabling promotions")?;
    let direction: LockDirection = args.direction.into();
    let enabled = promotions::enable(
        store.as_ref(),
        &pipeline,
        &targets,
        direction,
        ctx.actor(),
        args.reason,
        ctx.now,
    )?;
    if ui.json() {
        ui.out_json(&views::PromotionsEnabled {
            target: targets.first().map(|t| t.name.clone()),
            target_kind: targets.first().map(|t| t.kind),
            direction,
            lifted: !enabled.lifted.is_empty(),
            at: ctx.now,
            targets: targets.clone(),
            locks_lifted: views::locks(&enabled.lifted),
            remaining: views::locks(&enabled.remaining),
        })?;
    } else if enabled.lifted.is_empty() {
        let names: Vec<String> = targets
            .iter()
            .map(|t| format!("{} {}", t.kind.as_str(), t.name))
            .collect();
        ui.status(&format!(
            "promotions {} {} were not disabled; nothing changed",
            direction.words(),
            names.join(", ")
        ));
    } else {
        let lines: Vec<String> = enabled
            .lifted
            .iter()
            .map(|lock| {
                format!(
                    "promotions {} {} {} are enabled (disabled by {}, {})",
                    lock.direction.words(),
                    lock.target_kind.as_str(),
                    lock.target,
                    lock.actor,
                    relative_time(ctx.now, lock.created_at)
                )
            })
            .collect();
        ui.out(&lines.join("\n"))?;
    }
    match enabled.still_locked(&targets, ctx.now) {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

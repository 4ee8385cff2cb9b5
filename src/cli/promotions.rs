//! `captain promotions list | disable TARGET | enable TARGET`: locks on stages and
//! environments.

use serde::Serialize;

use captain::model::{Lock, LockDirection, LockTargetKind, Timestamp};
use captain::ops::promotions::{self, Target};

use super::Context;
use super::ui::{Ui, relative_time};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    List(ListArgs),
    Disable(DisableArgs),
    Enable(EnableArgs),
}

/// List the locks in force: who disabled promotions into or out of what, when and why.
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Disable promotions into and/or out of a stage or an environment.
///
/// While an environment (or its stage) is locked inbound, no release is promoted into it;
/// locked outbound, nothing leaves its stage. `captain rollback` sets such locks by itself.
/// A name that is both a stage and an environment is taken as the environment.
#[derive(Debug, clap::Args)]
pub struct DisableArgs {
    /// A stage or an environment, e.g. prod-2.
    pub target: String,
    /// Which promotions: into the target, out of it, or both.
    #[arg(long, value_enum, default_value_t = Direction::Both)]
    pub direction: Direction,
    /// Why (required): shown by `captain status` and kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
}

/// Enable promotions again, so the next approved release flows in.
///
/// Enabling what is not disabled changes nothing and is not an error (runbooks may repeat
/// it). A name that is both a stage and an environment is unlocked as both.
#[derive(Debug, clap::Args)]
pub struct EnableArgs {
    /// A stage or an environment, e.g. prod-2.
    pub target: String,
    /// Which promotions: into the target, out of it, or both.
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

#[derive(Serialize)]
struct ListJson<'a> {
    locks: &'a [Lock],
}

fn list(ctx: &Context, ui: &Ui) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let locks = store.locks()?;
    if ui.json() {
        return ui.out_json(&ListJson { locks: &locks });
    }
    if locks.is_empty() {
        return ui.out("promotions are enabled everywhere");
    }
    let mut table = ui.table(&["target", "kind", "disabled", "by", "since", "reason"]);
    for lock in &locks {
        table.add_row(vec![
            lock.target.clone(),
            kind_str(lock.target_kind).to_string(),
            direction_words(lock.direction).to_string(),
            lock.actor.clone(),
            relative_time(ctx.now, lock.created_at),
            lock.reason.clone(),
        ]);
    }
    ui.out(&table.to_string())
}

fn disable(ctx: &Context, ui: &Ui, args: DisableArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let target = promotions::resolve_target(&pipeline, &args.target)?;
    let store = ctx.store(&pipeline)?;
    let lock = promotions::disable(
        store.as_ref(),
        &target,
        args.direction.into(),
        ctx.actor(),
        &args.reason,
        ctx.now,
    )?;
    if ui.json() {
        return ui.out_json(&lock);
    }
    ui.out(&format!(
        "promotions {} {} {} are disabled: {}",
        direction_words(lock.direction),
        kind_str(lock.target_kind),
        lock.target,
        lock.reason
    ))
}

#[derive(Serialize)]
struct EnabledJson<'a> {
    target: &'a str,
    target_kind: LockTargetKind,
    direction: LockDirection,
    /// Was anything locked (false: it was already enabled).
    lifted: bool,
    at: Timestamp,
}

fn enable(ctx: &Context, ui: &Ui, args: EnableArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let target: Target = promotions::resolve_target(&pipeline, &args.target)?;
    let store = ctx.store(&pipeline)?;
    let direction: LockDirection = args.direction.into();
    let lifted = promotions::enable(
        store.as_ref(),
        &target,
        direction,
        ctx.actor(),
        args.reason,
        ctx.now,
    )?;
    if ui.json() {
        return ui.out_json(&EnabledJson {
            target: &target.name,
            target_kind: target.kind,
            direction,
            lifted,
            at: ctx.now,
        });
    }
    let words = direction_words(direction);
    if lifted {
        ui.out(&format!(
            "promotions {words} {} {} are enabled",
            kind_str(target.kind),
            target.name
        ))
    } else {
        ui.out(&format!(
            "promotions {words} {} {} were not disabled; nothing changed",
            kind_str(target.kind),
            target.name
        ))
    }
}

fn kind_str(kind: LockTargetKind) -> &'static str {
    match kind {
        LockTargetKind::Stage => "stage",
        LockTargetKind::Environment => "environment",
    }
}

fn direction_words(direction: LockDirection) -> &'static str {
    match direction {
        LockDirection::In => "into",
        LockDirection::Out => "out of",
        LockDirection::Both => "into and out of",
    }
}

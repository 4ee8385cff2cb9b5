//! `captain deploy start | finish`: record deployments that an external CI runs.

use captain::model::{DeploymentId, Outcome, ReleaseNumber};
use captain::ops::deploy;
use captain::ops::rules;
use captain::views::deploy::DeploymentStarted;

use super::Context;
use super::release::find_release;
use super::ui::Ui;

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    Start(StartArgs),
    Finish(FinishArgs),
}

/// Record the start of a deployment run by an external CI.
///
/// Refused (exit 3) unless the previous stage approved the release, no lock stands in the
/// way, the stage's window is open, its blocker is not in ALARM and the release is not
/// older than the environment's current one — or with `--force --reason` (an override of
/// the window or blocker is recorded). Use `--rollback` to put an older release back.
#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// The environment being deployed.
    pub environment: String,
    /// The release being deployed, e.g. v12.
    #[arg(long)]
    pub release: String,
    /// This deployment puts an older release back (a rollback).
    #[arg(long)]
    pub rollback: bool,
    /// Skip the approval, lock and ordering checks (needs --reason).
    #[arg(long)]
    pub force: bool,
    /// Why (required with --force; recorded in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Record how a deployment ended.
///
/// `approved` says the deploy and the CI's own checks passed: the deployment then waits
/// for the stage's external approval steps (`captain approve`) and bakes (bake time, data
/// points, rollback alarm), and is approved once that is over (`captain bake STAGE` records
/// it). Any other outcome fails the release in the stage and, with auto-rollback, records
/// rollback deployments that `captain next` hands out.
#[derive(Debug, clap::Args)]
pub struct FinishArgs {
    /// The deployment id printed by `deploy start`, e.g. deploy-1d5fb5.
    pub id: String,
    /// How it ended.
    #[arg(long, value_parser = ["approved", "deploy-failed", "tests-failed", "alarm-fired", "rolled-back", "cancelled"])]
    pub outcome: String,
    /// Record the outcome now, skipping the rest of the stage's approval steps and its
    /// bake (needs --reason; audited).
    #[arg(long)]
    pub force: bool,
    /// Why (required with --force; recorded in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Start(args) => start(ctx, ui, args),
        Command::Finish(args) => finish(ctx, ui, args),
    }
}

fn start(ctx: &Context, ui: &Ui, args: StartArgs) -> anyhow::Result<()> {
    let release: ReleaseNumber = args.release.parse()?;
    let pipeline = ctx.pipeline()?;
    deploy::find_environment(&pipeline, &args.environment)?;
    let store = ctx.store(&pipeline)?;
    find_release(store.as_ref(), release)?;
    let probes = captain::exec::Probes::default();
    let deployment = rules::of(store.as_ref(), &pipeline, &probes).start(deploy::StartRequest {
        environment: args.environment,
        release,
        rollback: args.rollback,
        force: args.force,
        reason: args.reason,
        actor: ctx.actor(),
        now: ctx.now,
    })?;
    if ui.json() {
        return ui.out_json(&DeploymentStarted::from(&deployment));
    }
    ui.out(&deployment.id.to_string())?;
    ui.status(&format!(
        "started {} of {} to {}",
        deployment.kind.as_str(),
        deployment.release,
        deployment.environment
    ));
    Ok(())
}

fn finish(ctx: &Context, ui: &Ui, args: FinishArgs) -> anyhow::Result<()> {
    let id = DeploymentId::parse(&args.id)?;
    let outcome = Outcome::parse(&args.outcome)?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let probes = captain::exec::Probes::default();
    let finished = rules::of(store.as_ref(), &pipeline, &probes).finish(rules::FinishRequest {
        id,
        outcome,
        actor: ctx.actor(),
        reason: args.reason,
        force: args.force,
        now: ctx.now,
    })?;
    if ui.json() {
        return ui.out_json(&finished);
    }
    let d = &finished.deployment;
    if d.outcome == Outcome::InProgress {
        ui.out(&format!(
            "{} of {} to {}: reported {outcome}; {}",
            d.id, d.release, d.environment, finished.next
        ))
    } else {
        ui.out(&format!(
            "{} of {} to {}: {}",
            d.id, d.release, d.environment, d.outcome
        ))
    }
}

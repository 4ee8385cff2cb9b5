//! `captain approve` / `captain reject`: results of external approval steps.

use captain::model::DeploymentId;
use captain::ops::rules;

use super::Context;
use super::ui::Ui;

/// Pass an external approval step of a deployment in progress.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The deployment, e.g. deploy-1d5fb5.
    pub deployment: String,
    /// The external step's name, as in pipeline.toml.
    #[arg(long)]
    pub step: String,
    /// Why (recorded in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Fail an external approval step of a deployment in progress (fails the release in its
/// stage, and rolls back where auto-rollback is on).
#[derive(Debug, clap::Args)]
pub struct RejectArgs {
    /// The deployment, e.g. deploy-1d5fb5.
    pub deployment: String,
    /// The external step's name, as in pipeline.toml.
    #[arg(long)]
    pub step: String,
    /// Why (required; recorded in the audit log).
    #[arg(long)]
    pub reason: String,
}

fn record(
    ctx: &Context,
    ui: &Ui,
    deployment: &str,
    step: &str,
    passed: bool,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let id = DeploymentId::parse(deployment)?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let probes = captain::exec::Probes::default();
    let verdict = rules::of(store.as_ref(), &pipeline, &probes).verdict(rules::VerdictRequest {
        deployment: id,
        step: step.to_string(),
        passed,
        actor: ctx.actor(),
        reason,
        now: ctx.now,
    })?;
    if ui.json() {
        return ui.out_json(&verdict);
    }
    let step = &verdict.verdict;
    if !passed {
        return ui.out(&format!(
            "{}: approval step `{}` rejected by {}",
            step.deployment, step.name, step.actor
        ));
    }
    let progress = match verdict.missing {
        0 if verdict.required == 1 => "the step passed".to_string(),
        0 => format!(
            "the step passed: {} of {} approvals ({})",
            verdict.approved_by.len(),
            verdict.required,
            verdict.approved_by.join(", ")
        ),
        missing => format!(
            "{} of {} approvals ({}); {missing} more needed",
            verdict.approved_by.len(),
            verdict.required,
            verdict.approved_by.join(", ")
        ),
    };
    ui.out(&format!(
        "{}: approval step `{}` approved by {}; {progress}",
        step.deployment, step.name, step.actor
    ))
}

pub fn run_approve(ctx: &Context, ui: &Ui, args: ApproveArgs) -> anyhow::Result<()> {
    record(ctx, ui, &args.deployment, &args.step, true, args.reason)
}

pub fn run_reject(ctx: &Context, ui: &Ui, args: RejectArgs) -> anyhow::Result<()> {
    record(
        ctx,
        ui,
        &args.deployment,
        &args.step,
        false,
        Some(args.reason),
    )
}

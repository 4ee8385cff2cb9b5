//! `captain retry ENV|STAGE`: deploy a failed release again after a transient failure.

use captain::exec::Probes;
use captain::model::ReleaseNumber;
use captain::ops::rules;

use super::Context;
use super::ui::Ui;

/// Deploy the release that failed in a stage again, after a transient failure (a
/// missing script, a killed runner, a flaky step).
///
/// The failure is replaced by a retry (audited, with the reason); the release then goes
/// again to every environment of the stage that has not approved it, through the stage's
/// locks, window and blocker: `captain run` deploys it, and an external CI gets it from
/// `captain next STAGE`. Only the newest release a stage took can be retried.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stage, or an environment of it, e.g. prod-1 or prod-us-west-1a.
    pub target: String,
    /// Why it is worth another try (required; recorded in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
    /// The release to retry (default: the newest that failed in the stage).
    #[arg(long)]
    pub release: Option<String>,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let release: Option<ReleaseNumber> = args.release.as_deref().map(str::parse).transpose()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let probes = Probes::default();
    let view = rules::of(store.as_ref(), &pipeline, &probes).retry(rules::RetryCommand {
        target: args.target.clone(),
        release,
        actor: ctx.actor(),
        reason: args.reason.clone(),
        now: ctx.now,
    })?;
    if ui.json() {
        return ui.out_json(&view);
    }
    ui.out(&format!(
        "retrying {} in {} ({}): {}",
        view.release,
        view.stage,
        view.environments.join(", "),
        view.next
    ))
}

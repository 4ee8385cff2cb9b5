//! `captain audit`: who changed what in the ledger, when and why.

use super::Context;
use super::ui::{Ui, relative_time};

/// Show audit events, newest first: every change to the ledger with its actor (on a team
/// server, the token's name), time and reason.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only events about this environment (its deployments, rollbacks and locks).
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
    /// Only events by this actor.
    #[arg(long)]
    pub actor: Option<String>,
    /// Show at most this many events.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    if let Some(environment) = &args.environment {
        captain::ops::deploy::find_environment(&pipeline, environment)?;
    }
    let store = ctx.store(&pipeline)?;
    let mut events = captain::ops::audit::events(
        store.as_ref(),
        args.environment.as_deref(),
        args.actor.as_deref(),
        args.limit,
    )?;
    // On a team server, token changes are audited too; they concern no environment.
    let location = ctx.state_location(&pipeline.outline())?.location;
    if args.environment.is_none() && location.starts_with("http") {
        let server = captain::store::http::HttpStore::open(&location, "", &ctx.remote()?)?;
        let tokens = server.server_audit_events(&captain::store::AuditFilter {
            limit: Some(args.limit),
            target: None,
            actor: args.actor.clone(),
        })?;
        events = captain::ops::audit::merge(events, tokens, args.limit);
    }
    if ui.json() {
        return ui.out_json(&captain::views::ledger::AuditView { events });
    }
    if events.is_empty() {
        return ui.out("no audit events match");
    }
    let mut table = ui.table(&["when", "actor", "action", "target", "environment", "reason"]);
    for e in &events {
        table.add_row(vec![
            relative_time(ctx.now, e.at),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone(),
            captain::ops::audit::environment_of(e).unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    ui.out(&table.to_string())
}

//! `captain where REV`: where a commit is deployed.

use captain::views::where_commit;

use super::Context;
use super::ui::{Ui, relative_time, short};

/// Where a commit is: the first release containing it, the deployment that first brought
/// it to each environment, and the environments where it is and is not deployed now.
///
/// REV is anything git resolves (a short sha, a tag, HEAD~3) or, without a checkout, a
/// unique sha prefix.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The commit.
    pub rev: String,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.outline()?;
    let store = ctx.store_for_view(&pipeline)?;
    let repo = ctx.checkout()?;
    let view = where_commit::build(&pipeline, store.as_ref(), repo, &args.rev)?;
    if ui.json() {
        return ui.out_json(&view);
    }
    let mut text = format!("Deployment history for commit {}", short(&view.commit));
    if let Some(subject) = &view.subject {
        text.push_str(&format!(" \"{subject}\""));
    }
    text.push('\n');
    match view.release {
        Some(release) => text.push_str(&format!("first released in {release}\n")),
        None => text.push_str("not in any release yet\n"),
    }
    for block in &view.blocked {
        text.push_str(&format!(
            "{} is blocked by {}, {}: {}\n",
            block.release,
            block.actor,
            relative_time(ctx.now, block.since),
            block.reason
        ));
    }
    if !view.history.is_empty() {
        let mut table = ui.table(&["environment", "deployment", "release", "when"]);
        for arrival in &view.history {
            table.add_row(vec![
                arrival.environment.clone(),
                arrival.deployment.to_string(),
                arrival.release.to_string(),
                arrival
                    .finished_at
                    .map_or_else(|| "in progress".to_string(), |t| relative_time(ctx.now, t)),
            ]);
        }
        text.push_str(&format!("{table}\n"));
    }
    let short_sha = short(&view.commit);
    list(
        &mut text,
        &format!("Commit {short_sha} is currently deployed to"),
        &view.deployed_to,
    );
    list(
        &mut text,
        &format!("Commit {short_sha} is not currently deployed to"),
        &view.not_deployed_to,
    );
    ui.out(&text)
}

fn list(text: &mut String, title: &str, environments: &[String]) {
    if environments.is_empty() {
        text.push_str(&format!("{title}: (none)\n"));
        return;
    }
    text.push_str(&format!("{title}:\n"));
    for environment in environments {
        text.push_str("- ");
        text.push_str(environment);
        text.push('\n');
    }
}

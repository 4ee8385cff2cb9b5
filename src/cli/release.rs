//! `captain release create | list | show`.

use std::collections::BTreeMap;

use captain::model::{Release, ReleaseNumber};
use captain::ops::{ci, release};
use captain::store::ReleaseFilter;
use captain::views::release as views;
use captain::{Error, Result};

use super::Context;
use super::ui::{Ui, relative_time, short};

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    Create(CreateArgs),
    List(ListArgs),
    Show(ShowArgs),
    Block(BlockArgs),
    Unblock(UnblockArgs),
    Expedite(ExpediteArgs),
    Approve(ApproveArgs),
}

/// Record an immutable release of a commit (CI, after a build).
///
/// The release introduces the commits reachable from its commit and not from the previous
/// release's, and records the dependency versions of its lockfiles. Running it again for
/// the same commit and artifacts changes nothing; different artifacts are refused (exit 4),
/// and so is a commit that an existing release already contains (exit 4: releases only
/// move forward). The commit must be on the pipeline's trunk branch (the local branch or
/// origin/TRUNK); one that is not is refused (exit 3) unless released with --hotfix
/// --reason, which is recorded, audited and shown by `release show`. A shallow clone whose
/// history stops inside the new commits is refused: fetch it with `git fetch --unshallow`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The commit to release (default: GITHUB_SHA, CI_COMMIT_SHA, … then HEAD).
    #[arg(long, value_name = "REV")]
    pub commit: Option<String>,
    /// An artifact of the release, NAME=REF (an image digest, an object key); repeatable.
    #[arg(long = "artifact", value_name = "NAME=REF")]
    pub artifacts: Vec<String>,
    /// Release a commit that is not on the trunk branch (a hotfix); needs --reason.
    #[arg(long, requires = "reason")]
    pub hotfix: bool,
    /// Why the hotfix cannot wait for the trunk (recorded with the release and audited).
    #[arg(long, value_name = "TEXT", requires = "hotfix")]
    pub reason: Option<String>,
}

/// List releases, newest first.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Show at most this many.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

/// Show one release: its commit, artifacts, commits and dependencies, and what it changed.
///
/// What it changed is shown against the release it was built on (its base: for a trunk
/// release, the one before it), as `captain diff BASE vN` shows it: the files (from the
/// checkout; without one it says so), the dependency and the artifact changes.
/// `--output markdown` prints its release notes, the commits of Conventional Commits form
/// (feat:, fix(scope):, feat!: …) grouped by type.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The release, e.g. v12.
    pub release: String,
}

/// Block a bad release everywhere: it is never promoted or deployed again.
///
/// From then on `captain run`, `next`, `gate` and `deploy start` refuse the release (exit
/// 3, naming the block, who and why), and no `--force` gets past it; a promotion of it
/// waiting in front of a stage is dropped, so the newest release that is not blocked
/// waits there instead; no rollback goes to it. Deployments of it already in progress
/// finish as they would. `status`, `history`, `where` and `release list/show` mark it.
///
/// With `--rollback`, the environments running the release are rolled back to their last
/// approved release that is not blocked, through the ordinary rollback: a preview,
/// confirmation (or `--yes`), promotion locks on them. Blocking a blocked release again
/// changes nothing. Audited as `release.block`; on a team server it needs the operator role.
#[derive(Debug, clap::Args)]
pub struct BlockArgs {
    /// The release, e.g. v12.
    pub release: String,
    /// Why (required): shown wherever the release is refused, and kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
    /// Also roll back the environments running it (preview, then confirmation or --yes).
    #[arg(long)]
    pub rollback: bool,
}

/// Lift the block of a release, so it may be promoted again.
///
/// Lifting a block that is not there changes nothing and is not an error. Audited as
/// `release.unblock`; on a team server it needs the operator role.
#[derive(Debug, clap::Args)]
pub struct UnblockArgs {
    /// The release, e.g. v12.
    pub release: String,
    /// Why (required): kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
}

/// Ask to expedite an urgent release: once approved, it is deployed by the pipeline's
/// [expedite] rules.
///
/// pipeline.toml's [expedite] says what an expedited release may skip (bake times scaled
/// down or set per wave, windows kept or not) and who must approve it (`approvers`
/// distinct people `allowed` names). Once that many approved it (`captain release
/// approve vN`), `captain run`, `next` and `gate` use the expedited rules for this release
/// only, and `status` shows it. Asking twice is refused (exit 4). Audited as
/// `release.expedite`; on a team server it needs the operator role.
#[derive(Debug, clap::Args)]
pub struct ExpediteArgs {
    /// The release, e.g. v12.
    pub release: String,
    /// Why it cannot wait (required): shown to the approvers, kept in the audit log.
    #[arg(long, required = true)]
    pub reason: String,
}

/// Approve expediting a release (`captain release expedite`).
///
/// Never by the one who asked, never by the release's author, once per person, and only
/// by someone [expedite]'s `allowed` names (exit 3 or 4 otherwise). On a team server the
/// approver is the name of the token. Audited as `release.expedite.approve`, with the
/// count so far.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The release, e.g. v12.
    pub release: String,
    /// Why (kept in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

fn expedite(
    ctx: &Context,
    ui: &Ui,
    number: ReleaseNumber,
    approve: bool,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let probes = captain::exec::Probes::default();
    let view = captain::ops::rules::of(store.as_ref(), &pipeline, &probes).expedite(
        captain::ops::rules::ExpediteCommand {
            release: number,
            approve,
            actor: ctx.actor(),
            reason,
            now: ctx.now,
        },
    )?;
    if ui.json() {
        return ui.out_json(&view);
    }
    let by = if view.approved_by.is_empty() {
        "nobody approved yet".to_string()
    } else {
        format!("approved by {}", view.approved_by.join(", "))
    };
    if view.expedited {
        ui.out(&format!(
            "{number} is expedited ({by}): it is deployed by the pipeline's [expedite] rules"
        ))
    } else {
        ui.out(&format!(
            "{number}: expedite asked by {} ({}); {by}, {} more approval{} needed (`captain release approve {number}`)",
            view.asked_by,
            view.reason,
            view.missing,
            if view.missing == 1 { "" } else { "s" }
        ))
    }
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Create(args) => create(ctx, ui, args),
        Command::List(args) => list(ctx, ui, args),
        Command::Show(args) => show(ctx, ui, args),
        Command::Block(args) => block(ctx, ui, args),
        Command::Unblock(args) => unblock(ctx, ui, args),
        Command::Expedite(args) => {
            expedite(ctx, ui, args.release.parse()?, false, Some(args.reason))
        }
        Command::Approve(args) => expedite(ctx, ui, args.release.parse()?, true, args.reason),
    }
}

fn block(ctx: &Context, ui: &Ui, args: BlockArgs) -> anyhow::Result<()> {
    let number: ReleaseNumber = args.release.parse()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let blocked =
        captain::ops::block::block(store.as_ref(), number, ctx.actor(), &args.reason, ctx.now)?;
    let environments = pipeline.environment_names();
    let running: Vec<String> = store
        .environment_states(&environments)?
        .into_iter()
        .zip(&environments)
        .filter(|(state, _)| state.current.as_ref().is_some_and(|d| d.release == number))
        .map(|(_, name)| name.clone())
        .collect();
    if ui.json() && !args.rollback {
        return ui.out_json(&views::ReleaseBlocked {
            release: number,
            created: blocked.created,
            block: captain::views::BlockView::of(number, &blocked.block),
            running,
        });
    }
    let b = &blocked.block;
    if blocked.created {
        ui.out(&format!("{number} is blocked everywhere: {}", b.reason))?;
    } else {
        ui.out(&format!(
            "{number} was blocked already by {} {}: {}",
            b.actor,
            relative_time(ctx.now, b.created_at),
            b.reason
        ))?;
    }
    if running.is_empty() {
        ui.status(&format!("no environment runs {number}"));
        return Ok(());
    }
    if !args.rollback {
        ui.status(&format!(
            "{} still run{} it; roll back with `captain rollback {}`, or block with --rollback",
            running.join(", "),
            if running.len() == 1 { "s" } else { "" },
            running.join(" ")
        ));
        return Ok(());
    }
    // The ordinary rollback, once per group of environments that go back to the same
    // release (each to its last approved release that is not blocked).
    let situation = captain::ops::rollback::gather(store.as_ref(), &pipeline, &running)?;
    let mut groups: BTreeMap<Option<ReleaseNumber>, Vec<String>> = BTreeMap::new();
    for (environment, target) in situation.default_targets() {
        groups.entry(target).or_default().push(environment);
    }
    if let Some(stuck) = groups.remove(&None) {
        ui.warn(&format!(
            "{} {} no approved release before {number} to roll back to; roll back by hand with `captain rollback ENV --to vN --force`",
            stuck.join(", "),
            if stuck.len() == 1 { "has" } else { "have" }
        ));
    }
    for (target, environments) in groups {
        super::rollback::run(
            ctx,
            ui,
            super::rollback::Args {
                targets: environments,
                to: target.map(|t| t.to_string()),
                pick: false,
                reason: Some(format!("{number} is blocked: {}", b.reason)),
                dry_run: false,
                force: false,
            },
        )?;
    }
    Ok(())
}

fn unblock(ctx: &Context, ui: &Ui, args: UnblockArgs) -> anyhow::Result<()> {
    let number: ReleaseNumber = args.release.parse()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let lifted =
        captain::ops::block::unblock(store.as_ref(), number, ctx.actor(), &args.reason, ctx.now)?;
    if ui.json() {
        return ui.out_json(&views::ReleaseUnblocked {
            release: number,
            lifted,
        });
    }
    if lifted {
        ui.out(&format!("{number} is no longer blocked"))
    } else {
        ui.out(&format!("{number} was not blocked; nothing changed"))
    }
}

fn create(ctx: &Context, ui: &Ui, args: CreateArgs) -> anyhow::Result<()> {
    let artifacts = release::parse_artifacts(&args.artifacts)?;
    let repo = ctx.repo()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let rev = args
        .commit
        .or_else(|| ci::commit_from_env(&ci::process_env))
        .unwrap_or_else(|| "HEAD".to_string());
    let outcome = release::create(
        store.as_ref(),
        &repo,
        release::CreateRequest {
            rev,
            artifacts,
            trunk: pipeline.trunk.clone(),
            hotfix_reason: if args.hotfix { args.reason } else { None },
            actor: ctx.actor(),
            now: ctx.now,
        },
    )?;
    for warning in &outcome.warnings {
        ui.warn(warning);
    }
    let created = &outcome.created;
    let r = &created.release;
    if ui.json() {
        return ui.out_json(&views::ReleaseCreated::new(created));
    }
    let verb = if created.created {
        "created"
    } else {
        "already exists:"
    };
    let hotfix = r
        .hotfix
        .as_ref()
        .map_or_else(String::new, |h| format!(", a hotfix: {}", h.reason));
    ui.out(&format!(
        "{verb} {} from {} ({} new commit{}{hotfix})",
        r.number,
        short(&r.commit),
        r.commit_count,
        plural(r.commit_count)
    ))
}

fn list(ctx: &Context, ui: &Ui, args: ListArgs) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let releases = store.releases(&ReleaseFilter {
        limit: Some(args.limit),
    })?;
    let blocks = captain::ops::block::blocks(&store.locks()?);
    if ui.json() {
        return ui.out_json(&views::ReleaseList {
            releases: releases
                .iter()
                .map(|release| {
                    views::ReleaseView::from(release).blocked(blocks.get(&release.number))
                })
                .collect(),
        });
    }
    if releases.is_empty() {
        return ui.out("no releases yet; `captain release create` records one");
    }
    let mut table = ui.table(&[
        "release",
        "commit",
        "created",
        "commits",
        "actor",
        "artifacts",
    ]);
    for r in &releases {
        let mut number = r.number.to_string();
        if r.hotfix.is_some() {
            number.push_str(" (hotfix)");
        }
        if blocks.contains_key(&r.number) {
            number.push_str(" (blocked)");
        }
        table.add_row(vec![
            number,
            short(&r.commit).to_string(),
            relative_time(ctx.now, r.created_at),
            r.commit_count.to_string(),
            r.actor.clone(),
            r.artifacts.keys().cloned().collect::<Vec<_>>().join(", "),
        ]);
    }
    ui.out(&table.to_string())
}

fn show(ctx: &Context, ui: &Ui, args: ShowArgs) -> anyhow::Result<()> {
    let number: ReleaseNumber = args.release.parse()?;
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let repo = super::preview::repo(ctx, ui)?;
    let view = views::ReleaseShow::build(store.as_ref(), repo.as_ref(), number)?;
    if ui.json() {
        return ui.out_json(&view);
    }
    if ui.markdown() {
        return ui.out(&markdown_show(&view));
    }
    let release = &view.release;
    let mut text = format!(
        "release {}\ncommit    {}\ncreated   {} by {}\nbase      {}\n",
        release.release,
        release.commit,
        relative_time(ctx.now, release.created_at),
        release.actor,
        release
            .base
            .map_or_else(|| "(none: first release)".to_string(), |b| b.to_string()),
    );
    if let Some(hotfix) = &release.hotfix {
        text.push_str(&format!(
            "hotfix    {} (by {}; not on the trunk)\n",
            hotfix.reason, hotfix.actor
        ));
    }
    if let Some(block) = &release.block {
        text.push_str(&format!(
            "BLOCKED   {} (by {}, {}; never promoted or deployed)\n",
            block.reason,
            block.actor,
            relative_time(ctx.now, block.since)
        ));
    }
    text.push_str("artifacts\n");
    if release.artifacts.is_empty() {
        text.push_str("  (none)\n");
    }
    for (name, reference) in &release.artifacts {
        text.push_str(&format!("  {name} = {reference}\n"));
    }
    text.push_str(&format!("commits ({})\n", release.commit_count));
    const SHOWN: usize = 50;
    for commit in view.commits.iter().take(SHOWN) {
        let merge = if commit.merge { " (merge)" } else { "" };
        text.push_str(&format!(
            "  {} {}{} — {}\n",
            short(&commit.commit),
            commit.subject,
            merge,
            commit.author
        ));
    }
    if view.commits.len() > SHOWN {
        text.push_str(&format!("  … and {} more\n", view.commits.len() - SHOWN));
    }
    text.push_str(&format!("dependencies ({})\n", view.dependencies.len()));
    let mut lockfiles: BTreeMap<&str, usize> = BTreeMap::new();
    for dependency in &view.dependencies {
        *lockfiles.entry(dependency.lockfile.as_str()).or_default() += 1;
    }
    for (lockfile, count) in lockfiles {
        text.push_str(&format!("  {lockfile}: {count} packages\n"));
    }
    if let Some(change) = &view.changes {
        // The commits are listed above: the change set adds the files, dependency and
        // artifact changes.
        text.push('\n');
        let header = format!("changes from {} to {}", change.from, change.to);
        super::preview::render_change(ui, &mut text, &header, &[], change);
    }
    ui.out(&text)
}

/// The release's notes: against its base, or all of its commits for a first release.
fn markdown_show(view: &views::ReleaseShow) -> String {
    use super::preview::{Direction, escape, markdown_change, markdown_notes};
    let release = &view.release;
    let changes = view.changes.as_ref();
    let mut out = String::new();
    if release.hotfix.is_some() || changes.is_none() {
        out.push_str(&format!("# {}\n\n", release.release));
    }
    if let Some(hotfix) = &release.hotfix {
        out.push_str(&format!(
            "> **Hotfix** (not on the trunk): {}\n\n",
            escape(&hotfix.reason)
        ));
    }
    match changes {
        Some(change) => {
            let title = format!("{} (since {})", release.release, change.from);
            markdown_change(&mut out, &title, change, Direction::Forward);
        }
        None => {
            out.push_str(&format!(
                "The first release: **{} commit{}**, nothing before it to compare with.\n\n",
                release.commit_count,
                plural(release.commit_count)
            ));
            markdown_notes(&mut out, &view.commits, Direction::Forward);
        }
    }
    out.trim_end().to_string()
}

/// A release by number, or exit 5 naming it.
pub fn find_release(store: &dyn captain::store::Store, number: ReleaseNumber) -> Result<Release> {
    store.release(number)?.ok_or_else(|| {
        Error::not_found(format!("release {number} does not exist"))
            .with_hint("`captain release list` shows the releases")
    })
}

pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

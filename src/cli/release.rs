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
pub enum Command {
    Create(CreateArgs),
    List(ListArgs),
    Show(ShowArgs),
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

/// Show one release: its commit, artifacts, commits and dependencies.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The release, e.g. v12.
    pub release: String,
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Create(args) => create(ctx, ui, args),
        Command::List(args) => list(ctx, ui, args),
        Command::Show(args) => show(ctx, ui, args),
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
    if ui.json() {
        return ui.out_json(&views::ReleaseList {
            releases: releases.iter().map(views::ReleaseView::from).collect(),
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
        let number = match r.hotfix {
            Some(_) => format!("{} (hotfix)", r.number),
            None => r.number.to_string(),
        };
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
    let release = find_release(store.as_ref(), number)?;
    let commits = store.release_commits(number)?;
    let dependencies = store.release_dependencies(number)?;
    if ui.json() {
        return ui.out_json(&views::ReleaseShow::new(&release, commits, dependencies));
    }
    let mut text = format!(
        "release {}\ncommit    {}\ncreated   {} by {}\nbase      {}\n",
        release.number,
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
    text.push_str("artifacts\n");
    if release.artifacts.is_empty() {
        text.push_str("  (none)\n");
    }
    for (name, reference) in &release.artifacts {
        text.push_str(&format!("  {name} = {reference}\n"));
    }
    text.push_str(&format!("commits ({})\n", release.commit_count));
    const SHOWN: usize = 50;
    for commit in commits.iter().take(SHOWN) {
        let merge = if commit.is_merge() { " (merge)" } else { "" };
        text.push_str(&format!(
            "  {} {}{} — {}\n",
            short(&commit.sha),
            commit.subject,
            merge,
            commit.author
        ));
    }
    if commits.len() > SHOWN {
        text.push_str(&format!("  … and {} more\n", commits.len() - SHOWN));
    }
    text.push_str(&format!("dependencies ({})\n", dependencies.0.len()));
    let mut lockfiles: BTreeMap<&str, usize> = BTreeMap::new();
    for dependency in &dependencies.0 {
        *lockfiles.entry(dependency.lockfile.as_str()).or_default() += 1;
    }
    for (lockfile, count) in lockfiles {
        text.push_str(&format!("  {lockfile}: {count} packages\n"));
    }
    ui.out(&text)
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

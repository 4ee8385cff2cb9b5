//! The pages' HTML: maud templates (checked when captain compiles) over the CLI's views.
//! Semantic HTML that reads without colour or script: every state is words, every table
//! has headers, each page one `h1`; colour and the live script only add to it. The parts
//! a live update may replace carry `data-live` and an id.

use std::collections::BTreeMap;

use maud::{DOCTYPE, Markup, html};

use crate::error::{Error, Result};
use crate::model::{DeploymentKind, ReleaseNumber, Timestamp, short_sha};
use crate::server::registry::RegisteredPipeline;
use crate::views::deploy::GateView;
use crate::views::history::HistoryView;
use crate::views::ledger::AuditView;
use crate::views::release::ReleaseShow;
use crate::views::status::{EnvironmentStatus, LockView, StageStatus, StatusView};
use crate::views::where_commit::WhereView;

/// What every page's frame shows: who is signed in, and the pipeline it is about.
pub(crate) struct Frame {
    viewer: Option<String>,
    pipeline: Option<String>,
}

impl Frame {
    pub(crate) fn new(viewer: Option<&str>, pipeline: Option<&str>) -> Frame {
        Frame {
            viewer: viewer.map(str::to_string),
            pipeline: pipeline.map(str::to_string),
        }
    }
}

/// One row of the index.
pub(crate) struct PipelineRow {
    pub name: String,
    /// On a server: its newest registered version.
    pub version: Option<RegisteredPipeline>,
}

/// The audit page's filters, as given.
pub(crate) struct AuditFilters {
    pub environment: Option<String>,
    pub actor: Option<String>,
    pub limit: usize,
}

/// Escapes a path segment or query value.
pub(crate) fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn segment(text: &str) -> String {
    url_escape(text).replace('/', "%2F")
}

fn pipeline_url(pipeline: &str) -> String {
    format!("/pipelines/{}", segment(pipeline))
}

fn environment_url(pipeline: &str, environment: &str) -> String {
    format!(
        "{}/environments/{}",
        pipeline_url(pipeline),
        segment(environment)
    )
}

fn release_url(pipeline: &str, release: ReleaseNumber) -> String {
    format!("{}/releases/{release}", pipeline_url(pipeline))
}

fn commit_url(pipeline: &str, sha: &str) -> String {
    format!("{}/commits?rev={}", pipeline_url(pipeline), segment(sha))
}

/// "3m ago", "in 2h", as the CLI's tables say it.
pub(crate) fn relative(now: Timestamp, then: Timestamp) -> String {
    let seconds = now.as_second() - then.as_second();
    let magnitude = seconds.abs();
    let text = match magnitude {
        0..=9 => return "just now".to_string(),
        10..=59 => format!("{magnitude}s"),
        60..=3_599 => format!("{}m", magnitude / 60),
        3_600..=86_399 => format!("{}h", magnitude / 3_600),
        86_400..=604_799 => format!("{}d", magnitude / 86_400),
        604_800..=2_591_999 => format!("{}w", magnitude / 604_800),
        2_592_000..=31_535_999 => format!("{}mo", magnitude / 2_592_000),
        _ => format!("{}y", magnitude / 31_536_000),
    };
    if seconds < 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// A time to the second, RFC 3339.
fn exact(at: Timestamp) -> String {
    Timestamp::from_second(at.as_second())
        .unwrap_or(at)
        .to_string()
}

/// A time as a `<time>` element: relative words, the exact time on hover and for tools.
fn when(now: Timestamp, at: Timestamp) -> Markup {
    html! { time datetime=(exact(at)) title=(exact(at)) { (relative(now, at)) } }
}

fn layout(frame: &Frame, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · captain" }
                link rel="stylesheet" href=(super::assets::STYLE_URL);
                script src=(super::assets::SCRIPT_URL) defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    nav aria-label="Site" {
                        a.brand href="/" { "captain" }
                        @if let Some(pipeline) = &frame.pipeline {
                            ul {
                                li { a href=(pipeline_url(pipeline)) { "Pipeline " (pipeline) } }
                                li { a href=(format!("{}/commits", pipeline_url(pipeline))) { "Find a commit" } }
                                li { a href=(format!("{}/audit", pipeline_url(pipeline))) { "Audit log" } }
                            }
                        }
                    }
                    @if let Some(viewer) = &frame.viewer {
                        form.signout method="post" action="/logout" {
                            span { "Signed in as " strong { (viewer) } }
                            " "
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main #main { (body) }
                footer {
                    p #live-status role="status" { "Read-only view; it updates by itself while this tab is open." }
                }
            }
        }
    }
}

pub(crate) fn index(frame: &Frame, rows: &[PipelineRow], local: bool) -> Markup {
    layout(
        frame,
        "Pipelines",
        html! {
            h1 { "Pipelines" }
            @if rows.is_empty() {
                p { "No pipeline is registered on this server yet. An operator registers one with "
                    code { "captain pipeline push" } "." }
            } @else {
                section #pipelines data-live {
                    table.list {
                        caption { (rows.len()) " pipeline" @if rows.len() != 1 { "s" } }
                        thead { tr {
                            th scope="col" { "Pipeline" }
                            @if !local {
                                th scope="col" { "Version" }
                                th scope="col" { "Pushed by" }
                                th scope="col" { "Pushed at" }
                            }
                        } }
                        tbody {
                            @for row in rows {
                                tr {
                                    td { a href=(pipeline_url(&row.name)) { (row.name) } }
                                    @if let Some(v) = &row.version {
                                        td { "v" (v.version) }
                                        td { (v.actor) }
                                        td { time datetime=(exact(v.at)) { (exact(v.at)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub(crate) fn sign_in(next: &str, message: Option<&str>) -> Markup {
    layout(
        &Frame::new(None, None),
        "Sign in",
        html! {
            h1 { "Sign in" }
            p { "The pages of this server need an API token of role " code { "read" }
                " or higher. " code { "captain token create NAME --role read" } " makes one." }
            @if let Some(message) = message {
                p.problem role="alert" { (message) }
            }
            form.signin method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label for="token" { "API token" }
                input #token type="password" name="token" autocomplete="off" required autofocus;
                button type="submit" { "Sign in" }
            }
            p.note { "Signing in keeps a session cookie (HttpOnly, SameSite=Strict) for at most "
                (super::session::SESSION_TTL.as_secs() / 3600) " hours. The pages only read: nothing here changes the ledger." }
        },
    )
}

pub(crate) fn error(frame: &Frame, e: &Error) -> Markup {
    layout(
        frame,
        "Problem",
        html! {
            h1 { "That did not work" }
            (problem(e))
            p { a href="/" { "Back to the pipelines" } }
        },
    )
}

fn problem(e: &Error) -> Markup {
    html! {
        div.problem role="alert" {
            p { strong { (e.kind.as_str()) ": " } (e.message) }
            @if let Some(hint) = &e.hint { p { (hint) } }
        }
    }
}

/// An environment's state in words, as `captain status` says it.
fn state_words(env: &EnvironmentStatus, now: Timestamp) -> String {
    let state = match (env.deploying, env.state.as_str()) {
        (Some(release), "baking") => {
            let mut left = Vec::new();
            if let Some(until) = env.bake_until.filter(|u| *u > now) {
                left.push(format!(
                    "{} left",
                    crate::ops::gate::short_duration(until.as_second() - now.as_second())
                ));
            }
            if let Some(p) = &env.data_points
                && p.have.is_none_or(|have| have < p.need)
            {
                left.push(format!(
                    "{} of {} data points",
                    p.have.map_or_else(|| "?".to_string(), |h| h.to_string()),
                    p.need
                ));
            }
            if left.is_empty() {
                format!("baking {release}")
            } else {
                format!("baking {release} ({})", left.join(", "))
            }
        }
        (Some(release), "verifying") => match &env.step {
            Some(step) => format!("verifying {release} ({step})"),
            None => format!("verifying {release}"),
        },
        (Some(release), _) => format!("deploying {release}"),
        (None, _) => env.state.clone(),
    };
    match (&env.runner, env.since) {
        (Some(runner), Some(since)) if runner.alive == Some(false) => format!(
            "{state}, runner gone {}",
            crate::ops::gate::short_duration(now.as_second() - since.as_second())
        ),
        _ => state,
    }
}

/// The CSS class of a state (colour only adds to the words).
fn state_class(state: &str) -> &'static str {
    match state {
        "approved" => "s-ok",
        "deploying" | "verifying" | "baking" => "s-busy",
        "rolled back" | "deploy failed" | "tests failed" | "alarm fired" => "s-bad",
        "never deployed" => "s-none",
        _ => "s-other",
    }
}

fn lock_words(lock: &LockView, now: Timestamp) -> Markup {
    let direction = match lock.direction.as_str() {
        "in" => "promotions in",
        "out" => "promotions out",
        _ => "promotions",
    };
    html! {
        span.lock {
            strong { "Locked:" } " " (direction) " disabled by " strong { (lock.actor) } ", " (when(now, lock.since))
            @if !lock.reason.is_empty() { ": " q { (lock.reason) } }
        }
    }
}

pub(crate) fn pipeline(frame: &Frame, status: &StatusView, gates: &[GateView]) -> Markup {
    let now = status.generated_at;
    let pipeline = status.pipeline.as_str();
    let gate_of: BTreeMap<&str, &GateView> = gates.iter().map(|g| (g.stage.as_str(), g)).collect();
    let environments: usize = status.stages.iter().map(|s| s.environments.len()).sum();
    // Consecutive stages of one wave, in pipeline order.
    let mut waves: Vec<(Option<&str>, Vec<&StageStatus>)> = Vec::new();
    for stage in &status.stages {
        match waves.last_mut() {
            Some((wave, stages)) if *wave == stage.wave.as_deref() => stages.push(stage),
            _ => waves.push((stage.wave.as_deref(), vec![stage])),
        }
    }
    layout(
        frame,
        &format!("Pipeline {pipeline}"),
        html! {
            h1 { "Pipeline " (pipeline) }
            div #summary data-live {
                p.summary {
                    (status.stages.len()) " stages, " (environments) " environments. "
                    "Newest release: "
                    @match status.latest_release {
                        Some(r) => { a href=(release_url(pipeline, r)) { (r) } }
                        None => { "none yet" }
                    }
                    ". "
                    @if !status.in_flight.is_empty() {
                        "Running now: "
                        @for (i, r) in status.in_flight.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(release_url(pipeline, *r)) { (r) }
                        }
                        "."
                    }
                }
                @if !status.blocked.is_empty() {
                    section.blocked aria-labelledby="blocked-h" {
                        h2 #blocked-h { "Blocked releases" }
                        ul {
                            @for b in &status.blocked {
                                li { a href=(release_url(pipeline, b.release)) { (b.release) }
                                    " blocked by " strong { (b.actor) } ", " (when(now, b.since)) ": " q { (b.reason) } }
                            }
                        }
                    }
                }
            }
            div #stages data-live {
                @for (wave, stages) in &waves {
                    section.wave aria-label=(wave.unwrap_or("pre-production")) {
                        h2 { (wave.unwrap_or("pre-production")) }
                        @for stage in stages {
                            (stage_section(pipeline, stage, gate_of.get(stage.name.as_str()).copied(), now))
                        }
                    }
                }
                p.generated { "As of " time datetime=(exact(now)) { (exact(now)) } "." }
            }
        },
    )
}

fn stage_section(
    pipeline: &str,
    stage: &StageStatus,
    gate: Option<&GateView>,
    now: Timestamp,
) -> Markup {
    let id = format!("stage-{}", segment(&stage.name));
    html! {
        section.stage aria-labelledby=(id) {
            h3 #(id) { "Stage " (stage.name) }
            dl.facts {
                dt { "Waiting" }
                dd {
                    @match stage.waiting {
                        Some(r) => { a href=(release_url(pipeline, r)) { (r) } " waits to be promoted here" }
                        None => { "nothing" }
                    }
                }
                @if let Some(gate) = gate {
                    dt { "Gate" }
                    dd.gate {
                        @if gate.open { "open: " } @else { "closed: " }
                        (gate.reason)
                    }
                }
                @if !stage.superseded.is_empty() {
                    dt { "Superseded" }
                    dd {
                        @for (i, s) in stage.superseded.iter().enumerate() {
                            @if i > 0 { "; " }
                            a href=(release_url(pipeline, s.release)) { (s.release) }
                            @if let Some(by) = s.by { " by " a href=(release_url(pipeline, by)) { (by) } }
                            ", " (when(now, s.at))
                        }
                    }
                }
                @if !stage.locks.is_empty() {
                    dt { "Stage locks" }
                    dd { @for l in &stage.locks { (lock_words(l, now)) " " } }
                }
            }
            table.envs {
                caption.visually-hidden { "Environments of stage " (stage.name) }
                thead { tr {
                    th scope="col" { "Environment" }
                    th scope="col" { "Release" }
                    th scope="col" { "State" }
                    th scope="col" { "Since" }
                    th scope="col" { "Locks" }
                } }
                tbody {
                    @for env in &stage.environments {
                        @let words = state_words(env, now);
                        tr data-env=(env.name) {
                            th scope="row" data-label="Environment" { a href=(environment_url(pipeline, &env.name)) { (env.name) } }
                            td data-label="Release" {
                                @match env.release {
                                    Some(r) => { a href=(release_url(pipeline, r)) { (r) } }
                                    None => { "–" }
                                }
                            }
                            td data-label="State" { span.state.(state_class(&env.state)) { (words) } }
                            td data-label="Since" { @if let Some(since) = env.since { (when(now, since)) } @else { "–" } }
                            td data-label="Locks" {
                                @if env.locks.is_empty() { "none" }
                                @for l in &env.locks { (lock_words(l, now)) " " }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) fn history(frame: &Frame, view: &HistoryView, limit: usize, now: Timestamp) -> Markup {
    let pipeline = frame.pipeline.clone().unwrap_or_default();
    layout(
        frame,
        &format!("History of {}", view.environment),
        html! {
            h1 { "Deployment history for " (view.environment) }
            section #history data-live {
                @if view.deployments.is_empty() {
                    p { "No deployments to " (view.environment) " yet." }
                } @else {
                    table.list {
                        caption { "Newest first; at most " (limit) "." }
                        thead { tr {
                            th scope="col" { "Deployment" }
                            th scope="col" { "Release" }
                            th scope="col" { "When" }
                            th scope="col" { "Outcome" }
                            th scope="col" { "Changes" }
                            th scope="col" { "Commit ids" }
                            th scope="col" { "By" }
                        } }
                        tbody {
                            @for row in &view.deployments {
                                tr {
                                    td data-label="Deployment" { code { (row.id) } }
                                    td data-label="Release" { a href=(release_url(&pipeline, row.release)) { (row.release) }
                                        @if row.blocked { " (blocked)" } }
                                    td data-label="When" { (when(now, row.finished_at.unwrap_or(row.started_at))) }
                                    td data-label="Outcome" { span.state.(state_class(row.outcome.as_str())) { (row.outcome.as_str()) } }
                                    td data-label="Changes" {
                                        @if row.kind == DeploymentKind::Rollback { "rollback " }
                                        "+" (row.added.count) " \u{2212}" (row.removed.count)
                                    }
                                    td data-label="Commit ids" {
                                        @match (&row.commits.first, &row.commits.last) {
                                            (Some(first), Some(last)) if first != last => {
                                                a href=(commit_url(&pipeline, first)) { code { (short_sha(first, 7)) } }
                                                ".."
                                                a href=(commit_url(&pipeline, last)) { code { (short_sha(last, 7)) } }
                                            }
                                            (_, Some(one)) | (Some(one), None) => {
                                                a href=(commit_url(&pipeline, one)) { code { (short_sha(one, 7)) } }
                                            }
                                            (None, None) => {}
                                        }
                                    }
                                    td data-label="By" { (row.actor)
                                        @if let Some(reason) = &row.reason { ": " q { (reason) } } }
                                }
                            }
                        }
                    }
                    @if view.deployments.len() >= limit {
                        p { a href=(format!("{}?limit={}", environment_url(&pipeline, &view.environment), (limit * 5).min(1000))) { "Show more" } }
                    }
                }
            }
        },
    )
}

pub(crate) fn release(frame: &Frame, show: &ReleaseShow, status: &StatusView) -> Markup {
    let now = status.generated_at;
    let pipeline = status.pipeline.as_str();
    let r = &show.release;
    let number = r.release;
    layout(
        frame,
        &format!("Release {number}"),
        html! {
            h1 { "Release " (number) }
            dl.facts {
                dt { "Commit" } dd { a href=(commit_url(pipeline, &r.commit)) { code { (r.commit) } } }
                dt { "Created" } dd { (when(now, r.created_at)) " by " (r.actor) }
                dt { "Base" } dd {
                    @match r.base {
                        Some(b) => { a href=(release_url(pipeline, b)) { (b) } }
                        None => { "none: the first release" }
                    }
                }
                @if let Some(hotfix) = &r.hotfix {
                    dt { "Hotfix" } dd { (hotfix.reason) " (by " (hotfix.actor) "; not on the trunk)" }
                }
                @if let Some(block) = &r.block {
                    dt { "Blocked" } dd.problem { "by " (block.actor) ", " (when(now, block.since)) ": " q { (block.reason) }
                        " — never promoted or deployed" }
                }
            }
            section #where-now data-live aria-labelledby="where-h" {
                h2 #where-h { "Where it runs now" }
                ol.timeline {
                    @for stage in &status.stages {
                        @let running: Vec<&str> = stage.environments.iter().filter(|e| e.release == Some(number)).map(|e| e.name.as_str()).collect();
                        @let deploying: Vec<&str> = stage.environments.iter().filter(|e| e.deploying == Some(number)).map(|e| e.name.as_str()).collect();
                        @let newer = stage.environments.iter().filter(|e| e.release.is_some_and(|x| x > number)).count();
                        @let total = stage.environments.len();
                        li.(if running.len() == total { "t-all" } else if !running.is_empty() || !deploying.is_empty() { "t-some" } else { "t-none" }) {
                            strong { (stage.name) ": " }
                            @if running.is_empty() && deploying.is_empty() {
                                @if newer == total { "passed (newer releases run here)" }
                                @else if stage.waiting == Some(number) { "waiting to be promoted" }
                                @else { "not here" }
                            } @else {
                                @if !running.is_empty() { "runs in " (running.len()) " of " (total) " (" (running.join(", ")) ")" }
                                @if !running.is_empty() && !deploying.is_empty() { "; " }
                                @if !deploying.is_empty() { "deploying to " (deploying.join(", ")) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="artifacts-h" {
                h2 #artifacts-h { "Artifacts" }
                @if r.artifacts.is_empty() { p { "None." } } @else {
                    table.list {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Reference" } } }
                        tbody { @for (name, reference) in &r.artifacts { tr { td { (name) } td { code { (reference) } } } } }
                    }
                }
            }
            section aria-labelledby="commits-h" {
                h2 #commits-h { "Commits (" (r.commit_count) ")" }
                @if show.commits.is_empty() { p { "None: the same commit as its base." } } @else {
                    table.list {
                        caption.visually-hidden { "Commits introduced by " (number) ", newest first" }
                        thead { tr { th scope="col" { "Commit" } th scope="col" { "Subject" } th scope="col" { "Author" } th scope="col" { "Authored" } } }
                        tbody {
                            @for c in &show.commits {
                                tr {
                                    td data-label="Commit" { a href=(commit_url(pipeline, &c.commit)) { code { (short_sha(&c.commit, 7)) } } }
                                    td data-label="Subject" { (c.subject) @if c.merge { " (merge)" } }
                                    td data-label="Author" { (c.author) }
                                    td data-label="Authored" { (when(now, c.authored_at)) }
                                }
                            }
                        }
                    }
                }
            }
            (dependencies(show))
        },
    )
}

/// The release's dependencies and artifacts: what changed since its base (the preview
/// builder's change set, as `captain release show` prints it), then the count per lockfile.
fn dependencies(show: &ReleaseShow) -> Markup {
    let mut lockfiles: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &show.dependencies {
        *lockfiles.entry(d.lockfile.as_str()).or_default() += 1;
    }
    html! {
        section aria-labelledby="deps-h" {
            h2 #deps-h { "Dependencies (" (show.dependencies.len()) ")" }
            @if let Some(change) = &show.changes {
                @if change.dependencies.is_empty() {
                    p { "No dependency changed since " (change.from) "." }
                } @else {
                    table.list {
                        caption { "Changed since " (change.from) }
                        thead { tr { th scope="col" { "Lockfile" } th scope="col" { "Package" } th scope="col" { "Before" } th scope="col" { "Now" } } }
                        tbody {
                            @for d in &change.dependencies {
                                tr {
                                    td { (d.lockfile) } td { (d.name) }
                                    td { (d.from.as_deref().unwrap_or("(added)")) }
                                    td { (d.to.as_deref().unwrap_or("(removed)")) }
                                }
                            }
                        }
                    }
                }
            }
            @if !lockfiles.is_empty() {
                ul { @for (lockfile, count) in &lockfiles { li { code { (lockfile) } ": " (count) " packages" } } }
            }
        }
        @if let Some(change) = &show.changes {
            section aria-labelledby="artifact-changes-h" {
                h2 #artifact-changes-h { "Artifacts changed since " (change.from) }
                @if change.artifacts.is_empty() { p { "None." } } @else {
                    table.list {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Before" } th scope="col" { "Now" } } }
                        tbody {
                            @for a in &change.artifacts {
                                tr {
                                    td { (a.name) }
                                    td { code { (a.from.as_deref().unwrap_or("(none)")) } }
                                    td { code { (a.to.as_deref().unwrap_or("(none)")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) fn commit_search(
    frame: &Frame,
    rev: Option<&str>,
    found: Option<&Result<WhereView>>,
    now: Timestamp,
) -> Markup {
    let pipeline = frame.pipeline.clone().unwrap_or_default();
    layout(
        frame,
        "Find a commit",
        html! {
            h1 { "Where is my commit?" }
            form.search method="get" action=(format!("{}/commits", pipeline_url(&pipeline))) role="search" {
                label for="rev" { "Commit sha or a prefix of it (at least 4 hex digits)" }
                input #rev type="search" name="rev" value=(rev.unwrap_or("")) spellcheck="false" autocomplete="off" required;
                button type="submit" { "Find" }
            }
            section #found data-live aria-live="polite" {
                @match found {
                    None => {}
                    Some(Err(e)) => { (problem(e)) }
                    Some(Ok(view)) => { (where_view(&pipeline, view, now)) }
                }
            }
        },
    )
}

fn where_view(pipeline: &str, view: &WhereView, now: Timestamp) -> Markup {
    html! {
        h2 { "Deployment history for commit " code { (short_sha(&view.commit, 7)) } }
        p { "Full sha: " code { (view.commit) } }
        p {
            @match view.release {
                Some(r) => { "First released in " a href=(release_url(pipeline, r)) { (r) } "." }
                None => { "Not in any release yet." }
            }
        }
        @for b in &view.blocked {
            p.problem { (b.release) " is blocked by " (b.actor) ", " (when(now, b.since)) ": " q { (b.reason) } }
        }
        @if !view.history.is_empty() {
            table.list {
                caption { "The deployment that first brought it to each environment" }
                thead { tr { th scope="col" { "Environment" } th scope="col" { "Deployment" } th scope="col" { "Release" } th scope="col" { "When" } } }
                tbody {
                    @for a in &view.history {
                        tr {
                            td data-label="Environment" { a href=(environment_url(pipeline, &a.environment)) { (a.environment) } }
                            td data-label="Deployment" { code { (a.deployment) } }
                            td data-label="Release" { a href=(release_url(pipeline, a.release)) { (a.release) } }
                            td data-label="When" { @match a.finished_at { Some(t) => { (when(now, t)) } None => { "in progress" } } }
                        }
                    }
                }
            }
        }
        div.columns {
            section aria-labelledby="deployed-h" {
                h3 #deployed-h { "Currently deployed to (" (view.deployed_to.len()) ")" }
                @if view.deployed_to.is_empty() { p { "none" } }
                ul.deployed { @for e in &view.deployed_to { li { a href=(environment_url(pipeline, e)) { (e) } } } }
            }
            section aria-labelledby="not-deployed-h" {
                h3 #not-deployed-h { "Not currently deployed to (" (view.not_deployed_to.len()) ")" }
                @if view.not_deployed_to.is_empty() { p { "none" } }
                ul.not-deployed { @for e in &view.not_deployed_to { li { a href=(environment_url(pipeline, e)) { (e) } } } }
            }
        }
    }
}

pub(crate) fn audit(
    frame: &Frame,
    view: &AuditView,
    filters: &AuditFilters,
    environments: &[String],
    now: Timestamp,
) -> Markup {
    let pipeline = frame.pipeline.clone().unwrap_or_default();
    layout(
        frame,
        "Audit log",
        html! {
            h1 { "Audit log" }
            form.filters method="get" action=(format!("{}/audit", pipeline_url(&pipeline))) {
                div {
                    label for="environment" { "Environment" }
                    select #environment name="environment" {
                        option value="" selected[filters.environment.is_none()] { "any" }
                        @for e in environments {
                            option value=(e) selected[filters.environment.as_deref() == Some(e.as_str())] { (e) }
                        }
                    }
                }
                div {
                    label for="actor" { "Actor" }
                    input #actor type="text" name="actor" value=(filters.actor.as_deref().unwrap_or(""));
                }
                div {
                    label for="limit" { "At most" }
                    input #limit type="number" name="limit" min="1" max="1000" value=(filters.limit);
                }
                button type="submit" { "Filter" }
            }
            section #events data-live {
                @if view.events.is_empty() { p { "No audit events match." } } @else {
                    table.list {
                        caption { (view.events.len()) " events, newest first" }
                        thead { tr {
                            th scope="col" { "When" } th scope="col" { "Actor" } th scope="col" { "Action" }
                            th scope="col" { "Target" } th scope="col" { "Environment" } th scope="col" { "Reason" }
                        } }
                        tbody {
                            @for e in &view.events {
                                tr {
                                    td data-label="When" { (when(now, e.at)) }
                                    td data-label="Actor" { (e.actor) }
                                    td data-label="Action" { code { (e.action) } }
                                    td data-label="Target" { (e.target) }
                                    td data-label="Environment" { (crate::ops::audit::environment_of(e).unwrap_or_default()) }
                                    td data-label="Reason" { (e.reason.clone().unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

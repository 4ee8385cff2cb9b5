//! How a change set is drawn, once for every command that shows one (`rollback`, `diff`,
//! `next --preview`, `release show`): as text with tables, and as Markdown release notes
//! (`--output markdown`) for a pull-request comment or a chat message, the commits of
//! Conventional Commits form grouped by type.

use captain::Error;
use captain::git::lockfiles::Change;
use captain::git::{FileStatus, Repo};
use captain::ops::notes::{self, Group};
use captain::ops::preview::{ChangeSet, CommitLine, FilesPreview};

use super::Context;
use super::release::plural;
use super::ui::{Ui, short};

/// At most this many commits and files in the text preview (JSON lists them all).
const SHOWN: usize = 30;

/// A list of commits in the text preview: its title, and whether it is shown when empty.
pub struct Commits<'c> {
    pub title: &'static str,
    pub commits: &'c [CommitLine],
    pub when_empty: bool,
}

/// Draws `change` under `header`: the commit lists given, then the files, the dependency
/// changes and the artifacts.
pub fn render_change(
    ui: &Ui,
    out: &mut String,
    header: &str,
    lists: &[Commits<'_>],
    change: &ChangeSet,
) {
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line(header);
    for list in lists {
        let commits = list.commits;
        if commits.is_empty() && !list.when_empty {
            continue;
        }
        line(&format!("  {} ({}):", list.title, commits.len()));
        let mut table = ui.table(&["commit", "release", "author", "subject"]);
        for c in commits.iter().take(SHOWN) {
            let subject = if c.merge {
                format!("{} (merge)", c.subject)
            } else {
                c.subject.clone()
            };
            table.add_row(vec![
                short(&c.commit).to_string(),
                c.release.to_string(),
                c.author.clone(),
                subject,
            ]);
        }
        if !commits.is_empty() {
            line(&indent(&table.to_string()));
        }
        if commits.len() > SHOWN {
            line(&format!(
                "    … and {} more (--output json lists them all)",
                commits.len() - SHOWN
            ));
        }
    }
    let files = &change.files;
    if let Some(note) = &files.note {
        line(&format!("  Files: {note}"));
    } else {
        line(&format!(
            "  Files ({} changed, +{} -{}):",
            files.files_changed, files.insertions, files.deletions
        ));
        let mut table = ui.table(&["", "file", "+", "-"]);
        for f in files.files.iter().take(SHOWN) {
            let (plus, minus) = if f.binary {
                ("bin".to_string(), String::new())
            } else {
                (f.insertions.to_string(), f.deletions.to_string())
            };
            table.add_row(vec![
                status_letter(f.status).to_string(),
                file_path(f),
                plus,
                minus,
            ]);
        }
        if !files.files.is_empty() {
            line(&indent(&table.to_string()));
        }
        if files.files.len() > SHOWN {
            line(&format!("    … and {} more", files.files.len() - SHOWN));
        }
    }
    line(&format!(
        "  Dependencies ({} change{}):",
        change.dependencies.len(),
        plural(change.dependencies.len() as u64)
    ));
    if !change.dependencies.is_empty() {
        let mut table = ui.table(&["lockfile", "name", "change"]);
        for d in &change.dependencies {
            let what = match d.change() {
                Change::Changed { from, to } => format!("{from} → {to}"),
                Change::Added { version } => format!("added {version}"),
                Change::Removed { version } => format!("removed {version}"),
            };
            table.add_row(vec![d.lockfile.clone(), d.name.clone(), what]);
        }
        line(&indent(&table.to_string()));
    }
    if change.artifacts.is_empty() {
        line("  Artifacts: unchanged");
    } else {
        line("  Artifacts:");
        for a in &change.artifacts {
            line(&format!(
                "    {}: {} → {}",
                a.name,
                a.from.as_deref().unwrap_or("(none)"),
                a.to.as_deref().unwrap_or("(none)")
            ));
        }
    }
}

fn file_path(f: &captain::git::FileChange) -> String {
    match &f.old_path {
        Some(old) => format!("{old} → {}", f.path),
        None => f.path.clone(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("   {}", l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn status_letter(status: FileStatus) -> &'static str {
    match status {
        FileStatus::Added => "A",
        FileStatus::Deleted => "D",
        FileStatus::Modified => "M",
        FileStatus::Renamed => "R",
        FileStatus::Copied => "C",
        FileStatus::TypeChanged => "T",
    }
}

/// The checkout for the file summary, if there is one. One that cannot be opened leaves
/// the files out with a warning — in an incident a broken checkout must not stand in
/// the way — (the ledger still has the rest); a `--repo` given by hand
/// that fails is an error.
pub fn repo(ctx: &Context, ui: &Ui) -> Result<Option<Repo>, Error> {
    match ctx.repo_if_any() {
        Ok(repo) => Ok(repo),
        Err(e) if ctx.global.repo.is_none() => {
            ui.warn(&format!("{}; the preview leaves out the files", e.message));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Which commits of a change set the notes are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// What `to` brings (diff, next, release show): the added commits are the notes, the
    /// removed ones follow in a list of their own.
    Forward,
    /// What going back takes away (rollback): the removed commits are the notes.
    Back,
}

/// Markdown release notes of `change` under a `## title`: a summary line, the commits
/// grouped by type, the other commits, files, dependencies and artifacts.
///
/// Going forward with nothing added and something removed (a diff to an older release),
/// the removed commits are the notes.
pub fn markdown_change(out: &mut String, title: &str, change: &ChangeSet, direction: Direction) {
    let direction = if change.commits_added.is_empty() && !change.commits_removed.is_empty() {
        Direction::Back
    } else {
        direction
    };
    let (notes, notes_verb, others, others_title) = match direction {
        Direction::Forward => (
            &change.commits_added,
            "added",
            &change.commits_removed,
            "Commits removed",
        ),
        Direction::Back => (
            &change.commits_removed,
            "removed",
            &change.commits_added,
            "Commits added back",
        ),
    };
    out.push_str(&format!("## {}\n\n", escape(title)));
    let mut summary = vec![format!(
        "**{} commit{} {notes_verb}**",
        notes.len(),
        plural(notes.len() as u64)
    )];
    if !others.is_empty() {
        let verb = match direction {
            Direction::Forward => "removed",
            Direction::Back => "added back",
        };
        summary.push(format!("{} {verb}", others.len()));
    }
    if change.files.note.is_none() {
        summary.push(format!(
            "{} file{} changed (+{} −{})",
            change.files.files_changed,
            plural(change.files.files_changed as u64),
            change.files.insertions,
            change.files.deletions
        ));
    }
    summary.push(format!(
        "{} dependency change{}",
        change.dependencies.len(),
        plural(change.dependencies.len() as u64)
    ));
    out.push_str(&summary.join(" · "));
    out.push_str("\n\n");

    markdown_notes(out, notes, direction);
    if !others.is_empty() {
        out.push_str(&format!("### {others_title}\n\n"));
        for c in others {
            out.push_str(&format!(
                "- {} (`{}`, {})\n",
                escape(&c.subject),
                short(&c.commit),
                escape(&c.author)
            ));
        }
        out.push('\n');
    }
    markdown_files(out, &change.files);
    if !change.dependencies.is_empty() {
        out.push_str("### Dependencies\n\n| Lockfile | Package | From | To |\n|---|---|---|---|\n");
        for d in &change.dependencies {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                escape(&d.lockfile),
                escape(&d.name),
                d.from.as_deref().map_or("—".to_string(), code),
                d.to.as_deref().map_or("—".to_string(), code),
            ));
        }
        out.push('\n');
    }
    if !change.artifacts.is_empty() {
        out.push_str("### Artifacts\n\n");
        for a in &change.artifacts {
            out.push_str(&format!(
                "- {}: {} → {}\n",
                escape(&a.name),
                a.from.as_deref().map_or("(none)".to_string(), code),
                a.to.as_deref().map_or("(none)".to_string(), code),
            ));
        }
        out.push('\n');
    }
}

/// The commits as release notes: one `### Group` section per Conventional Commits type
/// (going back, `### Removed: group`), each commit with its scope, short sha and author.
pub fn markdown_notes(out: &mut String, notes: &[CommitLine], direction: Direction) {
    for (group, items) in notes::group(notes) {
        let heading = match direction {
            Direction::Forward => group.title().to_string(),
            Direction::Back => format!("Removed: {}", group.title()),
        };
        out.push_str(&format!("### {heading}\n\n"));
        for note in items {
            let scope = note
                .scope
                .map_or_else(String::new, |s| format!("**{}:** ", escape(s)));
            let merge = if note.commit.merge { " (merge)" } else { "" };
            let text = if group == Group::Other {
                escape(note.text)
            } else {
                capitalise(&escape(note.text))
            };
            out.push_str(&format!(
                "- {scope}{text}{merge} (`{}`, {})\n",
                short(&note.commit.commit),
                escape(&note.commit.author)
            ));
        }
        out.push('\n');
    }
}

fn markdown_files(out: &mut String, files: &FilesPreview) {
    if let Some(note) = &files.note {
        out.push_str(&format!("### Files\n\n{}\n\n", escape(note)));
        return;
    }
    if files.files.is_empty() {
        return;
    }
    out.push_str(&format!(
        "### Files\n\n<details><summary>{} file{} changed (+{} −{})</summary>\n\n",
        files.files_changed,
        plural(files.files_changed as u64),
        files.insertions,
        files.deletions
    ));
    for f in &files.files {
        let counts = if f.binary {
            "binary".to_string()
        } else {
            format!("+{} −{}", f.insertions, f.deletions)
        };
        out.push_str(&format!(
            "- {} {} ({counts})\n",
            status_letter(f.status),
            code(&file_path(f))
        ));
    }
    out.push_str("\n</details>\n\n");
}

/// Text as Markdown shows it literally (in a list item or a table cell).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code; a backtick inside widens the fence.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_is_escaped_and_code_fenced() {
        assert_eq!(escape("a_b *c* <d> | #1"), "a\\_b \\*c\\* \\<d\\> \\| \\#1");
        assert_eq!(code("x`y"), "`` x`y ``");
        assert_eq!(capitalise("add it"), "Add it");
    }
}

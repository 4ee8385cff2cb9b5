//! Release notes: commit subjects in Conventional Commits form (`feat: …`, `fix(api): …`,
//! `feat!: …`) read as their type, scope and description, and a preview's commits grouped
//! by type (Breaking changes, Features, Fixes, …, Other) for `--output markdown`.
//!
//! Only the subject line is read (the ledger records subjects, not bodies), so a breaking
//! change is the `!` form. A subject that is not in that form, or whose type is not one of
//! the usual ones, goes to Other as it is. Nothing here formats: the CLI draws the notes.

use crate::ops::preview::CommitLine;

/// A subject in Conventional Commits form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conventional<'s> {
    /// The type as written (`feat`, `Fix`, …).
    pub kind: &'s str,
    pub scope: Option<&'s str>,
    /// `feat!: …` or `feat(api)!: …`.
    pub breaking: bool,
    pub description: &'s str,
}

/// Reads `type(scope)!: description`: a type of ASCII letters, digits, `-` or `_` that
/// starts with a letter; an optional non-empty scope in parentheses; an optional `!`; a
/// colon, at least one space, and a description that is not blank. Anything else is
/// `None`.
pub fn parse(subject: &str) -> Option<Conventional<'_>> {
    let subject = subject.trim();
    let kind_end = subject
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(subject.len());
    let kind = &subject[..kind_end];
    if !kind.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut rest = &subject[kind_end..];
    let mut scope = None;
    if let Some(after) = rest.strip_prefix('(') {
        let close = after.find(')')?;
        let inner = after[..close].trim();
        if inner.is_empty() || inner.contains('(') {
            return None;
        }
        scope = Some(inner);
        rest = &after[close + 1..];
    }
    let breaking = match rest.strip_prefix('!') {
        Some(after) => {
            rest = after;
            true
        }
        None => false,
    };
    let rest = rest.strip_prefix(':')?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let description = rest.trim();
    if description.is_empty() {
        return None;
    }
    Some(Conventional {
        kind,
        scope,
        breaking,
        description,
    })
}

/// A section of the notes, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Breaking,
    Features,
    Fixes,
    Performance,
    Reverts,
    Refactoring,
    Documentation,
    Tests,
    Build,
    Ci,
    Chores,
    Style,
    Other,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Breaking => "Breaking changes",
            Group::Features => "Features",
            Group::Fixes => "Fixes",
            Group::Performance => "Performance",
            Group::Reverts => "Reverts",
            Group::Refactoring => "Refactoring",
            Group::Documentation => "Documentation",
            Group::Tests => "Tests",
            Group::Build => "Build",
            Group::Ci => "CI",
            Group::Chores => "Chores",
            Group::Style => "Style",
            Group::Other => "Other",
        }
    }

    /// The group of a Conventional Commits type (any case); `None` for an unusual one.
    fn of_kind(kind: &str) -> Option<Group> {
        Some(match kind.to_ascii_lowercase().as_str() {
            "feat" | "feature" => Group::Features,
            "fix" | "bugfix" | "hotfix" => Group::Fixes,
            "perf" => Group::Performance,
            "revert" => Group::Reverts,
            "refactor" => Group::Refactoring,
            "docs" | "doc" => Group::Documentation,
            "test" | "tests" => Group::Tests,
            "build" | "deps" => Group::Build,
            "ci" => Group::Ci,
            "chore" => Group::Chores,
            "style" => Group::Style,
            _ => return None,
        })
    }
}

/// One commit of the notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note<'c> {
    pub scope: Option<&'c str>,
    /// The description of a Conventional subject, else the whole subject.
    pub text: &'c str,
    pub commit: &'c CommitLine,
}

/// Sorts a subject: its group, scope and text.
pub fn classify(commit: &CommitLine) -> (Group, Note<'_>) {
    let parsed = parse(&commit.subject)
        .and_then(|c| Some((c.breaking, Group::of_kind(c.kind)?, c)))
        .map(|(breaking, group, c)| {
            let group = if breaking { Group::Breaking } else { group };
            (group, c.scope, c.description)
        });
    match parsed {
        Some((group, scope, text)) => (
            group,
            Note {
                scope,
                text,
                commit,
            },
        ),
        None => (
            Group::Other,
            Note {
                scope: None,
                text: commit.subject.trim(),
                commit,
            },
        ),
    }
}

/// The commits by group, groups in [`Group`] order and only those with commits; within a
/// group the commits keep their order (newest first).
pub fn group(commits: &[CommitLine]) -> Vec<(Group, Vec<Note<'_>>)> {
    let mut groups: Vec<(Group, Vec<Note<'_>>)> = Vec::new();
    for commit in commits {
        let (group, note) = classify(commit);
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, notes)) => notes.push(note),
            None => groups.push((group, vec![note])),
        }
    }
    groups.sort_by_key(|(g, _)| *g);
    groups
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::model::{ReleaseNumber, Timestamp};

    fn conventional(kind: &str, scope: Option<&str>, breaking: bool, description: &str) -> String {
        format!(
            "{kind}{}{}: {description}",
            scope.map_or_else(String::new, |s| format!("({s})")),
            if breaking { "!" } else { "" }
        )
    }

    #[test]
    fn the_forms_of_the_specification_are_read() {
        assert_eq!(
            parse("feat: add the cache"),
            Some(Conventional {
                kind: "feat",
                scope: None,
                breaking: false,
                description: "add the cache"
            })
        );
        assert_eq!(
            parse("fix(api): refuse empty bodies"),
            Some(Conventional {
                kind: "fix",
                scope: Some("api"),
                breaking: false,
                description: "refuse empty bodies"
            })
        );
        let breaking = parse("feat(api)!: drop /v1").unwrap();
        assert!(breaking.breaking);
        assert_eq!(breaking.scope, Some("api"));
        assert!(parse("refactor!: one store trait").unwrap().breaking);
        assert_eq!(parse("  docs:   spaces  ").unwrap().description, "spaces");
        assert_eq!(parse("Feat: capitalised").unwrap().kind, "Feat");
        assert_eq!(parse("feat(web-ui): dashes").unwrap().scope, Some("web-ui"));
        for kind in ["feat", "build", "my-type"] {
            let subject = conventional(kind, Some("x"), true, "d");
            assert!(parse(&subject).is_some(), "{subject}");
        }
    }

    #[test]
    fn anything_else_is_not_conventional() {
        for subject in [
            "Speed up checkout",
            "Merge branch 'chalk'",
            "feat:no space",
            "feat: ",
            "feat",
            ": description",
            "feat(): empty scope",
            "feat(api: unclosed",
            "feat(a(b)): nested",
            "fixup! feat: squash me",
            "Revert \"feat: add the cache\"",
            "1feat: starts with a digit",
            "feat !: space before the bang",
            "",
        ] {
            assert_eq!(parse(subject), None, "{subject:?}");
        }
    }

    fn line(subject: &str) -> CommitLine {
        CommitLine {
            commit: "0".repeat(40),
            author: "Ana".into(),
            subject: subject.into(),
            authored_at: Timestamp::from_second(1_800_000_000).unwrap(),
            merge: false,
            release: ReleaseNumber(1),
        }
    }

    #[test]
    fn commits_are_grouped_by_type_in_a_fixed_order() {
        let commits: Vec<CommitLine> = [
            "fix: second fix",
            "chore(deps): bump serde",
            "Speed up checkout",
            "feat(api)!: drop /v1",
            "feat: add the cache",
            "fix(web): first fix",
            "wip: unusual type",
            "perf: faster",
        ]
        .iter()
        .map(|s| line(s))
        .collect();
        let groups = group(&commits);
        let shape: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|(g, notes)| (g.title(), notes.iter().map(|n| n.text).collect()))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("Breaking changes", vec!["drop /v1"]),
                ("Features", vec!["add the cache"]),
                ("Fixes", vec!["second fix", "first fix"]),
                ("Performance", vec!["faster"]),
                ("Chores", vec!["bump serde"]),
                ("Other", vec!["Speed up checkout", "wip: unusual type"]),
            ]
        );
        assert_eq!(groups[0].1[0].scope, Some("api"));
        assert_eq!(groups[2].1[1].scope, Some("web"));
        assert!(group(&[]).is_empty());
    }
}

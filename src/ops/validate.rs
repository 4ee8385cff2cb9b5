//! `captain validate` beyond the file itself: whether the pipeline's `trunk` names a
//! branch of the repository, and whether the programs its commands run are there and
//! executable on this machine.
//!
//! The file's own problems come from the config room, which never touches git or looks
//! for programs; these checks need both, so they live here, and only `validate` runs them
//! (a CI job that records a release need not have the deploy scripts). They are reported
//! as [`Diagnostic`]s, at the place the file names the branch or the program.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use crate::config::{Diagnostic, Pipeline, Place, WrittenProgram};
use crate::error::{ErrorKind, Result, suggestion_hint};
use crate::git::Repo;

/// How many branch names a hint lists when none is close to the trunk's.
const BRANCHES_SHOWN: usize = 8;

/// Problems of a valid `pipeline` against `repo` (none about the trunk without one) and
/// this machine, whose program search path is `search_path` (`PATH`), in file order.
pub fn problems(
    pipeline: &Pipeline,
    repo: Option<&Repo>,
    search_path: Option<&OsStr>,
) -> Result<Vec<Diagnostic>> {
    let mut found = Vec::new();
    if let Some(repo) = repo {
        found.extend(trunk_problem(pipeline, repo)?);
    }
    found.extend(program_problems(pipeline, search_path));
    found.sort_by_key(|d| (d.line, d.column));
    Ok(found)
}

fn diagnostic(pipeline: &Pipeline, place: Place, message: String, hint: String) -> Diagnostic {
    Diagnostic {
        path: pipeline.source.clone(),
        line: place.line,
        column: place.column,
        message,
        hint: Some(hint),
    }
}

/// The trunk is a local branch, `origin/<trunk>`, or the branch a repository without
/// commits is on: what `release create` checks commits against.
fn trunk_problem(pipeline: &Pipeline, repo: &Repo) -> Result<Option<Diagnostic>> {
    let trunk = &pipeline.trunk;
    let place = pipeline
        .places
        .trunk
        .unwrap_or(Place { line: 1, column: 1 });
    let written = match pipeline.places.trunk {
        Some(_) => format!("`trunk` names `{trunk}`"),
        None => format!("`trunk` is not set, and its default `{trunk}`"),
    };
    match repo.has_branch(trunk) {
        Ok(true) => return Ok(None),
        Ok(false) => {}
        Err(e) if e.kind == ErrorKind::Usage => {
            return Ok(Some(diagnostic(
                pipeline,
                place,
                format!("{written}, which is not a valid branch name"),
                "set `trunk` to the branch releases come from".to_string(),
            )));
        }
        Err(e) => return Err(e),
    }
    let names = repo.branch_names();
    // `origin/master` suggests `master`: the trunk is named without its remote.
    let candidates: Vec<&str> = names
        .iter()
        .map(|n| n.strip_prefix("origin/").unwrap_or(n))
        .collect();
    let hint = suggestion_hint(trunk, candidates.iter().copied()).unwrap_or_else(|| {
        let mut unique: Vec<&str> = Vec::new();
        for name in &candidates {
            if !unique.contains(name) {
                unique.push(name);
            }
        }
        let more = if unique.len() > BRANCHES_SHOWN {
            ", …"
        } else {
            ""
        };
        unique.truncate(BRANCHES_SHOWN);
        format!(
            "set `trunk` to the branch releases come from; the repository's branches: {}{more}",
            unique.join(", ")
        )
    });
    Ok(Some(diagnostic(
        pipeline,
        place,
        format!(
            "{written}, which is no branch of the repository at {} (neither a local branch nor `origin/{trunk}`)",
            repo.root().display()
        ),
        hint,
    )))
}

/// Each program once, at its first place: one with a slash is looked for from the
/// pipeline file's directory (where the commands run), a bare name on the search path.
fn program_problems(pipeline: &Pipeline, search_path: Option<&OsStr>) -> Vec<Diagnostic> {
    let dir = pipeline
        .source
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for written in &pipeline.places.programs {
        // `{environment}` and labels are filled in per environment when the command runs;
        // which file that is cannot be told here.
        if written.program.contains('{') || !seen.insert(written.program.as_str()) {
            continue;
        }
        if let Some(problem) = program_problem(pipeline, written, dir, search_path) {
            found.push(problem);
        }
    }
    found
}

fn program_problem(
    pipeline: &Pipeline,
    written: &WrittenProgram,
    dir: &Path,
    search_path: Option<&OsStr>,
) -> Option<Diagnostic> {
    let program = &written.program;
    let kind = written.kind.as_str();
    if program.contains('/') {
        // `./deploy.sh` names dir/deploy.sh; an absolute path names itself.
        let relative: PathBuf = Path::new(program)
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect();
        let path = dir.join(relative);
        let (message, hint) = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() && is_executable(&meta) => return None,
            Ok(meta) if meta.is_file() => (
                format!(
                    "{kind} program `{program}` is not executable ({})",
                    path.display()
                ),
                format!("make it executable: chmod +x {}", path.display()),
            ),
            Ok(_) => (
                format!(
                    "{kind} program `{program}` is not a file ({})",
                    path.display()
                ),
                "name the program to run, not its directory".to_string(),
            ),
            Err(_) => (
                format!(
                    "{kind} program `{program}` does not exist: there is no {}",
                    path.display()
                ),
                format!(
                    "a relative path starts at the pipeline file's directory ({}); create the program or fix the path",
                    dir.display()
                ),
            ),
        };
        return Some(diagnostic(pipeline, written.place, message, hint));
    }
    if on_search_path(program, dir, search_path) {
        return None;
    }
    Some(diagnostic(
        pipeline,
        written.place,
        format!("{kind} program `{program}` is not on PATH"),
        format!(
            "install it, or give its path (relative to the pipeline file's directory, e.g. `./{program}`)"
        ),
    ))
}

/// Is there an executable `program` in a directory of `search_path`? An empty entry is
/// the directory the command runs in, as for `execvp`.
fn on_search_path(program: &str, dir: &Path, search_path: Option<&OsStr>) -> bool {
    let Some(search_path) = search_path else {
        return false;
    };
    std::env::split_paths(search_path).any(|entry| {
        let entry: PathBuf = if entry.as_os_str().is_empty() {
            dir.to_path_buf()
        } else {
            entry
        };
        std::fs::metadata(entry.join(program))
            .is_ok_and(|meta| meta.is_file() && is_executable(&meta))
    })
}

fn is_executable(meta: &std::fs::Metadata) -> bool {
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failing test should panic with the error it got

    use std::ffi::OsString;

    use super::*;
    use crate::config::validate_text;
    use crate::git::sandbox::Sandbox;

    fn pipeline(dir: &Path, text: &str) -> Pipeline {
        validate_text(text, &dir.join("pipeline.toml")).unwrap()
    }

    fn program(path: &Path, mode: u32) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn messages(found: &[Diagnostic]) -> Vec<String> {
        found.iter().map(|d| d.message.clone()).collect()
    }

    const STAGES: &str = "[[stages]]\nname = \"beta\"\nenvironments = [\"beta\"]\n";

    #[test]
    fn programs_are_found_from_the_pipeline_directory_or_on_the_search_path() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        program(&bin.join("tool"), 0o755);
        program(&bin.join("plain"), 0o644);
        program(&dir.path().join("deploy.sh"), 0o755);
        std::fs::create_dir_all(dir.path().join("checks")).unwrap();
        let absolute = dir.path().join("deploy.sh").display().to_string();
        let text = format!(
            "name = \"p\"\n\
             [defaults]\n\
             deploy = {{ argv = [\"./deploy.sh\"] }}\n\
             approvals = [{{ kind = \"command\", argv = [\"tool\"] }}, {{ kind = \"command\", argv = [\"plain\"] }},\n\
               {{ kind = \"command\", argv = [\"./checks\"] }}, {{ kind = \"command\", argv = [\"{absolute}\"] }},\n\
               {{ kind = \"command\", argv = [\"./{{environment}}.sh\"] }}, {{ kind = \"command\", argv = [\"plain\"] }}]\n\
             {STAGES}"
        );
        let p = pipeline(dir.path(), &text);
        let path = OsString::from(bin.as_os_str());
        let found = problems(&p, None, Some(&path)).unwrap();
        assert_eq!(
            messages(&found),
            vec![
                "approval program `plain` is not on PATH".to_string(),
                format!(
                    "approval program `./checks` is not a file ({})",
                    dir.path().join("checks").display()
                ),
            ],
            "a non-executable file on PATH is not a program; each program once"
        );
        assert_eq!((found[0].line, found[0].column), (4, 81));
        // Nothing on PATH at all, and an empty entry: the pipeline's directory.
        let found = problems(&p, None, None).unwrap();
        assert!(messages(&found).contains(&"approval program `tool` is not on PATH".to_string()));
        program(&dir.path().join("tool"), 0o755);
        let found = problems(&p, None, Some(&OsString::from(""))).unwrap();
        assert!(!messages(&found).iter().any(|m| m.contains("`tool`")));
    }

    #[test]
    fn the_trunk_must_name_a_branch_with_a_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::init(&dir.path().join("repo"), "main").unwrap();
        let head = sandbox
            .commit(&[("a", "1")], "first", "Ana", jiff::Timestamp::UNIX_EPOCH)
            .unwrap();
        sandbox.set_branch("release-2026", &head).unwrap();
        let repo = Repo::discover(&dir.path().join("repo")).unwrap();
        let check = |text: &str| {
            let p = pipeline(dir.path(), &format!("name = \"p\"\n{text}{STAGES}"));
            problems(&p, Some(&repo), None).unwrap()
        };
        assert!(check("trunk = \"main\"\n").is_empty());
        assert!(check("").is_empty(), "the default `main`");
        let found = check("trunk = \"release-2025\"\n");
        assert_eq!((found[0].line, found[0].column), (2, 9));
        assert_eq!(
            found[0].hint.as_deref(),
            Some("did you mean `release-2026`?")
        );
        let found = check("trunk = \"zzz\"\n");
        assert_eq!(
            found[0].hint.as_deref(),
            Some(
                "set `trunk` to the branch releases come from; the repository's branches: main, release-2026"
            )
        );
        let found = check("trunk = \"a..b\"\n");
        assert_eq!(
            messages(&found),
            vec!["`trunk` names `a..b`, which is not a valid branch name"]
        );
    }
}

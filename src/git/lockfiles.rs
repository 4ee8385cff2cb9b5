//! Lockfile parsers: each turns one lockfile's bytes into the resolved dependencies it
//! pins, and [`diff_snapshots`] compares two dependency snapshots for a rollback preview.
//!
//! This room knows file formats only: it never reads git, the disk or a clock, and it never
//! prints. A lockfile it cannot read is an `Err` for that file alone; the caller decides to
//! skip it with a warning (a malformed lockfile must never fail a release).
//!
//! Formats: `Cargo.lock` (the `cargo-lock` crate), `package-lock.json` and
//! `npm-shrinkwrap.json` (v1 `dependencies`, v2/v3 `packages`, through `serde_json`),
//! `yarn.lock` classic and berry (the `yarn-lock-parser` crate), `go.sum`, `poetry.lock`
//! (through `toml`), `requirements*.txt` and `Gemfile.lock` (simple line formats, read here).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Dependency, DependencySnapshot};

/// The ecosystem of a lockfile, from its file name (the last path component), or `None`
/// when the name is not one captain reads.
pub fn ecosystem_of(file_name: &str) -> Option<&'static str> {
    match file_name {
        "Cargo.lock" => Some("cargo"),
        "package-lock.json" | "npm-shrinkwrap.json" => Some("npm"),
        "yarn.lock" => Some("yarn"),
        "go.sum" => Some("go"),
        "poetry.lock" => Some("poetry"),
        "Gemfile.lock" | "gems.locked" => Some("bundler"),
        name if name.starts_with("requirements") && name.ends_with(".txt") => Some("pip"),
        _ => None,
    }
}

/// Is `file_name` (the last path component) a lockfile captain reads?
pub fn is_lockfile(file_name: &str) -> bool {
    ecosystem_of(file_name).is_some()
}

/// Parses the lockfile at `path_in_repo` (e.g. `web/package-lock.json`).
///
/// `None` when the file name is not a lockfile; `Some(Err(_))` when it is one but cannot be
/// read (the message names the path). Each dependency's `lockfile` is `path_in_repo`.
pub fn parse(path_in_repo: &str, bytes: &[u8]) -> Option<Result<Vec<Dependency>>> {
    let file_name = path_in_repo.rsplit('/').next().unwrap_or(path_in_repo);
    let ecosystem = ecosystem_of(file_name)?;
    Some(parse_as(path_in_repo, ecosystem, bytes))
}

fn parse_as(path: &str, ecosystem: &'static str, bytes: &[u8]) -> Result<Vec<Dependency>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::failed(format!("lockfile {path} is not UTF-8 text ({e})")))?;
    let pairs = match ecosystem {
        "cargo" => cargo(text),
        "npm" => npm(text),
        "yarn" => yarn(text),
        "go" => go_sum(text),
        "poetry" => poetry(text),
        "pip" => requirements(text),
        "bundler" => gemfile_lock(text),
        other => Err(format!("no parser for the {other} ecosystem")),
    }
    .map_err(|reason| Error::failed(format!("lockfile {path} could not be read: {reason}")))?;
    let mut dependencies: Vec<Dependency> = pairs
        .into_iter()
        .map(|(name, version)| Dependency {
            lockfile: path.to_string(),
            ecosystem: ecosystem.to_string(),
            name,
            version,
        })
        .collect();
    dependencies.sort();
    dependencies.dedup();
    Ok(dependencies)
}

/// `(name, version)` pairs, or why the text is not a lockfile of that kind.
type Pairs = std::result::Result<Vec<(String, String)>, String>;

/// Runs a third-party parser so that a panic on a hostile file becomes an error for that
/// file instead of aborting the release (SPEC §6: never a panic).
fn guarded<T>(
    parse: impl FnOnce() -> std::result::Result<T, String> + std::panic::UnwindSafe,
) -> std::result::Result<T, String> {
    std::panic::catch_unwind(parse)
        .unwrap_or_else(|_| Err("the parser gave up on this file".to_string()))
}

/// Every package of the lock, workspace members included (their version bumps are changes too).
fn cargo(text: &str) -> Pairs {
    let lockfile = guarded(|| cargo_lock::Lockfile::from_str(text).map_err(|e| e.to_string()))?;
    Ok(lockfile
        .packages
        .iter()
        .map(|p| (p.name.as_str().to_string(), p.version.to_string()))
        .collect())
}

/// npm lockfile v2/v3 `packages` (keyed by install path) or, for v1, the nested
/// `dependencies` tree. Workspace folders and links are the project itself, not dependencies.
fn npm(text: &str) -> Pairs {
    let root: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let root = root
        .as_object()
        .ok_or("the top level is not a JSON object")?;
    let mut out = Vec::new();
    if let Some(packages) = root.get("packages").and_then(|p| p.as_object()) {
        for (key, entry) in packages {
            // "node_modules/a/node_modules/@scope/b" installs `@scope/b`; "" is the root project.
            let Some(at) = key.rfind("node_modules/") else {
                continue;
            };
            let name = &key[at + "node_modules/".len()..];
            if entry.get("link").and_then(|l| l.as_bool()) == Some(true) || name.is_empty() {
                continue;
            }
            if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
                out.push((name.to_string(), version.to_string()));
            }
        }
    } else if let Some(dependencies) = root.get("dependencies") {
        npm_v1(dependencies, &mut out, 0)?;
    } else if root.get("lockfileVersion").is_none() {
        return Err(
            "neither `packages` nor `dependencies` nor `lockfileVersion` is present".into(),
        );
    }
    Ok(out)
}

fn npm_v1(
    dependencies: &serde_json::Value,
    out: &mut Vec<(String, String)>,
    depth: usize,
) -> std::result::Result<(), String> {
    // npm nests only as deep as conflicts require; a deeper tree is not a real lockfile.
    if depth > 64 {
        return Err("the dependency tree nests more than 64 levels".into());
    }
    let map = dependencies
        .as_object()
        .ok_or("`dependencies` is not an object")?;
    for (name, entry) in map {
        if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
            out.push((name.clone(), version.to_string()));
        }
        if let Some(nested) = entry.get("dependencies") {
            npm_v1(nested, out, depth + 1)?;
        }
    }
    Ok(())
}

/// yarn classic and berry. Berry lists the workspaces themselves (`name@workspace:…`), which
/// are the project, not dependencies.
fn yarn(text: &str) -> Pairs {
    guarded(|| {
        let lockfile = yarn_lock_parser::parse_str(text).map_err(|e| e.to_string())?;
        Ok(lockfile
            .entries
            .iter()
            .filter(|entry| {
                !entry
                    .descriptors
                    .iter()
                    .any(|(_, range)| range.starts_with("workspace:"))
            })
            .map(|entry| (entry.name.to_string(), entry.version.to_string()))
            .collect())
    })
}

/// go.sum lists `module version hash` and `module version/go.mod hash`. A version with only
/// a `/go.mod` line was read during version selection but is not built, so only versions
/// with a content hash count; the `/go.mod` twin of a built version adds nothing.
fn go_sum(text: &str) -> Pairs {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [module, version, hash] = fields[..] else {
            return Err(format!("line {} is not `module version hash`", index + 1));
        };
        if !hash.contains(':') {
            return Err(format!("line {} has no hash algorithm prefix", index + 1));
        }
        if !version.ends_with("/go.mod") {
            out.push((module.to_string(), version.to_string()));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
}

fn poetry(text: &str) -> Pairs {
    let lock: PoetryLock = toml::from_str(text).map_err(|e| e.message().to_string())?;
    Ok(lock
        .package
        .into_iter()
        .map(|p| (normalize_python_name(&p.name), p.version))
        .collect())
}

/// PEP 503 name normalisation, so `Django`, `django` and `django_` compare equal.
fn normalize_python_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_was_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_was_separator {
                out.push('-');
            }
            last_was_separator = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_was_separator = false;
        }
    }
    out
}

/// requirements*.txt: `name==version` is pinned. An unpinned requirement keeps its specifier
/// as the version (`>=2.0,<3`, `*` when there is none, `@ URL` for a direct reference), so a
/// change of constraint still shows. Options (`-r`, `--hash`, …), bare paths and URLs are
/// skipped: they name no package.
fn requirements(text: &str) -> Pairs {
    let mut out = Vec::new();
    // pip-compile continues a requirement onto `--hash` lines with a trailing backslash.
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for raw in joined.lines() {
        let line = match raw.find(" #").or_else(|| raw.starts_with('#').then_some(0)) {
            Some(at) => &raw[..at],
            None => raw,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('-') {
            continue;
        }
        // Environment markers (`; python_version < "3.8"`) and per-requirement options.
        let line = line.split(';').next().unwrap_or(line).trim();
        let line = line.split(" --").next().unwrap_or(line).trim();
        let name_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(line.len());
        let name = &line[..name_end];
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
            || line[name_end..].starts_with(['/', ':', '+'])
        {
            continue;
        }
        let mut rest = line[name_end..].trim_start();
        if rest.starts_with('[') {
            rest = rest
                .find(']')
                .map(|end| rest[end + 1..].trim_start())
                .unwrap_or("");
        }
        let version = if let Some(url) = rest.strip_prefix('@') {
            format!("@ {}", url.trim())
        } else if let Some(pinned) = rest.strip_prefix("===").or_else(|| rest.strip_prefix("==")) {
            let pinned = pinned.trim();
            if pinned.contains(',') || pinned.contains('*') {
                rest.replace(' ', "")
            } else {
                pinned.to_string()
            }
        } else if rest.is_empty() {
            "*".to_string()
        } else {
            rest.replace(' ', "")
        };
        out.push((normalize_python_name(name), version));
    }
    Ok(out)
}

/// Gemfile.lock: the `specs:` of the GEM, GIT and PATH sections list every locked gem as
/// `    name (version)` (four spaces); six spaces are that gem's own requirements.
fn gemfile_lock(text: &str) -> Pairs {
    let mut out = Vec::new();
    let mut in_specs = false;
    let mut saw_section = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            in_specs = false;
            continue;
        }
        if !line.starts_with(' ') {
            saw_section = true;
            in_specs = false;
            continue;
        }
        if line == "  specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs || line.starts_with("      ") || !line.starts_with("    ") {
            continue;
        }
        let spec = line.trim();
        let parsed = spec
            .split_once(" (")
            .and_then(|(name, rest)| Some((name, rest.strip_suffix(')')?)));
        let Some((name, version)) = parsed else {
            return Err(format!("line {} is not `name (version)`", index + 1));
        };
        out.push((name.to_string(), version.to_string()));
    }
    if !saw_section && !text.trim().is_empty() {
        return Err("no GEM, GIT or PATH section".into());
    }
    Ok(out)
}

/// What happened to one dependency between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added { version: String },
    Removed { version: String },
    Changed { from: String, to: String },
}

/// One line of a rollback preview's dependency section, in the one shape every view
/// uses for a dependency change:
/// `{"lockfile":"Cargo.lock","ecosystem":"cargo","name":"serde","from":"1.0.1","to":"1.0.0"}`,
/// `from` null for a dependency added, `to` null for one removed.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct DependencyChange {
    pub lockfile: String,
    pub ecosystem: String,
    pub name: String,
    /// The version before (null: the dependency is added).
    pub from: Option<String>,
    /// The version after (null: the dependency is removed).
    pub to: Option<String>,
}

impl DependencyChange {
    /// Added, removed or changed, with the versions.
    pub fn change(&self) -> Change {
        match (&self.from, &self.to) {
            (Some(from), Some(to)) => Change::Changed {
                from: from.clone(),
                to: to.clone(),
            },
            (Some(version), None) => Change::Removed {
                version: version.clone(),
            },
            (None, version) => Change::Added {
                version: version.clone().unwrap_or_default(),
            },
        }
    }
}

/// The dependency changes from `old` to `new`, sorted by lockfile then name.
///
/// A lockfile may hold several versions of one name (Cargo, npm, Bundler platforms). Per
/// `(lockfile, name)`, versions only in `old` and only in `new` are paired in order as
/// `Changed`; the leftovers are `Removed` or `Added`. A lockfile that appears or disappears
/// shows all its dependencies as added or removed.
pub fn diff_snapshots(old: &DependencySnapshot, new: &DependencySnapshot) -> Vec<DependencyChange> {
    type Key<'a> = (&'a str, &'a str, &'a str);
    fn versions(snapshot: &DependencySnapshot) -> BTreeMap<Key<'_>, BTreeSet<&str>> {
        let mut map: BTreeMap<Key<'_>, BTreeSet<&str>> = BTreeMap::new();
        for d in &snapshot.0 {
            map.entry((d.lockfile.as_str(), d.ecosystem.as_str(), d.name.as_str()))
                .or_default()
                .insert(d.version.as_str());
        }
        map
    }
    let old_versions = versions(old);
    let new_versions = versions(new);
    let keys: BTreeSet<&Key<'_>> = old_versions.keys().chain(new_versions.keys()).collect();
    let empty = BTreeSet::new();
    let mut changes = Vec::new();
    for key in keys {
        let before = old_versions.get(key).unwrap_or(&empty);
        let after = new_versions.get(key).unwrap_or(&empty);
        let mut gone = before.difference(after).peekable();
        let mut came = after.difference(before).peekable();
        while gone.peek().is_some() || came.peek().is_some() {
            // Paired in order: the leftovers are removed (no `to`) or added (no `from`).
            changes.push(DependencyChange {
                lockfile: key.0.to_string(),
                ecosystem: key.1.to_string(),
                name: key.2.to_string(),
                from: gone.next().map(|v| v.to_string()),
                to: came.next().map(|v| v.to_string()),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(path: &str, text: &str) -> Vec<(String, String)> {
        match parse(path, text.as_bytes()) {
            Some(Ok(deps)) => deps.into_iter().map(|d| (d.name, d.version)).collect(),
            Some(Err(e)) => panic!("{path} should parse: {e}"),
            None => panic!("{path} should be a lockfile"),
        }
    }

    fn has(list: &[(String, String)], name: &str, version: &str) -> bool {
        list.iter().any(|(n, v)| n == name && v == version)
    }

    #[test]
    fn recognises_lockfile_names() {
        for (name, eco) in [
            ("Cargo.lock", "cargo"),
            ("package-lock.json", "npm"),
            ("yarn.lock", "yarn"),
            ("go.sum", "go"),
            ("poetry.lock", "poetry"),
            ("requirements.txt", "pip"),
            ("requirements-dev.txt", "pip"),
            ("Gemfile.lock", "bundler"),
        ] {
            assert_eq!(ecosystem_of(name), Some(eco), "{name}");
        }
        for name in [
            "Cargo.toml",
            "package.json",
            "go.mod",
            "Gemfile",
            "requirements.in",
            "README.md",
        ] {
            assert!(!is_lockfile(name), "{name}");
            assert!(parse(name, b"").is_none());
        }
        let deps = parse("svc/api/go.sum", b"golang.org/x/text v0.3.7 h1:abc=\n");
        let deps = deps.and_then(|r| r.ok()).unwrap_or_default();
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].lockfile, "svc/api/go.sum");
        assert_eq!(deps[0].ecosystem, "go");
    }

    pub(crate) const CARGO_LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "0.3.0"
dependencies = [
 "serde",
 "toml 0.8.19",
 "toml 0.9.5",
]

[[package]]
name = "serde"
version = "1.0.210"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "c8e3592472072e6e22e0a54d5904d9febf8508f65fb8552499a1abc7d1078c3a"

[[package]]
name = "toml"
version = "0.8.19"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "a1ed1f98e3fdc28d6d910e6737ae6ab1a93bf1985935a1193e68f93eeb68d24e"

[[package]]
name = "toml"
version = "0.9.5"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "75129e1dc5000bfbaa9fee9d1b21f974f9fbad9daec557a521ee6e080825f6e8"
"#;

    #[test]
    fn cargo_lock_lists_every_package_and_version() {
        let deps = pairs("Cargo.lock", CARGO_LOCK);
        assert_eq!(deps.len(), 4);
        assert!(has(&deps, "serde", "1.0.210"));
        assert!(has(&deps, "toml", "0.8.19"));
        assert!(has(&deps, "toml", "0.9.5"));
        assert!(has(&deps, "app", "0.3.0"));
    }

    #[test]
    fn package_lock_v3_uses_packages_and_skips_the_project_and_links() {
        let text = r#"{
  "name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": { "name": "web", "version": "1.0.0", "dependencies": { "react": "^18.2.0" } },
    "node_modules/react": { "version": "18.2.0", "resolved": "https://registry.npmjs.org/react/-/react-18.2.0.tgz" },
    "node_modules/@babel/core": { "version": "7.23.0" },
    "node_modules/@babel/core/node_modules/semver": { "version": "6.3.1" },
    "node_modules/semver": { "version": "7.5.4" },
    "node_modules/shared": { "resolved": "packages/shared", "link": true },
    "packages/shared": { "name": "shared", "version": "0.1.0" }
  }
}"#;
        let deps = pairs("web/package-lock.json", text);
        assert_eq!(deps.len(), 4, "{deps:?}");
        assert!(has(&deps, "react", "18.2.0"));
        assert!(has(&deps, "@babel/core", "7.23.0"));
        assert!(has(&deps, "semver", "6.3.1"));
        assert!(has(&deps, "semver", "7.5.4"));
    }

    #[test]
    fn package_lock_v1_walks_nested_dependencies() {
        let text = r#"{
  "name": "old", "version": "1.0.0", "lockfileVersion": 1,
  "dependencies": {
    "express": { "version": "4.17.1", "dependencies": { "debug": { "version": "2.6.9" } } },
    "debug": { "version": "4.3.4" }
  }
}"#;
        let deps = pairs("package-lock.json", text);
        assert_eq!(deps.len(), 3);
        assert!(has(&deps, "express", "4.17.1"));
        assert!(has(&deps, "debug", "2.6.9"));
        assert!(has(&deps, "debug", "4.3.4"));
    }

    #[test]
    fn yarn_classic_and_berry() {
        let classic = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.19, lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c"
  integrity sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==
"#;
        let deps = pairs("yarn.lock", classic);
        assert_eq!(deps.len(), 2, "{deps:?}");
        assert!(has(&deps, "@babel/code-frame", "7.12.13"));
        assert!(has(&deps, "lodash", "4.17.21"));

        let berry = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 6
  cacheKey: 8

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
  checksum: eb835a2e51d381e561e508ce932ea50a8e5a68f4ebdd771ea240d3048244a8d13658acbd502cd4829768c56f2e16bdd4340b9ea141297d472517b83868e677f7
  languageName: node
  linkType: hard

"my-app@workspace:.":
  version: 0.0.0-use.local
  resolution: "my-app@workspace:."
  dependencies:
    lodash: ^4.17.21
  languageName: unknown
  linkType: soft
"#;
        let deps = pairs("yarn.lock", berry);
        assert_eq!(deps, vec![("lodash".to_string(), "4.17.21".to_string())]);
    }

    #[test]
    fn go_sum_counts_built_versions_once() {
        let text = "github.com/google/uuid v1.3.0 h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=\n\
github.com/google/uuid v1.3.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n\
golang.org/x/sys v0.0.0-20190412213103-97732733099d/go.mod h1:h1NjWce9XRLGQEsW7wpKNCjG9DtNlClVuFLEZdDNbEs=\n\
golang.org/x/sys v0.12.0 h1:CM0HF96J0hcLAwsHPJZjfdNzs0gftsLfgKt57wWHJ0o=\n\
golang.org/x/sys v0.12.0/go.mod h1:oPkhp1MJrh7nUepCBck5+mAzfO9JrbApNNgaTdGDITg=\n";
        let deps = pairs("go.sum", text);
        assert_eq!(
            deps,
            vec![
                ("github.com/google/uuid".to_string(), "v1.3.0".to_string()),
                ("golang.org/x/sys".to_string(), "v0.12.0".to_string()),
            ]
        );
        assert!(matches!(
            parse("go.sum", b"not a go sum line\n"),
            Some(Err(_))
        ));
    }

    #[test]
    fn poetry_lock_lists_packages() {
        let text = r#"# This file is automatically @generated by Poetry 1.7.1 and should not be changed by hand.

[[package]]
name = "Django"
version = "4.2.7"
description = "A high-level Python web framework."
optional = false
python-versions = ">=3.8"
files = [
    {file = "Django-4.2.7-py3-none-any.whl", hash = "sha256:e1d37c51ad26186de355cbcec16613ebdabfa9689bbade9c538835205a8abbe9"},
]

[package.dependencies]
asgiref = ">=3.6.0,<4"

[[package]]
name = "asgiref"
version = "3.7.2"
description = "ASGI specs, helper code, and adapters"
optional = false
python-versions = ">=3.7"
files = []

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0123"
"#;
        let deps = pairs("poetry.lock", text);
        assert_eq!(
            deps,
            vec![
                ("asgiref".into(), "3.7.2".into()),
                ("django".into(), "4.2.7".into())
            ]
        );
        assert!(matches!(
            parse("poetry.lock", b"[[package]\nname ="),
            Some(Err(_))
        ));
    }

    #[test]
    fn requirements_pins_and_unpinned_specifiers() {
        let text = "# via pip-compile\n\
-r base.txt\n\
--index-url https://pypi.org/simple\n\
Flask==2.3.3 \\\n    --hash=sha256:09c347a92aa7ff4a8e7f3206795f30d826654baf38b873d0744cd571ca609efc\n\
requests[socks]==2.31.0  # http\n\
urllib3>=1.26, <3\n\
typing_extensions ; python_version < \"3.10\"\n\
mylib @ https://example.com/mylib-1.0.tar.gz\n\
./local/package\n\
git+https://github.com/org/other.git#egg=other\n\
-e git+https://github.com/org/repo.git#egg=repo\n";
        let deps = pairs("requirements-prod.txt", text);
        assert!(has(&deps, "flask", "2.3.3"), "{deps:?}");
        assert!(has(&deps, "requests", "2.31.0"));
        assert!(has(&deps, "urllib3", ">=1.26,<3"));
        assert!(has(&deps, "typing-extensions", "*"));
        assert!(has(
            &deps,
            "mylib",
            "@ https://example.com/mylib-1.0.tar.gz"
        ));
        assert_eq!(deps.len(), 5, "{deps:?}");
    }

    #[test]
    fn gemfile_lock_reads_specs_of_every_source() {
        let text = "GIT\n  remote: https://github.com/org/gem.git\n  revision: abc\n  specs:\n    private_gem (0.1.0)\n\n\
GEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (7.0.8)\n      rack (~> 2.0)\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    rack (2.2.8)\n\n\
PLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  actionpack\n  private_gem!\n\nBUNDLED WITH\n   2.4.19\n";
        let deps = pairs("Gemfile.lock", text);
        assert_eq!(deps.len(), 4, "{deps:?}");
        assert!(has(&deps, "private_gem", "0.1.0"));
        assert!(has(&deps, "actionpack", "7.0.8"));
        assert!(has(&deps, "nokogiri", "1.15.4-x86_64-linux"));
        assert!(has(&deps, "rack", "2.2.8"));
    }

    #[test]
    fn malformed_lockfiles_are_errors_naming_the_file() {
        for (path, text) in [
            ("Cargo.lock", "[[package]]\nname = 3\n"),
            ("a/package-lock.json", "{ not json"),
            ("yarn.lock", "garbage"),
            ("Gemfile.lock", "    broken (\n"),
        ] {
            match parse(path, text.as_bytes()) {
                Some(Err(e)) => assert!(e.message.contains(path), "{}", e.message),
                other => panic!("{path} should fail, got {other:?}"),
            }
        }
        assert!(matches!(parse("go.sum", &[0xff, 0xfe]), Some(Err(_))));
    }

    fn dep(lockfile: &str, name: &str, version: &str) -> Dependency {
        Dependency {
            lockfile: lockfile.into(),
            ecosystem: "cargo".into(),
            name: name.into(),
            version: version.into(),
        }
    }

    #[test]
    fn diff_snapshots_pairs_versions() {
        let old = DependencySnapshot::new(vec![
            dep("Cargo.lock", "serde", "1.0.1"),
            dep("Cargo.lock", "toml", "0.8.0"),
            dep("Cargo.lock", "toml", "0.9.0"),
            dep("Cargo.lock", "gone", "1.0.0"),
            dep("Cargo.lock", "same", "2.0.0"),
        ]);
        let new = DependencySnapshot::new(vec![
            dep("Cargo.lock", "serde", "1.0.2"),
            dep("Cargo.lock", "toml", "0.9.0"),
            dep("Cargo.lock", "fresh", "0.1.0"),
            dep("Cargo.lock", "same", "2.0.0"),
            dep("b/Cargo.lock", "serde", "1.0.2"),
        ]);
        let changes = diff_snapshots(&old, &new);
        let summary: Vec<(String, String, Change)> = changes
            .iter()
            .map(|c| (c.lockfile.clone(), c.name.clone(), c.change()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "Cargo.lock".into(),
                    "fresh".into(),
                    Change::Added {
                        version: "0.1.0".into()
                    }
                ),
                (
                    "Cargo.lock".into(),
                    "gone".into(),
                    Change::Removed {
                        version: "1.0.0".into()
                    }
                ),
                (
                    "Cargo.lock".into(),
                    "serde".into(),
                    Change::Changed {
                        from: "1.0.1".into(),
                        to: "1.0.2".into()
                    }
                ),
                (
                    "Cargo.lock".into(),
                    "toml".into(),
                    Change::Removed {
                        version: "0.8.0".into()
                    }
                ),
                (
                    "b/Cargo.lock".into(),
                    "serde".into(),
                    Change::Added {
                        version: "1.0.2".into()
                    }
                ),
            ]
        );
        assert!(diff_snapshots(&new, &new).is_empty());
        let json = serde_json::to_value(&changes[2]).unwrap_or_default();
        assert_eq!(json["from"], "1.0.1");
        assert_eq!(json["to"], "1.0.2");
        assert_eq!(json["name"], "serde");
    }
}

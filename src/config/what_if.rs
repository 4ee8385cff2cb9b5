//! `captain simulate --set PATH=VALUE`: a changed copy of a pipeline file, to simulate next
//! to the pipeline as written.
//!
//! A path names keys from the top of the file, separated by dots; in an array of tables
//! (`waves`, `stages`, `wave_template.stages`) a segment picks the entry with that `name`:
//! `waves.wave-1.bake_time`, `production.window.days`, `stages.gamma.bake_time`. A value
//! is read as TOML (`true`, `3`, `["a", "b"]`, `{ days = "mon-fri" }`), and as a string
//! when it is not TOML (`6h`, `mon-fri`). Missing tables on the way are created. The
//! changed text is checked like any pipeline file.

use crate::error::{Error, Result};

/// The pipeline text with each `PATH=VALUE` of `changes` applied, in order.
pub fn apply_changes(text: &str, changes: &[String]) -> Result<String> {
    let mut root: toml::Table = toml::from_str(text)
        .map_err(|e| Error::usage(format!("the pipeline file is not valid TOML: {e}")))?;
    for change in changes {
        let Some((path, value)) = change.split_once('=') else {
            return Err(
                Error::usage(format!("--set `{change}` has no `=`")).with_hint(HINT.to_string())
            );
        };
        let segments: Vec<&str> = path.trim().split('.').map(str::trim).collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(Error::usage(format!(
                "--set `{change}`: the path `{path}` has an empty part"
            ))
            .with_hint(HINT.to_string()));
        }
        set(&mut root, &segments, parse_value(value.trim()), change)?;
    }
    toml::to_string(&root)
        .map_err(|e| Error::internal(format!("cannot write the changed pipeline: {e}")))
}

const HINT: &str = "e.g. --set 'waves.wave-1.bake_time=6h' --set 'production.window.days=mon-fri'";

fn parse_value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("value = {text}"))
        .ok()
        .and_then(|mut t| t.remove("value"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

fn set(table: &mut toml::Table, path: &[&str], value: toml::Value, change: &str) -> Result<()> {
    let (first, rest) = match path {
        [first, rest @ ..] => (*first, rest),
        [] => return Ok(()),
    };
    if rest.is_empty() {
        table.insert(first.to_string(), value);
        return Ok(());
    }
    let entry = table
        .entry(first.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    // `window = "always"` and the like become a table to set a key in.
    if !matches!(entry, toml::Value::Table(_) | toml::Value::Array(_)) {
        *entry = toml::Value::Table(toml::Table::new());
    }
    match entry {
        toml::Value::Table(inner) => set(inner, rest, value, change),
        toml::Value::Array(items) => {
            let name = rest[0];
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("name").and_then(|n| n.as_str()).map(String::from))
                .collect();
            let found = items
                .iter_mut()
                .find(|i| i.get("name").and_then(|n| n.as_str()) == Some(name));
            match found {
                Some(toml::Value::Table(inner)) if rest.len() > 1 => {
                    set(inner, &rest[1..], value, change)
                }
                Some(_) => Err(Error::usage(format!(
                    "--set `{change}`: say which key of `{first}.{name}` to set"
                ))
                .with_hint(HINT.to_string())),
                None => Err(Error::usage(format!(
                    "--set `{change}`: `{first}` has no entry named `{name}`"
                ))
                .with_hint(
                    match crate::error::suggestion_hint(name, names.iter().map(String::as_str)) {
                        Some(hint) => hint,
                        None => format!("its entries: {}", names.join(", ")),
                    },
                )),
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

    const EXAMPLE: &str = include_str!("../../pipeline.example.toml");

    fn changed(changes: &[&str]) -> crate::config::Pipeline {
        let changes: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
        let text = apply_changes(EXAMPLE, &changes).unwrap_or_else(|e| panic!("{e:?}"));
        crate::config::validate_text(&text, Path::new("what-if.toml"))
            .unwrap_or_else(|d| panic!("{d:?}"))
    }

    #[test]
    fn a_change_reaches_the_stages_that_inherit_it() {
        let p = changed(&[
            "waves.wave-1.wave_bake_time=6h",
            "waves.wave-2.window.days=mon-fri",
            "production.bake_time = 1h",
            "stages.gamma.bake_time=0s",
        ]);
        let stage = |name: &str| p.stage(name).unwrap_or_else(|| panic!("no stage {name}"));
        assert_eq!(
            stage("wave-1-az3").wave_bake_time,
            Duration::from_secs(6 * 3600)
        );
        assert_eq!(
            stage("wave-3-az1").settings.bake_time,
            Duration::from_secs(3600)
        );
        assert_eq!(stage("gamma").settings.bake_time, Duration::ZERO);
        let days = stage("wave-2-az1").settings.window.as_ref().map(|w| w.days);
        assert_eq!(days, Some([true, true, true, true, true, false, false]));
        // Everything else is as written.
        let days = stage("wave-1-az1").settings.window.as_ref().map(|w| w.days);
        assert_eq!(days, Some([true, true, true, true, false, false, false]));
        assert_eq!(p.environment_names().len(), 160);
    }

    #[test]
    fn a_bad_change_says_what_is_wrong() {
        let err = |change: &str| {
            apply_changes(EXAMPLE, &[change.to_string()])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("waves.wave-1.bake_time").contains("no `=`"));
        assert!(err("waves.wave-9.bake_time=1h").contains("no entry named `wave-9`"));
        assert!(err("waves..bake_time=1h").contains("empty part"));
        assert!(err("waves.wave-1=1h").contains("which key"));
    }

    #[test]
    fn a_what_if_meets_the_same_commits_and_shows_what_the_change_buys() {
        use crate::engine::{SimulationConfig, simulate};
        let text = r#"
name = "p"
[[stages]]
name = "beta"
environments = ["beta"]
[[waves]]
name = "wave-1"
bake_time = "2h"
stages = [{ name = "prod", environments = ["prod-1", "prod-2"] }]
"#;
        let load = |text: &str| {
            crate::config::validate_text(text, Path::new("p.toml"))
                .unwrap_or_else(|d| panic!("{d:?}"))
        };
        let as_written = load(text);
        let changed = load(
            &apply_changes(text, &["waves.wave-1.bake_time=30m".to_string()])
                .unwrap_or_else(|e| panic!("{e:?}")),
        );
        let start = "2026-03-02T00:00:00Z"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let mut config = SimulationConfig::typical(start, 5);
        config.merges_per_day = 4.0;
        let before = simulate(&as_written, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let after = simulate(&changed, &config).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(before.releases, after.releases);
        assert_eq!(before.failures.bad_releases, after.failures.bad_releases);
        let median = |r: &crate::engine::SimulationReport| r.waves[1].median_secs.unwrap_or(0);
        // 10 min in beta, 10 min deploy, then 2 h or 30 min of bake.
        assert_eq!(median(&before), 1200 + 7200);
        assert_eq!(median(&after), 1200 + 1800);
    }
}

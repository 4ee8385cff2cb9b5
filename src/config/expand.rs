//! Wave expansion and inheritance: turns what the file says (pre-production stages, a wave
//! template, waves of regions, overrides) into the ordered list of stages with their
//! environments and effective settings.
//!
//! Placeholders in `[wave_template]`: `{wave}` (the wave's name), `{region}`, `{az}` (an
//! entry of `azs`) and `{n}` (its 1-based position). Stage names may use `{wave}`, `{az}`,
//! `{n}`; environment names may use all four.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use super::diagnostic::Sink;
use super::schema::Wave;
use super::validate::{Partial, Raw};
use super::{Environment, Pipeline, Stage};
use crate::error::suggestion_hint;

type Span = Range<usize>;

struct Pending {
    name: String,
    span: Span,
    wave: Option<String>,
    environments: Vec<(Environment, Span)>,
    settings: Partial,
    wave_bake_time: Duration,
}

/// Replaces `{name}` placeholders from `vars`; an unknown or unavailable placeholder is an error.
pub(crate) fn render(
    template: &str,
    vars: &[(&str, &str)],
    allowed: &str,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in `{template}`"))?;
        let key = &after[..close];
        match vars.iter().find(|(k, _)| *k == key) {
            Some((_, value)) => out.push_str(value),
            None => {
                return Err(format!(
                    "placeholder `{{{key}}}` cannot be used in `{template}`; {allowed}"
                ));
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

pub(crate) fn expand(raw: Raw, sink: &mut Sink<'_>, source: PathBuf) -> Pipeline {
    let mut pending: Vec<Pending> = Vec::new();
    for stage in &raw.stages {
        pending.push(Pending {
            name: stage.name.clone(),
            span: stage.span.clone(),
            wave: None,
            environments: stage
                .environments
                .iter()
                .map(|(name, span)| {
                    (
                        Environment {
                            name: name.clone(),
                            labels: BTreeMap::new(),
                        },
                        span.clone(),
                    )
                })
                .collect(),
            settings: raw.defaults.overlay(&stage.settings),
            wave_bake_time: Duration::ZERO,
        });
    }

    let mut waves = Vec::new();
    for wave in &raw.waves {
        let wave_settings = raw
            .defaults
            .overlay(&raw.production)
            .overlay(&wave.settings);
        let first = pending.len();
        for stage in &wave.stages {
            pending.push(Pending {
                name: stage.name.clone(),
                span: stage.span.clone(),
                wave: Some(wave.name.clone()),
                environments: stage
                    .environments
                    .iter()
                    .map(|(name, span)| {
                        let labels = BTreeMap::from([("wave", wave.name.clone())]);
                        (
                            Environment {
                                name: name.clone(),
                                labels,
                            },
                            span.clone(),
                        )
                    })
                    .collect(),
                settings: wave_settings.overlay(&stage.settings),
                wave_bake_time: Duration::ZERO,
            });
        }
        if !wave.regions.is_empty() {
            let Some(template) = &raw.template else {
                sink.error(
                    wave.span.clone(),
                    format!("wave `{}` lists regions but the file has no [wave_template] to expand them", wave.name),
                    Some("add [wave_template] with `azs` and `stages`, or list the wave's `stages`".into()),
                );
                continue;
            };
            let azs = wave.azs.as_ref().unwrap_or(&template.azs);
            // Without AZs each template stage expands once, with `{az}` and `{n}` unavailable.
            let passes: Vec<Option<(usize, &String)>> = if azs.is_empty() {
                vec![None]
            } else {
                azs.iter().enumerate().map(Some).collect()
            };
            for pass in passes {
                for t in &template.stages {
                    let n = pass.map(|(i, _)| (i + 1).to_string());
                    let mut vars = vec![("wave", wave.name.as_str())];
                    if let (Some((_, az)), Some(n)) = (pass, n.as_deref()) {
                        vars.push(("az", az.as_str()));
                        vars.push(("n", n));
                    }
                    let allowed = if pass.is_some() {
                        "stage names may use {wave}, {az} and {n}"
                    } else {
                        "stage names may use {wave} ({az} and {n} need `azs`)"
                    };
                    let name = match render(&t.name, &vars, allowed) {
                        Ok(name) => name,
                        Err(message) => {
                            sink.error(t.name_span.clone(), message, None);
                            continue;
                        }
                    };
                    let mut environments = Vec::new();
                    for (region, region_span) in &wave.regions {
                        let mut env_vars = vars.clone();
                        env_vars.push(("region", region.as_str()));
                        let allowed = if pass.is_some() {
                            "environment names may use {wave}, {region}, {az} and {n}"
                        } else {
                            "environment names may use {wave} and {region} ({az} and {n} need `azs`)"
                        };
                        match render(&t.environment, &env_vars, allowed) {
                            Ok(env) => {
                                let mut labels = BTreeMap::from([
                                    ("wave", wave.name.clone()),
                                    ("region", region.clone()),
                                ]);
                                if let Some((i, az)) = pass {
                                    labels.insert("az", az.clone());
                                    labels.insert("az_index", (i + 1).to_string());
                                }
                                environments
                                    .push((Environment { name: env, labels }, region_span.clone()));
                            }
                            Err(message) => sink.error(t.environment_span.clone(), message, None),
                        }
                    }
                    pending.push(Pending {
                        name,
                        span: t.name_span.clone(),
                        wave: Some(wave.name.clone()),
                        environments,
                        settings: wave_settings.overlay(&t.settings),
                        wave_bake_time: Duration::ZERO,
                    });
                }
            }
        }
        // The wave's own bake is carried by its last stage.
        let wave_bake_time = wave.wave_bake_time.unwrap_or(Duration::ZERO);
        if let Some(last) = pending[first..].last_mut() {
            last.wave_bake_time = wave_bake_time;
        }
        waves.push(Wave {
            name: wave.name.clone(),
            wave_bake_time,
            regions: wave.regions.iter().map(|(r, _)| r.clone()).collect(),
            stages: pending[first..].iter().map(|p| p.name.clone()).collect(),
        });
    }

    for (name, span, settings) in &raw.overrides {
        match pending.iter_mut().find(|p| &p.name == name) {
            Some(p) => p.settings = p.settings.overlay(settings),
            None => {
                let hint = suggestion_hint(name, pending.iter().map(|p| p.name.as_str()))
                    .or_else(|| Some("run `captain plan` to list the stages".into()));
                sink.error(
                    span.clone(),
                    format!("unknown stage `{name}` in [overrides]"),
                    hint,
                );
            }
        }
    }

    check_duplicates(&pending, sink);
    let mut seen_waves: HashMap<&str, &Span> = HashMap::new();
    for wave in &raw.waves {
        if let Some(first) = seen_waves.insert(&wave.name, &wave.span) {
            let (line, column) = sink.position(first.start);
            sink.error(
                wave.span.clone(),
                format!("duplicate wave name `{}`", wave.name),
                Some(format!("first defined at line {line}, column {column}")),
            );
        }
    }
    // With other problems reported, an empty list is their consequence, not news.
    if pending.is_empty() && sink.diagnostics.is_empty() {
        sink.error(
            0..0,
            "the pipeline has no stages",
            Some("add [[stages]] or [[waves]]".into()),
        );
    }

    let stages = pending
        .into_iter()
        .map(|p| {
            let production = p.wave.is_some();
            let mut settings = p.settings.resolve(production);
            let own = std::mem::take(&mut settings.freezes);
            settings.freezes = raw.freezes.iter().cloned().chain(own).collect();
            Stage {
                settings,
                wave_bake_time: p.wave_bake_time,
                name: p.name,
                wave: p.wave,
                environments: p.environments.into_iter().map(|(e, _)| e).collect(),
            }
        })
        .collect();
    Pipeline {
        name: raw.name,
        trunk: raw.trunk,
        timezone: raw.timezone,
        tz: raw.tz,
        state: raw.state,
        prometheus: raw.prometheus,
        alertmanager: raw.alertmanager,
        alarms: raw.alarms,
        freezes: raw.freezes,
        groups: raw.groups,
        expedite: raw.expedite,
        waves,
        stages,
        source,
        digest: String::new(),
        places: raw.places,
        notify: raw.notify,
    }
}

fn check_duplicates(pending: &[Pending], sink: &mut Sink<'_>) {
    // Sized up front: growing a map rehashes every key it holds.
    let mut stages: HashMap<&str, &Span> = HashMap::with_capacity(pending.len());
    let mut envs: HashMap<&str, (&str, &Span)> =
        HashMap::with_capacity(pending.iter().map(|p| p.environments.len()).sum());
    for p in pending {
        if let Some(first) = stages.insert(&p.name, &p.span) {
            let hint = if *first == p.span {
                "this template makes the same name more than once; include {az} or {n}".to_string()
            } else {
                let (line, column) = sink.position(first.start);
                format!("first defined at line {line}, column {column}")
            };
            sink.error(
                p.span.clone(),
                format!("duplicate stage name `{}`", p.name),
                Some(hint),
            );
        }
        for (env, span) in &p.environments {
            if let Some((stage, first)) = envs.insert(&env.name, (&p.name, span)) {
                let (line, column) = sink.position(first.start);
                sink.error(
                    span.clone(),
                    format!("duplicate environment `{}` (also in stage `{stage}`)", env.name),
                    Some(format!("an environment belongs to exactly one stage; first defined at line {line}, column {column}")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn render_replaces_and_rejects_unknown_placeholders() {
        let vars = [("region", "us-east-1"), ("az", "a")];
        assert_eq!(
            render("prod-{region}{az}-onebox", &vars, ""),
            Ok("prod-us-east-1a-onebox".to_string())
        );
        assert!(
            render("prod-{regoin}", &vars, "x")
                .err()
                .unwrap_or_default()
                .contains("`{regoin}`")
        );
        assert!(
            render("prod-{region", &vars, "")
                .err()
                .unwrap_or_default()
                .contains("unclosed")
        );
        assert_eq!(render("plain", &vars, ""), Ok("plain".to_string()));
    }
}

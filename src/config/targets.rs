//! What a name given on the command line stands for (`captain rollback wave-2 beta`,
//! `captain status prod`, `captain promotions disable wave-1`): an environment, a stage or
//! a wave of the expanded pipeline, with the stages and environments it covers.

use serde::Serialize;

use super::Pipeline;
use crate::error::{Error, Result, suggestion_hint};

/// The kind of thing a target names. A name that is more than one of them is taken as the
/// first of environment, stage, wave (an environment named like its one-environment
/// stage, a wave named like its only stage: they cover the same environments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Environment,
    Stage,
    Wave,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Environment => "environment",
            TargetKind::Stage => "stage",
            TargetKind::Wave => "wave",
        }
    }
}

/// One target, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Target {
    /// The name as given.
    pub name: String,
    pub kind: TargetKind,
    /// The stages it covers, in pipeline order (for an environment, its own stage).
    pub stages: Vec<String>,
    /// The environments it covers, in pipeline order.
    pub environments: Vec<String>,
    /// An environment whose name is a stage's too (often its own stage's, which may have
    /// more environments): see [`Pipeline::stage_target`].
    #[serde(skip)]
    pub also_stage: bool,
}

impl Pipeline {
    /// Resolves one target name, or `not found` with a did-you-mean over the
    /// environments, stages and waves.
    pub fn target(&self, name: &str) -> Result<Target> {
        if let Some((stage, environment)) = self.environment(name) {
            return Ok(Target {
                name: name.to_string(),
                kind: TargetKind::Environment,
                stages: vec![stage.name.clone()],
                environments: vec![environment.name.clone()],
                also_stage: self.stage(name).is_some(),
            });
        }
        if let Some(target) = self.stage_target(name) {
            return Ok(target);
        }
        if self.waves.iter().any(|w| w.name == name) {
            let stages: Vec<&super::Stage> = self
                .stages
                .iter()
                .filter(|s| s.wave.as_deref() == Some(name))
                .collect();
            return Ok(Target {
                name: name.to_string(),
                kind: TargetKind::Wave,
                stages: stages.iter().map(|s| s.name.clone()).collect(),
                environments: stages
                    .iter()
                    .flat_map(|s| s.environments.iter().map(|e| e.name.clone()))
                    .collect(),
                also_stage: false,
            });
        }
        let error = Error::not_found(format!(
            "`{name}` is not an environment, a stage or a wave of pipeline `{}`",
            self.name
        ));
        let environments = self.environment_names();
        let names = environments
            .iter()
            .map(String::as_str)
            .chain(self.stages.iter().map(|s| s.name.as_str()))
            .chain(self.waves.iter().map(|w| w.name.as_str()));
        Err(match suggestion_hint(name, names) {
            Some(hint) => error.with_hint(hint),
            None => error.with_hint("`captain plan` lists the waves, stages and environments"),
        })
    }

    /// The stage `name` as a target, if there is one (for a name that is an environment's
    /// too, which [`Pipeline::target`] takes as the environment).
    pub fn stage_target(&self, name: &str) -> Option<Target> {
        let stage = self.stage(name)?;
        Some(Target {
            name: name.to_string(),
            kind: TargetKind::Stage,
            stages: vec![stage.name.clone()],
            environments: stage.environments.iter().map(|e| e.name.clone()).collect(),
            also_stage: false,
        })
    }

    /// Resolves every name, in the order given; the first unknown one is the error.
    pub fn targets(&self, names: &[String]) -> Result<Vec<Target>> {
        names.iter().map(|name| self.target(name)).collect()
    }
}

/// The environments the targets cover, each once: target by target as given, each
/// target's in pipeline order (an environment a later target covers again counts where
/// it first came).
pub fn environments_of(targets: &[Target]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    targets
        .iter()
        .flat_map(|t| t.environments.iter())
        .filter(|e| seen.insert(e.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    use super::*;
    use crate::ErrorKind;

    const PIPELINE: &str = r#"
name = "shop"

[[stages]]
name = "beta"
environments = ["beta"]

[[stages]]
name = "gamma"
environments = ["gamma-1", "gamma-2"]

[[waves]]
name = "wave-1"
stages = [{ name = "prod-1", environments = ["prod-1a", "prod-1b"] }]

[[waves]]
name = "wave-2"
stages = [
  { name = "prod-2", environments = ["prod-2a"] },
  { name = "prod-3", environments = ["prod-3a", "prod-3b"] },
]
"#;

    fn pipeline() -> Pipeline {
        crate::config::validate_text(PIPELINE, Path::new("pipeline.toml")).unwrap()
    }

    #[test]
    fn names_resolve_to_environments_stages_and_waves() {
        let p = pipeline();
        let beta = p.target("beta").unwrap();
        assert_eq!(beta.kind, TargetKind::Environment);
        assert!(beta.also_stage);
        assert_eq!(beta.stages, vec!["beta"]);

        let gamma = p.target("gamma").unwrap();
        assert_eq!(gamma.kind, TargetKind::Stage);
        assert_eq!(gamma.environments, vec!["gamma-1", "gamma-2"]);
        assert!(!gamma.also_stage);

        let wave = p.target("wave-2").unwrap();
        assert_eq!(wave.kind, TargetKind::Wave);
        assert_eq!(wave.stages, vec!["prod-2", "prod-3"]);
        assert_eq!(wave.environments, vec!["prod-2a", "prod-3a", "prod-3b"]);

        let env = p.target("prod-3b").unwrap();
        assert_eq!(env.kind, TargetKind::Environment);
        assert_eq!(env.stages, vec!["prod-3"]);
    }

    #[test]
    fn environments_are_listed_once_in_the_order_of_the_targets() {
        let p = pipeline();
        let names: Vec<String> = ["prod-3b", "wave-2", "beta", "gamma-2", "gamma"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let targets = p.targets(&names).unwrap();
        assert_eq!(
            environments_of(&targets),
            vec![
                "prod-3b", "prod-2a", "prod-3a", "beta", "gamma-2", "gamma-1"
            ]
        );
    }

    #[test]
    fn an_unknown_name_suggests_any_kind() {
        let p = pipeline();
        for (typo, meant) in [("wave-22", "wave-2"), ("gama", "gamma"), ("betta", "beta")] {
            let error = p.target(typo).unwrap_err();
            assert_eq!(error.kind, ErrorKind::NotFound);
            assert!(error.message.contains(typo), "{}", error.message);
            assert_eq!(
                error.hint.as_deref(),
                Some(format!("did you mean `{meant}`?").as_str())
            );
        }
        let error = p
            .targets(&["beta".into(), "nothing-like-it".into()])
            .unwrap_err();
        assert!(error.message.contains("nothing-like-it"));
        assert!(error.hint.unwrap().contains("captain plan"));
    }
}

//! A configured command made concrete for one environment and one release: placeholders
//! filled in with [`Environment::render`], and the `CAPTAIN_*` variables of SPEC §2 added
//! to its environment.
//!
//! Pure: it builds a [`CommandSpec`]; running it is [`super::process`]'s job.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::process::CommandSpec;
use crate::config::{DeployCommand, Environment};
use crate::model::{DeploymentId, ReleaseNumber};

/// What a command is told about the deployment it works for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptainVars {
    pub release: ReleaseNumber,
    /// Full sha of the release's commit.
    pub commit: String,
    pub environment: String,
    pub stage: String,
    /// `None` for a check that belongs to no single deployment (a stage's approval step).
    pub deployment_id: Option<DeploymentId>,
    pub rollback: bool,
    /// Artifact name → reference, as recorded with the release.
    pub artifacts: BTreeMap<String, String>,
}

impl CaptainVars {
    /// `CAPTAIN_RELEASE=v12`, `CAPTAIN_COMMIT`, `CAPTAIN_ENVIRONMENT`, `CAPTAIN_STAGE`,
    /// `CAPTAIN_DEPLOYMENT_ID` (when there is one), `CAPTAIN_ROLLBACK=1|0` and one
    /// `CAPTAIN_ARTIFACT_<NAME>` per artifact.
    pub fn to_env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        env.insert("CAPTAIN_RELEASE".to_string(), self.release.to_string());
        env.insert("CAPTAIN_COMMIT".to_string(), self.commit.clone());
        env.insert("CAPTAIN_ENVIRONMENT".to_string(), self.environment.clone());
        env.insert("CAPTAIN_STAGE".to_string(), self.stage.clone());
        if let Some(id) = &self.deployment_id {
            env.insert("CAPTAIN_DEPLOYMENT_ID".to_string(), id.to_string());
        }
        env.insert(
            "CAPTAIN_ROLLBACK".to_string(),
            if self.rollback { "1" } else { "0" }.to_string(),
        );
        for (name, reference) in &self.artifacts {
            env.insert(artifact_var(name), reference.clone());
        }
        env
    }
}

/// `CAPTAIN_ARTIFACT_` + the artifact name upper-cased, with every character that is not
/// an ASCII letter or digit written as `_` (`web-image` → `CAPTAIN_ARTIFACT_WEB_IMAGE`).
pub fn artifact_var(name: &str) -> String {
    let suffix: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("CAPTAIN_ARTIFACT_{suffix}")
}

/// A command from the configuration, for `environment` when there is one: argv and `env`
/// values rendered (`{environment}`, `{region}`, …), the `CAPTAIN_*` variables of `vars`
/// added. On a name clash the `CAPTAIN_*` value wins, so a command can rely on them.
pub fn command_spec(
    argv: &[String],
    env: &BTreeMap<String, String>,
    timeout: Duration,
    environment: Option<&Environment>,
    vars: Option<&CaptainVars>,
    cwd: Option<PathBuf>,
) -> CommandSpec {
    let render = |text: &String| match environment {
        Some(environment) => environment.render(text),
        None => text.clone(),
    };
    let mut full_env: BTreeMap<String, String> =
        env.iter().map(|(k, v)| (k.clone(), render(v))).collect();
    if let Some(vars) = vars {
        full_env.extend(vars.to_env());
    }
    CommandSpec {
        argv: argv.iter().map(render).collect(),
        env: full_env,
        timeout,
        cwd,
    }
}

/// The deploy command of a stage, ready to run for one deployment into `environment`.
pub fn deploy_spec(
    command: &DeployCommand,
    environment: &Environment,
    vars: &CaptainVars,
    cwd: Option<PathBuf>,
) -> CommandSpec {
    command_spec(
        &command.argv,
        &command.env,
        command.timeout,
        Some(environment),
        Some(vars),
        cwd,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;

    fn vars() -> CaptainVars {
        CaptainVars {
            release: ReleaseNumber(12),
            commit: "a".repeat(40),
            environment: "prod-eu-1a".to_string(),
            stage: "prod-eu-1a".to_string(),
            deployment_id: Some(DeploymentId("deploy-1d5fb5".to_string())),
            rollback: true,
            artifacts: BTreeMap::from([
                ("web-image".to_string(), "sha256:abc".to_string()),
                ("db.schema".to_string(), "s3://x/y".to_string()),
            ]),
        }
    }

    #[test]
    fn artifact_names_become_upper_case_with_underscores() {
        assert_eq!(artifact_var("web-image"), "CAPTAIN_ARTIFACT_WEB_IMAGE");
        assert_eq!(
            artifact_var("db.schema v2"),
            "CAPTAIN_ARTIFACT_DB_SCHEMA_V2"
        );
        assert_eq!(artifact_var("é"), "CAPTAIN_ARTIFACT__");
    }

    #[test]
    fn deploy_spec_renders_placeholders_and_adds_captain_variables() {
        let environment = Environment {
            name: "prod-eu-1a".to_string(),
            labels: BTreeMap::from([("region", "eu".to_string())]),
        };
        let command = DeployCommand {
            argv: vec![
                "deploy.sh".to_string(),
                "--to={environment}".to_string(),
                "{region}".to_string(),
                "{unknown}".to_string(),
            ],
            timeout: Duration::from_secs(5),
            env: BTreeMap::from([
                ("TARGET".to_string(), "/srv/{region}".to_string()),
                ("CAPTAIN_RELEASE".to_string(), "spoofed".to_string()),
            ]),
        };
        let spec = deploy_spec(&command, &environment, &vars(), None);
        assert_eq!(
            spec.argv,
            ["deploy.sh", "--to=prod-eu-1a", "eu", "{unknown}"]
        );
        assert_eq!(spec.timeout, Duration::from_secs(5));
        let get = |k: &str| spec.env.get(k).map(String::as_str);
        assert_eq!(get("TARGET"), Some("/srv/eu"));
        assert_eq!(get("CAPTAIN_RELEASE"), Some("v12"));
        assert_eq!(get("CAPTAIN_COMMIT"), Some("a".repeat(40).as_str()));
        assert_eq!(get("CAPTAIN_ENVIRONMENT"), Some("prod-eu-1a"));
        assert_eq!(get("CAPTAIN_STAGE"), Some("prod-eu-1a"));
        assert_eq!(get("CAPTAIN_DEPLOYMENT_ID"), Some("deploy-1d5fb5"));
        assert_eq!(get("CAPTAIN_ROLLBACK"), Some("1"));
        assert_eq!(get("CAPTAIN_ARTIFACT_WEB_IMAGE"), Some("sha256:abc"));
        assert_eq!(get("CAPTAIN_ARTIFACT_DB_SCHEMA"), Some("s3://x/y"));
    }

    #[test]
    fn no_deployment_id_means_no_variable() {
        let mut vars = vars();
        vars.deployment_id = None;
        vars.rollback = false;
        let env = vars.to_env();
        assert!(!env.contains_key("CAPTAIN_DEPLOYMENT_ID"));
        assert_eq!(env.get("CAPTAIN_ROLLBACK").map(String::as_str), Some("0"));
    }
}

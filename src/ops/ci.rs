//! What CI systems tell us through the environment: the commit being built and who
//! triggered it. Read through a lookup function so tests need not touch the process
//! environment.

/// Variables naming the commit under build, in the order they are tried.
pub const COMMIT_VARIABLES: &[&str] = &[
    "CAPTAIN_COMMIT",
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
    "BUILDKITE_COMMIT",
    "CIRCLE_SHA1",
    "GIT_COMMIT",
    "TRAVIS_COMMIT",
    "BITBUCKET_COMMIT",
    "DRONE_COMMIT_SHA",
];

/// Variables naming the person or bot behind the run, in the order they are tried.
pub const ACTOR_VARIABLES: &[&str] = &[
    "CAPTAIN_ACTOR",
    "GITHUB_ACTOR",
    "GITLAB_USER_LOGIN",
    "BUILDKITE_BUILD_CREATOR",
    "CIRCLE_USERNAME",
    "BITBUCKET_STEP_TRIGGERER_UUID",
    "DRONE_COMMIT_AUTHOR",
    "USER",
    "USERNAME",
];

fn first_set(variables: &[&str], lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    variables
        .iter()
        .filter_map(|name| lookup(name))
        .map(|value| value.trim().to_string())
        .find(|value| !value.is_empty())
}

/// The commit a CI run is building, if its environment says.
pub fn commit_from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    first_set(COMMIT_VARIABLES, lookup)
}

/// Who is acting: the CI's user variables, then the login name, then the name of the
/// user this process runs as, then "unknown".
pub fn actor_from_env(lookup: &dyn Fn(&str) -> Option<String>) -> String {
    first_set(ACTOR_VARIABLES, lookup).unwrap_or_else(|| {
        nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map_or_else(|| "unknown".to_string(), |user| user.name)
    })
}

/// Reads the real process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_variables_win_over_the_login_name() {
        let env = |name: &str| match name {
            "GITHUB_SHA" => Some("abc123".to_string()),
            "GITHUB_ACTOR" => Some("octocat".to_string()),
            "USER" => Some("root".to_string()),
            _ => None,
        };
        assert_eq!(commit_from_env(&env).as_deref(), Some("abc123"));
        assert_eq!(actor_from_env(&env), "octocat");
    }

    #[test]
    fn gitlab_variables_are_read() {
        let env = |name: &str| match name {
            "CI_COMMIT_SHA" => Some("def456".to_string()),
            "GITLAB_USER_LOGIN" => Some("tanuki".to_string()),
            _ => None,
        };
        assert_eq!(commit_from_env(&env).as_deref(), Some("def456"));
        assert_eq!(actor_from_env(&env), "tanuki");
    }

    #[test]
    fn nothing_set_falls_back_to_the_process_user() {
        let env = |_: &str| None;
        assert_eq!(commit_from_env(&env), None);
        let expected = nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map_or_else(|| "unknown".to_string(), |user| user.name);
        assert_eq!(actor_from_env(&env), expected);
    }
}

//! The committed completions/ and man/ must be what the binary generates, and the help
//! must be fast to reach and complete.

use super::common::TestEnv;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "captain.bash"),
    ("zsh", "_captain"),
    ("fish", "captain.fish"),
    ("elvish", "captain.elv"),
    ("powershell", "_captain.ps1"),
];

fn project_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_completions_are_fresh() {
    let env = TestEnv::local();
    for (shell, file) in SHELLS {
        let generated = env.run(&["completions", shell]).ok().stdout;
        let path = project_dir().join("completions").join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            generated.trim_end() == committed.trim_end(),
            "{} is stale: regenerate with `cargo run -- completions {shell} > completions/{file}`",
            path.display()
        );
    }
}

#[test]
fn committed_man_pages_are_fresh() {
    let env = TestEnv::local();
    let out = env.path().join("man");
    env.run(&["man", out.to_str().expect("utf-8 path")]).ok();
    let committed_dir = project_dir().join("man");
    let mut generated: Vec<String> = std::fs::read_dir(&out)
        .expect("generated man dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    let mut committed: Vec<String> = std::fs::read_dir(&committed_dir)
        .map(|dir| {
            dir.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    committed.sort();
    assert_eq!(
        generated, committed,
        "man/ is stale: regenerate with `cargo run -- man man`"
    );
    for name in generated {
        let a = std::fs::read_to_string(out.join(&name)).expect("generated page");
        let b = std::fs::read_to_string(committed_dir.join(&name)).expect("committed page");
        assert!(
            a == b,
            "man/{name} is stale: regenerate with `cargo run -- man man`"
        );
    }
}

#[test]
fn help_documents_the_exit_codes() {
    let env = TestEnv::local();
    let help = env.run(&["--help"]).ok().stdout;
    for line in [
        "0  ok",
        "2  usage",
        "3  blocked",
        "4  conflict",
        "5  not found",
    ] {
        assert!(help.contains(line), "--help lacks `{line}`");
    }
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let env = TestEnv::local();
    env.run(&["status", "--no-such-flag"]).code(2);
}

//! `captain init`: write a starter pipeline.toml from a template.

use captain::Error;
use captain::config::templates;

use super::Context;
use super::ui::Ui;

/// Write a starter pipeline.toml. In a terminal, choose the template from a list;
/// otherwise name it with --template.
///
/// Its `trunk` is the repository's default branch (what origin/HEAD points at, else the
/// current branch), or `main` outside a repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template (see --list).
    #[arg(long)]
    pub template: Option<String>,
    /// List the templates and exit.
    #[arg(long)]
    pub list: bool,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let all = templates();
    if args.list {
        let lines: Vec<String> = all
            .iter()
            .map(|t| format!("{:<10} {}", t.name, t.description))
            .collect();
        return ui.out(&lines.join("\n"));
    }
    let template = match &args.template {
        Some(name) => all
            .iter()
            .find(|t| t.name == name.as_str())
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|t| t.name).collect();
                Error::usage(format!("unknown template `{name}`"))
                    .with_hint(format!("choose one of: {}", names.join(", ")))
            })?,
        None if ui.stdin_is_terminal && ui.stderr_is_terminal => {
            let items: Vec<String> = all
                .iter()
                .map(|t| format!("{} — {}", t.name, t.description))
                .collect();
            let chosen = dialoguer::Select::new()
                .with_prompt("Which pipeline do you want to start from?")
                .items(&items)
                .default(0)
                .interact_opt()
                .map_err(|e| Error::failed(format!("cannot read your choice: {e}")))?;
            match chosen {
                Some(index) => &all[index],
                None => return Err(Error::usage("no template chosen; nothing was written").into()),
            }
        }
        None => {
            let names: Vec<&str> = all.iter().map(|t| t.name).collect();
            return Err(Error::usage(
                "choose a template with --template (there is no terminal to ask in)",
            )
            .with_hint(format!("templates: {}", names.join(", ")))
            .into());
        }
    };
    let path = ctx.pipeline_path();
    if path.exists() && !args.force {
        return Err(Error::conflict(format!(
            "{} already exists; nothing was written",
            path.display()
        ))
        .with_hint("pass --force to overwrite it")
        .into());
    }
    let trunk = ctx
        .repo_if_any()?
        .and_then(|repo| repo.default_branch())
        .unwrap_or_else(|| "main".to_string());
    std::fs::write(&path, template.text_for_trunk(&trunk))
        .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))?;
    ui.out(&format!(
        "wrote {} from the `{}` template with trunk `{trunk}`; check it with `captain validate`",
        path.display(),
        template.name
    ))
}

//! `captain token create | list | revoke`: API tokens of the team server.

use std::path::PathBuf;

use captain::Error;
use captain::server::Database;
use captain::server::auth::{NewToken, Role, TokenInfo};
use captain::server::db::ServerDb;
use captain::store::http::HttpStore;

use super::Context;
use super::ui::{Ui, relative_time};

#[derive(Debug, clap::Subcommand)]
#[command(defer = true)] // as `cli::Command`: arguments built when used
pub enum Command {
    Create(CreateArgs),
    List(ListArgs),
    Revoke(RevokeArgs),
}

/// Where the tokens are: the team server (an admin token in CAPTAIN_TOKEN), or, on the
/// server's machine, its database directly (how the first admin token is made).
#[derive(Debug, clap::Args)]
pub struct Target {
    /// Work on the server's database directly instead of through the server
    /// (sqlite:DIR or postgres://…).
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// With --database: the SQLite file holding the tokens, if not the default.
    #[arg(long, value_name = "PATH", requires = "database")]
    pub auth_db: Option<PathBuf>,
}

/// Create an API token and print its secret, once (it is stored only hashed).
///
/// Roles: read (views), deploy (CI: releases, deployment records, logs), operator
/// (rollbacks, locks, --force overrides), admin (tokens, imports); each includes the ones
/// before it. The name of a revoked token is not given again.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The token's name, recorded as the actor of what it changes (e.g. ci-github, alice).
    pub name: String,
    /// What the token may do.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Let the token record the actor its client names (CI's GITHUB_ACTOR) instead of the
    /// token's name.
    #[arg(long)]
    pub delegate: bool,
    /// Why (recorded in the audit log)
    #[arg(long)]
    pub reason: Option<String>,
    /// Limit the token to this pipeline (repeat for several); without it the token
    /// reaches every pipeline. Requests for any other pipeline are refused (403, exit 1).
    #[arg(long = "limit-to", value_name = "PIPELINE")]
    pub limit_to: Vec<String>,
    /// The idempotency key of this creation: running the same command again with the same
    /// key (within a day) prints the same token and secret instead of failing. Without it
    /// a fresh key still covers the command's own retries.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    #[command(flatten)]
    pub target: Target,
}

/// List the tokens (never their secrets).
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub target: Target,
}

/// Revoke a token: the server refuses it from now on.
///
/// The command returns once every replica of the server refuses the token (about a
/// second after the revocation is recorded).
#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    pub name: String,
    /// Why (recorded in the audit log)
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub target: Target,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse::<Role>().map_err(|e| e.message)
}

enum Tokens {
    Direct(ServerDb),
    Server(HttpStore),
}

fn open(ctx: &Context, target: &Target) -> anyhow::Result<Tokens> {
    if let Some(database) = &target.database {
        let database = Database::parse(database)?;
        return Ok(Tokens::Direct(ServerDb::open_for(
            &database,
            target.auth_db.as_deref(),
        )?));
    }
    let url = ctx.server_url()?;
    let remote = ctx.remote()?;
    Ok(Tokens::Server(HttpStore::open(&url, "", &remote)?))
}

pub fn run(ctx: &Context, ui: &Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Create(args) => {
            let new = NewToken {
                name: args.name,
                role: args.role,
                delegate: args.delegate,
                reason: args.reason,
                pipelines: args.limit_to,
            };
            let key = args.idempotency_key.as_deref();
            let created = match open(ctx, &args.target)? {
                Tokens::Direct(db) => db.create_token_keyed(&new, &ctx.actor(), ctx.now, key)?.0,
                Tokens::Server(server) => match key {
                    Some(key) => server.create_token_with_key(&new, key)?,
                    None => server.create_token(&new)?,
                },
            };
            if ui.json() {
                return ui.out_json(&created);
            }
            let reach = if created.token.pipelines.is_empty() {
                String::new()
            } else {
                format!(", limited to {}", created.token.pipelines.join(", "))
            };
            ui.status(&format!(
                "created token `{}` with role {}{reach}; its secret is shown this once:",
                created.token.name, created.token.role
            ));
            ui.out(&created.secret)
        }
        Command::List(args) => {
            let tokens = match open(ctx, &args.target)? {
                Tokens::Direct(db) => db.tokens()?,
                Tokens::Server(server) => server.list_tokens()?,
            };
            if ui.json() {
                return ui.out_json(&captain::views::ledger::TokenList { tokens });
            }
            if tokens.is_empty() {
                return ui.out("no tokens yet");
            }
            let mut table = ui.table(&[
                "name",
                "role",
                "pipelines",
                "delegate",
                "created",
                "by",
                "revoked",
            ]);
            for t in &tokens {
                table.add_row(row(ctx, t));
            }
            ui.out(&table.to_string())
        }
        Command::Revoke(args) => {
            let revoked = match open(ctx, &args.target)? {
                Tokens::Direct(db) => {
                    let revoked =
                        db.revoke_token(&args.name, &ctx.actor(), args.reason.as_deref(), ctx.now)?;
                    // Servers on this database forget the token within this long.
                    std::thread::sleep(captain::server::db::REVOCATION_SETTLES);
                    revoked
                }
                Tokens::Server(server) => {
                    server.revoke_token(&args.name, args.reason.as_deref())?
                }
            };
            if ui.json() {
                return ui.out_json(&revoked);
            }
            ui.out(&format!("revoked token `{}`", revoked.name))
        }
    }
}

fn row(ctx: &Context, t: &TokenInfo) -> Vec<String> {
    vec![
        t.name.clone(),
        t.role.to_string(),
        if t.pipelines.is_empty() {
            "all".to_string()
        } else {
            t.pipelines.join(", ")
        },
        if t.delegate { "yes" } else { "no" }.to_string(),
        relative_time(ctx.now, t.created_at),
        t.created_by.clone(),
        t.revoked_at
            .map(|at| relative_time(ctx.now, at))
            .unwrap_or_default(),
    ]
}

/// For callers outside this file: a token command needs a server or a database.
pub fn no_server() -> Error {
    Error::usage("token commands need a team server: --state https://… (or CAPTAIN_STATE), or --database on the server's machine")
        .with_hint("e.g. captain token create ci --role deploy --database sqlite:/var/lib/captain")
}

//! `captain ui`: the web view of the local ledger.

use std::net::SocketAddr;

use captain::Error;

use super::Context;
use super::ui::Ui;

/// Open the pipeline in a browser: the read-only web pages of `captain serve` (the
/// pipeline, each environment's history, releases, commit search, the audit log) over
/// this pipeline's ledger, updating by themselves while the tab is open.
///
/// It listens on loopback only unless --listen says otherwise (the pages have no sign-in
/// here: anyone who can reach the address reads the ledger), prints the URL, and stops on
/// Ctrl-C. The ledger is the one every other command uses (--state, CAPTAIN_STATE, the
/// pipeline's [state]); a team server's pages are at its own URL.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8710", value_name = "ADDR")]
    pub listen: String,
    /// Open the page in the default browser (xdg-open, open).
    #[arg(long)]
    pub open: bool,
}

pub fn run(ctx: &Context, ui: &Ui, args: Args) -> anyhow::Result<()> {
    let pipeline = ctx.pipeline()?;
    let store = ctx.store(&pipeline)?;
    let name = pipeline.name.clone();
    if let Ok(addr) = args.listen.parse::<SocketAddr>()
        && !addr.ip().is_loopback()
    {
        ui.status(&format!(
            "captain ui: listening on {addr}, beyond this machine: anyone who reaches it reads the ledger (the pages have no sign-in here)"
        ));
    }
    let open = args.open;
    captain::server::web::serve_local(
        pipeline,
        store,
        &args.listen,
        super::common::fresh_now,
        |addr| {
            let url = format!("http://{addr}/pipelines/{name}");
            let _ = ui.out(&format!("captain ui: {url}"));
            if open {
                open_browser(ui, &url);
            }
        },
    )
    .map_err(|e: Error| e.into())
}

/// Hands the URL to the desktop's browser; a machine without one only says so.
fn open_browser(ui: &Ui, url: &str) {
    for opener in ["xdg-open", "open"] {
        let started = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if started.is_ok() {
            return;
        }
    }
    ui.status("captain ui: no browser opener (xdg-open) here: open the URL above yourself");
}

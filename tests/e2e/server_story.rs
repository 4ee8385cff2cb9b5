//! The shared store story against the HTTP client store talking to a real `captain
//! serve` over SQLite, for the chapters whose operations a server carries as they are
//! (releases and their rules). The chapters that record deployments, rollbacks and the
//! loop's decisions straight into the ledger run on SQLite and PostgreSQL only: a team
//! server decides those writes itself, with the pipeline it holds (see
//! `crate::ops::rules`), which the CLI's end-to-end tests exercise on both backends.

#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

use captain::store::Store;

use super::server_harness::Server;
use super::store_story;

/// The story's pipeline as the server holds it (the story speaks to the ledger
/// directly; the server only needs the pipeline registered, with the stages the story
/// names in its locks and freezes: a server refuses a lock of a name its definition
/// does not have).
pub const STORY_PIPELINE: &str = "name = \"app\"\n[[stages]]\nname = \"beta\"\nenvironments = [\"beta\"]\n\
     [[stages]]\nname = \"gamma\"\nenvironments = [\"gamma\"]\n\
     [[stages]]\nname = \"prod\"\nenvironments = [\"prod\"]\n";

/// A fresh, empty ledger per call: a new server on its own database directory.
fn with_servers(test: impl FnOnce(store_story::MakeStore)) {
    let dir = tempfile::tempdir().unwrap();
    let servers = RefCell::new(Vec::new());
    let make = || -> Box<dyn Store> {
        let n = servers.borrow().len();
        let server = Server::start(&dir.path().join(format!("server-{n}")));
        server.register(STORY_PIPELINE);
        let store = server.store("app");
        servers.borrow_mut().push(server);
        Box::new(store)
    };
    test(&make);
}

#[test]
fn http_passes_story_releases() {
    with_servers(store_story::story_releases);
}

#[test]
fn http_passes_story_release_rules() {
    with_servers(store_story::story_release_rules);
}

#[test]
fn http_passes_story_freezes() {
    with_servers(store_story::story_freezes);
}

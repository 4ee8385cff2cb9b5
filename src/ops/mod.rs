//! Whole operations that combine configuration, git and the store: what a command does,
//! minus argument parsing and drawing. Callers pass the current time in.

pub mod audit;
pub mod block;
pub mod ci;
pub mod definition;
pub mod deploy;
pub mod events;
pub mod expedite;
pub mod freeze;
pub mod gate;
pub mod notes;
pub mod notify;
pub mod outline;
pub mod pass;
pub mod preview;
pub mod promotions;
pub mod release;
pub mod rollback;
pub mod rules;
pub mod state;
pub mod validate;

use crate::error::{Error, Result};
use crate::server::auth::{self, Caller, Denied, Role};
use crate::store::Store;

/// Refuses `what` at once when the store's token has a role below `needed` (the team
/// server's 403, with its message), before a command reads git or computes a preview the
/// server would refuse at the end. A local ledger allows everything; the server checks
/// every change again whatever this says.
pub fn require_role(store: &dyn Store, needed: Role, what: &str) -> Result<()> {
    let Some(token) = store.token()? else {
        return Ok(());
    };
    match auth::require(&Caller::Token(token), needed, what) {
        Ok(_) => Ok(()),
        Err(Denied::Forbidden(message) | Denied::Unauthenticated(message)) => {
            Err(Error::failed(message).with_hint(auth::FORBIDDEN_HINT))
        }
    }
}

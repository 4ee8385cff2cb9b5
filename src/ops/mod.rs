//! Whole operations that combine configuration, git and the store: what a command does,
//! minus argument parsing and drawing. Callers pass the current time in.

pub mod audit;
pub mod ci;
pub mod deploy;
pub mod gate;
pub mod pass;
pub mod promotions;
pub mod release;
pub mod rollback;
pub mod state;
pub mod validate;

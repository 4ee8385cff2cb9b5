//! captain — a release captain for trunk-based teams.
//!
//! The library holds every rule; the `captain` binary (`src/main.rs`, `src/cli/`) is a
//! thin layer that parses arguments, calls into these rooms and draws the results.
//!
//! - [`config`]: `pipeline.toml` — schema, validation with positions, wave expansion.
//! - [`model`]: releases, deployments, locks, audit events — plain data.
//! - [`git`]: captain's own view of a git repository (git2 never leaks out), and the
//!   lockfile parsers behind dependency snapshots.
//! - [`store`]: the ledger behind one trait; one module per backend.
//! - [`exec`]: the executors — deploy commands as child processes, approval steps, alarm
//!   sources (Prometheus, Alertmanager, commands); they do what the engine decides.
//! - [`ops`]: whole operations that combine config, git and store (create a release,
//!   record a deployment).
//! - [`views`]: status, history and where, as plain data for a table or JSON renderer.
//! - [`engine`]: promotion decisions as a pure function of state, pipeline, time and signals.
//! - [`runner`]: `captain run`, the loop that applies the engine's decisions and drives the executors.
//! - [`demo`]: the self-contained tour behind `captain demo`.

pub mod config;
pub mod demo;
pub mod engine;
pub mod error;
pub mod exec;
pub mod git;
pub mod input;
pub mod model;
pub mod ops;
pub mod runner;
pub mod store;
pub mod views;

pub use error::{Error, ErrorKind, Result};
pub mod server;

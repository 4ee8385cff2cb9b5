//! End-to-end tests: the real `captain` binary against temporary git repositories and
//! temporary state, with a clean environment and a pinned clock; and the store test story
//! every backend must pass. One test binary.

mod common;

mod approvals;
mod ci_bake;
mod ci_retry;
mod cli_backends;
mod cli_blockers;
mod cli_concurrency;
mod cli_errors;
mod cli_generated;
mod cli_history;
mod cli_hostile_input;
mod cli_metrics;
mod cli_release;
mod cli_schemas;
mod cli_state;
mod cli_status;
mod cli_validate;
mod cli_where;
mod diff_preview;
mod events;
mod exec_http;
mod exec_process;
mod exec_services;
mod expedite;
mod freeze;
mod notify;
mod pg_harness;
mod release_block;
mod rollback_concurrency;
mod rollback_preview;
mod rollback_promotions;
mod rollback_story;
mod rollback_targets;
mod rollback_terminal;
mod run_loop;
mod run_metrics;
mod run_once;
mod scenario;
mod server_bounds;
mod server_cli;
mod server_dashboards;
mod server_harness;
mod server_hostile;
mod server_pipelines;
mod server_postgres;
mod server_prometheus;
mod server_story;
mod server_tls;
mod server_tokens;
mod store_postgres;
mod store_story;
mod web_driver;
mod web_pages;

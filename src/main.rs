//! The `captain` binary: one call into the CLI runner, which maps errors to exit codes.

mod cli;

fn main() {
    std::process::exit(cli::main());
}

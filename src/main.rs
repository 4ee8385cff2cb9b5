//! The `captain` binary: parse arguments, run one command, map errors to exit codes.

fn main() {}

//! Lockfile parsers: each turns one lockfile's bytes into resolved dependencies.

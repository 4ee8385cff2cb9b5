//! The SQLite ledger: the embedded default, one file per pipeline.

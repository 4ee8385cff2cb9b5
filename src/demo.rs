//! `captain demo`: a self-contained tour in a temporary directory.

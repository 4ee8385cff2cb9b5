//! Whole operations that combine configuration, git and the store: what a command does,
//! minus argument parsing and drawing.

//! Backend-independent reasoning behind `locate_commit`: which releases contain a commit,
//! given the releases that introduced it and each release's base.

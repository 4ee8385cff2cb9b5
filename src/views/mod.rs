//! The views — status, history, where — as plain data that a table renderer and a JSON
//! renderer both take. Nothing here formats text; the JSON field names are the stable
//! shapes of SPEC §3 (new fields may be added, none renamed).

pub mod history;
pub mod status;
pub mod where_commit;

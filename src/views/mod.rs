//! The views — status, history, where — as plain data that a table renderer and a JSON
//! renderer both take. Nothing here formats text.

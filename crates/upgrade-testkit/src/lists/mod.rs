//! What tests the `Upgrade` and `Connection` lists: how a list is laid out as field lines
//! ([`render`]), the generators of lists and raw field lines ([`generate`]), and the list
//! properties as checks ([`checks`]).

pub mod checks;
pub mod generate;
pub mod render;

//! Mutations: changes to server state, with their effect on the query cache. Components call
//! these and never the action client directly for writes.

pub mod auth;
pub mod delete;
pub mod upload;

//! Mutations: changes to server state, with their effect on the query cache. Components call
//! these and never the action client directly for writes.

pub mod auth;
pub mod courses;
pub mod delete;
pub mod optimistic;
pub mod upload;
pub mod videos;

//! What the suites share: a server in-process ([`app`]) or as a real process ([`server`]),
//! and a small tus and API client for either ([`tus`]).

pub mod app;
pub mod server;
pub mod tus;

pub use app::*;
pub use server::Server;
pub use tus::*;

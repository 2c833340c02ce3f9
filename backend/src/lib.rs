//! Reel's server: instructors upload lecture videos into course chapters and manage them.
//!
//! Layers (see DESIGN.md): `actions` are the HTTP-facing server actions, `services` hold the
//! logic that knows nothing of HTTP, `db` owns the schema and queries. `http` is the plumbing
//! every action shares (errors, the SPA, request context).

pub mod actions;
pub mod admin;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod openapi;
pub mod private_files;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod threads;

pub use config::Config;
pub use startup::Application;

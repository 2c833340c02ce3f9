//! HTTP plumbing every action shares: app state, extractors, error handlers, the SPA.

pub mod errors;
pub mod extract;
pub mod spa;

use crate::config::{Config, SecretKey};
use crate::db::DbPool;
use std::sync::Arc;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "reel_session";

/// Shared state handed to every request.
#[derive(Clone)]
pub struct AppState {
    /// Database pool.
    pub pool: DbPool,
    /// Effective configuration.
    pub config: Arc<Config>,
    /// Signing key.
    pub secret: SecretKey,
}

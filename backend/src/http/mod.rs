//! HTTP plumbing every action shares: extractors, error handlers, Range, the SPA.

pub mod client_address;
pub mod cross_site;
pub mod errors;
pub mod extract;
pub mod range;
pub mod security_headers;
pub mod spa;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "reel_session";

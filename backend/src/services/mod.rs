//! Logic that knows nothing about HTTP: password hashing, session tokens, the audit trail.
//! Storage providers join here with the upload work.

pub mod audit;
pub mod passwords;
pub mod tokens;

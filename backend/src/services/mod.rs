//! Logic that knows nothing about HTTP: passwords, session tokens, the audit trail, storage
//! providers, the upload lifecycle, media probing, URL signing and the janitor.
//!
//! A service takes what it uses, not the application's whole state: the upload lifecycle an
//! [`uploads::Uploads`], deletes a [`videos::Videos`], processing a
//! [`processing::Processing`], leases a [`upload_lease::Leases`], the janitor a
//! [`janitor::Janitor`] (`AppState` builds each). Queries and transactions are the `db`
//! module's.

pub mod audit;
pub mod device_cookie;
pub mod janitor;
pub mod lti;
pub mod media;
pub mod passwords;
pub mod probe_queue;
pub mod processing;
pub mod signing;
pub mod storage;
pub mod throttle;
pub mod token_pairs;
pub mod tokens;
pub mod tus;
pub mod upload_lease;
pub mod upload_writers;
pub mod uploads;
pub mod videos;

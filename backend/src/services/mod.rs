//! Logic that knows nothing about HTTP: passwords, session tokens, the audit trail, storage
//! providers, the upload lifecycle, media probing, URL signing and the janitor.

pub mod audit;
pub mod janitor;
pub mod media;
pub mod passwords;
pub mod private_files;
pub mod probe_queue;
pub mod processing;
pub mod signing;
pub mod storage;
pub mod throttle;
pub mod tokens;
pub mod tus;
pub mod upload_lease;
pub mod uploads;
pub mod videos;

//! The query cache: all server data the browser holds, keyed by [`QueryKey`]. Components read
//! it through [`use_query`]; mutations change it with `set_data`, `snapshot`/`restore` and
//! `invalidate`. The pure bookkeeping lives in [`cache`] and is unit-tested natively.

pub mod cache;
mod client;
mod hooks;
mod keys;

pub use client::QueryClient;
pub(crate) use client::Value;
pub use hooks::{use_query, QueryState};
pub use keys::QueryKey;

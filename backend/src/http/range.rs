//! HTTP `Range` parsing lives in the `parsers` crate, where it is fuzzed on its own.

pub use parsers::range::*;

//! The tus 1.0.0 protocol's pure parts (constants, `Upload-Metadata`, `Upload-Checksum`, the
//! chunk hashers) live in the `parsers` crate, where they are fuzzed on their own. The HTTP
//! handlers live in `actions::uploads`.

pub use parsers::tus::*;

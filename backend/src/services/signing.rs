//! Signed display URLs live in the `parsers` crate (a signature arrives in a URL a client
//! sends, so it is fuzzed there); the key is the server's [`crate::config::SecretKey`].

pub use parsers::signing::*;

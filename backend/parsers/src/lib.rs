//! What Reel reads from clients, as pure functions with no I/O beyond a `Read + Seek`: the tus
//! headers, HTTP `Range`, signed media URLs and the video containers. Everything here takes
//! input an attacker chooses, so it is a crate of its own: the fuzz targets (`fuzz/`) build
//! this and nothing of the server, and the server uses it through `services` and `http`.

pub mod probe;
pub mod range;
pub mod signing;
pub mod tus;

/// A file to probe or hash: readable, seekable, and sendable to the thread that reads it.
pub trait ReadSeek: std::io::Read + std::io::Seek + Send {}
impl<T: std::io::Read + std::io::Seek + Send> ReadSeek for T {}

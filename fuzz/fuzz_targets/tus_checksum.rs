//! `Upload-Checksum`: never panics; what it accepts names an announced algorithm, and the
//! expected digest is exactly the base64 the client sent.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use parsers::tus::{parse_checksum, ChunkHasher, CHECKSUM_ALGORITHMS};

fuzz_target!(|header: &str| {
    let Ok((hasher, expected)) = parse_checksum(header) else {
        return;
    };
    let (algorithm, encoded) = header.trim().split_once(' ').expect("accepted has a space");
    let algorithm = algorithm.to_ascii_lowercase();
    assert!(
        CHECKSUM_ALGORITHMS.split(',').any(|a| a == algorithm),
        "{algorithm:?} accepted from {header:?}"
    );
    let named = match hasher {
        ChunkHasher::Sha1(_) => "sha1",
        ChunkHasher::Sha256(_) => "sha256",
        ChunkHasher::Md5(_) => "md5",
    };
    assert_eq!(named, algorithm, "hasher for {header:?}");
    assert_eq!(
        STANDARD.encode(&expected),
        encoded.trim(),
        "digest of {header:?}"
    );
});

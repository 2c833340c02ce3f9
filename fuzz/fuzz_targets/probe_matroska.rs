//! The Matroska/WebM probe on any bytes: no panic, no hang, no allocation from a declared
//! size (the heap is capped, see the crate doc), and what it reports is plausible.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::probe::probe;
use shared::media::Container;
use reel_fuzz::SparseFile;

fuzz_target!(|data: &[u8]| {
    let mut file = SparseFile::from_fuzz_input(data);
    let len = file.len();
    if let Ok(info) = probe(&mut file, len, Container::Matroska) {
        assert!(info.duration_ms.is_none_or(|d| d >= 0), "{info:?}");
        assert!(info.width.is_none_or(|w| w >= 0), "{info:?}");
        assert!(info.height.is_none_or(|h| h >= 0), "{info:?}");
    }
});

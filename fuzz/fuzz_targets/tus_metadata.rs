//! `Upload-Metadata`: never panics, and what it accepts has keys a header can carry and
//! survives being written back out and parsed again.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use parsers::tus::parse_metadata;

fuzz_target!(|header: &str| {
    let Ok(parsed) = parse_metadata(header) else {
        return;
    };
    let mut pairs = Vec::new();
    for (key, value) in &parsed {
        assert!(!key.is_empty(), "empty key from {header:?}");
        assert!(!key.contains([',', ' ']), "key {key:?} from {header:?}");
        pairs.push(if value.is_empty() {
            key.clone()
        } else {
            format!("{key} {}", STANDARD.encode(value))
        });
    }
    let again = parse_metadata(&pairs.join(",")).expect("re-encoded metadata parses");
    assert_eq!(again, parsed, "round trip of {header:?}");
});

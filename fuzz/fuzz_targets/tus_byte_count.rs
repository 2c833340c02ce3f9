//! `Upload-Length` / `Upload-Offset`: a non-negative decimal integer (1*DIGIT) and nothing
//! else, read exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::tus::parse_byte_count;

fuzz_target!(|value: &str| {
    let digits = value.trim();
    let is_number = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match parse_byte_count(value) {
        Some(n) => {
            assert!(is_number, "{value:?} accepted as {n}");
            assert!(n >= 0);
            let canonical = digits.trim_start_matches('0');
            let canonical = if canonical.is_empty() { "0" } else { canonical };
            assert_eq!(n.to_string(), canonical, "{value:?} read as {n}");
        }
        // Refused only when not a number or too large for the database's BIGINT.
        None => assert!(
            !is_number || digits.parse::<i64>().is_err(),
            "{value:?} refused"
        ),
    }
});

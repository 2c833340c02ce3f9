//! `Range`: a planned part always lies inside the body, and the plan agrees with RFC 9110's
//! grammar for one range (`first-last`, `first-`, `-suffix`, digits only); anything else is
//! ignored (the whole body).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::range::{plan, Plan};

/// One range-spec's parts when the header is exactly `bytes=` and one spec (surrounding
/// whitespace allowed, as the planner allows it).
fn single_spec(header: &str) -> Option<(&str, &str)> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (digits(first) && digits(last) && !(first.is_empty() && last.is_empty()))
        .then_some((first, last))
}

/// What RFC 9110 asks for, or `None` where a number is too large for `u64` (then either the
/// whole body or 416 is fine).
fn expected(header: Option<&str>, len: u64) -> Option<Plan> {
    let Some((first, last)) = header.and_then(single_spec) else {
        return Some(Plan::Full);
    };
    let number = |s: &str| s.parse::<u64>().ok();
    Some(if first.is_empty() {
        let n = number(last)?;
        if n == 0 || len == 0 {
            Plan::Unsatisfiable
        } else {
            Plan::Partial {
                start: len - n.min(len),
                end: len - 1,
            }
        }
    } else {
        let start = number(first)?;
        let end = if last.is_empty() {
            u64::MAX
        } else {
            number(last)?
        };
        if start > end {
            Plan::Full
        } else if start >= len {
            Plan::Unsatisfiable
        } else {
            Plan::Partial {
                start,
                end: end.min(len - 1),
            }
        }
    })
}

// Input: the body length (8 bytes, little-endian), then the header, absent when empty.
fuzz_target!(|data: &[u8]| {
    let Some((len, header)) = data.split_first_chunk::<8>() else {
        return;
    };
    let len = u64::from_le_bytes(*len);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let header = (!header.is_empty()).then_some(header);
    let planned = plan(header, len);
    if let Plan::Partial { start, end } = planned {
        assert!(
            start <= end && end < len,
            "{planned:?} for {header:?}, len {len}"
        );
    }
    if let Some(want) = expected(header, len) {
        assert_eq!(planned, want, "{header:?}, len {len}");
    }
});

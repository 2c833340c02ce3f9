//! HTTP `Range` for one byte range (RFC 9110 §14): what a `<video>` element sends to seek.
//! Several ranges at once are answered with the whole body, which the RFC allows.

/// What to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// 200 with everything.
    Full,
    /// 206 with `start..=end`.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// 416: nothing of the range exists.
    Unsatisfiable,
}

/// Plans the response to `header` for a body of `len` bytes. Syntax errors mean "ignore the
/// header" (RFC 9110: a server may ignore a Range it cannot parse).
pub fn plan(header: Option<&str>, len: u64) -> Plan {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Plan::Full;
    };
    if spec.contains(',') {
        return Plan::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Plan::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    match (position(first), position(last)) {
        // bytes=-N: the last N bytes.
        (None, Some(n)) if first.is_empty() => {
            if n == 0 || len == 0 {
                Plan::Unsatisfiable
            } else {
                Plan::Partial {
                    start: len.saturating_sub(n),
                    end: len - 1,
                }
            }
        }
        // bytes=A-: from A to the end.
        (Some(start), None) if last.is_empty() => {
            if start >= len {
                Plan::Unsatisfiable
            } else {
                Plan::Partial {
                    start,
                    end: len - 1,
                }
            }
        }
        // bytes=A-B.
        (Some(start), Some(end)) if start <= end => {
            if start >= len {
                Plan::Unsatisfiable
            } else {
                Plan::Partial {
                    start,
                    end: end.min(len - 1),
                }
            }
        }
        _ => Plan::Full,
    }
}

/// A byte position: digits only (`str::parse` would also take a leading `+`).
fn position(text: &str) -> Option<u64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_first_middle_suffix_open_and_beyond_the_end() {
        assert_eq!(
            plan(Some("bytes=0-0"), 10),
            Plan::Partial { start: 0, end: 0 }
        );
        assert_eq!(
            plan(Some("bytes=3-5"), 10),
            Plan::Partial { start: 3, end: 5 }
        );
        assert_eq!(
            plan(Some("bytes=-4"), 10),
            Plan::Partial { start: 6, end: 9 }
        );
        assert_eq!(
            plan(Some("bytes=-40"), 10),
            Plan::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            plan(Some("bytes=7-"), 10),
            Plan::Partial { start: 7, end: 9 }
        );
        assert_eq!(
            plan(Some("bytes=5-100"), 10),
            Plan::Partial { start: 5, end: 9 }
        );
        assert_eq!(plan(Some("bytes=10-"), 10), Plan::Unsatisfiable);
        assert_eq!(plan(Some("bytes=-0"), 10), Plan::Unsatisfiable);
    }

    #[test]
    fn anything_else_is_the_whole_body() {
        assert_eq!(plan(None, 10), Plan::Full);
        assert_eq!(plan(Some("bytes=5-2"), 10), Plan::Full);
        assert_eq!(plan(Some("items=0-1"), 10), Plan::Full);
        assert_eq!(plan(Some("bytes=0-1,4-5"), 10), Plan::Full);
        assert_eq!(plan(Some("bytes=abc"), 10), Plan::Full);
        // Found by the range fuzz target: a sign is not part of RFC 9110's digits.
        assert_eq!(plan(Some("bytes=+0-"), 1 << 40), Plan::Full);
        assert_eq!(plan(Some("bytes=-+4"), 10), Plan::Full);
        assert_eq!(plan(Some("bytes=1-+5"), 10), Plan::Full);
    }
}

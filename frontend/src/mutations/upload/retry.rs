//! When to try again: exponential backoff with jitter, so a server coming back is not hit by
//! every client at the same moment.

/// Delays before each retry, in ms (the last retry waits 16 s).
pub const DELAYS_MS: [f64; 5] = [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0];

/// The delay before retry `attempt` (0-based) with `jitter` in 0..1, or `None` when the
/// retries are used up. The delay is spread over ±50 % of the base.
pub fn delay_ms(attempt: usize, jitter: f64) -> Option<f64> {
    DELAYS_MS
        .get(attempt)
        .map(|base| base * (0.5 + jitter.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_within_the_jitter_and_end() {
        assert_eq!(delay_ms(0, 0.0), Some(500.0));
        assert_eq!(delay_ms(0, 1.0), Some(1_500.0));
        assert_eq!(delay_ms(3, 0.5), Some(8_000.0));
        assert_eq!(delay_ms(5, 0.5), None);
    }
}

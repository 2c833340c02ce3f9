//! How big the next chunk is. A chunk carries its checksum, so the server keeps all of it or
//! none: an interruption (a reload, a dropped connection, a pause that cannot wait) loses the
//! chunk in flight. Chunks are therefore sized by time, not bytes: they start at 1 MiB and
//! follow the link so each takes about [`TARGET_SECS`] to send (as Mux's UpChunk does with
//! `dynamic-chunk-size`), between [`MIN_CHUNK`] and [`MAX_CHUNK`]. On a 1 MiB/s uplink an
//! interruption costs about three seconds of sending; on a fast one, chunks grow to 8 MiB, where
//! the per-request overhead is already small.

/// The first chunk, and the smallest the pace picks.
pub const MIN_CHUNK: f64 = 1024.0 * 1024.0;
/// The largest chunk. Larger ones sent slower per byte, not faster (`make bench`: 16 and 32 MiB
/// chunks at 6–8 MiB/s where 8 MiB ones ran at 9 on the same machine; BENCHMARKS.md), and cost
/// more when interrupted.
pub const MAX_CHUNK: f64 = 8.0 * 1024.0 * 1024.0;
/// How long a chunk should take to send.
pub const TARGET_SECS: f64 = 3.0;
/// Chunk sizes are multiples of this, so offsets stay round.
const STEP: f64 = 256.0 * 1024.0;

/// The chunk size for one upload, learning from each chunk sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    next: f64,
    /// A fixed size (the `reel.upload.chunk_bytes` knob of tests and slow links).
    fixed: bool,
}

impl Pace {
    /// Adaptive, from [`MIN_CHUNK`]; or fixed at `size` when one is given.
    pub fn new(fixed: Option<f64>) -> Self {
        match fixed {
            Some(size) => Self {
                next: size,
                fixed: true,
            },
            None => Self {
                next: MIN_CHUNK,
                fixed: false,
            },
        }
    }

    /// The size of the next chunk.
    pub fn next(&self) -> f64 {
        self.next
    }

    /// A chunk of `bytes` took `secs` from its first byte sent to the server's answer. The next
    /// one is sized to take [`TARGET_SECS`] at that rate: it shrinks at once on a slower link,
    /// and grows at most twofold a step, so one quick chunk (a burst into the socket's buffer)
    /// does not make the next one huge.
    pub fn sent(&mut self, bytes: f64, secs: f64) {
        if self.fixed || bytes <= 0.0 {
            return;
        }
        let rate = bytes / secs.max(0.05);
        let wanted = (rate * TARGET_SECS).min(self.next * 2.0);
        self.next = ((wanted / STEP).floor() * STEP).clamp(MIN_CHUNK, MAX_CHUNK);
    }

    /// A chunk failed (a timeout or a dropped connection): start small again.
    pub fn failed(&mut self) {
        if !self.fixed {
            self.next = MIN_CHUNK;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: f64 = 1024.0 * 1024.0;

    #[test]
    fn chunks_start_at_one_mib_and_settle_at_three_seconds_of_the_link() {
        let mut pace = Pace::new(None);
        assert_eq!(pace.next(), MIB);
        // 1 MiB/s: 1 → 2 → 3 MiB, then it stays.
        for _ in 0..5 {
            let size = pace.next();
            pace.sent(size, size / MIB);
        }
        assert_eq!(pace.next(), 3.0 * MIB);
    }

    #[test]
    fn a_fast_link_grows_them_twofold_a_step_up_to_the_cap() {
        let mut pace = Pace::new(None);
        let mut sizes = vec![];
        for _ in 0..8 {
            let size = pace.next();
            sizes.push(size / MIB);
            pace.sent(size, size / (100.0 * MIB));
        }
        assert_eq!(sizes, vec![1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0]);
    }

    #[test]
    fn a_slower_link_shrinks_them_at_once_and_a_failure_starts_over() {
        let mut pace = Pace::new(None);
        for _ in 0..4 {
            let size = pace.next();
            pace.sent(size, size / (10.0 * MIB));
        }
        assert_eq!(pace.next(), 8.0 * MIB);
        pace.sent(8.0 * MIB, 32.0); // 0.25 MiB/s
        assert_eq!(pace.next(), MIB, "never below the minimum");
        pace.sent(MIB, 0.5);
        pace.failed();
        assert_eq!(pace.next(), MIB);
    }

    #[test]
    fn a_fixed_size_never_changes() {
        let mut pace = Pace::new(Some(256.0 * 1024.0));
        pace.sent(256.0 * 1024.0, 0.01);
        pace.failed();
        assert_eq!(pace.next(), 256.0 * 1024.0);
    }
}

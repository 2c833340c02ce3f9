//! A blocking `Read + Seek` over an object, for the container parsers and the hash: each read
//! outside the window in hand fetches the next window with one ranged GET, so probing needs
//! no local copy of the object and memory stays at one window.

use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

/// Bytes fetched at once: parsers jump around the header in small reads, the hash streams.
/// Two probes run at once, each holding one window; smaller windows would mean many more
/// requests (a 1 GiB video is 256 GETs at 4 MiB).
pub const WINDOW: u64 = 4 * 1024 * 1024;

/// Fetches one byte range of the object (blocking).
pub type Fetch = Box<dyn FnMut(Range<u64>) -> io::Result<Vec<u8>> + Send>;

/// See the module documentation.
pub struct RangedReader {
    fetch: Fetch,
    len: u64,
    pos: u64,
    window: Vec<u8>,
    window_start: u64,
}

impl RangedReader {
    /// A reader over an object of `len` bytes.
    pub fn new(len: u64, fetch: Fetch) -> Self {
        Self {
            fetch,
            len,
            pos: 0,
            window: Vec::new(),
            window_start: 0,
        }
    }
}

impl Read for RangedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || out.is_empty() {
            return Ok(0);
        }
        let window_end = self.window_start + self.window.len() as u64;
        if self.pos < self.window_start || self.pos >= window_end {
            let end = self.len.min(self.pos + WINDOW);
            // The old window goes first, so a reader never holds two.
            self.window = Vec::new();
            let bytes = (self.fetch)(self.pos..end)?;
            if bytes.len() as u64 != end - self.pos {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "a ranged read came back short",
                ));
            }
            self.window = bytes;
            self.window_start = self.pos;
        }
        let at = usize::try_from(self.pos - self.window_start).unwrap_or(usize::MAX);
        let n = out.len().min(self.window.len() - at);
        out[..n].copy_from_slice(&self.window[at..at + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangedReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_seeks_like_a_file_with_few_fetches() {
        let data: Vec<u8> = (0..(WINDOW * 2 + 10)).map(|i| (i % 251) as u8).collect();
        let source = data.clone();
        let fetches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = fetches.clone();
        let mut reader = RangedReader::new(
            data.len() as u64,
            Box::new(move |r: Range<u64>| {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(source[r.start as usize..r.end as usize].to_vec())
            }),
        );
        let mut all = Vec::new();
        reader.read_to_end(&mut all).expect("read");
        assert_eq!(all, data);
        assert_eq!(fetches.load(std::sync::atomic::Ordering::Relaxed), 3);
        reader.seek(SeekFrom::End(-4)).expect("seek");
        let mut tail = [0u8; 8];
        let n = reader.read(&mut tail).expect("read");
        assert_eq!(&tail[..n], &data[data.len() - 4..]);
        assert!(reader
            .seek(SeekFrom::Current(-(data.len() as i64) - 1))
            .is_err());
    }
}

//! What the fuzz targets share: a heap cap, so a parser that allocates from a size it read
//! in the input aborts (and libFuzzer keeps the input), and a file made of the fuzz input
//! followed by zeros, so a small input can stand for a large upload.

use std::alloc::System;
use std::io::{self, Read, Seek, SeekFrom};

/// Live Rust heap allowed to a target. One probe should need a few MiB; the whole server's
/// budget is 64 MiB with 16 uploads in flight (DESIGN.md), so a parser that reads a declared
/// size into memory is caught long before the machine notices.
pub const HEAP_LIMIT: usize = 128 << 20;

#[global_allocator]
static ALLOCATOR: cap::Cap<System> = cap::Cap::new(System, HEAP_LIMIT);

/// The largest zero tail a probe input can ask for: the file it stands for is at most this
/// much larger than the input.
pub const MAX_TAIL: u64 = 1 << 30;

/// A read-only file of `head` followed by `tail` zero bytes, never held in memory.
pub struct SparseFile {
    head: Vec<u8>,
    len: u64,
    pos: u64,
}

impl SparseFile {
    /// Reads a probe input: a 4-byte little-endian tail length (modulo [`MAX_TAIL`]), then
    /// the first bytes of the file. Inputs shorter than the prefix are the empty file.
    pub fn from_fuzz_input(data: &[u8]) -> Self {
        let (tail, head) = match data.split_first_chunk::<4>() {
            Some((tail, head)) => (u64::from(u32::from_le_bytes(*tail)) % MAX_TAIL, head),
            None => (0, &[][..]),
        };
        Self {
            head: head.to_vec(),
            len: head.len() as u64 + tail,
            pos: 0,
        }
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Read for SparseFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let buf = &mut buf[..n];
        let from_head = usize::try_from(self.pos)
            .ok()
            .and_then(|p| self.head.get(p..))
            .unwrap_or_default();
        let copied = from_head.len().min(n);
        buf[..copied].copy_from_slice(&from_head[..copied]);
        buf[copied..].fill(0);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SparseFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        // Like a file: seeking before the start fails, past the end is allowed.
        self.pos = target.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(self.pos)
    }
}

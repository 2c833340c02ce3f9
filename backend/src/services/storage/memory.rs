//! In memory, for unit tests; it can also be told to fail deletes, to test what happens when
//! real storage does. Staged writes are kept apart from the object until committed, as a
//! provider that cannot cut bytes back must keep them.

use super::local::tokio_stream;
use super::{ByteStream, Fence, Phase, ReadSeek, Storage, StorageKey, Written};
use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::io::{self, Cursor};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes a staged write holds back: (the offset they go at, the bytes).
type Staged = (u64, Vec<u8>);

/// Objects in a map.
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    partial: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    staged: Arc<Mutex<HashMap<String, Staged>>>,
    objects: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    failing_deletes: Arc<AtomicU32>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MemoryStorage {
    /// Makes the next `n` deletes fail with an I/O error.
    pub fn fail_next_deletes(&self, n: u32) {
        self.failing_deletes.store(n, Ordering::SeqCst);
    }

    /// Whether a final or partial object exists under `key`.
    pub fn contains(&self, key: &StorageKey) -> bool {
        lock(&self.objects).contains_key(key.as_str())
            || lock(&self.partial).contains_key(key.as_str())
    }
}

#[async_trait(?Send)]
impl Storage for MemoryStorage {
    async fn write_partial(
        &self,
        key: &StorageKey,
        offset: u64,
        _length: u64,
        mut body: ByteStream,
        phase: Phase,
        _fence: Option<&Fence>,
    ) -> io::Result<Written> {
        let staged = matches!(phase, Phase::Staged);
        lock(&self.staged).remove(key.as_str());
        {
            let mut partial = lock(&self.partial);
            let data = partial.entry(key.as_str().to_string()).or_default();
            if (data.len() as u64) < offset {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "partial object is shorter than its offset",
                ));
            }
            data.truncate(offset as usize);
        }
        let (mut bytes, mut body_error, mut stage) = (0u64, None, Vec::new());
        while let Some(item) = body.next().await {
            match item {
                Ok(chunk) if staged => {
                    stage.extend_from_slice(&chunk);
                    bytes += chunk.len() as u64;
                }
                Ok(chunk) => {
                    lock(&self.partial)
                        .entry(key.as_str().to_string())
                        .or_default()
                        .extend_from_slice(&chunk);
                    bytes += chunk.len() as u64;
                }
                Err(e) => {
                    body_error = Some(e);
                    break;
                }
            }
        }
        if staged {
            lock(&self.staged).insert(key.as_str().to_string(), (offset, stage));
        }
        Ok(Written { bytes, body_error })
    }

    async fn commit_staged(
        &self,
        key: &StorageKey,
        offset: u64,
        len: u64,
        _fence: Option<&Fence>,
    ) -> io::Result<()> {
        let missing = || io::Error::new(io::ErrorKind::NotFound, "no staged bytes there");
        let (at, bytes) = lock(&self.staged)
            .remove(key.as_str())
            .ok_or_else(missing)?;
        if at != offset || bytes.len() as u64 != len {
            return Err(missing());
        }
        let mut partial = lock(&self.partial);
        let data = partial.entry(key.as_str().to_string()).or_default();
        if data.len() as u64 != offset {
            return Err(missing());
        }
        data.extend_from_slice(&bytes);
        Ok(())
    }

    async fn discard_staged(&self, key: &StorageKey, offset: u64) -> io::Result<()> {
        lock(&self.staged).remove(key.as_str());
        if let Some(data) = lock(&self.partial).get_mut(key.as_str()) {
            data.truncate(offset as usize);
        }
        Ok(())
    }

    async fn complete(&self, key: &StorageKey) -> io::Result<()> {
        let moved = lock(&self.partial).remove(key.as_str());
        match moved {
            Some(data) => {
                lock(&self.objects).insert(key.as_str().to_string(), data);
                Ok(())
            }
            None if lock(&self.objects).contains_key(key.as_str()) => Ok(()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "no partial object")),
        }
    }

    async fn size(&self, key: &StorageKey) -> io::Result<Option<u64>> {
        Ok(lock(&self.objects)
            .get(key.as_str())
            .map(|d| d.len() as u64))
    }

    async fn read(&self, key: &StorageKey, range: Range<u64>) -> io::Result<ByteStream> {
        let objects = lock(&self.objects);
        let data = objects
            .get(key.as_str())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let end = (range.end as usize).min(data.len());
        let start = (range.start as usize).min(end);
        let bytes = Bytes::copy_from_slice(&data[start..end]);
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let _ = tx.try_send(Ok(bytes));
        Ok(Box::pin(tokio_stream(rx)))
    }

    async fn open_seekable(&self, key: &StorageKey) -> io::Result<Box<dyn ReadSeek>> {
        let objects = lock(&self.objects);
        let data = objects
            .get(key.as_str())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        Ok(Box::new(Cursor::new(data.clone())))
    }

    async fn delete(&self, key: &StorageKey) -> io::Result<()> {
        let failing = self.failing_deletes.load(Ordering::SeqCst);
        if failing > 0 {
            self.failing_deletes.store(failing - 1, Ordering::SeqCst);
            return Err(io::Error::other("injected storage failure"));
        }
        lock(&self.partial).remove(key.as_str());
        lock(&self.staged).remove(key.as_str());
        lock(&self.objects).remove(key.as_str());
        Ok(())
    }
}

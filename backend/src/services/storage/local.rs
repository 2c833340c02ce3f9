//! Local disk: `objects/<key>` for final objects, `partial/<key>.part` while an upload is in
//! progress, both under the data directory.

use super::{ByteStream, Fence, Phase, ReadSeek, Storage, StorageKey, ToolFile, Written};
use crate::private_files;
use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use std::fs::{self, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Files under a root directory.
#[derive(Clone, Debug)]
pub struct LocalStorage {
    root: PathBuf,
}

/// How many body chunks may wait for the disk: bounds memory per upload (chunks are ≤ 64 KiB).
const QUEUE: usize = 4;
/// Start flushing to disk after this many new bytes, while the rest is still arriving.
const EARLY_SYNC: u64 = 1 << 20;
/// Read size when streaming out.
const READ_CHUNK: usize = 256 * 1024;

impl LocalStorage {
    /// Storage rooted at `root` (created on demand).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn final_path(&self, key: &StorageKey) -> PathBuf {
        self.root.join("objects").join(key.as_str())
    }

    fn partial_path(&self, key: &StorageKey) -> PathBuf {
        self.root
            .join("partial")
            .join(format!("{}.part", key.as_str()))
    }
}

fn ensure_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(parent) => private_files::create_dir(parent),
        None => Ok(()),
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes the video's own directory (`…/videos/<id>/`) once nothing is left in it, so a
/// terminated, completed or purged upload leaves no empty folder behind. Only that one level:
/// the chapter's folder above may be gaining another video's right now.
fn remove_parent_if_empty(path: &Path) {
    if let Some(dir) = path.parent() {
        // Fails, harmlessly, while anything is still in it.
        let _ = fs::remove_dir(dir);
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    actix_web::rt::task::spawn_blocking(f)
        .await
        .map_err(io::Error::other)?
}

#[async_trait(?Send)]
impl Storage for LocalStorage {
    async fn write_partial(
        &self,
        key: &StorageKey,
        offset: u64,
        _length: u64,
        mut body: ByteStream,
        phase: Phase,
        _fence: Option<&Fence>,
    ) -> io::Result<Written> {
        // On a local disk a staged write goes in place, past the committed length: the file
        // can be cut back, so discarding is a truncation (and committing has nothing to move).
        let durable = match phase {
            Phase::Progressive(durable) => durable,
            Phase::Staged => None,
        };
        let path = self.partial_path(key);
        // The disk work runs on one blocking thread fed through a bounded queue: the async
        // worker never blocks on the disk, and memory stays at QUEUE chunks however large the
        // request body is.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(QUEUE);
        // A thread of its own, not tokio's blocking pool: a slow client keeps it for minutes,
        // and the pool is shared with everything else that blocks.
        let (finished, writer) = tokio::sync::oneshot::channel();
        let write = move || -> io::Result<u64> {
            ensure_parent(&path)?;
            let mut file = private_files::options()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            let stored = file.metadata()?.len();
            if stored < offset {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "partial object is shorter than its offset",
                ));
            }
            file.set_len(offset)?;
            file.seek(SeekFrom::Start(offset))?;
            // A helper flushes what is written so far while more arrives, so the final
            // fdatasync below waits only for the tail instead of the whole request.
            // Each flush also reports what it made durable, so the offset can be recorded
            // while the request goes on and a crash mid-request keeps what reached the disk.
            let (kick, kicked) = std::sync::mpsc::sync_channel::<()>(1);
            let early = file.try_clone()?;
            let progress = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let seen = progress.clone();
            let syncer = std::thread::spawn(move || {
                while kicked.recv().is_ok() {
                    let upto = seen.load(std::sync::atomic::Ordering::Acquire);
                    if early.sync_data().is_ok() {
                        if let Some(durable) = &durable {
                            let _ = durable.send(offset + upto);
                        }
                    }
                }
            });
            let (mut written, mut unsynced) = (0u64, 0u64);
            let result = (|| {
                while let Some(chunk) = rx.blocking_recv() {
                    file.write_all(&chunk)?;
                    written += chunk.len() as u64;
                    progress.store(written, std::sync::atomic::Ordering::Release);
                    unsynced += chunk.len() as u64;
                    if unsynced >= EARLY_SYNC {
                        // A full queue means a flush is already under way: skip, don't wait.
                        let _ = kick.try_send(());
                        unsynced = 0;
                    }
                }
                Ok::<_, io::Error>(())
            })();
            drop(kick);
            let _ = syncer.join();
            result?;
            // fdatasync before returning: the caller records the new offset in the database
            // only after this, so a recorded offset never points past bytes a power cut could
            // lose. A resumed upload then continues exactly where the database says.
            file.sync_data()?;
            Ok(written)
        };
        std::thread::Builder::new()
            .name("reel-upload-writer".into())
            .spawn(move || {
                let _ = finished.send(write());
            })?;
        let mut body_error = None;
        while let Some(item) = body.next().await {
            match item {
                Ok(chunk) => {
                    if tx.send(chunk).await.is_err() {
                        break; // the writer failed; its error is reported below
                    }
                }
                Err(e) => {
                    body_error = Some(e);
                    break;
                }
            }
        }
        drop(tx);
        let bytes = writer
            .await
            .map_err(|_| io::Error::other("the upload writer stopped"))??;
        Ok(Written { bytes, body_error })
    }

    async fn commit_staged(
        &self,
        key: &StorageKey,
        offset: u64,
        len: u64,
        _fence: Option<&Fence>,
    ) -> io::Result<()> {
        // The write synced its bytes in place; check they are all there.
        let path = self.partial_path(key);
        let stored = blocking(move || fs::metadata(&path).map(|m| m.len())).await?;
        if stored < offset + len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "staged bytes are missing",
            ));
        }
        Ok(())
    }

    async fn discard_staged(&self, key: &StorageKey, offset: u64) -> io::Result<()> {
        let path = self.partial_path(key);
        blocking(move || {
            let file = OpenOptions::new().write(true).open(&path)?;
            file.set_len(offset)?;
            file.sync_data()
        })
        .await
    }

    async fn complete(&self, key: &StorageKey) -> io::Result<()> {
        let (from, to) = (self.partial_path(key), self.final_path(key));
        blocking(move || {
            if !from.exists() && to.exists() {
                return Ok(());
            }
            ensure_parent(&to)?;
            // rename is atomic within one filesystem: readers see no object or the whole one.
            fs::rename(&from, &to)?;
            if let Some(dir) = to.parent() {
                fs::File::open(dir)?.sync_all()?;
            }
            remove_parent_if_empty(&from);
            Ok(())
        })
        .await
    }

    async fn size(&self, key: &StorageKey) -> io::Result<Option<u64>> {
        let path = self.final_path(key);
        blocking(move || match fs::metadata(&path) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn read(&self, key: &StorageKey, range: Range<u64>) -> io::Result<ByteStream> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut file = tokio::fs::File::open(self.final_path(key)).await?;
        file.seek(SeekFrom::Start(range.start)).await?;
        let left = range.end.saturating_sub(range.start);
        // Each read borrows a blocking thread only while it runs: a slow viewer holds none.
        let chunks =
            futures_util::stream::try_unfold((file, left), |(mut file, left)| async move {
                if left == 0 {
                    return Ok(None);
                }
                let mut buf =
                    vec![0u8; READ_CHUNK.min(usize::try_from(left).unwrap_or(READ_CHUNK))];
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                }
                buf.truncate(n);
                Ok(Some((Bytes::from(buf), (file, left - n as u64))))
            });
        Ok(Box::pin(chunks))
    }

    async fn open_seekable(&self, key: &StorageKey) -> io::Result<Box<dyn ReadSeek>> {
        let path = self.final_path(key);
        blocking(move || {
            Ok(Box::new(io::BufReader::new(fs::File::open(path)?)) as Box<dyn ReadSeek>)
        })
        .await
    }

    async fn file_for_tools(&self, key: &StorageKey) -> io::Result<ToolFile> {
        let path = self.final_path(key);
        let found = path.clone();
        blocking(move || fs::metadata(&found).map(drop)).await?;
        Ok(ToolFile::Stored(path))
    }

    async fn delete(&self, key: &StorageKey) -> io::Result<()> {
        let (partial, object) = (self.partial_path(key), self.final_path(key));
        blocking(move || {
            remove_if_present(&partial)?;
            remove_parent_if_empty(&partial);
            remove_if_present(&object)?;
            remove_parent_if_empty(&object);
            Ok(())
        })
        .await
    }

    async fn free_bytes(&self) -> io::Result<Option<u64>> {
        let root = self.root.clone();
        blocking(move || {
            private_files::create_dir(&root)?;
            let stat = rustix::fs::statvfs(&root)?;
            // What an unprivileged writer may use (root's reserve is not ours to plan on).
            Ok(Some(stat.f_bavail.saturating_mul(stat.f_frsize)))
        })
        .await
    }
}

/// Adapts a tokio receiver into a stream without pulling in tokio-stream.
pub(super) fn tokio_stream<T: 'static>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

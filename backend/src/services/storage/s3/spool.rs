//! A part on its way to S3, spooled to a private temporary file: S3 wants each body's length
//! before the first byte, and one part (5 MiB or more) per upload in memory would break the
//! memory budget with 16 uploads at once. The file is removed when the spool is dropped.

use base64::Engine;
use bytes::Bytes;
use md5::{Digest, Md5};
use rusoto_core::ByteStream as Body;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

/// Bytes written to or read from the disk at once. Small: with 16 uploads in flight every
/// buffer here exists a few times per upload (our buffer, tokio's file buffer, the chunk on
/// its way out), and the memory budget is 64 MiB for the whole server.
const BUFFER: usize = 64 * 1024;

/// One part's bytes, with their length and MD5 (sent as `Content-MD5`, so S3 checks them).
pub struct Spool {
    path: PathBuf,
    file: BufWriter<tokio::fs::File>,
    len: u64,
    md5: Md5,
}

impl Spool {
    /// A new, empty spool file in `dir`.
    pub async fn create(dir: &Path) -> io::Result<Self> {
        crate::private_files::create_dir(dir)?;
        let path = dir.join(format!("{}.part", uuid::Uuid::new_v4()));
        let file = crate::private_files::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self {
            path,
            file: BufWriter::with_capacity(BUFFER, tokio::fs::File::from_std(file)),
            len: 0,
            md5: Md5::new(),
        })
    }

    /// Bytes in the spool.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes).await?;
        self.md5.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Flushes the spool and returns what a request sending it needs: a way to make the body
    /// (once per attempt), its length and its `Content-MD5`.
    pub async fn seal(&mut self) -> io::Result<Sealed> {
        self.file.flush().await?;
        Ok(Sealed {
            path: self.path.clone(),
            len: self.len,
            md5: base64::engine::general_purpose::STANDARD.encode(self.md5.clone().finalize()),
        })
    }

    /// Empties the spool for the next part.
    pub async fn reset(&mut self) -> io::Result<()> {
        self.file.flush().await?;
        self.file.get_mut().set_len(0).await?;
        self.file.get_mut().seek(SeekFrom::Start(0)).await?;
        self.len = 0;
        self.md5 = Md5::new();
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes spool files in `dir` not written for `age` (a crash's leftovers).
pub fn remove_stale(dir: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|e| e > age);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A sealed spool's description, cheap to clone into a retried request.
#[derive(Clone, Debug)]
pub struct Sealed {
    path: PathBuf,
    /// Bytes in the body.
    pub len: u64,
    /// Base64 MD5 of the body.
    pub md5: String,
}

impl Sealed {
    /// The body, read from the spool file as it is sent.
    pub fn body(&self) -> Body {
        let (path, len) = (self.path.clone(), self.len);
        let chunks = futures_util::stream::try_unfold(
            (None::<tokio::fs::File>, len),
            move |(file, left)| {
                let path = path.clone();
                async move {
                    if left == 0 {
                        return Ok(None);
                    }
                    let mut file = match file {
                        Some(f) => f,
                        None => tokio::fs::File::open(&path).await?,
                    };
                    let mut buf = vec![0u8; BUFFER.min(usize::try_from(left).unwrap_or(BUFFER))];
                    let n = file.read(&mut buf).await?;
                    if n == 0 {
                        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                    }
                    buf.truncate(n);
                    Ok(Some((Bytes::from(buf), (Some(file), left - n as u64))))
                }
            },
        );
        Body::new_with_size(chunks, usize::try_from(len).unwrap_or(usize::MAX))
    }
}

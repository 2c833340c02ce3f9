//! S3 and S3-compatible servers, through rusoto.
//!
//! - One multipart upload per tus upload, created when its first whole part is ready. Parts
//!   are cut at fixed absolute offsets: every part but the last is `part_size` long
//!   (`max(5 MiB, ceil(length / 9000))`, so 5 TiB stays under 10,000 parts and providers
//!   that demand equal parts work). Part `n` always holds the same bytes, so a part sent
//!   again after a crash replaces itself.
//! - Bytes that do not fill a part when a request ends are kept as a tail object under a
//!   server-only temporary key and put in front of the next request's bytes.
//! - What was sent (multipart upload, parts with their ETags, tail) is recorded in the
//!   database (`db::s3_state`), never read back from ListParts.
//! - Completion sends the recorded parts, then believes only HeadObject (length, and the
//!   multipart ETag where the server gives one): rusoto can report a CompleteMultipartUpload
//!   that failed inside an HTTP 200 as a success.
//! - Every call runs on a small runtime of its own, with a timeout and retries
//!   ([`calls`]); pooled connections are dropped after 20 s idle, before servers drop them.

mod calls;
mod ranged;
mod requests;
mod spool;
mod sweep;
#[doc(hidden)]
pub mod testing;

pub use calls::Retry;

use super::{ByteStream, Phase, ReadSeek, Storage, StorageKey, Written};
use crate::db::leases::Fence;
use crate::db::s3_state::{self, S3Part, S3Upload};
use crate::db::{self, DbPool};
use anyhow::Context;
use async_trait::async_trait;
use calls::{with_retries, Failure};
use futures_util::StreamExt;
use rusoto_core::{HttpClient, HttpConfig, Region, RusotoError};
use rusoto_credential::{AutoRefreshingProvider, ChainProvider};
use rusoto_s3::{
    CompleteMultipartUploadRequest, CompletedMultipartUpload, CompletedPart, GetObjectRequest,
    HeadBucketRequest, S3Client, S3,
};
use spool::Spool;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// S3's smallest part (but the last); the configuration's default says it first.
pub const MIN_PART: u64 = crate::config::S3_MIN_PART_BYTES;
/// Parts one upload may use, with room to spare under S3's 10,000.
const MAX_PARTS: u64 = 9000;

/// Where and how to reach the bucket.
#[derive(Clone, Debug)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// The region (signing); any name for an S3-compatible server.
    pub region: String,
    /// An S3-compatible server's URL; `None` means AWS.
    pub endpoint: Option<String>,
    /// Put before every key: `""` or ending in `/`.
    pub prefix: String,
    /// The smallest part (tests lower it with a server that allows smaller parts).
    pub min_part_bytes: u64,
    /// Each call's timeout (a body's gets one more second per MiB).
    pub timeout: Duration,
    /// How calls are retried.
    pub retry: Retry,
    /// How old a temporary object or an unknown multipart upload must be before the janitor
    /// removes it (a write may still be using a younger one).
    pub orphan_grace: Duration,
    /// Where parts are spooled on their way out.
    pub spool_dir: PathBuf,
}

impl S3Settings {
    /// The settings in a [`crate::Config`], or why they are incomplete.
    pub fn from_config(config: &crate::Config) -> anyhow::Result<Self> {
        let bucket = config
            .s3_bucket
            .clone()
            .context("REEL_STORAGE=s3 needs REEL_S3_BUCKET (the bucket that keeps the videos)")?;
        Ok(Self {
            bucket,
            region: config.s3_region.clone(),
            endpoint: config.s3_endpoint.clone(),
            prefix: config.s3_prefix.clone(),
            min_part_bytes: config.s3_min_part_bytes,
            timeout: Duration::from_secs(config.s3_timeout_secs),
            retry: Retry::default(),
            orphan_grace: Duration::from_secs(3600),
            spool_dir: config.data_dir.join("s3-spool"),
        })
    }
}

/// The part size for an upload of `length` bytes.
pub fn part_size(length: u64, min_part: u64) -> u64 {
    min_part.max(length.div_ceil(MAX_PARTS)).max(1)
}

/// What a staged write sent, waiting for `commit_staged` or `discard_staged`.
struct Staged {
    parts: Vec<S3Part>,
    first: i32,
    tail: Option<(String, i64)>,
}

/// The provider. See the module documentation.
pub struct S3Storage {
    client: S3Client,
    settings: S3Settings,
    pool: DbPool,
    runtime: Option<tokio::runtime::Runtime>,
    staged: Mutex<HashMap<(String, u64), Staged>>,
}

impl Drop for S3Storage {
    fn drop(&mut self) {
        // Dropping a runtime inside another one panics; let its threads wind down alone.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl S3Storage {
    /// Opens the bucket: a missing bucket or refused credentials is an error that says which
    /// setting to fix.
    pub async fn connect(settings: S3Settings, pool: DbPool) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            // Its blocking threads read spooled parts; a few are enough, and each thread's
            // malloc arena would keep its freed buffers.
            .max_blocking_threads(8)
            .thread_name("reel-s3")
            .enable_all()
            .build()
            .context("cannot start the S3 client's runtime")?;
        let region = match &settings.endpoint {
            Some(endpoint) => Region::Custom {
                name: settings.region.clone(),
                endpoint: endpoint.trim_end_matches('/').to_string(),
            },
            None => settings.region.parse().with_context(|| {
                format!("REEL_S3_REGION `{}` is not an AWS region", settings.region)
            })?,
        };
        let mut http = HttpConfig::new();
        http.pool_idle_timeout(Duration::from_secs(20));
        // A fixed read buffer per connection instead of hyper's adaptive one (up to ~400 KiB
        // each): every upload and probe holds a pooled connection, and the memory budget is
        // for the whole server.
        http.read_buf_size(64 * 1024);
        let client = {
            let _entered = runtime.enter();
            let dispatcher =
                HttpClient::new_with_config(http).context("cannot set up TLS for S3")?;
            let mut chain = ChainProvider::new();
            chain.set_timeout(Duration::from_secs(3));
            let credentials =
                AutoRefreshingProvider::new(chain).context("cannot read the S3 credentials")?;
            S3Client::new_with(dispatcher, credentials, region)
        };
        // Spooled parts a crash left behind are of no use. Only stale ones: another process
        // on this data directory (`reel storage migrate` beside a server) may be spooling.
        spool::remove_stale(&settings.spool_dir, Duration::from_secs(600));
        let storage = Self {
            client,
            settings,
            pool,
            runtime: Some(runtime),
            staged: Mutex::default(),
        };
        let bucket = storage.settings.bucket.clone();
        let checked = storage
            .call("HeadBucket", storage.settings.timeout, move |c| {
                let req = HeadBucketRequest {
                    bucket: bucket.clone(),
                    ..Default::default()
                };
                async move { c.head_bucket(req).await }
            })
            .await;
        match checked {
            Ok(()) => Ok(storage),
            Err(f) if f.is_not_found() => anyhow::bail!(
                "REEL_S3_BUCKET: the bucket `{}` does not exist (or this account cannot see it)",
                storage.settings.bucket
            ),
            Err(f)
                if matches!(f.status(), Some(401 | 403))
                    || matches!(f, Failure::S3(RusotoError::Credentials(_))) =>
            {
                anyhow::bail!(
                    "the S3 credentials were refused for bucket `{}`: check AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY (or the AWS profile or instance role)",
                    storage.settings.bucket
                )
            }
            Err(f) => anyhow::bail!(
                "cannot reach S3 (REEL_S3_ENDPOINT / REEL_S3_REGION): {}",
                f.into_io("HeadBucket")
            ),
        }
    }

    /// The settings in effect.
    pub fn settings(&self) -> &S3Settings {
        &self.settings
    }

    fn handle(&self) -> io::Result<&tokio::runtime::Handle> {
        self.runtime
            .as_ref()
            .map(tokio::runtime::Runtime::handle)
            .ok_or_else(|| super::unavailable("shutting down"))
    }

    /// Runs one S3 call, with its retries, on the provider's runtime.
    async fn call<T, E, F, Fut>(
        &self,
        what: &'static str,
        timeout: Duration,
        mut make: F,
    ) -> Result<T, Failure<E>>
    where
        F: FnMut(S3Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, RusotoError<E>>> + Send + 'static,
        T: Send + 'static,
        E: std::fmt::Debug + Send + 'static,
    {
        let (client, retry) = (self.client.clone(), self.settings.retry);
        let Ok(handle) = self.handle() else {
            return Err(Failure::TimedOut);
        };
        handle
            .spawn(async move { with_retries(what, retry, timeout, || make(client.clone())).await })
            .await
            .unwrap_or(Err(Failure::TimedOut))
    }

    fn body_timeout(&self, len: u64) -> Duration {
        self.settings.timeout + Duration::from_secs(len >> 20)
    }

    fn object(&self, key: &StorageKey) -> String {
        format!("{}{}", self.settings.prefix, key.as_str())
    }

    fn new_tail_key(&self) -> String {
        format!("{}tmp/tails/{}", self.settings.prefix, uuid::Uuid::new_v4())
    }

    async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut db::Conn) -> diesel::QueryResult<T> + Send + 'static,
    ) -> io::Result<T> {
        db::write(&self.pool, move |conn| Ok(work(conn)?))
            .await
            .map_err(|e| io::Error::other(format!("recording the S3 state: {e:#}")))
    }

    /// Records parts and tail; with `fence`, only while it holds the upload's lease.
    async fn record(
        &self,
        key: &str,
        parts: Vec<S3Part>,
        first_dropped: i32,
        tail: Option<(String, i64)>,
        fence: Option<&Fence>,
    ) -> io::Result<()> {
        let (key, now, fence) = (key.to_string(), crate::clock::now_ms(), fence.cloned());
        let replaced = self
            .db(move |conn| {
                let tail = tail.as_ref().map(|(k, n)| (k.as_str(), *n));
                s3_state::record(conn, &key, &parts, first_dropped, tail, now, fence.as_ref())
            })
            .await?
            .map_err(|_| super::lease_lost())?;
        self.remove_garbage(replaced).await;
        Ok(())
    }

    /// Forgets an upload's state and removes its tail.
    async fn forget(&self, key: &str) -> io::Result<()> {
        let (key, now) = (key.to_string(), crate::clock::now_ms());
        let tail = self
            .db(move |conn| s3_state::forget(conn, &key, now))
            .await?;
        self.remove_garbage(tail).await;
        Ok(())
    }

    /// Removes a temporary object no row needs now; if that fails, its garbage row stays and
    /// the janitor tries again.
    async fn remove_garbage(&self, object: Option<String>) {
        let Some(object) = object else { return };
        if self.delete_object(&object).await.is_ok() {
            let _ = self
                .db(move |conn| s3_state::garbage_removed(conn, &object))
                .await;
        }
    }

    /// Drops what staged writes of `key` left waiting (a new write or a delete replaces it).
    async fn drop_staged(&self, key: &str) {
        let tails: Vec<String> = {
            let mut staged = self.staged();
            let offsets: Vec<u64> = staged
                .keys()
                .filter(|(k, _)| k == key)
                .map(|(_, o)| *o)
                .collect();
            offsets
                .into_iter()
                .filter_map(|o| staged.remove(&(key.to_string(), o)))
                .filter_map(|s| s.tail.map(|(k, _)| k))
                .collect()
        };
        for tail in tails {
            self.remove_garbage(Some(tail)).await;
        }
    }

    async fn state(&self, key: &StorageKey) -> io::Result<Option<(S3Upload, Vec<S3Part>)>> {
        let key = key.as_str().to_string();
        db::run(&self.pool, move |conn| Ok(s3_state::get(conn, &key)?))
            .await
            .map_err(|e| io::Error::other(format!("reading the S3 state: {e:#}")))
    }

    fn staged(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u64), Staged>> {
        self.staged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The ETag S3 gives a multipart object: MD5 of the parts' MD5s, then `-` and the part count.
/// `None` when a part's ETag is not a plain MD5 (some servers and encryption modes).
fn multipart_etag(parts: &[S3Part]) -> Option<String> {
    use md5::{Digest, Md5};
    let mut all = Md5::new();
    for part in parts {
        let raw = hex::decode(part.etag.trim_matches('"')).ok()?;
        if raw.len() != 16 {
            return None;
        }
        all.update(raw);
    }
    Some(format!("{}-{}", hex::encode(all.finalize()), parts.len()))
}

fn stored(parts: &[S3Part], upload: &S3Upload) -> u64 {
    let sent: i64 = parts.iter().map(|p| p.size).sum();
    u64::try_from(sent + upload.tail_len).unwrap_or(0)
}

impl S3Storage {
    /// Writes `body` at `offset`; with `fence`, records parts and tail only while it holds.
    async fn write(
        &self,
        key: &StorageKey,
        offset: u64,
        length: u64,
        mut body: ByteStream,
        phase: Phase,
        fence: Option<&Fence>,
    ) -> io::Result<Written> {
        let object = self.object(key);
        let fresh = S3Upload {
            storage_key: key.as_str().to_string(),
            multipart_id: None,
            part_size: i64::try_from(part_size(length, self.settings.min_part_bytes))
                .unwrap_or(i64::MAX),
            tail_key: None,
            tail_len: 0,
            created_at: crate::clock::now_ms(),
        };
        let (mut upload, parts) = self
            .db(move |conn| {
                let upload = s3_state::begin(conn, &fresh)?;
                let parts = s3_state::get(conn, &fresh.storage_key)?
                    .map(|(_, p)| p)
                    .unwrap_or_default();
                Ok((upload, parts))
            })
            .await?;
        let part = u64::try_from(upload.part_size).unwrap_or(MIN_PART);
        let base: u64 = parts
            .iter()
            .map(|p| u64::try_from(p.size).unwrap_or(0))
            .sum();
        if !base.is_multiple_of(part) {
            return Err(io::Error::other("this upload's parts are already complete"));
        }
        let had = stored(&parts, &upload);
        if offset > had {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "partial object is shorter than its offset",
            ));
        }
        if offset < base {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot rewind into a part already sent",
            ));
        }
        let skey = upload.storage_key.clone();
        self.drop_staged(&skey).await;
        let keep = offset - base;
        if offset < had {
            // Cut back to `offset` first: the tail object keeps its bytes, only its first
            // `keep` count.
            let tail = upload.tail_key.clone().filter(|_| keep > 0);
            let cut = tail.map(|k| (k, i64::try_from(keep).unwrap_or(0)));
            self.record(&skey, Vec::new(), i32::MAX, cut.clone(), fence)
                .await?;
            upload.tail_key = cut.as_ref().map(|(k, _)| k.clone());
            upload.tail_len = cut.map_or(0, |(_, n)| n);
        }
        let mut spool = Spool::create(&self.settings.spool_dir).await?;
        if keep > 0 {
            let tail = upload
                .tail_key
                .clone()
                .ok_or_else(|| io::Error::other("the S3 tail is missing"))?;
            self.spool_from(&tail, 0..keep, &mut spool).await?;
        }
        let (staged, durable) = match phase {
            Phase::Progressive(durable) => (false, durable),
            Phase::Staged => (true, None),
        };
        let first = i32::try_from(parts.len()).unwrap_or(i32::MAX) + 1;
        let mut next = first;
        let mut pending = Vec::new();
        let (mut written, mut body_error) = (0u64, None);
        while let Some(item) = body.next().await {
            let chunk = match item {
                Ok(chunk) => chunk,
                Err(e) => {
                    body_error = Some(e);
                    break;
                }
            };
            written += chunk.len() as u64;
            let mut rest = &chunk[..];
            while !rest.is_empty() {
                let room = usize::try_from(part - spool.len()).unwrap_or(usize::MAX);
                let take = room.min(rest.len());
                spool.write(&rest[..take]).await?;
                rest = &rest[take..];
                if spool.len() < part {
                    continue;
                }
                let sent = self
                    .upload_part(&object, &mut upload, next, &mut spool, fence)
                    .await?;
                if staged {
                    pending.push(sent);
                } else {
                    // Recorded before the next part: a crash keeps every recorded part, and
                    // the upload's offset catches up from `stored_len`.
                    self.record(&skey, vec![sent], next, None, fence).await?;
                    if let Some(durable) = &durable {
                        let _ = durable.send(u64::try_from(next).unwrap_or(0) * part);
                    }
                }
                next += 1;
                spool.reset().await?;
            }
        }
        let tail = if spool.len() > 0 {
            Some(self.put_tail(&mut spool).await?)
        } else {
            None
        };
        if staged {
            self.staged().insert(
                (skey, offset),
                Staged {
                    parts: pending,
                    first,
                    tail,
                },
            );
        } else {
            let tail_len = tail.as_ref().map_or(0, |(_, n)| *n);
            self.record(&skey, Vec::new(), next, tail, fence).await?;
            if let Some(durable) = &durable {
                let at = u64::try_from(next - 1).unwrap_or(0) * part;
                let _ = durable.send(at + u64::try_from(tail_len).unwrap_or(0));
            }
        }
        Ok(Written {
            bytes: written,
            body_error,
        })
    }

    /// Records what a staged write sent; with `fence`, only while it holds.
    async fn commit(&self, key: &StorageKey, offset: u64, fence: Option<&Fence>) -> io::Result<()> {
        let staged = self
            .staged()
            .remove(&(key.as_str().to_string(), offset))
            .ok_or_else(|| io::Error::other("nothing is staged at this offset"))?;
        self.record(key.as_str(), staged.parts, staged.first, staged.tail, fence)
            .await
    }
}

#[async_trait(?Send)]
impl Storage for S3Storage {
    async fn write_partial(
        &self,
        key: &StorageKey,
        offset: u64,
        length: u64,
        body: ByteStream,
        phase: Phase,
        fence: Option<&Fence>,
    ) -> io::Result<Written> {
        self.write(key, offset, length, body, phase, fence).await
    }

    async fn commit_staged(
        &self,
        key: &StorageKey,
        offset: u64,
        _len: u64,
        fence: Option<&Fence>,
    ) -> io::Result<()> {
        self.commit(key, offset, fence).await
    }

    async fn discard_staged(&self, key: &StorageKey, offset: u64) -> io::Result<()> {
        // Its parts were never recorded (the next write sends those numbers again) and its
        // tail is garbage already.
        let staged = self.staged().remove(&(key.as_str().to_string(), offset));
        self.remove_garbage(staged.and_then(|s| s.tail).map(|(k, _)| k))
            .await;
        Ok(())
    }

    async fn stored_len(&self, key: &StorageKey) -> io::Result<Option<u64>> {
        Ok(self.state(key).await?.map(|(u, p)| stored(&p, &u)))
    }

    async fn complete(&self, key: &StorageKey) -> io::Result<()> {
        let object = self.object(key);
        let Some((mut upload, mut parts)) = self.state(key).await? else {
            // Completed before (the state goes last), or never written.
            return match self.head(&object).await? {
                Some(_) => Ok(()),
                None => Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "nothing to complete",
                )),
            };
        };
        let total = stored(&parts, &upload);
        let tail_len = u64::try_from(upload.tail_len).unwrap_or(0);
        let mut spool = Spool::create(&self.settings.spool_dir).await?;
        if let Some(tail) = upload.tail_key.clone().filter(|_| tail_len > 0) {
            self.spool_from(&tail, 0..tail_len, &mut spool).await?;
        }
        let mut expected_etag = None;
        if upload.multipart_id.is_none() {
            // Smaller than one part: a single PUT.
            let sealed = spool.seal().await?;
            self.put(&object, sealed).await?;
        } else {
            if tail_len > 0 || parts.is_empty() {
                let number = i32::try_from(parts.len()).unwrap_or(i32::MAX) + 1;
                let last = self
                    .upload_part(&object, &mut upload, number, &mut spool, None)
                    .await?;
                self.record(&upload.storage_key, vec![last.clone()], number, None, None)
                    .await?;
                parts.push(last);
            }
            expected_etag = multipart_etag(&parts);
            let (bucket, id) = (
                self.settings.bucket.clone(),
                upload.multipart_id.clone().unwrap_or_default(),
            );
            let (obj, list) = (object.clone(), parts.clone());
            let completed = self
                .call(
                    "CompleteMultipartUpload",
                    self.settings.timeout * 4,
                    move |c| {
                        let req = CompleteMultipartUploadRequest {
                            bucket: bucket.clone(),
                            key: obj.clone(),
                            upload_id: id.clone(),
                            multipart_upload: Some(CompletedMultipartUpload {
                                parts: Some(
                                    list.iter()
                                        .map(|p| CompletedPart {
                                            e_tag: Some(p.etag.clone()),
                                            part_number: Some(i64::from(p.part_number)),
                                        })
                                        .collect(),
                                ),
                            }),
                            ..Default::default()
                        };
                        async move { c.complete_multipart_upload(req).await }
                    },
                )
                .await;
            if let Err(failure) = completed {
                // NoSuchUpload may mean an earlier attempt succeeded: HeadObject decides.
                if !failure.is_not_found() {
                    tracing::warn!(
                        ?failure,
                        "CompleteMultipartUpload failed; checking the object"
                    );
                }
            }
        }
        // Believe only what S3 has: the object, its length, and (for multipart objects where
        // the server says) the ETag the recorded parts give.
        let done = match self.head(&object).await? {
            Some((len, etag)) => {
                let etag = etag.unwrap_or_default();
                let etag = etag.trim_matches('"');
                len == total
                    && match (&expected_etag, etag.contains('-')) {
                        (Some(expected), true) => etag == expected,
                        _ => true,
                    }
            }
            None => false,
        };
        if !done {
            return Err(io::Error::other(
                "the completed object does not match what was sent; completion is retried",
            ));
        }
        self.forget(&upload.storage_key).await
    }

    async fn size(&self, key: &StorageKey) -> io::Result<Option<u64>> {
        Ok(self.head(&self.object(key)).await?.map(|(len, _)| len))
    }

    async fn read(&self, key: &StorageKey, range: Range<u64>) -> io::Result<ByteStream> {
        self.get(&self.object(key), range).await
    }

    async fn open_seekable(&self, key: &StorageKey) -> io::Result<Box<dyn ReadSeek>> {
        let object = self.object(key);
        let (len, _) = self
            .head(&object)
            .await?
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such object"))?;
        let handle = self.handle()?.clone();
        let (client, bucket, retry, timeout) = (
            self.client.clone(),
            self.settings.bucket.clone(),
            self.settings.retry,
            self.body_timeout(ranged::WINDOW),
        );
        let fetch = move |range: Range<u64>| -> io::Result<Vec<u8>> {
            let (client, bucket, object) = (client.clone(), bucket.clone(), object.clone());
            let header = format!("bytes={}-{}", range.start, range.end - 1);
            handle.block_on(async move {
                // The whole window, body included, is one attempt: a connection cut mid-body
                // is retried like one cut before the answer.
                with_retries("GetObject", retry, timeout, || {
                    let (client, req) = (
                        client.clone(),
                        GetObjectRequest {
                            bucket: bucket.clone(),
                            key: object.clone(),
                            range: Some(header.clone()),
                            ..Default::default()
                        },
                    );
                    let want = usize::try_from(range.end - range.start).unwrap_or(0);
                    async move {
                        let out = client.get_object(req).await?;
                        // Sized once: growing by doubling would hold two windows at a time.
                        let mut bytes = Vec::with_capacity(want);
                        if let Some(mut body) = out.body {
                            while let Some(chunk) = body.next().await {
                                let chunk = chunk.map_err(|e| {
                                    RusotoError::HttpDispatch(
                                        rusoto_core::request::HttpDispatchError::new(e.to_string()),
                                    )
                                })?;
                                bytes.extend_from_slice(&chunk);
                            }
                        }
                        Ok(bytes)
                    }
                })
                .await
                .map_err(|f| f.into_io("GetObject"))
            })
        };
        Ok(Box::new(ranged::RangedReader::new(len, Box::new(fetch))))
    }

    async fn delete(&self, key: &StorageKey) -> io::Result<()> {
        let object = self.object(key);
        self.drop_staged(key.as_str()).await;
        if let Some((upload, _)) = self.state(key).await? {
            if let Some(id) = &upload.multipart_id {
                self.abort(&object, id).await?;
            }
            self.forget(&upload.storage_key).await?;
        }
        self.delete_object(&object).await
    }

    async fn sweep(&self) -> io::Result<usize> {
        let garbage = self.sweep_garbage().await?;
        let multiparts = match self.sweep_multiparts().await {
            Ok(n) => n,
            Err(error) => {
                // Some S3-compatible servers do not list multipart uploads.
                tracing::warn!(%error, "could not look for abandoned multipart uploads");
                0
            }
        };
        Ok(garbage + multiparts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_at_least_5_mib_and_at_most_9000() {
        assert_eq!(part_size(0, MIN_PART), MIN_PART);
        assert_eq!(part_size(1 << 30, MIN_PART), MIN_PART);
        let five_tib = 5u64 << 40;
        let p = part_size(five_tib, MIN_PART);
        assert!(five_tib.div_ceil(p) <= 9000 && p > MIN_PART);
    }

    #[test]
    fn multipart_etags_are_md5_of_md5s() {
        let part = |n, etag: &str| S3Part {
            storage_key: "k".into(),
            part_number: n,
            size: 1,
            etag: etag.into(),
        };
        let parts = [
            part(1, "\"5d41402abc4b2a76b9719d911017c592\""),
            part(2, "\"7d793037a0760186574b0282f2f435e7\""),
        ];
        let etag = multipart_etag(&parts).expect("md5 etags");
        assert!(etag.ends_with("-2") && etag.len() == 34);
        assert_eq!(multipart_etag(&[part(1, "\"not-md5\"")]), None);
    }
}

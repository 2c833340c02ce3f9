//! The upload lifecycle behind the tus endpoints: create, write a chunk, terminate, expire.
//! Completion hands the video to `processing`. Nothing here knows about HTTP; the tus action
//! maps [`UploadError`] to status codes.

use crate::db::{
    self,
    models::{Upload, Video},
    status::{UploadState, VideoStatus},
};
use crate::services::audit::{self, Event, Origin};
use crate::services::media::{self, FileKind, SNIFF_LEN};
use crate::services::storage::{ByteStream, Phase, StorageKey};
use crate::services::upload_lease;
use crate::services::upload_writers::{StopReason, UploadWriters};
use crate::services::{processing, tus::ChunkHasher};
use futures_util::StreamExt;
use shared::media::human_bytes;
use std::cell::RefCell;
use std::io;
use std::rc::Rc;

/// The limits uploads are held to (from the configuration).
#[derive(Clone, Copy, Debug)]
pub struct UploadLimits {
    /// An unfinished upload expires this long after its last write.
    pub upload_expiry_secs: u64,
    /// A body that sends nothing for this long is cut off.
    pub upload_idle_secs: u64,
    /// Space the storage keeps free.
    pub min_free_bytes: u64,
    /// The largest upload.
    pub max_upload_bytes: u64,
    /// Unfinished uploads one instructor may have at once.
    pub max_active_uploads: u64,
    /// Their bytes together.
    pub max_active_upload_bytes: u64,
}

/// What the upload lifecycle takes.
#[derive(Clone)]
pub struct Uploads {
    /// Uploads' and videos' rows.
    pub pool: crate::db::DbPool,
    /// Their bytes.
    pub storage: crate::services::storage::SharedStorage,
    /// What uploads are held to.
    pub limits: UploadLimits,
    /// Who may write to an upload.
    pub leases: upload_lease::Leases,
    /// Where a finished upload goes.
    pub processing: processing::Processing,
    /// Requests writing here, told to stop when their upload ends.
    pub writers: UploadWriters,
}

/// Why an upload step was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Missing, or not the caller's.
    #[error("not found")]
    NotFound,
    /// The chapter was deleted while the upload was being created in it.
    #[error("chapter deleted")]
    ChapterDeleted,
    /// It expired; its bytes are gone.
    #[error("expired")]
    Expired,
    /// Another request is writing to it.
    #[error("locked")]
    Locked,
    /// The client's offset is not the stored one.
    #[error("offset mismatch")]
    OffsetMismatch {
        /// The stored offset.
        expected: i64,
    },
    /// The chunk's checksum did not match; its bytes were discarded.
    #[error("checksum mismatch")]
    ChecksumMismatch,
    /// More bytes than the declared length (or the server's maximum).
    #[error("too large")]
    TooLarge(String),
    /// The file is not a video Reel accepts.
    #[error("not a video")]
    NotAVideo(String),
    /// The file kind is not accepted at all.
    #[error("unsupported type")]
    UnsupportedType(String),
    /// Bad metadata or headers.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The upload is finished or ended.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request body broke off; the bytes that arrived are kept.
    #[error("interrupted")]
    Interrupted,
    /// The instructor has as many unfinished uploads as allowed.
    #[error("too many uploads")]
    TooManyUploads(String),
    /// The instructor's unfinished uploads already declare as many bytes as allowed.
    #[error("quota exceeded")]
    QuotaExceeded(String),
    /// The disk has no room for this upload.
    #[error("insufficient storage")]
    InsufficientStorage(String),
    /// Storage cannot take bytes now (a read-only disk); nothing was lost.
    #[error("storage unavailable")]
    StorageUnavailable,
    /// The body stopped arriving for longer than the idle limit; the bytes before are kept.
    #[error("stalled")]
    Stalled,
    /// Anything else; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<io::Error> for UploadError {
    fn from(e: io::Error) -> Self {
        // A full or read-only disk is the server's state, not a bug: say so (the bytes stored
        // before it are kept and counted), and log the cause.
        match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                tracing::error!(error = %e, "storage is full");
                Self::InsufficientStorage(
                    "The server ran out of storage space while saving this upload. What \
                     arrived before is kept: resume the upload later."
                        .into(),
                )
            }
            io::ErrorKind::ReadOnlyFilesystem => {
                tracing::error!(error = %e, "storage is read-only");
                Self::StorageUnavailable
            }
            // Object storage unreachable or not answering (after its retries).
            io::ErrorKind::ConnectionAborted => {
                tracing::error!(error = %e, "storage is unavailable");
                Self::StorageUnavailable
            }
            _ => Self::Internal(e.into()),
        }
    }
}

/// What the creation request asks for.
pub struct NewUpload {
    /// The caller.
    pub instructor_id: String,
    /// Target chapter (from metadata).
    pub chapter_id: String,
    /// `Upload-Length`.
    pub length: i64,
    /// The raw `Upload-Metadata`, kept for HEAD.
    pub metadata_raw: String,
    /// The client's file name (only ever a default title).
    pub filename: String,
    /// The client's file type.
    pub filetype: String,
    /// Optional title.
    pub title: Option<String>,
}

/// A file name is a name, never a path, and it and a title follow the rule for names that are
/// shown (`shared::titles::check_shown_name`: one line, no direction controls, something
/// visible). Browsers send bare names, so only a hand-made request is refused here.
fn check_names(new: &NewUpload) -> Result<(), UploadError> {
    if new.filename.contains(['/', '\\']) {
        return Err(UploadError::Invalid(
            "The file name must be a name, without `/` or `\\`.".into(),
        ));
    }
    let names = std::iter::once(("file name", new.filename.as_str()))
        .chain(new.title.as_deref().map(|t| ("title", t)));
    for (what, name) in names {
        if let Err(problem) = shared::titles::check_shown_name(name) {
            return Err(UploadError::Invalid(format!(
                "The {what} cannot be used: {}",
                problem.message()
            )));
        }
    }
    Ok(())
}

fn now_ms() -> i64 {
    crate::clock::now_ms()
}

fn expiry(deps: &Uploads, now: i64) -> i64 {
    now + i64::try_from(deps.limits.upload_expiry_secs).unwrap_or(i64::MAX / 4) * 1000
}

fn default_title(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    shared::titles::title_from(stem).unwrap_or_else(|| "Untitled video".into())
}

fn quota_error(over: db::uploads::OverQuota, quota: db::uploads::Quota) -> UploadError {
    let bytes = |n: i64| human_bytes(u64::try_from(n).unwrap_or(0));
    match over {
        db::uploads::OverQuota::Uploads(n) => UploadError::TooManyUploads(format!(
            "You have {n} unfinished uploads, the most Reel keeps at once. Let them finish, \
             or cancel some, then add this file."
        )),
        db::uploads::OverQuota::Bytes(n) => UploadError::QuotaExceeded(format!(
            "Your unfinished uploads already add up to {} of the {} allowed at once. Let them \
             finish, or cancel some, then add this file.",
            bytes(n),
            bytes(quota.bytes)
        )),
    }
}

/// Refuses an upload the disk could not hold while keeping `min_free_bytes` free.
async fn check_free_space(deps: &Uploads, length: i64) -> Result<(), UploadError> {
    let Some(free) = deps.storage.free_bytes().await? else {
        return Ok(());
    };
    let needed = u64::try_from(length)
        .unwrap_or(u64::MAX)
        .saturating_add(deps.limits.min_free_bytes);
    if free < needed {
        tracing::warn!(free, needed, "refusing an upload: storage is nearly full");
        return Err(UploadError::InsufficientStorage(
            "Reel is out of storage space for new uploads right now. Try again later, or \
             ask your administrator."
                .into(),
        ));
    }
    Ok(())
}

/// Validates and records a new upload: the video row (`uploading`) and the upload row.
pub async fn create(
    deps: &Uploads,
    origin: &Origin,
    new: NewUpload,
) -> Result<(Upload, Video), UploadError> {
    let max = i64::try_from(deps.limits.max_upload_bytes).unwrap_or(i64::MAX);
    if new.length > max {
        return Err(UploadError::TooLarge(format!(
            "This file is larger than the {} limit.",
            human_bytes(deps.limits.max_upload_bytes)
        )));
    }
    if new.length == 0 {
        return Err(UploadError::NotAVideo("This file is empty.".into()));
    }
    check_names(&new)?;
    let kind: FileKind = media::kind_for_upload(&new.filename, &new.filetype)
        .map_err(UploadError::UnsupportedType)?;
    let (owner, chapter) = (new.instructor_id.clone(), new.chapter_id.clone());
    let found = db::run(&deps.pool, move |conn| {
        Ok(db::courses::owned_chapter(conn, &owner, &chapter)?)
    })
    .await?;
    let Some((chapter, course)) = found else {
        audit::record_refusal(
            &deps.pool,
            origin,
            Event::new("upload.create", "denied")
                .actor(&new.instructor_id)
                .target(&new.chapter_id),
            db::audit::SameWhen::Everything,
        )
        .await;
        return Err(UploadError::NotFound);
    };
    let now = now_ms();
    let video_id = crate::services::tokens::new_id();
    let title = new.title.as_deref().and_then(shared::titles::title_from);
    let video = Video {
        id: video_id.clone(),
        chapter_id: chapter.id.clone(),
        title: title.unwrap_or_else(|| default_title(&new.filename)),
        status: VideoStatus::Uploading,
        size_bytes: new.length,
        duration_ms: None,
        width: None,
        height: None,
        storage_key: StorageKey::for_video(&course.id, &chapter.id, &video_id, kind.ext)
            .as_str()
            .to_string(),
        content_type: kind.content_type.into(),
        sha256: None,
        failure_reason: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        purge_after: None,
        purge_attempts: 0,
        purged_at: None,
        deleted_from: None,
        has_poster: false,
    };
    let upload = Upload {
        id: crate::services::tokens::new_token(),
        video_id: video_id.clone(),
        instructor_id: new.instructor_id.clone(),
        upload_length: new.length,
        upload_offset: 0,
        metadata: new.metadata_raw,
        state: UploadState::Active,
        expires_at: expiry(deps, now),
        created_at: now,
        updated_at: now,
        cleaned_at: None,
    };
    check_free_space(deps, new.length).await?;
    let quota = db::uploads::Quota {
        uploads: i64::try_from(deps.limits.max_active_uploads).unwrap_or(i64::MAX),
        bytes: i64::try_from(deps.limits.max_active_upload_bytes).unwrap_or(i64::MAX),
    };
    let (v, u) = (video.clone(), upload.clone());
    let recorded = db::write(&deps.pool, move |conn| {
        Ok(db::uploads::insert_within_quota(conn, &v, &u, quota)?)
    })
    .await?;
    match recorded {
        Ok(()) => {}
        Err(db::uploads::NotRecorded::ChapterDeleted) => return Err(UploadError::ChapterDeleted),
        Err(db::uploads::NotRecorded::OverQuota(over)) => {
            audit::record_refusal(
                &deps.pool,
                origin,
                Event::new("upload.create", "over_quota")
                    .actor(&new.instructor_id)
                    .target(&new.chapter_id)
                    .details(
                        serde_json::json!({ "length": new.length, "quota": format!("{over:?}") }),
                    ),
                db::audit::SameWhen::Everything,
            )
            .await;
            return Err(quota_error(over, quota));
        }
    }
    audit::record(
        &deps.pool,
        origin,
        Event::new("upload.created", "success").actor(&new.instructor_id).target(&video_id).details(
            serde_json::json!({ "chapter_id": chapter.id, "length": new.length, "type": kind.ext }),
        ),
    )
    .await;
    Ok((upload, video))
}

/// Loads an upload for its owner, expiring it first if its time ran out.
pub async fn load(
    deps: &Uploads,
    origin: &Origin,
    instructor_id: &str,
    upload_id: &str,
) -> Result<(Upload, Video), UploadError> {
    let id = upload_id.to_string();
    let found = db::run(&deps.pool, move |conn| {
        Ok(db::uploads::with_video(conn, &id)?)
    })
    .await?;
    let Some((upload, video)) = found else {
        return Err(UploadError::NotFound);
    };
    if upload.instructor_id != instructor_id {
        audit::record_refusal(
            &deps.pool,
            origin,
            Event::new("upload.access", "denied")
                .actor(instructor_id)
                .target(&video.id),
            db::audit::SameWhen::Everything,
        )
        .await;
        return Err(UploadError::NotFound);
    }
    if video.status == VideoStatus::Deleted {
        // Held by a delete that may still be undone: nothing reaches it meanwhile.
        return Err(UploadError::NotFound);
    }
    match upload.state {
        UploadState::Terminated | UploadState::Failed => Err(UploadError::NotFound),
        UploadState::Expired => Err(UploadError::Expired),
        UploadState::Active if upload.expires_at < now_ms() => {
            expire(deps, &upload, &video).await?;
            Err(UploadError::Expired)
        }
        UploadState::Active => heal(deps, upload, video).await,
        UploadState::Completed => Ok((upload, video)),
    }
}

/// Catches the upload's offset up with what the storage recorded as stored, for a provider
/// that keeps such a record (S3): a crash between the two records leaves the offset behind,
/// never ahead. Only when no request is writing (it would record the same bytes itself).
async fn heal(
    deps: &Uploads,
    upload: Upload,
    video: Video,
) -> Result<(Upload, Video), UploadError> {
    let key = StorageKey::from_stored(video.storage_key.clone());
    let Some(stored) = deps.storage.stored_len(&key).await? else {
        return Ok((upload, video));
    };
    let stored = i64::try_from(stored).unwrap_or(0);
    if stored <= upload.upload_offset || stored > upload.upload_length {
        return Ok((upload, video));
    }
    // Only under the lease: a PATCH writing now moves the offset itself.
    let Some(fence) = upload_lease::try_take(&deps.leases, &upload.id).await? else {
        return Ok((upload, video));
    };
    let (u, f, now) = (upload.clone(), fence.clone(), now_ms());
    let expires = expiry(deps, now);
    let healed = db::write(&deps.pool, move |conn| {
        Ok(db::uploads::record_offset(
            conn, &u, &f, stored, expires, now,
        )?)
    })
    .await;
    upload_lease::release(&deps.leases, fence).await;
    let healed = healed?;
    tracing::info!(upload = %upload.id, from = upload.upload_offset, to = stored, "upload offset caught up with storage");
    if healed && stored == upload.upload_length {
        processing::spawn(deps.processing.clone(), video.id.clone());
    }
    let id = upload.id.clone();
    db::run(&deps.pool, move |conn| {
        Ok(db::uploads::with_video(conn, &id)?)
    })
    .await?
    .ok_or(UploadError::NotFound)
}

/// What a chunk write needs besides the bytes.
pub struct Chunk {
    /// The client's `Upload-Offset`.
    pub offset: i64,
    /// `Upload-Checksum`, parsed.
    pub checksum: Option<(ChunkHasher, Vec<u8>)>,
}

/// What a chunk write recorded: the new offset and the upload's new expiry (ms).
#[derive(Clone, Copy, Debug)]
pub struct Recorded {
    /// Bytes durably stored in all.
    pub offset: i64,
    /// When the upload now expires if nothing more arrives.
    pub expires_at: i64,
}

/// Counts, limits, hashes and sniffs a body on its way to storage.
struct Tap {
    seen: u64,
    limit: u64,
    overflow: bool,
    hasher: Option<ChunkHasher>,
    head: Vec<u8>,
    want_head: bool,
    content_type: String,
}

/// Streams one chunk into storage and records the new offset; returns it. The upload's lease
/// is held throughout (`upload_lease`), so one request at a time writes to it on any instance.
pub async fn write_chunk(
    deps: &Uploads,
    origin: &Origin,
    upload: &Upload,
    video: &Video,
    chunk: Chunk,
    body: ByteStream,
) -> Result<Recorded, UploadError> {
    if upload.state == UploadState::Completed {
        return Err(UploadError::OffsetMismatch {
            expected: upload.upload_offset,
        });
    }
    let fence = upload_lease::take(&deps.leases, &upload.id)
        .await?
        .map_err(|why| match why {
            upload_lease::NotTaken::Held => UploadError::Locked,
            upload_lease::NotTaken::Ended => ended(),
        })?;
    let writer = deps.writers.register(&upload.id);
    let last_byte = Rc::new(std::cell::Cell::new(std::time::Instant::now()));
    let keeper = upload_lease::keep(deps.leases.clone(), fence.clone(), last_byte.clone());
    let held = Held {
        fence: &fence,
        stop: writer.stop.clone(),
        last_byte,
    };
    let result = write_held(deps, origin, upload, video, chunk, body, held).await;
    drop(keeper);
    drop(writer);
    upload_lease::release(&deps.leases, fence).await;
    result
}

/// What a request holding an upload's lease writes with.
struct Held<'a> {
    fence: &'a crate::db::leases::Fence,
    stop: tokio::sync::watch::Receiver<Option<StopReason>>,
    last_byte: Rc<std::cell::Cell<std::time::Instant>>,
}

async fn write_held(
    deps: &Uploads,
    origin: &Origin,
    upload: &Upload,
    video: &Video,
    chunk: Chunk,
    body: ByteStream,
    held: Held<'_>,
) -> Result<Recorded, UploadError> {
    // Re-read under the lease: another request may have moved the offset meanwhile.
    let id = upload.id.clone();
    let (upload, _) = db::run(&deps.pool, move |conn| {
        Ok(db::uploads::with_video(conn, &id)?)
    })
    .await?
    .ok_or(UploadError::NotFound)?;
    if upload.state != UploadState::Active {
        return Err(ended());
    }
    if chunk.offset != upload.upload_offset {
        return Err(UploadError::OffsetMismatch {
            expected: upload.upload_offset,
        });
    }
    let offset = upload.upload_offset;
    let (hasher, expected) = match chunk.checksum {
        Some((h, e)) => (Some(h), Some(e)),
        None => (None, None),
    };
    let staged = expected.is_some();
    let cut = Rc::new(std::cell::Cell::new(None));
    let idle = std::time::Duration::from_secs(deps.limits.upload_idle_secs);
    let body = guarded(body, idle, held.stop.clone(), cut.clone());
    let last_byte = held.last_byte.clone();
    let tap = Rc::new(RefCell::new(Tap {
        seen: 0,
        limit: u64::try_from(upload.upload_length - offset).unwrap_or(0),
        overflow: false,
        hasher,
        head: Vec::new(),
        want_head: offset == 0,
        content_type: video.content_type.clone(),
    }));
    let tapped = {
        let tap = tap.clone();
        body.map(move |item| {
            let bytes = item?;
            last_byte.set(std::time::Instant::now());
            let mut t = tap.borrow_mut();
            if t.seen + bytes.len() as u64 > t.limit {
                t.overflow = true;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "body longer than Upload-Length",
                ));
            }
            t.seen += bytes.len() as u64;
            if let Some(h) = t.hasher.as_mut() {
                h.update(&bytes);
            }
            if t.want_head && t.head.len() < SNIFF_LEN {
                let take = (SNIFF_LEN - t.head.len()).min(bytes.len());
                t.head.extend_from_slice(&bytes[..take]);
                // Refused at the first bytes: nothing of this body reaches storage, and the
                // rest of a large file is not waited for.
                if t.head.len() >= SNIFF_LEN
                    && media::refuse_head(&t.head, media::family_of(&t.content_type)).is_some()
                {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "not a video"));
                }
            }
            Ok(bytes)
        })
    };
    let key = crate::services::storage::StorageKey::from_stored(video.storage_key.clone());
    // Bytes the storage reports durable mid-request are recorded at once, so a crash or a
    // deploy keeps them (like tusd's file store). Not for a chunk with a checksum: it counts
    // whole or not at all.
    // whole or not at all: its bytes are staged, and committed only once the sum matches.
    let (phase, committer) = if !staged {
        let (tx, rx) = tokio::sync::watch::channel(u64::try_from(offset).unwrap_or(0));
        let committer = actix_web::rt::spawn(commit_progress(
            deps.clone(),
            upload.clone(),
            held.fence.clone(),
            rx,
        ));
        (Phase::Progressive(Some(tx)), Some(committer))
    } else {
        (Phase::Staged, None)
    };
    let at = u64::try_from(offset).unwrap_or(0);
    let length = u64::try_from(upload.upload_length).unwrap_or(0);
    let written = deps
        .storage
        .write_partial(&key, at, length, Box::pin(tapped), phase, Some(held.fence))
        .await;
    if let Some(committer) = committer {
        // The sender is gone with the write: the committer records its last value and ends.
        let _ = committer.await;
    }
    let written = match written {
        Ok(written) => written,
        // A delete (its purge, with no grace) can take the file or its folder from under the
        // write: that upload has ended, which is no server error.
        Err(e) => {
            return Err(if ended_meanwhile(deps, &upload.id, &key).await? {
                ended()
            } else {
                lease_or_storage(e)
            })
        }
    };
    let (overflow, hasher, head) = {
        let mut t = tap.borrow_mut();
        (t.overflow, t.hasher.take(), std::mem::take(&mut t.head))
    };
    if head.len() >= SNIFF_LEN {
        if let Some(reason) = media::refuse_head(&head, media::family_of(&video.content_type)) {
            reject(deps, origin, &upload, video, &reason).await?;
            return Err(UploadError::NotAVideo(reason));
        }
    }
    if let (Some(hasher), Some(expected)) = (hasher, expected) {
        // A chunk cut off mid-body cannot be verified, so it is discarded like a bad one.
        // (No progress was recorded for it: see `durable` above.)
        if written.body_error.is_some() || hasher.finish() != expected {
            deps.storage.discard_staged(&key, at).await?;
            return Err(if written.body_error.is_some() && !overflow {
                UploadError::Interrupted
            } else if overflow {
                too_long()
            } else {
                UploadError::ChecksumMismatch
            });
        }
    }
    if staged {
        // The sum matched: the staged bytes become part of the upload before the offset moves.
        let committed = deps
            .storage
            .commit_staged(&key, at, written.bytes, Some(held.fence))
            .await;
        if let Err(e) = committed {
            return Err(if ended_meanwhile(deps, &upload.id, &key).await? {
                ended()
            } else {
                lease_or_storage(e)
            });
        }
    }
    let new_offset = offset + i64::try_from(written.bytes).unwrap_or(0);
    let now = now_ms();
    let (u, f, expires) = (upload.clone(), held.fence.clone(), expiry(deps, now));
    let recorded = db::write(&deps.pool, move |conn| {
        Ok(db::uploads::record_offset(
            conn, &u, &f, new_offset, expires, now,
        )?)
    })
    .await?;
    if let Some(Cut::Stopped(StopReason::Yielded | StopReason::LeaseLost)) = cut.get() {
        // Another request has the upload now; what it finds stored is its starting point.
        return Err(UploadError::Locked);
    }
    if !recorded {
        // Terminated, expired or its video deleted while the bytes streamed: they count for
        // nothing, and the last byte must not bring the video back.
        ended_meanwhile(deps, &upload.id, &key).await?;
        return Err(ended());
    }
    if overflow {
        // The bytes up to the declared length are kept, like any interrupted body's.
        return Err(too_long());
    }
    if written.body_error.is_some() {
        return Err(match cut.get() {
            Some(Cut::Stalled) => UploadError::Stalled,
            Some(Cut::Stopped(StopReason::Ended)) => ended(),
            Some(Cut::Stopped(_)) => UploadError::Locked,
            None => UploadError::Interrupted,
        });
    }
    if new_offset == upload.upload_length {
        processing::spawn(deps.processing.clone(), video.id.clone());
    }
    Ok(Recorded {
        offset: new_offset,
        expires_at: expires,
    })
}

fn ended() -> UploadError {
    UploadError::Conflict("This upload has ended.".into())
}

/// Whether the upload ended (terminated, expired, its video deleted) while a request wrote to
/// it. A purge that ran meanwhile may have come before the write made its file: what the write
/// left of a video past its grace is removed here, so no bytes outlive their video.
async fn ended_meanwhile(
    deps: &Uploads,
    upload_id: &str,
    key: &StorageKey,
) -> Result<bool, UploadError> {
    let id = upload_id.to_string();
    let found = db::run(&deps.pool, move |conn| {
        Ok(db::uploads::with_video(conn, &id)?)
    })
    .await?;
    let Some((upload, video)) = found else {
        return Ok(true);
    };
    let deleted = video.status == VideoStatus::Deleted;
    if !deleted && upload.state == UploadState::Active {
        return Ok(false);
    }
    let past_grace = video.purged_at.is_some() || video.purge_after.is_some_and(|t| t <= now_ms());
    if deleted && past_grace {
        if let Err(error) = deps.storage.delete(key).await {
            tracing::warn!(video = %video.id, %error, "could not remove bytes written after a purge");
        }
    }
    Ok(true)
}

/// A storage error, unless it says the lease was taken over meanwhile: then another request
/// has the upload, as when the lease is lost between writes.
fn lease_or_storage(e: io::Error) -> UploadError {
    if crate::services::storage::is_lease_lost(&e) {
        UploadError::Locked
    } else {
        e.into()
    }
}

/// Records each durable offset a write reports, until the write ends. Never the last byte:
/// completing an upload is `record_offset`'s, with the video's change to `processing`.
async fn commit_progress(
    deps: Uploads,
    upload: Upload,
    fence: crate::db::leases::Fence,
    mut durable: tokio::sync::watch::Receiver<u64>,
) {
    while durable.changed().await.is_ok() {
        let offset = i64::try_from(*durable.borrow_and_update()).unwrap_or(0);
        if offset >= upload.upload_length {
            continue;
        }
        let (f, now) = (fence.clone(), now_ms());
        let recorded = db::write(&deps.pool, move |conn| {
            Ok(db::uploads::record_progress(conn, &f, offset, now)?)
        })
        .await;
        if let Err(error) = recorded {
            tracing::warn!(upload = %upload.id, error = format!("{error:#}"), "could not record upload progress");
        }
    }
}

/// Why a body was cut short by the server.
#[derive(Clone, Copy, Debug)]
enum Cut {
    /// Nothing arrived for the idle limit.
    Stalled,
    /// The upload was ended (terminated, its video deleted), or its lease is wanted or gone,
    /// while the body streamed.
    Stopped(StopReason),
}

/// Ends `body` with an error when no bytes arrive for `idle`, or when `stop` turns true,
/// noting which in `cut`: a client that sends a few bytes and then nothing must not hold the
/// upload's lock (and a writer thread) for ever, and a termination or delete must not wait
/// for a large PATCH to finish. What arrived before is kept like any interrupted body's.
fn guarded(
    body: ByteStream,
    idle: std::time::Duration,
    stop: tokio::sync::watch::Receiver<Option<StopReason>>,
    cut: Rc<std::cell::Cell<Option<Cut>>>,
) -> ByteStream {
    Box::pin(futures_util::stream::unfold(
        Some((body, stop)),
        move |running| {
            let cut = cut.clone();
            async move {
                let (mut body, mut stop) = running?;
                let stopped = async {
                    loop {
                        if let Some(why) = *stop.borrow_and_update() {
                            return why;
                        }
                        if stop.changed().await.is_err() {
                            std::future::pending::<()>().await;
                        }
                    }
                };
                let ended = tokio::select! {
                    biased;
                    why = stopped => Some(Cut::Stopped(why)),
                    next = tokio::time::timeout(idle, body.next()) => match next {
                        Ok(Some(item)) => return Some((item, Some((body, stop)))),
                        Ok(None) => None,
                        Err(_) => Some(Cut::Stalled),
                    },
                };
                let why = ended?;
                cut.set(Some(why));
                let error = io::Error::new(io::ErrorKind::TimedOut, format!("{why:?}"));
                Some((Err(error), None))
            }
        },
    ))
}

fn too_long() -> UploadError {
    UploadError::TooLarge("More bytes were sent than the upload's declared length.".into())
}

/// Refuses a file that is not a video: video `failed` with the reason, then its bytes removed.
async fn reject(
    deps: &Uploads,
    origin: &Origin,
    upload: &Upload,
    video: &Video,
    reason: &str,
) -> Result<(), UploadError> {
    let (upload_id, video_id, why, now) = (
        upload.id.clone(),
        video.id.clone(),
        reason.to_string(),
        now_ms(),
    );
    db::write(&deps.pool, move |conn| {
        Ok(db::uploads::fail(conn, &upload_id, &video_id, &why, now)?)
    })
    .await?;
    remove_bytes(deps, &upload.id, &video.storage_key).await;
    audit::record(
        &deps.pool,
        origin,
        Event::new("upload.failed", "failed")
            .actor(&upload.instructor_id)
            .target(&video.id)
            .details(serde_json::json!({ "reason": reason })),
    )
    .await;
    Ok(())
}

/// Removes an ended upload's bytes and notes it. The upload's state changed first, so a crash
/// or a storage failure here leaves `cleaned_at` empty and the janitor finishes the job: never
/// bytes without a row, never a live row without bytes. Returns whether it finished.
pub async fn remove_bytes(deps: &Uploads, upload_id: &str, storage_key: &str) -> bool {
    let key = StorageKey::from_stored(storage_key.to_string());
    if let Err(error) = deps.storage.delete(&key).await {
        tracing::warn!(upload = %upload_id, %error, "could not remove upload bytes; the janitor retries");
        return false;
    }
    let (id, now) = (upload_id.to_string(), now_ms());
    if let Err(error) = db::write(&deps.pool, move |conn| {
        Ok(db::uploads::mark_cleaned(conn, &id, now)?)
    })
    .await
    {
        tracing::warn!(upload = %upload_id, error = format!("{error:#}"), "could not record removed bytes");
        return false;
    }
    true
}

/// tus termination: the bytes go, the upload ends, the video is canceled.
pub async fn terminate(
    deps: &Uploads,
    origin: &Origin,
    upload: &Upload,
    video: &Video,
) -> Result<(), UploadError> {
    if upload.state == UploadState::Completed {
        return Err(UploadError::Conflict(
            "This upload has finished; delete the video instead.".into(),
        ));
    }
    // No lock: the state changes first, then a PATCH still streaming is told to stop (its
    // final record then finds the upload ended), then the bytes go.
    let (u, now) = (upload.clone(), now_ms());
    db::write(&deps.pool, move |conn| {
        Ok(db::uploads::end(conn, &u, UploadState::Terminated, now)?)
    })
    .await?;
    deps.writers.stop(&upload.id, StopReason::Ended);
    remove_bytes(deps, &upload.id, &video.storage_key).await;
    audit::record(
        &deps.pool,
        origin,
        Event::new("upload.terminated", "success")
            .actor(&upload.instructor_id)
            .target(&video.id),
    )
    .await;
    Ok(())
}

/// Expiry: like termination, by the server, audited as such.
pub async fn expire(deps: &Uploads, upload: &Upload, video: &Video) -> Result<(), UploadError> {
    let (u, now) = (upload.clone(), now_ms());
    db::write(&deps.pool, move |conn| {
        Ok(db::uploads::end(conn, &u, UploadState::Expired, now)?)
    })
    .await?;
    deps.writers.stop(&upload.id, StopReason::Ended);
    remove_bytes(deps, &upload.id, &video.storage_key).await;
    audit::record(
        &deps.pool,
        &Origin::default(),
        Event::new("upload.expired", "success")
            .actor(&upload.instructor_id)
            .target(&video.id),
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_default_to_the_file_name_without_extension_or_path() {
        assert_eq!(default_title("Lecture 1 - Intro.mp4"), "Lecture 1 - Intro");
        assert_eq!(default_title("C:\\videos\\a.mov"), "a");
        assert_eq!(default_title(".mp4"), "Untitled video");
    }
}

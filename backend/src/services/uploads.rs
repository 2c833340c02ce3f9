//! The upload lifecycle behind the tus endpoints: create, write a chunk, terminate, expire.
//! Completion hands the video to `processing`. Nothing here knows about HTTP; the tus action
//! maps [`UploadError`] to status codes.

use crate::db::{
    self,
    models::{Upload, Video},
};
use crate::services::audit::{self, Event, Origin};
use crate::services::media::{self, FileKind, SNIFF_LEN};
use crate::services::storage::{ByteStream, StorageKey};
use crate::services::{processing, tus::ChunkHasher};
use crate::state::AppState;
use futures_util::StreamExt;
use shared::media::human_bytes;
use std::cell::RefCell;
use std::io;
use std::rc::Rc;

/// Why an upload step was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Missing, or not the caller's.
    #[error("not found")]
    NotFound,
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
    /// Anything else; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<io::Error> for UploadError {
    fn from(e: io::Error) -> Self {
        Self::Internal(e.into())
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

/// A file name is a name, never a path, and neither it nor a title may carry control
/// characters (a NUL, a line break, a terminal escape). Browsers send bare names, so only a
/// hand-made request is refused here.
fn check_names(new: &NewUpload) -> Result<(), UploadError> {
    if new.filename.contains(['/', '\\']) {
        return Err(UploadError::Invalid(
            "The file name must be a name, without `/` or `\\`.".into(),
        ));
    }
    let controls = |s: &str| s.chars().any(char::is_control);
    if controls(&new.filename) || new.title.as_deref().is_some_and(controls) {
        return Err(UploadError::Invalid(
            "The file name and title may not contain control characters.".into(),
        ));
    }
    Ok(())
}

fn now_ms() -> i64 {
    db::now_ms()
}

fn expiry(state: &AppState, now: i64) -> i64 {
    now + i64::try_from(state.config.upload_expiry_secs).unwrap_or(i64::MAX / 4) * 1000
}

fn default_title(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s).trim();
    let stem = if stem.is_empty() {
        "Untitled video"
    } else {
        stem
    };
    stem.chars().take(200).collect()
}

/// Validates and records a new upload: the video row (`uploading`) and the upload row.
pub async fn create(
    state: &AppState,
    origin: &Origin,
    new: NewUpload,
) -> Result<(Upload, Video), UploadError> {
    let max = i64::try_from(state.config.max_upload_bytes).unwrap_or(i64::MAX);
    if new.length > max {
        return Err(UploadError::TooLarge(format!(
            "This file is larger than the {} limit.",
            human_bytes(state.config.max_upload_bytes)
        )));
    }
    if new.length == 0 {
        return Err(UploadError::NotAVideo("This file is empty.".into()));
    }
    check_names(&new)?;
    let kind: FileKind = media::kind_for_upload(&new.filename, &new.filetype)
        .map_err(UploadError::UnsupportedType)?;
    let (owner, chapter) = (new.instructor_id.clone(), new.chapter_id.clone());
    let found = db::run(&state.pool, move |conn| {
        Ok(db::courses::owned_chapter(conn, &owner, &chapter)?)
    })
    .await?;
    let Some((chapter, course)) = found else {
        audit::record(
            &state.pool,
            origin,
            Event::new("upload.create", "denied")
                .actor(&new.instructor_id)
                .target(&new.chapter_id),
        )
        .await;
        return Err(UploadError::NotFound);
    };
    let now = now_ms();
    let video_id = db::new_id();
    let title = new
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(200).collect());
    let video = Video {
        id: video_id.clone(),
        chapter_id: chapter.id.clone(),
        title: title.unwrap_or_else(|| default_title(&new.filename)),
        status: "uploading".into(),
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
    };
    let upload = Upload {
        id: crate::services::tokens::new_token(),
        video_id: video_id.clone(),
        instructor_id: new.instructor_id.clone(),
        upload_length: new.length,
        upload_offset: 0,
        metadata: new.metadata_raw,
        state: "active".into(),
        expires_at: expiry(state, now),
        created_at: now,
        updated_at: now,
        cleaned_at: None,
    };
    let (v, u) = (video.clone(), upload.clone());
    db::write(&state.pool, move |conn| {
        Ok(db::videos::insert_with_upload(conn, &v, &u)?)
    })
    .await?;
    audit::record(
        &state.pool,
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
    state: &AppState,
    origin: &Origin,
    instructor_id: &str,
    upload_id: &str,
) -> Result<(Upload, Video), UploadError> {
    let id = upload_id.to_string();
    let found = db::run(&state.pool, move |conn| {
        Ok(db::uploads::with_video(conn, &id)?)
    })
    .await?;
    let Some((upload, video)) = found else {
        return Err(UploadError::NotFound);
    };
    if upload.instructor_id != instructor_id {
        audit::record(
            &state.pool,
            origin,
            Event::new("upload.access", "denied")
                .actor(instructor_id)
                .target(&video.id),
        )
        .await;
        return Err(UploadError::NotFound);
    }
    match upload.state.as_str() {
        "terminated" | "failed" => Err(UploadError::NotFound),
        "expired" => Err(UploadError::Expired),
        "active" if upload.expires_at < now_ms() => {
            expire(state, &upload, &video).await?;
            Err(UploadError::Expired)
        }
        _ => Ok((upload, video)),
    }
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
}

/// Streams one chunk into storage and records the new offset; returns it.
pub async fn write_chunk(
    state: &AppState,
    origin: &Origin,
    upload: &Upload,
    video: &Video,
    chunk: Chunk,
    body: ByteStream,
) -> Result<Recorded, UploadError> {
    if upload.state == "completed" {
        return Err(UploadError::OffsetMismatch {
            expected: upload.upload_offset,
        });
    }
    let _lock = state.lock_upload(&upload.id).ok_or(UploadError::Locked)?;
    // Re-read under the lock: another request may have moved the offset meanwhile.
    let id = upload.id.clone();
    let (upload, _) = db::run(&state.pool, move |conn| {
        Ok(db::uploads::with_video(conn, &id)?)
    })
    .await?
    .ok_or(UploadError::NotFound)?;
    if upload.state != "active" {
        return Err(UploadError::Conflict("This upload has ended.".into()));
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
    let tap = Rc::new(RefCell::new(Tap {
        seen: 0,
        limit: u64::try_from(upload.upload_length - offset).unwrap_or(0),
        overflow: false,
        hasher,
        head: Vec::new(),
        want_head: offset == 0,
    }));
    let tapped = {
        let tap = tap.clone();
        body.map(move |item| {
            let bytes = item?;
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
            }
            Ok(bytes)
        })
    };
    let key = crate::services::storage::StorageKey::from_stored(video.storage_key.clone());
    let written = state
        .storage
        .write_partial(&key, u64::try_from(offset).unwrap_or(0), Box::pin(tapped))
        .await?;
    let (overflow, hasher, head) = {
        let mut t = tap.borrow_mut();
        (t.overflow, t.hasher.take(), std::mem::take(&mut t.head))
    };
    if overflow {
        state.storage.truncate_partial(&key, offset as u64).await?;
        return Err(UploadError::TooLarge(
            "More bytes were sent than the upload's declared length.".into(),
        ));
    }
    if let (Some(hasher), Some(expected)) = (hasher, expected) {
        // A chunk cut off mid-body cannot be verified, so it is discarded like a bad one.
        if written.body_error.is_some() || hasher.finish() != expected {
            state.storage.truncate_partial(&key, offset as u64).await?;
            return Err(if written.body_error.is_some() {
                UploadError::Interrupted
            } else {
                UploadError::ChecksumMismatch
            });
        }
    }
    if head.len() >= SNIFF_LEN {
        if let Some(reason) = media::refuse_head(&head, media::family_of(&video.content_type)) {
            reject(state, origin, &upload, video, &reason).await?;
            return Err(UploadError::NotAVideo(reason));
        }
    }
    let new_offset = offset + i64::try_from(written.bytes).unwrap_or(0);
    let now = now_ms();
    let (u, expires) = (upload.clone(), expiry(state, now));
    db::write(&state.pool, move |conn| {
        Ok(db::uploads::record_offset(
            conn, &u, new_offset, expires, now,
        )?)
    })
    .await?;
    if written.body_error.is_some() {
        return Err(UploadError::Interrupted);
    }
    if new_offset == upload.upload_length {
        processing::spawn(state.clone(), video.id.clone());
    }
    Ok(Recorded {
        offset: new_offset,
        expires_at: expires,
    })
}

/// Refuses a file that is not a video: video `failed` with the reason, then its bytes removed.
async fn reject(
    state: &AppState,
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
    db::write(&state.pool, move |conn| {
        use crate::db::schema::uploads;
        use diesel::prelude::*;
        conn.immediate_transaction(|conn| {
            diesel::update(uploads::table.find(&upload_id))
                .set((uploads::state.eq("failed"), uploads::updated_at.eq(now)))
                .execute(conn)?;
            db::videos::set_status(conn, &video_id, &["uploading"], "failed", Some(&why), now)?;
            Ok(())
        })
    })
    .await?;
    remove_bytes(state, &upload.id, &video.storage_key).await;
    audit::record(
        &state.pool,
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
pub async fn remove_bytes(state: &AppState, upload_id: &str, storage_key: &str) -> bool {
    let key = StorageKey::from_stored(storage_key.to_string());
    if let Err(error) = state.storage.delete(&key).await {
        tracing::warn!(upload = %upload_id, %error, "could not remove upload bytes; the janitor retries");
        return false;
    }
    let (id, now) = (upload_id.to_string(), now_ms());
    if let Err(error) = db::write(&state.pool, move |conn| {
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
    state: &AppState,
    origin: &Origin,
    upload: &Upload,
    video: &Video,
) -> Result<(), UploadError> {
    if upload.state == "completed" {
        return Err(UploadError::Conflict(
            "This upload has finished; delete the video instead.".into(),
        ));
    }
    let _lock = state.lock_upload(&upload.id).ok_or(UploadError::Locked)?;
    let (u, now) = (upload.clone(), now_ms());
    db::write(&state.pool, move |conn| {
        Ok(db::uploads::end(conn, &u, "terminated", now)?)
    })
    .await?;
    remove_bytes(state, &upload.id, &video.storage_key).await;
    audit::record(
        &state.pool,
        origin,
        Event::new("upload.terminated", "success")
            .actor(&upload.instructor_id)
            .target(&video.id),
    )
    .await;
    Ok(())
}

/// Expiry: like termination, by the server, audited as such.
pub async fn expire(state: &AppState, upload: &Upload, video: &Video) -> Result<(), UploadError> {
    let (u, now) = (upload.clone(), now_ms());
    db::write(&state.pool, move |conn| {
        Ok(db::uploads::end(conn, &u, "expired", now)?)
    })
    .await?;
    remove_bytes(state, &upload.id, &video.storage_key).await;
    audit::record(
        &state.pool,
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

//! tus upload session queries.

use crate::db::leases::Fence;
use crate::db::models::{Upload, Video};
use crate::db::schema::{uploads, videos};
use crate::db::status::{UploadState, VideoStatus};
use crate::db::Conn;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

/// An upload with its video.
pub fn with_video(conn: &mut Conn, upload_id: &str) -> QueryResult<Option<(Upload, Video)>> {
    let Some(upload_id) = crate::db::text::matchable(upload_id) else {
        return Ok(None);
    };
    uploads::table
        .inner_join(videos::table)
        .filter(uploads::id.eq(upload_id))
        .select((Upload::as_select(), Video::as_select()))
        .first(conn)
        .optional()
}

/// The latest upload of a video, if it has one.
pub fn of_video(conn: &mut Conn, video_id: &str) -> QueryResult<Option<Upload>> {
    uploads::table
        .filter(uploads::video_id.eq(video_id))
        .order(uploads::created_at.desc())
        .select(Upload::as_select())
        .first(conn)
        .optional()
}

/// Inserts a video, at the end of its chapter, and its upload, for callers already in a
/// transaction; `false` (nothing inserted) when the chapter has been deleted.
fn insert_rows(conn: &mut Conn, video: &Video, upload: &Upload) -> QueryResult<bool> {
    if !crate::db::curriculum::lock_live_chapter(conn, &video.chapter_id)? {
        return Ok(false);
    }
    let position = crate::db::curriculum::next_video_position(conn, &video.chapter_id)?;
    diesel::insert_into(videos::table)
        .values((video, videos::position.eq(position)))
        .execute(conn)?;
    diesel::insert_into(uploads::table)
        .values(upload)
        .execute(conn)?;
    Ok(true)
}

/// Per-instructor limits on unfinished uploads, checked as a new one is recorded.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    /// Unfinished uploads at most.
    pub uploads: i64,
    /// Bytes that unfinished uploads may declare in all.
    pub bytes: i64,
}

/// The instructor's unfinished uploads are at the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverQuota {
    /// As many unfinished uploads as allowed.
    Uploads(i64),
    /// The unfinished uploads already declare this many bytes.
    Bytes(i64),
}

/// Why [`insert_within_quota`] recorded nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRecorded {
    /// Over the quota.
    OverQuota(OverQuota),
    /// The chapter was deleted after the caller found it.
    ChapterDeleted,
}

/// Unfinished uploads of an instructor, and the bytes they declare.
pub fn in_flight(conn: &mut Conn, instructor_id: &str, now: i64) -> QueryResult<(i64, i64)> {
    // Uploads held by a deleted video (until Undo or the purge) leave room for new ones.
    let deleted = videos::table
        .filter(videos::status.eq(VideoStatus::Deleted))
        .select(videos::id);
    let (count, bytes): (i64, Option<i64>) = uploads::table
        .filter(uploads::instructor_id.eq(instructor_id))
        .filter(uploads::state.eq(UploadState::Active))
        .filter(uploads::expires_at.gt(now))
        .filter(diesel::dsl::not(uploads::video_id.eq_any(deleted)))
        .select((
            diesel::dsl::count_star(),
            // diesel's `sum` of a BIGINT is NUMERIC (as is PostgreSQL's): cast it back.
            diesel::dsl::sql::<Nullable<BigInt>>("CAST(SUM(upload_length) AS BIGINT)"),
        ))
        .first(conn)?;
    Ok((count, bytes.unwrap_or(0)))
}

/// Records a new video and its upload unless the instructor is over `quota` or the chapter
/// is deleted; the checks and the insert share one transaction, so concurrent creations
/// cannot both slip under the quota, nor into a chapter being deleted.
pub fn insert_within_quota(
    conn: &mut Conn,
    video: &Video,
    upload: &Upload,
    quota: Quota,
) -> QueryResult<Result<(), NotRecorded>> {
    crate::db::write_tx(conn, |conn| {
        let (count, bytes) = in_flight(conn, &upload.instructor_id, upload.created_at)?;
        if count >= quota.uploads {
            return Ok(Err(NotRecorded::OverQuota(OverQuota::Uploads(count))));
        }
        if bytes.saturating_add(upload.upload_length) > quota.bytes {
            return Ok(Err(NotRecorded::OverQuota(OverQuota::Bytes(bytes))));
        }
        if !insert_rows(conn, video, upload)? {
            return Ok(Err(NotRecorded::ChapterDeleted));
        }
        Ok(Ok(()))
    })
}

/// Records durably stored bytes, if `fence` still holds the upload's lease; when they complete the upload, the upload is `completed` and
/// its video `processing`, in the same transaction. Only an upload that is still active
/// moves: one terminated, expired or deleted meanwhile stays ended (returns `false`), so a
/// PATCH that was still streaming cannot bring its video back.
pub fn record_offset(
    conn: &mut Conn,
    upload: &Upload,
    fence: &Fence,
    new_offset: i64,
    expires_at: i64,
    now: i64,
) -> QueryResult<bool> {
    crate::db::write_tx(conn, |conn| {
        // A deleted video holds its upload for Undo, but takes no bytes meanwhile: a PATCH that
        // passed its checks just before the delete records nothing.
        let status: VideoStatus = videos::table
            .find(&upload.video_id)
            .select(videos::status)
            .first(conn)?;
        if status == VideoStatus::Deleted {
            return Ok(false);
        }
        let complete = new_offset == upload.upload_length;
        let moved = diesel::update(
            uploads::table
                .find(&upload.id)
                .filter(uploads::state.eq(UploadState::Active))
                .filter(uploads::lease_number.eq(fence.number))
                .filter(uploads::lease_holder.eq(&fence.holder)),
        )
        .set((
            uploads::upload_offset.eq(new_offset),
            uploads::expires_at.eq(expires_at),
            uploads::updated_at.eq(now),
            uploads::state.eq(if complete {
                UploadState::Completed
            } else {
                UploadState::Active
            }),
        ))
        .execute(conn)?;
        if moved == 0 {
            return Ok(false);
        }
        if complete {
            diesel::update(
                videos::table
                    .find(&upload.video_id)
                    .filter(videos::status.eq(VideoStatus::Uploading)),
            )
            .set((
                videos::status.eq(VideoStatus::Processing),
                videos::updated_at.eq(now),
            ))
            .execute(conn)?;
        }
        Ok(true)
    })
}

/// Records bytes made durable while a request is still sending more: only forward, only on
/// an active upload, never the last byte (see [`record_offset`]).
pub fn record_progress(
    conn: &mut Conn,
    fence: &Fence,
    offset: i64,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        uploads::table
            .find(&fence.upload_id)
            .filter(uploads::state.eq(UploadState::Active))
            .filter(uploads::lease_number.eq(fence.number))
            .filter(uploads::lease_holder.eq(&fence.holder))
            .filter(uploads::upload_offset.lt(offset))
            .filter(uploads::upload_length.gt(offset)),
    )
    .set((
        uploads::upload_offset.eq(offset),
        uploads::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Ends an active upload (`terminated` or `expired`) and cancels its unfinished video,
/// together. An upload that is no longer active is left as it is.
pub fn end(conn: &mut Conn, upload: &Upload, state: UploadState, now: i64) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        let ended = diesel::update(
            uploads::table
                .find(&upload.id)
                .filter(uploads::state.eq(UploadState::Active)),
        )
        .set((uploads::state.eq(state), uploads::updated_at.eq(now)))
        .execute(conn)?;
        if ended == 0 {
            return Ok(());
        }
        diesel::update(
            videos::table
                .find(&upload.video_id)
                .filter(videos::status.eq_any([
                    VideoStatus::Uploading,
                    VideoStatus::Processing,
                    VideoStatus::Failed,
                ])),
        )
        .set((
            videos::status.eq(VideoStatus::Canceled),
            videos::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(())
    })
}

/// Fails an upload that storage refused beyond repair, and its still-uploading video with
/// `why`, together.
pub fn fail(
    conn: &mut Conn,
    upload_id: &str,
    video_id: &str,
    why: &str,
    now: i64,
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        diesel::update(uploads::table.find(upload_id))
            .set((
                uploads::state.eq(UploadState::Failed),
                uploads::updated_at.eq(now),
            ))
            .execute(conn)?;
        crate::db::videos::set_status(
            conn,
            video_id,
            &[VideoStatus::Uploading],
            VideoStatus::Failed,
            Some(why),
            now,
        )?;
        Ok(())
    })
}

/// Active uploads whose time ran out.
pub fn expired(conn: &mut Conn, now: i64) -> QueryResult<Vec<(Upload, Video)>> {
    uploads::table
        .inner_join(videos::table)
        .filter(uploads::state.eq(UploadState::Active))
        .filter(uploads::expires_at.lt(now))
        .select((Upload::as_select(), Video::as_select()))
        .load(conn)
}

/// Notes that an ended upload's bytes are gone.
pub fn mark_cleaned(conn: &mut Conn, upload_id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(uploads::table.find(upload_id))
        .set(uploads::cleaned_at.eq(now))
        .execute(conn)
}

/// Ended uploads whose bytes may still be in storage (a crash came between the two steps).
pub fn uncleaned(conn: &mut Conn) -> QueryResult<Vec<(Upload, Video)>> {
    uploads::table
        .inner_join(videos::table)
        .filter(uploads::state.eq_any([
            UploadState::Terminated,
            UploadState::Expired,
            UploadState::Failed,
        ]))
        .filter(uploads::cleaned_at.is_null())
        .select((Upload::as_select(), Video::as_select()))
        .load(conn)
}

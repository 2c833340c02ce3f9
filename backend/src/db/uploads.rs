//! tus upload session queries.

use crate::db::models::{Upload, Video};
use crate::db::schema::{uploads, videos};
use crate::db::Conn;
use diesel::prelude::*;

/// An upload with its video.
pub fn with_video(conn: &mut Conn, upload_id: &str) -> QueryResult<Option<(Upload, Video)>> {
    uploads::table
        .inner_join(videos::table)
        .filter(uploads::id.eq(upload_id))
        .select((Upload::as_select(), Video::as_select()))
        .first(conn)
        .optional()
}

/// Records durably stored bytes; when they complete the upload, the upload is `completed` and
/// its video `processing`, in the same transaction.
pub fn record_offset(
    conn: &mut Conn,
    upload: &Upload,
    new_offset: i64,
    expires_at: i64,
    now: i64,
) -> QueryResult<()> {
    conn.immediate_transaction(|conn| {
        let complete = new_offset == upload.upload_length;
        diesel::update(uploads::table.find(&upload.id))
            .set((
                uploads::upload_offset.eq(new_offset),
                uploads::expires_at.eq(expires_at),
                uploads::updated_at.eq(now),
                uploads::state.eq(if complete { "completed" } else { "active" }),
            ))
            .execute(conn)?;
        if complete {
            diesel::update(videos::table.find(&upload.video_id))
                .set((videos::status.eq("processing"), videos::updated_at.eq(now)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Ends an upload (`terminated` or `expired`) and cancels its unfinished video, together.
pub fn end(conn: &mut Conn, upload: &Upload, state: &str, now: i64) -> QueryResult<()> {
    conn.immediate_transaction(|conn| {
        diesel::update(uploads::table.find(&upload.id))
            .set((uploads::state.eq(state), uploads::updated_at.eq(now)))
            .execute(conn)?;
        diesel::update(
            videos::table
                .find(&upload.video_id)
                .filter(videos::status.eq_any(["uploading", "processing", "failed"])),
        )
        .set((videos::status.eq("canceled"), videos::updated_at.eq(now)))
        .execute(conn)?;
        Ok(())
    })
}

/// Active uploads whose time ran out.
pub fn expired(conn: &mut Conn, now: i64) -> QueryResult<Vec<(Upload, Video)>> {
    uploads::table
        .inner_join(videos::table)
        .filter(uploads::state.eq("active"))
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
        .filter(uploads::state.eq_any(["terminated", "expired", "failed"]))
        .filter(uploads::cleaned_at.is_null())
        .select((Upload::as_select(), Video::as_select()))
        .load(conn)
}

/// Ends the active upload of a video (the video is being deleted).
pub fn terminate_for_video(conn: &mut Conn, video_id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(
        uploads::table
            .filter(uploads::video_id.eq(video_id))
            .filter(uploads::state.eq("active")),
    )
    .set((uploads::state.eq("terminated"), uploads::updated_at.eq(now)))
    .execute(conn)
}

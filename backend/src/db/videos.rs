//! Video queries. Reads that serve an instructor are scoped to the owner through the chapter's
//! course, so a foreign video is simply not found.

use crate::db::audit::{SameWhen, REPEAT_WINDOW_MS};
use crate::db::delete_statement;
use crate::db::models::{NewAuditEvent, Upload, Video};
use crate::db::schema::{chapters, courses, uploads, videos};
use crate::db::status::{UploadState, VideoStatus};
use crate::db::Conn;
use diesel::prelude::*;

/// Statuses a chapter's list shows.
const LISTED: [VideoStatus; 4] = VideoStatus::LISTED;

/// Every video's storage key, oldest video first (what a storage migration copies).
pub fn storage_keys_oldest_first(conn: &mut Conn) -> QueryResult<Vec<String>> {
    videos::table
        .order(videos::created_at)
        .select(videos::storage_key)
        .load(conn)
}

/// A video, if it belongs to one of the owner's courses (any status) and its chapter is not
/// deleted (a deleted chapter's videos come back with it, not one by one).
pub fn owned(conn: &mut Conn, owner_id: &str, video_id: &str) -> QueryResult<Option<Video>> {
    let Some(video_id) = crate::db::text::matchable(video_id) else {
        return Ok(None);
    };
    videos::table
        .inner_join(chapters::table.inner_join(courses::table))
        .filter(videos::id.eq(video_id))
        .filter(courses::owner_id.eq(owner_id))
        .filter(chapters::deleted_at.is_null())
        .select(Video::as_select())
        .first(conn)
        .optional()
}

/// A listed video of `course_id`, in a chapter that is not deleted (what an LTI picker may
/// hand to the course's LMS).
pub fn listed_in_course(
    conn: &mut Conn,
    course_id: &str,
    video_id: &str,
) -> QueryResult<Option<Video>> {
    let Some(video_id) = crate::db::text::matchable(video_id) else {
        return Ok(None);
    };
    videos::table
        .inner_join(chapters::table)
        .filter(videos::id.eq(video_id))
        .filter(chapters::course_id.eq(course_id))
        .filter(chapters::deleted_at.is_null())
        .filter(videos::status.eq_any(LISTED))
        .select(Video::as_select())
        .first(conn)
        .optional()
}

/// A video by ID, whoever owns it (for signed media URLs and background work).
pub fn by_id(conn: &mut Conn, video_id: &str) -> QueryResult<Option<Video>> {
    let Some(video_id) = crate::db::text::matchable(video_id) else {
        return Ok(None);
    };
    videos::table
        .find(video_id)
        .select(Video::as_select())
        .first(conn)
        .optional()
}

/// A chapter's listed videos, in the chapter's order.
pub fn in_chapter(conn: &mut Conn, chapter_id: &str) -> QueryResult<Vec<Video>> {
    let Some(chapter_id) = crate::db::text::matchable(chapter_id) else {
        return Ok(Vec::new());
    };
    videos::table
        .filter(videos::chapter_id.eq(chapter_id))
        .filter(videos::status.eq_any(LISTED))
        .order((
            videos::position.asc(),
            videos::created_at.asc(),
            videos::id.asc(),
        ))
        .select(Video::as_select())
        .load(conn)
}

/// How many listed videos each of `chapter_ids` has (chapters without any are absent).
pub fn listed_counts(
    conn: &mut Conn,
    chapter_ids: &[&str],
) -> QueryResult<std::collections::HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = videos::table
        .filter(videos::chapter_id.eq_any(chapter_ids))
        .filter(videos::status.eq_any(LISTED))
        .group_by(videos::chapter_id)
        .select((videos::chapter_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Records that a video's poster and thumbnail strip are stored.
pub fn mark_has_poster(conn: &mut Conn, video_id: &str) -> QueryResult<usize> {
    diesel::update(videos::table.find(video_id))
        .set(videos::has_poster.eq(true))
        .execute(conn)
}

/// Marks a video ready with what the probe found.
pub fn mark_ready(conn: &mut Conn, video: &Video, now: i64) -> QueryResult<usize> {
    diesel::update(
        videos::table
            .find(&video.id)
            .filter(videos::status.eq(VideoStatus::Processing)),
    )
    .set((
        videos::status.eq(VideoStatus::Ready),
        videos::size_bytes.eq(video.size_bytes),
        videos::duration_ms.eq(video.duration_ms),
        videos::width.eq(video.width),
        videos::height.eq(video.height),
        videos::sha256.eq(&video.sha256),
        videos::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Sets a video's status (and failure reason), from any of `from`.
pub fn set_status(
    conn: &mut Conn,
    video_id: &str,
    from: &[VideoStatus],
    to: VideoStatus,
    reason: Option<&str>,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        videos::table
            .find(video_id)
            .filter(videos::status.eq_any(from)),
    )
    .set((
        videos::status.eq(to),
        videos::failure_reason.eq(reason),
        videos::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The upload behind a video, if any.
pub fn upload_of(conn: &mut Conn, video_id: &str) -> QueryResult<Option<Upload>> {
    uploads::table
        .filter(uploads::video_id.eq(video_id))
        .select(Upload::as_select())
        .first(conn)
        .optional()
}

/// What [`delete_owned`] did: per ID until when it can be restored (`None`: not the owner's),
/// and the uploads it holds (their requests in flight are to be stopped).
pub type Deletes = (Vec<(String, Option<i64>)>, Vec<String>);

/// Deletes the owner's videos among `ids` in one transaction, with an audit row for each
/// (`audit(id, deleted)`): one commit per request keeps the tail latency down when many
/// deletes queue for SQLite's single writer. For each ID, until when it can be restored, or
/// `None` when it is not the owner's; also the uploads the deletes hold. Deleting a deleted
/// video succeeds again.
pub fn delete_owned(
    conn: &mut Conn,
    owner_id: &str,
    ids: &[String],
    now: i64,
    purge_after: i64,
    audit: impl Fn(&str, bool) -> NewAuditEvent,
) -> QueryResult<Deletes> {
    // On PostgreSQL one video's delete is one statement: no transaction needed around it.
    if ids.len() == 1 && matches!(conn, Conn::Postgres(_)) {
        return delete_each(conn, owner_id, ids, now, purge_after, audit);
    }
    crate::db::write_tx(conn, |conn| {
        delete_each(conn, owner_id, ids, now, purge_after, audit)
    })
}

fn delete_each(
    conn: &mut Conn,
    owner_id: &str,
    ids: &[String],
    now: i64,
    purge_after: i64,
    audit: impl Fn(&str, bool) -> NewAuditEvent,
) -> QueryResult<Deletes> {
    let mut out = Vec::with_capacity(ids.len());
    let (mut stopped, mut unknown) = (Vec::new(), 0i64);
    for id in ids {
        // The common case changes and records in one go; only when nothing changed, a read
        // says why.
        let held = match &mut *conn {
            Conn::Postgres(pg) if crate::db::text::matchable(id).is_some() => {
                let event = crate::db::audit::storable_event(&audit(id, true));
                delete_statement::delete_one(pg, owner_id, id, now, purge_after, &event)?
            }
            conn => {
                if mark_deleted_if_owned(conn, owner_id, id, now, purge_after)? {
                    let held = held_upload_of(conn, id)?;
                    crate::db::audit::record(conn, &audit(id, true))?;
                    Some(held)
                } else {
                    None
                }
            }
        };
        let until = match held {
            Some(held) => {
                stopped.extend(held);
                Some(purge_after)
            }
            None => {
                // Not the owner's, or deleted (or canceled) already: that succeeds again.
                let until = owned(conn, owner_id, id)?.map(|v| v.purge_after.unwrap_or(now));
                if until.is_some() {
                    crate::db::audit::record(conn, &audit(id, true))?;
                } else if by_id(conn, id)?.is_some() {
                    // Someone else's video: its owner's activity shows the attempt.
                    let event = audit(id, false);
                    crate::db::audit::record_repeated(
                        conn,
                        &event,
                        SameWhen::Everything,
                        REPEAT_WINDOW_MS,
                    )?;
                } else {
                    unknown += 1;
                }
                until
            }
        };
        out.push((id.clone(), until));
    }
    if unknown > 0 {
        // IDs of nothing at all: one row for the lot, however many were sent.
        let event = NewAuditEvent {
            target: None,
            repeats: unknown,
            ..audit("", false)
        };
        crate::db::audit::record_repeated(conn, &event, SameWhen::Everything, REPEAT_WINDOW_MS)?;
    }
    Ok((out, stopped))
}

/// Marks the owner's video deleted, remembering its status, unless it is deleted or canceled
/// already; `true` when it changed. One statement: the ownership check is a subquery.
fn mark_deleted_if_owned(
    conn: &mut Conn,
    owner_id: &str,
    video_id: &str,
    now: i64,
    purge_after: i64,
) -> QueryResult<bool> {
    let Some(video_id) = crate::db::text::matchable(video_id) else {
        return Ok(false);
    };
    let owned_chapters = chapters::table
        .inner_join(courses::table)
        .filter(courses::owner_id.eq(owner_id))
        .select(chapters::id);
    let changed = diesel::update(
        videos::table
            .find(video_id)
            .filter(videos::chapter_id.eq_any(owned_chapters))
            .filter(videos::status.ne(VideoStatus::Deleted))
            .filter(videos::status.ne(VideoStatus::Canceled)),
    )
    .set((
        // SET sees the row as it was: this keeps the status before the change.
        videos::deleted_from.eq(videos::status.nullable()),
        videos::status.eq(VideoStatus::Deleted),
        videos::deleted_at.eq(now),
        videos::purge_after.eq(purge_after),
        videos::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Undoes a delete: the video gets `status` back and leaves the purge queue.
pub fn mark_restored(
    conn: &mut Conn,
    video_id: &str,
    status: VideoStatus,
    reason: Option<&str>,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        videos::table
            .find(video_id)
            .filter(videos::status.eq(VideoStatus::Deleted))
            .filter(videos::purged_at.is_null()),
    )
    .set((
        videos::status.eq(status),
        videos::failure_reason.eq(reason),
        videos::deleted_from.eq(None::<VideoStatus>),
        videos::deleted_at.eq(None::<i64>),
        videos::purge_after.eq(None::<i64>),
        videos::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Notes a purge: the row stays as a tombstone for the audit trail.
pub fn mark_purged(conn: &mut Conn, video_id: &str, now: i64) -> QueryResult<usize> {
    crate::db::write_tx(conn, |conn| {
        end_held_upload(conn, video_id, now)?;
        diesel::update(videos::table.find(video_id))
            .set(videos::purged_at.eq(now))
            .execute(conn)
    })
}

/// Notes a failed purge and when to try again.
pub fn purge_failed(
    conn: &mut Conn,
    video_id: &str,
    attempts: i32,
    retry_at: i64,
) -> QueryResult<usize> {
    diesel::update(videos::table.find(video_id))
        .set((
            videos::purge_attempts.eq(attempts),
            videos::purge_after.eq(retry_at),
        ))
        .execute(conn)
}

/// The active upload of a video being deleted: held, not ended, so the grace period's Undo
/// lets it go on (the purge ends it); its requests in flight are stopped.
fn held_upload_of(conn: &mut Conn, video_id: &str) -> QueryResult<Vec<String>> {
    uploads::table
        .filter(uploads::video_id.eq(video_id))
        .filter(uploads::state.eq(UploadState::Active))
        .select(uploads::id)
        .load(conn)
}

/// Ends the upload a purged video held through its grace period (the janitor then removes
/// its bytes).
fn end_held_upload(conn: &mut Conn, video_id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(
        uploads::table
            .filter(uploads::video_id.eq(video_id))
            .filter(uploads::state.eq(UploadState::Active)),
    )
    .set((
        uploads::state.eq(UploadState::Terminated),
        uploads::updated_at.eq(now),
    ))
    .execute(conn)
}

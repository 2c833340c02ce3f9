//! Writes that build a course: new courses and chapters, titles, orders and moves. Each runs
//! in one write transaction with its audit row, so a change and its record land together.
//!
//! Positions are dense (0, 1, 2 …) and unique per course (chapters) and per chapter (every
//! video row, listed or not) after every change. On PostgreSQL concurrent writers are ordered
//! by row locks: whatever renumbers a chapter locks that chapter's row first, and whatever
//! touches more than one chapter locks the course's row before any chapter's, so two writers
//! never wait for each other in a circle. SQLite runs one write transaction at a time anyway.

use crate::db::models::{Chapter, Course, NewAuditEvent};
use crate::db::schema::{chapters, courses, videos};
use crate::db::status::VideoStatus;
use crate::db::{audit, Conn};
use diesel::prelude::*;

/// An order that does not match the server's: the server's order, to redraw from.
#[derive(Debug)]
pub struct StaleOrder(pub Vec<String>);

/// Why an ordering change was not made.
#[derive(Debug)]
pub enum OrderError {
    /// The order names other IDs than the server has, or was made from another order.
    Stale(StaleOrder),
    /// The database failed.
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for OrderError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

/// Takes the course's row lock until the transaction ends (a no-op update; SQLite's write
/// transaction already excludes other writers).
fn lock_course(conn: &mut Conn, course_id: &str) -> QueryResult<()> {
    diesel::update(courses::table.filter(courses::id.eq(course_id)))
        .set(courses::title.eq(courses::title))
        .execute(conn)
        .map(drop)
}

/// Takes the chapter's row lock until the transaction ends.
pub(crate) fn lock_chapter(conn: &mut Conn, chapter_id: &str) -> QueryResult<()> {
    diesel::update(chapters::table.filter(chapters::id.eq(chapter_id)))
        .set(chapters::title.eq(chapters::title))
        .execute(conn)
        .map(drop)
}

/// Takes the row lock of a chapter that is not deleted, until the transaction ends; `false`
/// (and no lock) when it is deleted or gone. Whatever adds a video to a chapter checks this
/// in its own transaction, so it either lands before the chapter's delete (which then takes
/// it along) or is refused: on PostgreSQL the delete holds the row until it commits, and this
/// update then finds the row deleted.
pub(crate) fn lock_live_chapter(conn: &mut Conn, chapter_id: &str) -> QueryResult<bool> {
    diesel::update(
        chapters::table
            .filter(chapters::id.eq(chapter_id))
            .filter(chapters::deleted_at.is_null()),
    )
    .set(chapters::title.eq(chapters::title))
    .execute(conn)
    .map(|locked| locked == 1)
}

/// The position after the last video row of a chapter (call with the chapter locked).
pub(crate) fn next_video_position(conn: &mut Conn, chapter_id: &str) -> QueryResult<i32> {
    let last: Option<i32> = videos::table
        .filter(videos::chapter_id.eq(chapter_id))
        .select(diesel::dsl::max(videos::position))
        .first(conn)?;
    Ok(last.map_or(0, |p| p + 1))
}

/// Inserts a course with no chapters.
pub fn create_course(conn: &mut Conn, course: &Course, event: &NewAuditEvent) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        diesel::insert_into(courses::table)
            .values(course)
            .execute(conn)?;
        audit::record(conn, event)
    })
}

/// Changes a course's title and/or description.
pub fn update_course(
    conn: &mut Conn,
    course_id: &str,
    title: Option<&str>,
    description: Option<&str>,
    event: &NewAuditEvent,
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        let target = courses::table.filter(courses::id.eq(course_id));
        if let Some(title) = title {
            diesel::update(target)
                .set(courses::title.eq(title))
                .execute(conn)?;
        }
        if let Some(description) = description {
            diesel::update(target)
                .set(courses::description.eq(description))
                .execute(conn)?;
        }
        audit::record(conn, event)
    })
}

/// Adds a chapter at the end of a course and returns it.
pub fn add_chapter(
    conn: &mut Conn,
    course_id: &str,
    chapter_id: &str,
    title: &str,
    event: &NewAuditEvent,
) -> QueryResult<Chapter> {
    crate::db::write_tx(conn, |conn| {
        lock_course(conn, course_id)?;
        let last: Option<i32> = chapters::table
            .filter(chapters::course_id.eq(course_id))
            .filter(chapters::deleted_at.is_null())
            .select(diesel::dsl::max(chapters::position))
            .first(conn)?;
        let chapter = Chapter {
            id: chapter_id.to_string(),
            course_id: course_id.to_string(),
            title: title.to_string(),
            position: last.map_or(0, |p| p + 1),
        };
        diesel::insert_into(chapters::table)
            .values(&chapter)
            .execute(conn)?;
        audit::record(conn, event)?;
        Ok(chapter)
    })
}

/// Renames a chapter.
pub fn rename_chapter(
    conn: &mut Conn,
    chapter_id: &str,
    title: &str,
    event: &NewAuditEvent,
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        diesel::update(chapters::table.filter(chapters::id.eq(chapter_id)))
            .set(chapters::title.eq(title))
            .execute(conn)?;
        audit::record(conn, event)
    })
}

/// Whether `ids` is a new order of `current` made from it (`expected`, when the client sent
/// the order it saw). Duplicates are refused by the caller before.
fn check_order(
    current: Vec<String>,
    ids: &[String],
    expected: Option<&[String]>,
) -> Result<(), OrderError> {
    let same_set = {
        let mut a: Vec<&str> = current.iter().map(String::as_str).collect();
        let mut b: Vec<&str> = ids.iter().map(String::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    if !same_set || expected.is_some_and(|seen| seen != current.as_slice()) {
        return Err(OrderError::Stale(StaleOrder(current)));
    }
    Ok(())
}

/// Where live chapters wait while they are renumbered: (course_id, position) is unique at
/// every row, not at commit, and deleted chapters have the negative positions.
const ASIDE: i32 = 1 << 20;

/// The course's live chapter IDs in order.
fn live_chapters(conn: &mut Conn, course_id: &str) -> QueryResult<Vec<String>> {
    chapters::table
        .filter(chapters::course_id.eq(course_id))
        .filter(chapters::deleted_at.is_null())
        .order(chapters::position.asc())
        .select(chapters::id)
        .load(conn)
}

/// Gives the live chapters `ids` the positions 0, 1, 2 … (call with the course locked).
fn place_chapters(conn: &mut Conn, course_id: &str, ids: &[String]) -> QueryResult<()> {
    diesel::update(
        chapters::table
            .filter(chapters::course_id.eq(course_id))
            .filter(chapters::deleted_at.is_null()),
    )
    .set(chapters::position.eq(chapters::position + ASIDE))
    .execute(conn)?;
    for (position, id) in (0..).zip(ids) {
        diesel::update(chapters::table.filter(chapters::id.eq(id)))
            .set(chapters::position.eq(position))
            .execute(conn)?;
    }
    Ok(())
}

/// Records a reorder: a burst of them (dragging one item down step by step) is one activity
/// entry that counts them.
fn record_reorder(conn: &mut Conn, event: &NewAuditEvent) -> QueryResult<()> {
    audit::record_repeated(
        conn,
        event,
        audit::SameWhen::Everything,
        audit::REPEAT_WINDOW_MS,
    )
}

/// Puts a course's chapters in the order of `ids` (all of them, once each).
pub fn reorder_chapters(
    conn: &mut Conn,
    course_id: &str,
    ids: &[String],
    expected: Option<&[String]>,
    event: &NewAuditEvent,
) -> Result<(), OrderError> {
    crate::db::write_tx(conn, |conn| {
        lock_course(conn, course_id)?;
        let current = live_chapters(conn, course_id)?;
        check_order(current, ids, expected)?;
        place_chapters(conn, course_id, ids)?;
        record_reorder(conn, event)?;
        Ok(())
    })
}

/// Marks a chapter deleted at `now` (its videos were deleted just before, through the
/// videos' own delete) and closes the gap it leaves.
pub fn delete_chapter(
    conn: &mut Conn,
    course_id: &str,
    chapter_id: &str,
    now: i64,
    event: &NewAuditEvent,
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        lock_course(conn, course_id)?;
        let lowest: Option<i32> = chapters::table
            .filter(chapters::course_id.eq(course_id))
            .select(diesel::dsl::min(chapters::position))
            .first(conn)?;
        diesel::update(
            chapters::table
                .filter(chapters::id.eq(chapter_id))
                .filter(chapters::deleted_at.is_null()),
        )
        .set((
            chapters::deleted_position.eq(chapters::position.nullable()),
            chapters::position.eq(lowest.unwrap_or(0).min(0) - 1),
            chapters::deleted_at.eq(now),
        ))
        .execute(conn)?;
        let left = live_chapters(conn, course_id)?;
        place_chapters(conn, course_id, &left)?;
        audit::record(conn, event)
    })
}

/// Brings a deleted chapter back to where it was (or the end, when the course is shorter now).
pub fn restore_chapter(
    conn: &mut Conn,
    course_id: &str,
    chapter_id: &str,
    event: &NewAuditEvent,
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        lock_course(conn, course_id)?;
        let was: Option<i32> = chapters::table
            .filter(chapters::id.eq(chapter_id))
            .select(chapters::deleted_position)
            .first(conn)?;
        let mut order = live_chapters(conn, course_id)?;
        let at =
            usize::try_from(was.unwrap_or(i32::MAX)).map_or(order.len(), |p| p.min(order.len()));
        order.insert(at, chapter_id.to_string());
        diesel::update(chapters::table.filter(chapters::id.eq(chapter_id)))
            .set((
                chapters::deleted_at.eq(None::<i64>),
                chapters::deleted_position.eq(None::<i32>),
                chapters::position.eq(ASIDE * 2),
            ))
            .execute(conn)?;
        place_chapters(conn, course_id, &order)?;
        audit::record(conn, event)
    })
}

/// The IDs of a chapter's videos deleted at or after `since` (ms), which a chapter's delete
/// took with it.
pub fn deleted_with(conn: &mut Conn, chapter_id: &str, since: i64) -> QueryResult<Vec<String>> {
    videos::table
        .filter(videos::chapter_id.eq(chapter_id))
        .filter(videos::status.eq(VideoStatus::Deleted))
        .filter(videos::deleted_at.ge(since))
        .order(videos::position.asc())
        .select(videos::id)
        .load(conn)
}

/// The chapter's video rows in order: `(id, status, position)`.
fn video_rows(conn: &mut Conn, chapter_id: &str) -> QueryResult<Vec<(String, VideoStatus, i32)>> {
    videos::table
        .filter(videos::chapter_id.eq(chapter_id))
        .order((
            videos::position.asc(),
            videos::created_at.asc(),
            videos::id.asc(),
        ))
        .select((videos::id, videos::status, videos::position))
        .load(conn)
}

/// Gives the rows the positions 0, 1, 2 … in the order given, writing only those that move.
fn renumber(conn: &mut Conn, rows: &[(String, i32)]) -> QueryResult<()> {
    for (position, (id, old)) in (0..).zip(rows) {
        if *old != position {
            diesel::update(videos::table.filter(videos::id.eq(id)))
                .set(videos::position.eq(position))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Puts a chapter's listed videos in the order of `ids`; the rows it does not list (deleted,
/// canceled) follow them in their old order.
pub fn reorder_videos(
    conn: &mut Conn,
    chapter_id: &str,
    ids: &[String],
    expected: Option<&[String]>,
    event: &NewAuditEvent,
) -> Result<(), OrderError> {
    crate::db::write_tx(conn, |conn| {
        lock_chapter(conn, chapter_id)?;
        let rows = video_rows(conn, chapter_id)?;
        let (listed, unlisted): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|(_, status, _)| VideoStatus::LISTED.contains(status));
        let old: std::collections::HashMap<&str, i32> = listed
            .iter()
            .chain(&unlisted)
            .map(|(id, _, p)| (id.as_str(), *p))
            .collect();
        let current: Vec<String> = listed.iter().map(|(id, _, _)| id.clone()).collect();
        check_order(current, ids, expected)?;
        let order: Vec<(String, i32)> = ids
            .iter()
            .map(|id| (id.clone(), old[id.as_str()]))
            .chain(unlisted.iter().map(|(id, _, p)| (id.clone(), *p)))
            .collect();
        renumber(conn, &order)?;
        record_reorder(conn, event)?;
        Ok(())
    })
}

/// Renames a video.
pub fn rename_video(
    conn: &mut Conn,
    video_id: &str,
    title: &str,
    now: i64,
    event: &NewAuditEvent,
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        diesel::update(videos::table.filter(videos::id.eq(video_id)))
            .set((videos::title.eq(title), videos::updated_at.eq(now)))
            .execute(conn)?;
        audit::record(conn, event)
    })
}

/// Moves a video to the end of another chapter of the same course, closing the gap it leaves;
/// `false` (nothing moved) when either chapter has been deleted meanwhile.
pub fn move_video(
    conn: &mut Conn,
    course_id: &str,
    video_id: &str,
    from: &str,
    to: &str,
    now: i64,
    event: &NewAuditEvent,
) -> QueryResult<bool> {
    crate::db::write_tx(conn, |conn| {
        lock_course(conn, course_id)?;
        let (first, second) = if from < to { (from, to) } else { (to, from) };
        if !lock_live_chapter(conn, first)? || !lock_live_chapter(conn, second)? {
            return Ok(false);
        }
        let position = next_video_position(conn, to)?;
        diesel::update(videos::table.filter(videos::id.eq(video_id)))
            .set((
                videos::chapter_id.eq(to),
                videos::position.eq(position),
                videos::updated_at.eq(now),
            ))
            .execute(conn)?;
        let left: Vec<(String, i32)> = video_rows(conn, from)?
            .into_iter()
            .map(|(id, _, p)| (id, p))
            .collect();
        renumber(conn, &left)?;
        audit::record(conn, event)?;
        Ok(true)
    })
}

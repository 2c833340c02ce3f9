//! A course's activity: the audit events about the course, its chapters and its videos
//! (wherever in the course they are now), newest first.

use crate::db::models::AuditEvent;
use crate::db::schema::{audit_events, chapters, videos};
use crate::db::Conn;
use diesel::prelude::*;

/// Which events to keep.
#[derive(Clone, Copy, Debug)]
pub enum Filter<'a> {
    /// Every event.
    All,
    /// Events with one of these actions that were not denied.
    Actions(&'a [&'a str]),
    /// Denied attempts, whatever they were.
    Denied,
}

/// Up to `limit` events about the course older than `before` (an event ID), newest first.
pub fn for_course(
    conn: &mut Conn,
    course_id: &str,
    before: Option<i64>,
    filter: Filter<'_>,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    let chapter_ids = chapters::table
        .filter(chapters::course_id.eq(course_id))
        .select(chapters::id.nullable());
    let video_ids = videos::table
        .inner_join(chapters::table)
        .filter(chapters::course_id.eq(course_id))
        .select(videos::id.nullable());
    let mut query = audit_events::table
        .filter(
            audit_events::target
                .eq(course_id)
                .or(audit_events::target.eq_any(chapter_ids))
                .or(audit_events::target.eq_any(video_ids)),
        )
        .order(audit_events::id.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_events::id.lt(before));
    }
    query = match filter {
        Filter::All => query,
        Filter::Actions(actions) => query
            .filter(audit_events::action.eq_any(actions.iter().copied()))
            .filter(audit_events::outcome.ne("denied")),
        Filter::Denied => query.filter(audit_events::outcome.eq("denied")),
    };
    query.load(conn)
}

/// The current titles of whichever courses, chapters and videos `ids` name.
pub fn titles_of(
    conn: &mut Conn,
    ids: &[&str],
) -> QueryResult<std::collections::HashMap<String, String>> {
    use crate::db::schema::courses;
    let mut titles: Vec<(String, String)> = courses::table
        .filter(courses::id.eq_any(ids))
        .select((courses::id, courses::title))
        .load(conn)?;
    titles.extend(
        chapters::table
            .filter(chapters::id.eq_any(ids))
            .select((chapters::id, chapters::title))
            .load::<(String, String)>(conn)?,
    );
    titles.extend(
        videos::table
            .filter(videos::id.eq_any(ids))
            .select((videos::id, videos::title))
            .load::<(String, String)>(conn)?,
    );
    Ok(titles.into_iter().collect())
}

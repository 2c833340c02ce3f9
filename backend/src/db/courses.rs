//! Course and chapter queries. Every read is scoped to an owner: an instructor never sees
//! another's course, not even by ID.

use crate::db::models::{Chapter, Course};
use crate::db::schema::{chapters, courses};
use crate::db::Conn;
use diesel::prelude::*;

/// A course with its chapters in order.
pub type CourseWithChapters = (Course, Vec<Chapter>);

/// The owner's courses (oldest first) with their chapters.
pub fn for_owner(conn: &mut Conn, owner_id: &str) -> QueryResult<Vec<CourseWithChapters>> {
    let owned: Vec<Course> = courses::table
        .filter(courses::owner_id.eq(owner_id))
        .order((courses::created_at.asc(), courses::id.asc()))
        .select(Course::as_select())
        .load(conn)?;
    let ids: Vec<&str> = owned.iter().map(|c| c.id.as_str()).collect();
    let mut all: Vec<Chapter> = chapters::table
        .filter(chapters::course_id.eq_any(ids))
        .filter(chapters::deleted_at.is_null())
        .order((chapters::course_id.asc(), chapters::position.asc()))
        .select(Chapter::as_select())
        .load(conn)?;
    Ok(owned
        .into_iter()
        .map(|course| {
            let (mine, rest): (Vec<Chapter>, Vec<Chapter>) =
                all.drain(..).partition(|ch| ch.course_id == course.id);
            all = rest;
            (course, mine)
        })
        .collect())
}

/// Inserts a course and its chapters in one transaction.
pub fn insert_with_chapters(
    conn: &mut Conn,
    course: &Course,
    new_chapters: &[Chapter],
) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        diesel::insert_into(courses::table)
            .values(course)
            .execute(conn)?;
        // One by one: a multi-row insert is not in the dialect both backends share.
        for chapter in new_chapters {
            diesel::insert_into(chapters::table)
                .values(chapter)
                .execute(conn)?;
        }
        Ok(())
    })
}

/// A chapter, if it belongs to one of the owner's courses.
pub fn owned_chapter(
    conn: &mut Conn,
    owner_id: &str,
    chapter_id: &str,
) -> QueryResult<Option<(Chapter, Course)>> {
    let Some(chapter_id) = crate::db::text::matchable(chapter_id) else {
        return Ok(None);
    };
    chapters::table
        .inner_join(courses::table)
        .filter(chapters::id.eq(chapter_id))
        .filter(chapters::deleted_at.is_null())
        .filter(courses::owner_id.eq(owner_id))
        .select((Chapter::as_select(), Course::as_select()))
        .first(conn)
        .optional()
}

/// A deleted chapter of one of the owner's courses, with when it was deleted (ms).
pub fn owned_deleted_chapter(
    conn: &mut Conn,
    owner_id: &str,
    chapter_id: &str,
) -> QueryResult<Option<(Chapter, Course, i64)>> {
    let Some(chapter_id) = crate::db::text::matchable(chapter_id) else {
        return Ok(None);
    };
    let found: Option<(Chapter, Course, Option<i64>)> = chapters::table
        .inner_join(courses::table)
        .filter(chapters::id.eq(chapter_id))
        .filter(chapters::deleted_at.is_not_null())
        .filter(courses::owner_id.eq(owner_id))
        .select((
            Chapter::as_select(),
            Course::as_select(),
            chapters::deleted_at,
        ))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(ch, course, at)| at.map(|at| (ch, course, at))))
}

/// A course, if the owner owns it.
pub fn owned_course(
    conn: &mut Conn,
    owner_id: &str,
    course_id: &str,
) -> QueryResult<Option<Course>> {
    let Some(course_id) = crate::db::text::matchable(course_id) else {
        return Ok(None);
    };
    courses::table
        .filter(courses::id.eq(course_id))
        .filter(courses::owner_id.eq(owner_id))
        .select(Course::as_select())
        .first(conn)
        .optional()
}

/// A course's chapters in order (not the deleted ones).
pub fn chapters_of(conn: &mut Conn, course_id: &str) -> QueryResult<Vec<Chapter>> {
    chapters::table
        .filter(chapters::course_id.eq(course_id))
        .filter(chapters::deleted_at.is_null())
        .order(chapters::position.asc())
        .select(Chapter::as_select())
        .load(conn)
}

/// The instructor who owns a course.
pub fn owner_of(conn: &mut Conn, course_id: &str) -> QueryResult<Option<String>> {
    courses::table
        .find(course_id)
        .select(courses::owner_id)
        .first(conn)
        .optional()
}

//! Instructor queries.

use crate::db::models::Instructor;
use crate::db::schema::instructors;
use crate::db::Conn;
use diesel::prelude::*;

/// Finds an instructor by email (case-insensitive: emails are stored lower-cased).
pub fn by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<Instructor>> {
    let Some(email) = crate::db::text::matchable(email) else {
        return Ok(None);
    };
    instructors::table
        .filter(instructors::email.eq(email.trim().to_lowercase()))
        .select(Instructor::as_select())
        .first(conn)
        .optional()
}

/// Inserts a new instructor.
pub fn insert(conn: &mut Conn, instructor: &Instructor) -> QueryResult<()> {
    diesel::insert_into(instructors::table)
        .values(instructor)
        .execute(conn)
        .map(|_| ())
}

/// How many instructors exist (the demo seed runs only on an empty database).
pub fn count(conn: &mut Conn) -> QueryResult<i64> {
    instructors::table.count().get_result(conn)
}

/// Replaces the password hash of the instructor with `email` and deletes all their sessions,
/// in one transaction. Returns the instructor's ID and the number of sessions ended.
pub fn set_password(
    conn: &mut Conn,
    email: &str,
    password_hash: &str,
) -> QueryResult<Option<(String, usize)>> {
    crate::db::write_tx(conn, |conn| {
        let Some(instructor) = by_email(conn, email)? else {
            return Ok(None);
        };
        diesel::update(instructors::table.find(&instructor.id))
            .set(instructors::password_hash.eq(password_hash))
            .execute(conn)?;
        let ended = diesel::delete(
            crate::db::schema::sessions::table
                .filter(crate::db::schema::sessions::instructor_id.eq(&instructor.id)),
        )
        .execute(conn)?;
        Ok(Some((instructor.id, ended)))
    })
}

//! Instructor queries.

use crate::db::models::Instructor;
use crate::db::schema::instructors;
use crate::db::Conn;
use diesel::prelude::*;

/// Finds an instructor by email (case-insensitive: emails are stored lower-cased).
pub fn by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<Instructor>> {
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

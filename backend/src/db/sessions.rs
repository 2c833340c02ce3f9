//! Session queries. Sessions are looked up by the hash of the cookie token.

use crate::db::models::{Instructor, Session};
use crate::db::schema::{instructors, sessions};
use crate::db::Conn;
use diesel::prelude::*;

/// Stores a new session.
pub fn insert(conn: &mut Conn, session: &Session) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
}

/// The instructor behind an unexpired session.
pub fn instructor_for(conn: &mut Conn, id: &str, now: i64) -> QueryResult<Option<Instructor>> {
    sessions::table
        .inner_join(instructors::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .select(Instructor::as_select())
        .first(conn)
        .optional()
}

/// Ends a session.
pub fn delete(conn: &mut Conn, id: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// Removes sessions that have expired.
pub fn delete_expired(conn: &mut Conn, now: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

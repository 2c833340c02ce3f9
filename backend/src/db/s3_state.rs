//! The S3 provider's record of each unfinished upload: its multipart upload, the parts sent
//! (number, size, ETag) and the tail object. Keyed by the storage key, so the storage layer
//! needs nothing from the tus tables, except the upload's lease for a fenced record.

use crate::db::leases::{Fence, LeaseLost};
use crate::db::schema::{s3_garbage, s3_parts, s3_uploads};
use crate::db::Conn;
use diesel::prelude::*;

/// One unfinished upload's S3 state.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = s3_uploads)]
pub struct S3Upload {
    /// The object's storage key (without the configured prefix).
    pub storage_key: String,
    /// The multipart upload, once the first whole part was sent.
    pub multipart_id: Option<String>,
    /// Size of every part but the last.
    pub part_size: i64,
    /// The tail object (bytes past the last part), if any.
    pub tail_key: Option<String>,
    /// The tail's length.
    pub tail_len: i64,
    /// When the upload's first bytes arrived (ms).
    pub created_at: i64,
}

/// One part sent to S3 and recorded.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = s3_parts)]
pub struct S3Part {
    /// The object's storage key.
    pub storage_key: String,
    /// 1-based, contiguous.
    pub part_number: i32,
    /// Bytes in the part.
    pub size: i64,
    /// The ETag S3 gave for it.
    pub etag: String,
}

/// An upload's state and its parts in order.
pub fn get(conn: &mut Conn, key: &str) -> QueryResult<Option<(S3Upload, Vec<S3Part>)>> {
    let Some(upload) = s3_uploads::table
        .find(key)
        .select(S3Upload::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let parts = s3_parts::table
        .filter(s3_parts::storage_key.eq(key))
        .order(s3_parts::part_number)
        .select(S3Part::as_select())
        .load(conn)?;
    Ok(Some((upload, parts)))
}

/// Records a new upload's state, unless one exists; returns the state in effect.
pub fn begin(conn: &mut Conn, fresh: &S3Upload) -> QueryResult<S3Upload> {
    crate::db::on_backend!(conn, c => diesel::insert_into(s3_uploads::table)
        .values(fresh)
        .on_conflict_do_nothing()
        .execute(c))?;
    s3_uploads::table
        .find(&fresh.storage_key)
        .select(S3Upload::as_select())
        .first(conn)
}

/// Records the multipart upload created for `key`.
/// With `fence`, only while it holds the upload's lease.
pub fn set_multipart(
    conn: &mut Conn,
    key: &str,
    multipart_id: &str,
    fence: Option<&Fence>,
) -> QueryResult<Result<(), LeaseLost>> {
    crate::db::write_tx(conn, |conn| {
        if let Some(fence) = fence {
            if let Err(lost) = crate::db::leases::check_held(conn, fence)? {
                return Ok(Err(lost));
            }
        }
        diesel::update(s3_uploads::table.find(key))
            .set(s3_uploads::multipart_id.eq(multipart_id))
            .execute(conn)?;
        Ok(Ok(()))
    })
}

/// Notes a temporary object that no row may need: the janitor deletes it after a while
/// unless [`record`] takes it up first.
pub fn note_garbage(conn: &mut Conn, object_key: &str, now: i64) -> QueryResult<()> {
    crate::db::on_backend!(conn, c => diesel::insert_into(s3_garbage::table)
        .values((
            s3_garbage::object_key.eq(object_key),
            s3_garbage::since.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// Records sent parts and the new tail in one transaction; parts numbered at or past
/// `first_dropped` that are not in `parts` are forgotten (a rewrite replaced them). The tail
/// that is replaced becomes garbage (and is returned, to be removed at once); the new one
/// stops being garbage.
pub fn record(
    conn: &mut Conn,
    key: &str,
    parts: &[S3Part],
    first_dropped: i32,
    tail: Option<(&str, i64)>,
    now: i64,
    fence: Option<&Fence>,
) -> QueryResult<Result<Option<String>, LeaseLost>> {
    crate::db::write_tx(conn, |conn| {
        if let Some(fence) = fence {
            if let Err(lost) = crate::db::leases::check_held(conn, fence)? {
                return Ok(Err(lost));
            }
        }
        diesel::delete(
            s3_parts::table
                .filter(s3_parts::storage_key.eq(key))
                .filter(s3_parts::part_number.ge(first_dropped)),
        )
        .execute(conn)?;
        for part in parts {
            diesel::delete(
                s3_parts::table
                    .filter(s3_parts::storage_key.eq(key))
                    .filter(s3_parts::part_number.eq(part.part_number)),
            )
            .execute(conn)?;
            diesel::insert_into(s3_parts::table)
                .values(part)
                .execute(conn)?;
        }
        let old: Option<String> = s3_uploads::table
            .find(key)
            .select(s3_uploads::tail_key)
            .first(conn)?;
        let (tail_key, tail_len) = match tail {
            Some((k, n)) => (Some(k), n),
            None => (None, 0),
        };
        let replaced = old.filter(|o| Some(o.as_str()) != tail_key);
        if let Some(old) = &replaced {
            note_garbage(conn, old, now)?;
        }
        if let Some(new) = tail_key {
            diesel::delete(s3_garbage::table.find(new)).execute(conn)?;
        }
        diesel::update(s3_uploads::table.find(key))
            .set((
                s3_uploads::tail_key.eq(tail_key),
                s3_uploads::tail_len.eq(tail_len),
            ))
            .execute(conn)?;
        Ok(Ok(replaced))
    })
}

/// Forgets an upload's state (it completed, or it was aborted); its tail becomes garbage
/// (and is returned, to be removed at once).
pub fn forget(conn: &mut Conn, key: &str, now: i64) -> QueryResult<Option<String>> {
    crate::db::write_tx(conn, |conn| {
        let tail: Option<Option<String>> = s3_uploads::table
            .find(key)
            .select(s3_uploads::tail_key)
            .first(conn)
            .optional()?;
        let tail = tail.flatten();
        if let Some(tail) = &tail {
            note_garbage(conn, tail, now)?;
        }
        diesel::delete(s3_parts::table.filter(s3_parts::storage_key.eq(key))).execute(conn)?;
        diesel::delete(s3_uploads::table.find(key)).execute(conn)?;
        Ok(tail)
    })
}

/// Garbage noted before `before` (ms).
pub fn garbage_due(conn: &mut Conn, before: i64) -> QueryResult<Vec<String>> {
    s3_garbage::table
        .filter(s3_garbage::since.lt(before))
        .select(s3_garbage::object_key)
        .load(conn)
}

/// The object is gone.
pub fn garbage_removed(conn: &mut Conn, object_key: &str) -> QueryResult<()> {
    diesel::delete(s3_garbage::table.find(object_key)).execute(conn)?;
    Ok(())
}

/// Every multipart upload a row knows.
pub fn multipart_ids(conn: &mut Conn) -> QueryResult<Vec<String>> {
    s3_uploads::table
        .filter(s3_uploads::multipart_id.is_not_null())
        .select(s3_uploads::multipart_id.assume_not_null())
        .load(conn)
}

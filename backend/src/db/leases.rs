//! Upload leases: who may write to an upload right now, across every instance.
//!
//! A lease is taken with one conditional UPDATE (free, or expired on the database clock) that
//! also bumps `lease_number`; that number is the fence every offset record of the holder is
//! checked against (`uploads::record_offset`, `uploads::record_progress`, and the S3 provider's
//! part records, `s3_state::record`). Not
//! `pg_advisory_lock`: it belongs to one pooled connection and gives no fencing number.

use crate::db::schema::uploads;
use crate::db::status::UploadState;
use crate::db::{clock_ms, Conn};
use diesel::prelude::*;

/// A lease held: the holder's name and the fencing number the lease was taken with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    /// The upload.
    pub upload_id: String,
    /// The instance holding it.
    pub holder: String,
    /// Bumped by every take: a record with an older number is refused.
    pub number: i64,
}

/// Takes the lease of an active upload for `term_ms` if it is free or expired.
pub fn take(
    conn: &mut Conn,
    upload_id: &str,
    holder: &str,
    term_ms: i64,
) -> QueryResult<Option<Fence>> {
    let now = clock_ms(conn)?;
    let taken: Option<i64> = diesel::update(
        uploads::table
            .find(upload_id)
            .filter(uploads::state.eq(UploadState::Active))
            .filter(
                uploads::lease_holder
                    .is_null()
                    .or(uploads::lease_until.lt(now)),
            ),
    )
    .set((
        uploads::lease_holder.eq(holder),
        uploads::lease_number.eq(uploads::lease_number + 1),
        uploads::lease_until.eq(now + term_ms),
        uploads::lease_release_asked.eq(false),
    ))
    .returning(uploads::lease_number)
    .get_result(conn)
    .optional()?;
    Ok(taken.map(|number| Fence {
        upload_id: upload_id.to_string(),
        holder: holder.to_string(),
        number,
    }))
}

/// What a renewal found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// Still ours for another term.
    Held,
    /// Still ours, and another request asks for it.
    Asked,
    /// Not ours any more (taken over after it expired, or the upload ended).
    Lost,
}

/// Extends a held lease by `term_ms` from now.
pub fn renew(conn: &mut Conn, fence: &Fence, term_ms: i64) -> QueryResult<Renewal> {
    let now = clock_ms(conn)?;
    let asked: Option<bool> =
        diesel::update(held(fence).filter(uploads::state.eq(UploadState::Active)))
            .set(uploads::lease_until.eq(now + term_ms))
            .returning(uploads::lease_release_asked)
            .get_result(conn)
            .optional()?;
    Ok(match asked {
        None => Renewal::Lost,
        Some(true) => Renewal::Asked,
        Some(false) => Renewal::Held,
    })
}

/// Refused: the writer's lease was taken over, so what it stored is not recorded.
#[derive(Debug, thiserror::Error)]
#[error("this upload's lease was taken over by another request")]
pub struct LeaseLost;

/// Whether `fence` still holds its upload's lease. An UPDATE that changes nothing: on
/// PostgreSQL it also locks the upload's row until the transaction ends, so a takeover waits
/// until what is being recorded under the old lease is recorded (and is then what it finds).
pub fn check_held(conn: &mut Conn, fence: &Fence) -> QueryResult<Result<(), LeaseLost>> {
    let held = diesel::update(held(fence))
        .set(uploads::lease_number.eq(uploads::lease_number))
        .execute(conn)?;
    Ok(if held > 0 { Ok(()) } else { Err(LeaseLost) })
}

/// Lets a held lease go (the request is done with the upload).
pub fn release(conn: &mut Conn, fence: &Fence) -> QueryResult<usize> {
    diesel::update(held(fence))
        .set((
            uploads::lease_holder.eq(None::<String>),
            uploads::lease_until.eq(0),
            uploads::lease_release_asked.eq(false),
        ))
        .execute(conn)
}

/// Asks whoever holds an upload's lease to let go; `false` when nobody holds it.
pub fn ask_release(conn: &mut Conn, upload_id: &str) -> QueryResult<bool> {
    let asked = diesel::update(
        uploads::table
            .find(upload_id)
            .filter(uploads::lease_holder.is_not_null()),
    )
    .set(uploads::lease_release_asked.eq(true))
    .execute(conn)?;
    Ok(asked > 0)
}

/// Whether the upload still takes bytes (it may have been terminated, expired or its video
/// deleted since the caller loaded it).
pub fn is_active(conn: &mut Conn, upload_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        uploads::table
            .find(upload_id)
            .filter(uploads::state.eq(UploadState::Active)),
    ))
    .get_result(conn)
}

/// Forgets every lease. Only for SQLite at start-up: one file is one instance, so a lease
/// left in it belongs to a run that is over and would only make its client wait a term.
pub fn forget_previous_runs(conn: &mut Conn) -> QueryResult<usize> {
    diesel::update(uploads::table.filter(uploads::lease_holder.is_not_null()))
        .set((
            uploads::lease_holder.eq(None::<String>),
            uploads::lease_until.eq(0),
            uploads::lease_release_asked.eq(false),
        ))
        .execute(conn)
}

/// The upload row, if `fence` is still the lease on it.
type Held<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Find<uploads::table, &'a str>,
        diesel::dsl::Eq<uploads::lease_number, i64>,
    >,
    diesel::dsl::Eq<uploads::lease_holder, &'a str>,
>;

fn held(fence: &Fence) -> Held<'_> {
    uploads::table
        .find(fence.upload_id.as_str())
        .filter(uploads::lease_number.eq(fence.number))
        .filter(uploads::lease_holder.eq(fence.holder.as_str()))
}

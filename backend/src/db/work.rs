//! Background work claimed across instances, so that every instance may run the janitor,
//! the purge and the probes and nothing is done twice.
//!
//! A video is claimed for processing or purging by naming the instance in
//! `process_holder` until `process_until`; a claim whose instance died expires and the work is
//! claimed again elsewhere. On PostgreSQL the candidates are locked `FOR UPDATE SKIP LOCKED`,
//! so instances claiming at once take different rows instead of queueing on the same ones;
//! on SQLite the one writer does the same.
//!
//! Whole passes (expiring uploads, sweeping sessions and storage) are claimed by name in
//! `singleton_leases`.

use crate::db::models::Video;
use crate::db::schema::{singleton_leases, videos};
use crate::db::status::VideoStatus;
use crate::db::{write_tx, Conn};
use diesel::prelude::*;

/// Loads the IDs `$query` selects (just `$only`, if given), locked on PostgreSQL with rows
/// another transaction holds skipped.
macro_rules! locked_ids {
    ($conn:expr, $query:expr, $only:expr) => {
        match (&mut *$conn, $only) {
            (Conn::Postgres(c), Some(id)) => $query
                .filter(videos::id.eq(id))
                .for_update()
                .skip_locked()
                .load::<String>(c),
            (Conn::Postgres(c), None) => $query.for_update().skip_locked().load::<String>(c),
            (Conn::Sqlite(c), Some(id)) => $query.filter(videos::id.eq(id)).load::<String>(c),
            (Conn::Sqlite(c), None) => $query.load::<String>(c),
        }
    };
}

/// Which claimable work on videos.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Probe a video whose bytes are complete.
    Process,
    /// Remove a deleted video's bytes after its grace period.
    Purge,
}

/// Claims up to `limit` videos with `job` due (all of them, or just `only`) for `holder`
/// until `now + hold_ms`.
pub fn claim(
    conn: &mut Conn,
    job: Job,
    holder: &str,
    now: i64,
    hold_ms: i64,
    limit: i64,
    only: Option<&str>,
) -> QueryResult<Vec<Video>> {
    write_tx(conn, |conn| {
        let unclaimed = videos::process_holder
            .is_null()
            .or(videos::process_until.lt(now));
        let ids: Vec<String> = match job {
            Job::Process => locked_ids!(
                conn,
                videos::table
                    .filter(unclaimed)
                    .filter(videos::status.eq(VideoStatus::Processing))
                    .order(videos::updated_at.asc())
                    .limit(limit)
                    .select(videos::id),
                only
            )?,
            Job::Purge => locked_ids!(
                conn,
                videos::table
                    .filter(unclaimed)
                    .filter(videos::status.eq(VideoStatus::Deleted))
                    .filter(videos::purged_at.is_null())
                    .filter(videos::purge_after.le(now))
                    .order(videos::purge_after.asc())
                    .limit(limit)
                    .select(videos::id),
                only
            )?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(videos::table.filter(videos::id.eq_any(&ids)))
            .set((
                videos::process_holder.eq(holder),
                videos::process_until.eq(now + hold_ms),
            ))
            .execute(conn)?;
        videos::table
            .filter(videos::id.eq_any(&ids))
            .select(Video::as_select())
            .load(conn)
    })
}

/// Extends `holder`'s claim on a video; `false` when it is not theirs any more.
pub fn renew(conn: &mut Conn, video_id: &str, holder: &str, until: i64) -> QueryResult<bool> {
    let renewed = diesel::update(
        videos::table
            .find(video_id)
            .filter(videos::process_holder.eq(holder)),
    )
    .set(videos::process_until.eq(until))
    .execute(conn)?;
    Ok(renewed > 0)
}

/// Gives up `holder`'s claim on a video (done, or to be retried by anyone at once).
pub fn release(conn: &mut Conn, video_id: &str, holder: &str) -> QueryResult<usize> {
    diesel::update(
        videos::table
            .find(video_id)
            .filter(videos::process_holder.eq(holder)),
    )
    .set((
        videos::process_holder.eq(None::<String>),
        videos::process_until.eq(0),
    ))
    .execute(conn)
}

/// Forgets every claim. Only for SQLite at start-up (one file, one instance): a claim left
/// in it belongs to a run that is over.
pub fn forget_previous_runs(conn: &mut Conn) -> QueryResult<usize> {
    diesel::delete(singleton_leases::table).execute(conn)?;
    diesel::update(videos::table.filter(videos::process_holder.is_not_null()))
        .set((
            videos::process_holder.eq(None::<String>),
            videos::process_until.eq(0),
        ))
        .execute(conn)
}

/// Takes the pass called `name` for `holder` until `now + hold_ms` if nobody else holds it.
pub fn take_pass(
    conn: &mut Conn,
    name: &str,
    holder: &str,
    now: i64,
    hold_ms: i64,
) -> QueryResult<bool> {
    write_tx(conn, |conn| {
        crate::db::on_backend!(conn, c => diesel::insert_into(singleton_leases::table)
            .values((
                singleton_leases::name.eq(name),
                singleton_leases::holder.eq(holder),
                singleton_leases::until.eq(0i64),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        let taken = diesel::update(
            singleton_leases::table.find(name).filter(
                singleton_leases::holder
                    .eq(holder)
                    .or(singleton_leases::until.lt(now)),
            ),
        )
        .set((
            singleton_leases::holder.eq(holder),
            singleton_leases::until.eq(now + hold_ms),
        ))
        .execute(conn)?;
        Ok(taken > 0)
    })
}

//! Failed sign-in counters (`sign_in_throttles`). The policy (how many failures, how long a
//! block) is `services::throttle`'s; this only stores and reads.

use crate::db::schema::sign_in_throttles as t;
use crate::db::Conn;
use diesel::prelude::*;

/// The latest time any of `keys` is blocked until (0 when none is).
pub fn blocked_until(conn: &mut Conn, keys: &[String], now: i64) -> QueryResult<i64> {
    let until: Option<i64> = t::table
        .filter(t::key.eq_any(keys))
        .filter(t::blocked_until.gt(now))
        .select(diesel::dsl::max(t::blocked_until))
        .first(conn)?;
    Ok(until.unwrap_or(0))
}

/// Counts one failure for `key` and sets its block from `block_for(failures)` (ms); a count
/// whose last failure is older than `forget_after_ms` starts again. Returns the block's end.
pub fn record_failure(
    conn: &mut Conn,
    key: &str,
    now: i64,
    forget_after_ms: i64,
    block_for: impl Fn(i32) -> i64,
) -> QueryResult<i64> {
    crate::db::write_tx(conn, |conn| {
        let previous: Option<(i32, i64)> = t::table
            .find(key)
            .select((t::failures, t::last_failure_at))
            .first(conn)
            .optional()?;
        let failures = match previous {
            Some((n, last)) if now - last < forget_after_ms => n.saturating_add(1),
            _ => 1,
        };
        let blocked_until = now.saturating_add(block_for(failures));
        let counts = (
            t::failures.eq(failures),
            t::last_failure_at.eq(now),
            t::blocked_until.eq(blocked_until),
        );
        crate::db::on_backend!(conn, c => diesel::insert_into(t::table)
            .values((t::key.eq(key), counts))
            .on_conflict(t::key)
            .do_update()
            .set(counts)
            .execute(c))?;
        Ok(blocked_until)
    })
}

/// Forgets the counters of `keys` (after a successful sign-in).
pub fn clear(conn: &mut Conn, keys: &[String]) -> QueryResult<usize> {
    diesel::delete(t::table.filter(t::key.eq_any(keys))).execute(conn)
}

/// Removes counters nobody has failed on for `forget_after_ms` (the janitor's sweep).
pub fn sweep(conn: &mut Conn, now: i64, forget_after_ms: i64) -> QueryResult<usize> {
    diesel::delete(
        t::table
            .filter(t::last_failure_at.lt(now - forget_after_ms))
            .filter(t::blocked_until.le(now)),
    )
    .execute(conn)
}

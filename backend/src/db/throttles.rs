//! Sign-in attempt counters (`sign_in_throttles`). The policy (how many failures, how long a
//! block) is `services::throttle`'s; this only stores, charges and reads.

use crate::db::schema::sign_in_throttles as t;
use crate::db::Conn;
use diesel::prelude::*;

/// One key an attempt is charged to, with its policy's block for the n-th failure (ms).
pub struct Charge<'a> {
    /// The key (`account:…`, `address:…`, `device:…`).
    pub key: &'a str,
    /// How long the `n`-th failure blocks the key.
    pub block_for: &'a dyn Fn(i32) -> i64,
}

/// Charges one attempt to every key as a failure, in one transaction, unless one of them is
/// blocked at `now`: then nothing is charged and the latest end of a block is returned.
///
/// Checking and counting in one step is what makes the limit hold under a burst: each key's
/// row is locked (keys in sorted order, so two attempts never wait on each other in a
/// circle), so concurrent attempts, on one instance or several, are charged one after the
/// other, and once the free attempts are used the rest find the key blocked. An attempt whose
/// password turns out right takes its charge back ([`refund`], [`clear`]).
pub fn charge(
    conn: &mut Conn,
    keys: &[Charge<'_>],
    now: i64,
    forget_after_ms: i64,
) -> QueryResult<Option<i64>> {
    let mut keys: Vec<&Charge<'_>> = keys.iter().collect();
    keys.sort_by_key(|c| c.key);
    crate::db::write_tx(conn, |conn| {
        let mut rows = Vec::with_capacity(keys.len());
        for charge in &keys {
            let fresh = (
                t::key.eq(charge.key),
                t::failures.eq(0),
                t::last_failure_at.eq(0i64),
                t::blocked_until.eq(0i64),
            );
            crate::db::on_backend!(conn, c => diesel::insert_into(t::table)
                .values(fresh)
                .on_conflict(t::key)
                .do_nothing()
                .execute(c))?;
            lock_row(conn, charge.key)?;
            let row: (i32, i64, i64) = t::table
                .find(charge.key)
                .select((t::failures, t::last_failure_at, t::blocked_until))
                .first(conn)?;
            rows.push(row);
        }
        let blocked = rows.iter().map(|&(_, _, until)| until).max().unwrap_or(0);
        if blocked > now {
            return Ok(Some(blocked));
        }
        for (charge, &(failures, last, _)) in keys.iter().zip(&rows) {
            let failures = if now - last < forget_after_ms {
                failures.saturating_add(1)
            } else {
                1
            };
            // No block is 0, not `now`: an attempt that took its `now` a moment earlier and
            // waited for this row's lock would otherwise find the key "blocked" until then.
            let block = (charge.block_for)(failures);
            let until = if block > 0 {
                now.saturating_add(block)
            } else {
                0
            };
            diesel::update(t::table.find(charge.key))
                .set((
                    t::failures.eq(failures),
                    t::last_failure_at.eq(now),
                    t::blocked_until.eq(until),
                ))
                .execute(conn)?;
        }
        Ok(None)
    })
}

/// Starts the block of a charged failure again from `now` (the check took a while: a block
/// counts from when the failure is known, not from when the attempt came in).
pub fn restamp(conn: &mut Conn, charge: &Charge<'_>, now: i64) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        lock_row(conn, charge.key)?;
        let row: Option<(i32, i64)> = t::table
            .find(charge.key)
            .select((t::failures, t::blocked_until))
            .first(conn)
            .optional()?;
        let Some((failures, until)) = row else {
            return Ok(());
        };
        let block = (charge.block_for)(failures);
        if block > 0 && now.saturating_add(block) > until {
            diesel::update(t::table.find(charge.key))
                .set(t::blocked_until.eq(now.saturating_add(block)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Takes one charged failure back from `key` (the attempt was right), lifting a block that
/// no longer stands once it is taken back (`free`: failures before the first block).
pub fn refund(conn: &mut Conn, key: &str, free: i32) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        // Read under the lock: two refunds at once would otherwise both write the count less
        // one, and the lost one would stay charged to the address for an hour.
        lock_row(conn, key)?;
        let row: Option<i32> = t::table
            .find(key)
            .select(t::failures)
            .first(conn)
            .optional()?;
        let Some(failures) = row else {
            return Ok(());
        };
        let failures = (failures - 1).max(0);
        let target = t::table.find(key);
        if failures < free {
            diesel::update(target)
                .set((t::failures.eq(failures), t::blocked_until.eq(0i64)))
                .execute(conn)?;
        } else {
            diesel::update(target)
                .set(t::failures.eq(failures))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Takes `key`'s row lock until the transaction ends (a no-op update, on PostgreSQL; SQLite's
/// write transaction already excludes every other writer), so what is read next is not stale
/// when it is written back.
fn lock_row(conn: &mut Conn, key: &str) -> QueryResult<usize> {
    diesel::update(t::table.find(key))
        .set(t::failures.eq(t::failures))
        .execute(conn)
}

/// The failures counted on `key`, if it has a row.
pub fn failures(conn: &mut Conn, key: &str) -> QueryResult<Option<i32>> {
    t::table
        .find(key)
        .select(t::failures)
        .first(conn)
        .optional()
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

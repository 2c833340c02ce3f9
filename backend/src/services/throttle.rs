//! Sign-in throttling: failed sign-ins are counted per account and per client address in the
//! database (so every instance sees the same counts), and past a few free failures each one
//! blocks the key for twice as long as the last, up to a cap. Back-off, never a lock: an
//! attacker who keeps failing on someone's account delays that instructor by at most
//! [`ACCOUNT`]'s cap, and the right password works again as soon as the block ends.

use crate::db::{self, DbPool};

/// How one kind of key is throttled.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Failures before the first block.
    pub free: i32,
    /// The first block.
    pub first_block_ms: i64,
    /// The longest block.
    pub cap_ms: i64,
}

impl Policy {
    /// How long the `failures`-th failure blocks the key (0: not at all).
    pub fn block_for(&self, failures: i32) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = u32::try_from(failures - self.free).unwrap_or(0).min(40);
        self.first_block_ms
            .saturating_mul(1i64 << doublings)
            .min(self.cap_ms)
    }
}

/// One account, from anywhere: 5 free failures, then 1 s, 2 s, 4 s … at most 2 minutes.
pub const ACCOUNT: Policy = Policy {
    free: 5,
    first_block_ms: 1_000,
    cap_ms: 120_000,
};

/// One client address, on any accounts (a campus NAT has many people): 20 free failures,
/// then 1 s, 2 s … at most 30 minutes.
pub const ADDRESS: Policy = Policy {
    free: 20,
    first_block_ms: 1_000,
    cap_ms: 30 * 60_000,
};

/// A key's count is forgotten after an hour without failures.
pub const FORGET_AFTER_MS: i64 = 3_600_000;

/// The throttle keys of one sign-in attempt.
pub struct Keys {
    account: String,
    address: Option<String>,
}

impl Keys {
    /// Keys for the (normalised) email and the client's address.
    pub fn new(email: &str, address: Option<&str>) -> Self {
        Self {
            // Attempts are keyed by what was typed, as the database can store it.
            account: format!("account:{}", crate::db::text::storable(email)),
            address: address.map(|a| format!("address:{}", crate::db::text::storable(a))),
        }
    }

    fn all(&self) -> Vec<String> {
        std::iter::once(self.account.clone())
            .chain(self.address.clone())
            .collect()
    }
}

/// Milliseconds until the attempt may be made, or `None` when it may be made now.
pub async fn wait(pool: &DbPool, keys: &Keys) -> anyhow::Result<Option<i64>> {
    let (all, now) = (keys.all(), crate::clock::now_ms());
    let until = db::run(pool, move |conn| {
        Ok(db::throttles::blocked_until(conn, &all, now)?)
    })
    .await?;
    Ok((until > now).then_some(until - now))
}

/// Counts a failed attempt against both keys.
pub async fn failed(pool: &DbPool, keys: &Keys) -> anyhow::Result<()> {
    let (account, address, now) = (
        keys.account.clone(),
        keys.address.clone(),
        crate::clock::now_ms(),
    );
    db::write(pool, move |conn| {
        db::throttles::record_failure(conn, &account, now, FORGET_AFTER_MS, |n| {
            ACCOUNT.block_for(n)
        })?;
        if let Some(address) = address {
            db::throttles::record_failure(conn, &address, now, FORGET_AFTER_MS, |n| {
                ADDRESS.block_for(n)
            })?;
        }
        Ok(())
    })
    .await
}

/// Forgets both keys' failures after a successful sign-in.
pub async fn succeeded(pool: &DbPool, keys: &Keys) -> anyhow::Result<()> {
    let all = keys.all();
    db::write(pool, move |conn| Ok(db::throttles::clear(conn, &all)?))
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_double_from_the_first_one_past_the_free_failures_up_to_the_cap() {
        let blocks: Vec<i64> = (1..=14).map(|n| ACCOUNT.block_for(n)).collect();
        assert_eq!(&blocks[..4], &[0, 0, 0, 0]);
        assert_eq!(&blocks[4..9], &[1_000, 2_000, 4_000, 8_000, 16_000]);
        assert_eq!(blocks[13], ACCOUNT.cap_ms);
        assert_eq!(ACCOUNT.block_for(i32::MAX), ACCOUNT.cap_ms);
        assert_eq!(ADDRESS.block_for(19), 0);
        assert_eq!(ADDRESS.block_for(20), 1_000);
    }
}

//! Sign-in throttling, counted in the database so every instance sees the same counts.
//!
//! Each attempt is charged, before its password is checked, to the keys it belongs to; past a
//! key's free failures each one blocks the key for twice as long as the last, up to a cap.
//! Charging and checking are one step ([`attempt`]), so a burst of parallel guesses gets no
//! more than the free ones checked. A right password takes its charge back.
//!
//! Which keys an attempt is charged to depends on the browser (OWASP's device cookies):
//! - a browser that signed in to this account before (`services::device_cookie`) is charged
//!   on its own key only, so nobody else's failures can keep the instructor out;
//! - any other browser is charged on the account and on its address, so an attacker gets few
//!   guesses per account and per address, and can delay strangers' browsers, not lock anyone.

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

/// One account, from browsers that never signed in to it: 5 free failures, then 1 s, 2 s,
/// 4 s … at most 2 minutes.
pub const ACCOUNT: Policy = Policy {
    free: 5,
    first_block_ms: 1_000,
    cap_ms: 120_000,
};

/// One client address, on any accounts, from browsers that never signed in to the account
/// tried (a campus NAT has many people): 20 free failures, then 1 s, 2 s … at most 30 minutes.
pub const ADDRESS: Policy = Policy {
    free: 20,
    first_block_ms: 1_000,
    cap_ms: 30 * 60_000,
};

/// One browser on an account it signed in to before: as forgiving as [`ACCOUNT`], and only
/// that browser's own mistakes count.
pub const DEVICE: Policy = ACCOUNT;

/// A key's count is forgotten after an hour without failures.
pub const FORGET_AFTER_MS: i64 = 3_600_000;

/// The throttle keys one sign-in attempt is charged to.
pub struct Keys {
    charges: Vec<(String, Policy)>,
}

impl Keys {
    /// A browser that has not signed in to this account before: the (normalised) email typed
    /// and the client's address.
    pub fn unknown_browser(email: &str, address: Option<&str>) -> Self {
        // Attempts are keyed by what was typed, as the database can store it.
        let account = (format!("account:{}", db::text::storable(email)), ACCOUNT);
        let address = address.map(|a| (format!("address:{}", db::text::storable(a)), ADDRESS));
        Self {
            charges: std::iter::once(account).chain(address).collect(),
        }
    }

    /// A browser with a device cookie for this account: its own key only.
    pub fn known_device(device: &str) -> Self {
        Self {
            charges: vec![(format!("device:{device}"), DEVICE)],
        }
    }
}

/// Charges an attempt to its keys. `Some(ms)`: a key is blocked for that long, nothing was
/// charged and the password must not be checked; `None`: it may be checked.
pub async fn attempt(pool: &DbPool, keys: &Keys) -> anyhow::Result<Option<i64>> {
    let (charges, now) = (keys.charges.clone(), crate::clock::now_ms());
    let blocked = db::write(pool, move |conn| {
        let blocks: Vec<_> = charges
            .iter()
            .map(|(_, policy)| move |n| policy.block_for(n))
            .collect();
        let charges: Vec<db::throttles::Charge<'_>> = charges
            .iter()
            .zip(&blocks)
            .map(|((key, _), block_for)| db::throttles::Charge { key, block_for })
            .collect();
        Ok(db::throttles::charge(conn, &charges, now, FORGET_AFTER_MS)?)
    })
    .await?;
    Ok(blocked.map(|until| until - now))
}

/// The attempt's password was wrong: it stays charged, and a block it caused counts from now.
pub async fn failed(pool: &DbPool, keys: &Keys) -> anyhow::Result<()> {
    let (charges, now) = (keys.charges.clone(), crate::clock::now_ms());
    db::write(pool, move |conn| {
        for (key, policy) in &charges {
            let block_for = |n| policy.block_for(n);
            let charge = db::throttles::Charge {
                key,
                block_for: &block_for,
            };
            db::throttles::restamp(conn, &charge, now)?;
        }
        Ok(())
    })
    .await
}

/// The attempt's password was right: the account's and the device's counts start again, and
/// the address (shared with others behind the same NAT or proxy) gets this attempt back.
pub async fn succeeded(pool: &DbPool, keys: &Keys) -> anyhow::Result<()> {
    let charges = keys.charges.clone();
    db::write(pool, move |conn| {
        for (key, policy) in &charges {
            if key.starts_with("address:") {
                db::throttles::refund(conn, key, policy.free)?;
            } else {
                db::throttles::clear(conn, std::slice::from_ref(key))?;
            }
        }
        Ok(())
    })
    .await
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
        assert_eq!(ADDRESS.block_for(i32::MAX), ADDRESS.cap_ms);
    }
}

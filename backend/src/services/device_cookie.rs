//! Device cookies (OWASP's answer to slow brute force): a browser that signed in to an account
//! gets a signed token for that account, and later attempts from it are throttled on their own
//! count instead of the account's. Someone failing on an instructor's email from elsewhere can
//! then block only browsers that never signed in to it, never the instructor's own.
//!
//! The cookie holds up to [`KEEP`] entries (one per account signed in from this browser), each
//! `{device}.{expires}.{mac}`: a random device ID, an expiry (Unix seconds) and an HMAC over
//! both and the account's email. The email is not in the cookie; an entry is recognised only
//! when the email typed is the one it was made for.

use crate::config::SecretKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The cookie's name.
pub const COOKIE: &str = "reel_device";
/// How long an entry is recognised after its last sign-in.
pub const LIFETIME_SECS: i64 = 180 * 86_400;
/// Most accounts one browser is remembered for.
const KEEP: usize = 5;

fn mac(secret: &SecretKey, email: &str, device: &str, expires: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose()).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch cannot be reached.
        Hmac::<Sha256>::new_from_slice(b"reel").unwrap_or_else(|_| unreachable!())
    });
    mac.update(b"device:v1:");
    mac.update(device.as_bytes());
    mac.update(b":");
    mac.update(expires.to_string().as_bytes());
    mac.update(b":");
    mac.update(email.as_bytes());
    URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
}

/// The device ID of the cookie's entry for `email`, if it has a valid, unexpired one.
pub fn recognise(secret: &SecretKey, cookie: &str, email: &str, now_secs: i64) -> Option<String> {
    cookie.split('~').find_map(|entry| {
        let mut parts = entry.split('.');
        let (device, expires, sig) = (parts.next()?, parts.next()?, parts.next()?);
        let expires: i64 = expires.parse().ok()?;
        let valid = parts.next().is_none()
            && expires > now_secs
            && device.len() == 32
            && constant_time_eq(
                mac(secret, email, device, expires).as_bytes(),
                sig.as_bytes(),
            );
        valid.then(|| device.to_string())
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The cookie after a sign-in to `email`: its entry for `email` renewed (the same device ID
/// when it had one), first, and at most [`KEEP`] entries in all.
pub fn after_sign_in(secret: &SecretKey, cookie: &str, email: &str, now_secs: i64) -> String {
    let device = recognise(secret, cookie, email, now_secs)
        .unwrap_or_else(|| crate::services::tokens::new_token()[..32].to_string());
    let expires = now_secs + LIFETIME_SECS;
    let entry = format!(
        "{device}.{expires}.{}",
        mac(secret, email, &device, expires)
    );
    let others = cookie
        .split('~')
        .filter(|e| !e.is_empty() && !e.starts_with(&format!("{device}.")))
        // Entries of other accounts cannot be checked without their email; the expiry can.
        .filter(|e| {
            e.split('.')
                .nth(1)
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > now_secs)
        })
        .take(KEEP - 1);
    std::iter::once(entry.as_str())
        .chain(others)
        .collect::<Vec<_>>()
        .join("~")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_text(&hex::encode([byte; 32])).expect("key")
    }

    #[test]
    fn an_entry_is_recognised_only_for_its_email_key_and_lifetime() {
        let (secret, now) = (key(1), 1_000_000);
        let cookie = after_sign_in(&secret, "", "ada@example.com", now);
        let device = recognise(&secret, &cookie, "ada@example.com", now + 10).expect("known");
        assert_eq!(device.len(), 32);
        assert_eq!(recognise(&secret, &cookie, "bob@example.com", now), None);
        assert_eq!(recognise(&key(2), &cookie, "ada@example.com", now), None);
        assert_eq!(
            recognise(&secret, &cookie, "ada@example.com", now + LIFETIME_SECS),
            None
        );
        let forged = cookie.replacen('.', "9.", 1);
        assert_eq!(recognise(&secret, &forged, "ada@example.com", now), None);
    }

    #[test]
    fn signing_in_again_keeps_the_device_and_other_accounts_up_to_five() {
        let (secret, now) = (key(1), 1_000_000);
        let mut cookie = after_sign_in(&secret, "", "ada@example.com", now);
        let ada = recognise(&secret, &cookie, "ada@example.com", now);
        for i in 0..6 {
            cookie = after_sign_in(&secret, &cookie, &format!("u{i}@example.com"), now);
        }
        assert_eq!(cookie.split('~').count(), KEEP);
        assert_eq!(
            recognise(&secret, &cookie, "ada@example.com", now),
            None,
            "the oldest goes"
        );
        cookie = after_sign_in(&secret, &cookie, "u5@example.com", now + 5);
        assert_eq!(cookie.split('~').count(), KEEP);
        let again = after_sign_in(&secret, "", "ada@example.com", now);
        assert_ne!(recognise(&secret, &again, "ada@example.com", now), ada);
    }
}
